"""advisoryctl feed: an Atom 1.0 feed of the changes, read back by a real feed parser (Debian's
python3-feedparser): well-formed, stable entry ids, times, titles, links; --output replaces the
file atomically."""

import json
import os
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

with warnings.catch_warnings():  # feedparser 6.0 imports cgi, deprecated since Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    import feedparser

from advisoryenv import (CTL_SNAPSHOTS, assert_golden, ctl_fixture, import_snapshots, run_ctl)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(tmp_path):
    db = tmp_path / "advisoryd.db"
    import_snapshots(db)
    return db


def feed(db, *args):
    r = run_ctl(db, "feed", *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def parsed(text):
    d = feedparser.parse(text.encode())
    assert d.bozo == 0, d.get("bozo_exception")
    assert d.version == "atom10"
    return d


def changes(db, *args):
    return json.loads(run_ctl(db, "--json", "changes", *args).stdout)


def utc(struct):
    return datetime(*struct[:6], tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_feed_is_valid_atom_with_one_entry_per_change(world):
    d = parsed(feed(world))
    expected = list(reversed(changes(world)))  # newest first
    assert len(d.entries) == len(expected) == 12
    assert d.feed.title == "Travel advice changes"
    assert d.feed.id == "tag:advisoryd,2025:changes"
    assert utc(d.feed.updated_parsed) == expected[0]["observed_at"]
    assert d.feed.author == "advisoryd"
    ids = [e.id for e in d.entries]
    assert len(set(ids)) == len(ids)
    for e, c in zip(d.entries, expected):
        assert e.id == f"tag:advisoryd,2025:change/{c['id']}"
        assert utc(e.updated_parsed) == c["observed_at"]
        assert e.link == c["url"]
        assert e.title.startswith(f"{c['source']}: {c['country_name']} ({c['country']}) ")
        assert c["label"] in e.title and c["label"] in e.content[0].value
        assert e.content[0].type == "text/html"
        assert {t.term for t in e.tags} == {c["source"], c["country"]}
    kz = next(e for e in d.entries if "Kazakhstan (KZ) raised from level 1 to 3" in e.title)
    assert kz.title == 'us: Kazakhstan (KZ) raised from level 1 to 3: "Level 3: Reconsider Travel"'
    assert "level 3 (reconsider travel); before: level 1 (normal precautions)" in \
        kz.content[0].value
    assert '<a href="https://travel.state.gov/' in kz.content[0].value


def test_feed_golden(world):
    text = re.sub(r'<generator version="[^"]*">', '<generator version="VERSION">',
                  feed(world, "--since", "2022-02-01"))
    assert_golden("feed.xml", text)


def test_feed_since(world):
    d = parsed(feed(world, "--since", "2022-02-24T12:00:00Z"))
    assert [e.title.split(":")[0] for e in d.entries] == ["au", "ca", "us", "de", "ca", "us"]
    d = parsed(feed(world, "--since", "2030-01-01"))
    assert d.entries == []
    # no entries: the feed's time is still the database's, not the clock's
    assert utc(d.feed.updated_parsed) == CTL_SNAPSHOTS["2022-06-01"]


def test_entry_ids_survive_later_imports(world):
    before = {e.id: e for e in parsed(feed(world)).entries}
    # an older observation at the new level moves two changes earlier; ids stay
    r = run_ctl(world, "import", "--source", "us", "--at", "2022-05-01",
                ctl_fixture("us", "2022-06-01"))
    assert r.returncode == 0, r.stderr
    after = {e.id: e for e in parsed(feed(world)).entries}
    assert after.keys() == before.keys()
    moved = [i for i in after if after[i].updated != before[i].updated]
    assert [after[i].title for i in moved] == [
        'us: Kazakhstan (KZ) lowered from level 3 to 2: "Level 2: Exercise Increased Caution"']
    assert utc(after[moved[0]].updated_parsed) == "2022-05-01T00:00:00Z"


def test_the_latest_hundred_without_since(tmp_path):
    db = tmp_path / "advisoryd.db"
    # Kazakhstan and Ukraine flip between two documents: two changes per import
    for day in range(52):
        snapshot = "2022-01-06" if day % 2 else "2021-06-01"
        at = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(days=day)
        r = run_ctl(db, "import", "--source", "us", "--at", at.strftime("%Y-%m-%d"),
                    ctl_fixture("us", snapshot))
        assert r.returncode == 0, r.stderr
    assert len(changes(db)) == 102
    d = parsed(feed(db))
    assert len(d.entries) == 100
    newest = list(reversed(changes(db)))[:100]
    assert [e.id.rsplit("/", 1)[1] for e in d.entries] == [str(c["id"]) for c in newest]
    assert len(parsed(feed(db, "--since", "2000-01-01")).entries) == 102


def test_output_is_written_atomically(world, tmp_path):
    out = tmp_path / "www" / "advisories.atom"
    out.parent.mkdir()
    out.write_text("old")
    os.chmod(out.parent, 0o755)
    r = run_ctl(world, "feed", "--output", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert out.read_text() == feed(world)
    assert (out.stat().st_mode & 0o777) == 0o644
    assert sorted(p.name for p in out.parent.iterdir()) == ["advisories.atom"]  # no temporary
    r = run_ctl(world, "feed", "--output", tmp_path / "missing" / "feed.atom")
    assert r.returncode == 1 and "missing/feed.atom" in r.stderr


def test_an_empty_database_gives_a_valid_feed(tmp_path):
    db = tmp_path / "advisoryd.db"
    import_snapshots(db, snapshots=["2021-06-01"], sources=["us"])
    d = parsed(feed(db))
    assert d.entries == []
    assert utc(d.feed.updated_parsed) == CTL_SNAPSHOTS["2021-06-01"]
    root = ET.fromstring(feed(db))
    assert root.tag == ATOM + "feed"


@pytest.mark.parametrize("args", [["--json", "feed"], ["feed", "--csv"], ["feed", "extra"],
                                  ["feed", "--since", "whenever"]])
def test_usage_errors(world, args):
    r = run_ctl(world, *args)
    assert r.returncode == 2, r.stderr
    assert r.stdout == "" and r.stderr.startswith("advisoryctl: ")
