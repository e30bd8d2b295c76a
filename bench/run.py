#!/usr/bin/python3
"""run.py: advisoryd's performance benchmark against urlwatch (issue 9). `make bench` runs it.

  bench/run.py [--build DIR] [--reps 3] [--latency 0.1] [--no-gzip] [--idle-seconds 60] ...

Phases (each can be skipped, see --help):
  floor    libxml2's HTML parse (and zlib inflate) per page on the benchmark's own pages
  polls    advisoryd --once and urlwatch, cold then warm after 10 % of the pages changed level,
           alternating which tool goes first, --reps repetitions, against bench/server.py
  queries  advisoryctl history KZ / status KZ / changes --since 7d over ten years of hourly
           observations of 10 sources x 250 countries (median of --query-runs)
  idle     advisoryd as a service between two polls: wake-ups in --idle-seconds

Progress goes to stderr; the report (Markdown) to stdout and to OUT/report.md, every figure to
OUT/results.json, logs of every run to OUT/logs/. OUT defaults to BUILD/bench.
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pages  # noqa: E402

PYTHON = "/usr/bin/python3"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clean_env(**extra):
    """A child's environment: nothing of a service manager (no NOTIFY_SOCKET, JOURNAL_STREAM,
    WATCHDOG_*), a C.UTF-8 locale, HOME and XDG directories under the run's own directory."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "TZ": "UTC"}
    env.update(extra)
    return env


# ---- measuring a child ----

RUSAGE = None  # bench/rusage.c, built by build_tools()


def build_tools(out):
    """Compiles bench/rusage.c (the measuring launcher) and bench/parse-floor.c into out."""
    global RUSAGE
    RUSAGE = os.path.join(out, "rusage")
    subprocess.run(["cc", "-O2", "-Wall", "-o", RUSAGE, os.path.join(HERE, "rusage.c")], check=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libxml-2.0", "zlib"],
                           capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-std=c17", "-D_GNU_SOURCE", "-Wall", "-Wno-unused-parameter",
                    "-o", os.path.join(out, "parse-floor"), os.path.join(HERE, "parse-floor.c")]
                   + flags, check=True)


def measure(argv, *, env, cwd, stdout_path, stderr_path, timeout=900):
    """Runs argv to completion under bench/rusage: wall time, the child's own rusage from wait4()
    and the peak of its anonymous memory."""
    report = stdout_path + ".rusage.json"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        p = subprocess.Popen([RUSAGE, report] + argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, start_new_session=True)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            raise RuntimeError(f"{argv[0]} did not finish in {timeout} s")
    with open(report) as f:
        m = json.load(f)
    m["cpu"] = m["user"] + m["sys"]
    m["rc"] = p.returncode
    return m


def proc_cpu(pid):
    """user+sys seconds of a running process (for the server's own share)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


# ---- the web server ----

class Server:
    def __init__(self, latency, gzip, logdir):
        argv = [PYTHON, os.path.join(HERE, "server.py"), "--latency", str(latency)]
        if not gzip:
            argv.append("--no-gzip")
        self.err = open(os.path.join(logdir, "server.log"), "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True, bufsize=1)
        hello = json.loads(self.p.stdout.readline() or "{}")
        if "port" not in hello:
            raise RuntimeError("bench/server.py did not start; see server.log")
        self.port = hello["port"]
        self.n_pages = hello["pages"]

    def cmd(self, op, **kw):
        self.p.stdin.write(json.dumps(dict(kw, cmd=op)) + "\n")
        self.p.stdin.flush()
        answer = json.loads(self.p.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"server: {answer['error']}")
        return answer

    def cpu(self):
        return proc_cpu(self.p.pid)

    def close(self):
        try:
            self.cmd("quit")
        except (BrokenPipeError, ValueError, OSError):
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
        self.err.close()


# ---- the two tools ----

def country_lines(codes, per_line=20):
    """'countries = ...' over indented continuation lines (advisoryd's lines are < 200 chars)."""
    lines = ["countries = " + " ".join(codes[:per_line])]
    for i in range(per_line, len(codes), per_line):
        lines.append("        " + " ".join(codes[i:i + per_line]))
    return lines


def advisoryd_config(path, database, port, concurrency, interval="1h"):
    codes = [c for c, _ in pages.countries()]
    out = ["# written by bench/run.py", "[daemon]", f"database = {database}",
           f"interval = {interval}", "jitter = 0", f"max_connections = {concurrency}",
           f"max_connections_per_host = {concurrency}", "user_agent = advisoryd-bench/1", ""]
    for s in pages.SOURCES:
        out += [f"[source:{s['id']}]", "type = html", f"url = http://127.0.0.1:{port}{s['path']}",
                # the default (200 ms between two requests of a source) is politeness towards
                # real sites; urlwatch has none, so neither has the benchmark
                "request_delay = 0"]
        out += country_lines(codes)
        out.append(f"xpath = {pages.XPATH}")
        out += [f"level{lv} = {s['regex'][lv]}" for lv in (4, 3, 2, 1)]
        out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def advisoryd_state(database):
    """{(source, country): [levels of its periods, oldest first]}"""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT source, country, level FROM period ORDER BY source, country,"
                          " first_seen, id").fetchall()
    finally:
        db.close()
    state = {}
    for source, country, level in rows:
        state.setdefault((source, country), []).append(level)
    return state


def evaluate_advisoryd(database, truth, phase):
    """Recorded levels against the server's truth. Cold: one period per page at the served level.
    Warm: a second period exactly for the pages that changed."""
    state = advisoryd_state(database)
    detected = sum(1 for levels in state.values() if len(levels) > 1)
    wrong = 0
    for source, country, level, changed, _ in truth:
        levels = state.get((source, country), [])
        if phase == "cold":
            ok = levels == [level]
        else:
            ok = (len(levels) == 2 and levels[-1] == level) if changed else len(levels) == 1
        wrong += not ok
    expected = sum(1 for t in truth if t[3]) if phase == "warm" else 0
    return {"detected": detected, "expected": expected, "records": sum(map(len, state.values())),
            "wrong": wrong}


def urlwatch_files(directory, port):
    codes = [c for c, _ in pages.countries()]
    jobs = []
    for s in pages.SOURCES:
        for c in codes:
            jobs.append(f"name: {s['id']}/{c}\nurl: http://127.0.0.1:{port}{pages.page_path(s, c)}\n"
                        f"filter:\n  - xpath: '{pages.XPATH}'\n")
    urls = os.path.join(directory, "urls.yaml")
    with open(urls, "w", encoding="utf-8") as f:
        f.write("---\n".join(jobs))
    return urls


def urlwatch_default_config(directory, env):
    """urlwatch writes its default configuration on first use: done once, outside the clock."""
    cfg = os.path.join(directory, "urlwatch.yaml")
    empty = os.path.join(directory, "empty.yaml")
    with open(empty, "w") as f:
        f.write("")
    subprocess.run(["urlwatch", "--urls", empty, "--config", cfg, "--cache",
                    os.path.join(directory, "scratch.db"), "--hooks",
                    os.path.join(directory, "hooks.py")],
                   env=env, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=120)
    if not os.path.exists(cfg):
        raise RuntimeError("urlwatch did not write its default configuration")
    return cfg


SUMMARY_LINE = re.compile(r"^\d+\. (NEW|CHANGED|ERROR|UNCHANGED): (\S+)")


def evaluate_urlwatch(stdout_path, truth, phase):
    kinds = {}
    with open(stdout_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SUMMARY_LINE.match(line)
            if m:
                kinds.setdefault(m.group(1), set()).add(m.group(2))
    changed_truth = {f"{t[0]}/{t[1]}" for t in truth if t[3]} if phase == "warm" else set()
    changed = kinds.get("CHANGED", set())
    return {"detected": len(changed), "expected": len(changed_truth),
            "new": len(kinds.get("NEW", ())), "errors": len(kinds.get("ERROR", ())),
            "wrong": len(changed ^ changed_truth) + len(kinds.get("ERROR", ()))}


# ---- phase: the parse floor ----

def bench_floor(args, server, out):
    exe = os.path.join(out, "parse-floor")
    pages_dir = os.path.join(out, "pages")
    shutil.rmtree(pages_dir, ignore_errors=True)
    server.cmd("reset", rep=0)
    server.cmd("dump", dir=pages_dir)
    # the pace at which pages reach a poller: one every latency / concurrency
    gap_ms = max(1, round(args.latency * 1000 / args.concurrency))
    log(f"floor: libxml2 parse of the 996 pages (best of 5 rounds back to back, then one round"
        f" paced at one page every {gap_ms} ms)")
    r = subprocess.run([exe, pages_dir, "5", str(gap_ms)], capture_output=True, text=True, check=True)
    floor = json.loads(r.stdout)
    log(f"floor: parse {floor['parse_ms_per_page']:.3f} ms/page (mean {floor['mean_bytes'] / 1024:.0f} KiB),"
        f" {floor['parse_ms_per_90k']:.3f} ms per 90 KiB, paced {floor['paced_parse_ms_per_page']:.3f};"
        f" inflate {floor['inflate_ms_per_page']:.3f} ms/page")
    if args.callgrind:
        log("floor: the same under callgrind (a few minutes)")
        floor["parse_instructions_per_page"] = callgrind_total(
            [exe, pages_dir, "1", "0", "parse"], os.path.join(out, "floor-parse.callgrind"),
            toggle="round_parse") / floor["pages"]
        floor["inflate_instructions_per_page"] = callgrind_total(
            [exe, pages_dir, "1", "0", "inflate"], os.path.join(out, "floor-inflate.callgrind"),
            toggle="round_inflate") / floor["pages"]
        log(f"floor: {floor['parse_instructions_per_page'] / 1e6:.2f} M instructions per parse,"
            f" {floor['inflate_instructions_per_page'] / 1e6:.2f} M per inflate (callgrind)")
    return floor


def callgrind_total(argv, path, toggle=None, env=None, cwd=None):
    """Instructions executed by argv (or inside the function toggle), counted by callgrind."""
    vg = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={path}"]
    if toggle:
        vg.append(f"--toggle-collect={toggle}")
    subprocess.run(vg + argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=3600)
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def bench_callgrind(args, server, out, logs):
    """advisoryd's cold and warm polls under callgrind: instructions, which a busy machine does
    not change (the server's latency only stretches the run)."""
    work = os.path.join(out, "callgrind")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "advisoryd.db")
    conf = os.path.join(work, "advisoryd.conf")
    advisoryd_config(conf, db, server.port, args.concurrency)
    server.cmd("reset", rep=1)
    result = {}
    for phase in ("cold", "warm"):
        if phase == "warm":
            server.cmd("change", rep=1)
        log(f"callgrind: advisoryd {phase} poll (a few minutes)")
        result[phase] = callgrind_total([os.path.join(args.build, "advisoryd"), "-c", conf, "--once"],
                                        os.path.join(work, f"{phase}.callgrind"),
                                        env=clean_env(HOME=work), cwd=work)
        log(f"callgrind: {phase}: {result[phase] / 1e9:.2f} G instructions")
    return result


# ---- phase: the polls ----

def run_advisoryd(args, server, run_dir, logs, rep):
    os.makedirs(run_dir, exist_ok=True)
    db = os.path.join(run_dir, "advisoryd.db")
    conf = os.path.join(run_dir, "advisoryd.conf")
    advisoryd_config(conf, db, server.port, args.concurrency)
    exe = os.path.join(args.build, "advisoryd")
    results = []
    for phase in ("cold", "warm"):
        if phase == "warm":
            server.cmd("change", rep=rep)
        server.cmd("zero")
        truth = server.cmd("truth")["truth"]
        cpu0 = server.cpu()
        m = measure([exe, "-c", conf, "--once"], env=clean_env(HOME=run_dir), cwd=run_dir,
                    stdout_path=os.path.join(logs, f"advisoryd-{rep}-{phase}.out"),
                    stderr_path=os.path.join(logs, f"advisoryd-{rep}-{phase}.log"))
        m["server_cpu"] = server.cpu() - cpu0
        m["http"] = server.cmd("counters")
        m["result"] = evaluate_advisoryd(db, truth, phase)
        m.update(tool="advisoryd", phase=phase, rep=rep)
        results.append(m)
        log(f"rep {rep} advisoryd {phase}: {fmt_run(m)}")
    return results


def run_urlwatch(args, server, run_dir, logs, rep, default_cfg):
    os.makedirs(run_dir, exist_ok=True)
    urls = urlwatch_files(run_dir, server.port)
    cfg = os.path.join(run_dir, "urlwatch.yaml")
    shutil.copy(default_cfg, cfg)
    cache = os.path.join(run_dir, "cache.db")
    env = clean_env(HOME=run_dir, XDG_CONFIG_HOME=os.path.join(run_dir, "config"),
                    XDG_CACHE_HOME=os.path.join(run_dir, "cache"))
    results = []
    for phase in ("cold", "warm"):
        if phase == "warm":
            server.cmd("change", rep=rep)
        server.cmd("zero")
        truth = server.cmd("truth")["truth"]
        cpu0 = server.cpu()
        stdout_path = os.path.join(logs, f"urlwatch-{rep}-{phase}.out")
        m = measure(["urlwatch", "--urls", urls, "--config", cfg, "--cache", cache, "--hooks",
                     os.path.join(run_dir, "hooks.py")], env=env, cwd=run_dir,
                    stdout_path=stdout_path,
                    stderr_path=os.path.join(logs, f"urlwatch-{rep}-{phase}.log"))
        m["server_cpu"] = server.cpu() - cpu0
        m["http"] = server.cmd("counters")
        m["result"] = evaluate_urlwatch(stdout_path, truth, phase)
        m.update(tool="urlwatch", phase=phase, rep=rep)
        results.append(m)
        log(f"rep {rep} urlwatch {phase}: {fmt_run(m)}")
    return results


def fmt_run(m):
    h, r = m["http"], m["result"]
    return (f"wall {m['wall']:.2f} s, cpu {m['cpu']:.2f} s, rss {m['maxrss_kb'] / 1024:.1f} MiB, "
            f"{h['requests']} requests {h['status']}, {h['bytes_out'] / 1e6:.1f} MB, "
            f"{h['connections']} connections, changes {r['detected']}/{r['expected']}"
            f"{'' if r['wrong'] == 0 else ', WRONG ' + str(r['wrong'])}, rc {m['rc']}")


def bench_polls(args, server, out, logs):
    runs = []
    work = os.path.join(out, "runs")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    uw_default = None
    if not args.skip_urlwatch:
        uw_default = urlwatch_default_config(work, clean_env(HOME=work))
    for rep in range(1, args.reps + 1):
        order = ["advisoryd", "urlwatch"] if rep % 2 else ["urlwatch", "advisoryd"]
        for tool in order:
            server.cmd("reset", rep=rep)
            run_dir = os.path.join(work, f"{tool}-{rep}")
            if tool == "advisoryd":
                runs += run_advisoryd(args, server, run_dir, logs, rep)
            elif not args.skip_urlwatch:
                runs += run_urlwatch(args, server, run_dir, logs, rep, uw_default)
    return runs


# ---- phase: queries ----

QUERY_SOURCES = ["us", "uk", "ca", "de", "au", "no", "ie", "nz", "fr", "se"]
LABELS = {1: "Exercise normal precautions", 2: "Exercise increased caution",
          3: "Reconsider travel", 4: "Do not travel"}
HOUR = 3600


def build_query_db(args, path, now):
    """Ten years of hourly polls of 10 sources x 250 countries, in advisoryd's own schema. A period
    row is a run of identical hourly observations (first_seen, last_seen = first_seen +
    (observations - 1) h): the same information as one row per observation."""
    if os.path.exists(path):
        os.unlink(path)
    conf = path + ".conf"
    with open(conf, "w") as f:
        f.write(f"[daemon]\ndatabase = {path}\n")
    # the schema comes from advisoryd itself: a --once with no source creates and migrates it
    subprocess.run([os.path.join(args.build, "advisoryd"), "-c", conf, "--once"],
                   env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=60)
    db = sqlite3.connect(path)
    if not db.execute("SELECT name FROM sqlite_master WHERE name = 'period'").fetchone():
        raise RuntimeError("advisoryd did not create the schema for the query database")
    rng = random.Random("query-db")
    end = now - now % HOUR                 # the last hourly poll
    start = end - args.query_years * 8766 * HOUR
    codes = [c for c, _ in pages.countries()] + ["XK"]
    periods = []
    observations = 0
    for source in QUERY_SOURCES:
        for cc in codes:
            # how often this government moves this country: most rarely, some often
            rate = rng.choice([0.2] * 6 + [2.0] * 3 + [12.0])  # changes per year
            t = start
            level = rng.choices([1, 2, 3, 4], [40, 35, 15, 10])[0]
            regional = None
            while t <= end:
                hours = max(1, int(rng.expovariate(rate / 8766.0)))
                last = min(end, t + (hours - 1) * HOUR)
                n = (last - t) // HOUR + 1
                observations += n
                periods.append((source, cc, level, regional, f"{LABELS[level]} in {cc}.",
                                time.strftime("%Y-%m-%d", time.gmtime(t)),
                                f"https://example.org/{source}/{cc.lower()}", t, last, n))
                t = last + HOUR
                level = rng.choice([lv for lv in (1, 2, 3, 4) if lv != level])
                regional = rng.choice([None, None, None, min(4, level + 1)]) if level < 4 else None
                if regional is not None and regional <= level:
                    regional = None
    db.execute("BEGIN")
    db.executemany("INSERT INTO period (source, country, level, regional_level, label, updated, url,"
                   " first_seen, last_seen, observations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   periods)
    # every change was notified once, by one channel
    db.execute("INSERT INTO outbox (notifier, event, change_id, source, state, attempts, created_at,"
               " next_attempt, delivered_at) SELECT 'ops', 'change', p.id, p.source, 'delivered', 1,"
               " p.first_seen, p.first_seen, p.first_seen FROM period p WHERE p.first_seen > ?",
               (start,))
    for source in QUERY_SOURCES:
        db.execute("INSERT OR REPLACE INTO source (id, state, consecutive_failures, last_attempt,"
                   " last_success, documents, next_poll) VALUES (?, 'ok', 0, ?, ?, ?, ?)",
                   (source, end, end, (end - start) // HOUR, end + HOUR))
    db.commit()
    db.execute("ANALYZE") if args.query_analyze else None
    db.commit()
    db.close()
    size = os.path.getsize(path)
    return {"periods": len(periods), "observations": observations, "sources": len(QUERY_SOURCES),
            "countries": len(codes), "years": args.query_years,
            "changes": len(periods) - len(QUERY_SOURCES) * len(codes),
            "hourly_rows_equivalent": len(QUERY_SOURCES) * len(codes) * ((end - start) // HOUR + 1),
            "db_bytes": size}


def bench_queries(args, out, logs):
    path = os.path.join(out, "query.db")
    log("queries: building the database (ten years, hourly, 10 sources x 250 countries)")
    info = build_query_db(args, path, int(time.time()))
    log(f"queries: {info['periods']} periods = {info['observations']} hourly observations,"
        f" {info['db_bytes'] / 1e6:.0f} MB")
    ctl = os.path.join(args.build, "advisoryctl")
    commands = {"history KZ": ["history", "KZ"], "status KZ": ["status", "KZ"],
                "changes --since 7d": ["changes", "--since", "7d"]}
    results = {}
    # the page cache warm, as on a machine where the daemon runs
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass
    for name, argv in commands.items():
        times, lines, rc = [], 0, 0
        for i in range(args.query_runs):
            t0 = time.perf_counter()
            r = subprocess.run([ctl, "--database", path] + argv, env=clean_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            times.append((time.perf_counter() - t0) * 1e3)
            lines, rc = r.stdout.count(b"\n"), r.returncode
            if i == 0:
                with open(os.path.join(logs, f"query-{argv[0]}.out"), "wb") as f:
                    f.write(r.stdout + r.stderr)
        results[name] = {"median_ms": statistics.median(times), "min_ms": min(times),
                         "max_ms": max(times), "lines": lines, "rc": rc}
        log(f"queries: {name}: median {results[name]['median_ms']:.1f} ms"
            f" (min {min(times):.1f}, max {max(times):.1f}), {lines} lines, rc {rc}")
    # the floor of any advisoryctl command: starting the process and opening the database
    times = []
    for _ in range(args.query_runs):
        t0 = time.perf_counter()
        subprocess.run([ctl, "--help"], env=clean_env(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1e3)
    results["(advisoryctl --help: process start)"] = {"median_ms": statistics.median(times),
                                                      "min_ms": min(times), "max_ms": max(times),
                                                      "lines": 0, "rc": 0}
    return {"database": info, "commands": results}


# ---- phase: idle ----

def task_switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


class NotifyReceiver:
    """The service manager's end of sd_notify(): counts WATCHDOG=1 and keeps the last STATUS=."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.watchdog = []
        self.messages = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            self.messages.append((now, data))
            if "WATCHDOG=1" in data.split("\n"):
                self.watchdog.append(now)

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def strace_wakeups(path):
    """Groups an strace -f -tt log into wake-ups: each return from epoll_wait starts one; a
    wake-up whose work sends WATCHDOG=1 is the watchdog's."""
    wakeups = []
    with open(path, errors="replace") as f:
        for line in f:
            if re.search(r"epoll_p?wait2?\(.*\)\s+=\s+\d+|<\.\.\. epoll_p?wait2? resumed>.*=\s+\d+", line):
                m = re.search(r"\b(\d\d:\d\d:\d\d\.\d+)", line)
                wakeups.append({"time": m.group(1) if m else "?", "watchdog": False, "calls": []})
            elif wakeups:
                call = re.sub(r"^\d+\s+\d\d:\d\d:\d\d\.\d+\s+", "", line.strip())
                if "epoll_wait(" in call or "epoll_pwait(" in call:
                    continue
                wakeups[-1]["calls"].append(call[:120])
                if "WATCHDOG=1" in call:
                    wakeups[-1]["watchdog"] = True
    return wakeups


def bench_idle(args, server, out, logs):
    work = os.path.join(out, "idle")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "advisoryd.db")
    conf = os.path.join(work, "advisoryd.conf")
    advisoryd_config(conf, db, server.port, args.concurrency, interval="1h")
    notify = NotifyReceiver(os.path.join(work, "notify.sock"))
    watchdog_usec = int(args.watchdog * 1e6)
    env = clean_env(HOME=work, NOTIFY_SOCKET=os.path.join(work, "notify.sock"),
                    WATCHDOG_USEC=str(watchdog_usec))
    server.cmd("reset", rep=0)
    logf = open(os.path.join(logs, "idle-advisoryd.log"), "wb")
    p = subprocess.Popen([os.path.join(args.build, "advisoryd"), "-c", conf], env=env, cwd=work,
                         stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    result = {"watchdog_usec": watchdog_usec, "seconds": args.idle_seconds}
    try:
        # between polls: every source's first poll is done (4 x "Polled '...'" in the log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with open(os.path.join(logs, "idle-advisoryd.log"), errors="replace") as f:
                if sum(1 for line in f if line.startswith("Polled '")) >= len(pages.SOURCES):
                    break
            if p.poll() is not None:
                raise RuntimeError("advisoryd exited during the idle measurement")
            time.sleep(0.2)
        else:
            raise RuntimeError("advisoryd did not finish its first poll in 120 s")
        time.sleep(2)
        log(f"idle: advisoryd between polls; counting context switches for {args.idle_seconds} s"
            f" (WATCHDOG_USEC={watchdog_usec})")
        w0, s0, t0 = len(notify.watchdog), task_switches(p.pid), time.monotonic()
        cpu0 = proc_cpu(p.pid)
        time.sleep(args.idle_seconds)
        s1, w1, t1 = task_switches(p.pid), len(notify.watchdog), time.monotonic()
        result.update(context_switches=s1 - s0, watchdog_pings=w1 - w0, window=t1 - t0,
                      cpu=proc_cpu(p.pid) - cpu0)
        log(f"idle: {s1 - s0} context switches, {w1 - w0} WATCHDOG=1 in {t1 - t0:.1f} s")
        if shutil.which("strace") and not args.idle_no_strace:
            trace = os.path.join(logs, "idle-strace.txt")
            log(f"idle: strace -f -tt for {args.idle_seconds} s to name each wake-up")
            st = subprocess.Popen(["strace", "-f", "-tt", "-s", "48", "-o", trace, "-p", str(p.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(args.idle_seconds)
            st.terminate()
            st.wait(10)
            wakeups = strace_wakeups(trace)
            result["strace_wakeups"] = len(wakeups)
            result["strace_watchdog"] = sum(1 for w in wakeups if w["watchdog"])
            result["strace_other"] = [w for w in wakeups if not w["watchdog"]]
            log(f"idle: strace saw {len(wakeups)} wake-ups, {result['strace_watchdog']} of them"
                f" the watchdog's")
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
        logf.close()
        notify.close()
    return result


# ---- the report ----

def med(runs, tool, phase, key):
    vals = [key(r) for r in runs if r["tool"] == tool and r["phase"] == phase]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "–"


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def report(args, results):
    runs = results.get("polls", [])
    n_pages = results["pages"]
    lines = []
    w = lines.append
    w(f"# advisoryd benchmark — {results['started']}")
    w("")
    w(f"Machine: {results['machine']}. {results['advisoryd_version']}, urlwatch "
      f"{results.get('urlwatch_version', '–')}, libxml2 {results.get('floor', {}).get('libxml2', '–')}.")
    w(f"Workload: {n_pages} pages (4 sources x 249 countries), latency {args.latency * 1000:.0f} ms per "
      f"response, gzip {'offered' if not args.no_gzip else 'off'}, concurrency {args.concurrency}, "
      f"{args.reps} repetitions (medians shown).")
    w("")
    if runs:
        rows = [
            ("wall time (s)", lambda r: r["wall"], ".2f"),
            ("CPU user+sys (s)", lambda r: r["cpu"], ".3f"),
            ("  user (s)", lambda r: r["user"], ".3f"),
            ("  sys (s)", lambda r: r["sys"], ".3f"),
            ("CPU per page (ms)", lambda r: r["cpu"] * 1000 / n_pages, ".3f"),
            ("peak RSS (MiB)", lambda r: r["maxrss_kb"] / 1024, ".1f"),
            ("  of it anonymous (MiB)", lambda r: r["rss_anon_peak_kb"] / 1024, ".1f"),
            ("requests", lambda r: r["http"]["requests"], ".0f"),
            ("  200 / 304", lambda r: None, ""),
            ("bytes sent by the server (MB)", lambda r: r["http"]["bytes_out"] / 1e6, ".2f"),
            ("  gzip-encoded bodies", lambda r: r["http"]["gzip_responses"], ".0f"),
            ("TCP connections opened", lambda r: r["http"]["connections"], ".0f"),
            ("  most open at once", lambda r: r["http"]["peak_open"], ".0f"),
            ("changes detected / truth", lambda r: None, ""),
            ("wrong or missing records", lambda r: r["result"]["wrong"], ".0f"),
            ("server CPU (s, not charged)", lambda r: r["server_cpu"], ".2f"),
        ]
        w("| | advisoryd cold | urlwatch cold | ratio | advisoryd warm | urlwatch warm | ratio |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for label, key, spec in rows:
            cells = []
            for phase in ("cold", "warm"):
                if label.strip() == "200 / 304":
                    for tool in ("advisoryd", "urlwatch"):
                        s = lambda r: r["http"]["status"]  # noqa: E731
                        a = med(runs, tool, phase, lambda r: s(r).get("200", 0))
                        b = med(runs, tool, phase, lambda r: s(r).get("304", 0))
                        cells.append(f"{fmt(a, '.0f')} / {fmt(b, '.0f')}")
                    cells.append("")
                    continue
                if label.startswith("changes detected"):
                    for tool in ("advisoryd", "urlwatch"):
                        a = med(runs, tool, phase, lambda r: r["result"]["detected"])
                        b = med(runs, tool, phase, lambda r: r["result"]["expected"])
                        cells.append(f"{fmt(a, '.0f')} / {fmt(b, '.0f')}")
                    cells.append("")
                    continue
                a = med(runs, "advisoryd", phase, key)
                b = med(runs, "urlwatch", phase, key)
                cells += [fmt(a, spec), fmt(b, spec), ratio(a, b)]
            w(f"| {label} | " + " | ".join(cells) + " |")
        w("")
        w("Every run (rep: wall s / CPU s / RSS MiB / requests / connections / changes):")
        w("")
        for r in runs:
            w(f"- rep {r['rep']} {r['tool']} {r['phase']}: {r['wall']:.2f} / {r['cpu']:.3f} / "
              f"{r['maxrss_kb'] / 1024:.1f} / {r['http']['requests']} {r['http']['status']} / "
              f"{r['http']['connections']} / {r['result']['detected']} of {r['result']['expected']}"
              f"{'' if r['result']['wrong'] == 0 else ' WRONG ' + str(r['result']['wrong'])}, rc {r['rc']}")
        w("")
    floor = results.get("floor")
    if floor:
        w(f"Parse floor (bench/parse-floor.c, best of {floor['rounds']} rounds over the same pages, "
          f"mean {floor['mean_bytes'] / 1024:.1f} KiB, gzip {floor['mean_gzip_bytes'] / 1024:.1f} KiB): "
          f"htmlReadMemory + xmlFreeDoc {floor['parse_ms_per_page']:.3f} ms/page "
          f"({floor['parse_ms_per_90k']:.3f} ms per 90 KiB) back to back, "
          f"{floor['paced_parse_ms_per_page']:.3f} ms/page paced at one page every "
          f"{floor['paced_gap_ms']} ms as a poll receives them; zlib inflate "
          f"{floor['inflate_ms_per_page']:.3f} ms/page; parse + XPath + text + regex "
          f"{floor['extract_ms_per_page']:.3f} ms/page.")
        w("")
    cg = results.get("callgrind")
    if cg:
        line = (f"Instructions (callgrind, one run): advisoryd cold {cg['cold'] / 1e9:.2f} G = "
                f"{cg['cold'] / n_pages / 1e6:.2f} M per page, warm {cg['warm'] / 1e9:.3f} G")
        if floor and "parse_instructions_per_page" in floor:
            p, i = floor["parse_instructions_per_page"], floor["inflate_instructions_per_page"]
            line += (f"; floor: parse + free {p / 1e6:.2f} M per page, inflate {i / 1e6:.2f} M: "
                     f"advisoryd's cold poll = {cg['cold'] / n_pages / p:.2f}x the parse floor, "
                     f"{cg['cold'] / n_pages / (p + i):.2f}x parse + inflate")
        w(line + ".")
        w("")
    q = results.get("queries")
    if q:
        d = q["database"]
        w(f"Query database: {d['sources']} sources x {d['countries']} countries x {d['years']} years of "
          f"hourly polls = {d['hourly_rows_equivalent']:,} hourly observations "
          f"(sum of period.observations: {d['observations']:,}), stored as {d['periods']:,} period rows "
          f"({d['changes']:,} level changes), {d['db_bytes'] / 1e6:.0f} MB.")
        w("")
        w("| advisoryctl --database DB … | median (ms) | min | max | output lines |")
        w("|---|---:|---:|---:|---:|")
        for name, r in q["commands"].items():
            w(f"| {name} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | {r['lines']} |")
        w("")
    idle = results.get("idle")
    if idle:
        w(f"Idle ({idle['seconds']} s between polls, WATCHDOG_USEC={idle['watchdog_usec']}): "
          f"{idle['context_switches']} context switches, {idle['watchdog_pings']} WATCHDOG=1, "
          f"CPU {idle['cpu']:.3f} s" + (
              f"; under strace: {idle['strace_wakeups']} wake-ups, {idle['strace_watchdog']} the "
              f"watchdog's, {len(idle['strace_other'])} other" if "strace_wakeups" in idle else "") + ".")
        for o in idle.get("strace_other", [])[:10]:
            w(f"  - other wake-up at {o['time']}: {'; '.join(o['calls'][:4])}")
        w("")
    w("## Targets (issue 9)")
    w("")
    for name, value, ok in targets(args, results):
        w(f"- {'MET    ' if ok else ('NOT MET' if ok is not None else 'n/a    ')}  {name}: {value}")
    w("")
    return "\n".join(lines)


def targets(args, results):
    runs = results.get("polls", [])
    n = results["pages"]
    out = []
    if runs:
        ac = med(runs, "advisoryd", "cold", lambda r: r["cpu"])
        uc = med(runs, "urlwatch", "cold", lambda r: r["cpu"])
        aw = med(runs, "advisoryd", "warm", lambda r: r["cpu"])
        uw = med(runs, "urlwatch", "warm", lambda r: r["cpu"])
        if uc:
            out.append(("cold poll CPU <= 1/4 of urlwatch's", f"{ac:.3f} s vs {uc:.3f} s = 1/{uc / ac:.1f}",
                        ac <= uc / 4))
        floor = results.get("floor")
        if floor:
            per = ac * 1000 / n
            out.append(("cold poll CPU within 1.2x the libxml2 parse floor",
                        f"{per:.3f} ms/page vs floor {floor['parse_ms_per_page']:.3f} ms/page = "
                        f"{per / floor['parse_ms_per_page']:.2f}x (paced floor "
                        f"{floor['paced_parse_ms_per_page']:.3f}: "
                        f"{per / floor['paced_parse_ms_per_page']:.2f}x)",
                        per <= 1.2 * floor["parse_ms_per_page"]))
            cg = results.get("callgrind")
            if cg and "parse_instructions_per_page" in floor:
                ratio_i = cg["cold"] / n / floor["parse_instructions_per_page"]
                out.append(("  the same in instructions (callgrind)",
                            f"{cg['cold'] / n / 1e6:.2f} M vs {floor['parse_instructions_per_page'] / 1e6:.2f} M"
                            f" per page = {ratio_i:.2f}x", ratio_i <= 1.2))
        if uw:
            out.append(("warm poll CPU <= 1/12 of urlwatch's", f"{aw:.3f} s vs {uw:.3f} s = 1/{uw / aw:.1f}",
                        aw <= uw / 12))
        rss = max(r["maxrss_kb"] for r in runs if r["tool"] == "advisoryd") / 1024
        anon = max(r["rss_anon_peak_kb"] for r in runs if r["tool"] == "advisoryd") / 1024
        out.append(("peak RSS <= 12 MB (worst advisoryd run)",
                    f"{rss:.1f} MiB, of which {anon:.1f} MiB anonymous (the rest: pages of shared "
                    f"libraries)", rss <= 12))
        conns = max(r["http"]["connections"] for r in runs if r["tool"] == "advisoryd")
        peak = max(r["http"]["peak_open"] for r in runs if r["tool"] == "advisoryd")
        reqs = min(r["http"]["requests"] for r in runs if r["tool"] == "advisoryd")
        out.append((f"connections <= max_connections_per_host ({args.concurrency}), reused",
                    f"at most {conns} opened per run, {peak} open at once, "
                    f"{reqs / max(conns, 1):.0f} requests per connection", conns <= args.concurrency))
        ideal = n * args.latency / args.concurrency
        for phase in ("cold", "warm"):
            wall = med(runs, "advisoryd", phase, lambda r: r["wall"])
            out.append((f"{phase} wall time within 10 % of N x latency / concurrency ({ideal:.2f} s)",
                        f"{wall:.2f} s = {wall / ideal:.3f}x", wall <= 1.1 * ideal))
        warm = [r for r in runs if r["tool"] == "advisoryd" and r["phase"] == "warm"]
        only = all(r["http"]["status"].get("200", 0) == r["result"]["expected"] for r in warm)
        gz = all(r["http"]["gzip_responses"] == r["http"]["status"].get("200", 0) for r in warm) \
            if not args.no_gzip else True
        out.append(("warm poll transfers only the changed pages, gzip-compressed",
                    f"{warm[0]['http']['status']} for {warm[0]['result']['expected']} changed, "
                    f"{warm[0]['http']['gzip_responses']} gzip bodies, "
                    f"{warm[0]['http']['bytes_out'] / 1e6:.2f} MB", only and gz))
        correct = all(r["result"]["wrong"] == 0 for r in runs if r["tool"] == "advisoryd")
        out.append(("every change detected, nothing else (advisoryd)", "yes" if correct else "NO", correct))
    q = results.get("queries")
    if q:
        for name, r in q["commands"].items():
            if name.startswith("("):
                continue
            out.append((f"advisoryctl {name} <= 20 ms (median)", f"{r['median_ms']:.1f} ms",
                        r["median_ms"] <= 20 and r["rc"] == 0))
    idle = results.get("idle")
    if idle:
        if "strace_wakeups" in idle:
            other = len(idle["strace_other"])
            out.append(("idle: no wake-ups but the watchdog and timers",
                        f"{idle['strace_wakeups']} wake-ups in {idle['seconds']} s, "
                        f"{idle['strace_watchdog']} watchdog, {other} other", other == 0))
        else:
            out.append(("idle: context switches ~ watchdog pings",
                        f"{idle['context_switches']} switches, {idle['watchdog_pings']} pings",
                        idle["context_switches"] <= idle["watchdog_pings"] + 2))
    return out


def machine():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        model = "?"
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs ({model}), load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"


def main():
    ap = argparse.ArgumentParser(description="advisoryd's benchmark (issue 9)",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="where advisoryd and advisoryctl are")
    ap.add_argument("--out", help="results directory (default BUILD/bench)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    ap.add_argument("--no-gzip", action="store_true")
    ap.add_argument("--concurrency", type=int, default=10,
                    help="advisoryd's max_connections_per_host; urlwatch's is fixed at 10")
    ap.add_argument("--query-runs", type=int, default=20)
    ap.add_argument("--query-years", type=int, default=10)
    ap.add_argument("--query-analyze", action="store_true", help="ANALYZE the query database")
    ap.add_argument("--idle-seconds", type=float, default=60)
    ap.add_argument("--idle-no-strace", action="store_true")
    ap.add_argument("--watchdog", type=float, default=20, help="WATCHDOG_USEC, in seconds, for the idle run")
    ap.add_argument("--callgrind", action="store_true",
                    help="also count instructions (valgrind): advisoryd cold/warm and the parse floor")
    for phase in ("floor", "polls", "urlwatch", "queries", "idle"):
        ap.add_argument(f"--skip-{phase}", action="store_true")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    out = os.path.abspath(args.out or os.path.join(args.build, "bench"))
    logs = os.path.join(out, "logs")
    os.makedirs(logs, exist_ok=True)
    for exe in ("advisoryd", "advisoryctl"):
        if not os.access(os.path.join(args.build, exe), os.X_OK):
            sys.exit(f"bench: {args.build}/{exe} missing: run make first")
    if not args.skip_urlwatch and not shutil.which("urlwatch"):
        sys.exit("bench: urlwatch missing: scripts/install-deps.sh bench")
    version = subprocess.run([os.path.join(args.build, "advisoryd"), "--version"],
                             capture_output=True, text=True).stdout.strip()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(),
               "advisoryd_version": version, "args": vars(args)}
    if not args.skip_urlwatch:
        results["urlwatch_version"] = subprocess.run(["urlwatch", "--version"], capture_output=True,
                                                     text=True).stdout.strip().split()[-1]
    build_tools(out)
    server = None
    try:
        if not (args.skip_floor and args.skip_polls and args.skip_idle):
            log("starting bench/server.py (building 996 pages)")
            server = Server(args.latency, not args.no_gzip, logs)
            log(f"server on 127.0.0.1:{server.port}, {server.n_pages} pages")
        results["pages"] = server.n_pages if server else 996
        if not args.skip_floor:
            results["floor"] = bench_floor(args, server, out)
        if not args.skip_polls:
            results["polls"] = bench_polls(args, server, out, logs)
        if args.callgrind:
            results["callgrind"] = bench_callgrind(args, server, out, logs)
        if not args.skip_queries:
            results["queries"] = bench_queries(args, out, logs)
        if not args.skip_idle:
            results["idle"] = bench_idle(args, server, out, logs)
    finally:
        if server:
            server.close()
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = report(args, results)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    log(f"results in {out}/results.json, report in {out}/report.md, logs in {logs}/")


if __name__ == "__main__":
    main()
