#!/usr/bin/env python3
"""test_capture.py - captures a class can open in Wireshark (issue 21).

kasim run --pcap writes pcapng: capture.pcap (what the client hosts send
and receive) and capture-server.pcap (the server hosts'), timestamps from
2000-01-01 00:00:00 UTC, and on every segment lost on its way a comment
saying why.  tshark reads them back.

Usage: test_capture.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]
EPOCH = 946684800  # 2000-01-01T00:00:00Z


def run(scenario, *args):
    d = tempfile.mkdtemp(prefix="kasim-cap-")
    r = subprocess.run([KASIM, "run", os.path.join(SRC, "scenarios", scenario), "--pcap",
                        "--out", d] + list(args), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return d


def trace(d):
    with open(os.path.join(d, "trace.jsonl")) as f:
        return [json.loads(l) for l in f]


def summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)


def fields(path, filt, *names):
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=|"]
    if filt:
        args += ["-Y", filt]
    for n in names:
        args += ["-e", n]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return [l.split("|") for l in r.stdout.splitlines() if l]


def drops(tr, client, what):
    return [e for e in tr if e["ev"] == "drop" and (e["dir"] == "c2s") == client
            and e["what"] == what]


@ks_tap.test
def pcapng_epoch_and_link_down_comments():
    d = run("cable-pull.yaml")
    cap = os.path.join(d, "capture.pcap")
    with open(cap, "rb") as f:
        assert f.read(4) == b"\x0a\x0d\x0d\x0a"  # a pcapng Section Header Block
    tr = trace(d)
    first = fields(cap, None, "frame.time_epoch")[0][0]
    # The SYN at virtual 0 is stamped 2000-01-01 00:00:00 UTC, not 1970.
    assert first == "%d.000000000" % EPOCH, first
    when = fields(cap, None, "frame.time")[0][0]
    assert when.startswith("Jan  1, 2000 00:00:00"), when
    lost = fields(cap, 'frame.comment contains "link of the path is down"',
                  "frame.time_epoch", "tcp.analysis.keep_alive", "tcp.len")
    want = drops(tr, True, "link_down")
    assert len(lost) == len(want) > 0, (lost, want)
    for row, ev in zip(lost, want):
        assert abs(float(row[0]) - EPOCH - ev["t"]) < 1e-6, (row, ev)
    # Vista's 10 one-octet probes (facts §2, §6) are among them, all lost.
    probes = [r for r in lost if r[1] == "1"]
    assert len(probes) == 10 and all(r[2] == "1" for r in probes), probes
    # The server's side never saw a probe: only the handshake reached it.
    srv = os.path.join(d, "capture-server.pcap")
    assert fields(srv, "tcp.analysis.keep_alive", "frame.number") == []
    assert len(fields(srv, None, "frame.number")) == 3
    shutil.rmtree(d)


@ks_tap.test
def both_sides_and_middlebox_comments():
    d = run("nat-aws.yaml")
    tr, sm = trace(d), summary(d)
    cap, srv = os.path.join(d, "capture.pcap"), os.path.join(d, "capture-server.pcap")
    gone = fields(cap, 'frame.comment contains "forgotten this connection"', "tcp.srcport")
    assert len(gone) == len(drops(tr, True, "middlebox")) == 10  # 9 probes + the RST
    # What the server's side saw: the tuned client's 26 probes (facts §4:
    # every 300.004 s in 8100 s) and its 26 answers; the default client's
    # probes never arrived.
    assert len(fields(srv, "tcp.analysis.keep_alive", "frame.number")) == 26
    assert len(fields(srv, "tcp.analysis.keep_alive_ack", "frame.number")) == 26
    probes = len(fields(cap, "tcp.analysis.keep_alive", "frame.number"))
    assert probes == sm["totals"]["probes_sent"] == 35
    # Every packet of each side is a send or an arrival of that side.
    sent_c = sum(1 for e in tr if e["ev"] == "send" and e["dir"] == "c2s")
    got_c = sum(1 for e in tr if e["ev"] == "deliver" and e["dir"] == "s2c")
    assert len(fields(cap, None, "frame.number")) == sent_c + got_c
    sent_s = sum(1 for e in tr if e["ev"] == "send" and e["dir"] == "s2c")
    got_s = sum(1 for e in tr if e["ev"] == "deliver" and e["dir"] == "c2s")
    assert len(fields(srv, None, "frame.number")) == sent_s + got_s
    shutil.rmtree(d)


@ks_tap.test
def random_loss_and_forged_rst_comments():
    d = run("lossy-link.yaml")
    tr = trace(d)
    for name, client in (("capture.pcap", True), ("capture-server.pcap", False)):
        got = fields(os.path.join(d, name), 'frame.comment contains "random loss"', "frame.number")
        assert len(got) == len(drops(tr, client, "loss")) > 0, name
    shutil.rmtree(d)
    # Azure's load balancer sends an RST to both ends when it forgets the flow.
    d = run("nat-azure.yaml")
    for name in ("capture.pcap", "capture-server.pcap"):
        got = fields(os.path.join(d, name), 'frame.comment contains "forged by a middlebox"',
                     "tcp.flags.reset")
        assert got == [["1"]], (name, got)
    shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(ks_tap.run(skip=None if shutil.which("tshark") else
                         "tshark is not installed (scripts/install-deps)"))
