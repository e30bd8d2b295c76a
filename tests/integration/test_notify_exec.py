"""type = exec: the command runs without a shell, gets the JSON payload on stdin and the same
facts as ADVISORY_* variables in a minimal environment; scraped text arrives verbatim as data;
a failing or hanging program is retried (and killed after its timeout)."""

import json
import time
from pathlib import Path

import pytest

from notify_sinks import ExecTarget

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notify"
PWNED = Path("/tmp/advisoryd-pwned-by-label")  # what the label in us-hostile.xml would create


@pytest.fixture
def target(tmp_path):
    return ExecTarget(tmp_path / "exec")


def configure(env, target, *args, **keys):
    words = " ".join([str(target.script), str(target.dir), *args])
    keys = {"type": "exec", "command": words, **keys}
    env.write_config(notifiers=False, extra="\n[notify:script]\n" +
                     "".join(f"{k} = {v}\n" for k, v in keys.items()))


def record(env, after):
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / after).read_bytes())
    return env.once_ok()


def test_payload_on_stdin_and_in_the_environment(env, target):
    configure(env, target, '"two words"', "'$HOME'")
    record(env, "us-after.xml")

    calls = target.calls()
    assert len(calls) == 4
    changes = {c["id"]: c for c in env.ctl_json("changes")}
    rows = {r["change_id"]: r for r in env.outbox()}
    for call in calls:
        # argv as configured, quotes removed, nothing expanded
        assert call.argv == [str(target.dir), "two words", "$HOME"]
        assert call.stdin.endswith(b"\n")
        payload = json.loads(call.stdin)
        change = changes[payload["id"]]
        assert payload == {k: v for k, v in change.items() if k in payload}
        e = call.env
        assert e["ADVISORY_EVENT"] == "change"
        assert e["ADVISORY_ID"] == str(change["id"])
        assert e["ADVISORY_DELIVERY"] == str(rows[change["id"]]["id"])
        assert e["ADVISORY_NOTIFIER"] == "script"
        assert e["ADVISORY_SOURCE"] == "us"
        assert e["ADVISORY_GOVERNMENT"] == "United States"
        assert e["ADVISORY_COUNTRY"] == change["country"]
        assert e["ADVISORY_COUNTRY_NAME"] == change["country_name"]
        assert e["ADVISORY_LEVEL"] == str(change["level"])
        assert e["ADVISORY_PREVIOUS_LEVEL"] == str(change["previous_level"])
        assert "ADVISORY_REGIONAL_LEVEL" not in e  # none: unset, not empty
        assert e["ADVISORY_LABEL"] == change["label"]
        assert e["ADVISORY_URL"] == change["url"]
        assert e["ADVISORY_UPDATED"] == change["updated"]
        assert e["ADVISORY_OBSERVED_AT"] == change["observed_at"]
        # a minimal environment: nothing of ours leaks (the shell adds PWD and the like)
        ours = {k for k in e if not k.startswith("ADVISORY_")} - {"PWD", "SHLVL", "_", "OLDPWD"}
        assert ours == {"PATH", "LANG"}, ours
    assert all(r["state"] == "delivered" for r in env.outbox())


def test_scraped_text_is_data(env, target):
    if PWNED.exists():
        PWNED.unlink()
    configure(env, target)
    record(env, "us-hostile.xml")

    calls = target.calls()
    assert len(calls) == 1
    label = next(c["label"] for c in env.ctl_json("changes") if c["country"] == "KZ")
    assert "$(touch /tmp/advisoryd-pwned-by-label) `id` ; rm -rf ~ && echo" in label
    assert json.loads(calls[0].stdin)["label"] == label
    assert calls[0].env["ADVISORY_LABEL"] == label
    assert not PWNED.exists()


def test_failure_is_retried_with_the_output_as_the_reason(env, target):
    target.set_status(3)
    configure(env, target)
    r = record(env, "us-after.xml")

    rows = env.outbox()
    assert all(row["state"] == "pending" and row["last_error"] ==
               f"{target.script}: exit status 3: target says hello on stderr" for row in rows), rows
    assert "retrying in" in r.stderr

    target.set_status(0)
    env.make_outbox_due()
    env.once_ok()
    assert all(row["state"] == "delivered" and row["attempts"] == 2 for row in env.outbox())
    # the same id both times: the program can tell a repeat
    ids = [json.loads(c.stdin)["id"] for c in target.calls()]
    assert len(ids) == 8 and sorted(ids[:4]) == sorted(ids[4:])


def test_a_hanging_program_is_killed(env, target):
    target.set_sleep(60)
    configure(env, target, timeout="1s")
    record(env, "us-after.xml")

    rows = env.outbox()
    assert all(row["state"] == "pending" and
               row["last_error"] == f"{target.script}: killed after the timeout of 1s"
               for row in rows), [r["last_error"] for r in rows]
    # the sleep went with its process group: no child of the script is left (SIGKILL is sent;
    # the dying process may need a moment to be scheduled and go, so a bounded wait)
    deadline = time.monotonic() + 20
    while _sleepers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sleepers() == []


def _sleepers():
    """The script's `sleep 60`s still alive (a zombie has no cmdline, and counts as gone)."""
    return [p for p in Path("/proc").iterdir() if p.name.isdigit() and
            _cmdline(p).startswith(b"sleep\x0060")]


def _cmdline(p):
    try:
        return (p / "cmdline").read_bytes()
    except OSError:
        return b""


def test_a_missing_program(env, tmp_path):
    env.write_config(notifiers=False, extra=f"""
[notify:script]
type = exec
command = {tmp_path}/nonexistent --flag
""")
    record(env, "us-after.xml")
    rows = env.outbox()
    assert all(row["state"] == "pending" and "cannot execute" in row["last_error"] and
               "No such file or directory" in row["last_error"] for row in rows), rows
