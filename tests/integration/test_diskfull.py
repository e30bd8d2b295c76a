"""Disk full: the database on a small tmpfs that fills up while the daemon runs.

A poll whose document cannot be stored fails as a whole (class `store`), nothing of it is
written, the daemon keeps running and polls again on its back-off schedule; the validators of the
unrecorded document are not kept, so when space returns the next poll fetches it again and
records its changes, and they are told once.

Mounting a tmpfs needs root (CI runs as root); elsewhere the test is skipped and says why."""

import os
import signal
import sqlite3
import subprocess

import pytest

import harness
from advisoryenv import FEED_PATH

WAIT = 30


@pytest.fixture
def small_fs(tmp_path):
    """A 2 MiB tmpfs, mounted for this test only."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mnt)],
                           capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("no mount(8) here: cannot make a small file system")
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def fill(path):
    """Writes a file until the file system is full; returns its size."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    chunk, written = bytes(1 << 16), 0
    try:
        while True:
            try:
                written += os.write(fd, chunk)
            except OSError:
                if len(chunk) == 512:
                    return written
                chunk = chunk[:len(chunk) // 2]
    finally:
        os.close(fd)


def integrity(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def test_full_disk_fails_the_poll_cleanly_and_loses_nothing(env, small_fs):
    env.db = small_fs / "advisoryd.db"
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon()
    env.wait_for_log(p, "baseline of 23 countries", WAIT)
    before = env.snapshot()

    filler = small_fs / "filler"
    assert fill(filler) > 0
    env.serve_feed("us-changed.xml")
    fetched = len(env.server.requests(FEED_PATH))  # from here on, all for the new document
    # two polls that could not store the document: failed cleanly, then retried
    end = env.wait_for_log(p, "cannot record the document: No space left on device", WAIT)
    env.wait_for_log(p, "cannot record the document: No space left on device", WAIT, after=end)
    log = env.daemon_log(p)
    assert "Failed to poll 'us': cannot record the document" in log and "(store)" in log, log

    assert p.poll() is None
    assert env.snapshot() == before  # advisoryctl still reads it; nothing half-written
    assert integrity(env.db) == [("ok",)]

    filler.unlink()
    told = env.journal.wait(2, WAIT)
    env.syslog.wait(2, WAIT)
    env.wait_for_source(lambda s: s["documents"] == 2, WAIT)
    p.send_signal(signal.SIGTERM)
    assert p.wait(WAIT) == 0, env.daemon_log(p)

    assert sorted(j["ADVISORY_COUNTRY"] for j in told) == ["AZ", "KZ"]
    assert len(env.journal.records()) == 2 and len(env.syslog.records()) == 2
    assert sorted(c["country"] for c in env.ctl_json("changes")) == ["AZ", "KZ"]
    assert all(o["state"] == "delivered" for o in env.outbox())
    src = env.source()
    assert (src["state"], src["consecutive_failures"]) == ("ok", 0)
    assert integrity(env.db) == [("ok",)]
    # the document that could not be stored was fetched again in full each time (its validators
    # were not kept: a 304 would have lost the change)
    after = [r.status for r in env.server.requests(FEED_PATH)[fetched:]]
    assert after[:3] == [200, 200, 200], after


def test_full_disk_does_not_repeat_a_delivery(env, small_fs):
    """A notification delivered while the disk is full cannot be marked delivered. It may be
    sent again later (at least once), but not again and again in a tight loop."""
    env.db = small_fs / "advisoryd.db"
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon()
    env.wait_for_log(p, "baseline of 23 countries", WAIT)

    # the syslog receiver is away when the change is recorded: its rows wait for a retry
    env.syslog.close()
    env.serve_feed("us-changed.xml")
    env.journal.wait(2, WAIT)
    end = env.wait_for_log(p, "Polled 'us': 1 document", WAIT)
    env.wait_for_log(p, "Polled 'us': not modified", WAIT, after=end)  # all written: settled
    assert len(env.query("SELECT id FROM outbox WHERE state = 'pending'")) == 2
    con = sqlite3.connect(env.db)
    with con:  # due in 2 s rather than 30
        con.execute("UPDATE outbox SET next_attempt = strftime('%s', 'now') + 2"
                    " WHERE state = 'pending'")
    con.close()
    fill(small_fs / "filler")
    syslog = harness.syslog_receiver(env.syslog.path)
    try:
        syslog.wait(2, WAIT)
        # a later poll (that cannot record its health): time has passed in the daemon since
        # it delivered them
        env.wait_for_log(p, "Polled 'us'", WAIT, after=len(env.daemon_log(p)))
        got = len(syslog.records())
    finally:
        syslog.close()
    p.send_signal(signal.SIGTERM)
    p.wait(WAIT)
    assert got <= 4, f"{got} deliveries of 2 notifications"  # at most one repeat each
