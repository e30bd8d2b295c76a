"""Hostile input and secrets.

- Line breaks in scraped text (a label, a link) cannot forge journal fields, syslog lines or
  lines of the daemon's own log.
- SQL metacharacters and huge strings in labels, links and country names are data: stored as
  text (labels cut at 2048 bytes), never SQL; the database stays whole; advisoryctl refuses a
  hostile country argument quickly and touches nothing.
- Secrets (SMTP password, webhook key, from files or systemd credentials) never appear in
  `--test-config`, in the daemon's log (also with -v, also when authentication fails), in the
  outbox or in advisoryctl's output.
Shell metacharacters reaching the exec notifier: test_notify_exec.py."""

import base64
import json
import sqlite3
import subprocess
import uuid

import pytest

from advisoryenv import ADVISORYD, MESSAGE_ID_LEVEL_CHANGED, RUN_TIMEOUT, child_env, fixture
from notify_sinks import SmtpSink, WebhookReceiver, make_certificate

KZ_TITLE = b"<title>Kazakhstan - Level 1: Exercise Normal Precautions</title>"
KZ_LEVEL = b'<category domain="Threat-Level">Level 1: Exercise Normal Precautions</category>'
KZ_LINK = (b"<link>https://travel.state.gov/content/travel/en/traveladvisories/"
           b"traveladvisories/kazakhstan-travel-advisory.html</link>")


def kazakhstan_says(label, link=None, extra_items=b""):
    """The baseline feed with Kazakhstan raised to level 3 under `label` (XML text, may hold
    character references), optionally another link, and more items."""
    body = fixture("us-baseline.xml")
    start = body.index(KZ_TITLE)
    end = body.index(b"</item>", start)
    kz = body[start:end]
    for old in (KZ_TITLE, KZ_LEVEL, KZ_LINK):
        assert kz.count(old) == 1, old
    kz = kz.replace(KZ_TITLE, b"<title>Kazakhstan - " + label + b"</title>")
    kz = kz.replace(KZ_LEVEL, b'<category domain="Threat-Level">' + label + b"</category>")
    if link is not None:
        kz = kz.replace(KZ_LINK, b"<link>" + link + b"</link>")
    body = body[:start] + kz + body[end:]
    return body.replace(b"</channel>", extra_items + b"</channel>")


def item(title, level, tag=None, link=b"https://example.org/"):
    return (b"<item><title>" + title + b"</title><link>" + link + b"</link>"
            b'<category domain="Threat-Level">' + level + b"</category>" +
            (b'<category domain="Country-Tag">' + tag + b"</category>" if tag else b"") +
            b"<pubDate>Tue, 14 Sep 2021</pubDate></item>\n")


def kz_change(env, body):
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed(body)
    return env.once_ok()


# ---- line breaks ----

FORGERY = (b"Level 3: Reconsider Travel&#13;&#10;MESSAGE_ID=00000000000000000000000000000000"
           b"&#10;PRIORITY=0&#10;ADVISORY_LEVEL=1&#10;&lt;13&gt;Jan  1 00:00:00 forged[1]: hello"
           b"&#13;")
CHANGE_FIELDS = {"MESSAGE", "MESSAGE_ID", "PRIORITY", "ADVISORY_SOURCE", "ADVISORY_COUNTRY",
                 "ADVISORY_COUNTRY_NAME", "ADVISORY_LEVEL", "ADVISORY_PREVIOUS_LEVEL",
                 "ADVISORY_LABEL", "ADVISORY_URL", "ADVISORY_UPDATED", "ADVISORY_CHANGE_ID",
                 "SYSLOG_IDENTIFIER", "SYSLOG_PID"}


def test_line_breaks_in_scraped_text_forge_nothing(env):
    r = kz_change(env, kazakhstan_says(
        FORGERY, link=b"https://travel.state.gov/kz&#10;ADVISORY_LEVEL=1&#13;&#10;x"))

    journal = env.journal.records()
    assert [j["ADVISORY_COUNTRY"] for j in journal] == ["KZ"]
    for j in journal:
        names = [name for name, _ in j.fields]
        assert len(names) == len(set(names)), names  # no field twice
        assert set(names) <= CHANGE_FIELDS | {"ADVISORY_REGIONAL_LEVEL",
                                              "ADVISORY_PREVIOUS_REGIONAL_LEVEL"}, names
        assert j["MESSAGE_ID"] == MESSAGE_ID_LEVEL_CHANGED and j["PRIORITY"] == "5"
        assert "\n" not in j["MESSAGE"] and "\r" not in j["MESSAGE"]
    (kz,) = journal
    assert kz["ADVISORY_LEVEL"] == "3"
    assert kz["ADVISORY_LABEL"] == ("Level 3: Reconsider Travel MESSAGE_ID=000000000000000000000"
                                    "00000000000 PRIORITY=0 ADVISORY_LEVEL=1 <13>Jan 1 00:00:00 "
                                    "forged[1]: hello")
    assert "\n" not in kz["ADVISORY_URL"] and "\r" not in kz["ADVISORY_URL"]

    syslog = env.syslog.records()
    assert len(syslog) == 1
    assert all("\n" not in s.message and "\r" not in s.message for s in syslog)
    assert not any(s.ident == "forged" for s in syslog)
    # the daemon's own log: one line per change, none that starts with the forged text
    lines = r.stderr.splitlines()
    assert not [line for line in lines if line.startswith(("MESSAGE_ID=", "PRIORITY=", "<13>",
                                                           "ADVISORY_"))], r.stderr
    assert sum("us: Kazakhstan (KZ) raised from level 1 to 3" in line for line in lines) == 1


# ---- SQL metacharacters and huge strings ----

SQL = b"Level 3: Reconsider Travel'); DROP TABLE period;-- \" OR 1=1; DELETE FROM outbox; --"
MEGABYTE = 1 << 20


def test_sql_metacharacters_and_huge_strings_are_data(env):
    huge_label = b"Level 2: " + b"x" * MEGABYTE
    body = kazakhstan_says(SQL, extra_items=(
        # a country name that is an injection, and one of a megabyte: no such country, skipped
        item(b"Narnia'); DROP TABLE period;-- - Level 4: Do Not Travel",
             b"Level 4: Do Not Travel") +
        item(b"Y" * MEGABYTE + b" - Level 4: Do Not Travel", b"Level 4: Do Not Travel") +
        # a real country (Suriname, FIPS NS) with a megabyte of label and of link
        item(b"Suriname - Level 2", huge_label, tag=b"NS",
             link=b"https://example.org/" + b"z" * MEGABYTE)))
    body = body.replace(b"<title>Suriname - Level 1: Exercise Normal Precautions</title>",
                        b"<title>Suriname (old item)</title>").replace(
        b'<category domain="Country-Tag">NS</category>', b"", 1)
    assert len(body) > 3 * MEGABYTE

    kz_change(env, body)

    status = env.status()
    assert status["KZ"]["level"] == 3
    assert status["KZ"]["label"] == SQL.decode()  # verbatim: stored as text
    sr = status["SR"]
    assert sr["level"] == 2 and sr["label"].startswith("Level 2: xxx")
    assert len(sr["label"].encode()) <= 2048 and sr["label"].endswith("…")
    assert len(status) == 23 and "Narnia" not in json.dumps(status)
    assert {j["ADVISORY_LABEL"] for j in env.journal.records()} >= {SQL.decode()}

    con = sqlite3.connect(f"file:{env.db}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master"
                                                  " WHERE type = 'table'")}
        assert {"period", "outbox", "source", "validator"} <= tables
        assert con.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == \
            2 * len(env.ctl_json("changes"))
    finally:
        con.close()


@pytest.mark.parametrize("country", ["'); DROP TABLE period;--", "KZ' OR '1'='1",
                                     "%", "_", "x" * 100_000], ids=["drop", "or", "%", "_", "100k"])
def test_a_hostile_country_argument_is_refused_quickly(env, country):
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    before = env.ctl_json("status")
    for command in (["status", country], ["history", country]):
        r = env.ctl(*command)  # a quadratic look-up would hit the harness's RUN_TIMEOUT
        assert r.returncode != 0 and "KZ" not in r.stdout, (command, r.stdout[:200])
        assert r.stderr.startswith("advisoryctl: ") and r.stderr.count("\n") <= 2, \
            r.stderr[:300]
    assert env.ctl_json("status") == before


# ---- secrets ----


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_secrets_never_appear(env, tmp_path, certificate):
    secret = {k: f"{k}-{uuid.uuid4().hex}" for k in ("smtp", "smtpcred", "hook", "hookcred")}
    (tmp_path / "smtp.pass").write_text(secret["smtp"] + "\n")
    (tmp_path / "hook.secret").write_text(secret["hook"] + "\n")
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "smtp").write_text(secret["smtpcred"])
    (creds / "hook").write_text(secret["hookcred"])
    # the mail server knows other passwords: authentication fails and is reported (aiosmtpd
    # 1.4 never answers a wrong AUTH PLAIN, so the transfer times out: 2 s)
    smtp = SmtpSink("smtps", certificate, users={"advisoryd": "not-what-we-send"})
    hook = WebhookReceiver(default=500)
    try:
        mail = (f"type = email\nto = duty@example.org\nfrom = advisoryd@example.org\n"
                f"smtp_url = {smtp.url}\nsmtp_user = advisoryd\nca_file = {certificate[0]}\n")
        env.write_config(notifiers=False, daemon={"timeout": "2s"}, extra=f"""
[notify:mail-file]
{mail}smtp_password_file = {tmp_path / "smtp.pass"}

[notify:mail-cred]
{mail}smtp_credential = smtp

[notify:hook-file]
type = webhook
url = {hook.url()}
secret_file = {tmp_path / "hook.secret"}

[notify:hook-cred]
type = webhook
url = {hook.url()}
secret_credential = hook
""")
        def advisoryd(*args):
            return subprocess.run([str(ADVISORYD), "-c", str(env.config), *args],
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                  env=dict(child_env(), CREDENTIALS_DIRECTORY=str(creds)),
                                  timeout=RUN_TIMEOUT)

        said = []
        r = advisoryd("--test-config")
        assert r.returncode == 0, r.stderr
        assert "smtp_password_file" in r.stdout and "secret_credential = hook" in r.stdout
        said += [r.stdout, r.stderr]

        env.serve_feed("us-baseline.xml")
        r = advisoryd("--once", "-v")
        assert r.returncode == 0, r.stderr
        said.append(r.stderr)
        env.serve_feed("us-changed.xml")
        r = advisoryd("--once", "-v")
        said.append(r.stderr)
        posts = hook.posts()
        assert len(posts) == 4, r.stderr  # 2 changes × 2 webhooks, answered 500
        # both keys were read and used: every post is signed, and with two different keys
        signatures = {p.headers["x-advisoryd-signature"] for p in posts}
        assert len(signatures) == 4 and all(v.startswith("sha256=") for v in signatures)
        rows = env.outbox()
        assert len(rows) == 8 and all(o["state"] == "pending" and o["last_error"] for o in rows)
        said += [json.dumps(rows), env.ctl("--json", "notifications").stdout,
                 env.ctl("-c", env.config, "notifications").stdout,
                 env.ctl("-c", env.config, "sources").stdout]
    finally:
        smtp.close()
        hook.close()

    everything = "\n".join(said)
    for name, value in secret.items():
        assert value not in everything, f"the {name} secret was shown"
        for form in (f"\0advisoryd\0{value}", value):  # AUTH PLAIN, AUTH LOGIN
            assert base64.b64encode(form.encode()).decode() not in everything, name
