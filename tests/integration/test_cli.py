"""The command lines: advisoryd's configuration check and usage errors, advisoryctl's extract,
country names, and its JSON and CSV output."""

import csv
import io
import json
import re

import pytest

from advisoryenv import FIXTURES

RECORD_KEYS = ["source", "country", "level", "regional_level", "label", "updated", "url"]


# ---- advisoryd --test-config and usage errors ----


def test_test_config_prints_the_effective_configuration(env):
    conf = env.write_config(daemon={"max_document_size": "64K"})
    dropins = conf.parent / (conf.name + ".d")
    dropins.mkdir()
    (dropins / "10-us.conf").write_text("[source:us]\ninterval = 15m\n")

    r = env.advisoryd("--test-config", "-c", conf)

    assert r.returncode == 0, r.stderr
    out = r.stdout
    sections = re.findall(r"^\[([^\]]+)\]$", out, re.M)
    assert sections == ["daemon", "source:us", "notify:j", "notify:s"]
    us = out.split("[source:us]")[1].split("\n[")[0]
    assert "interval = 15m" in us  # the drop-in wins
    assert f"url = {env.feed_url}" in us
    daemon = out.split("[daemon]")[1].split("\n[")[0]
    assert f"database = {env.db}" in daemon
    assert "max_document_size = 64K" in daemon
    assert "retry_max_age = 3d" in daemon  # defaults are shown too
    assert "user_agent = advisoryd/" in daemon
    assert f"socket = {env.journal.path}" in out
    assert "facility = local3" in out
    # a check, not a run: nothing fetched, no database created
    assert env.server.requests() == []
    assert not env.db.exists()


def test_test_config_output_is_a_valid_configuration(env):
    conf = env.write_config()
    first = env.advisoryd("--test-config", "-c", conf)
    again = env.tmp / "again.conf"
    again.write_text(first.stdout)
    second = env.advisoryd("--test-config", "-c", again)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split("\n", 1)[1] == first.stdout.split("\n", 1)[1]


BROKEN = [
    pytest.param("[daemon]\ninterval = 1h\nbogus = 3\n", 3, "bogus", id="unknown-key"),
    pytest.param("[daemon]\n\n[sauce:us]\n", 3, "sauce", id="unknown-section"),
    pytest.param("[daemon]\ninterval = soon\n", 2, "interval", id="bad-duration"),
    pytest.param("[daemon]\nmax_document_size = lots\n", 2, "max_document_size", id="bad-size"),
    pytest.param("[source:us]\nurl = ftp://example.org/feed\n", 2, "url", id="not-http"),
    pytest.param("[notify:x]\ntype = pigeon\n", 2, "pigeon", id="bad-notifier"),
]


@pytest.mark.parametrize("text, line, word", BROKEN)
def test_broken_config_names_file_and_line(env, text, line, word):
    conf = env.tmp / "broken.conf"
    conf.write_text(text)
    for mode in ("--test-config", "--once"):
        r = env.advisoryd(mode, "-c", conf)
        assert r.returncode == 2, (mode, r.stdout, r.stderr)
        assert r.stdout == ""
        assert re.search(rf"^{re.escape(str(conf))}:{line}: .*{re.escape(word)}", r.stderr,
                         re.M), r.stderr
    assert env.server.requests() == []


def test_broken_dropin_names_the_dropin(env):
    conf = env.write_config()
    dropins = conf.parent / (conf.name + ".d")
    dropins.mkdir()
    bad = dropins / "20-bad.conf"
    bad.write_text("# a comment\n[source:us]\ninterval = soon\n")
    r = env.advisoryd("--test-config", "-c", conf)
    assert r.returncode == 2
    assert r.stderr.startswith(f"{bad}:3: "), r.stderr


def test_missing_config_is_a_configuration_error(env):
    r = env.advisoryd("--test-config", "-c", env.tmp / "nope.conf")
    assert r.returncode == 2
    assert "nope.conf" in r.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["extra-argument"], ["-c"]],
                         ids=["unknown-option", "argument", "missing-value"])
def test_once_with_bad_usage_exits_2(env, args):
    env.serve_feed("us-baseline.xml")
    r = env.advisoryd("--once", *args) if args == ["-c"] else env.once(*args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip()
    assert env.server.requests() == []
    assert not env.db.exists()


def test_version_and_help(env):
    r = env.advisoryd("--version")
    assert r.returncode == 0 and r.stdout.startswith("advisoryd ")
    r = env.advisoryd("--help")
    assert r.returncode == 0 and "--once" in r.stdout and "--test-config" in r.stdout


# ---- advisoryctl extract ----


def test_extract_prints_the_records_of_a_saved_feed(env):
    r = env.ctl("--json", "extract", "--source", "us", FIXTURES / "us-baseline.xml",
                database=False)
    assert r.returncode == 0, r.stderr
    records = json.loads(r.stdout)
    assert len(records) == 23
    assert all(list(rec) == RECORD_KEYS for rec in records)
    by = {rec["country"]: rec for rec in records}
    assert by["CN"]["level"] == 2 and by["CH"]["level"] == 1  # FIPS CH is China, SZ Switzerland
    assert by["NE"]["level"] == 4 and by["NG"]["level"] == 3  # FIPS NG is Niger, NI Nigeria
    assert "US" not in by  # the Worldwide Caution item carries no level
    assert by["KZ"] == {
        "source": "us", "country": "KZ", "level": 1, "regional_level": None,
        "label": "Level 1: Exercise Normal Precautions", "updated": "2021-09-14",
        "url": "https://travel.state.gov/content/travel/en/traveladvisories/"
               "traveladvisories/kazakhstan-travel-advisory.html",
    }


def test_extract_agrees_with_what_the_daemon_records(env):
    env.serve_feed("us-changed.xml")
    env.once_ok()
    r = env.ctl("--json", "extract", "--source", "us", FIXTURES / "us-changed.xml",
                database=False)
    extracted = {rec["country"]: rec for rec in json.loads(r.stdout)}
    recorded = env.status()
    assert extracted.keys() == recorded.keys()
    for cc, rec in extracted.items():
        for key in RECORD_KEYS:
            assert recorded[cc][key] == rec[key], (cc, key)


@pytest.mark.parametrize("content", [
    pytest.param(b"{}", id="json-object"),
    pytest.param(b"", id="empty"),
    pytest.param((FIXTURES / "us-truncated.xml").read_bytes(), id="truncated"),
    pytest.param((FIXTURES / "challenge.html").read_bytes(), id="challenge"),
    pytest.param(b"<rss version=\"2.0\"><channel></channel></rss>", id="no-items"),
])
def test_extract_refuses_what_is_not_a_feed(env, content):
    doc = env.tmp / "saved"
    doc.write_bytes(content)
    r = env.ctl("--json", "extract", "--source", "us", doc, database=False)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.strip(), r.stderr


def test_extract_usage_errors(env):
    doc = FIXTURES / "us-baseline.xml"
    for args in (["extract", doc], ["extract", "--source", "atlantis", doc],
                 ["extract", "--source", "us"]):
        r = env.ctl(*args, database=False)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stdout == ""
    r = env.ctl("extract", "--source", "us", env.tmp / "missing.xml", database=False)
    assert r.returncode == 1 and "missing.xml" in r.stderr


def test_extract_csv_quotes_labels(env):
    feed = (FIXTURES / "us-baseline.xml").read_text().replace(
        "Level 4: Do Not Travel</category>\n<category domain=\"Country-Tag\">AF",
        "Level 4: Do Not Travel, \"at all\"; ever</category>\n"
        "<category domain=\"Country-Tag\">AF")
    doc = env.tmp / "quoted.xml"
    doc.write_text(feed)
    r = env.ctl("--csv", "extract", "--source", "us", doc, database=False)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 23
    af = next(row for row in rows if row["country"] == "AF")
    assert af["label"] == 'Level 4: Do Not Travel, "at all"; ever'


# ---- advisoryctl countries, JSON and CSV ----


@pytest.fixture
def changed(env):
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("us-changed.xml")
    env.once_ok()
    return env


def test_history_of_an_unknown_country(changed):
    r = changed.ctl("history", "atlantis")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "unknown country 'atlantis'" in r.stderr
    assert r.stderr.count("\n") == 1


def test_history_suggests_close_names(changed):
    r = changed.ctl("history", "kazakstan")
    assert r.returncode == 2
    assert "Kazakhstan (KZ)" in r.stderr


@pytest.mark.parametrize("name", ["KZ", "kz", "kazakhstan", "Kazakhstan", "KAZ"])
def test_history_by_code_or_english_name(changed, name):
    history = changed.ctl_json("history", name)
    assert [(h["country"], h["level"]) for h in history] == [("KZ", 1), ("KZ", 3)]


def test_history_table_for_people(changed):
    r = changed.ctl("history", "kazakhstan")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["SOURCE", "LEVEL"]
    assert len(lines) == 3
    assert "Reconsider Travel" in lines[2]


def test_history_csv(changed):
    r = changed.ctl("--csv", "history", "kazakhstan")
    assert r.returncode == 0, r.stderr
    reader = csv.reader(io.StringIO(r.stdout))
    header = next(reader)
    assert header == list(changed.ctl_json("history", "KZ")[0].keys())
    rows = [dict(zip(header, row)) for row in reader]
    assert [(row["level"], row["previous_level"]) for row in rows] == [("1", ""), ("3", "1")]
    assert all(row["source"] == "us" and row["country"] == "KZ" for row in rows)


def test_status_csv_and_json_agree(changed):
    r = changed.ctl("--csv", "status")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    status = changed.ctl_json("status")
    assert len(rows) == len(status) == 24
    assert [(row["country"], int(row["level"])) for row in rows] == \
        [(s["country"], s["level"]) for s in status]


def test_status_of_named_countries(changed):
    rows = changed.ctl_json("status", "kazakhstan", "AZ", "kz")
    assert [(s["country"], s["level"]) for s in rows] == [("KZ", 3), ("AZ", 2)]
    r = changed.ctl("status", "Kazakhstan")
    assert r.returncode == 0 and "Kazakhstan (KZ)" in r.stdout


def test_sources_with_the_configuration(changed):
    (src,) = json.loads(changed.ctl("-c", changed.config, "--json", "sources").stdout)
    assert src["source"] == "us"
    assert src["enabled"] is True
    assert src["state"] == "ok"
    assert src["countries"] == 24


def test_changes_filters(changed):
    # AZ went from 3 to 2: it reached level 3 on one side
    assert sorted(c["country"] for c in changed.ctl_json("changes", "--min-level", "3")) == \
        ["AZ", "KZ"]
    assert changed.ctl_json("changes", "--min-level", "4") == []
    assert changed.ctl_json("changes", "--source", "no") == []
    assert len(changed.ctl_json("changes", "--since", "1d")) == 2
    assert changed.ctl_json("changes", "--since", "2999-01-01") == []


@pytest.mark.parametrize("args", [["bogus"], ["changes", "--min-level", "9"],
                                  ["changes", "--since", "yesterday-ish"], []],
                         ids=["unknown-command", "bad-level", "bad-when", "no-command"])
def test_ctl_usage_errors(changed, args):
    r = changed.ctl(*args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("advisoryctl: ")


def test_ctl_without_a_database(env):
    r = env.ctl("--json", "status")
    assert r.returncode == 1
    assert r.stdout == ""
    assert str(env.db) in r.stderr


@pytest.mark.parametrize("width", [71, 72, 73, 74, 90])
def test_long_labels_are_cut_in_the_table_for_people(env, width):
    """extract's table cuts labels to 72 columns, the last one "…" (JSON and CSV keep them);
    73 is the edge where "…" (3 bytes) replaces two ASCII characters."""
    label = "Level 4: " + "D" * (width - 9)
    feed = (FIXTURES / "us-baseline.xml").read_text().replace(
        "Level 4: Do Not Travel</category>\n<category domain=\"Country-Tag\">AF",
        f"{label}</category>\n<category domain=\"Country-Tag\">AF")
    doc = env.tmp / "long.xml"
    doc.write_text(feed)

    r = env.ctl("extract", "--source", "us", doc, database=False)

    assert r.returncode == 0, r.stderr
    (line,) = [line for line in r.stdout.splitlines() if line.split()[1:2] == ["AF"]]
    shown = line.split(maxsplit=4)[4].rsplit(maxsplit=1)[0]
    if width <= 72:
        assert shown == label
    else:
        assert shown == label[:71] + "…"
    r = env.ctl("--json", "extract", "--source", "us", doc, database=False)
    assert next(rec for rec in json.loads(r.stdout) if rec["country"] == "AF")["label"] == label


def test_runtime_failure_exits_1(env):
    env.write_config(daemon={"database": env.tmp / "no" / "such" / "dir" / "advisoryd.db"})
    env.serve_feed("us-baseline.xml")
    r = env.once()
    assert r.returncode == 1, r.stderr
    assert "no/such/dir/advisoryd.db" in r.stderr
    assert env.server.requests() == []


def test_ctl_finds_the_database_through_the_configuration(changed):
    r = changed.ctl("-c", changed.config, "--json", "status", "KZ", database=False)
    assert r.returncode == 0, r.stderr
    assert [(s["country"], s["level"]) for s in json.loads(r.stdout)] == [("KZ", 3)]
