#!/usr/bin/env python3
"""test_live.py - kasim run --pace: the live mode for a classroom (issue 21).

Without a terminal: one line per event as it happens, in the trace's order;
the run takes the wall time the pace says; trace.jsonl grows on disk while
the run goes, in the staging folder that replaces the output folder at the
end; SIGINT ends the run and keeps what was written (exit 130,
summary.json of the run so far).  On a terminal (a pty): the status line's
virtual clock runs through an idle stretch, `s` skips it, space pauses,
`q` stops.  --pace 0 and --pace -5 are refused alike (exit 2).

Usage: test_live.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]
THREE = os.path.join(SRC, "docs", "labs", "three-systems.yaml")
NAT = os.path.join(SRC, "scenarios", "nat-aws.yaml")
TMP = tempfile.mkdtemp(prefix="kasim-live-")


def tmpdir():
    return tempfile.mkdtemp(dir=TMP)


def trace(d):
    with open(os.path.join(d, "trace.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


@ks_tap.test
def lines_without_terminal():
    d = tmpdir()
    t0 = time.monotonic()
    r = subprocess.run([KASIM, "run", THREE, "--pace", "20000", "--out", d],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    # 2 h 11 min 15 s of virtual time at 20000x: 0.39 s at least.
    assert 0.39 <= wall < 10, wall
    lines = [l for l in r.stdout.splitlines() if re.match(r"\s+[\d.]+ s  ", l)]
    evs = [e for e in trace(d) if e["ev"] in ("send", "drop", "close", "scenario")]
    assert len(lines) == len(evs), (len(lines), len(evs))
    times = [float(l.split()[0]) for l in lines]
    assert times == sorted(times)
    out = r.stdout
    # docs/facts.md §2, §3, §4: XP 7200 + 5 x 1, Vista 7200 + 10 x 1, Linux
    # 7200 + 9 x 75 after the handshake's last segment at 0.02 s.
    for want in ("600 s  scenario: link_down xp-cable",
                 "600 s  scenario: link_down tux-cable",
                 "7205.02 s  conn 0     xp GIVES UP (keepalive_timeout): the application sees "
                 "WSAENETRESET",
                 "7210.02 s  conn 1     vista GIVES UP (keepalive_timeout): the application "
                 "sees WSAENETRESET",
                 "7875.02 s  conn 2     tux GIVES UP (keepalive_timeout): the application sees "
                 "ETIMEDOUT",
                 "7200.02 s  conn 0     xp (client) sends keep-alive probe, 1 byte",
                 "7200.02 s  conn 0     LOST: the client's keep-alive probe: the link is down"):
        assert want in out, want + "\n" + out
    # Nothing for a terminal: no status line, no escape sequences.
    assert "\033" not in out + r.stderr


@ks_tap.test
def trace_grows_and_interrupt_keeps_it():
    d = tmpdir()
    # 8100 s at 1000x: 8.1 s of wall time; interrupted after about 1.5 s.
    p = subprocess.Popen([KASIM, "run", NAT, "--pace", "1000", "--out", d],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         stdin=subprocess.DEVNULL)
    time.sleep(1.5)
    assert p.poll() is None
    # Flushed line by line in the staging folder beside d, which takes
    # d's place when the run ends (ks_outdir.h).
    staging = os.path.join(os.path.dirname(d), "." + os.path.basename(d) + ".kasim-tmp")
    grown = trace(staging)
    assert len(grown) >= 6 and grown[0]["ev"] == "send", grown
    assert os.listdir(d) == []
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 130, (p.returncode, err)
    assert "Interrupted at" in out, out
    assert out.startswith("The trace grows in %s/trace.jsonl until the run ends.\n" % staging), out
    assert not os.path.exists(staging)
    with open(os.path.join(d, "summary.json")) as f:
        sm = json.load(f)
    assert 1000 <= sm["virtual_time_s"] <= 4000, sm["virtual_time_s"]
    # The tuned client's probes every 300.004 s so far, all in the trace.
    tr = trace(d)
    assert len(tr) >= len(grown)
    assert all(e["t"] <= sm["virtual_time_s"] for e in tr)
    probes = [e for e in tr if e["ev"] == "send" and e.get("kind") == "keepalive"]
    assert len(probes) == int(sm["virtual_time_s"] // 300.004), (len(probes), sm)


@ks_tap.test
def pace_zero_and_negative_refused_alike():
    for v in ("0", "-5"):
        d = tmpdir()
        r = subprocess.run([KASIM, "run", THREE, "--pace", v, "--out", d],
                           capture_output=True, text=True)
        assert r.returncode == 2, (v, r.returncode)
        assert r.stderr.startswith("kasim run: --pace %s: must be a number above 0" % v), r.stderr
        assert r.stderr.count("\n") == 1
        assert not os.listdir(d)


def pty_read(fd, seconds):
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out.decode("utf-8", "replace")


def status_clocks(text):
    return re.findall(r"\r\033\[K(?:PAUSED|  >>  ) (.*?) of ", text)


@ks_tap.test
def keys_on_a_terminal():
    d = tmpdir()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(KASIM, [KASIM, "run", NAT, "--pace", "10", "--out", d])
    # The handshake, then nothing until the tuned client's probe at
    # 300.004 s: 30 s of wall time at 10x, unless skipped.
    text = pty_read(fd, 1.5)
    assert "sends handshake" in text, text
    clocks = status_clocks(text)
    assert len(set(clocks)) >= 3, clocks  # the clock runs through the idle stretch
    assert "[space] pause" in text
    os.write(fd, b"s")
    text = pty_read(fd, 1.5)
    assert "300.004 s  conn 1     client (client) sends keep-alive probe" in text, text
    os.write(fd, b" ")
    text = pty_read(fd, 0.5)
    paused = pty_read(fd, 1.0)
    assert "PAUSED" in paused, paused
    assert len(set(status_clocks(paused))) == 1, status_clocks(paused)  # stands still
    os.write(fd, b"q")
    text = pty_read(fd, 3)
    _, st = os.waitpid(pid, 0)
    assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 130, st
    assert "Interrupted at" in text, text
    assert os.path.exists(os.path.join(d, "summary.json"))


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=TMP))
