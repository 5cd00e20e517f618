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

A folder holding folders of the user's is swapped whole too, its folders
kept as the same files.  A symbolic link is followed.  A folder that
cannot be replaced whole (the current folder, one whose parent the user
cannot write) is refused unless --in-place is given; then the files are
renamed one by one, summary.json last, and each file under a final name
must still be one run's complete file, and summary.json, when there, must
stand beside files of its own run only.  What a killed run left beside the
folder (its staging folder after the swap, the earlier folder between two
renames) is settled by the next run without losing a file of the user's.

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

import ks_tap

KASIM = os.environ["KASIM"]
TMP = tempfile.mkdtemp(prefix="kasim-kill-")

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


def kill_after(out, seed, delay, extra=()):
    p = subprocess.Popen(args(out, seed) + list(extra), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(max(delay, 0))
    p.send_signal(signal.SIGKILL)
    return p.wait()


def earlier_run(name):
    """A folder TMP/name/out holding the earlier run (seed 1)'s files."""
    parent = os.path.join(TMP, name)
    out = os.path.join(parent, "out")
    shutil.copytree(os.path.join(TMP, "ref-1"), out)
    return parent, out


def staging(out):
    return os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".kasim-tmp")


def leftovers(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")]


@ks_tap.test
def killed_over_an_earlier_run_leaves_one_run_whole():
    ref = reference()
    old = dict(ref[1], **{"notes.txt": NOTE})
    new = dict(ref[2], **{"notes.txt": NOTE})
    seen = []
    for i, delay in enumerate(delays()):
        parent, out = earlier_run("over-%d" % i)
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


@ks_tap.test
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


def tree(d):
    """Every file under d but the top's, by relative path: (inode, bytes)."""
    out = {}
    for root, _, names in os.walk(d):
        if root == d:
            continue
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, d)] = (os.stat(p).st_ino, f.read())
    return out


@ks_tap.test
def killed_over_a_folder_with_folders_leaves_one_run_whole():
    # The user's folders (kasim plot's pictures, say) are linked into the
    # new folder, so it is swapped whole as a flat one is.
    ref = reference()
    for i, delay in enumerate(delays()):
        parent, out = earlier_run("sub-%d" % i)
        os.makedirs(os.path.join(out, "pictures", "older"))
        for rel in ("pictures/timeline.png", "pictures/older/x.png"):
            with open(os.path.join(out, rel), "wb") as f:
                f.write(NOTE + rel.encode())
        os.chmod(os.path.join(out, "pictures"), 0o750)
        mine = tree(out)
        kill_after(out, 2, delay)
        got = files_only(out)
        assert got in (ref[1], ref[2]), (delay, "a mix", sorted(got))
        assert tree(out) == mine, (delay, "the user's folders changed")
        assert os.stat(os.path.join(out, "pictures")).st_mode & 0o777 == 0o750
        run(out, 2)
        assert files_only(out) == ref[2] and tree(out) == mine, delay
        assert leftovers(parent) == [], leftovers(parent)
        shutil.rmtree(parent)


@ks_tap.test
def in_place_every_final_name_is_whole():
    # --in-place: the files are renamed one by one, summary.json last.
    ref = reference()
    for i, delay in enumerate(delays()):
        parent, out = earlier_run("inplace-%d" % i)
        kill_after(out, 2, delay, ["--in-place"])
        got = {n: b for n, b in files_only(out).items() if not n.startswith(".")}
        for n, b in got.items():
            assert b in (ref[1].get(n), ref[2].get(n)), (delay, n, "half-written or foreign")
        s = got.get("summary.json")
        if s is not None:
            seed = 1 if s == ref[1]["summary.json"] else 2
            assert got == ref[seed], (delay, "summary.json beside another run's files")
        run(out, 2)
        assert files_only(out) == ref[2], (delay, sorted(os.listdir(out)))
        assert leftovers(out) == [], leftovers(out)
        shutil.rmtree(parent)


@ks_tap.test
def a_symbolic_link_is_followed():
    ref = reference()
    parent = os.path.join(TMP, "link")
    os.mkdir(parent)
    shutil.copytree(os.path.join(TMP, "ref-1"), os.path.join(parent, "real"))
    link = os.path.join(parent, "latest")
    os.symlink("real", link)
    run(link, 2)
    assert os.readlink(link) == "real"
    assert files(os.path.join(parent, "real")) == ref[2]
    assert sorted(os.listdir(parent)) == ["latest", "real"], os.listdir(parent)


def refused(r, why):
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert why in r.stderr and "--in-place" in r.stderr, r.stderr


@ks_tap.test
def the_current_folder_is_refused_unless_in_place():
    # Swapped, it would leave the shell in the removed earlier folder.
    ref = reference()
    out = os.path.join(TMP, "here")
    shutil.copytree(os.path.join(TMP, "ref-1"), out)
    os.mkdir(os.path.join(out, "inside"))
    for where, cwd in ((".", out), ("../../here", os.path.join(out, "inside")),
                       (out, os.path.join(out, "inside"))):
        r = subprocess.run(args(where, 2), capture_output=True, text=True, cwd=cwd)
        refused(r, "the current folder")
        assert files_only(out) == ref[1]
    r = subprocess.run(args(".", 2) + ["--in-place"], capture_output=True, cwd=out)
    assert r.returncode == 0, r.stderr
    assert files_only(out) == ref[2] and os.listdir(os.path.join(out, "inside")) == []


@ks_tap.test
def what_a_killed_run_left_is_settled():
    # Its staging folder after the swap holds the earlier folder: the
    # earlier run's files go, the user's files DIR also holds go, and what
    # only it holds (written while the files were linked) moves into DIR.
    ref = reference()
    parent = os.path.join(TMP, "left")
    out = os.path.join(parent, "out")
    shutil.copytree(os.path.join(TMP, "ref-2"), out)
    left = staging(out)
    shutil.copytree(os.path.join(TMP, "ref-1"), left)
    with open(os.path.join(out, "notes.txt"), "wb") as f:
        f.write(NOTE)
    os.link(os.path.join(out, "notes.txt"), os.path.join(left, "notes.txt"))
    os.makedirs(os.path.join(left, "pictures"))
    for rel in ("late.png", "pictures/p.png"):
        with open(os.path.join(left, rel), "wb") as f:
            f.write(rel.encode())
    run(out, 2)
    want = dict(ref[2], **{"notes.txt": NOTE, "late.png": b"late.png"})
    assert files_only(out) == want, sorted(files_only(out))
    assert tree(out)["pictures/p.png"][1] == b"pictures/p.png"
    assert leftovers(parent) == [], leftovers(parent)
    # Killed between two renames (a file system without RENAME_EXCHANGE):
    # no DIR, the earlier folder aside, the new one still staged.  The
    # earlier folder comes back, and the run replaces it as ever.
    shutil.rmtree(out)
    old = os.path.join(parent, ".out.kasim-old")
    shutil.copytree(os.path.join(TMP, "ref-1"), old)
    with open(os.path.join(old, "only-mine.txt"), "wb") as f:
        f.write(NOTE)
    shutil.copytree(os.path.join(TMP, "ref-2"), left)
    run(out, 2)
    assert files_only(out) == dict(ref[2], **{"only-mine.txt": NOTE})
    assert leftovers(parent) == [], leftovers(parent)


def files_only(d):
    return {n: open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))
            if os.path.isfile(os.path.join(d, n))}


@ks_tap.test
def a_temporary_still_held_is_left_alone():
    # In place, the next run removes a killed run's temporaries (nobody
    # holds them) but not one that a running process holds flock()ed.
    out = os.path.join(TMP, "held")
    os.makedirs(out)
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
                                                        "cable-pull.yaml"),
                            "--out", out, "--in-place"], capture_output=True)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(stale)
        assert os.path.exists(held) and os.path.exists(mine)
    finally:
        os.close(fd)
    r = subprocess.run([KASIM, "run", os.path.join(sys.argv[1], "scenarios", "cable-pull.yaml"),
                        "--out", out, "--in-place"], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(held) and os.path.exists(mine)


@ks_tap.test
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


@ks_tap.test
def a_parent_the_user_cannot_write_is_refused_unless_in_place():
    # A folder of the user's own in a folder that is not: no staging
    # folder can go beside it, so the run is refused; with --in-place the
    # files go into it.  Root may write anywhere, so the run is made as
    # nobody (skipped unless the test runs as root).
    if os.geteuid() != 0:
        raise ks_tap.SkipTest("needs root to run kasim as another user")
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
    r = subprocess.run([KASIM, "run", cable, "--out", out], capture_output=True, text=True,
                       preexec_fn=as_nobody)
    refused(r, "its parent folder takes no new folder (Permission denied)")
    assert os.listdir(out) == []
    for _ in range(2):  # a new run, then one over it
        r = subprocess.run([KASIM, "run", cable, "--out", out, "--in-place"],
                           capture_output=True, text=True, preexec_fn=as_nobody)
        assert r.returncode == 0, r.stderr
        assert sorted(os.listdir(out)) == ["connections.csv", "summary.json", "trace.jsonl"], \
            os.listdir(out)
    assert os.listdir(top) == ["mine"], os.listdir(top)


if __name__ == "__main__":
    sys.exit(ks_tap.run(cleanup=TMP))
