"""One normal `--once` cycle under valgrind's memcheck: a new database (migrations), a gzip
document, a baseline; then a change, told through the journal, syslog and exec notifiers. No
invalid read or write, no use of uninitialised memory, nothing definitely or indirectly lost.

No suppressions are needed (2026-11: Debian 12's libcurl, libxml2, SQLite, libsystemd and jansson
free everything advisoryd asks them for). valgrind 3.19 does not know pidfd_open (syscall 434)
and says so; sd-event then watches the exec notifier's child without a pidfd.

Skipped when valgrind is not installed, and for an ASan build (valgrind cannot run one)."""

import shutil
import subprocess

import pytest

from advisoryenv import ADVISORYD, FEED_PATH, child_env

VALGRIND = shutil.which("valgrind")
MEMCHECK = ["--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
            "--track-origins=yes", "--num-callers=40", "--trace-children=no"]

pytestmark = [
    pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed"),
    pytest.mark.skipif(ADVISORYD.is_file() and b"__asan_init" in ADVISORYD.read_bytes(),
                       reason="an ASan build: valgrind cannot run it"),
]


def memcheck(env):
    r = subprocess.run([VALGRIND, *MEMCHECK, str(ADVISORYD), "--once", "-c", str(env.config)],
                       capture_output=True, text=True, env=child_env(), timeout=300,
                       stdin=subprocess.DEVNULL)
    report = r.stderr
    assert "ERROR SUMMARY: 0 errors from 0 contexts" in report, report
    assert r.returncode == 0, f"exit {r.returncode}:\n{report}"
    return report


def test_once_cycle_is_valgrind_clean(env):
    told = env.tmp / "exec.json"
    env.write_config(extra=f"""
[notify:x]
type = exec
command = /bin/sh -c 'cat > {told}'
""")
    env.serve_feed("us-baseline.xml", gzip=True)
    memcheck(env)
    assert len(env.status()) == 23
    env.serve_feed("us-changed.xml", gzip=True)

    report = memcheck(env)

    assert "us: Kazakhstan (KZ) raised from level 1 to 3" in report
    assert sorted(j["ADVISORY_COUNTRY"] for j in env.journal.records()) == ["AZ", "KZ"]
    assert len(env.syslog.records()) == 2
    assert told.exists() and '"country"' in told.read_text()
    assert all(o["state"] == "delivered" for o in env.outbox())
    assert env.server.requests(FEED_PATH)[-1].gzipped
