#!/usr/bin/env python3
"""test_outputs.py - outputs that scale (issue 20).

kasim run --trace all|none|failures|conn=LIST; the default (every event up
to 10,000 connections, failures only above); connections.csv beside
summary.json; summary.json's aggregates per group and its "outputs"
object saying what was left out; the metrics (capacity --run) reading a
run without a trace or without a per-connection array.

Expected numbers come from docs/facts.md §2 (Windows Vista: KeepAliveTime
7200 s, KeepAliveInterval 1 s, 10 probes) and the scenarios' own comments:
in cable-pull the link goes down at 600 s; the last segment the client
received is the SYN+ACK, at 10 ms + 10 ms of delay plus the SYN's and the
SYN+ACK's 40 octets at 100 Mbit/s (3.2 us each): 0.0200064 s.  So it gives
up at 0.0200064 + 7200 + 10 x 1 = 7210.0200064 s, 6610.0200064 s after the
failure, having sent 10 probes none of which was answered.

Usage: test_outputs.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]


def scen(name):
    return os.path.join(SRC, "scenarios", name)


def kasim(*args):
    return subprocess.run([KASIM] + list(args), capture_output=True, text=True)


def run(scenario, *args, out=None):
    d = out or tempfile.mkdtemp(prefix="kasim-out-")
    r = kasim("run", scenario, "--out", d, *args)
    assert r.returncode == 0, r.stderr
    return d, r.stdout


def lines(d):
    with open(os.path.join(d, "trace.jsonl")) as f:
        return [json.loads(l) for l in f]


def summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)


def conn_of(e):
    return e.get("conn")


# A scenario of 12,000 idle clients of which half lose their link at 1 h;
# kept small in time so that it runs in a second.  1 h + 2 h idle + 10 probes:
# the cut half gives up at 7210 s after its last receive (facts §2).
BIG = """name: big-half-cut
duration: 3h
hosts:
  a: {profile: windows-vista}
  b: {profile: windows-vista}
  server: {profile: linux, settings: {hz: 0}}
links:
  cut: {between: [a, server], delay: 10ms, bandwidth: 1Gbit}
  ok: {between: [b, server], delay: 10ms, bandwidth: 1Gbit}
groups:
  - {name: cut, count: 6000, client: a, server: server}
  - {name: fine, count: 6000, client: b, server: server}
timeline:
  - {at: 1h, link_down: cut}
"""


BIG_DIR = []  # the folder of big.yaml, made once, removed at the end


def big_scenario():
    if not BIG_DIR:
        BIG_DIR.append(tempfile.mkdtemp(prefix="kasim-big-"))
        with open(os.path.join(BIG_DIR[0], "big.yaml"), "w") as f:
            f.write(BIG)
    return os.path.join(BIG_DIR[0], "big.yaml")


@ks_tap.test
def small_run_default_is_everything():
    d, out = run(scen("cable-pull.yaml"))
    s = summary(d)
    assert s["outputs"]["trace_level"] == "all", s["outputs"]
    assert s["outputs"]["trace_level_default"] is True
    assert s["outputs"]["left_out"] is None, s["outputs"]
    assert s["outputs"]["trace_events"] == s["outputs"]["trace_events_written"]
    assert len(lines(d)) == s["outputs"]["trace_events"]
    assert len(s["connections"]) == 1
    assert "Left out" not in out, out
    shutil.rmtree(d)


@ks_tap.test
def csv_matches_summary_and_hand_numbers():
    d, _ = run(scen("cable-pull.yaml"))
    s = summary(d)
    with open(os.path.join(d, "connections.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    r, c = rows[0], s["connections"][0]
    assert list(r.keys()) == list(c.keys()), (list(r.keys()), list(c.keys()))
    assert r["closed_at_s"] == "7210.0200064", r
    assert r["last_rx_s"] == "0.0200064", r
    assert float(r["closed_at_s"]) == c["closed_at_s"]
    assert r["failure_at_s"] == "600.0" or float(r["failure_at_s"]) == 600.0, r
    assert r["probes_sent"] == "10" and r["probes_answered"] == "0", r
    assert r["close_reason"] == "keepalive_timeout" and r["error"] == "WSAENETRESET", r
    assert r["recovered"] == "false" and r["false_giveup"] == "false", r
    g = s["groups"][0]
    assert g["name"] == "clients" and g["connections"] == 1 and g["detected"] == 1, g
    # 7210.0200064 - 600 s, every percentile of one value.
    for k in ("latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s"):
        assert g[k] == 6610.0200064, (k, g[k])
    # 10 probes, none answered, 84 octets each on Ethernet (docs/output.md).
    assert g["wire_probes"] == 10 and g["wire_probe_acks"] == 0, g
    assert g["probe_wire_bytes"] == 840, g
    assert s["totals"]["wire_probes"] == 10
    shutil.rmtree(d)


@ks_tap.test
def trace_none_writes_no_trace_and_removes_an_old_one():
    d, _ = run(scen("cable-pull.yaml"))
    assert os.path.exists(os.path.join(d, "trace.jsonl"))
    _, out = run(scen("cable-pull.yaml"), "--trace", "none", out=d)
    assert not os.path.exists(os.path.join(d, "trace.jsonl"))
    s = summary(d)
    assert s["outputs"]["trace_level"] == "none"
    assert s["outputs"]["trace_events_written"] == 0
    assert "--trace all" in s["outputs"]["left_out"]
    assert "Left out: no trace.jsonl" in out, out
    # capacity --run still reads it: the probes are counted in summary.json.
    r = kasim("capacity", "-n", "1000", "-p", "windows-vista", "--run", d)
    assert r.returncode == 0, r.stderr
    assert "Of its 10 probes 0 were answered" in r.stdout, r.stdout
    # kasim plot needs the trace for its timeline: it draws the other
    # pictures and says how to get it; asked for one by --conn, it fails.
    r = kasim("plot", d, "--out", os.path.join(d, "pictures"))
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "timeline not drawn" in r.stderr and "(--trace none); run it again with " \
        "--trace conn=0" in r.stderr, r.stderr
    assert sorted(os.listdir(os.path.join(d, "pictures"))) == [
        "latency-cdf.png", "latency-cdf.svg", "overhead.png", "overhead.svg"]
    r = kasim("plot", d, "--conn", "0", "--out", os.path.join(d, "one"))
    assert r.returncode == 2 and "--trace conn=0" in r.stderr, (r.returncode, r.stderr)
    assert not os.path.exists(os.path.join(d, "one"))
    shutil.rmtree(d)


@ks_tap.test
def trace_conn_list_keeps_only_those():
    p = big_scenario()
    d, _ = run(p, "--trace", "conn=0,6000-6001")
    conns = {conn_of(e) for e in lines(d) if conn_of(e) is not None}
    assert conns == {0, 6000, 6001}, sorted(conns)[:10]
    kinds = [e for e in lines(d) if e["ev"] == "scenario"]
    assert len(kinds) == 1, kinds
    shutil.rmtree(d)


@ks_tap.test
def large_run_default_is_failures_and_aggregates():
    p = big_scenario()
    d, out = run(p)
    s = summary(d)
    o = s["outputs"]
    assert o["trace_level"] == "failures" and o["trace_level_default"] is True, o
    assert o["connections_listed"] is False
    assert "connections" not in s
    assert "--trace all" in o["left_out"] and "connections.csv" in o["left_out"], o
    assert "Left out:" in out and "--trace all" in out, out
    ev = lines(d)
    assert len(ev) == o["trace_events_written"] < o["trace_events"]
    # The counts are the trace's, with the commands' thousands separators.
    counts = "(%s of %s trace events)" % ("{:,}".format(o["trace_events_written"]),
                                          "{:,}".format(o["trace_events"]))
    assert counts in o["left_out"] and counts in out, (counts, o["left_out"])
    assert "more than 10,000 connections" in o["left_out"], o["left_out"]
    conns = {conn_of(e) for e in ev if conn_of(e) is not None}
    # Only the cut group (ids 0-5999) failed; the fine group is left out.
    assert conns and max(conns) < 6000, max(conns)
    assert len(conns) == 6000, len(conns)
    g = {x["name"]: x for x in s["groups"]}
    assert g["cut"]["keepalive_timeout"] == 6000 and g["cut"]["detected"] == 6000, g["cut"]
    assert g["fine"]["alive"] == 6000 and g["fine"]["failed"] == 0, g["fine"]
    # 10 unanswered probes each after the cut.
    assert g["cut"]["probes_sent"] == 60000 and g["cut"]["probes_answered"] == 0, g["cut"]
    with open(os.path.join(d, "connections.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12000 and rows[6000]["group"] == "fine", rows[6000]
    assert [int(r["id"]) for r in rows] == list(range(12000))
    shutil.rmtree(d)


@ks_tap.test
def trace_all_on_large_run_agrees_with_counts():
    p = big_scenario()
    d, out = run(p, "--trace", "all")
    s = summary(d)
    assert s["outputs"]["trace_level"] == "all"
    assert s["outputs"]["trace_level_default"] is False
    ev = lines(d)
    assert len(ev) == s["outputs"]["trace_events"]
    probes = sum(1 for e in ev if e["ev"] == "send" and e.get("kind") == "keepalive")
    acks = sum(1 for e in ev if e["ev"] == "send" and e.get("kind") == "keepalive_ack")
    assert probes == s["totals"]["wire_probes"], (probes, s["totals"])
    assert acks == s["totals"]["wire_probe_acks"], (acks, s["totals"])
    # The metrics read back the same numbers from the trace-less default.
    d2, _ = run(p)
    for k in ("wire_probes", "wire_probe_acks", "probe_wire_bytes", "detected"):
        assert summary(d2)["totals"][k] == s["totals"][k], k
    shutil.rmtree(d)
    shutil.rmtree(d2)


@ks_tap.test
def bad_trace_levels_exit_2_and_write_nothing():
    for bad, says in (("some", "must be all, none, failures or conn=LIST"),
                      ("conn=", "must be all, none, failures or conn=LIST"),
                      ("conn=x", "'x' is not a connection id"),
                      ("conn=5-2", "'5-2' is not a connection id"),
                      ("conn=1", "no connection 1 (the scenario has 1")):
        d = tempfile.mkdtemp(prefix="kasim-bad-")
        out = os.path.join(d, "out")
        r = kasim("run", scen("cable-pull.yaml"), "--out", out, "--trace", bad)
        assert r.returncode == 2, (bad, r.returncode, r.stderr)
        assert says in r.stderr, (bad, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert not os.path.exists(out), bad
        shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=lambda: BIG_DIR[0] if BIG_DIR else None))
