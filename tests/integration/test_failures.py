"""A failed poll is never a change and never "level 1": the previous state stands, the source
shows the failure, nobody is notified, and `--once` says so with exit status 3."""

import pytest

import harness
from advisoryenv import (FEED_PATH, MESSAGE_ID_LEVEL_CHANGED, MESSAGE_ID_SOURCE_FAILING,
                         MESSAGE_ID_SOURCE_RECOVERED, fixture)


def record_change(env):
    """A baseline and one change (KZ 1 → 3, AZ 3 → 2): state with history and notifications."""
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("us-changed.xml")
    env.once_ok()
    assert len(env.journal.records()) == 2


def snapshot(env):
    return {
        "status": env.ctl_json("status"),
        "changes": env.ctl_json("changes"),
        "outbox": env.outbox(),
        "journal": len(env.journal.records()),
        "syslog": len(env.syslog.records()),
    }


def assert_failed_without_effect(env, before, error_class):
    r = env.once()
    assert r.returncode == 3, f"exit {r.returncode}, wanted 3:\n{r.stderr}"
    assert "Failed to poll 'us'" in r.stderr
    assert f"({error_class})" in r.stderr
    assert snapshot(env) == before  # same levels, since, labels; no change; nobody told
    src = env.source()
    assert src["consecutive_failures"] >= 1
    assert src["last_error_class"] == error_class
    assert src["last_error"]
    return src


@pytest.mark.parametrize("status, error_class", [
    (503, "http-5xx"), (500, "http-5xx"), (404, "http-4xx"), (403, "http-4xx")])
def test_server_error_leaves_state_untouched(env, status, error_class):
    record_change(env)
    before = snapshot(env)
    last_success = env.source()["last_success"]
    env.server.fail(FEED_PATH, status)

    src = assert_failed_without_effect(env, before, error_class)
    error = f"HTTP {status}"

    assert src["last_error"] == error
    assert src["consecutive_failures"] == 1
    assert src["last_success"] == last_success
    assert src["countries"] == 24


def test_failures_count_up_and_show_in_the_table(env):
    record_change(env)
    before = snapshot(env)
    env.server.fail(FEED_PATH, 503, headers={"Retry-After": "120"})

    for n in (1, 2):
        src = assert_failed_without_effect(env, before, "http-5xx")
        assert src["consecutive_failures"] == n

    table = env.ctl("-c", env.config, "sources")
    assert table.returncode == 0
    assert "HTTP 503" in table.stdout and "http-5xx" in table.stdout


def test_connection_refused(env):
    record_change(env)
    before = snapshot(env)
    sock, port = harness.refused_port()
    try:
        env.write_config(url=f"http://127.0.0.1:{port}{FEED_PATH}")
        src = assert_failed_without_effect(env, before, "connect")
    finally:
        sock.close()
    assert src["consecutive_failures"] == 1


def test_first_poll_failing_records_nothing(env):
    env.server.fail(FEED_PATH, 503)
    r = env.once()
    assert r.returncode == 3
    assert env.ctl_json("status") == []
    assert env.source()["last_success"] is None
    assert env.outbox() == []


def test_a_good_document_after_failures_recovers(env):
    record_change(env)
    env.server.fail(FEED_PATH, 503)
    env.once_ok(expect=3)
    env.serve_feed("us-baseline.xml")  # a new document: KZ and AZ back to their old levels
    env.once_ok()
    src = env.source()
    assert src["consecutive_failures"] == 0
    assert src["state"] == "ok"
    assert env.status()["KZ"]["level"] == 1
    assert len(env.journal.records()) == 4


# Hostile 200 answers: the server says OK, the document is not the feed.
HOSTILE = [
    pytest.param("challenge.html", "text/html; charset=UTF-8", "blocked", id="challenge"),
    pytest.param(b"", "application/rss+xml", "invalid-document", id="empty"),
    pytest.param("us-truncated.xml", "application/rss+xml", "invalid-document", id="truncated"),
    pytest.param(b"<rss version=\"2.0\"><channel><title>Travel Advisories</title></channel></rss>",
                 "application/rss+xml", "extraction-empty", id="no-items"),
    pytest.param(b"{}", "application/json", "invalid-document", id="json"),
    pytest.param(b"<html><head><title>Travel.State.Gov</title></head><body><p>We are "
                 b"performing maintenance.</p></body></html>", "text/html",
                 "invalid-document", id="html-page"),
]


@pytest.mark.parametrize("body, content_type, error_class", HOSTILE)
def test_hostile_200_is_a_failure_not_a_change(env, body, content_type, error_class):
    record_change(env)
    before = snapshot(env)
    env.serve_feed(body, content_type=content_type)

    src = assert_failed_without_effect(env, before, error_class)

    if error_class == "blocked":
        assert "challenge" in src["last_error"].lower()
    assert src["countries"] == 24


def test_hostile_200_on_first_poll_invents_nothing(env):
    env.serve_feed("challenge.html", content_type="text/html")
    r = env.once()
    assert r.returncode == 3
    assert env.ctl_json("status") == []
    assert env.source()["last_error_class"] == "blocked"


def test_no_validators_are_kept_from_a_failed_document(env):
    """A challenge page served with an ETag must not make the next poll conditional on it:
    the next answer would be a 304 and the real feed never fetched again."""
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    challenge = env.serve_feed("challenge.html", content_type="text/html")
    env.once_ok(expect=3)
    env.once_ok(expect=3)
    last = env.server.requests(FEED_PATH)[-1]
    assert last.headers.get("if-none-match") != challenge.etag
    assert last.status == 200
    # and the feed, when it is back, is fetched and recorded
    env.serve_feed(fixture("us-changed.xml"))
    env.once_ok()
    assert env.status()["KZ"]["level"] == 3


def test_source_failing_and_recovered_are_told_once(env):
    env.write_config(daemon={"failure_threshold": "2"},
                     extra="events = change source-failing source-recovered\n")
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.server.fail(FEED_PATH, 503)
    for _ in range(4):
        env.once_ok(expect=3)
    assert env.source()["state"] == "failing"
    env.serve_feed("us-baseline.xml")
    env.once_ok()

    # the extra line went to the last notifier only: the syslog one
    assert env.journal.records() == []
    lines = [line.message for line in env.syslog.records()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("us: source failing") and "HTTP 503" in lines[0]
    assert lines[1].startswith("us: source recovered")
    assert sorted(o["event"] for o in env.outbox()) == ["source-failing", "source-recovered"]
    assert env.source()["state"] == "ok"


def test_source_events_on_the_journal(env):
    env.write_config(daemon={"failure_threshold": "1"}, notifiers=False, extra=f"""
[notify:j]
type = journal
socket = {env.journal.path}
events = source-failing source-recovered
""")
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("challenge.html", content_type="text/html")
    env.once_ok(expect=3)
    env.once_ok(expect=3)
    env.serve_feed("us-changed.xml")
    env.once_ok()  # changes, but this notifier wants only source events

    records = env.journal.records()
    assert [r["MESSAGE_ID"] for r in records] == [MESSAGE_ID_SOURCE_FAILING,
                                                  MESSAGE_ID_SOURCE_RECOVERED]
    assert MESSAGE_ID_LEVEL_CHANGED not in [r["MESSAGE_ID"] for r in records]
    assert all(r["ADVISORY_SOURCE"] == "us" for r in records)
    assert "challenge" in records[0]["ADVISORY_ERROR"].lower()


def test_body_that_is_not_the_encoding_it_claims(env):
    record_change(env)
    before = snapshot(env)
    env.serve_feed("us-baseline.xml", headers={"Content-Encoding": "gzip"})  # but plain
    assert_failed_without_effect(env, before, "invalid-document")
