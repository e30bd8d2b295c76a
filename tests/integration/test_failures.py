"""What a source's failures add up to: the failure counter and `advisoryctl sources`, validators
that must not be kept from a failed document, and `source-failing` / `source-recovered` told
once. Each kind of fault, one by one, is in test_faults.py."""

from advisoryenv import (FEED_PATH, MESSAGE_ID_LEVEL_CHANGED, MESSAGE_ID_SOURCE_FAILING,
                         MESSAGE_ID_SOURCE_RECOVERED, fixture)


def record_change(env):
    """A baseline and one change (KZ 1 → 3, AZ 3 → 2): state with history and notifications."""
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("us-changed.xml")
    env.once_ok()
    assert len(env.journal.records()) == 2


def assert_failed_without_effect(env, before, error_class):
    r = env.once()
    assert r.returncode == 3, f"exit {r.returncode}, wanted 3:\n{r.stderr}"
    assert "Failed to poll 'us'" in r.stderr
    assert f"({error_class})" in r.stderr
    assert env.snapshot() == before  # same levels, since, labels; no change; nobody told
    src = env.source()
    assert src["consecutive_failures"] >= 1
    assert src["last_error_class"] == error_class
    assert src["last_error"]
    return src


def test_failures_count_up_and_show_in_the_table(env):
    record_change(env)
    before = env.snapshot()
    env.server.fail(FEED_PATH, 503, headers={"Retry-After": "120"})

    for n in (1, 2):
        src = assert_failed_without_effect(env, before, "http-5xx")
        assert src["consecutive_failures"] == n

    table = env.ctl("-c", env.config, "sources")
    assert table.returncode == 0
    assert "HTTP 503" in table.stdout and "http-5xx" in table.stdout


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
