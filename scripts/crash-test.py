#!/usr/bin/python3
"""crash-test.py: advisoryd, killed with SIGKILL at random moments again and again, loses nothing.

The world: a loopback HTTP server publishes a Canadian-format travel advice index of 200
countries. Each *version* of it moves a few countries (at most 5 %, far below the mass-change
guard) to another level. The server moves on to the next version only once the daemon has
recorded the current one (read from the database between two runs), so every version is served
until it is recorded; "every change the server made" is then exactly the sequence of versions the
server went through, and it cannot be met by recording nothing: the run only advances when
something was recorded.

The daemon, built normally, is started again and again and SIGKILLed at a random moment of each
run: first on a new database (while it is created and migrated), then in four ways:
  once    `advisoryd --once`, killed at a uniformly random time within a run's usual length
          (start-up, migrations, fetch, transaction, deliveries, exit);
  answer  `advisoryd --once`, killed within the few milliseconds after the server answered:
          extraction, the document's transaction, the deliveries and their marks;
  delivery `advisoryd --once`, killed as the first notification of the run reaches the sink
          (between the deliveries, while commands run, between a delivery and its mark);
  service the daemon as a service (interval 1 s), killed within 3 s.
Every delivery goes to a sink that logs it with its change id: a command run by the exec notifier
(one file per delivery), or (--sink journal) the journal's native protocol on a socket of ours.

At the end one `--once` run finishes undisturbed (it delivers what is still due), then:
  - per country, the history holds exactly the levels the versions went through, in order: no
    change lost, none recorded twice, none invented;
  - every change was delivered at least once; a change delivered more than once carries the same
    id and the same content each time; nothing was delivered that is not a change;
  - every outbox row is delivered; PRAGMA integrity_check and foreign_key_check are clean.
The figures are printed; the exit status is 0 when everything holds.

  scripts/crash-test.py [--build DIR] [--kills N] [--seed S] [--sink journal|exec] [--keep]
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402  (the integration tests' fixture server and receivers)

PATH = "/travel-voyage/index-alpha-eng.json"
COUNTRIES = 200
MAX_MOVES = COUNTRIES // 20  # per version: 5 %, well below the mass-change guard's 30 %
RUN_TIMEOUT = 60


def child_env():
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID",
                         "LISTEN_FDS", "LISTEN_PID", "CREDENTIALS_DIRECTORY")}
    env.update(TZ="UTC")
    return env


def iso_codes():
    with open("/usr/share/iso-codes/json/iso_3166-1.json") as f:
        return sorted(c["alpha_2"] for c in json.load(f)["3166-1"])[:COUNTRIES]


def document(levels, serial):
    data = {c: {"country-iso": c, "advisory-state": level - 1, "has-regional-advisory": 0,
                "date-published": {"timestamp": 1782236559 + serial},
                "eng": {"url-slug": c.lower(), "advisory-text": f"version {serial}"}}
            for c, level in levels.items()}
    return json.dumps({"metadata": {"generated": {"timestamp": 1783017624 + serial}},
                       "data": data}).encode()


class World:
    """The server's side: the versions so far, the one being served, every GET."""

    def __init__(self, rng):
        self.rng = rng
        self.server = harness.FixtureServer()
        self.codes = iso_codes()
        self.versions = [{c: rng.choice((1, 1, 1, 2, 2, 3, 4)) for c in self.codes}]
        self.answered = threading.Event()
        log = self.server._log

        def on_request(req):  # the fixture server calls this as each request arrives
            log(req)
            self.answered.set()
        self.server._log = on_request
        self._serve()

    def _serve(self):
        self.server.serve(PATH, document(self.versions[-1], len(self.versions)),
                          "application/json")

    @property
    def current(self):
        return self.versions[-1]

    def advance(self):
        levels = dict(self.current)
        for c in self.rng.sample(self.codes, self.rng.randint(1, MAX_MOVES)):
            levels[c] = self.rng.choice([x for x in (1, 2, 3, 4) if x != levels[c]])
        self.versions.append(levels)
        self._serve()

    def gets(self):
        return len(self.server.requests(PATH))


class Sink:
    """Every delivery, as (change id, country, previous level, level)."""

    def __init__(self, tmp, kind):
        self.dir = tmp / "deliveries"
        self.dir.mkdir()
        self.receiver = None
        self.kind = kind
        self.cut = 0  # commands that got a payload cut short by a kill
        if kind == "journal":
            self.receiver = harness.journal_receiver(tempfile.mktemp(prefix="crash-j-",
                                                                    dir="/tmp"))

    def config(self):
        if self.kind == "journal":
            return f"[notify:sink]\ntype = journal\nsocket = {self.receiver.path}\n"
        # one file per delivery: a command may outlive the daemon killed while it runs, and
        # several may run at once; each finished file is a delivery
        script = self.dir.parent / "sink.sh"
        script.write_text(f"#!/bin/sh\nset -e\nf=$(mktemp {self.dir}/.d.XXXXXXXX)\n"
                          f"cat > \"$f\"\nmv \"$f\" \"{self.dir}/d.${{f##*/.d.}}\"\n")
        script.chmod(0o755)
        return f"[notify:sink]\ntype = exec\ncommand = {script}\ntimeout = 10s\n"

    def deliveries(self):
        if self.kind == "journal":
            return [(int(r["ADVISORY_CHANGE_ID"]), r["ADVISORY_COUNTRY"],
                     int(r.get("ADVISORY_PREVIOUS_LEVEL", 0)), int(r["ADVISORY_LEVEL"]))
                    for r in self.receiver.records()]
        out = []
        self.cut = 0
        for f in self.dir.glob("d.*"):
            try:
                j = json.loads(f.read_bytes())
            except ValueError:
                # the daemon was killed while it wrote the payload: the command got a piece
                # of one (or nothing), which is no notification
                self.cut += 1
                continue
            out.append((int(j["id"]), j["country"], j["previous_level"] or 0, j["level"]))
        return out

    def count(self):
        if self.kind == "journal":
            return len(self.receiver.records())
        return sum(1 for e in os.scandir(self.dir) if e.name.startswith("d."))

    def wait_for_more(self, seen, process):
        """Until a delivery beyond the first `seen` arrives, or the process ends."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while self.count() <= seen and process.poll() is None:
            if time.monotonic() > deadline:
                raise SystemExit("no delivery within the run")
            if self.receiver:
                self.receiver.wait(seen + 1, 0.05)
            else:
                time.sleep(0.001)

    def close(self):
        if self.receiver:
            self.receiver.close()


class Database:
    def __init__(self, path):
        self.path = path

    def query(self, sql, *params):
        if not self.path.exists():
            return []
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []  # no tables yet: killed before the first migration committed
        finally:
            con.close()

    def state(self):
        """country → level of each country's latest period."""
        rows = self.query("SELECT country, level FROM period p WHERE source = 'ca' AND id ="
                          " (SELECT MAX(id) FROM period q WHERE q.source = 'ca'"
                          " AND q.country = p.country)")
        return dict(rows)

    def pending(self):
        rows = self.query("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        return rows[0][0] if rows else 0


class Runner:
    def __init__(self, args, tmp, world, sink):
        self.build = Path(args.build).resolve()
        self.sink = sink
        self.rng = random.Random(args.seed + 1)
        self.world = world
        self.db = Database(tmp / "advisoryd.db")
        self.config = tmp / "advisoryd.conf"
        self.config.write_text(
            f"[daemon]\ndatabase = {self.db.path}\ninterval = 1s\njitter = 0\ntimeout = 10s\n"
            f"\n[source:ca]\nurl = {world.server.url(PATH)}\n\n{sink.config()}")
        self.log = open(tmp / "advisoryd.log", "w")
        # how long an undisturbed --once run takes, start to exit and answer to exit: the last
        # few runs that ended before their kill (the database grows, the machine may be busy)
        self.lengths = deque(maxlen=15)
        self.kills = Counter()    # by way
        self.phases = Counter()   # where the kills fell
        self.completed = 0

    def start(self, once=True):
        argv = [str(self.build / "advisoryd"), "-c", str(self.config)] + (["--once"] if once
                                                                          else [])
        self.world.answered.clear()
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                stderr=self.log, env=child_env())

    @property
    def run_length(self):
        return statistics.median(t for t, _ in self.lengths)

    @property
    def answer_to_exit(self):
        return statistics.median(t for _, t in self.lengths)

    def undisturbed(self):
        """One --once run left to finish; returns (start to exit, answer to exit)."""
        t0 = time.monotonic()
        p = self.start()
        answered = self.world.answered.wait(RUN_TIMEOUT)
        t1 = time.monotonic()
        rc = p.wait(RUN_TIMEOUT)
        t2 = time.monotonic()
        if rc != 0 or not answered:
            raise SystemExit(f"an undisturbed run failed (exit {rc}): see the log")
        self.after_run()
        return t2 - t0, t2 - t1

    def calibrate(self):
        self.undisturbed()  # may still create the database: slower than the rest
        for _ in range(5):
            self.lengths.append(self.undisturbed())

    def kill_once(self, way):
        gets = self.world.gets()
        p = self.start(once=way != "service")
        if way == "create":
            delay = self.rng.uniform(0, 0.03)
        elif way == "answer":
            if not self.world.answered.wait(RUN_TIMEOUT):
                raise SystemExit("the daemon never fetched the document")
            delay = self.rng.uniform(0, self.answer_to_exit * 1.1)
        elif way == "delivery":
            self.sink.wait_for_more(self.sink.count(), p)
            delay = self.rng.uniform(0, 0.002)
        elif way == "service":
            delay = self.rng.uniform(0, 3.0)
        else:
            delay = self.rng.uniform(0, self.run_length * 1.2)
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            self.kills[way] += 1
            self.phases[(way, self.phase(gets))] += 1
        else:
            p.wait()
            self.completed += 1
            if way == "once":  # ended on its own within the delay: a run is shorter than assumed
                self.lengths.append(self.undisturbed())
        self.after_run()

    def phase(self, gets_before):
        recorded = self.db.state() == self.world.current
        if self.world.gets() == gets_before:
            return "before the fetch"
        if not recorded:
            return "after the fetch, before the commit"
        if self.db.pending() > 0:
            return "after the commit, deliveries pending"
        return "after the deliveries"

    def after_run(self):
        if self.db.state() == self.world.current:
            self.world.advance()

    def drain(self):
        """A last run left alone: it records what is served and delivers what is due."""
        p = self.start()
        rc = p.wait(RUN_TIMEOUT)
        if rc != 0:
            raise SystemExit(f"the final run failed (exit {rc}): see the log")


def collapse(levels):
    out = []
    for x in levels:
        if not out or out[-1] != x:
            out.append(x)
    return out


def verify(world, db, sink, recorded_versions):
    problems = []
    # history: per country, the levels of its periods, in order
    periods = defaultdict(list)
    for country, level, pid in db.query("SELECT country, level, id FROM period"
                                        " WHERE source = 'ca' ORDER BY id"):
        periods[country].append((pid, level))
    versions = world.versions[:recorded_versions]
    expected_changes = 0
    for c in world.codes:
        want = collapse([v[c] for v in versions])
        got = [level for _, level in periods.get(c, [])]
        expected_changes += len(want) - 1
        if got != want:
            problems.append(f"{c}: history {got}, the server went through {want}")
    changes = {pid: (c, periods[c][i - 1][1], level)
               for c in periods for i, (pid, level) in enumerate(periods[c]) if i > 0}
    # deliveries
    by_id = defaultdict(list)
    for change_id, country, previous, level in sink.deliveries():
        by_id[change_id].append((country, previous, level))
    lost = [pid for pid in changes if pid not in by_id]
    phantom = [pid for pid in by_id if pid not in changes]
    duplicates = sum(len(v) - 1 for v in by_id.values())
    for pid, got in by_id.items():
        if pid in changes and any(g != changes[pid] for g in got):
            problems.append(f"change {pid}: delivered as {got}, recorded as {changes[pid]}")
    if lost:
        problems.append(f"{len(lost)} changes never delivered: {lost[:10]}")
    if phantom:
        problems.append(f"{len(phantom)} deliveries of ids that are no change: {phantom[:10]}")
    pending = db.query("SELECT id, state FROM outbox WHERE state != 'delivered'")
    if pending:
        problems.append(f"{len(pending)} outbox rows not delivered: {pending[:10]}")
    if len(changes) != expected_changes:
        problems.append(f"{len(changes)} changes recorded, the server made {expected_changes}")
    return problems, {
        "changes": len(changes), "expected": expected_changes,
        "deliveries": sum(len(v) for v in by_id.values()), "duplicates": duplicates,
        "lost": len(lost), "phantom": len(phantom),
    }


def integrity(path):
    con = sqlite3.connect(path)
    try:
        return (con.execute("PRAGMA integrity_check").fetchall(),
                con.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("ADVISORYD_BUILD") or REPO / "build")
    ap.add_argument("--kills", type=int, default=240)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--sink", choices=("exec", "journal"), default="exec",
                    help="how deliveries are logged: the journal protocol on a socket of ours, "
                    "or a command (the exec notifier)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="advisoryd-crash-"))
    rng = random.Random(args.seed)
    world = World(rng)
    sink = Sink(tmp, args.sink)
    runner = Runner(args, tmp, world, sink)
    started = time.monotonic()
    ok = False
    try:
        # a new database: killed while it is created and migrated, until a run got through
        for _ in range(12):
            runner.kill_once("create")
            if runner.db.state():
                break
        runner.calibrate()
        # of the kills: 40 % anywhere in a --once run, 25 % just after the answer, 20 % as the
        # deliveries begin, the rest in service
        n = args.kills
        ways = ["once"] * (n * 40 // 100) + ["answer"] * (n * 25 // 100)
        ways += ["delivery"] * (n * 20 // 100)
        ways += ["service"] * (n - len(ways))
        rng.shuffle(ways)
        for way in ways:
            before = runner.kills[way]
            while runner.kills[way] == before:  # a run that ended before its kill: again
                runner.kill_once(way)
        runner.drain()
        recorded = len(world.versions) - (0 if runner.db.state() == world.current else 1)
        problems, figures = verify(world, runner.db, sink, recorded)
        if recorded < len(world.versions):
            problems.append(f"version {len(world.versions)}, served to an undisturbed run, was"
                            " not recorded")
        checks = integrity(runner.db.path)
        if checks != ([("ok",)], []):
            problems.append(f"integrity_check / foreign_key_check: {checks}")
        if figures["changes"] == 0 or recorded < 10:
            problems.append("the server hardly moved: the run proves nothing")
        kills = sum(runner.kills.values())
        print(f"crash test (seed {args.seed}, sink {sink.kind}, "
              f"{time.monotonic() - started:.0f} s):")
        print(f"  a --once run  {runner.run_length * 1000:.0f} ms, {runner.answer_to_exit * 1000:.0f} ms"
              f" of it after the answer")
        print(f"  kills         {kills} ({', '.join(f'{k} {v}' for k, v in runner.kills.items())});"
              f" {runner.completed} runs ended before their kill")
        for phase in ("before the fetch", "after the fetch, before the commit",
                      "after the commit, deliveries pending", "after the deliveries"):
            by_way = ", ".join(f"{w} {runner.phases[(w, phase)]}" for w in runner.kills)
            print(f"    {phase:38} {sum(runner.phases[(w, phase)] for w in runner.kills):4}"
                  f"  ({by_way})")
        print(f"  versions      {recorded} served and recorded")
        print(f"  changes       {figures['changes']} recorded, {figures['expected']} made by the"
              f" server")
        print(f"  deliveries    {figures['deliveries']}, duplicates {figures['duplicates']}"
              f" (same id), lost {figures['lost']}, not a change {figures['phantom']}"
              + (f"; {sink.cut} commands got a payload cut short" if sink.kind == "exec" else ""))
        print(f"  integrity     {checks[0][0][0] if checks[0] else checks}")
        for p in problems:
            print(f"FAIL: {p}")
        ok = not problems and kills - runner.kills["create"] >= args.kills
    finally:
        world.server.close()
        sink.close()
        runner.log.close()
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  work directory: {tmp}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
