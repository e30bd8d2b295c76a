"""harness.py: the servers and receivers the integration tests run advisoryd against.

FixtureServer  an HTTP/1.1 server on 127.0.0.1 (a thread in the test process) that serves the
               documents a test sets, with ETag/Last-Modified and 304 answers, optional gzip,
               error statuses, and a record of every request.
Receiver       an AF_UNIX datagram socket standing in for the journal's native socket or for
               /dev/log; it parses each datagram (journal native protocol, or an RFC 3164 line).

Only the standard library: the suite runs with Debian's python3 and python3-pytest.
"""

import email.utils
import gzip as gzip_module
import hashlib
import http.server
import os
import re
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


# ---- HTTP fixture server ----


@dataclass
class Document:
    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    headers: dict = field(default_factory=dict)
    hold: threading.Event | None = None  # answer only once this is set
    drip: tuple | None = None  # (bytes, seconds): the body in pieces of that size, that far apart
    truncate: int = 0  # Content-Length claims this many bytes more; the connection then closes


@dataclass
class Request:
    method: str
    path: str
    headers: dict  # lower-case names
    status: int = 0  # what the server answered
    gzipped: bool = False
    client: tuple = ()  # (address, port): the same port again is a reused connection


def _etag_matches(if_none_match, etag):
    if not etag:
        return False
    if if_none_match.strip() == "*":
        return True
    # weak comparison (RFC 9110 13.1.2): W/"x" matches "x"
    strip = lambda t: t.strip().removeprefix("W/")
    return any(strip(t) == strip(etag) for t in if_none_match.split(","))


def _not_modified_since(if_modified_since, last_modified):
    if not last_modified:
        return False
    try:
        ims = email.utils.parsedate_to_datetime(if_modified_since)
        lm = email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
    return lm <= ims


def _accepts_gzip(accept_encoding):
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = re.search(r"q\s*=\s*([0-9.]+)", params)
        return not q or float(q.group(1)) > 0
    return False


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the daemon expects from real servers
    server_version = "fixture/1"

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self._respond(send_body=False)

    def do_GET(self):
        self._respond(send_body=True)

    def _respond(self, send_body):
        owner = self.server.owner
        req = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                      client=tuple(self.client_address))
        owner._log(req)
        doc = owner._lookup(self.path.split("?", 1)[0])
        if doc is not None and doc.hold is not None:
            doc.hold.wait(30)
        if doc is None:
            return self._send(req, 404, b"not found\n", "text/plain", {}, send_body)
        if doc.status != 200:
            return self._send(req, doc.status, doc.body, doc.content_type, doc.headers, send_body,
                              doc)
        validators = {}
        if doc.etag:
            validators["ETag"] = doc.etag
        if doc.last_modified:
            validators["Last-Modified"] = doc.last_modified
        inm = req.headers.get("if-none-match")
        ims = req.headers.get("if-modified-since")
        if (inm is not None and _etag_matches(inm, doc.etag)) or (
            inm is None and ims is not None and _not_modified_since(ims, doc.last_modified)
        ):
            return self._send(req, 304, b"", None, validators, send_body)
        body, headers = doc.body, dict(validators, **doc.headers)
        if doc.gzip:
            headers["Vary"] = "Accept-Encoding"
            if _accepts_gzip(req.headers.get("accept-encoding")):
                body = gzip_module.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
                req.gzipped = True
        return self._send(req, 200, body, doc.content_type, headers, send_body, doc)

    def _send(self, req, status, body, content_type, headers, send_body, doc=None):
        req.status = status
        truncate = doc.truncate if doc else 0
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body) + truncate))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not send_body or status == 304:
            return
        if doc and doc.drip:
            return self._drip(body, *doc.drip)
        self.wfile.write(body)

    def _drip(self, body, size, seconds):
        """A server that trickles: the headers at once, then the body a little at a time."""
        self.wfile.flush()
        for i in range(0, len(body), size):
            if self.server.owner._stopping.wait(seconds):
                return
            self.wfile.write(body[i:i + size])
            self.wfile.flush()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that hangs up mid-response (the daemon aborting a document that is too
        # large) is expected here, not a failure of the fixture
        pass


class FixtureServer:
    """Serves path → Document on 127.0.0.1:<ephemeral port>; records every request."""

    def __init__(self, ssl_context=None):
        """ssl_context: serve https with it (the certificate is the test's to choose)."""
        self._lock = threading.Lock()
        self._docs = {}
        self._requests = []
        self._clock = 1748736000  # Last-Modified of the next document: 2025-06-01, +1h each
        self._holds = []
        self._stopping = threading.Event()  # ends dripping answers at close()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._scheme = "http"
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,),
                                        daemon=True)
        self._thread.start()

    @property
    def port(self):
        return self._httpd.server_address[1]

    def url(self, path):
        return f"{self._scheme}://127.0.0.1:{self.port}{path}"

    def serve(self, path, body, content_type="application/rss+xml; charset=utf-8", *,
              status=200, etag=True, last_modified=True, gzip=False, headers=None, hold=False,
              drip=None, truncate=0):
        """Serves body at path. A new body gets a new ETag and a later Last-Modified, so that
        a conditional GET for the old one is answered with the new document. gzip: encode when
        the request accepts it. hold: requests wait until doc.hold is set (or 30 s pass).
        drip=(bytes, seconds): the body trickles out in pieces. truncate=n: Content-Length
        claims n bytes more than the body, and the connection closes after the body."""
        if isinstance(body, str):
            body = body.encode()
        with self._lock:
            self._clock += 3600
            doc = Document(
                body=body,
                content_type=content_type,
                status=status,
                etag=f'"{hashlib.sha1(body).hexdigest()[:20]}"' if etag else None,
                last_modified=email.utils.formatdate(self._clock, usegmt=True)
                if last_modified else None,
                gzip=gzip,
                headers=dict(headers or {}),
                hold=threading.Event() if hold else None,
                drip=drip,
                truncate=truncate,
            )
            if doc.hold is not None:
                self._holds.append(doc.hold)
            self._docs[path] = doc
        return doc

    def fail(self, path, status, body=b"<html><body>Service Unavailable</body></html>\n",
             headers=None):
        """From now on path answers with an error status."""
        return self.serve(path, body, "text/html; charset=utf-8", status=status, etag=False,
                          last_modified=False, headers=headers)

    def document(self, path):
        """What path serves now (a Document), or None."""
        return self._lookup(path)

    def restore(self, path, doc):
        """Serves an earlier Document again, validators and all."""
        with self._lock:
            self._docs[path] = doc

    def _lookup(self, path):
        with self._lock:
            return self._docs.get(path)

    def _log(self, req):
        with self._lock:
            self._requests.append(req)

    def requests(self, path=None):
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def wait_for_requests(self, path, count, timeout, answered=False):
        """Bounded wait until at least count requests for path arrived (answered: and the
        first count of them have their status; a request is logged before it is answered)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.requests(path)
            if len(got) >= count and (not answered or all(r.status for r in got[:count])):
                return got
            time.sleep(0.02)
        return self.requests(path)

    def close(self):
        self._stopping.set()
        for h in self._holds:
            h.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


def refused_port():
    """A TCP port on 127.0.0.1 that refuses connections: bound but never listening, so no other
    process can take it while the test runs. The caller closes the socket."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


# ---- journal and syslog receivers ----

JOURNAL_FIELD_NAME = re.compile(r"[A-Z0-9][A-Z0-9_]*")


def parse_journal_native(data):
    """Parses one datagram of the journal's native protocol into [(name, value)].

    Each field is either `NAME=value\\n` (value without newline) or the binary form
    `NAME\\n<64-bit little-endian length><value>\\n`. Raises ValueError on anything else,
    including names journald would reject (lower case, leading underscore or digit)."""
    fields, i = [], 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            raise ValueError(f"field at byte {i} has no terminating newline")
        line = data[i:nl]
        eq = line.find(b"=")
        if eq >= 0:
            name, value, i = line[:eq], line[eq + 1:], nl + 1
        else:
            name = line
            if nl + 9 > len(data):
                raise ValueError(f"binary field {name!r} cut short before its length")
            (size,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            start = nl + 9
            if start + size + 1 > len(data) or data[start + size:start + size + 1] != b"\n":
                raise ValueError(f"binary field {name!r}: bad length {size}")
            value, i = data[start:start + size], start + size + 1
        name = name.decode("ascii", "replace")
        if not JOURNAL_FIELD_NAME.fullmatch(name) or name[0].isdigit():
            raise ValueError(f"invalid journal field name {name!r}")
        fields.append((name, value.decode("utf-8")))
    return fields


class JournalRecord(dict):
    """A journal entry: NAME → value (the last one if a name repeats; `fields` keeps all)."""

    def __init__(self, fields):
        super().__init__(fields)
        self.fields = fields


SYSLOG_LINE = re.compile(
    r"<(?P<pri>\d{1,3})>(?P<stamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) "
    r"(?P<ident>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: (?P<message>.*)",
    re.S,
)


@dataclass
class SyslogRecord:
    facility: int
    severity: int
    ident: str
    pid: int | None
    message: str
    raw: str


def parse_syslog(data):
    raw = data.decode("utf-8")
    m = SYSLOG_LINE.fullmatch(raw.rstrip("\n"))
    if not m:
        raise ValueError(f"not an RFC 3164 line: {raw!r}")
    pri = int(m["pri"])
    return SyslogRecord(pri >> 3, pri & 7, m["ident"], int(m["pid"]) if m["pid"] else None,
                        m["message"], raw)


class Receiver:
    """An AF_UNIX SOCK_DGRAM socket at path; a thread reads datagrams as they come (so that a
    sender never blocks on a full queue) and parses them with parse(). Datagrams that do not
    parse are kept in `errors`, so a test can assert the protocol was spoken correctly."""

    def __init__(self, path, parse):
        self.path = str(path)
        self._parse = parse
        self._lock = threading.Condition()
        self._records, self.errors = [], []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        self._sock.setblocking(False)
        self._wake_r, self._wake_w = os.pipe()  # close() wakes the thread at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _drain_locked(self):
        while True:
            try:
                data = self._sock.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                return
            try:
                self._records.append(self._parse(data))
            except (ValueError, UnicodeDecodeError) as e:
                self.errors.append((data, str(e)))
            self._lock.notify_all()

    def _run(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self._sock, self._wake_r], [], [])
            if self._sock in ready:
                with self._lock:
                    self._drain_locked()

    def records(self):
        """Everything received so far, including datagrams still queued on the socket: a
        datagram sent before this call is in the result."""
        with self._lock:
            self._drain_locked()
            return list(self._records)

    def wait(self, count, timeout):
        """Bounded wait until at least count records arrived; returns them all."""
        return self.wait_until(lambda records: len(records) >= count, timeout)

    def wait_until(self, pred, timeout, start=0):
        """Bounded wait until pred holds for the records from index start on; returns those
        records (pred's truth is the caller's to assert: a timeout returns what came)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                self._drain_locked()
                left = deadline - time.monotonic()
                if pred(self._records[start:]) or left <= 0:
                    return list(self._records[start:])
                self._lock.wait(min(left, 0.05))

    def close(self):
        if self._stop.is_set():
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(5)
        self._sock.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def journal_receiver(path):
    return Receiver(path, lambda data: JournalRecord(parse_journal_native(data)))


def syslog_receiver(path):
    return Receiver(path, parse_syslog)


def parse_sd_notify(data):
    """A service manager notification: newline-separated KEY=value assignments."""
    text = data.decode("utf-8")
    out = {}
    for line in text.split("\n"):
        if not line:
            continue
        key, eq, value = line.partition("=")
        if not eq or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key):
            raise ValueError(f"not an assignment: {line!r}")
        out[key] = value
    return out


def notify_receiver(path):
    """Stands in for systemd's NOTIFY_SOCKET."""
    return Receiver(path, parse_sd_notify)
