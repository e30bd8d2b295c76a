"""Fixtures of the integration suite: every test gets its own fixture HTTP server, journal and
syslog receivers, tmp dir (configuration, database) and an AdvisoryEnv to drive the binaries."""

import shutil
import tempfile

import pytest

import harness
from advisoryenv import ADVISORYCTL, ADVISORYD, AdvisoryEnv


def pytest_sessionstart(session):
    missing = [str(p) for p in (ADVISORYD, ADVISORYCTL) if not p.is_file()]
    if missing:
        pytest.exit(f"missing {', '.join(missing)}: run `make all` (or set ADVISORYD_BUILD)", 2)


@pytest.fixture
def server():
    s = harness.FixtureServer()
    yield s
    s.close()


@pytest.fixture
def sockdir():
    # sun_path holds 108 bytes: pytest's tmp_path (long test names) may not fit
    d = tempfile.mkdtemp(prefix="advd-", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def journal(sockdir):
    r = harness.journal_receiver(f"{sockdir}/journal.socket")
    yield r
    r.close()


@pytest.fixture
def syslog(sockdir):
    r = harness.syslog_receiver(f"{sockdir}/log")
    yield r
    r.close()


@pytest.fixture
def env(tmp_path, server, journal, syslog):
    e = AdvisoryEnv(tmp_path, server, journal, syslog)
    e.write_config()
    yield e
    e.stop_all()
    # whatever a test did, the daemon must have spoken both protocols correctly
    assert journal.errors == [], f"malformed journal datagrams: {journal.errors}"
    assert syslog.errors == [], f"malformed syslog datagrams: {syslog.errors}"
