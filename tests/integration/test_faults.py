"""One test per fault class: whatever breaks between advisoryd and a government's server, the
result is a failed poll with the right class, never a change and never an invented "level 1";
and when the server heals, the next poll records what really changed, once.

Each fault is run twice with `--once` (DESIGN.md: "A fetch error, a challenge page, an empty
document or an extraction that finds nothing is never a change and never level 1"):
  1. on an empty database: nothing is recorded (no country appears at any level), the source
     shows the failure class, `--once` exits 3;
  2. after a good baseline: levels, history, outbox and receivers are exactly as before;
then the server heals with a changed document and exactly its changes are recorded and told.
test_running_daemon_rides_out_every_fault does the same with one daemon running on its schedule.

The documents are the integration fixtures (US, RSS) and, for JSON faults, a generated index of
the German Foreign Office (its extractor wants >= 100 countries)."""

import calendar
import json
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

import harness
from advisoryenv import ADVISORYD, FEED_PATH, child_env, fixture

WAIT = 30  # seconds, for a running daemon to show an effect; ASan makes it slow

DE_PATH = "/opendata/travelwarning"
# Any name under .invalid (RFC 6761) never resolves; a label longer than 63 bytes cannot even be
# put in a DNS query, so the resolver fails at once, without a network or a DNS server to time out.
UNRESOLVABLE = "a" * 64 + ".invalid"


# ---- documents ----


@cache
def iso_codes():
    """~120 real ISO 3166-1 codes (the build's own source for its country table)."""
    with open("/usr/share/iso-codes/json/iso_3166-1.json") as f:
        codes = sorted(c["alpha_2"] for c in json.load(f)["3166-1"])
    return codes[:120]


def de_index(warnings=("AF",)):
    """The German travelwarning index: every code in iso_codes(), `warnings` at level 4."""
    response = {"lastModified": 1783707293}
    for i, code in enumerate(iso_codes()):
        response[str(201000 + i)] = {
            "lastModified": 1783000000 + i, "effective": 1783000000 + i,
            "title": f"{code}: Reise- und Sicherheitshinweise", "countryCode": code,
            "countryName": code, "warning": code in warnings, "partialWarning": False,
            "situationWarning": False, "situationPartWarning": False,
        }
    return json.dumps({"response": response}, indent=1).encode()


# "Healthy" documents per source: a baseline, and a later document with known changes.
GOOD = {
    "us": dict(path=FEED_PATH, content_type="application/rss+xml; charset=utf-8",
               baseline=lambda: fixture("us-baseline.xml"),
               changed=lambda: fixture("us-changed.xml"),
               changes={("KZ", 1, 3), ("AZ", 3, 2)}),  # and BW, new: a silent baseline
    "de": dict(path=DE_PATH, content_type="application/json",
               baseline=lambda: de_index(("AF",)),
               changed=lambda: de_index(("AF", "BY")),
               changes={("BY", 1, 4)}),
}


def us_with(old, new, count=1):
    body = fixture("us-baseline.xml")
    assert old in body
    return body.replace(old, new, count)


# A layout change: the publisher renamed the category and reworded the titles. The feed is
# well-formed and has its items; none of them carries a level any more.
US_NEW_LAYOUT = us_with(b'domain="Threat-Level"', b'domain="Advisory-Tier"', -1).replace(
    b" - Level ", b" - Tier ")
MAINTENANCE_PAGE = (b"<!DOCTYPE html><html><head><title>Travel.State.Gov</title></head><body>"
                    b"<h1>Service Unavailable</h1><p>We are performing maintenance.</p>"
                    b"</body></html>")


@cache
def gzip_bomb(megabytes=1024):
    """gzip of `megabytes` MiB of zeros, about 1000 times smaller. After a full flush deflate
    starts afresh, so every further MiB compresses to the same bytes: built in milliseconds."""
    mib = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH) == block
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    size = megabytes << 20
    # a final empty fixed-Huffman block, then the gzip trailer (CRC-32, size mod 2^32)
    body = first + block * (megabytes - 1) + b"\x03\x00" + crc.to_bytes(4, "little") + \
        (size & 0xFFFFFFFF).to_bytes(4, "little")
    assert len(zlib.decompressobj(31).decompress(body[:65536], 1 << 22)) == 1 << 22
    return body


@cache
def self_signed_context(tmpdir):
    """A TLS server context with a fresh self-signed certificate for 127.0.0.1, or None when
    openssl is not installed."""
    cert, key = Path(tmpdir) / "cert.pem", Path(tmpdir) / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
    except FileNotFoundError:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


# ---- the faults ----


@dataclass
class Fault:
    error_class: str
    reason: str  # a piece of last_error that says what went wrong (case-insensitive)
    serve: object  # serve(env, path, url): sets the fault up; returns the URL to poll
    source: str = "us"
    daemon: dict = field(default_factory=dict)  # [daemon] settings while the fault lasts
    check: object = None  # check(env): what else must hold after a failed poll


def served(body, content_type="application/rss+xml", **kwargs):
    def serve(env, path, url):
        env.server.serve(path, body, content_type, **kwargs)
        return url
    return serve


def failing(status, headers=None):
    def serve(env, path, url):
        env.server.fail(path, status, headers=headers)
        return url
    return serve


def refused(env, path, url):
    sock, port = harness.refused_port()
    env.cleanups.append(sock.close)
    return f"http://127.0.0.1:{port}{path}"


def unresolvable(env, path, url):
    return f"http://{UNRESOLVABLE}{path}"


def redirect_to(location):
    def serve(env, path, url):
        env.server.serve("/moved", b"", "text/plain", status=302, headers={"Location": location})
        return env.server.url("/moved")
    return serve


def redirect_loop(env, path, url):
    env.server.serve("/loop", b"", "text/plain", status=302, headers={"Location": "/loop"})
    return env.server.url("/loop")


def self_signed(env, path, url):
    ctx = self_signed_context(env.tmp.parent)
    if ctx is None:
        pytest.skip("openssl is not installed: cannot make a certificate")
    tls = harness.FixtureServer(ssl_context=ctx)
    env.cleanups.append(tls.close)
    tls.serve(path, fixture("us-changed.xml"), "application/rss+xml")
    return tls.url(path)


def unanswered(env, path, url):
    env.server.serve(path, fixture("us-changed.xml"), hold=True)
    return url


FAULTS = {
    # the network
    "connection-refused": Fault("connect", "connect", refused),
    "dns-failure": Fault("dns", "resolve", unresolvable),
    "self-signed-certificate": Fault("tls", "certificate", self_signed),
    "timeout-before-headers": Fault("timeout", "timed out|too slow", unanswered,
                                    daemon={"timeout": "1s"}),
    # 3 s: the minimum speed (half the timeout, 1 s) must end it long before the timeout does
    "slow-drip": Fault("timeout", "too slow",
                       served(fixture("us-changed.xml"), drip=(10, 0.5)),
                       daemon={"timeout": "3s"}),
    "truncated-body": Fault("connect", "remaining to read",
                            served(fixture("us-changed.xml"), truncate=1000)),
    # HTTP
    "http-500": Fault("http-5xx", "HTTP 500", failing(500)),
    "http-502": Fault("http-5xx", "HTTP 502", failing(502)),
    "http-503": Fault("http-5xx", "HTTP 503", failing(503, {"Retry-After": "120"})),
    "http-429-retry-after": Fault("http-4xx", "HTTP 429", failing(429, {"Retry-After": "120"})),
    "http-404": Fault("http-4xx", "HTTP 404", failing(404)),
    "http-403": Fault("http-4xx", "HTTP 403", failing(403)),
    "redirect-loop": Fault("other", "redirect loop", redirect_loop,
                           # the first request and 5 redirects, per poll (two polls so far)
                           check=lambda env: len(env.server.requests("/loop")) == 2 * 6),
    "redirect-to-file": Fault("other", "redirect to a file: URL refused",
                              redirect_to("file:///etc/passwd")),
    # size
    "body-over-the-limit": Fault("too-large", "larger than 65536 bytes",
                                 served(fixture("us-changed.xml") + b" " * 70000),
                                 daemon={"max_document_size": "64K"}),
    "bad-content-encoding": Fault("invalid-document", "unencoding",
                                  served(fixture("us-changed.xml"),
                                         headers={"Content-Encoding": "gzip"})),
    # the document
    "wrong-content-type": Fault("invalid-document", "not an RSS",
                                served(MAINTENANCE_PAGE, "text/html; charset=utf-8")),
    "challenge-page-200": Fault("blocked", "challenge",
                                served(fixture("challenge.html"), "text/html; charset=UTF-8")),
    "empty-body": Fault("invalid-document", "empty", served(b"")),
    "empty-object": Fault("invalid-document", "empty object", served(b"{}", "application/json"),
                          source="de"),
    "empty-array": Fault("invalid-document", "array", served(b"[]", "application/json"),
                         source="de"),
    "truncated-document": Fault("invalid-document", "not well-formed",
                                served(fixture("us-truncated.xml"))),
    "malformed-xml": Fault("invalid-document", "not well-formed",
                           served(us_with(b"</item>", b"</itme>"))),
    "malformed-json": Fault("invalid-document", "truncated",
                            served(de_index()[:-200], "application/json"), source="de"),
    "invalid-utf8-xml": Fault("invalid-document", "not well-formed",
                              served(us_with(b"Exercise Normal Precautions</title>",
                                             b"Exercise Normal \xff\xfe Precautions</title>"))),
    "invalid-utf8-json": Fault("invalid-document", "not valid JSON",
                               served(de_index().replace(b'"countryName": "AF"',
                                                         b'"countryName": "\xc3\x28"'),
                                      "application/json"), source="de"),
    "layout-change": Fault("extraction-empty", "none with a level", served(US_NEW_LAYOUT)),
    "rss-without-items": Fault("extraction-empty", "no items",
                               served(b'<?xml version="1.0"?><rss version="2.0"><channel>'
                                      b"<title>Travel Advisories</title></channel></rss>")),
}


# ---- helpers ----


@pytest.fixture
def fenv(env):
    env.cleanups = []
    yield env
    for c in env.cleanups:
        c()


def configure(env, sid, url=None, daemon=None):
    good = GOOD[sid]
    return env.write_config(sid=sid, url=url or env.server.url(good["path"]),
                            daemon=daemon or {},
                            extra="events = change source-failing source-recovered\n")


def serve_good(env, sid, which):
    good = GOOD[sid]
    env.server.serve(good["path"], good[which](), good["content_type"])


def assert_failed(env, fault, sid, consecutive):
    r = env.once()
    assert r.returncode == 3, f"exit {r.returncode}, wanted 3:\n{r.stderr}"
    assert f"Failed to poll '{sid}'" in r.stderr and f"({fault.error_class})" in r.stderr, r.stderr
    src = env.source(sid)
    assert src["last_error_class"] == fault.error_class, src
    assert src["last_error"], src
    assert any(part.lower() in src["last_error"].lower() for part in fault.reason.split("|")), \
        src["last_error"]
    assert src["consecutive_failures"] == consecutive, src
    return src


def changes_told(env):
    """(country, previous, level) of every change told to the journal."""
    return {(j["ADVISORY_COUNTRY"], int(j["ADVISORY_PREVIOUS_LEVEL"]), int(j["ADVISORY_LEVEL"]))
            for j in env.journal.records()}


# ---- one test per fault class ----


@pytest.mark.parametrize("name", FAULTS)
def test_fault_is_never_a_change(fenv, name):
    env, fault = fenv, FAULTS[name]
    sid, good = fault.source, GOOD[fault.source]
    path = good["path"]

    # 1. nothing known yet: nothing may be invented
    configure(env, sid, fault.serve(env, path, env.server.url(path)), fault.daemon)
    assert_failed(env, fault, sid, consecutive=1)
    assert env.ctl_json("status") == []
    assert env.ctl_json("changes") == []
    assert env.outbox() == []

    # 2. a known state: it stands, untouched
    configure(env, sid)
    serve_good(env, sid, "baseline")
    env.once_ok()
    before = env.snapshot()
    assert len(before["status"]) > 20
    configure(env, sid, fault.serve(env, path, env.server.url(path)), fault.daemon)
    src = assert_failed(env, fault, sid, consecutive=1)
    assert env.snapshot() == before
    assert src["state"] == "ok" and src["countries"] == len(before["status"])
    assert fault.check is None or fault.check(env)

    # 3. the server heals: exactly the real changes, told once; the source is well again
    configure(env, sid)
    serve_good(env, sid, "changed")
    env.once_ok()
    assert changes_told(env) == good["changes"]
    assert len(env.journal.records()) == len(good["changes"])
    assert {(c["country"], c["previous_level"], c["level"]) for c in env.ctl_json("changes")} \
        == good["changes"]
    src = env.source(sid)
    assert (src["state"], src["consecutive_failures"]) == ("ok", 0)


# Runs argv[2:] and writes its peak RSS (KiB) to argv[1]. A process's peak RSS starts at that of
# the process it was forked from, and pytest is large: a small process of its own forks this one.
PEAK_RSS = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_gzip_bomb_stops_at_the_limit(fenv):
    """1 GiB of zeros in 1 MiB of gzip, under a 4 MiB limit: the transfer stops once 4 MiB are
    decoded, and the daemon never holds anything near 1 GiB (its peak RSS says so)."""
    env = fenv
    configure(env, "us", daemon={"max_document_size": "4M"})
    serve_good(env, "us", "baseline")
    env.once_ok()
    before = env.snapshot()
    env.server.serve(FEED_PATH, gzip_bomb(), "application/rss+xml",
                     headers={"Content-Encoding": "gzip"})

    maxrss = env.tmp / "maxrss"
    r = subprocess.run([sys.executable, "-c", PEAK_RSS, str(maxrss), str(ADVISORYD), "--once",
                        "-c", str(env.config)], env=child_env(), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)

    assert r.returncode == 3, r.stderr
    src = env.source()
    assert src["last_error_class"] == "too-large", src
    assert src["last_error"] == "document larger than 4194304 bytes"
    assert env.snapshot() == before
    peak = int(maxrss.read_text())  # KiB
    assert 0 < peak < 256 * 1024, f"peak RSS {peak} KiB"


def test_retry_after_of_a_429_postpones_the_next_poll(fenv):
    """429 Too Many Requests: the daemon keeps to the server's Retry-After, even when its own
    back-off (interval 1 s) would come back sooner. (503 and Retry-After: test_service.py.)"""
    env = fenv
    configure(env, "us", daemon={"interval": "1s"})
    env.server.fail(FEED_PATH, 429, headers={"Retry-After": "3600"})
    p = env.start_daemon()
    env.wait_for_log(p, "retrying in", WAIT)
    src = env.source()
    assert (src["last_error_class"], src["last_error"]) == ("http-4xx", "HTTP 429")
    assert epoch(src["next_poll"]) >= epoch(src["last_attempt"]) + 3500, src
    assert p.poll() is None
    p.send_signal(signal.SIGTERM)
    assert p.wait(WAIT) == 0
    assert len(env.server.requests(FEED_PATH)) == 1


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


# The faults a running daemon meets one after another, each until it has been seen: one of each
# kind (an HTTP status, the two timeouts its event loop must enforce, a broken transfer, a
# document that is not what it should be); the rest behave the same in both modes and are shown
# with --once above. Each poll takes 1-2 s (the timers have 1 s of slack). Neighbours differ in
# class, so that the poll that shows a fault cannot be one still running on the fault before.
# The 503 carries no Retry-After here: the daemon would honour it and wait.
GAUNTLET = {
    "http-503": lambda env: env.server.fail(FEED_PATH, 503),
    "timeout-before-headers": None,
    "truncated-body": None,
    "slow-drip": None,
    "layout-change": None,
}


def test_running_daemon_rides_out_every_fault(fenv):
    """One daemon polling every second meets one fault after another, each shown with its class
    in `advisoryctl sources` while it lasts; it keeps running and changes nothing, tells
    `source-failing` once, and when the server heals records the real changes and tells them
    and `source-recovered` once."""
    env = fenv
    configure(env, "us", daemon={"interval": "1s", "timeout": "3s"})
    serve_good(env, "us", "baseline")
    p = env.start_daemon()
    env.wait_for_log(p, "baseline of 23 countries", WAIT)
    before = env.snapshot()

    for name, serve in GAUNTLET.items():
        fault = FAULTS[name]
        if serve:
            serve(env)
        else:
            assert fault.serve(env, FEED_PATH, env.feed_url) == env.feed_url
        reasons = [r.lower() for r in fault.reason.split("|")]
        env.wait_for_source(lambda s: s["last_error_class"] == fault.error_class
                            and any(r in (s["last_error"] or "").lower() for r in reasons), WAIT)
        assert p.poll() is None, env.daemon_log(p)
        assert env.ctl_json("status") == before["status"], name
        assert env.ctl_json("changes") == [], name

    assert env.source()["state"] == "failing"
    serve_good(env, "us", "changed")
    told = env.journal.wait(len(GOOD["us"]["changes"]), WAIT)
    env.syslog.wait(len(GOOD["us"]["changes"]) + 2, WAIT)
    src = env.wait_for_source(lambda s: s["state"] == "ok", WAIT)
    p.send_signal(signal.SIGTERM)
    assert p.wait(WAIT) == 0, env.daemon_log(p)

    assert src["consecutive_failures"] == 0
    assert changes_told(env) == GOOD["us"]["changes"] and len(told) == 2
    lines = [r.message for r in env.syslog.records()]
    assert sum(line.startswith("us: source failing") for line in lines) == 1, lines
    assert sum(line.startswith("us: source recovered") for line in lines) == 1, lines
    assert len(lines) == 4, lines


# ---- the database: another writer holds the lock ----


class WriteLock:
    """Another connection's write transaction on the daemon's database (in WAL mode readers go
    on; writers wait up to the busy timeout, 2 s)."""

    def __init__(self, db):
        self.con = sqlite3.connect(db, isolation_level=None)
        self.con.execute("BEGIN IMMEDIATE")

    def release(self):
        if self.con:
            self.con.execute("ROLLBACK")
            self.con.close()
            self.con = None


def sleeping_in_sqlite(pid):
    """Whether the daemon's main thread sleeps in the kernel's nanosleep: the only place it does
    is SQLite's busy handler between two tries for a lock (else it waits in epoll or runs)."""
    try:
        return "nanosleep" in Path(f"/proc/{pid}/task/{pid}/wchan").read_text()
    except OSError:
        return False


def kernel_shows_sleepers():
    """Whether /proc/PID/wchan names what a task waits in (some kernels hide it)."""
    with subprocess.Popen(["sleep", "30"]) as p:
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if sleeping_in_sqlite(p.pid):
                    return True
                time.sleep(0.01)
            return False
        finally:
            p.kill()


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def test_a_brief_lock_is_waited_for(fenv):
    """A write lock that another program holds for a moment (less than the busy timeout) only
    delays the recording: the poll succeeds."""
    env = fenv
    configure(env, "us")
    serve_good(env, "us", "baseline")
    env.once_ok()
    serve_good(env, "us", "changed")
    if not kernel_shows_sleepers():
        pytest.skip("/proc/PID/wchan is hidden here: cannot see the daemon wait for the lock")
    lock = WriteLock(env.db)
    try:
        p = subprocess.Popen([str(ADVISORYD), "--once", "-c", str(env.config)], env=child_env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        wait_until(lambda: sleeping_in_sqlite(p.pid) or p.poll() is not None, WAIT,
                   "the daemon waiting for the lock")
        assert p.poll() is None, p.stderr.read()
    finally:
        lock.release()
    _, stderr = p.communicate(timeout=WAIT)
    assert p.returncode == 0, stderr
    assert changes_told(env) == GOOD["us"]["changes"]
    assert env.source()["consecutive_failures"] == 0


def test_a_lock_held_too_long_fails_the_poll_which_is_retried(fenv):
    """A write lock held longer than the busy timeout: the document is not recorded, the poll
    fails with class store (shown once the lock is gone), and the next poll records it."""
    env = fenv
    configure(env, "us", daemon={"interval": "1s"})
    serve_good(env, "us", "baseline")
    p = env.start_daemon("-v")
    env.wait_for_log(p, "baseline of 23 countries", WAIT)

    lock = WriteLock(env.db)
    try:
        serve_good(env, "us", "changed")
        env.wait_for_log(p, "cannot record the document", WAIT)  # after 2 s of waiting
        assert env.journal.records() == []  # nothing told of what was not recorded
        # released at once: recording the failure waits for the lock too (at most 2 s)
    finally:
        lock.release()
    src = env.wait_for_source(lambda s: s["last_error_class"] == "store", WAIT)
    assert "locked" in src["last_error"], src
    env.journal.wait(2, WAIT)
    src = env.wait_for_source(lambda s: s["consecutive_failures"] == 0, WAIT)
    p.send_signal(signal.SIGTERM)
    assert p.wait(WAIT) == 0, env.daemon_log(p)
    assert changes_told(env) == GOOD["us"]["changes"] and len(env.journal.records()) == 2
    assert src["state"] == "ok"
