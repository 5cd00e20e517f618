#!/usr/bin/env python3
"""test_report.py - kasim report: one self-contained HTML page (issue 21).

The page of a run (nat-aws, --pcap) and of a sweep is written, refers to
nothing on the network, and holds the run's outcome (facts §4: the default
client gives up at 0.004 + 7200 + 9 x 75 = 7875.004 s), links to both
captures and explain's text.  Headless Chromium (Debian's `chromium`)
renders it: the script runs to its end without an error, draws one mark per
segment of the connection, a screenshot is taken and is not blank (the
probes' orange is in it), and it prints to PDF.  Bad input: exit 2.

Usage: test_report.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import ks_tap

SRC = os.path.abspath(sys.argv[1])
KASIM = os.environ["KASIM"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def kasim(*args):
    return subprocess.run([KASIM] + list(args), capture_output=True, text=True)


def run_dir():
    d = tempfile.mkdtemp(prefix="kasim-report-")
    r = kasim("run", os.path.join(SRC, "scenarios", "nat-aws.yaml"), "--pcap", "--out", d)
    assert r.returncode == 0, r.stderr
    r = kasim("report", d)
    assert r.returncode == 0, r.stderr
    assert r.stdout == os.path.join(d, "report.html") + "\n", r.stdout
    return d


def chromium(*args):
    r = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--enable-logging=stderr", "--v=0"] + list(args),
                       capture_output=True, text=True, timeout=120)
    return r


def png_pixels(path):
    """Width, height and rows of RGB(A) bytes of an 8-bit PNG, unfiltered."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev, stride = zlib.decompress(idat), [], bytearray(w * bpp), w * bpp
    for y in range(h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


@ks_tap.test
def page_content_offline():
    d = run_dir()
    with open(os.path.join(d, "report.html"), encoding="utf-8") as f:
        page = f.read()
    # Nothing fetched at view time: no external script, style, image or font.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "a network reference"
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "closed at 7875.004 s by keepalive_timeout (ETIMEDOUT)" in page
    assert "<td class=\"n\">26 / 26</td>" in page  # tuned: 8100 / 300.004 -> 26 probes
    assert '<a href="capture.pcap">' in page and '<a href="capture-server.pcap">' in page
    assert "<h3>linux</h3>" in page and "7875 s  give up: keepalive_timeout" in page
    data = json.loads(re.search(r'<script type="application/json" id="kasim-data">(.*?)</script>',
                                page, re.S).group(1))
    with open(os.path.join(d, "trace.jsonl")) as f:
        mine = [json.loads(l) for l in f if '"conn":0,' in l or '"ev":"scenario"' in l]
    assert len(data["events"]) == len(mine)
    shutil.rmtree(d)


@ks_tap.test
def renders_in_chromium():
    if CHROMIUM is None:
        raise ks_tap.SkipTest("chromium is not installed (scripts/install-deps installs it)")
    d = run_dir()
    url = "file://" + os.path.join(d, "report.html")
    r = chromium("--dump-dom", url)
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    assert re.search(r'<body[^>]*data-ready="yes"', dom), "the script did not run to its end"
    assert re.search(r'<pre id="errors" hidden="">\s*</pre>', dom), "script errors"
    assert "Uncaught" not in r.stderr, r.stderr[-2000:]
    with open(os.path.join(d, "trace.jsonl")) as f:
        sends = sum(1 for l in f if '"conn":0,' in l and '"ev":"send"' in l)
    # The handshake (3), 9 probes (facts §4) and the RST at give-up.
    assert dom.count('class="seg"') == sends == 3 + 9 + 1, (dom.count('class="seg"'), sends)
    shot = os.path.join(d, "shot.png")
    r = chromium("--window-size=1200,1400", "--screenshot=" + shot, url)
    assert r.returncode == 0 and os.path.exists(shot), r.stderr[-2000:]
    w, h, bpp, rows = png_pixels(shot)
    assert (w, h) == (1200, 1400), (w, h)
    inked = orange = 0
    for row in rows:
        for i in range(0, len(row), bpp):
            px = row[i:i + 3]
            if px != b"\xff\xff\xff":
                inked += 1
            if abs(px[0] - 0xe6) + abs(px[1] - 0x61) + abs(px[2]) < 40:
                orange += 1
    assert inked > w * h * 0.03, inked  # text, tables, the timeline
    assert orange > 100, orange         # the probes on the timeline
    pdf = os.path.join(d, "report.pdf")
    r = chromium("--print-to-pdf=" + pdf, "--no-pdf-header-footer", url)
    with open(pdf, "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert os.path.getsize(pdf) > 20000
    shutil.rmtree(d)


@ks_tap.test
def sweep_page():
    d = tempfile.mkdtemp(prefix="kasim-report-")
    r = kasim("sweep", os.path.join(SRC, "scenarios", "nat-aws.yaml"), "--grid",
              "TCP_KEEPIDLE=300,400", "--seeds", "1", "--out", d)
    assert r.returncode == 0, r.stderr
    r = kasim("report", d, "--out", os.path.join(d, "page.html"))
    assert r.returncode == 0, r.stderr
    with open(os.path.join(d, "page.html"), encoding="utf-8") as f:
        page = f.read()
    assert page.count("<tr><td>TCP_KEEPIDLE=") == 2, page[:2000]
    if CHROMIUM:
        dom = chromium("--dump-dom", "file://" + os.path.join(d, "page.html")).stdout
        assert re.search(r'<body[^>]*data-ready="yes"', dom)
    shutil.rmtree(d)


@ks_tap.test
def bad_input():
    d = tempfile.mkdtemp(prefix="kasim-report-")
    r = kasim("report", d)
    assert r.returncode == 2 and r.stdout == "", r
    assert r.stderr == "kasim report: %s: not a run or sweep folder (no summary.json or " \
                       "sweep.json)\n" % d, r.stderr
    r = kasim("report")
    assert r.returncode == 2 and r.stderr == "kasim report: a run or sweep folder is required\n"
    assert os.listdir(d) == []
    shutil.rmtree(d)


def storm_run(n, *args):
    """scenarios/many-idle-clients.yaml with n clients, half in each group;
    kasim run's stdout, which gives each group's first, median and last
    close from every connection."""
    d = tempfile.mkdtemp(prefix="kasim-report-large-")
    r = kasim("run", os.path.join(SRC, "scenarios", "many-idle-clients.yaml"), "--out", d,
              "--set", "groups.burst.count=%d" % (n // 2),
              "--set", "groups.spread.count=%d" % (n - n // 2), *args)
    assert r.returncode == 0, r.stderr
    return d, r.stdout


def closes(text, about):
    """{group: (count, first, median, last)} from kasim run's stdout or a
    report's outcome table; about: the report's binned medians' mark."""
    pat = (r"(\w+): ([\d,]+) closed by keepalive_timeout \(WSAENETRESET\), first at ([\d.]+) s, "
           r"median ([\d.]+) s, last ([\d.]+) s") if not about else \
          (r"<td>(\w+)</td><td>windows-vista</td>.*?([\d,]+) closed by keepalive_timeout "
           r"\(WSAENETRESET\): first ([\d.]+) s, median (?:&asymp; )?([\d.]+) s, last ([\d.]+) s")
    return {m.group(1): (int(m.group(2).replace(",", "")), float(m.group(3)), float(m.group(4)),
                         float(m.group(5))) for m in re.finditer(pat, text)}


def report_page(d):
    r = kasim("report", d)
    assert r.returncode == 0, r.stderr
    with open(os.path.join(d, "report.html"), encoding="utf-8") as f:
        return f.read()


@ks_tap.test
def large_runs():
    """Runs past 10,000 connections (no per-connection records in
    summary.json) and past 100,000 detections (binned latencies and close
    times): report and plot read them, say what the trace lacks instead of
    refusing, and agree with kasim run's own figures: exactly up to 100,000
    closes, within 0.01% above."""
    # 12,000 clients, the default trace level (failures: connection 0's
    # events from its first lost probe on).
    d, out = storm_run(12000)
    page = report_page(d)
    assert "12,000 connections" in page
    want, got = closes(out, False), closes(page, True)
    assert set(want) == {"burst", "spread"} and got == want, (want, got)
    assert "&asymp;" not in page
    assert "first sign of trouble on only" in page and "Not drawn" not in page
    data = json.loads(re.search(r'<script type="application/json" id="kasim-data">(.*?)</script>',
                                page, re.S).group(1))
    with open(os.path.join(d, "trace.jsonl")) as f:
        mine = [l for l in f if '"conn":0,' in l or '"ev":"scenario"' in l]
    assert len(data["events"]) == len(mine) > 10, (len(data["events"]), len(mine))
    if CHROMIUM:
        dom = chromium("--dump-dom", "file://" + os.path.join(d, "report.html")).stdout
        assert re.search(r'<body[^>]*data-ready="yes"', dom)
        # Its 10 probes (facts §2) and the RST at give-up, the first probe
        # drawn from its drop: its send is before the first sign of trouble.
        assert dom.count('class="seg"') == 10 + 1, dom.count('class="seg"')
    r = kasim("plot", d)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    for name in ("timeline", "latency-cdf", "overhead"):
        for ext in ("png", "svg"):
            assert os.path.getsize(os.path.join(d, name + "." + ext)) > 1000, name
    shutil.rmtree(d)

    # No trace at all: the page and plot say what is missing and how to
    # get it; asked for by --conn, the timeline is an error.
    d, _ = storm_run(12000, "--trace", "none")
    page = report_page(d)
    assert "Not drawn: " in page and "(--trace none); run it again with --trace conn=0" in page
    assert 'id="tl-box"' not in page and "How long until a failure is noticed" in page
    r = kasim("plot", d)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("kasim plot: timeline not drawn: ") and \
        "--trace conn=0" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(d, "timeline.png"))
    assert os.path.exists(os.path.join(d, "latency-cdf.png"))
    before = sorted(os.listdir(d))
    r = kasim("plot", d, "--conn", "3", "--out", os.path.join(d, "p"))
    assert r.returncode == 2 and "--trace conn=3" in r.stderr, r
    assert sorted(os.listdir(d)) == before
    shutil.rmtree(d)

    # 120,000 clients: every latency and close time past the exact limit.
    d, out = storm_run(120000, "--trace", "none")
    page = report_page(d)
    want, got = closes(out, False), closes(page, True)
    assert set(got) == {"burst", "spread"}, got
    for g in want:
        (n, first, med, last), (n2, first2, med2, last2) = want[g], got[g]
        assert (n, first, last) == (n2, first2, last2), (want[g], got[g])
        place = 10 ** math.ceil(math.log10(med * 1e-4))  # the digits the page keeps
        assert abs(med2 - med) <= med * 1e-4 + place / 2, (g, med, med2)
    assert "median &asymp; " in page and "more than 100,000 closes" in page
    r = kasim("plot", d)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(os.path.join(d, "latency-cdf.png")) > 1000
    r = kasim("capacity", "--connections", "1000000", "--run", d)
    assert r.returncode == 0 and "120000 connections" in r.stdout, r
    shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(ks_tap.run())
