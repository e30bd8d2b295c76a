"""E-mail notifications against SMTP servers on 127.0.0.1 (aiosmtpd): one well-formed message per
change and recipient, with a correct UTF-8 subject and the cross-government view; STARTTLS, smtps
and AUTH with a password file or a systemd credential; routing filters; digests; an SMTP server
that is down, or refuses; hostile labels; a daemon killed in the middle of a delivery; sendmail."""

import email.policy
import email.utils
import re
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

import harness
from advisoryenv import ADVISORYD, RUN_TIMEOUT, child_env
from notify_sinks import SmtpSink, backdate_outbox, make_certificate, set_label

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notify"
FROM = "advisoryd@example.org"
KZ_URL = ("https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/"
          "kazakhstan-travel-advisory.html")
# us-before.xml → us-after.xml
CHANGES = {"KZ": (1, 3), "AZ": (3, 2), "CI": (2, 3), "CL": (2, 1)}
SUBJECTS = {
    "KZ": "[advisoryd] Kazakhstan: United States raised to level 3 (was 1)",
    "AZ": "[advisoryd] Azerbaijan: United States lowered to level 2 (was 3)",
    "CI": "[advisoryd] Côte d'Ivoire: United States raised to level 3 (was 2)",
    "CL": "[advisoryd] Chile: United States lowered to level 1 (was 2)",
}
WAIT = 20


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def sinks():
    made = []

    def make(*args, **kwargs):
        s = SmtpSink(*args, **kwargs)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def email_section(name, url, to="duty@example.org", **keys):
    keys = {"type": "email", "to": to, "from": FROM, "smtp_url": url, "starttls": "no", **keys}
    return f"\n[notify:{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())


def configure(env, sections, daemon=None):
    """The US feed, a Canadian index for the cross-government view, and the notifiers."""
    env.server.serve("/ca.json", (FIXTURES / "ca-index.json").read_bytes(), "application/json")
    extra = f"\n[source:ca]\nurl = {env.server.url('/ca.json')}\n" + "".join(sections)
    return env.write_config(notifiers=False, extra=extra, daemon=daemon)


def record_changes(env, after="us-after.xml", expect=0):
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / after).read_bytes())
    return env.once_ok(expect=expect)


def by_country(messages):
    out = {}
    for m in messages:
        cc = m.message["X-Advisoryd-Country"]
        assert cc not in out, f"two messages for {cc}"
        out[cc] = m
    return out


def assert_well_formed(m):
    """Parses without defects; one of each header that must be unique; no stray Bcc."""
    for part in m.message.walk():
        assert not part.defects, part.defects
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                 "Auto-Submitted", "List-Id"):
        assert len(m.message.get_all(name, [])) == 1, name
    assert m.message.get_all("Bcc") is None and m.message.get_all("Cc") is None
    assert m.message["Auto-Submitted"] == "auto-generated"
    assert email.utils.parsedate_to_datetime(m.message["Date"]) is not None
    raw = m.raw.replace(b"\r\n", b"\n")
    assert all(len(line) <= 78 for line in raw.split(b"\n")), "a line over 78 bytes"
    assert m.mail_from == FROM


def run_once(env, extra_env):
    """advisoryd --once with variables the harness's environment leaves out."""
    return subprocess.run([str(ADVISORYD), "--once", "-c", str(env.config)], capture_output=True,
                          text=True, env=dict(child_env(), **extra_env), timeout=RUN_TIMEOUT,
                          stdin=subprocess.DEVNULL)


# ---- one message per change and recipient ----


def test_one_message_per_change_and_recipient(env, sinks):
    sink = sinks()
    configure(env, [email_section("ops", sink.url, to="duty@example.org security@example.org")])
    record_changes(env)

    # --once returned: every delivery has completed
    messages = sink.messages()
    assert len(messages) == 4
    mails = by_country(messages)
    assert set(mails) == set(CHANGES)
    changes = {c["country"]: c for c in env.ctl_json("changes")}
    for cc, m in mails.items():
        assert_well_formed(m)
        assert sorted(m.rcpt_tos) == ["duty@example.org", "security@example.org"]
        assert m.message["To"] == "duty@example.org, security@example.org"
        assert m.message["Subject"] == SUBJECTS[cc]
        assert m.message["Message-ID"] == \
            f"<advisoryd.change-{changes[cc]['id']}-{_observed(changes[cc])}.ops@example.org>"
        assert m.message["X-Advisoryd-Source"] == "us"
        assert (int(m.message["X-Advisoryd-Previous-Level"]),
                int(m.message["X-Advisoryd-Level"])) == CHANGES[cc]
        assert m.message["List-Id"] == "advisoryd ops <ops.advisoryd.example.org>"
        assert m.message.get_content_type() == "multipart/alternative"
    # not ASCII: RFC 2047 on the wire, the right Unicode once decoded
    assert b"Subject: =?UTF-8?Q?" in mails["CI"].raw
    assert "Côte d'Ivoire" in mails["CI"].text()

    kz = mails["KZ"].text()
    assert kz.startswith("United States raised its travel advice for Kazakhstan (KZ) from "
                         "level 1 to level 3.\n")
    assert '"Level 3: Reconsider Travel"' in kz
    assert "2022-01-05" in kz and KZ_URL in kz
    # what the other governments say: Canada, one line
    view = kz.split("What the other governments say about Kazakhstan now:\n", 1)[1]
    lines = [line for line in view.splitlines() if line.startswith("  ")]
    assert len(lines) == 1
    assert re.fullmatch(r'  Canada  level 2  "Exercise a high degree of caution" \(updated .*\)',
                        lines[0])
    html = mails["KZ"].html()
    assert "<td>Canada</td><td>level 2</td>" in html and f'<a href="{KZ_URL}">' in html

    rows = env.outbox()
    assert len(rows) == 4
    assert all(r["state"] == "delivered" and r["attempts"] == 1 for r in rows), rows


def _observed(change):
    return int(datetime.fromisoformat(change["observed_at"].replace("Z", "+00:00")).timestamp())


# ---- transports and credentials ----


def test_starttls_and_auth_with_a_password_file(env, sinks, certificate, tmp_path):
    sink = sinks("starttls", certificate, users={"advisoryd": "correct horse battery"})
    password = tmp_path / "smtp.pass"
    password.write_text("correct horse battery\n")
    configure(env, [email_section("ops", sink.url, starttls="required", smtp_user="advisoryd",
                                  smtp_password_file=password, ca_file=certificate[0])])
    r = record_changes(env)

    messages = sink.messages()
    assert len(messages) == 4
    assert all(m.tls and m.login == "advisoryd" for m in messages)
    assert "correct horse" not in r.stderr


def test_tls_is_verified(env, sinks, certificate, tmp_path):
    # the same server, but no ca_file: its certificate is not trusted, nothing is sent
    sink = sinks("starttls", certificate)
    configure(env, [email_section("ops", sink.url, starttls="required")])
    r = record_changes(env)

    assert sink.messages() == []
    rows = env.outbox()
    assert all(row["state"] == "pending" and row["attempts"] == 1 for row in rows)
    assert all("SMTP" in row["last_error"] for row in rows), rows
    assert "failed:" in r.stderr


def test_smtps_with_a_credential(env, sinks, certificate, tmp_path):
    sink = sinks("smtps", certificate, users={"advisoryd": "from systemd"})
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "smtp").write_text("from systemd")
    configure(env, [email_section("ops", sink.url, smtp_user="advisoryd", smtp_credential="smtp",
                                  ca_file=certificate[0])])
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / "us-after.xml").read_bytes())

    # without $CREDENTIALS_DIRECTORY: not sent, and the error says what is missing
    assert run_once(env, {}).returncode == 0
    assert sink.messages() == []
    assert "CREDENTIALS_DIRECTORY" in env.outbox()[0]["last_error"]

    env.make_outbox_due()
    r = run_once(env, {"CREDENTIALS_DIRECTORY": str(creds)})
    assert r.returncode == 0, r.stderr
    assert len(sink.messages()) == 4
    assert all(m.tls and m.login == "advisoryd" for m in sink.messages())


def test_sendmail(env, tmp_path):
    log = tmp_path / "sendmail"
    log.mkdir()
    program = tmp_path / "sendmail.sh"
    program.write_text(f"""#!/bin/sh
n=$$
printf '%s\\n' "$@" > {log}/argv.$n
cat > {log}/stdin.$n
exit "$(cat {log}/status 2>/dev/null || echo 0)"
""")
    program.chmod(0o755)
    (log / "status").write_text("75\n")
    env.write_config(notifiers=False, extra=f"""
[notify:ops]
type = email
to = duty@example.org -oQ@example.org
from = {FROM}
sendmail = {program}
""")
    # a recipient starting with '-' is refused by the configuration check
    r = env.advisoryd("--test-config", "-c", env.config)
    assert r.returncode == 2 and "-oQ@example.org" in r.stderr
    env.write_config(notifiers=False, extra=f"""
[notify:ops]
type = email
to = duty@example.org security@example.org
from = {FROM}
sendmail = {program}
""")
    record_changes(env)
    # EX_TEMPFAIL: retried later
    rows = env.outbox()
    assert len(rows) == 4
    assert all(r["state"] == "pending" and r["last_error"].startswith("sendmail: exit status 75")
               for r in rows), rows

    (log / "status").write_text("0\n")
    env.make_outbox_due()
    env.once_ok()
    assert all(r["state"] == "delivered" for r in env.outbox())
    calls = sorted(log.glob("argv.*"))
    assert len(calls) == 8
    for argv in calls:
        assert argv.read_text().splitlines() == ["-i", "-f", FROM, "--", "duty@example.org",
                                                 "security@example.org"]
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(log.glob("stdin.*"))]
    assert all(b"\r\n" not in p.read_bytes() for p in log.glob("stdin.*"))  # local line ends
    subjects = {m["Subject"] for m in messages}
    assert subjects == set(SUBJECTS.values())
    # the attempts that failed carried the same Message-IDs as the ones that worked
    assert len({m["Message-ID"] for m in messages}) == 4


# ---- routing ----


def test_routing_filters(env, sinks):
    sink = sinks()
    configure(env, [
        email_section("all", sink.url, to="all@example.org"),
        email_section("kz", sink.url, to="kz@example.org", countries="KZ UA"),
        email_section("serious", sink.url, to="serious@example.org", min_level="3"),
        email_section("worst", sink.url, to="worst@example.org", min_level="4"),
        email_section("canada", sink.url, to="canada@example.org", sources="ca"),
        email_section("health", sink.url, to="health@example.org",
                      events="source-failing source-recovered"),
    ])
    record_changes(env)

    def countries(address):
        got = [m.message["X-Advisoryd-Country"] for m in sink.to(address)]
        assert len(got) == len(set(got)), f"{address} got a change twice: {got}"
        return set(got)

    assert countries("all@example.org") == {"KZ", "AZ", "CI", "CL"}
    assert countries("kz@example.org") == {"KZ"}
    # min_level: the old or the new level reaches it (AZ was 3), Chile (2 → 1) does not
    assert countries("serious@example.org") == {"KZ", "AZ", "CI"}
    assert countries("worst@example.org") == set()
    assert countries("canada@example.org") == set()
    assert countries("health@example.org") == set()
    assert all(len(m.rcpt_tos) == 1 for m in sink.messages())
    assert sorted(r["notifier"] for r in env.outbox()) == \
        ["all"] * 4 + ["kz"] + ["serious"] * 3


# ---- digest ----


def test_digest_collects_a_window_into_one_message(env, sinks):
    sink = sinks()
    configure(env, [email_section("ops", sink.url, digest="15m"),
                    email_section("now", sink.url, to="now@example.org")])
    record_changes(env)

    # the notifier without a digest is told at once; the digest waits for its window
    assert len(sink.to("now@example.org")) == 4
    assert sink.to("duty@example.org") == []
    rows = [r for r in env.outbox() if r["notifier"] == "ops"]
    assert len(rows) == 4
    assert all(r["state"] == "pending" and r["attempts"] == 0 and r["last_error"] is None and
               r["next_attempt"] == rows[0]["created_at"] + 900 for r in rows), rows

    # a further change within the window joins it
    env.serve_feed((FIXTURES / "us-later.xml").read_bytes())
    env.once_ok()
    assert sink.to("duty@example.org") == []

    backdate_outbox(env.db, 901)
    env.once_ok()
    digests = sink.to("duty@example.org")
    assert len(digests) == 1
    d = digests[0]
    assert_well_formed(d)
    assert d.message["Subject"] == "[advisoryd] 5 changes: Azerbaijan, Côte d'Ivoire, Chile, " \
                                   "Kazakhstan"
    assert d.message["X-Advisoryd-Changes"] == "5"
    assert d.message["X-Advisoryd-Level"] == "4"
    rows = [r for r in env.outbox() if r["notifier"] == "ops"]
    ids = [r["id"] for r in rows]
    assert d.message["Message-ID"].startswith(f"<advisoryd.digest-{ids[0]}-{ids[-1]}-5-")
    text = d.text()
    assert "5 changes in travel advice:" in text
    assert "from level 3 to level 4." in text and "from level 1 to level 3." in text
    assert "\nKazakhstan (KZ)\n  Canada" in text
    # delivered together
    assert all(r["state"] == "delivered" for r in rows)
    assert len({r["delivered_at"] for r in rows}) == 1

    env.once_ok()
    assert len(sink.to("duty@example.org")) == 1


# ---- failures ----


def test_smtp_down_then_up_delivers_later_once(env, sinks):
    sock, port = harness.refused_port()
    try:
        configure(env, [email_section("ops", f"smtp://127.0.0.1:{port}")])
        r = record_changes(env)
    finally:
        sock.close()
    rows = env.outbox()
    assert len(rows) == 4
    assert all(r["state"] == "pending" and r["attempts"] == 1 and r["next_attempt"] >
               r["created_at"] for r in rows), rows
    assert "retrying in" in r.stderr

    # not due yet: nothing is attempted
    sink = sinks()
    configure(env, [email_section("ops", sink.url)])
    env.once_ok()
    assert sink.messages() == [] and all(r["attempts"] == 1 for r in env.outbox())

    env.make_outbox_due()
    env.once_ok()
    assert set(by_country(sink.messages())) == set(CHANGES)
    assert all(r["state"] == "delivered" and r["attempts"] == 2 for r in env.outbox())
    env.make_outbox_due()
    env.once_ok()
    assert len(sink.messages()) == 4


@pytest.mark.parametrize("reply, state", [("550 5.1.1 No such user", "failed"),
                                          ("451 4.3.0 Try again later", "pending")])
def test_smtp_refusal(env, sinks, reply, state):
    sink = sinks(refuse={"duty@example.org": reply})
    configure(env, [email_section("ops", sink.url)])
    r = record_changes(env)

    assert sink.messages() == []
    rows = env.outbox()
    assert all(row["state"] == state and reply[:3] in row["last_error"] for row in rows), rows
    if state == "failed":
        assert "failed for good" in r.stderr
    else:
        assert all(row["next_attempt"] > row["created_at"] for row in rows)


def test_rejected_data_is_permanent(env, sinks):
    sink = sinks(data_reply="554 5.7.1 Message rejected as spam")
    configure(env, [email_section("ops", sink.url)])
    record_changes(env)
    rows = env.outbox()
    assert all(r["state"] == "failed" and "554" in r["last_error"] for r in rows), \
        [(r["state"], r["last_error"]) for r in rows]


# ---- hostile text ----


def test_a_hostile_label_stays_text(env, sinks):
    sink = sinks()
    configure(env, [email_section("ops", sink.url)])
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.serve_feed((FIXTURES / "us-hostile.xml").read_bytes())
    env.once_ok()

    messages = sink.messages()
    assert len(messages) == 1
    m = messages[0]
    assert_well_formed(m)
    assert m.rcpt_tos == ["duty@example.org"]
    label = next(c["label"] for c in env.ctl_json("changes") if c["country"] == "KZ")
    assert "Bcc: victim@example.org" in label
    assert f'Advice:      "{label}"' in m.text()
    html = m.html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_raw_control_characters_in_the_database_cannot_break_a_message(env, sinks):
    # CR, LF, a lone dot line, a NUL: nothing an extractor lets through, written straight in
    sock, port = harness.refused_port()
    try:
        configure(env, [email_section("ops", f"smtp://127.0.0.1:{port}")])
        record_changes(env)
    finally:
        sock.close()
    evil = ("Level 3\r\nBcc: victim@example.org\r\n\r\n.\r\nMAIL FROM:<x@example.org>\r\n"
            "RCPT TO:<victim@example.org>\r\nDATA\r\nSubject: forged\r\n\r\nhi\r\n.\r\n"
            "\u202eevil\x00after the NUL")
    set_label(env.db, "KZ", evil)
    sink = sinks()
    configure(env, [email_section("ops", sink.url)])
    env.make_outbox_due()
    env.once_ok()

    messages = sink.messages()
    assert len(messages) == 4  # no fifth, smuggled message
    assert all(m.rcpt_tos == ["duty@example.org"] for m in messages)
    kz = by_country(messages)["KZ"]
    assert_well_formed(kz)
    assert kz.message["Subject"] == SUBJECTS["KZ"]
    advice = [line for line in kz.text().splitlines() if line.startswith("Advice:")]
    assert advice == ['Advice:      "Level 3 Bcc: victim@example.org . MAIL FROM:<x@example.org> '
                      'RCPT TO:<victim@example.org> DATA Subject: forged hi . evil"']


# ---- crashes ----


def test_kill_during_delivery_loses_nothing(env, sinks):
    # the changes are recorded while the SMTP server is down …
    sock, port = harness.refused_port()
    try:
        configure(env, [email_section("ops", f"smtp://127.0.0.1:{port}")])
        record_changes(env)
    finally:
        sock.close()
    changes = {c["id"] for c in env.ctl_json("changes")}
    # … the daemon starts, sends, and the server takes the messages but never says 250
    stalled = sinks(stall=True)
    configure(env, [email_section("ops", stalled.url)])
    env.make_outbox_due()
    p = env.start_daemon()
    assert len(stalled.wait(1, WAIT)) >= 1, env.daemon_log(p)
    p.send_signal(signal.SIGKILL)
    p.wait(WAIT)
    assert all(r["state"] == "pending" for r in env.outbox())

    healthy = sinks()
    configure(env, [email_section("ops", healthy.url)])
    env.once_ok()

    # every notification delivered once to the healthy server
    got = healthy.messages()
    assert len(got) == 4
    ids = {m.message_id for m in got}
    assert len(ids) == 4
    assert {int(i.split("-")[1]) for i in ids} == changes
    # what the stalled server got before the crash are duplicates with the same Message-ID
    assert {m.message_id for m in stalled.messages()} <= ids
    assert all(r["state"] == "delivered" for r in env.outbox())


# ---- source events ----


def test_source_failing_and_recovered_mails(env, sinks):
    sink = sinks()
    configure(env, [email_section("ops", sink.url, events="source-failing source-recovered")],
              daemon={"failure_threshold": "2"})
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()
    env.server.fail("/_res/rss/TAsTWs.xml", 503)
    env.once_ok(expect=3)
    assert sink.messages() == []
    env.once_ok(expect=3)
    env.serve_feed((FIXTURES / "us-before.xml").read_bytes())
    env.once_ok()

    messages = sink.messages()
    assert [m.message["Subject"] for m in messages] == [
        "[advisoryd] Source failing: United States (us)",
        "[advisoryd] Source recovered: United States (us)"]
    for m in messages:
        assert_well_formed(m)
    assert "2 polls in a row have failed" in messages[0].text()
    assert "HTTP 503" in messages[0].text()
    assert messages[0].message["X-Advisoryd-Event"] == "source-failing"


def test_a_stalled_server_does_not_stop_the_daemon(env, sinks):
    """libcurl waits for the answer to the end of DATA in a blocking loop: the daemon must keep
    running meanwhile (reloads, signals, the watchdog), and SIGTERM must leave the rows pending."""
    sock, port = harness.refused_port()
    try:
        configure(env, [email_section("ops", f"smtp://127.0.0.1:{port}")])
        record_changes(env)
    finally:
        sock.close()
    stalled = sinks(stall=True)
    configure(env, [email_section("ops", stalled.url)], daemon={"timeout": "60s"})
    env.make_outbox_due()
    p = env.start_daemon()
    assert len(stalled.wait(1, WAIT)) >= 1, env.daemon_log(p)

    # the loop answers while the server sits on the message
    p.send_signal(signal.SIGHUP)
    env.wait_for_log(p, "Configuration reloaded", WAIT)
    p.send_signal(signal.SIGTERM)
    assert p.wait(WAIT) == 0, env.daemon_log(p)
    assert "LeakSanitizer" not in env.daemon_log(p)
    rows = env.outbox()
    assert all(r["state"] == "pending" and r["attempts"] == 1 for r in rows), rows


def test_a_backlog_larger_than_the_parallel_deliveries(env, sinks):
    # five messages queued while the server was down; at most four go out at a time, the fifth
    # when one of them is done, all within one --once
    sock, port = harness.refused_port()
    try:
        configure(env, [email_section("ops", f"smtp://127.0.0.1:{port}")])
        record_changes(env)
        env.serve_feed((FIXTURES / "us-later.xml").read_bytes())
        env.once_ok()
    finally:
        sock.close()
    assert len(env.outbox()) == 5
    sink = sinks()
    configure(env, [email_section("ops", sink.url)])
    env.make_outbox_due()
    env.once_ok()
    assert len({m.message_id for m in sink.messages()}) == 5
    assert all(r["state"] == "delivered" for r in env.outbox())


def test_configuration_checks(env, tmp_path):
    password = tmp_path / "smtp.pass"
    password.write_text("secret\n")
    env.write_config(notifiers=False, extra=f"""
[notify:ops]
type = email
to = duty@example.org -oQ/tmp/x@example.org
from = Duty <duty@example.org>
smtp_url = smtp://127.0.0.1:25
starttls = no
smtp_user = advisoryd
smtp_password_file = {password}
""")
    r = env.advisoryd("--test-config", "-c", env.config)
    assert r.returncode == 2
    lines = env.config.read_text().splitlines()

    def at(key):
        return f"{env.config}:{next(i for i, t in enumerate(lines, 1) if t.startswith(key))}: "

    assert at("to =") + "'to': '-oQ/tmp/x@example.org' is not an e-mail address" in r.stderr
    assert at("from =") + "'from' takes one address" in r.stderr
    assert at("starttls =") + "[notify:ops]: starttls = no would send the SMTP password in the " \
                              "clear" in r.stderr
    assert "secret" not in r.stderr

    env.write_config(notifiers=False, extra=f"""
[notify:ops]
type = email
to = duty@example.org
from = advisoryd@example.org
smtp_url = smtp://127.0.0.1:25
smtp_user = advisoryd
smtp_password_file = {password}
""")
    r = env.advisoryd("--test-config", "-c", env.config)
    assert r.returncode == 0, r.stderr
    assert f"smtp_password_file = {password}" in r.stdout and "secret" not in r.stdout
