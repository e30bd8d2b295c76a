"""notify_sinks.py: the receivers the notification tests deliver to, all on 127.0.0.1.

SmtpSink        an SMTP server (Debian's python3-aiosmtpd) with optional STARTTLS or implicit
                TLS (smtps), AUTH LOGIN/PLAIN against a password, recipients it refuses, and a
                mode that receives a message and then never answers the end of DATA. Every
                message is kept raw and parsed with the email package.
WebhookReceiver an HTTP server that records each POST and answers with the statuses it is told.
make_certificate a throw-away self-signed certificate for 127.0.0.1 (openssl req -x509).
ExecTarget      a script for type = exec that logs its stdin, argv and environment.
"""

import asyncio
import email
import email.policy
import http.server
import json
import sqlite3
import ssl
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def make_certificate(directory):
    """(cert.pem, key.pem) for CN/IP 127.0.0.1, valid for a day."""
    directory = Path(directory)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


# ---- SMTP ----


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    message: email.message.EmailMessage
    login: str | None  # the user that authenticated, if any
    tls: bool

    @property
    def message_id(self):
        return self.message["Message-ID"]

    def text(self):
        """The text/plain body, decoded, with '\n' line ends (SMTP carries CRLF)."""
        return self.message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")

    def html(self):
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content().replace("\r\n", "\n") if part is not None else None


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.sink.refuse.get(address)
        if code:
            return code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.sink._add(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                envelope.original_content, msg, login,
                                self.sink.mode == "smtps" or session.ssl is not None))
        if self.sink.stall:
            # received, never acknowledged: the sender cannot know it arrived
            await asyncio.sleep(3600)
        return self.sink.data_reply


class _Controller(Controller):
    """aiosmtpd's Controller on an ephemeral port (port 0)."""

    def factory(self):
        with warnings.catch_warnings():
            # smtps: AUTH without STARTTLS is fine, the whole connection is TLS
            warnings.simplefilter("ignore", UserWarning)
            return super().factory()

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """mode: None (plain), "starttls" (required before MAIL) or "smtps" (implicit TLS).
    users: {login: password} enables AUTH and requires it. refuse: {address: "550 …"}."""

    def __init__(self, mode=None, certificate=None, users=None, refuse=None, stall=False,
                 data_reply="250 OK"):
        self.mode, self.users, self.stall = mode, users or {}, stall
        self.refuse, self.data_reply = dict(refuse or {}), data_reply
        self._lock = threading.Condition()
        self._messages = []
        kwargs = {"hostname": "127.0.0.1", "port": 0, "auth_require_tls": mode == "starttls"}
        if mode:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*map(str, certificate))
            if mode == "starttls":
                kwargs.update(tls_context=ctx, require_starttls=True)
            else:
                kwargs.update(ssl_context=ctx)
        if self.users:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        self._controller = _Controller(_Handler(self), **kwargs)
        self._controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        return AuthResult(success=ok, auth_data=auth_data if ok else None)

    def _add(self, received):
        with self._lock:
            self._messages.append(received)
            self._lock.notify_all()

    @property
    def port(self):
        return self._controller.port

    @property
    def url(self):
        return f"{'smtps' if self.mode == 'smtps' else 'smtp'}://127.0.0.1:{self.port}"

    def messages(self):
        with self._lock:
            return list(self._messages)

    def wait(self, count, timeout):
        """Bounded wait until at least count messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._messages) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
            return list(self._messages)

    def to(self, address):
        return [m for m in self.messages() if address in m.rcpt_tos]

    def close(self):
        try:
            self._controller.stop()
        except (AssertionError, RuntimeError):
            pass


# ---- webhooks ----


@dataclass
class Post:
    path: str
    headers: dict  # lower-case names
    body: bytes

    def json(self):
        return json.loads(self.body)


class _WebhookHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        owner._add(Post(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status = owner._next_status()
        reply = f"status {status}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


class WebhookReceiver:
    """Answers POSTs with the statuses in `statuses` (in turn), then with `default`."""

    def __init__(self, statuses=(), default=200):
        self._lock = threading.Condition()
        self._posts, self._statuses, self.default = [], list(statuses), default
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,),
                                        daemon=True)
        self._thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def _next_status(self):
        with self._lock:
            return self._statuses.pop(0) if self._statuses else self.default

    def _add(self, post):
        with self._lock:
            self._posts.append(post)
            self._lock.notify_all()

    def posts(self):
        with self._lock:
            return list(self._posts)

    def wait(self, count, timeout):
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._posts) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
            return list(self._posts)

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


# ---- exec ----


EXEC_SCRIPT = """#!/bin/sh
# logs one call: argv, stdin and the environment, then exits with the status in $dir/status
dir=$1
n=$ADVISORY_DELIVERY.$$
cat > "$dir/stdin.$n"
env > "$dir/env.$n"
printf '%s\\n' "$@" > "$dir/argv.$n"
if [ -f "$dir/sleep" ]; then sleep "$(cat "$dir/sleep")"; fi
echo "target says hello on stderr" >&2
exit "$(cat "$dir/status" 2>/dev/null || echo 0)"
"""


@dataclass
class Call:
    stdin: bytes
    env: dict
    argv: list


class ExecTarget:
    """A program for `command =`; exits with `status` (set_status) and logs every call."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.script = self.dir / "target.sh"
        self.script.write_text(EXEC_SCRIPT)
        self.script.chmod(0o755)

    def set_status(self, status):
        (self.dir / "status").write_text(f"{status}\n")

    def set_sleep(self, seconds):
        (self.dir / "sleep").write_text(f"{seconds}\n")

    def calls(self):
        out = []
        for f in sorted(self.dir.glob("env.*"), key=lambda p: p.stat().st_mtime_ns):
            n = f.name[len("env."):]
            env = {}
            for line in f.read_text().splitlines():
                k, _, v = line.partition("=")
                env[k] = v
            argv = (self.dir / f"argv.{n}").read_text().splitlines()
            out.append(Call((self.dir / f"stdin.{n}").read_bytes(), env, argv))
        return out


# ---- the database ----


def backdate_outbox(db, seconds):
    """Moves the creation and next attempt of pending notifications into the past: a digest
    window is minutes long, a test does not wait for it."""
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute("UPDATE outbox SET created_at = created_at - ?1,"
                        " next_attempt = next_attempt - ?1 WHERE state = 'pending'", (seconds,))
    finally:
        con.close()


def set_label(db, country, label, source="us"):
    """Writes a label straight into the current period: text that no extractor would let
    through (CR, LF, NUL), to check that the channels themselves are safe."""
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute("UPDATE period SET label = ?1 WHERE id = (SELECT id FROM period"
                        " WHERE source = ?2 AND country = ?3 ORDER BY first_seen DESC, id DESC"
                        " LIMIT 1)", (label, source, country))
    finally:
        con.close()
