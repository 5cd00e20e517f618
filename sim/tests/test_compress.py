#!/usr/bin/env python3
"""test_compress.py - kasim run --compress (issue 20).

--compress writes trace.jsonl.gz and connections.csv.gz instead of
trace.jsonl and connections.csv.  What must hold:
  - decompressed, they are the uncompressed run's files byte for byte;
  - the gzip header carries no name and no time (RFC 1952 2.3.1: FLG 0,
    MTIME 0, "no time stamp is available"), so two runs give the same
    bytes;
  - every reader of a run (capacity --run and the sweep's metrics, plot's
    timeline, report) gives the same result on either form;
  - a damaged .gz is refused with its name; --compress with --pace (a live
    trace, followed as it grows) is refused; a run into a folder holding
    the other form leaves only its own;
  - kasim sweep --compress compresses every cell's, with the same metrics.

Usage: test_compress.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]
TMP = tempfile.mkdtemp(prefix="kasim-compress-")


def kasim(*args):
    return subprocess.run([KASIM] + list(args), capture_output=True)


def run(scenario, out, *args):
    r = kasim("run", scenario, "--out", out, *args)
    assert r.returncode == 0, r.stderr
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


# test_outputs.py's 12,000 idle clients, half of which lose their link at
# 1 h, traced in full: some 36 MB of trace, far more than the writer's and
# the reader's 64 KiB buffers, so lines cross them.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_outputs import BIG  # noqa: E402

RUNS = {}


def big_runs():
    """The big scenario run plain, compressed, and compressed again."""
    if not RUNS:
        p = os.path.join(TMP, "big.yaml")
        with open(p, "w") as f:
            f.write(BIG)
        for name, args in (("plain", ()), ("gz", ("--compress",)), ("gz2", ("--compress",))):
            RUNS[name] = run(p, os.path.join(TMP, name), "--trace", "all", *args)
    return RUNS


@ks_tap.test
def decompressed_is_the_plain_run():
    r = big_runs()
    plain, gz = r["plain"], r["gz"]
    assert sorted(os.listdir(gz)) == ["connections.csv.gz", "summary.json", "trace.jsonl.gz"], \
        os.listdir(gz)
    for name in ("trace.jsonl", "connections.csv"):
        z = os.path.join(gz, name + ".gz")
        # gzip -dc, the tool a user has, and Python's reader agree.
        dc = subprocess.run(["gzip", "-dc", z], capture_output=True, check=True).stdout
        want = read(os.path.join(plain, name))
        assert dc == want, (name, len(dc), len(want))
        assert gzip.decompress(read(z)) == want
        # It is compressed: a trace of repeated keys shrinks several times.
        assert os.path.getsize(z) * 4 < len(want), (name, os.path.getsize(z), len(want))
    assert os.path.getsize(os.path.join(plain, "trace.jsonl")) > 8 << 20
    sp, sg = (json.loads(read(os.path.join(d, "summary.json"))) for d in (plain, gz))
    assert sp["outputs"]["trace_file"] == "trace.jsonl", sp["outputs"]
    assert sg["outputs"]["trace_file"] == "trace.jsonl.gz", sg["outputs"]
    assert sg["outputs"]["connections_file"] == "connections.csv.gz", sg["outputs"]
    for k in ("trace_file", "connections_file"):
        del sp["outputs"][k], sg["outputs"][k]
    assert sp == sg


@ks_tap.test
def header_has_no_name_and_no_time():
    r = big_runs()
    for name in ("trace.jsonl.gz", "connections.csv.gz"):
        h = read(os.path.join(r["gz"], name))[:10]
        # RFC 1952 2.3: ID1 ID2 = 1f 8b, CM 8 (deflate), FLG 0 (no FNAME,
        # FCOMMENT, FEXTRA), MTIME 0, XFL 4 (the fastest level), OS 3 (Unix).
        assert h[:4] == b"\x1f\x8b\x08\x00", h
        assert h[4:8] == b"\x00\x00\x00\x00", h
        assert h[8] == 4 and h[9] == 3, h
        # Two runs, the same bytes.
        assert read(os.path.join(r["gz"], name)) == read(os.path.join(r["gz2"], name)), name


def capacity_json(d):
    r = kasim("capacity", "-n", "100000", "--run", d, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    del j["run"]["dir"]
    return j


@ks_tap.test
def capacity_and_metrics_read_both():
    # More than 10,000 connections: summary.json lists none, so the metrics
    # read every connection from connections.csv(.gz).
    r = big_runs()
    a, b = capacity_json(r["plain"]), capacity_json(r["gz"])
    assert a == b, (a, b)
    assert a["run"]["connections"] == 12000, a
    # The 6,000 cut clients last heard the server at 20 ms + transmission,
    # and give up 7200 + 10 x 1 s later: detection 7210.02 - 3600 s.
    assert abs(a["run"]["latency_max_s"] - 3610.02) < 0.01, a


@ks_tap.test
def plot_and_report_read_both():
    r = big_runs()
    outs = {}
    for k in ("plain", "gz"):
        p = os.path.join(TMP, "pictures-" + k)
        # The default connection, and one given (the first of the fine group).
        for conn in (None, "6000"):
            args = ["plot", r[k], "--out", p] + (["--conn", conn] if conn else [])
            res = kasim(*args)
            assert res.returncode == 0, res.stderr
            outs[(k, conn)] = {n: read(os.path.join(p, n)) for n in sorted(os.listdir(p))}
    for conn in (None, "6000"):
        a, b = outs[("plain", conn)], outs[("gz", conn)]
        assert sorted(a) == sorted(b) and "timeline.svg" in a, (sorted(a), sorted(b))
        for n in a:
            assert a[n] == b[n], (conn, n)
    # The report, of a run it takes (one that lists its connections): 200
    # clients on a lossy link, with its false give-ups.
    pages = []
    for k, args in (("lossy", ()), ("lossy-gz", ("--compress",))):
        d = run(os.path.join(SRC, "scenarios", "lossy-link.yaml"), os.path.join(TMP, k), *args)
        res = kasim("report", d, "--out", os.path.join(TMP, k + ".html"))
        assert res.returncode == 0, res.stderr
        pages.append(read(os.path.join(TMP, k + ".html")).replace(d.encode(), b"DIR"))
    assert pages[0] == pages[1]
    assert b"timeline" in pages[0]


@ks_tap.test
def a_damaged_file_is_named():
    d = run(os.path.join(SRC, "scenarios", "cable-pull.yaml"), os.path.join(TMP, "damaged"),
            "--compress")
    t = os.path.join(d, "trace.jsonl.gz")
    data = read(t)
    with open(t, "wb") as f:
        f.write(data[: len(data) // 2])
    res = kasim("plot", d, "--out", os.path.join(TMP, "damaged-pictures"))
    assert res.returncode == 2, (res.returncode, res.stderr)
    err = res.stderr.decode()
    assert "trace.jsonl.gz" in err and "read error" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not os.path.exists(os.path.join(TMP, "damaged-pictures"))


@ks_tap.test
def one_form_at_a_time():
    s = os.path.join(SRC, "scenarios", "cable-pull.yaml")
    d = os.path.join(TMP, "forms")
    run(s, d)
    run(s, d, "--compress")
    assert sorted(os.listdir(d)) == ["connections.csv.gz", "summary.json", "trace.jsonl.gz"], \
        os.listdir(d)
    run(s, d)
    assert sorted(os.listdir(d)) == ["connections.csv", "summary.json", "trace.jsonl"], \
        os.listdir(d)
    run(s, d, "--compress", "--trace", "none")
    assert sorted(os.listdir(d)) == ["connections.csv.gz", "summary.json"], os.listdir(d)


@ks_tap.test
def not_with_pace():
    out = os.path.join(TMP, "paced")
    res = kasim("run", os.path.join(SRC, "scenarios", "cable-pull.yaml"), "--out", out,
                "--compress", "--pace", "1000")
    assert res.returncode == 2, res.returncode
    err = res.stderr.decode()
    assert "--compress and --pace" in err and len(err.strip().splitlines()) == 1, err
    assert not os.path.exists(out)


@ks_tap.test
def sweep_cells_too():
    # kasim sweep --compress passes it to every cell; the metrics, which
    # the cells' files give, are the same.
    lossy = os.path.join(SRC, "scenarios", "lossy-link.yaml")
    outs = []
    for k, args in (("sweep", ()), ("sweep-gz", ("--compress",))):
        d = os.path.join(TMP, k)
        r = kasim("sweep", lossy, "--grid", "TCP_KEEPCNT=2,3", "--seeds", "2", "--out", d, *args)
        assert r.returncode == 0, r.stderr
        outs.append(d)
    for name in ("sweep.csv", "stats.csv"):
        assert read(os.path.join(outs[0], name)) == read(os.path.join(outs[1], name)), name
    cells = os.path.join(outs[1], "cells")
    assert len(os.listdir(cells)) == 4
    for c in os.listdir(cells):
        names = sorted(os.listdir(os.path.join(cells, c)))
        assert names == ["cell.json", "connections.csv.gz", "summary.json", "trace.jsonl.gz"], \
            names
    # A sweep is resumed with the arguments it was begun with.
    r = kasim("sweep", lossy, "--grid", "TCP_KEEPCNT=2,3", "--seeds", "3", "--out", outs[0],
              "--compress")
    assert r.returncode == 2 and b"other arguments (--compress)" in r.stderr, r.stderr


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=TMP))
