#!/usr/bin/env python3
"""test_capacity_cli.py - kasim capacity that cannot mislead (issue 20).

--run takes the run's keep-alive settings, or refuses settings that
differ, naming the difference; --middlebox PRESET / --idle-timeout DUR warn
when keep-alive waits longer than the middlebox remembers; --json.

Numbers from docs/facts.md: Windows Vista's KeepAliveInterval 1 s and 10
probes (§2), KeepAliveTime set here to 300 s (300000 ms); AWS NAT gateway's
idle timeout 350 s (§6).  Closed form (docs/tuning.md): probes/s = N / idle
= 1000 / 300; worst detection = idle + count x interval = 300 + 10 = 310 s.

Usage: test_capacity_cli.py SOURCE_ROOT  (KASIM in the environment).  TAP.
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
RUN = None


def kasim(*args):
    return subprocess.run([KASIM] + list(args), capture_output=True, text=True)


def run_300():
    global RUN
    if RUN is None:
        RUN = tempfile.mkdtemp(prefix="kasim-cap-")
        r = kasim("run", os.path.join(SRC, "scenarios", "cable-pull.yaml"), "--out", RUN,
                  "--set", "KeepAliveTime=300000")
        assert r.returncode == 0, r.stderr
    return RUN


def refused(r, says):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == "", r.stdout
    assert says in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@ks_tap.test
def run_settings_are_taken():
    r = kasim("capacity", "-n", "1000", "--run", run_300(), "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["settings_from"] == "run" and j["profile"] == "windows-vista", j
    assert j["idle_s"] == 300.0 and j["interval_s"] == 1.0 and j["count"] == 10, j
    assert j["probes_per_s"] == 1000 / 300, j
    assert j["detect_worst_s"] == 310.0, j
    assert j["run"]["connections"] == 1, j
    t = kasim("capacity", "-n", "1000", "--run", run_300())
    assert t.returncode == 0, t.stderr
    assert "Settings from the run (group clients" in t.stdout, t.stdout
    assert "idle 300 s" in t.stdout and "7200" not in t.stdout, t.stdout


@ks_tap.test
def mismatch_is_refused_with_the_difference():
    refused(kasim("capacity", "-n", "1000", "-p", "windows-vista", "--run", run_300()),
            "idle time: 7200 s asked, 300 s in the run")
    refused(kasim("capacity", "-n", "1000", "-p", "linux", "--run", run_300()),
            "profile: linux asked, the run's is windows-vista")
    refused(kasim("capacity", "-n", "1000", "-p", "windows-vista", "--set",
                  "KeepAliveTime=300000", "--set", "TcpMaxDataRetransmissions=5",
                  "--set", "KeepAliveInterval=2000", "--run", run_300()),
            "probe interval: 2 s asked, 1 s in the run")
    r = kasim("capacity", "-n", "1000", "-p", "windows-vista", "--set", "KeepAliveTime=300000",
              "--run", run_300())
    assert r.returncode == 0, r.stderr
    assert "Settings checked against the run (group clients): the same" in r.stdout, r.stdout


@ks_tap.test
def older_run_without_settings_needs_a_profile():
    d = tempfile.mkdtemp(prefix="kasim-old-")
    for f in os.listdir(run_300()):
        shutil.copy(os.path.join(run_300(), f), d)
    p = os.path.join(d, "summary.json")
    with open(p) as f:
        s = json.load(f)
    for g in s["groups"]:
        del g["keepalive"]
    with open(p, "w") as f:
        json.dump(s, f)
    refused(kasim("capacity", "-n", "1000", "--run", d), "--profile is required")
    r = kasim("capacity", "-n", "1000", "-p", "windows-vista", "--run", d)
    assert r.returncode == 0, r.stderr
    shutil.rmtree(d)


@ks_tap.test
def middlebox_warning():
    r = kasim("capacity", "-n", "1000", "-p", "windows-vista", "--set", "KeepAliveTime=360000",
              "--middlebox", "aws-nat")
    assert r.returncode == 0, r.stderr
    assert ("WARNING: keep-alive waits 360 s before its first probe, but the middlebox "
            "(aws-nat) forgets a connection idle for 350 s") in r.stdout, r.stdout
    r = kasim("capacity", "-n", "1000", "-p", "windows-vista", "--set", "KeepAliveTime=300000",
              "--middlebox", "aws-nat")
    assert r.returncode == 0 and "WARNING" not in r.stdout, r.stdout
    j = json.loads(kasim("capacity", "-n", "10", "-p", "windows-vista", "--idle-timeout", "4m",
                         "--json").stdout)
    assert j["middlebox_idle_timeout_s"] == 240.0, j
    assert "waits 7200 s" in j["warning"], j
    j = json.loads(kasim("capacity", "-n", "10", "-p", "windows-vista", "--json").stdout)
    assert j["middlebox_idle_timeout_s"] is None and j["warning"] is None, j


@ks_tap.test
def bad_input_exits_2_with_one_line():
    refused(kasim("capacity", "-n", "10", "-p", "linux", "--middlebox", "nope"),
            "--middlebox nope: not a preset (presets: aws-nat,")
    refused(kasim("capacity", "-n", "10", "-p", "linux", "--idle-timeout", "0s"),
            "--idle-timeout 0s: not a duration above 0")
    refused(kasim("capacity", "-n", "10", "-p", "linux", "--middlebox", "aws-nat",
                  "--idle-timeout", "5m"), "give one")
    d = tempfile.mkdtemp(prefix="kasim-plot-")
    out = os.path.join(d, "plot")
    refused(kasim("capacity", "-n", "1000", "-p", "windows-vista", "--run", run_300(),
                  "--plot", out), "idle time: 7200 s asked")
    assert not os.path.exists(out)
    shutil.rmtree(d)


# peer-reboot's Windows group alone (scenarios/peer-reboot.yaml): the server
# reboots at 5 min; the probe at 900 s is answered with an RST.
REBOOT = """name: reboot-one
duration: 20m
hosts:
  vista: {profile: windows-vista}
  server: {profile: linux, settings: {hz: 0}}
links:
  vista-link: {between: [vista, server], delay: 10ms}
groups:
  - {name: windows, count: 3, client: vista, server: server,
     sockopts: {SIO_KEEPALIVE_VALS: [1, 900000, 1000]}}
timeline:
  - {at: 5m, peer_reboot: server}
"""


@ks_tap.test
def explanations_come_from_the_run():
    d = tempfile.mkdtemp(prefix="kasim-rb-")
    y = os.path.join(d, "reboot.yaml")
    with open(y, "w") as f:
        f.write(REBOOT)
    out = os.path.join(d, "out")
    r = kasim("run", y, "--out", out)
    assert r.returncode == 0, r.stderr
    r = kasim("capacity", "-n", "1000", "--run", out)
    assert r.returncode == 0, r.stderr
    # Reset, not ten unanswered probes: the canned text said the latter.
    assert "3 connections were reset: a segment (a probe) was answered with an RST" in r.stdout, \
        r.stdout
    assert "gave up on keep-alive" not in r.stdout, r.stdout
    # The three connections opened together at 0 s and die in one second.
    assert "3 give-ups came over 1 second" in r.stdout, r.stdout
    assert "all in one second, so their phases were aligned" in r.stdout, r.stdout
    # cable-pull: one connection, its 10 probes unanswered.
    r = kasim("capacity", "-n", "1000", "--run", run_300())
    assert "1 connection gave up on keep-alive: after the failure each sent its 10 probes 1 s" \
        in r.stdout, r.stdout
    assert "was reset" not in r.stdout and "were reset" not in r.stdout, r.stdout
    shutil.rmtree(d)


@ks_tap.test
def reboot_closed_form_against_the_run():
    """scenarios/reboot-behind-nat.yaml: 10,000 Vista clients, KeepAliveTime
    300 s, phases spread over one idle period, the server rebooted at 30 min.
    A rebooted host answers a probe for a connection it no longer has with an
    RST (RFC 9293 3.10.7.1), so each client is reset at its next probe:
    closed form idle - u after a reboot u s past the last receive, worst
    idle = 300 s, best 0, mean 150 s, N / idle = 33.3 reconnects a second
    for 300 s; not the silent peer's 10 s to 310 s (idle + 10 x 1 s)."""
    d = tempfile.mkdtemp(prefix="kasim-rbn-")
    out = os.path.join(d, "out")
    r = kasim("run", os.path.join(SRC, "scenarios", "reboot-behind-nat.yaml"), "--out", out)
    assert r.returncode == 0, r.stderr
    r = kasim("capacity", "-n", "10000", "--run", out, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["reboot_worst_s"] == 300.0 and j["reboot_best_s"] == 0.0, j
    assert j["reboot_mean_s"] == 150.0, j
    assert j["detect_worst_s"] == 310.0 and j["detect_best_s"] == 10.0, j
    run = j["run"]
    assert run["case"] == "reboot" and run["resets"] == 10000 and run["timeouts"] == 0, run
    # The run's detections fill the reboot window: from one way (20 ms: a
    # probe already on its way reaches the server just after the reboot,
    # and its RST comes back) to idle plus a round trip (a probe due 300 s
    # after a reboot at the last receive, and its RST back).  A silent peer
    # would have given none below 10 s.
    rtt = 0.04
    assert rtt / 2 - 1e-6 <= run["latency_min_s"] < 1, run
    assert run["latency_min_s"] < j["detect_best_s"]
    assert j["reboot_worst_s"] - 1 < run["latency_max_s"] <= j["reboot_worst_s"] + rtt + 1e-6, run
    # Uniform phases: the mean of 10,000 is within 5 s of 150 s (its
    # standard error is 300 / sqrt(12 x 10,000) = 0.87 s).
    assert abs(run["latency_mean_s"] - j["reboot_mean_s"]) < 5, run
    # The give-ups (reconnects) spread over the 300 s window, one-second bins.
    assert 299 <= run["giveups_span_s"] <= 302, run
    t = kasim("capacity", "-n", "10000", "--run", out)
    assert t.returncode == 0, t.stderr
    assert "A rebooted peer: the first probe after the reboot is answered with an RST" in t.stdout
    assert "0 s to 300 s after it" in t.stdout and "10 s to 310 s after it" in t.stdout, t.stdout
    assert "stands beside the rebooted peer's figures" in t.stdout, t.stdout
    # The run's numbers stand on the reboot rows, not the silent ones.
    rows = [l for l in t.stdout.splitlines() if l.strip().startswith("worst-case detection")]
    assert len(rows) == 2, rows
    assert "300.0" in rows[1] and "300.0" not in rows[0].split("310 s")[1], rows
    shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=lambda: RUN))
