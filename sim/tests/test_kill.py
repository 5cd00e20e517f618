#!/usr/bin/env python3
"""test_kill.py - a run killed at any moment (SIGKILL) leaves its folder
with the previous run's complete files or the new run's, never a mix and
never a half-written file under a final name (issue 20; ks_outdir.h).

A run of 10,000 connections with --pcap and a full trace (47 MB of files,
half a second here) is killed after a range of delays, from its first
milliseconds to the moment it renames its files, each time into a folder
holding an earlier complete run of another seed (and a file of the user's,
which must survive).  Every outcome is compared, file by file and byte by
byte, with reference runs of both seeds: a run is deterministic, so "the
new run's complete files" is a fixed set of bytes.  Then the next run into
the folder must succeed and leave no staging folder or temporary behind.

Where the folder cannot be swapped whole (it holds a subfolder), files are
renamed one by one, summary.json last: then each file under a final name
must still be one run's complete file, and summary.json, when there, must
stand beside files of its own run only.

Usage: test_kill.py SOURCE_ROOT  (KASIM in the environment).  TAP output.
"""
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KASIM = os.environ["KASIM"]
TMP = tempfile.mkdtemp(prefix="kasim-kill-")
tests = []

SCENARIO = """name: kill-me
duration: 3h
hosts:
  a: {profile: windows-vista}
  b: {profile: windows-vista}
  server: {profile: linux, settings: {hz: 0}}
links:
  cut: {between: [a, server], delay: 10ms, bandwidth: 1Gbit}
  ok: {between: [b, server], delay: 10ms, bandwidth: 1Gbit}
groups:
  - {name: cut, count: 5000, client: a, server: server, connect_spread: 10m}
  - {name: fine, count: 5000, client: b, server: server, connect_spread: 10m}
timeline:
  - {at: 1h, link_down: cut}
"""
SCEN = os.path.join(TMP, "kill-me.yaml")
with open(SCEN, "w") as f:
    f.write(SCENARIO)

NOTE = b"the user's own notes, beside the run\n"


def test(fn):
    tests.append(fn)
    return fn


def args(out, seed):
    return [KASIM, "run", SCEN, "--out", out, "--pcap", "--trace", "all", "--seed", str(seed)]


def run(out, seed):
    r = subprocess.run(args(out, seed), capture_output=True)
    assert r.returncode == 0, r.stderr


def files(d):
    """A folder's files, by name, with their bytes."""
    out = {}
    for n in sorted(os.listdir(d)):
        with open(os.path.join(d, n), "rb") as f:
            out[n] = f.read()
    return out


REF = {}


def reference():
    """The complete files of seed 1 (the earlier run) and seed 2 (the new
    one), and how long a run of seed 2 takes."""
    if not REF:
        for seed in (1, 2):
            d = os.path.join(TMP, "ref-%d" % seed)
            t = time.monotonic()
            run(d, seed)
            REF["time"] = time.monotonic() - t
            REF[seed] = files(d)
        assert REF[1]["summary.json"] != REF[2]["summary.json"]
        assert len(REF[2]) == 5, sorted(REF[2])
    return REF


def delays():
    """From the first milliseconds to the end of the run, densest where it
    renames its files."""
    t = reference()["time"]
    return [0.01, 0.05, 0.2 * t, 0.5 * t, 0.8 * t, t - 0.1, t - 0.04, t - 0.02, t - 0.01,
            t - 0.005, t, t + 0.01]


def kill_after(out, seed, delay):
    p = subprocess.Popen(args(out, seed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(max(delay, 0))
    p.send_signal(signal.SIGKILL)
    return p.wait()


def staging(out):
    return os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".kasim-tmp")


def leftovers(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")]


@test
def killed_over_an_earlier_run_leaves_one_run_whole():
    ref = reference()
    old = dict(ref[1], **{"notes.txt": NOTE})
    new = dict(ref[2], **{"notes.txt": NOTE})
    seen = []
    for i, delay in enumerate(delays()):
        parent = os.path.join(TMP, "over-%d" % i)
        out = os.path.join(parent, "out")
        shutil.copytree(os.path.join(TMP, "ref-1"), out)
        with open(os.path.join(out, "notes.txt"), "wb") as f:
            f.write(NOTE)
        status = kill_after(out, 2, delay)
        got = files(out)
        which = "old" if got == old else "new" if got == new else None
        assert which, "killed after %.3f s (status %d): a mix: %s" % (
            delay, status, {n: (n in old and got[n] == old[n], n in new and got[n] == new[n])
                            for n in got})
        seen.append((round(delay, 3), which))
        # The next run completes, over whatever was left, and leaves no
        # staging folder or temporary.
        run(out, 2)
        assert files(out) == new
        assert leftovers(parent) == [] and leftovers(out) == [], (leftovers(parent),
                                                                 leftovers(out))
        shutil.rmtree(parent)
    print("# outcomes by delay: %s" % seen)


@test
def killed_into_a_new_folder_leaves_none_or_all():
    ref = reference()
    for i, delay in enumerate(delays()[::2]):
        parent = os.path.join(TMP, "fresh-%d" % i)
        os.mkdir(parent)
        out = os.path.join(parent, "out")
        kill_after(out, 2, delay)
        assert not os.path.exists(out) or files(out) == ref[2], (delay, os.listdir(out))
        # A killed run's staging folder holds temporaries only.
        if os.path.exists(staging(out)):
            for n in os.listdir(staging(out)):
                assert n.startswith(".") or n in ref[2], n
        run(out, 2)
        assert files(out) == ref[2] and leftovers(parent) == [], leftovers(parent)
        shutil.rmtree(parent)


@test
def in_place_every_final_name_is_whole():
    # A subfolder (say, kasim plot's pictures) makes the folder
    # unswappable: the files are renamed one by one, summary.json last.
    ref = reference()
    for i, delay in enumerate(delays()):
        parent = os.path.join(TMP, "inplace-%d" % i)
        out = os.path.join(parent, "out")
        shutil.copytree(os.path.join(TMP, "ref-1"), out)
        os.mkdir(os.path.join(out, "pictures"))
        kill_after(out, 2, delay)
        got = {n: b for n, b in files_only(out).items() if not n.startswith(".")}
        for n, b in got.items():
            assert b in (ref[1].get(n), ref[2].get(n)), (delay, n, "half-written or foreign")
        s = got.get("summary.json")
        if s is not None:
            seed = 1 if s == ref[1]["summary.json"] else 2
            assert got == ref[seed], (delay, "summary.json beside another run's files")
        run(out, 2)
        assert files_only(out) == ref[2], (delay, sorted(os.listdir(out)))
        shutil.rmtree(parent)


def files_only(d):
    return {n: open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))
            if os.path.isfile(os.path.join(d, n))}


@test
def a_temporary_still_held_is_left_alone():
    # In place, the next run removes a killed run's temporaries (nobody
    # holds them) but not one that a running process holds flock()ed.
    out = os.path.join(TMP, "held")
    os.makedirs(os.path.join(out, "pictures"))
    stale = os.path.join(out, ".summary.json.Ab12Cd")
    held = os.path.join(out, ".trace.jsonl.Xy34Zw")
    mine = os.path.join(out, ".notes.txt.Ab12Cd")  # not a run's: never touched
    for p in (stale, held, mine):
        with open(p, "wb") as f:
            f.write(b"partial")
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        r = subprocess.run([KASIM, "run", os.path.join(sys.argv[1], "scenarios",
                                                        "cable-pull.yaml"), "--out", out],
                           capture_output=True)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(stale)
        assert os.path.exists(held) and os.path.exists(mine)
    finally:
        os.close(fd)
    r = subprocess.run([KASIM, "run", os.path.join(sys.argv[1], "scenarios", "cable-pull.yaml"),
                        "--out", out], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(held) and os.path.exists(mine)


@test
def a_second_run_into_a_busy_folder_is_refused():
    reference()
    out = os.path.join(TMP, "busy")
    p = subprocess.Popen(args(out, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            if os.path.exists(staging(out)):
                break
            time.sleep(0.005)
        r = subprocess.run([KASIM, "run", SCEN, "--out", out], capture_output=True, text=True)
        still = p.poll() is None
    finally:
        p.wait()
    # Unless the first run was over before the second started (then there
    # is nothing to test), the second is refused and the first completes.
    assert still or r.returncode == 0, r.stderr
    if still:
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert "another kasim run is writing this folder" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert files(out) == reference()[2]
    else:
        print("# the first run ended before the second started: not tested")


@test
def a_parent_the_user_cannot_write_is_fine():
    # A folder of the user's own in a folder that is not: no staging
    # folder can go beside it, so the files go into it, in place.  Root
    # may write anywhere, so the run is made as nobody (skipped unless
    # the test runs as root).
    if os.geteuid() != 0:
        print("# skipped: needs root to run kasim as another user")
        return
    top = os.path.join(TMP, "shared")
    out = os.path.join(top, "mine")
    os.makedirs(out)
    for d in (TMP, top):
        os.chmod(d, 0o755)
    os.chown(out, 65534, 65534)
    os.chmod(SCEN, 0o644)
    cable = os.path.join(sys.argv[1], "scenarios", "cable-pull.yaml")

    def as_nobody():
        os.setgid(65534)
        os.setuid(65534)
    for _ in range(2):  # a new run, then one over it
        r = subprocess.run([KASIM, "run", cable, "--out", out], capture_output=True, text=True,
                           preexec_fn=as_nobody)
        assert r.returncode == 0, r.stderr
        assert sorted(os.listdir(out)) == ["connections.csv", "summary.json", "trace.jsonl"], \
            os.listdir(out)
    assert os.listdir(top) == ["mine"], os.listdir(top)


def main():
    print("1..%d" % len(tests))
    failed = 0
    for i, fn in enumerate(tests, 1):
        try:
            fn()
            print("ok %d %s" % (i, fn.__name__))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed += 1
            print("not ok %d %s" % (i, fn.__name__))
            for line in (str(e) or repr(e)).splitlines()[:30]:
                print("# " + line)
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
