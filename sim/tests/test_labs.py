#!/usr/bin/env python3
"""test_labs.py - the labs of docs/labs/ stay right.

For each lab: run every kasim command the lab prints (its ```sh blocks and
its inline `build/sim/kasim ...` commands) from a scratch folder that looks
like the repository's top (docs/, scenarios/, build/sim/kasim), then check
each number of its "Answers" section against what those runs wrote.  Every
number in the answers must be either checked against a run here or listed
as an input or a piece of arithmetic from docs/facts.md (GIVEN below), so a
new number in a lab fails this test until it is checked.

Usage: test_labs.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import collections
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]


def setup():
    d = tempfile.mkdtemp(prefix="kasim-labs-")
    os.symlink(os.path.join(SRC, "docs"), os.path.join(d, "docs"))
    os.symlink(os.path.join(SRC, "scenarios"), os.path.join(d, "scenarios"))
    os.makedirs(os.path.join(d, "build", "sim"))
    os.symlink(KASIM, os.path.join(d, "build", "sim", "kasim"))
    return d


WORK = setup()


def sh(cmd):
    r = subprocess.run(cmd, shell=True, cwd=WORK, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (cmd, r.returncode, r.stderr))
    return r.stdout


def lab_text(name):
    with open(os.path.join(SRC, "docs", "labs", name), encoding="utf-8") as f:
        return f.read()


def commands(text):
    """The lab's kasim commands, in order: ```sh blocks (backslash lines
    joined) and inline code spans that start with build/sim/kasim."""
    out = []
    for m in re.finditer(r"```sh\n(.*?)```|`(build/sim/kasim[^`]*)`", text, re.S):
        if m.group(1):
            block = re.sub(r"\\\n\s*", " ", m.group(1))
            out += [l.strip() for l in block.splitlines() if l.strip()]
        else:
            out.append(" ".join(m.group(2).split()))
    return out


def answers(text):
    a = text[text.index("## Answers"):]
    a = re.sub(r"```.*?```", " ", a, flags=re.S)     # commands, run above
    a = re.sub(r"`[^`]*`", " ", a)                   # field names, settings
    a = re.sub(r"\]\([^)]*\)", "]", a)               # link targets
    return a


def numbers(a):
    return set(re.findall(r"\d+(?:\.\d+)?", a.replace("§", " §")))


def s(x, nd=3):
    """A number as the labs write it: at most nd decimals, no trailing 0."""
    t = ("%." + str(nd) + "f") % x
    return t.rstrip("0").rstrip(".") if "." in t else t


def load(path):
    with open(os.path.join(WORK, path)) as f:
        return json.load(f)


def trace(path, conn=None):
    with open(os.path.join(WORK, path)) as f:
        evs = [json.loads(l) for l in f]
    return [e for e in evs if conn is None or e.get("conn") == conn]


class Checker:
    def __init__(self, lab, given):
        self.text = lab_text(lab)
        self.ans = answers(self.text)
        self.raw = self.text[self.text.index("## Answers"):]
        self.lab = lab
        self.checked = set()
        self.given = set(given.split())

    def eq(self, shown, actual, what):
        """`shown` is in the answers and equals `actual`."""
        shown = str(shown)
        assert shown in numbers(self.ans), "%s: %s (%s) is not in the answers" % (
            self.lab, shown, what)
        assert shown == str(actual), "%s: the answers say %s for %s, the run gives %s" % (
            self.lab, shown, what, actual)
        self.checked.add(shown)

    def word(self, w):
        assert w in self.raw, "%s: '%s' not in the answers" % (self.lab, w)

    def done(self):
        left = numbers(self.ans) - self.checked - self.given
        assert not left, "%s: numbers in the answers that nothing checks: %s" % (
            self.lab, sorted(left, key=float))


@ks_tap.test
def lab1_nat_350():
    c = Checker("nat-350.md", """1 2 3 4 5 6 7 0.004 7200 9 75 168 350 300 84 240
        350.000 27""")  # 350.000: idle 350 + one-way delay - the same delay
    for cmd in commands(c.text):
        sh(cmd)
    sm = load("out/lab1/summary.json")
    d, t = sm["connections"]
    c.eq("350.004", s(d["failure_at_s"]), "the NAT forgets the default flow")
    assert d["failure"] == "middlebox"
    c.eq("7875.004", s(d["closed_at_s"]), "default gives up")
    assert d["close_reason"] == "keepalive_timeout" and d["error"] == "ETIMEDOUT"
    c.word("ETIMEDOUT")
    c.eq("7525", s(d["closed_at_s"] - d["failure_at_s"]), "a dead connection held")
    assert d["probes_sent"] == 9
    c.eq("0", d["probes_answered"], "default's answered probes")
    probes = [e for e in trace("out/lab1/trace.jsonl", 0)
              if e["ev"] == "send" and e.get("kind") == "keepalive"]
    c.eq("7200.004", s(probes[0]["t"]), "first probe")
    c.eq("7275.004", s(probes[1]["t"]), "second probe")
    c.eq("7800.004", s(probes[-1]["t"]), "last probe")
    drops = [e for e in trace("out/lab1/trace.jsonl", 0) if e["ev"] == "drop"]
    assert len(drops) == 10 and all(e["what"] == "middlebox" for e in drops), drops
    c.eq("26", t["probes_sent"], "tuned probes")
    assert t["probes_answered"] == 26 and t["closed_at_s"] is None
    c.eq("8100", s(sm["virtual_time_s"]), "the run's length")
    tp = [e["t"] for e in trace("out/lab1/trace.jsonl", 1)
          if e["ev"] == "send" and e.get("kind") == "keepalive"]
    c.eq("300.004", s(tp[1] - tp[0]), "tuned probe period")
    c.eq("26.9996", "%.4f" % (sm["virtual_time_s"] / (tp[1] - tp[0])), "8100 / period")
    # Step 5, for the two values the answer names.
    for n in (349, 350):
        sh("build/sim/kasim run scenarios/nat-aws.yaml --set TCP_KEEPIDLE=%d --out out/l1-%d"
           % (n, n))
    c.eq("349", 349 if all(x["closed_at_s"] is None for x in
                           load("out/l1-349/summary.json")["connections"]) else None,
         "largest idle that survives")
    closes = {s(x["closed_at_s"]) for x in load("out/l1-350/summary.json")["connections"]}
    c.eq("1025.004", closes.pop(), "both die at idle 350")
    assert not closes
    cap = sh("build/sim/kasim capacity -n 1 -p linux --set net.ipv4.tcp_keepalive_time=350")
    m = re.search(r"per probe and per ACK: (\d+) and (\d+) octets", cap)
    c.eq("84", m.group(1), "probe on the wire")
    c.eq("168", int(m.group(1)) + int(m.group(2)), "probe and ACK")
    c.eq("0.48", re.search(r"bytes/s on the wire\s+([\d.]+)", cap).group(1), "octets/s")
    az = load("out/lab1-azure/summary.json")["connections"][0]
    assert az["close_reason"] == "reset_by_peer" and az["error"] == "WSAECONNRESET"
    c.word("WSAECONNRESET")
    c.eq("240", s(az["failure_at_s"], 0), "Azure forgets")
    c.eq("5", s((az["closed_at_s"] - az["failure_at_s"]) * 1000), "Azure latency in ms")
    c.done()


@ks_tap.test
def lab2_detection_times():
    c = Checker("detection-times.md", """1 2 3 4 5 6 7200 9 75 10 90 60 30 45 50 55 20 10054
        0 170359""")  # 0: the registry values set; KB170359
    for cmd in commands(c.text):
        sh(cmd)
    xp, vista, tux = load("out/lab2/summary.json")["connections"]
    for x in (xp, vista, tux):
        c.eq("0.020", "%.3f" % x["last_rx_s"], "last receive")
        assert x["failure_at_s"] == 600
    c.eq("7205.02", s(xp["closed_at_s"]), "XP")
    c.eq("7210.02", s(vista["closed_at_s"]), "Vista")
    c.eq("7875.02", s(tux["closed_at_s"]), "Linux")
    assert (xp["error"], vista["error"], tux["error"]) == ("WSAENETRESET",) * 2 + ("ETIMEDOUT",)
    c.eq("10052", 10052, "WSAENETRESET, facts §1")
    c.eq("600", s(xp["failure_at_s"]), "the cut")
    c.eq("6605.02", s(xp["closed_at_s"] - 600), "XP after the cut")
    c.eq("6610.02", s(vista["closed_at_s"] - 600), "Vista after the cut")
    c.eq("7275.02", s(tux["closed_at_s"] - 600), "Linux after the cut")
    c.eq("675", s(tux["closed_at_s"] - tux["last_rx_s"] - 7200), "Linux's probing")
    xp60, vista60, _ = load("out/lab2-60/summary.json")["connections"]
    c.eq("605.2", s(xp60["closed_at_s"]), "XP, idle 60 s")
    c.eq("610.2", s(vista60["closed_at_s"]), "Vista, idle 60 s")
    c.eq("540.2", s(xp60["last_rx_s"]), "last receive before the cut")
    first = [e for e in trace("out/lab2-60/trace.jsonl", 0)
             if e["ev"] == "send" and e.get("kind") == "keepalive" and e["t"] > 600]
    c.eq("600.2", s(first[0]["t"]), "the probe into the cut")
    c.eq("5.2", s(xp60["closed_at_s"] - 600), "XP detection")
    c.eq("10.2", s(vista60["closed_at_s"] - 600), "Vista detection")
    xp0 = load("out/lab2-0/summary.json")["connections"][0]
    assert xp0["closed_at_s"] is None and xp0["probes_sent"] == 0
    assert "1 of 1 alive" in sh("build/sim/kasim run docs/labs/three-systems.yaml "
                                "--set TcpMaxDataRetransmissions=0 "
                                "--set PPTPTcpMaxDataRetransmissions=0 --out out/lab2-0")
    assert "NEVER detected" in sh("build/sim/kasim explain --profile windows-xp "
                                  "--set TcpMaxDataRetransmissions=0 "
                                  "--set PPTPTcpMaxDataRetransmissions=0")
    q5 = load("out/lab2-q5/summary.json")["connections"]
    for x, at in zip(q5, ("635.28", "640.28", "620.4")):
        c.eq(at, s(x["closed_at_s"]), x["group"] + " with per-group settings")
        c.eq(s(float(at) - 600), s(x["closed_at_s"] - 600), x["group"] + " after the cut")
    c.done()


@ks_tap.test
def lab3_lossy_false_positives():
    c = Checker("lossy-false-positives.md", """1 2 3 4 5 9 10 13 0.5 0.25 0.75 0.42 0.01
        1.01 3.01 7.01 15.01 50 37.5 28 21 16 12 14 20 23 30 0.24 0.075 137 0.19 3.6 200 100
        8 7 60""")
    for cmd in commands(c.text):
        sh(cmd)
    for k, seed_line in (("3", None), ("5", "60 55 50"), ("9", "11 6 11")):
        if k == "3":
            continue
        for seed in (1, 2, 3):
            sh("build/sim/kasim run scenarios/lossy-link.yaml --seed %d --set TCP_KEEPCNT=%s "
               "--out out/lab3-%s-%d" % (seed, k, k, seed))
        got = [load("out/lab3-%s-%d/summary.json" % (k, seed))["totals"]["closed"]
               for seed in (1, 2, 3)]
        for shown, g in zip(seed_line.split(), got):
            c.eq(shown, g, "deaths with %s probes" % k)
    at13 = []
    for seed, dead in zip((1, 2, 3), ("92", "101", "91")):
        sm = load("out/lab3-%d/summary.json" % seed)
        tot = sm["totals"]
        c.eq(dead, tot["closed"], "deaths, seed %d" % seed)
        assert tot["false_giveups"] == tot["closed"] and tot["failed"] == 0
        assert all(x["error"] in (None, "ETIMEDOUT") for x in sm["connections"])
        at13.append(sum(1 for x in sm["connections"]
                        if x["closed_at_s"] is not None and x["closed_at_s"] < 13.5))
        # Handshakes complete only at the SYN's retries: 0, 1, 3, 7, 15 s + 10 ms.
        hs = {s(e["t"]) for e in trace("out/lab3-%d/trace.jsonl" % seed)
              if e["ev"] == "deliver" and e.get("flags") == "SYN+ACK"}
        assert hs <= {"0.01", "1.01", "3.01", "7.01", "15.01"}, hs
    for shown, g in zip(("19", "23", "21"), at13):
        c.eq(shown, g, "deaths at 13 s")
    c.eq("47", round(200 * 0.75 ** 5), "still connecting (arithmetic)")
    # Question 3: the drawn connection is the first false give-up.
    sm = load("out/lab3-1/summary.json")
    drawn = min(x["id"] for x in sm["connections"] if x["false_giveup"])
    c.eq("0", drawn, "the connection plot draws")
    tr = trace("out/lab3-1/trace.jsonl", 0)
    syn_lost = [e for e in tr if e["ev"] == "drop" and e.get("flags") == "SYN"]
    assert len(syn_lost) == 2, syn_lost
    c.word("first two SYNs are lost")
    hs = [e for e in tr if e["ev"] == "deliver" and e.get("flags") == "SYN+ACK"]
    c.eq("3.01", s(hs[0]["t"]), "handshake completes")
    ack = [e for e in tr if e.get("kind") == "handshake" and e.get("flags") == "ACK"]
    assert [e["ev"] for e in ack] == ["send", "drop"], ack
    c.word("its last ACK is lost")
    ka = [e for e in tr if e.get("kind") == "keepalive" and e["ev"] != "send"]
    for shown, e in zip(("13.01", "14.01", "15.01"), ka):
        c.eq(shown, s(e["t"]), "a probe")
    assert [e["ev"] for e in ka] == ["drop", "drop", "drop"], ka
    assert not [e for e in tr if e.get("kind") == "keepalive_ack"]
    close = [e for e in tr if e["ev"] == "close" and e["host"] == 0][0]
    c.eq("16.01", s(close["t"]), "the client gives up")
    assert [e for e in tr if e["ev"] == "deliver" and e.get("kind") == "rst"]
    # It reached the server still in SYN-RECEIVED, which takes the RST.
    assert [e["what"] for e in tr if e["ev"] == "close" and e["host"] == 1] == ["reset_by_peer"]
    # Question 5: the sweep of step 4.
    cells = collections.defaultdict(list)
    for cell in load("out/lab3-sweep/sweep.json")["cells"]:
        p = cell["params"]
        cells[(p["TCP_KEEPIDLE"], p["TCP_KEEPCNT"])].append(cell["metrics"])
    m102, m105, m605 = cells[("10", "2")], cells[("10", "5")], cells[("60", "5")]
    for shown, m in zip(("18.6", "19.8", "18.3"), m102):
        c.eq(shown, "%.1f" % m["latency_max_s"], "10 s / 2 probes, latest detection")
    assert max(m["latency_max_s"] for m in m102) < 20
    for shown, m in zip(("96", "95", "98"), m102):
        c.eq(shown, m["false_giveups"], "10 s / 2 probes, false give-ups")
    for shown, m in zip(("2", "1", "3"), m105):
        c.eq(shown, m["false_giveups"], "10 s / 5 probes, false give-ups")
    c.eq("35", math.ceil(max(m["latency_max_s"] for m in m105)), "10 s / 5: within")
    # A connection's last answer before the cut falls anywhere in its 10-s
    # idle period, so its give-up comes 25 to 35 s after the cut, median 30;
    # a probe lost just before the cut moves it earlier.  About 97 detected
    # per cell put the median within about 1 s of the whole population's.
    assert all(28 <= m["latency_p50_s"] <= 30.5 for m in m105)
    c.eq("29", round(sum(m["latency_p50_s"] for m in m105) / 3), "10 s / 5: median")
    for shown, m in zip(("1494", "1515", "1523"), m105):
        c.eq(shown, round(m["probe_bytes_per_s"]), "10 s / 5 probes, octets/s")
    c.eq("1.5", "%.1f" % (sum(m["probe_bytes_per_s"] for m in m105) / 3000), "kB/s")
    for shown, m in zip(("1", "0", "1"), m605):
        c.eq(shown, m["false_giveups"], "60 s / 5 probes, false give-ups")
    c.eq("85", math.ceil(max(m["latency_max_s"] for m in m605)), "60 s / 5: within")
    c.eq("57", round(min(m["latency_p50_s"] for m in m605)), "60 s / 5: median from")
    c.eq("61", round(max(m["latency_p50_s"] for m in m605)), "60 s / 5: median to")
    c.eq("287", round(min(m["probe_bytes_per_s"] for m in m605)), "60 s / 5: octets/s from")
    c.eq("291", round(max(m["probe_bytes_per_s"] for m in m605)), "60 s / 5: octets/s to")
    ratio = sum(m["probe_bytes_per_s"] for m in m605) / sum(m["probe_bytes_per_s"] for m in m105)
    assert 0.17 < ratio < 0.23, ratio  # "a fifth as much"
    c.done()


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=WORK))
