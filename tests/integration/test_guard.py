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


# ---- sources read page by page: the guard judges a poll's changed pages together ----

from test_sources_user import Site, mygov_changes, mygov_status, user_config  # noqa: E402

COUNTRIES = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR"]


def test_page_source_mass_change_is_held_until_confirmed(env):
    site = Site(env.server)
    for cc in COUNTRIES:
        site.serve(cc, 1)
    user_config(env, site, countries=" ".join(COUNTRIES))
    env.once_ok()
    assert {cc: r["level"] for cc, r in mygov_status(env).items()} == {cc: 1 for cc in COUNTRIES}

    # a redesign that makes ten of twelve pages read "Do not travel": one page at a time would
    # pass any per-document check; together they are an implausible 83 %
    for cc in COUNTRIES[:10]:
        site.serve(cc, 4)
    r = env.once_ok()
    assert "held back" in r.stderr
    assert all(rec["level"] == 1 for rec in mygov_status(env).values())
    assert mygov_changes(env) == []
    assert env.journal.records() == []
    assert env.source("mygov")["state"] == "held"

    env.once_ok()  # seen again (the held pages kept no validators): still held
    assert mygov_changes(env) == []
    env.once_ok()  # confirmed: a real change, told once per country
    assert len(mygov_changes(env)) == 10
    assert env.source("mygov")["state"] == "ok"
    assert len([rec for rec in env.journal.records()
                if rec.get("MESSAGE_ID") == MESSAGE_ID_LEVEL_CHANGED]) == 10


def test_page_source_plausible_change_is_recorded_at_once(env):
    site = Site(env.server)
    for cc in COUNTRIES:
        site.serve(cc, 1)
    user_config(env, site, countries=" ".join(COUNTRIES))
    env.once_ok()
    site.serve("AT", 3)
    r = env.once_ok()
    assert "held back" not in r.stderr
    assert [(c["country"], c["level"]) for c in mygov_changes(env)] == [("AT", 3)]


def test_uk_held_pages_are_read_again_by_a_forced_sweep(env):
    """The UK driver fetches only countries whose index date changed; pages held back must be
    read again all the same, or the next poll could never confirm (or clear) what it held."""
    from test_sources_uk import ContentApi, uk_config, uk_status

    api = ContentApi(env.server)
    api.serve_all()
    uk_config(env, api)
    env.once_ok()
    flipped = list(api.pages)[:60]  # about half the countries at once
    for slug in flipped:
        api.change(slug, ["avoid_all_travel_to_whole_country"])
    r = env.once_ok()
    assert "held back" in r.stderr
    assert all(rec["level"] == 1 for rec in uk_status(env).values())

    before = len(env.server.requests())
    env.once_ok()  # the index is unchanged, but every country is read again
    paths = {req.path for req in env.server.requests()[before:]}
    assert all(api.path(slug) in paths for slug in api.pages)
    assert all(rec["level"] == 1 for rec in uk_status(env).values())
    env.once_ok()
    assert sum(1 for rec in uk_status(env).values() if rec["level"] == 4) == 60
