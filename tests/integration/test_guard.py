"""The mass-change guard: a document that would change an implausible share of a source's
countries at once is held back as a suspected extraction fault, not a storm of alerts; the same
result seen on further polls is accepted as a real worldwide change."""

import re

from advisoryenv import MESSAGE_ID_LEVEL_CHANGED, fixture


def flipped_feed():
    """The baseline feed with every country at level 4: most of them change."""
    feed = fixture("us-baseline.xml").decode()
    feed = re.sub(r"Level [1-3]: [A-Za-z ]+", "Level 4: Do Not Travel", feed)
    return feed.encode()


def levels(env):
    return {cc: rec["level"] for cc, rec in env.status().items()}


def test_mass_change_is_held_then_confirmed(env):
    env.serve_feed("us-baseline.xml")
    env.write_config()
    env.once_ok()
    before = levels(env)
    assert sum(1 for lv in before.values() if lv != 4) / len(before) > 0.3

    env.serve_feed(flipped_feed())
    # first sighting: held, state unchanged, nobody told, one warning
    r = env.once_ok()
    assert "held back" in r.stderr
    assert levels(env) == before
    assert env.ctl_json("changes") == []
    assert env.journal.records() == []
    source = env.source()
    assert source["state"] == "held"
    assert "suspected extraction fault" in source["last_error"]

    # the same result again: still held (fetched in full: a held document keeps no validators,
    # or the next poll would get a 304 and never see it again)
    r = env.once_ok()
    assert "held back" in r.stderr
    assert levels(env) == before

    # seen on the configured number of further polls: a real worldwide change, told once each
    r = env.once_ok()
    assert all(lv == 4 for lv in levels(env).values())
    changes = env.ctl_json("changes")
    assert len(changes) == sum(1 for lv in before.values() if lv != 4)
    assert env.source()["state"] == "ok"
    records = [rec for rec in env.journal.records()
               if rec.get("MESSAGE_ID") == MESSAGE_ID_LEVEL_CHANGED]
    assert len(records) == len(changes)


def test_plausible_change_is_not_held(env):
    env.serve_feed("us-baseline.xml")
    env.write_config()
    env.once_ok()
    env.serve_feed("us-changed.xml")
    r = env.once_ok()
    assert "held back" not in r.stderr
    assert len(env.ctl_json("changes")) == 2


def test_threshold_is_configurable(env):
    env.serve_feed("us-baseline.xml")
    env.write_config(daemon={"mass_change_threshold": "100%"})
    env.once_ok()
    env.serve_feed(flipped_feed())
    env.once_ok()
    assert all(lv == 4 for lv in levels(env).values())


def test_operator_accepts_a_held_document(env):
    env.serve_feed("us-baseline.xml")
    env.write_config()
    env.once_ok()
    before = levels(env)
    env.serve_feed(flipped_feed())
    env.once_ok()
    assert levels(env) == before

    r = env.ctl("accept", "us")
    assert r.returncode == 0, r.stderr
    env.once_ok()
    assert all(lv == 4 for lv in levels(env).values())
    assert env.source()["state"] == "ok"


def test_accept_without_a_held_document_fails(env):
    env.serve_feed("us-baseline.xml")
    env.write_config()
    env.once_ok()
    r = env.ctl("accept", "us")
    assert r.returncode == 1
    assert "nothing of 'us' is held back" in r.stderr
    assert env.ctl("accept").returncode == 2
