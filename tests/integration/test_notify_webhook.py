"""Webhooks: the JSON payload of DESIGN.md POSTed to a receiver on 127.0.0.1, signed with
HMAC-SHA-256 when a secret is configured; 2xx delivered, 4xx (but 408/429) refused for good,
everything else retried with the same idempotency key."""

import hashlib
import hmac
import socket
import subprocess
from pathlib import Path

import pytest

from advisoryenv import ADVISORYD, RUN_TIMEOUT, child_env
from notify_sinks import WebhookReceiver

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notify"
PAYLOAD_FIELDS = {"id", "event", "source", "country", "country_name", "level", "previous_level",
                  "regional_level", "previous_regional_level", "label", "updated", "url",
                  "observed_at"}


@pytest.fixture
def receiver():
    made = []

    def make(*args, **kwargs):
        r = WebhookReceiver(*args, **kwargs)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def configure(env, url, **keys):
    keys = {"type": "webhook", "url": url, **keys}
    env.write_config(notifiers=False, extra="\n[notify:hook]\n" +
                     "".join(f"{k} = {v}\n" for k, v in keys.items()))


def record_changes(env):
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / "us-after.xml").read_bytes())
    env.once_ok()


def signature(secret, body):
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_signed_payload(env, receiver, tmp_path):
    hook = receiver()
    secret = tmp_path / "hook.secret"
    secret.write_bytes(b"s3cr\xc3\xa9t key\n")
    configure(env, hook.url(), secret_file=secret)
    record_changes(env)

    posts = hook.posts()
    assert len(posts) == 4
    changes = {c["id"]: c for c in env.ctl_json("changes")}
    rows = {r["change_id"]: r for r in env.outbox()}
    for p in posts:
        assert p.path == "/hook"
        assert p.headers["content-type"] == "application/json"
        # the key without its trailing newline, over the exact bytes received
        assert hmac.compare_digest(p.headers["x-advisoryd-signature"],
                                   signature(b"s3cr\xc3\xa9t key", p.body))
        payload = p.json()
        assert set(payload) == PAYLOAD_FIELDS
        assert payload["event"] == "change"
        # the payload is the change as advisoryctl shows it
        assert {k: v for k, v in changes[payload["id"]].items() if k in PAYLOAD_FIELDS} == payload
        assert p.headers["idempotency-key"] == str(payload["id"])
        assert p.headers["x-advisoryd-delivery"] == str(rows[payload["id"]]["id"])
        assert p.headers["user-agent"].startswith("advisoryd/")
    assert all(r["state"] == "delivered" for r in env.outbox())


def test_unsigned_without_a_secret(env, receiver):
    hook = receiver()
    configure(env, hook.url())
    record_changes(env)
    assert len(hook.posts()) == 4
    assert all("x-advisoryd-signature" not in p.headers for p in hook.posts())


def test_secret_from_a_credential(env, receiver, tmp_path):
    hook = receiver()
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "hook").write_bytes(b"from-systemd")
    configure(env, hook.url(), secret_credential="hook")
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / "us-after.xml").read_bytes())
    r = subprocess.run([str(ADVISORYD), "--once", "-c", str(env.config)], capture_output=True,
                       text=True, env=dict(child_env(), CREDENTIALS_DIRECTORY=str(creds)),
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert len(hook.posts()) == 4
    assert all(p.headers["x-advisoryd-signature"] == signature(b"from-systemd", p.body)
               for p in hook.posts())
    assert "from-systemd" not in r.stderr


@pytest.mark.parametrize("status, state", [(500, "pending"), (503, "pending"), (408, "pending"),
                                           (429, "pending"), (302, "pending"), (404, "failed"),
                                           (410, "failed"), (400, "failed")])
def test_status_decides(env, receiver, status, state):
    hook = receiver(default=status)
    configure(env, hook.url())
    record_changes(env)

    rows = env.outbox()
    assert len(rows) == 4
    assert all(r["state"] == state and f"HTTP {status}" in r["last_error"] for r in rows), rows
    assert all("status " + str(status) in r["last_error"] for r in rows)  # the body excerpt


def test_retry_keeps_the_idempotency_key(env, receiver):
    hook = receiver(statuses=[503] * 4)
    configure(env, hook.url())
    record_changes(env)
    assert all(r["state"] == "pending" for r in env.outbox())
    env.make_outbox_due()
    env.once_ok()

    posts = hook.posts()
    assert len(posts) == 8
    assert all(r["state"] == "delivered" and r["attempts"] == 2 for r in env.outbox())
    first, second = posts[:4], posts[4:]
    assert sorted(p.headers["idempotency-key"] for p in first) == \
        sorted(p.headers["idempotency-key"] for p in second)
    assert sorted(p.body for p in first) == sorted(p.body for p in second)


def test_timeout(env):
    # a socket that is listening but never accepts: the connection completes in the kernel,
    # no answer ever comes
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    try:
        configure(env, f"http://127.0.0.1:{s.getsockname()[1]}/hook", timeout="1s")
        record_changes(env)
    finally:
        s.close()
    rows = env.outbox()
    assert all(r["state"] == "pending" and "timed out" in r["last_error"].lower() for r in rows), \
        [(r["state"], r["last_error"]) for r in rows]


def test_source_events(env, receiver):
    hook = receiver()
    configure(env, hook.url(), events="source-failing source-recovered")
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.server.fail("/_res/rss/TAsTWs.xml", 503)
    for _ in range(3):
        env.once_ok(expect=3)
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()

    payloads = [p.json() for p in hook.posts()]
    assert [p["event"] for p in payloads] == ["source-failing", "source-recovered"]
    assert payloads[0]["source"] == "us" and "HTTP 503" in payloads[0]["detail"]
    rows = env.outbox()
    assert [p["id"] for p in payloads] == [r["id"] for r in rows]
