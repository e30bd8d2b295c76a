"""advisoryd as a service: it polls on its schedule, tells the service manager how it is, reloads
on SIGHUP (keeping the old configuration when the new one is broken) and exits 0 on SIGTERM.

No sleeps: every wait is for something observable (a log line, a request at the server, a
datagram) and bounded by a generous timeout, so a slow machine (or ASan) only makes it slower."""

import calendar
import re
import signal
import time

import pytest

import harness
from advisoryenv import FEED_PATH

WAIT = 20  # seconds; nothing here takes more than a few when it works


def stop(env, p):
    """SIGTERM, then the exit status. WAIT only keeps a broken daemon from hanging the suite."""
    p.send_signal(signal.SIGTERM)
    return p.wait(WAIT)


def is_ready(m):
    return m.get("READY") == "1"


def reload_seen(records):
    """RELOADING=1, then READY=1: whatever else the loop sends (STATUS= after a poll, watchdog
    pings) may come before, between or after them."""
    reloading = [i for i, m in enumerate(records) if m.get("RELOADING") == "1"]
    return bool(reloading) and any(is_ready(m) for m in records[reloading[0] + 1:])


def check_reload(records):
    """Exactly one RELOADING=1 (with its time), and the READY=1 after it; returns that READY."""
    reloading = [i for i, m in enumerate(records) if m.get("RELOADING") == "1"]
    assert len(reloading) == 1, records
    at = reloading[0]
    assert int(records[at]["MONOTONIC_USEC"]) > 0, records
    assert not any(is_ready(m) for m in records[:at]), records
    ready = [m for m in records[at + 1:] if is_ready(m)]
    assert ready, records
    return ready[0]


@pytest.fixture
def notify(sockdir):
    r = harness.notify_receiver(f"{sockdir}/notify")
    yield r
    r.close()


def test_polls_on_schedule_notifies_and_stops_on_sigterm(env):
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon()
    env.wait_for_log(p, "baseline of 23 countries", WAIT)

    env.serve_feed("us-changed.xml")  # found by a later poll, without any signal
    journal = env.journal.wait(2, WAIT)
    syslog = env.syslog.wait(2, WAIT)

    assert sorted(j["ADVISORY_COUNTRY"] for j in journal) == ["AZ", "KZ"]
    assert len(syslog) == 2
    assert len(env.server.requests(FEED_PATH)) >= 2
    assert all(r.headers["user-agent"].startswith("advisoryd/")
               for r in env.server.requests(FEED_PATH))
    rc = stop(env, p)
    assert rc == 0, env.daemon_log(p)
    assert env.status()["KZ"]["level"] == 3
    assert all(o["state"] == "delivered" for o in env.outbox())
    # later polls of the same document were conditional and cost nothing
    assert len(env.journal.records()) == 2


def test_keeps_polling_while_idle(env):
    """Unchanged documents: one 304 after another, on the schedule, over one connection."""
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon()
    requests = env.server.wait_for_requests(FEED_PATH, 3, WAIT, answered=True)
    assert len(requests) >= 3, env.daemon_log(p)
    assert [r.status for r in requests[1:3]] == [304, 304]
    assert requests[0].client == requests[1].client == requests[2].client  # keep-alive
    rc = stop(env, p)
    assert rc == 0
    assert env.source()["consecutive_failures"] == 0


def test_sighup_with_a_broken_config_keeps_the_old_one(env, notify):
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon(extra_env={"NOTIFY_SOCKET": notify.path})
    env.wait_for_log(p, "baseline of 23 countries", WAIT)

    # the broken configuration moves the source elsewhere: applied, it would poll /moved.xml
    moved = "/moved.xml"
    env.server.serve(moved, env.server.document(FEED_PATH).body)
    conf = env.write_config(url=env.server.url(moved), daemon={"interval": "1s", "bogus": "1"})
    seen_notify = len(notify.records())
    line = conf.read_text().splitlines().index("bogus = 1") + 1
    p.send_signal(signal.SIGHUP)
    end = env.wait_for_log(p, "not reloaded", WAIT)
    assert f"{conf}:{line}: unknown key 'bogus'" in env.daemon_log(p)  # the error, file:line

    # still running, still polling the old URL with the old notifiers
    seen = len(env.server.requests(FEED_PATH))
    env.serve_feed("us-changed.xml")
    assert len(env.server.wait_for_requests(FEED_PATH, seen + 2, WAIT)) >= seen + 2
    assert len(env.journal.wait(2, WAIT)) == 2
    assert p.poll() is None
    assert "Polled 'us'" in env.daemon_log(p)[end:]
    assert env.server.requests(moved) == []

    # the service manager heard RELOADING=1, then READY=1 with a status that says why
    ready = check_reload(notify.wait_until(reload_seen, WAIT, seen_notify))
    assert ready["STATUS"].startswith("Polling 1 source; "), ready
    assert f"; configuration not reloaded: {conf}:{line}: " in ready["STATUS"], ready
    # and keeps saying it in later STATUS= lines, until a reload succeeds
    n = len(notify.records())
    later = notify.wait(n + 1, WAIT)[n:]
    assert later and "configuration not reloaded" in later[-1].get("STATUS", ""), later

    env.write_config(daemon={"interval": "1s"})
    n = len(notify.records())
    p.send_signal(signal.SIGHUP)
    env.wait_for_log(p, "Configuration reloaded", WAIT)
    ready = check_reload(notify.wait_until(reload_seen, WAIT, n))
    assert "not reloaded" not in ready["STATUS"], ready
    rc = stop(env, p)
    assert rc == 0
    assert notify.errors == []


def test_sighup_applies_a_new_configuration(env):
    env.write_config(daemon={"interval": "1s"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon()
    env.wait_for_log(p, "baseline of 23 countries", WAIT)

    moved = "/v2/TAsTWs.xml"
    env.server.serve(moved, (env.server.document(FEED_PATH).body
                             .replace(b"Kazakhstan - Level 1: Exercise Normal Precautions",
                                      b"Kazakhstan - Level 4: Do Not Travel")
                             .replace(b"Level 1: Exercise Normal Precautions</category>\n"
                                      b"<category domain=\"Country-Tag\">KZ",
                                      b"Level 4: Do Not Travel</category>\n"
                                      b"<category domain=\"Country-Tag\">KZ")))
    env.write_config(url=env.server.url(moved), daemon={"interval": "1s"}, notifiers=False,
                     extra=f"[notify:j]\ntype = journal\nsocket = {env.journal.path}\n")
    p.send_signal(signal.SIGHUP)
    env.wait_for_log(p, "Configuration reloaded", WAIT)

    assert env.server.wait_for_requests(moved, 1, WAIT), env.daemon_log(p)
    (record,) = env.journal.wait(1, WAIT)
    assert (record["ADVISORY_COUNTRY"], record["ADVISORY_LEVEL"]) == ("KZ", "4")
    rc = stop(env, p)
    assert rc == 0
    assert env.syslog.records() == []  # the syslog notifier is gone with the old config
    assert {o["notifier"] for o in env.outbox()} == {"j"}


def test_sigterm_during_a_fetch_exits_promptly(env):
    # the transfer would time out after an hour: exiting at all means SIGTERM did not wait for it
    env.write_config(daemon={"timeout": "1h"})
    env.serve_feed("us-baseline.xml", hold=True)  # the server does not answer
    p = env.start_daemon()
    assert env.server.wait_for_requests(FEED_PATH, 1, WAIT), env.daemon_log(p)

    rc = stop(env, p)

    assert rc == 0, env.daemon_log(p)
    assert env.ctl_json("status") == []


def test_retry_after_postpones_the_next_poll(env):
    env.write_config(daemon={"interval": "1s"})
    env.server.fail(FEED_PATH, 503, headers={"Retry-After": "3600"})
    p = env.start_daemon()
    env.wait_for_log(p, "Failed to poll 'us'", WAIT)
    env.wait_for_log(p, "retrying in", WAIT)

    src = env.source()
    assert src["last_error_class"] == "http-5xx"
    next_poll = calendar.timegm(time.strptime(src["next_poll"], "%Y-%m-%dT%H:%M:%SZ"))
    assert next_poll >= time.time() + 3000, src
    rc = stop(env, p)
    assert rc == 0
    assert len(env.server.requests(FEED_PATH)) == 1


def test_back_off_is_logged_in_whole_seconds(env):
    """The first retry comes after 1m plus a random tenth of it; the log says "1m4s", not
    "1m3s600ms"."""
    env.write_config(daemon={"interval": "1h"})
    env.server.fail(FEED_PATH, 500)
    p = env.start_daemon()
    env.wait_for_log(p, "retrying in", WAIT)
    log = env.daemon_log(p)
    assert re.search(r"\(http-5xx\), retrying in 1m(\ds)?\.$", log, re.M), log
    rc = stop(env, p)
    assert rc == 0


STATUS_LINE = re.compile(r"Polling 1 source; next poll of us in \S+; 0 failing")


def test_service_manager_protocol(env, notify):
    env.write_config(daemon={"interval": "1h"})
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon(extra_env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"})

    def wait_for(pred, what, count=1, start=0):
        got = notify.wait_until(lambda rs: sum(map(pred, rs)) >= count, WAIT, start)
        assert sum(map(pred, got)) >= count, \
            f"no {what} on NOTIFY_SOCKET: {notify.records()}\n{env.daemon_log(p)}"

    def has_status_line(m):
        return bool(STATUS_LINE.fullmatch(m.get("STATUS", "")))

    wait_for(is_ready, "READY=1")
    first = next(i for i, m in enumerate(notify.records()) if is_ready(m))
    # READY=1 comes once the first poll is armed, with the status line in the same datagram
    assert has_status_line(notify.records()[first]), notify.records()[first]
    # after the first poll has finished, the status is sent again, still naming the next poll
    env.wait_for_log(p, "baseline of 23 countries", WAIT)
    wait_for(has_status_line, "STATUS= after the poll", start=first + 1)
    # WATCHDOG_USEC=1s: sd-event pings from the loop well within it, again and again
    wait_for(lambda m: m.get("WATCHDOG") == "1", "WATCHDOG=1 twice", 2)

    # the reload: RELOADING=1 (with the time), then READY=1 again
    seen = len(notify.records())
    p.send_signal(signal.SIGHUP)
    env.wait_for_log(p, "Configuration reloaded", WAIT)
    check_reload(notify.wait_until(reload_seen, WAIT, seen))
    assert p.poll() is None

    rc = stop(env, p)
    assert rc == 0
    stopping = [m for m in notify.records() if m.get("STOPPING") == "1"]
    assert len(stopping) == 1, notify.records()
    assert notify.errors == []


def test_no_watchdog_pings_unless_asked(env, notify):
    """Without WATCHDOG_USEC the daemon does not wake up to ping: idle means idle."""
    env.serve_feed("us-baseline.xml")
    p = env.start_daemon(extra_env={"NOTIFY_SOCKET": notify.path})
    env.wait_for_log(p, "baseline of 23 countries", WAIT)
    rc = stop(env, p)
    assert rc == 0
    assert not any("WATCHDOG" in m for m in notify.records()), notify.records()
