"""ks_tap.py - the TAP runner that kasim's Python tests share.

Each sim/tests/test_*.py script marks its tests with @ks_tap.test, in the
order they are to run, and ends with sys.exit(ks_tap.run(...)).  run()
prints TAP for meson (protocol 'tap'): the plan "1..N", then per test
"ok N name", "ok N name # SKIP reason" or "not ok N name" followed by
"# " lines saying why: every line of the exception's message (a failed
assert's message is often kasim's stderr, kept whole), the exception's
type unless it is an assert with a message, and the deepest line of a
file of sim/tests it came through (the failed assert, or the call into
the library that raised the exception).

A script imports this module as `import ks_tap`: Python puts the script's
own folder first on sys.path, whatever the working directory, as
test_compress.py relies on to import test_outputs.  Only the tests of the
script being run (module __main__) are run, not those of a test script it
imports.
"""
import os
import shutil
import traceback

_tests = {}  # module name -> its test functions, in the order declared
_HERE = os.path.dirname(os.path.abspath(__file__))


class SkipTest(Exception):
    """Raised by a test that cannot run here: reported "ok N name # SKIP
    reason", the reason being the exception's message."""


def test(fn):
    """Decorator: fn, called without arguments, is one test of its script."""
    _tests.setdefault(fn.__module__, []).append(fn)
    return fn


def _diagnostics(e):
    msg = str(e)
    lines = msg.splitlines() or [""]
    if not isinstance(e, AssertionError) or not msg:
        lines[0] = type(e).__name__ + (": " + lines[0] if lines[0] else "")
    frames = traceback.extract_tb(e.__traceback__)
    ours = [f for f in frames if os.path.dirname(os.path.abspath(f.filename)) == _HERE]
    if ours or frames:
        f = (ours or frames)[-1]
        lines.append("at %s:%d in %s: %s" % (os.path.basename(f.filename), f.lineno, f.name,
                                             f.line or "?"))
    return lines


def run(skip=None, cleanup=None):
    """Run the tests of the script being run and return its exit status:
    1 if one failed, else 0.

    skip: None, or the reason none of them can run here (a program or a
    build option missing): each is then reported as skipped with it.
    cleanup: None, or a folder the tests used, or a function returning one
    (or None) once they are done; it is removed with all it holds."""
    tests = _tests.get("__main__", [])
    print("1..%d" % len(tests))
    failed = 0
    try:
        for i, fn in enumerate(tests, 1):
            if skip:
                print("ok %d %s # SKIP %s" % (i, fn.__name__, skip))
                continue
            try:
                fn()
                print("ok %d %s" % (i, fn.__name__))
            except SkipTest as e:
                print("ok %d %s # SKIP %s" % (i, fn.__name__, e))
            except Exception as e:  # noqa: BLE001 - every failure is reported
                failed += 1
                print("not ok %d %s" % (i, fn.__name__))
                for line in _diagnostics(e):
                    print("# " + line)
    finally:
        folder = cleanup() if callable(cleanup) else cleanup
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0
