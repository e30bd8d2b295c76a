"""advisoryctl notifications: the delivery queue as the daemon leaves it: delivered, pending
(a receiver that is not there) and failed notifications, with DESIGN.md's field names, filtered
with --pending or --failed, as a table, JSON and CSV."""

import csv
import io
import json
import sqlite3

import pytest

from advisoryenv import run_ctl

FIELDS = ["id", "notifier", "event", "source", "country", "state", "attempts", "next_attempt",
          "last_error"]


@pytest.fixture
def queue(env, tmp_path):
    """Two changes, each for a journal that takes them and a syslog socket that is missing."""
    env.write_config(extra="\n[notify:gone]\ntype = syslog\n"
                           f"socket = {tmp_path / 'no-such-socket'}\n")
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("us-changed.xml")
    env.once_ok()
    return env


def notifications(env, *args):
    r = run_ctl(env.db, "--json", "notifications", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_the_queue_with_design_field_names(queue):
    rows = notifications(queue)
    assert all(list(r)[:len(FIELDS)] == FIELDS for r in rows)
    by = {(r["notifier"], r["country"]): r for r in rows}
    changes = {c["country"]: c for c in queue.ctl_json("changes")}
    assert sorted(by) == sorted((n, cc) for n in ("gone", "j", "s") for cc in ("AZ", "KZ"))
    for (notifier, cc), r in by.items():
        assert (r["event"], r["source"], r["change_id"]) == ("change", "us", changes[cc]["id"])
        if notifier == "gone":
            assert (r["state"], r["attempts"]) == ("pending", 1)
            assert r["last_error"] and r["next_attempt"] > r["created_at"]
        else:
            assert (r["state"], r["attempts"], r["last_error"]) == ("delivered", 1, None)
            assert r["next_attempt"] is None and r["delivered_at"] is not None
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_filters(queue):
    pending = notifications(queue, "--pending")
    assert {r["notifier"] for r in pending} == {"gone"} and len(pending) == 2
    assert notifications(queue, "--failed") == []
    con = sqlite3.connect(queue.db)
    with con:
        con.execute("UPDATE outbox SET state = 'failed' WHERE id = ?", (pending[0]["id"],))
    con.close()
    failed = notifications(queue, "--failed")
    assert [(r["id"], r["state"], r["next_attempt"]) for r in failed] == \
        [(pending[0]["id"], "failed", None)]
    assert len(notifications(queue, "--pending")) == 1


def test_table_and_csv(queue):
    r = run_ctl(queue.db, "notifications", "--pending")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:7] == ["ID", "NOTIFIER", "EVENT", "SOURCE", "COUNTRY", "STATE",
                                    "ATTEMPTS"]
    assert len(lines) == 3 and all(" gone " in line and " pending " in line for line in lines[1:])
    r = run_ctl(queue.db, "--csv", "notifications")
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert [row["id"] for row in rows] == [str(n["id"]) for n in notifications(queue)]
    assert all(row["next_attempt"] == "" for row in rows if row["state"] == "delivered")


def test_source_events_have_no_country(env):
    env.write_config(daemon={"failure_threshold": "1"},
                     extra="\n[notify:ops]\ntype = journal\n"
                           f"socket = {env.journal.path}\nevents = source-failing\n")
    env.serve_feed("challenge.html", content_type="text/html")
    env.once()
    (row,) = notifications(env)
    assert (row["notifier"], row["event"], row["source"], row["country"], row["change_id"]) == \
        ("ops", "source-failing", "us", None, None)


def test_usage_errors(queue):
    for args in (["notifications", "--pending", "--failed"], ["notifications", "all"]):
        r = run_ctl(queue.db, *args)
        assert r.returncode == 2 and r.stderr.startswith("advisoryctl: "), r.stderr
