#!/usr/bin/env python3
"""test_shard.py - a run over several processes (issue 20).

`mpirun -np K kasim run` splits the connections over K ranks and rank 0
writes the files one process writes, byte for byte: every file of the
folder is compared with a one-process run, for K = 2 and 3, at every
--trace level and compressed, on sim/tests/data/shard-mix.yaml (loss,
spreads, traffic, both kinds of middlebox, a link failure, a crash, a
reboot, and instants whose records the writer must put in id order) and
on scenarios/lossy-link.yaml.  Whatever couples connections (a link with a
bandwidth carrying several), --pcap and the ns3 engine are refused with
exit status 2, the reason, and no folder.

Skipped, with the reason, when kasim was built without MPI or mpirun is
missing, as test_sweep's MPI test is.

Usage: test_shard.py SOURCE_ROOT mpi|nompi  (KASIM in the environment).
TAP output.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import ks_tap

SRC = os.path.abspath(sys.argv[1])
BUILT_WITH_MPI = sys.argv[2] == "mpi"
KASIM = os.environ["KASIM"]
MIX = os.path.join(SRC, "sim", "tests", "data", "shard-mix.yaml")
MPIRUN = shutil.which("mpirun")


def mpi_env():
    env = dict(os.environ)
    # Root needs these (or --allow-run-as-root); shared memory only, without
    # the cross-memory attach containers forbid (as test_sweep.c).
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    env["OMPI_MCA_btl"] = "self,vader"
    env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
    # Under AddressSanitizer: Open MPI's own leaks are suppressed, kasim's
    # are not (lsan-mpi.supp).
    supp = os.path.join(SRC, "sim", "tests", "lsan-mpi.supp")
    lsan = env.get("LSAN_OPTIONS")
    env["LSAN_OPTIONS"] = (lsan + ":" if lsan else "") + \
        "suppressions=%s:print_suppressions=0:fast_unwind_on_malloc=0" % supp
    return env


def kasim_run(k, scenario, out, *args, tmpdir=None):
    """`kasim run` in one process (k = 1) or under mpirun -np k."""
    cmd = [KASIM, "run", scenario, "--out", out] + list(args)
    if k > 1:
        cmd = [MPIRUN, "-np", str(k), "--oversubscribe", "--bind-to", "none"] + \
            (["-x", "TMPDIR=" + tmpdir] if tmpdir else []) + cmd
    return subprocess.run(cmd, capture_output=True, text=True, env=mpi_env())


def files(d):
    return sorted(f for f in os.listdir(d))


def same_as_one_process(scenario, *args):
    """Runs `scenario` in 1, 2 and 3 processes; every file and the report
    must be the same."""
    top = tempfile.mkdtemp(prefix="kasim-shard-")
    try:
        ref = os.path.join(top, "one")
        r1 = kasim_run(1, scenario, ref, *args)
        assert r1.returncode == 0, r1.stderr
        for k in (2, 3):
            d = os.path.join(top, "k%d" % k)
            r = kasim_run(k, scenario, d, *args)
            assert r.returncode == 0, (k, args, r.stderr)
            # Rank 0 alone reports, in the same words (the folder aside).
            assert r.stdout.replace(d, ref) == r1.stdout, (k, args, r.stdout, r1.stdout)
            assert files(d) == files(ref), (k, args, files(d), files(ref))
            for f in files(ref):
                with open(os.path.join(ref, f), "rb") as a, open(os.path.join(d, f), "rb") as b:
                    assert a.read() == b.read(), "%s differs with %d processes (%s)" % (f, k, args)
        return ref, r1.stdout
    finally:
        shutil.rmtree(top)


def need_mpi():
    if not BUILT_WITH_MPI:
        return "kasim was built without MPI (libopenmpi-dev; scripts/install-deps installs it)"
    if MPIRUN is None:
        return "mpirun is not installed (openmpi-bin; scripts/install-deps installs it)"
    return None


@ks_tap.test
def every_trace_level_the_same_bytes():
    for level in ("all", "failures", "none", "conn=1,9-12,25"):
        same_as_one_process(MIX, "--trace", level)


@ks_tap.test
def compressed_the_same_bytes():
    same_as_one_process(MIX, "--compress", "--seed", "8")


@ks_tap.test
def lossy_link_the_same_bytes():
    same_as_one_process(os.path.join(SRC, "scenarios", "lossy-link.yaml"), "--seed", "3")


@ks_tap.test
def equal_times_in_id_order():
    """The one-process trace itself: at one instant, between two timeline
    events, connections' records come by id, as ks_order.h says."""
    top = tempfile.mkdtemp(prefix="kasim-shard-")
    try:
        r = kasim_run(1, MIX, top)
        assert r.returncode == 0, r.stderr
        last, reordered = None, 0
        epoch = 0
        with open(os.path.join(top, "trace.jsonl")) as f:
            for line in f:
                e = json.loads(line)
                if e["ev"] == "scenario":
                    epoch += 1
                    last = None
                    continue
                key = (e["t"], epoch, e["conn"])
                if last is not None:
                    assert key >= last, (last, key)
                    reordered += key[0] == last[0] and key[2] != last[2]
                last = key
        assert reordered > 0  # instants shared by several connections exist
    finally:
        shutil.rmtree(top)


def refused(k, scenario, *args):
    top = tempfile.mkdtemp(prefix="kasim-shard-")
    try:
        d = os.path.join(top, "out")
        r = kasim_run(k, scenario, d, *args)
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert not os.path.exists(d), os.listdir(d)
        assert r.stdout == "", r.stdout
        # Said once, by rank 0, not by every rank.
        said = [l for l in r.stderr.splitlines() if l.startswith("kasim run:")]
        assert len(said) == 1, r.stderr
        return said[0]
    finally:
        shutil.rmtree(top)


@ks_tap.test
def interacting_connections_refused():
    # many-idle-clients: 100,000 connections on a 1 Gbit/s uplink.
    msg = refused(2, os.path.join(SRC, "scenarios", "many-idle-clients.yaml"))
    assert "interact" in msg and "link uplink has a bandwidth" in msg, msg
    assert "100000 connections" in msg and "2 processes" in msg, msg
    # The same with one connection per link: nothing to share, so it runs.
    top = tempfile.mkdtemp(prefix="kasim-shard-")
    try:
        sc = os.path.join(top, "one-each.yaml")
        with open(sc, "w") as f:
            f.write("name: one-each\nduration: 1m\nhosts:\n  a: {profile: linux}\n"
                    "  b: {profile: linux}\n  s: {profile: linux}\nlinks:\n"
                    "  la: {between: [a, s], delay: 1ms, bandwidth: 1Mbit}\n"
                    "  lb: {between: [b, s], delay: 1ms, bandwidth: 1Mbit}\n"
                    "groups:\n  - {name: ga, client: a, server: s}\n"
                    "  - {name: gb, client: b, server: s}\n")
        same_as_one_process(sc)
        with open(sc, "a") as f:
            f.write("  - {name: gc, client: b, server: s}\n")
        msg = refused(3, sc)
        assert "link lb has a bandwidth (1000000 bit/s) and carries 2 connections" in msg, msg
    finally:
        shutil.rmtree(top)


@ks_tap.test
def pcap_and_ns3_refused():
    msg = refused(2, MIX, "--pcap")
    assert "--pcap" in msg and "without mpirun" in msg, msg
    msg = refused(2, os.path.join(SRC, "scenarios", "cable-pull.yaml"), "--engine", "ns3")
    assert ("the engine runs a scenario in one process only" in msg or
            "built without ns-3" in msg), msg


@ks_tap.test
def unusable_tmpdir_fails_every_rank_and_leaves_nothing():
    """Each rank spools its trace in TMPDIR: when it cannot, no rank starts,
    each says why, the exit status is 3 (the machine's) and no folder is
    made."""
    top = tempfile.mkdtemp(prefix="kasim-shard-")
    try:
        d, bad = os.path.join(top, "out"), os.path.join(top, "a-file")
        open(bad, "w").close()
        r = kasim_run(2, MIX, d, tmpdir=os.path.join(bad, "tmp"))
        assert r.returncode == 3, (r.returncode, r.stderr)
        said = [l for l in r.stderr.splitlines() if l.startswith("kasim run:")]
        assert said and all("a temporary file for the trace (TMPDIR)" in l for l in said), said
        assert not os.path.exists(d)
        assert sorted(os.listdir(top)) == ["a-file"], os.listdir(top)
    finally:
        shutil.rmtree(top)


if __name__ == "__main__":
    sys.exit(ks_tap.run(skip=need_mpi()))
