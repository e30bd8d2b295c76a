"""advisoryctl import: saved documents recorded as observations at a given time. The history it
builds does not depend on the order of the imports; an observation inside a recorded period
splits it; one that disagrees with another of the same second is refused; files that are not
documents of the source are skipped (exit 1) while the others are recorded; imports never notify,
and the daemon carries on from the imported state."""

import json
import os
import sqlite3
from datetime import datetime, timezone

import pytest

from advisoryenv import (CTL_SNAPSHOTS, CTL_SOURCES, FIXTURES, REPO, ctl_fixture,
                         import_snapshots, run_ctl)

STORY = ["AF", "ET", "FR", "KZ", "NO", "UA"]
AT = CTL_SNAPSHOTS


def history(db, countries=STORY):
    """The periods of the countries and every change: levels and times, without the row ids
    (they follow the order of the imports) and how long the current periods lasted. The wording
    is left out too: a period keeps only its latest wording, so when an import splits a period
    its first part keeps the wording of the latest observation imported before the split."""
    wording = ("id", "label", "updated", "url")
    out = {}
    for cc in countries:
        r = run_ctl(db, "--json", "history", cc)
        assert r.returncode == 0, r.stderr
        rows = [{k: v for k, v in row.items() if k not in wording} for row in json.loads(r.stdout)]
        for row in rows:
            if row["until"] is None:
                del row["lasted"]
        out[cc] = rows
    r = run_ctl(db, "--json", "changes")
    out["changes"] = sorted(({k: v for k, v in c.items() if k not in wording}
                             for c in json.loads(r.stdout)),
                            key=lambda c: (c["observed_at"], c["source"], c["country"]))
    return out


def imported(db, source, snapshot, *extra, at=None):
    r = run_ctl(db, "--json", "import", "--source", source, "--at", at or AT[snapshot],
                ctl_fixture(source, snapshot), *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_import_reports_what_it_did(tmp_path):
    db = tmp_path / "advisoryd.db"
    assert not db.exists()
    (row,) = imported(db, "ca", "2021-06-01")
    assert row == {"file": str(ctl_fixture("ca", "2021-06-01")), "observed_at": AT["2021-06-01"],
                   "records": 110, "extended": 0, "inserted": 110, "split": 0, "conflicts": 0,
                   "error": None}
    (row,) = imported(db, "ca", "2022-01-06")
    assert (row["extended"], row["inserted"]) == (108, 2)  # Kazakhstan and Ukraine changed
    r = run_ctl(db, "import", "--source", "ca", "--at", AT["2022-02-24"],
                ctl_fixture("ca", "2022-02-24"))
    assert r.returncode == 0 and r.stderr == ""
    header, line = r.stdout.splitlines()
    assert header.split() == ["FILE", "OBSERVED", "AT", "RECORDS", "EXTENDED", "INSERTED",
                              "SPLIT", "CONFLICTS", "ERROR"]
    assert line.split()[1:] == [AT["2022-02-24"], "110", "109", "1", "0", "0", "-"]


def test_order_of_imports_does_not_matter(tmp_path):
    in_order = tmp_path / "in-order.db"
    import_snapshots(in_order)
    # newest first, one source at a time, the middle ones last
    shuffled = tmp_path / "shuffled.db"
    for source in reversed(list(CTL_SOURCES)):
        for snapshot in ("2022-06-01", "2021-06-01", "2022-02-24", "2022-01-06"):
            imported(shuffled, source, snapshot)
    assert history(shuffled) == history(in_order)


def test_several_files_in_time_order(tmp_path):
    """Files given together are recorded in the order of their times, whatever the order on the
    command line: here by modification time."""
    db = tmp_path / "advisoryd.db"
    files = []
    for snapshot in reversed(list(CTL_SNAPSHOTS)):
        f = tmp_path / f"us-{snapshot}.xml"
        f.write_bytes(ctl_fixture("us", snapshot).read_bytes())
        t = int(datetime.strptime(AT[snapshot], "%Y-%m-%dT%H:%M:%SZ")
                .replace(tzinfo=timezone.utc).timestamp())
        os.utime(f, (t, t))
        files.append(f)
    r = run_ctl(db, "--json", "import", "--source", "us", *files)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["observed_at"] for row in rows] == list(AT.values())
    reference = tmp_path / "reference.db"
    import_snapshots(reference, sources=["us"])
    assert history(db) == history(reference)


def test_a_period_interrupted_by_an_import_is_split(tmp_path):
    db = tmp_path / "advisoryd.db"
    # Kazakhstan at 1 in June 2021 and again in June 2022 (one period, two observations) ...
    imported(db, "us", "2021-06-01")
    imported(db, "us", "2021-06-01", at=AT["2022-06-01"])
    r = run_ctl(db, "--json", "history", "KZ")
    assert [(h["level"], h["since"]) for h in json.loads(r.stdout)] == [(1, AT["2021-06-01"])]
    # ... and at 3 in between: three periods, two changes
    r = run_ctl(db, "--json", "import", "--source", "us", "--at", AT["2022-01-06"],
                ctl_fixture("us", "2022-01-06"))
    assert r.returncode == 0 and r.stderr == ""  # two observations: the split is exact
    (row,) = json.loads(r.stdout)
    assert row["split"] == 2  # Kazakhstan and Ukraine
    rows = json.loads(run_ctl(db, "--json", "history", "KZ").stdout)
    assert [(h["level"], h["previous_level"], h["since"], h["until"]) for h in rows] == [
        (1, None, AT["2021-06-01"], AT["2022-01-06"]),
        (3, 1, AT["2022-01-06"], AT["2022-06-01"]),
        (1, 3, AT["2022-06-01"], None)]
    status = json.loads(run_ctl(db, "--json", "status", "KZ").stdout)
    assert [(s["level"], s["since"]) for s in status] == [(1, AT["2022-06-01"])]


def test_a_split_of_many_observations_is_reported(tmp_path):
    db = tmp_path / "advisoryd.db"
    for day in ("2021-06-01", "2021-07-01", "2021-08-01"):
        imported(db, "us", "2021-06-01", at=day)
    r = run_ctl(db, "import", "--source", "us", "--at", "2021-07-15",
                ctl_fixture("us", "2022-01-06"))
    assert r.returncode == 0, r.stderr
    assert "KZ: level 3 at 2021-07-15T00:00:00Z interrupts level 1, observed 3 times from " \
           "2021-06-01T00:00:00Z to 2021-08-01T00:00:00Z" in r.stderr


def test_disagreeing_observations_of_the_same_second(tmp_path):
    db = tmp_path / "advisoryd.db"
    imported(db, "us", "2021-06-01")
    before = history(db, ["KZ", "UA"])
    r = run_ctl(db, "--json", "import", "--source", "us", "--at", AT["2021-06-01"],
                ctl_fixture("us", "2022-01-06"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["conflicts"] == 2
    assert "KZ: level 3 at 2021-06-01T00:00:00Z disagrees with level 1 observed at the same " \
           "time; kept level 1" in r.stderr
    assert history(db, ["KZ", "UA"]) == before


def test_bad_files_are_skipped_and_the_rest_recorded(tmp_path):
    db = tmp_path / "advisoryd.db"
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    challenge = FIXTURES / "challenge.html"
    missing = tmp_path / "missing.json"
    r = run_ctl(db, "--json", "import", "--source", "de", "--at", AT["2022-01-06"], empty,
                ctl_fixture("de", "2022-01-06"), challenge, missing)
    assert r.returncode == 1
    rows = {row["file"]: row for row in json.loads(r.stdout)}
    assert rows[str(ctl_fixture("de", "2022-01-06"))]["records"] == 110
    for bad in (empty, challenge, missing):
        assert rows[str(bad)]["error"] and rows[str(bad)]["records"] is None
        assert f"advisoryctl: {bad}: " in r.stderr
    assert r.stderr.count("\n") == 3
    assert "No such file or directory" in rows[str(missing)]["error"]
    assert "(blocked)" in rows[str(challenge)]["error"]
    status = json.loads(run_ctl(db, "--json", "status", "UA").stdout)
    assert [(s["source"], s["level"], s["regional_level"]) for s in status] == [("de", 1, 4)]


def test_a_file_from_the_future_is_skipped(tmp_path):
    db = tmp_path / "advisoryd.db"
    f = tmp_path / "us.xml"
    f.write_bytes(ctl_fixture("us", "2021-06-01").read_bytes())
    os.utime(f, (4102444800, 4102444800))  # 2100
    r = run_ctl(db, "import", "--source", "us", f)
    assert r.returncode == 1
    assert "its time lies in the future" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--at", "2022-01-01"], "import needs --source SRC"),
    (["--source", "us"], "import needs at least one FILE"),
    (["--source", "atlantis", "--at", "2022-01-01", "f"], "unknown source 'atlantis'"),
    (["--source", "us", "--at", "2100-01-01", "f"], "lies in the future"),
    (["--source", "us", "--at", "soon", "f"], "invalid time 'soon'"),
])
def test_usage_errors(tmp_path, args, message):
    db = tmp_path / "advisoryd.db"
    r = run_ctl(db, "import", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert not db.exists()


def test_a_database_that_cannot_be_written(tmp_path):
    r = run_ctl(tmp_path / "no" / "such" / "dir.db", "import", "--source", "us", "--at",
                "2022-01-01", ctl_fixture("us", "2021-06-01"))
    assert r.returncode == 1
    assert "no/such/dir.db" in r.stderr


def test_reading_while_the_database_is_being_written(tmp_path):
    """advisoryctl opens the database read-only: it answers while a writer holds the lock."""
    db = tmp_path / "advisoryd.db"
    import_snapshots(db, snapshots=["2021-06-01"], sources=["us"])
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE period SET observations = observations + 1")
        r = run_ctl(db, "--json", "status", "KZ")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)[0]["level"] == 1
    finally:
        con.execute("ROLLBACK")
        con.close()


# ---- imports and the daemon ----


def test_imports_never_notify_and_the_daemon_carries_on(env):
    """History imported with the configuration that routes every change to two notifiers:
    no notification. The daemon's next poll then compares with the imported state."""
    import_snapshots(env.db, snapshots=["2021-06-01", "2022-01-06"], sources=["us"])
    r = run_ctl(env.db, "-c", env.config, "import", "--source", "us", "--at",
                AT["2022-02-24"], ctl_fixture("us", "2022-02-24"), database=False)
    assert r.returncode == 0, r.stderr
    assert len(env.ctl_json("changes")) == 3  # KZ 1 → 3, UA 2 → 3 → 4
    assert env.outbox() == []
    assert env.journal.records() == [] and env.syslog.records() == []

    # what the February document says, but Kazakhstan at 4
    feed = ctl_fixture("us", "2022-02-24").read_text().replace(
        "Level 3: Reconsider Travel</category>\n<category domain=\"Country-Tag\">KZ",
        "Level 4: Do Not Travel</category>\n<category domain=\"Country-Tag\">KZ")
    assert "Level 4: Do Not Travel</category>\n<category domain=\"Country-Tag\">KZ" in feed
    env.serve_feed(feed.encode())
    env.once_ok()
    changes = env.ctl_json("changes", "--since", "1d")
    assert [(c["country"], c["previous_level"], c["level"]) for c in changes] == [("KZ", 3, 4)]
    assert {o["change_id"] for o in env.outbox()} == {changes[0]["id"]}
    assert len(env.journal.wait(1, 10)) == 1


# ---- sources with one document per country ----


def test_pages_of_a_source_at_one_time(tmp_path):
    """Norway publishes a page per country: an archive of pages is imported at one time, each
    page a document. The motivating case: every government on Kazakhstan, Norway included."""
    db = tmp_path / "advisoryd.db"
    import_snapshots(db)
    pages = REPO / "tests" / "fixtures" / "no"
    url = "https://www.regjeringen.no/no/tema/utenrikssaker/reiseinformasjon/velg-land/" \
          "reiseinfo_kasakhstan/id2414536/"
    r = run_ctl(db, "import", "--source", "no", "--at", AT["2022-01-06"], "--url", url,
                pages / "kazakhstan-2022.html")
    assert r.returncode == 0, r.stderr
    r = run_ctl(db, "--json", "import", "--source", "no", "--at", AT["2022-01-06"],
                pages / "sweden-no-advice.html", pages / "challenge-cloudflare.html")
    assert r.returncode == 1  # the challenge page is not a document of the source
    rows = json.loads(r.stdout)
    assert [row["records"] for row in rows] == [1, None]
    assert [row["observed_at"] for row in rows] == [AT["2022-01-06"]] * 2
    status = {s["source"]: s for s in json.loads(run_ctl(db, "--json", "status", "KZ").stdout)}
    assert sorted(status) == ["au", "ca", "de", "no", "us"]
    assert (status["no"]["level"], status["no"]["since"], status["no"]["url"]) == \
        (3, AT["2022-01-06"], url)
    assert "fraråder alle reiser som ikke er strengt nødvendige" in status["no"]["label"]
    assert "\nNorway         3 " in run_ctl(db, "status", "kazakhstan").stdout
