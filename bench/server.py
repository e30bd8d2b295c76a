#!/usr/bin/python3
"""server.py: the benchmark's web server, run as its own process so that its CPU time is never
charged to the programs measured.

Serves the 996 pages of pages.py over HTTP/1.1 on 127.0.0.1 (keep-alive; ETag and Last-Modified
with 304 answers; gzip when the client offers it, unless --no-gzip), each response held back by
--latency seconds without blocking the others (asyncio). It counts TCP connections accepted,
requests, answers by status, bytes received and sent, and the peaks of open connections and of
requests in flight.

Control: one JSON command per line on stdin, one JSON answer per line on stdout.
  {"cmd": "reset", "rep": N}    every page at its base level (identical bytes in every run)
  {"cmd": "change", "rep": N}   10 % of the pages (the same ones for every tool in repetition N)
                                move to another level
  {"cmd": "counters"}           the counters; {"cmd": "zero"} sets them to 0
  {"cmd": "truth"}              [[source, country, level, changed], ...] of the pages served now
  {"cmd": "dump", "dir": D}     writes every page as served now to D/<source>-<cc>.html
  {"cmd": "quit"}
The first line on stdout is {"port": P} once the pages are built and the socket listens.
"""

import argparse
import asyncio
import email.utils
import gzip
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pages  # noqa: E402

BASE_TIME = 1767225600  # 2026-01-01T00:00:00Z: Last-Modified of every base page
CHANGE_FRACTION = 0.10


class Doc:
    __slots__ = ("source", "country", "level", "body", "gz", "etag", "etag_gz", "last_modified",
                 "lm_epoch", "changed")

    def __init__(self, source, country, level, body, lm_epoch, changed):
        self.source, self.country, self.level = source, country, level
        self.body = body
        self.gz = gzip.compress(body, compresslevel=6, mtime=0)
        self.etag = pages.etag_of(body)
        self.etag_gz = "W/" + self.etag  # as nginx does: the gzip variant is a weak validator
        self.lm_epoch = lm_epoch
        self.last_modified = email.utils.formatdate(lm_epoch, usegmt=True)
        self.changed = changed


class Counters:
    def __init__(self):
        self.zero()

    def zero(self):
        self.connections = 0
        self.requests = 0
        self.status = {}
        self.gzip_responses = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.body_bytes_out = 0
        self.peak_open = 0
        self.peak_inflight = 0
        self.max_requests_per_connection = 0
        self.user_agents = {}
        self.first_request = None
        self.last_response = None

    def as_dict(self):
        d = dict(self.__dict__)
        d["status"] = {str(k): v for k, v in sorted(self.status.items())}
        return d


class Server:
    def __init__(self, latency, use_gzip):
        self.latency = latency
        self.use_gzip = use_gzip
        self.gen = pages.Generator()
        self.counters = Counters()
        self.open = 0
        self.inflight = 0
        self.base = {}
        for s in pages.SOURCES:
            for c, _ in self.gen.countries:
                level = pages.base_level(s["id"], c)
                self.base[pages.page_path(s, c)] = Doc(s["id"], c, level,
                                                       self.gen.page(s, c, level, 0), BASE_TIME, False)
        self.docs = dict(self.base)

    # ---- state ----

    def reset(self, rep):
        self.docs = dict(self.base)

    def change(self, rep):
        rng = random.Random(f"change/{rep}")
        paths = sorted(self.base)
        n = round(len(paths) * CHANGE_FRACTION)
        for path in rng.sample(paths, n):
            old = self.base[path]
            level = rng.choice([l for l in (1, 2, 3, 4) if l != old.level])
            s = pages.source_by_id(old.source)
            self.docs[path] = Doc(old.source, old.country, level,
                                  self.gen.page(s, old.country, level, rep), BASE_TIME + 86400 * rep,
                                  True)
        return n

    def truth(self):
        return [[d.source, d.country, d.level, d.changed, path] for path, d in sorted(self.docs.items())]

    def dump(self, directory):
        os.makedirs(directory, exist_ok=True)
        for d in self.docs.values():
            with open(os.path.join(directory, f"{d.source}-{d.country.lower()}.html"), "wb") as f:
                f.write(d.body)
        return len(self.docs)

    # ---- HTTP ----

    @staticmethod
    def _etag_matches(inm, etag):
        if inm.strip() == "*":
            return True
        strip = lambda t: t.strip().removeprefix("W/")  # noqa: E731 (weak comparison, RFC 9110)
        return any(strip(t) == strip(etag) for t in inm.split(","))

    @staticmethod
    def _accepts_gzip(ae):
        for part in (ae or "").split(","):
            name, _, params = part.strip().partition(";")
            if name.strip().lower() in ("gzip", "x-gzip"):
                return "q=0" not in params.replace(" ", "") or "q=0." in params.replace(" ", "")
        return False

    def _answer(self, method, path, headers):
        doc = self.docs.get(path.split("?", 1)[0])
        date = email.utils.formatdate(usegmt=True)
        if method not in ("GET", "HEAD"):
            return 405, [("Date", date), ("Allow", "GET, HEAD")], b""
        if doc is None:
            return 404, [("Date", date), ("Content-Type", "text/plain")], b"not found\n"
        gz = self.use_gzip and self._accepts_gzip(headers.get("accept-encoding"))
        etag = doc.etag_gz if gz else doc.etag
        common = [("Date", date), ("ETag", etag), ("Last-Modified", doc.last_modified),
                  ("Cache-Control", "max-age=0, must-revalidate")]
        if self.use_gzip:
            common.append(("Vary", "Accept-Encoding"))
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        fresh = False
        if inm is not None:
            fresh = self._etag_matches(inm, doc.etag)
        elif ims is not None:
            try:
                fresh = email.utils.parsedate_to_datetime(ims).timestamp() >= doc.lm_epoch
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            return 304, common, b""
        hdrs = common + [("Content-Type", "text/html; charset=utf-8")]
        if gz:
            hdrs.append(("Content-Encoding", "gzip"))
            return 200, hdrs, doc.gz
        return 200, hdrs, doc.body

    async def handle(self, reader, writer):
        c = self.counters
        c.connections += 1
        self.open += 1
        c.peak_open = max(c.peak_open, self.open)
        served = 0
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError,
                        asyncio.LimitOverrunError):
                    break
                c.bytes_in += len(head)
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, path, version = lines[0].split(" ", 2)
                except ValueError:
                    break
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                c.requests += 1
                served += 1
                c.max_requests_per_connection = max(c.max_requests_per_connection, served)
                ua = headers.get("user-agent", "").split("/")[0]
                c.user_agents[ua] = c.user_agents.get(ua, 0) + 1
                if c.first_request is None:
                    c.first_request = time.time()
                self.inflight += 1
                c.peak_inflight = max(c.peak_inflight, self.inflight)
                try:
                    if self.latency > 0:
                        await asyncio.sleep(self.latency)
                    status, hdrs, body = self._answer(method, path, headers)
                finally:
                    self.inflight -= 1
                close = (version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive") \
                    or headers.get("connection", "").lower() == "close"
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}[status]
                out = [f"HTTP/1.1 {status} {reason}", "Server: advisoryd-bench"]
                out += [f"{k}: {v}" for k, v in hdrs]
                if status != 304:
                    out.append(f"Content-Length: {len(body)}")
                out.append("Connection: close" if close else "Keep-Alive: timeout=30")
                data = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                if method != "HEAD" and status != 304:
                    data += body
                    c.body_bytes_out += len(body)
                    if any(k == "Content-Encoding" for k, _ in hdrs):
                        c.gzip_responses += 1
                c.status[status] = c.status.get(status, 0) + 1
                c.bytes_out += len(data)
                writer.write(data)
                try:
                    await writer.drain()
                except ConnectionError:
                    break
                c.last_response = time.time()
                if close:
                    break
        finally:
            self.open -= 1
            writer.close()


async def control(server, port):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"port": port, "pages": len(server.base)})
    while True:
        line = await reader.readline()
        if not line:
            return
        try:
            cmd = json.loads(line)
        except ValueError:
            reply({"error": "not JSON"})
            continue
        op = cmd.get("cmd")
        if op == "reset":
            server.reset(cmd.get("rep", 0))
            reply({"ok": True})
        elif op == "change":
            reply({"ok": True, "changed": server.change(cmd.get("rep", 0))})
        elif op == "counters":
            reply(dict(server.counters.as_dict(), open=server.open))
        elif op == "zero":
            server.counters.zero()
            reply({"ok": True})
        elif op == "truth":
            reply({"truth": server.truth()})
        elif op == "dump":
            reply({"ok": True, "pages": server.dump(cmd["dir"])})
        elif op == "quit":
            reply({"ok": True})
            return
        else:
            reply({"error": f"unknown command {op!r}"})


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.1, help="seconds per response (default 0.1)")
    ap.add_argument("--no-gzip", action="store_true", help="never compress")
    args = ap.parse_args()
    server = Server(args.latency, not args.no_gzip)
    srv = await asyncio.start_server(server.handle, "127.0.0.1", args.port, backlog=256,
                                     limit=64 * 1024)
    port = srv.sockets[0].getsockname()[1]
    async with srv:
        await control(server, port)


if __name__ == "__main__":
    asyncio.run(main())
