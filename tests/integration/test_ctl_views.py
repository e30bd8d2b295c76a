"""advisoryctl status, history, changes and sources over a history of four governments built by
importing saved documents (tests/fixtures/ctl/): golden output for people, JSON and CSV, the
filters, country names, --local, colours, and errors."""

import csv
import io
import json
import os
import pty
import re
import subprocess
from datetime import datetime, timezone

import pytest

from advisoryenv import (ADVISORYCTL, CTL_SNAPSHOTS, assert_golden, child_env,
                         import_snapshots, run_ctl)

STORY = ["AF", "ET", "FR", "KZ", "NO", "UA"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("world") / "advisoryd.db"
    import_snapshots(db)
    return db


def ctl(db, *args, **kw):
    return run_ctl(db, *args, **kw)


def ok(db, *args, **kw):
    r = ctl(db, *args, **kw)
    assert r.returncode == 0, f"advisoryctl {' '.join(map(str, args))}: {r.stderr}"
    assert r.stderr == ""
    return r.stdout


def ok_json(db, *args):
    return json.loads(ok(db, "--json", *args))


def csv_rows(text):
    assert text.endswith("\r\n"), "RFC 4180 lines end in CRLF"
    return list(csv.DictReader(io.StringIO(text, newline="")))


def iso(t):
    return datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def as_csv(row):
    """A JSON row as the CSV writes it: null empty, numbers in decimal, booleans yes/no."""
    def cell(v):
        if v is None:
            return ""
        if v is True or v is False:
            return "yes" if v else "no"
        return str(v)
    return {k: cell(v) for k, v in row.items()}


# ---- status ----


def test_status_matrix_for_people(world):
    out = ok(world, "status")
    lines = out.splitlines()
    assert lines[0].split() == ["COUNTRY", "NAME", "AU", "CA", "DE", "US"]
    assert len(lines) == 1 + 110
    # highest level first (of any government, regional levels included), then by code
    worst = [max(int(x) for x in re.findall(r"\b[1-4]\b", line[20:])) for line in lines[1:]]
    assert worst == sorted(worst, reverse=True)
    assert_golden("status-matrix.txt", ok(world, "status", "--min-level", "2"))


def test_status_matrix_cells(world):
    rows = {line.split()[0]: line.split() for line in ok(world, "status").splitlines()[1:]}
    assert rows["ET"][-4:] == ["3", "2", "1/4", "3"]  # AU CA DE US; Germany: 1, regional 4
    assert rows["UA"][-4:] == ["4", "4", "4", "4"]
    assert rows["JP"][-4:] == ["1", "1", "1", "1"]
    assert "LA" in rows and rows["LA"][-1] == "-"  # the US feed does not list Laos


def test_status_min_level(world):
    lines = ok(world, "status", "--min-level", "4").splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["AF", "ET", "UA"]
    rows = ok_json(world, "status", "--min-level", "4")
    assert {(r["country"], r["source"]) for r in rows} == \
        {("AF", s) for s in "us ca de au".split()} | {("UA", s) for s in "us ca de au".split()} \
        | {("ET", "de")}


def test_status_blocks_for_people(world):
    out = ok(world, "status", "kazakhstan", "UA")
    assert out.startswith("Kazakhstan (KZ)\nGOVERNMENT")
    assert "\n\nUkraine (UA)\n" in out
    assert_golden("status-blocks.txt", out)


def test_status_json_and_csv(world):
    rows = ok_json(world, "status", "KZ", "ukraine")
    assert [(r["country"], r["source"]) for r in rows] == \
        [("KZ", s) for s in ("au", "ca", "de", "us")] + [("UA", s) for s in ("au", "ca", "de", "us")]
    us_kz = rows[3]
    assert us_kz["level"] == 2 and us_kz["regional_level"] is None
    assert us_kz["since"] == CTL_SNAPSHOTS["2022-06-01"]
    assert us_kz["label"] == "Level 2: Exercise Increased Caution"
    assert us_kz["url"].startswith("https://travel.state.gov/")
    assert_golden("status.json", ok(world, "--json", "status", "KZ", "ukraine"))
    text = ok(world, "--csv", "status", "KZ", "ukraine")
    assert_golden("status.csv", text)
    assert csv_rows(text) == [as_csv(r) for r in rows]


def test_status_of_everything(world):
    rows = ok_json(world, "status")
    assert len(rows) == 110 * 3 + 9  # Canada, Germany, Australia list 110; the US feed 9
    assert len({(r["source"], r["country"]) for r in rows}) == len(rows)
    assert [(r["country"], r["source"]) for r in rows] == \
        sorted((r["country"], r["source"]) for r in rows)
    # the current period is the latest: Germany's Ukraine since the war
    de_ua = next(r for r in rows if (r["source"], r["country"]) == ("de", "UA"))
    assert (de_ua["level"], de_ua["since"]) == (4, CTL_SNAPSHOTS["2022-02-24"])
    assert csv_rows(ok(world, "--csv", "status")) == [as_csv(r) for r in rows]


def test_status_of_a_country_nobody_covers(world):
    out = ok(world, "status", "Norway", "Tonga")
    assert "Tonga (TO)\n  no government's advice recorded yet\n" in out
    assert ok_json(world, "status", "TO") == []


# ---- history ----


def normalise_lasted(rows):
    """`lasted` of a period still in force grows with the clock: check it, then blank it."""
    now = datetime.now(timezone.utc)
    for r in rows:
        if r["until"] is None:
            lasted = (now - iso(r["since"])).total_seconds()
            assert abs(r["lasted"] - lasted) < 600, r
            r["lasted"] = None
    return rows


def blank_open_lasted(rows):
    """Two runs of advisoryctl may see the clock a second apart: blank what depends on it (the
    `lasted` of a period still in force, JSON null or CSV empty `until`)."""
    for r in rows:
        if r["until"] in (None, ""):
            r["lasted"] = None
    return rows


def test_history_for_people(world):
    out = ok(world, "history", "kazakhstan")
    lines = out.splitlines()
    assert lines[0].split() == ["SOURCE", "LEVEL", "REGIONAL", "PREVIOUS", "SINCE", "UNTIL",
                                "LASTED", "LABEL"]
    # aligned: every row's SINCE and LABEL start under the header's
    for column, pattern in (("SINCE", r"\d{4}-\d\d-\d\dT"), ("LABEL", r"(Level|Exercise|Take|Keine|Recons)")):
        at = lines[0].index(column)
        assert all(re.match(pattern, line[at:]) for line in lines[1:]), column
    # the LASTED of the periods still in force (and so the column's width) depends on today:
    # blank it, and compare the columns rather than their alignment
    blanked = [re.sub(r"  +", "  ", re.sub(r"(  -  +)\d+d \d+h", r"\1(now)", line))
               for line in lines]
    assert sum("(now)" in line for line in blanked) == 4
    assert_golden("history-kz.txt", "\n".join(blanked) + "\n")


def test_history_json_and_csv(world):
    rows = ok_json(world, "history", "KZ")
    assert [(r["source"], r["level"], r["previous_level"]) for r in rows] == [
        ("au", 2, None), ("ca", 1, None), ("de", 1, None), ("us", 1, None),
        ("au", 3, 2), ("ca", 2, 1), ("us", 3, 1),
        ("au", 2, 3), ("ca", 1, 2), ("us", 2, 3)]
    for r in rows:
        if r["until"] is not None:
            assert r["lasted"] == (iso(r["until"]) - iso(r["since"])).total_seconds()
    # each period lasts until the next one of the same government begins
    for source in ("au", "ca", "de", "us"):
        mine = [r for r in rows if r["source"] == source]
        assert [r["until"] for r in mine] == [r["since"] for r in mine[1:]] + [None]
    # the same rows in CSV (two runs: the clock may pass a second between them)
    text = ok(world, "--csv", "history", "KZ")
    assert blank_open_lasted(csv_rows(text)) == \
        blank_open_lasted([as_csv(r) for r in ok_json(world, "history", "KZ")])
    assert_golden("history-kz.json", json.dumps(normalise_lasted(rows), indent=2) + "\n")


def test_history_filters(world):
    us = ok_json(world, "history", "KZ", "--source", "us")
    assert [r["level"] for r in us] == [1, 3, 2]
    # --since: the periods still in force after it (the one in force then included)
    since = ok_json(world, "history", "kz", "--since", "2022-03-01", "--source", "us")
    assert [(r["level"], r["since"]) for r in since] == \
        [(3, CTL_SNAPSHOTS["2022-01-06"]), (2, CTL_SNAPSHOTS["2022-06-01"])]
    assert ok_json(world, "history", "KZ", "--source", "xx") == []
    # options before or after the country, global options anywhere
    assert blank_open_lasted(json.loads(ok(world, "--json", "history", "--source", "us", "KZ"))) \
        == blank_open_lasted(json.loads(ok(world, "history", "KZ", "--json", "--source", "us")))


def test_history_with_regional_levels(world):
    rows = ok_json(world, "history", "UA", "--source", "de")
    assert [(r["level"], r["regional_level"], r["previous_level"], r["previous_regional_level"])
            for r in rows] == [(1, 4, None, None), (4, None, 1, 4)]


def test_local_time(world):
    rows = json.loads(ok(world, "--json", "--local", "history", "KZ", "--source", "us",
                         env={"TZ": "Asia/Almaty"}))
    assert [r["since"] for r in rows] == ["2021-06-01T06:00:00+06:00",
                                          "2022-01-06T18:00:00+06:00",
                                          "2022-06-01T06:00:00+06:00"]
    out = ok(world, "history", "KZ", "--source", "us", "--local", env={"TZ": "Asia/Almaty"})
    assert "2022-01-06T18:00:00+06:00" in out
    # UTC unless --local, whatever TZ says
    assert "2022-01-06T12:00:00Z" in ok(world, "history", "KZ", env={"TZ": "Asia/Almaty"})


# ---- changes ----


def test_changes_for_people(world):
    out = ok(world, "changes")
    assert out.splitlines()[0].split()[:5] == ["OBSERVED", "SOURCE", "COUNTRY", "FROM", "TO"]
    assert_golden("changes.txt", out)


def test_changes_json_and_csv(world):
    rows = ok_json(world, "changes")
    assert len(rows) == 12
    assert set(rows[0]) == {"id", "event", "source", "country", "country_name", "level",
                            "previous_level", "regional_level", "previous_regional_level",
                            "label", "updated", "url", "observed_at"}
    assert [r["observed_at"] for r in rows] == sorted(r["observed_at"] for r in rows)
    assert all(r["event"] == "change" for r in rows)
    assert all((r["level"], r["regional_level"]) != (r["previous_level"],
                                                     r["previous_regional_level"]) for r in rows)
    assert_golden("changes.json", ok(world, "--json", "changes"))
    text = ok(world, "--csv", "changes")
    assert_golden("changes.csv", text)
    assert csv_rows(text) == [as_csv(r) for r in rows]
    # a change's id is the id of its period in history
    kz = {r["id"]: r for r in ok_json(world, "history", "KZ")}
    for c in rows:
        if c["country"] == "KZ":
            assert kz[c["id"]]["level"] == c["level"]
            assert kz[c["id"]]["since"] == c["observed_at"]


def test_changes_filters(world):
    def pick(*args):
        return [(c["source"], c["country"], c["previous_level"], c["level"])
                for c in ok_json(world, "changes", *args)]

    assert pick("--since", "2022-02-01", "--source", "us") == \
        [("us", "UA", 3, 4), ("us", "KZ", 3, 2)]
    assert pick("--since", "2022-06-01T00:00:00Z", "--min-level", "3") == \
        [("us", "KZ", 3, 2), ("au", "KZ", 3, 2)]
    assert pick("--min-level", "4", "--source", "de") == [("de", "UA", 1, 4)]
    assert pick("--since", "2022-06-01T00:00:01Z") == []


# ---- sources ----


def test_sources(world):
    rows = ok_json(world, "sources")
    assert [r["source"] for r in rows] == ["au", "ca", "de", "us"]
    assert [r["countries"] for r in rows] == [110, 110, 110, 9]
    for r in rows:
        # imports are not polls
        assert (r["state"], r["consecutive_failures"], r["last_attempt"], r["documents"]) == \
            ("ok", 0, None, 0)
        assert r["enabled"] is None  # no configuration given
    for key in ("source", "enabled", "state", "consecutive_failures", "last_attempt",
                "last_success", "last_error", "last_error_class", "countries", "next_poll"):
        assert key in rows[0]
    assert_golden("sources.txt", ok(world, "sources"))
    assert_golden("sources.json", ok(world, "--json", "sources"))
    assert csv_rows(ok(world, "--csv", "sources")) == [as_csv(r) for r in rows]


def test_sources_with_a_configuration(world, tmp_path):
    conf = tmp_path / "advisoryd.conf"
    conf.write_text(f"[daemon]\ndatabase = {world}\n\n[source:ca]\n\n"
                    "[source:de]\nenabled = no\n")
    rows = json.loads(ok(world, "-c", conf, "--json", "sources", database=False))
    assert {r["source"]: r["enabled"] for r in rows} == \
        {"au": False, "ca": True, "de": False, "us": False}


# ---- output for people ----


def run_on_a_terminal(db, *args, env):
    """advisoryctl with its stdout on a pseudo-terminal; returns what it wrote."""
    master, slave = pty.openpty()
    e = child_env()
    e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    p = subprocess.run([str(ADVISORYCTL), "--database", str(db), *args], stdout=slave,
                       stderr=subprocess.PIPE, env=e, timeout=60, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert p.returncode == 0, p.stderr
    return b"".join(chunks).decode()


def test_colours_only_on_a_terminal_without_no_color(world):
    coloured = run_on_a_terminal(world, "status", "UA", env={"NO_COLOR": None})
    assert "\x1b[" in coloured
    assert "\x1b[31m4\x1b[0m" in coloured  # level 4 in red
    assert "\x1b[" not in run_on_a_terminal(world, "status", "UA", env={"NO_COLOR": "1"})
    assert "\x1b[" not in ok(world, "status", "UA", env={"NO_COLOR": None})


# ---- errors ----


@pytest.mark.parametrize("args, message", [
    (["status", "atlantis"], "unknown country 'atlantis'"),
    (["history", "kazakstan"], "did you mean Kazakhstan (KZ)"),
    (["history"], "history takes one COUNTRY"),
    (["history", "KZ", "UA"], "history takes one COUNTRY"),
    (["status", "--min-level", "0"], "--min-level takes 1 to 4"),
    (["changes", "--min-level", "x"], "--min-level takes 1 to 4"),
    (["changes", "--since", "last tuesday"], "invalid time 'last tuesday'"),
    (["history", "KZ", "--since", "2022-13-01"], "invalid time"),
    (["changes", "KZ"], "changes takes no arguments"),
    (["sources", "--bogus"], "unrecognized option"),
    (["status", "--source"], "unrecognized option"),
    (["frobnicate"], "unknown command 'frobnicate'"),
])
def test_usage_errors_exit_2(world, args, message):
    r = ctl(world, *args)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("advisoryctl: ")
    assert message in r.stderr


def test_failures_exit_1(tmp_path):
    r = run_ctl(tmp_path / "missing.db", "status")
    assert r.returncode == 1 and "missing.db" in r.stderr and r.stdout == ""
    other = tmp_path / "other.db"
    import sqlite3
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    r = run_ctl(other, "history", "KZ")
    assert r.returncode == 1 and "not an advisoryd database" in r.stderr


def test_reading_never_writes(world):
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in [world]}
    for args in (["status"], ["history", "KZ"], ["changes"], ["sources"], ["feed"],
                 ["notifications"], ["timeline", "KZ", "--svg", "--until", "2023-01-01"]):
        ok(world, *args)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in [world]} == before
