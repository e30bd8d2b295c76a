"""The spine end to end with the US feed: a silent baseline, a change recorded and told once per
channel, then a conditional GET that costs nothing."""

import time

import harness
from advisoryenv import FEED_PATH, MESSAGE_ID_LEVEL_CHANGED

# What tests/fixtures/integration/us-baseline.xml says, by ISO code. The feed keys countries by
# FIPS 10-4 codes, several of which are other countries' ISO codes (CH = China, AU = Austria …).
BASELINE = {
    "AF": 4, "AT": 1, "AU": 1, "AZ": 3, "CH": 1, "CL": 2, "CN": 2, "DE": 2, "ES": 2, "HT": 4,
    "IS": 1, "JP": 1, "KR": 1, "KZ": 1, "MM": 4, "MX": 2, "NE": 4, "NG": 3, "NO": 1, "RU": 4,
    "SR": 1, "UA": 4, "XK": 2,
}
# us-changed.xml: Kazakhstan raised 1 → 3, Azerbaijan lowered 3 → 2, Botswana new at 1.
CHANGED = dict(BASELINE, KZ=3, AZ=2, BW=1)
KZ_URL = ("https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/"
          "kazakhstan-travel-advisory.html")


def levels(status):
    return {cc: r["level"] for cc, r in status.items()}


def record_baseline(env):
    env.serve_feed("us-baseline.xml")
    env.once_ok()


def record_change(env):
    record_baseline(env)
    env.serve_feed("us-changed.xml")
    return env.once_ok()


def without(rows, *keys):
    """Rows without the fields that depend on the clock of the query, not on the data."""
    return [{k: v for k, v in r.items() if k not in keys} for r in rows]


def test_first_run_records_every_country_silently(env):
    env.serve_feed("us-baseline.xml")
    r = env.once_ok()

    status = env.status()
    assert levels(status) == BASELINE
    assert status["KZ"]["label"] == "Level 1: Exercise Normal Precautions"
    assert status["KZ"]["url"] == KZ_URL
    assert status["KZ"]["updated"] == "2021-09-14"
    assert status["XK"]["country_name"] == "Kosovo"  # FIPS KV, user-assigned ISO code
    assert status["HT"]["label"] == "Level 4: Do Not Travel"  # level only in the category
    assert all(rec["regional_level"] is None for rec in status.values())
    assert "baseline" in r.stderr
    # a first observation is not news
    assert env.ctl_json("changes") == []
    assert env.journal.records() == []
    assert env.syslog.records() == []
    assert env.outbox() == []


def test_second_run_records_and_tells_each_change_once(env):
    record_change(env)

    assert levels(env.status()) == CHANGED

    history = env.ctl_json("history", "KZ")
    assert [(h["source"], h["level"], h["previous_level"]) for h in history] == [
        ("us", 1, None), ("us", 3, 1)]
    assert history[0]["until"] == history[1]["since"]
    assert history[1]["until"] is None
    assert history[1]["label"] == "Level 3: Reconsider Travel"
    assert history[1]["updated"] == "2022-01-05"

    changes = env.ctl_json("changes")
    assert sorted((c["country"], c["previous_level"], c["level"]) for c in changes) == [
        ("AZ", 3, 2), ("KZ", 1, 3)]  # not Botswana: new, so a baseline
    assert [(h["level"], h["previous_level"]) for h in env.ctl_json("history", "BW")] == \
        [(1, None)]
    assert all(c["event"] == "change" and c["source"] == "us" for c in changes)
    kz_change = next(c for c in changes if c["country"] == "KZ")
    assert kz_change["country_name"] == "Kazakhstan"
    assert kz_change["url"] == KZ_URL

    # the daemon has exited: everything it sent is on the sockets already
    journal = env.journal.records()
    assert sorted(j["ADVISORY_COUNTRY"] for j in journal) == ["AZ", "KZ"]
    for j in journal:
        assert j["MESSAGE_ID"] == MESSAGE_ID_LEVEL_CHANGED
        assert j["ADVISORY_SOURCE"] == "us"
        assert [name for name, _ in j.fields].count("MESSAGE") == 1
    kz = next(j for j in journal if j["ADVISORY_COUNTRY"] == "KZ")
    assert kz["ADVISORY_LEVEL"] == "3"
    assert kz["ADVISORY_PREVIOUS_LEVEL"] == "1"
    assert kz["ADVISORY_URL"] == KZ_URL
    assert "ADVISORY_REGIONAL_LEVEL" not in kz  # none: the field is left out, not "0"
    assert kz["MESSAGE"] == 'us: Kazakhstan (KZ) raised from level 1 to 3: ' \
                            '"Level 3: Reconsider Travel"'
    az = next(j for j in journal if j["ADVISORY_COUNTRY"] == "AZ")
    assert (az["ADVISORY_PREVIOUS_LEVEL"], az["ADVISORY_LEVEL"]) == ("3", "2")
    assert az["MESSAGE"].startswith("us: Azerbaijan (AZ) lowered from level 3 to 2: ")

    lines = env.syslog.records()
    assert sorted(line.message for line in lines) == sorted(j["MESSAGE"] for j in journal)
    for line in lines:
        assert line.ident == "advisory-test"
        assert line.facility == 19  # local3, as configured
        assert line.severity == 5  # notice

    # one row per (change, notifier), all delivered
    rows = env.outbox()
    assert sorted((o["notifier"], o["event"]) for o in rows) == [
        ("j", "change"), ("j", "change"), ("s", "change"), ("s", "change")]
    assert {o["change_id"] for o in rows} == {c["id"] for c in changes}
    assert all(o["state"] == "delivered" for o in rows), rows


def test_rerun_of_a_changed_feed_tells_nobody_again(env):
    record_change(env)
    # the same document again, without validators: a full fetch, parse and diff
    env.serve_feed("us-changed.xml", etag=False, last_modified=False)
    env.once_ok()

    assert len(env.ctl_json("changes")) == 2
    assert len(env.journal.records()) == 2
    assert len(env.syslog.records()) == 2
    assert len(env.outbox()) == 4


def test_third_run_gets_304_and_records_nothing(env):
    record_change(env)
    history = env.ctl_json("history", "KZ")
    status = env.status()
    # the last poll a day ago, so that a new success is visible in whole seconds
    env.backdate_source(86400)
    before = env.source()
    started = int(time.time())

    r = env.once_ok()

    third = env.server.requests(FEED_PATH)[-1]
    assert third.status == 304
    assert third.headers.get("if-none-match") == env.server.document(FEED_PATH).etag
    assert "if-modified-since" in third.headers
    assert "not modified" in r.stderr
    assert without(env.ctl_json("history", "KZ"), "lasted", "last_seen") == \
        without(history, "lasted", "last_seen")
    assert without(env.status().values(), "observed_at") == \
        without(status.values(), "observed_at")
    assert len(env.ctl_json("changes")) == 2
    assert len(env.journal.records()) == 2  # nothing new told
    assert len(env.outbox()) == 4

    after = env.source()
    assert after["last_success"] > before["last_success"]
    assert after["last_success"] >= time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))
    assert after["consecutive_failures"] == 0
    assert after["state"] == "ok"
    assert after["documents"] == before["documents"]  # a 304 is no new document


def test_304_after_failures_clears_them(env):
    record_baseline(env)
    doc = env.server.document(FEED_PATH)
    env.server.fail(FEED_PATH, 503)
    env.once_ok(expect=3)
    assert env.source()["consecutive_failures"] == 1

    env.server.restore(FEED_PATH, doc)  # the same document is back: the validators match
    env.once_ok()

    assert env.server.requests(FEED_PATH)[-1].status == 304
    src = env.source()
    assert src["consecutive_failures"] == 0
    assert src["state"] == "ok"
    assert levels(env.status()) == BASELINE


def test_failed_delivery_is_retried_by_a_later_run_and_sent_once(env):
    record_baseline(env)
    path = env.syslog.path
    env.syslog.close()  # syslog is down while the change is found
    env.serve_feed("us-changed.xml")
    env.once_ok()  # a notification that cannot be delivered yet is not a failed poll

    assert len(env.journal.records()) == 2
    rows = env.outbox()
    assert {(o["notifier"], o["state"]) for o in rows} == {("j", "delivered"), ("s", "pending")}
    pending = [o for o in rows if o["state"] == "pending"]
    assert len(pending) == 2
    assert all(o["attempts"] == 1 and path in o["last_error"] for o in pending), pending
    assert all(o["next_attempt"] > o["created_at"] for o in pending)

    syslog = harness.syslog_receiver(path)
    try:
        env.once_ok()  # not due yet: nothing sent
        assert syslog.records() == []
        env.make_outbox_due()
        env.once_ok()  # a 304, and the due notifications
        lines = syslog.records()
    finally:
        syslog.close()
    assert sorted(line.message.split(" (")[0] for line in lines) == ["us: Azerbaijan",
                                                                     "us: Kazakhstan"]
    assert len(env.journal.records()) == 2  # the journal is not told twice
    assert all(o["state"] == "delivered" for o in env.outbox())


def test_disabled_source_is_not_polled(env):
    env.write_config(source={"enabled": "no"})
    env.serve_feed("us-baseline.xml")
    r = env.once_ok()
    assert env.server.requests() == []
    assert "No source is enabled" in r.stderr
    assert env.ctl_json("status") == []
