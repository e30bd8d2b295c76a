"""advisoryenv.py: one test's world: a configuration and database in its tmp dir, the fixture
HTTP server, the journal and syslog receivers, and helpers that run the real binaries.

The binaries come from $ADVISORYD_BUILD (set by `make integration`), else ./build.
"""

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "integration"
BUILD = Path(os.environ.get("ADVISORYD_BUILD") or REPO / "build")
ADVISORYD = BUILD / "advisoryd"
ADVISORYCTL = BUILD / "advisoryctl"

# DESIGN.md: the catalogued MESSAGE_ID of a level change.
MESSAGE_ID_LEVEL_CHANGED = "6b9b771301eb4d47b5aa0a366de3a57f"
# include/change.h: the catalogued ids of the source events (stable: users filter on them).
MESSAGE_ID_SOURCE_FAILING = "60056a8315604dc99b966d729638b9d9"
MESSAGE_ID_SOURCE_RECOVERED = "68e4169bed864656bb6c4c5b60eedf2b"
FEED_PATH = "/_res/rss/TAsTWs.xml"

# Generous: the same suite runs under ASan/UBSan in CI. Nothing waits this long when it works.
RUN_TIMEOUT = 60


def fixture(name):
    return (FIXTURES / name).read_bytes()


def child_env():
    """The environment for the binaries: no proxy (curl honours *_proxy), no service manager
    or journal stream inherited from whoever runs the tests, UTC, no colours."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID",
                         "LISTEN_FDS", "LISTEN_PID", "CREDENTIALS_DIRECTORY")}
    env.update(TZ="UTC", NO_COLOR="1")
    return env


# ---- advisoryctl over a history built by importing saved documents (test_ctl_*.py) ----

CTL_FIXTURES = REPO / "tests" / "fixtures" / "ctl"
CTL_GOLDEN = CTL_FIXTURES / "golden"
# tests/fixtures/ctl/generate.py: snapshot -> when it is imported; source -> file extension
CTL_SNAPSHOTS = {
    "2021-06-01": "2021-06-01T00:00:00Z",
    "2022-01-06": "2022-01-06T12:00:00Z",
    "2022-02-24": "2022-02-24T12:00:00Z",
    "2022-06-01": "2022-06-01T00:00:00Z",
}
CTL_SOURCES = {"us": "xml", "ca": "json", "de": "json", "au": "json"}


def ctl_fixture(source, snapshot):
    return CTL_FIXTURES / f"{source}-{snapshot}.{CTL_SOURCES[source]}"


def run_ctl(db, *args, env=None, database=True):
    """advisoryctl [--database DB] ARGS; env adds to (or with None values, removes from) the
    test environment. stdout and stderr are str, with line ends as written."""
    argv = [str(ADVISORYCTL)] + (["--database", str(db)] if database else [])
    e = child_env()
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    r = subprocess.run(argv + [str(a) for a in args], capture_output=True, env=e,
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    # decoded here: text=True would turn the CRLF of CSV into LF
    r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
    return r


def import_snapshots(db, snapshots=None, sources=None):
    """Imports the fixture snapshots (all, in time order, by default) of the sources."""
    for snapshot in snapshots or CTL_SNAPSHOTS:
        for source in sources or CTL_SOURCES:
            r = run_ctl(db, "import", "--source", source, "--at", CTL_SNAPSHOTS[snapshot],
                        ctl_fixture(source, snapshot))
            assert r.returncode == 0, f"import {source} {snapshot}: {r.stderr}"


def assert_golden(name, text):
    """text must equal tests/fixtures/ctl/golden/NAME. ADVISORYD_UPDATE_GOLDEN=1 rewrites the
    file instead (then review the diff)."""
    path = CTL_GOLDEN / name
    if os.environ.get("ADVISORYD_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode())
    assert path.exists(), f"no golden file {path}: run with ADVISORYD_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode()  # as is: CSV lines end in CRLF
    assert text == expected, f"output differs from {path}:\n{text}"


class AdvisoryEnv:
    def __init__(self, tmp_path, server, journal, syslog):
        self.tmp = Path(tmp_path)
        self.db = self.tmp / "advisoryd.db"
        self.server = server
        self.journal = journal
        self.syslog = syslog
        self.config = None
        self.processes = []

    # ---- the world ----

    @property
    def feed_url(self):
        return self.server.url(FEED_PATH)

    def serve_feed(self, body, **kwargs):
        """Serves a fixture file name (str ending in .xml/.html) or bytes as the US feed."""
        if isinstance(body, str) and "<" not in body:
            body = fixture(body)
        return self.server.serve(FEED_PATH, body, **kwargs)

    def write_config(self, *, url=None, daemon=None, source=None, notifiers=True, extra="",
                     name="advisoryd.conf", sid="us"):
        """A configuration for this test; [daemon]/[source:SID] keys in daemon/source override
        the defaults here. Returns its path, and uses it for later runs."""
        d = {"database": str(self.db), "interval": "1h", "jitter": "0", "timeout": "10s"}
        d.update(daemon or {})
        s = {"url": url or self.feed_url}
        s.update(source or {})
        lines = ["# written by tests/integration", "[daemon]"]
        lines += [f"{k} = {v}" for k, v in d.items()]
        lines += ["", f"[source:{sid}]"] + [f"{k} = {v}" for k, v in s.items()]
        if notifiers:
            lines += ["", "[notify:j]", "type = journal", f"socket = {self.journal.path}",
                      "", "[notify:s]", "type = syslog", f"socket = {self.syslog.path}",
                      "facility = local3", "ident = advisory-test"]
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n" + extra)
        self.config = path
        return path

    # ---- advisoryd ----

    def advisoryd(self, *args, timeout=RUN_TIMEOUT):
        return subprocess.run([str(ADVISORYD), *map(str, args)], capture_output=True, text=True,
                              env=child_env(), timeout=timeout, stdin=subprocess.DEVNULL)

    def once(self, *args, config=None):
        """`advisoryd --once -c CONF`; returns the CompletedProcess (text)."""
        return self.advisoryd("--once", "-c", config or self.config, *args)

    def once_ok(self, *args, expect=0):
        r = self.once(*args)
        assert r.returncode == expect, f"advisoryd --once exited {r.returncode}:\n{r.stderr}"
        return r

    def start_daemon(self, *args, config=None, extra_env=None):
        """advisoryd as a service (no --once) in the background; stderr to a file."""
        log = open(self.tmp / f"advisoryd-{len(self.processes)}.log", "w+")
        p = subprocess.Popen([str(ADVISORYD), "-c", str(config or self.config), *map(str, args)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             env=dict(child_env(), **(extra_env or {})), text=True)
        p.log = log
        self.processes.append(p)
        return p

    @staticmethod
    def daemon_log(p):
        with open(p.log.name) as f:
            return f.read()

    def wait_for_log(self, p, text, timeout, after=0):
        """Bounded wait for text in the daemon's log past offset `after`; returns the offset just
        past it, or fails with the log."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.daemon_log(p)
            i = log.find(text, after)
            if i >= 0:
                return i + len(text)
            if p.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in advisoryd's log (exit status {p.poll()}):"
                                     f"\n{log}")
            time.sleep(0.02)

    def stop_all(self):
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait(10)
            p.log.close()

    # ---- advisoryctl ----

    def ctl(self, *args, database=True):
        argv = [str(ADVISORYCTL)]
        if database:
            argv += ["--database", str(self.db)]
        return subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True,
                              env=child_env(), timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)

    def ctl_json(self, *args):
        r = self.ctl("--json", *args)
        assert r.returncode == 0, f"advisoryctl --json {' '.join(map(str, args))}: " \
                                  f"exit {r.returncode}\n{r.stderr}"
        return json.loads(r.stdout)

    def status(self):
        """{country: record} for the US source."""
        rows = self.ctl_json("status")
        assert all(r["source"] == "us" for r in rows)
        by_country = {r["country"]: r for r in rows}
        assert len(by_country) == len(rows), "one status row per (source, country)"
        return by_country

    def source(self, sid="us"):
        rows = [r for r in self.ctl_json("sources") if r["source"] == sid]
        assert len(rows) == 1, rows
        return rows[0]

    # ---- the database, read-only, for what advisoryctl does not show yet ----

    def query(self, sql, *params):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, params)]
        finally:
            con.close()

    def backdate_source(self, seconds, sid="us"):
        """Moves the source's last attempt and success into the past: a test cannot wait a
        day, and the database keeps whole seconds. The only write a test makes."""
        con = sqlite3.connect(self.db)
        try:
            with con:
                con.execute("UPDATE source SET last_success = last_success - ?1,"
                            " last_attempt = last_attempt - ?1 WHERE id = ?2", (seconds, sid))
        finally:
            con.close()

    def make_outbox_due(self):
        """Moves the next attempt of pending notifications to now: the first retry is due only
        30 s after a failure."""
        con = sqlite3.connect(self.db)
        try:
            with con:
                con.execute("UPDATE outbox SET next_attempt = next_attempt - 3600"
                            " WHERE state = 'pending'")
        finally:
            con.close()

    def outbox(self):
        return self.query("SELECT * FROM outbox ORDER BY id")

    def snapshot(self):
        """Everything a failed poll must leave as it was: every source's levels (with their
        since, labels and urls), the history of changes, the outbox, what the receivers got."""
        return {
            "status": self.ctl_json("status"),
            "changes": self.ctl_json("changes"),
            "outbox": self.outbox(),
            "journal": len(self.journal.records()),
            "syslog": len(self.syslog.records()),
        }

    def wait_for_source(self, pred, timeout, sid="us"):
        """Bounded wait until pred(`advisoryctl --json sources` row of sid) holds; returns the
        row, or fails with the last one seen."""
        deadline = time.monotonic() + timeout
        row = None
        while True:
            r = self.ctl("--json", "sources")  # fails until the daemon has made the database
            rows = [x for x in json.loads(r.stdout) if x["source"] == sid] \
                if r.returncode == 0 else []
            row = rows[0] if rows else None
            if row is not None and pred(row):
                return row
            if time.monotonic() > deadline:
                raise AssertionError(f"source {sid} never got there; last seen: {row}")
            time.sleep(0.05)
