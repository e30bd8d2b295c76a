"""The Norwegian source end to end: advisoryd finds the country pages in the A–Å index, reads
the RSS feed of changed pages each poll and fetches only those, sweeps every page once per
sweep_interval at most max_connections_per_host at a time, and never takes a challenge page for
"no advice". The index, the feed and the pages all come from the fixture server (the source's
url is the index; the feed is on the same host); pages are in tests/fixtures/integration/no."""

import json
import sqlite3
import time

import pytest

from advisoryenv import FIXTURES, MESSAGE_ID_LEVEL_CHANGED

NO = FIXTURES / "no"
VELG = "/no/tema/utenrikssaker/reiseinformasjon/velg-land/"
INDEX = VELG + "id2414273/"
RSS = "/no/aktuelt/rss/id2581966/"  # the server ignores the query
HTML = "text/html; charset=utf-8"
PER_HOST = 2

# page id → (slug, fixture, country, level, regional)
PAGES = {
    "2428578": ("reiseinfo_kasakhstan", "kazakhstan-1.html", "KZ", 1, None),
    "2415875": ("reiseinfo_afghanistan", "afghanistan.html", "AF", 4, None),
    "2416998": ("reiseinfo_sverige", "sweden.html", "SE", 1, None),
    "2415116": ("reiseinfo_libanon", "lebanon.html", "LB", 1, 4),
    "2424308": ("reiseinfo_niger", "niger.html", "NE", 4, None),
}
KZ, AF, NE = "2428578", "2415875", "2424308"
TRAP = "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til Kasakhstan."


def page_path(pid):
    return f"{VELG}{PAGES[pid][0]}/id{pid}/"


def index_html(ids):
    links = "\n".join(f'<li><a href="{page_path(i)}">{PAGES[i][0]}</a></li>' for i in ids)
    return (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Velg land - '
            f'regjeringen.no</title></head><body><main><h1>Reiseinformasjon: velg land</h1>'
            f'<a href="{INDEX}">Velg land</a>'
            f'<ul class="link-list">\n{links}\n</ul>'
            f'<a href="/no/tema/utenrikssaker/reiseinformasjon/static/reiseadvarsel/id2422676/">'
            f'Hva er en reiseadvarsel?</a></main></body></html>\n')


def rss_xml(entries):
    """entries: [(page id, ISO time)], newest first; the links point at www.regjeringen.no with
    utm parameters, as the real feed's do."""
    items = "".join(
        f"""
    <item>
      <guid isPermaLink="false">{pid}</guid>
      <link>https://www.regjeringen.no{page_path(pid)}?utm_source=regjeringen.no&amp;utm_medium=rss</link>
      <title>Reiseinformasjon</title>
      <pubDate>Mon, 03 Jan 2022 09:20:23 +0100</pubDate>
      <atom:updated>{when}</atom:updated>
    </item>""" for pid, when in entries)
    return f"""\ufeff<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel xml:base="https://www.regjeringen.no/" xmlns:atom="http://www.w3.org/2005/Atom">
    <title>RSS Regjeringen.no</title>
    <link>https://www.regjeringen.no/</link>
    <description>Departement: Utenriksdepartementet, Innholdstype: reiseinformasjon</description>{items}
  </channel>
</rss>
"""


class NoWorld:
    """The fixture server dressed as regjeringen.no, and a configuration with [source:no]."""

    def __init__(self, env):
        self.env = env
        self.server = env.server
        self.serve_index(PAGES)
        self.serve_rss([(AF, "2021-12-20T10:00:00+01:00")])
        for pid in PAGES:
            self.serve_page(pid)
        self.write_config()

    def write_config(self, extra="", timeout="10s"):
        e = self.env
        text = f"""# written by tests/integration/test_source_no.py
[daemon]
database = {e.db}
interval = 1h
jitter = 0
timeout = {timeout}
max_connections_per_host = {PER_HOST}

[source:no]
url = {self.server.url(INDEX)}
{extra}
[notify:j]
type = journal
socket = {e.journal.path}
"""
        e.config = e.tmp / "advisoryd.conf"
        e.config.write_text(text)

    def serve_index(self, ids):
        return self.server.serve(INDEX, index_html(ids), HTML)

    def serve_rss(self, entries):
        return self.server.serve(RSS, rss_xml(entries), "application/rss+xml; charset=utf-8")

    def serve_page(self, pid, fixture=None, **kwargs):
        body = (NO / (fixture or PAGES[pid][1])).read_bytes()
        return self.server.serve(page_path(pid), body, HTML, **kwargs)

    def mark(self):
        return len(self.server.requests())

    def since(self, mark):
        """Paths requested since mark (the query cut off), in order."""
        return [r.path.split("?")[0] for r in self.server.requests()[mark:]]

    def page_requests(self, mark):
        return [p for p in self.since(mark) if p.startswith(VELG) and p != INDEX]

    def status(self):
        rows = self.env.ctl_json("status")
        assert all(r["source"] == "no" for r in rows)
        return {r["country"]: r for r in rows}

    def source(self):
        rows = [r for r in self.env.ctl_json("sources") if r["source"] == "no"]
        assert len(rows) == 1, rows
        return rows[0]

    def remembered(self, key):
        rows = self.env.query("SELECT value FROM source_value WHERE source = 'no' AND key = ?",
                              key)
        return rows[0]["value"] if rows else None

    def backdate(self, key, seconds):
        """Moves a remembered time (last_sweep, refreshed) into the past: a test cannot wait a
        day."""
        con = sqlite3.connect(self.env.db)
        try:
            with con:
                n = con.execute("UPDATE source_value SET value = CAST(value AS INTEGER) - ?1"
                                " WHERE source = 'no' AND key = ?2", (seconds, key)).rowcount
        finally:
            con.close()
        assert n == 1, f"nothing remembered as {key}"

    def baseline(self):
        mark = self.mark()
        self.env.once_ok()
        return mark


@pytest.fixture
def no(env):
    return NoWorld(env)


def level_changes(journal):
    return [r for r in journal.records() if r.get("MESSAGE_ID") == MESSAGE_ID_LEVEL_CHANGED]


# ---- discovery, the feed, the sweep ----


def test_first_poll_finds_every_page_and_records_a_baseline(no, env):
    mark = no.baseline()

    paths = no.since(mark)
    assert paths[0] == INDEX  # the list first, then the feed and every page
    assert paths.count(INDEX) == 1 and paths.count(RSS) == 1
    assert sorted(no.page_requests(mark)) == sorted(page_path(p) for p in PAGES)
    status = no.status()
    for pid, (_, _, country, level, regional) in PAGES.items():
        assert status[country]["level"] == level, country
        assert status[country]["regional_level"] == regional, country
        # the address is the page's on the configured host, without the feed's utm parameters
        assert status[country]["url"] == no.server.url(page_path(pid))
    assert status["KZ"]["label"] == "Ingen reiseadvarsel"
    assert level_changes(env.journal) == []  # a baseline tells nobody
    assert set(json.loads(no.remembered("pages"))) == set(PAGES)
    assert no.source()["state"] == "ok"


def test_the_feed_names_the_one_page_that_changed(no, env):
    no.baseline()
    no.serve_page(KZ, "kazakhstan-3.html")
    no.serve_rss([(KZ, "2022-01-05T09:20:00+01:00"), (AF, "2021-12-20T10:00:00+01:00")])
    mark = no.mark()

    env.once_ok()

    # the feed, then exactly the page it lists as changed since the last poll
    assert no.since(mark) == [RSS, page_path(KZ)]
    kz = no.status()["KZ"]
    assert (kz["level"], kz["regional_level"], kz["label"]) == (3, None, TRAP)
    assert kz["updated"] == "2022-01-05"
    changes = env.ctl_json("changes", "--source", "no")
    assert [(c["country"], c["previous_level"], c["level"]) for c in changes] == [("KZ", 1, 3)]
    records = level_changes(env.journal)
    assert len(records) == 1
    r = records[0]
    assert (r["ADVISORY_SOURCE"], r["ADVISORY_COUNTRY"]) == ("no", "KZ")
    assert (r["ADVISORY_LEVEL"], r["ADVISORY_PREVIOUS_LEVEL"]) == ("3", "1")
    assert r["ADVISORY_URL"] == no.server.url(page_path(KZ))
    assert r["MESSAGE"] == f'no: Kazakhstan (KZ) raised from level 1 to 3: "{TRAP}"'


def test_an_unchanged_feed_fetches_no_page(no, env):
    no.baseline()
    mark = no.mark()

    env.once_ok()

    assert no.since(mark) == [RSS]
    assert [r.status for r in no.server.requests()[mark:]] == [304]
    assert no.source()["state"] == "ok"


def test_an_entry_already_processed_is_not_fetched_again(no, env):
    no.baseline()
    no.serve_rss([(AF, "2021-12-20T10:00:00+01:00"), (NE, "2021-08-03T10:00:00+02:00")])
    mark = no.mark()

    env.once_ok()

    # the feed changed (new ETag); Afghanistan's entry is the one processed at the baseline,
    # Niger's was never seen: only Niger is fetched
    assert no.since(mark) == [RSS, page_path(NE)]


def test_a_page_the_index_does_not_list_joins_from_the_feed(no, env):
    no.serve_index([p for p in PAGES if p != NE])
    no.baseline()
    assert "NE" not in no.status()
    no.serve_rss([(NE, "2022-01-06T12:00:00+01:00")])

    env.once_ok()

    assert no.status()["NE"]["level"] == 4
    assert NE in json.loads(no.remembered("pages"))


def test_the_sweep_fetches_every_page_a_few_at_a_time(no, env):
    # held pages count as slow transfers: an hour's timeout keeps them alive however slow we are
    no.write_config(timeout="1h")
    no.baseline()
    no.backdate("last_sweep", 2 * 86400)
    holds = [no.serve_page(pid, hold=True).hold for pid in PAGES]
    mark = no.mark()

    p = env.start_daemon("--once")
    deadline = time.monotonic() + 20
    while len(no.page_requests(mark)) < PER_HOST and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(no.page_requests(mark)) == PER_HOST
    # while those are held, no further page is asked for: at most max_connections_per_host
    time.sleep(1.0)
    assert len(no.page_requests(mark)) == PER_HOST
    for h in holds:
        h.set()
    assert p.wait(60) == 0, env.daemon_log(p)

    assert sorted(no.page_requests(mark)) == sorted(page_path(p) for p in PAGES)
    # conditional GETs: unchanged pages cost a 304, and change nothing
    assert {r.status for r in no.server.requests()[mark:] if r.path != RSS} == {304}
    assert int(no.remembered("last_sweep")) > time.time() - 600
    assert level_changes(env.journal) == []


def test_the_feed_from_rss_url(no, env):
    feed = "/mirror/reiseinformasjon.xml"
    no.write_config(extra=f"rss_url = {no.server.url(feed)}\n")
    no.server.serve(feed, rss_xml([(KZ, "2022-01-05T09:20:00+01:00")]), "application/rss+xml")
    no.baseline()
    no.serve_page(KZ, "kazakhstan-3.html")
    no.server.serve(feed, rss_xml([(KZ, "2022-01-06T09:20:00+01:00")]), "application/rss+xml")
    mark = no.mark()

    env.once_ok()

    assert RSS not in no.since(0)
    assert no.since(mark) == [feed, page_path(KZ)]
    assert no.status()["KZ"]["level"] == 3


def test_no_sweep_before_its_time(no, env):
    no.baseline()
    no.backdate("last_sweep", 3600)  # an hour ago: the default sweep_interval is a day
    mark = no.mark()

    env.once_ok()

    assert no.page_requests(mark) == []


# ---- what is refused ----


def test_a_challenge_page_fails_that_page_and_is_never_level_1(no, env):
    no.baseline()
    challenge = (FIXTURES / "challenge.html").read_bytes()
    no.server.serve(page_path(AF), challenge, HTML)  # Cloudflare answers HTTP 200
    no.serve_rss([(AF, "2022-01-04T10:00:00+01:00")])

    r = env.once()

    assert r.returncode == 3, r.stderr
    af = no.status()["AF"]
    assert af["level"] == 4  # what we knew stands
    assert env.ctl_json("changes", "--source", "no") == []
    assert level_changes(env.journal) == []
    src = no.source()
    assert src["consecutive_failures"] == 1
    assert src["last_error_class"] == "blocked"
    assert page_path(AF) in src["last_error"]

    # the page is fetched again at the next poll, though the feed did not change
    no.serve_page(AF)
    mark = no.mark()
    env.once_ok()
    assert no.since(mark) == [RSS, page_path(AF)]
    src = no.source()
    assert (src["state"], src["consecutive_failures"]) == ("ok", 0)


@pytest.mark.parametrize("what", ["feed", "index"])
def test_a_challenge_instead_of_the_feed_or_the_index_fetches_nothing_else(no, env, what):
    challenge = (FIXTURES / "challenge.html").read_bytes()
    if what == "index":
        no.server.serve(INDEX, challenge, HTML)
    else:
        no.baseline()
        no.server.serve(RSS, challenge, HTML)
    mark = no.mark()

    r = env.once()

    assert r.returncode == 3, r.stderr
    assert no.since(mark) == [INDEX if what == "index" else RSS]
    src = no.source()
    assert src["last_error_class"] == "blocked"
    if what == "index":
        assert env.ctl_json("status") == []


def test_the_sweep_runs_while_the_feed_is_blocked(no, env):
    no.baseline()
    no.server.serve(RSS, (FIXTURES / "challenge.html").read_bytes(), HTML)
    no.backdate("last_sweep", 2 * 86400)
    mark = no.mark()

    r = env.once()

    assert r.returncode == 3, r.stderr
    assert sorted(no.page_requests(mark)) == sorted(page_path(p) for p in PAGES)
    assert no.source()["last_error_class"] == "blocked"


# ---- pages that move or go ----


def test_a_renamed_page_is_followed_through_its_redirect(no, env):
    no.baseline()
    new = f"{VELG}kasakhstan_reiseinfo/id{KZ}/"
    no.server.serve(page_path(KZ), b"", HTML, status=301, headers={"Location": new})
    no.server.serve(new, (NO / "kazakhstan-3.html").read_bytes(), HTML)
    no.serve_rss([(KZ, "2022-01-05T09:20:00+01:00")])

    env.once_ok()

    assert no.status()["KZ"]["level"] == 3
    # the index, once read again, gives the page its new address
    no.server.serve(INDEX, index_html(PAGES).replace(page_path(KZ), new), HTML)
    no.backdate("refreshed", 2 * 86400)
    env.once_ok()
    assert json.loads(no.remembered("pages"))[KZ] == no.server.url(new)


def test_a_page_gone_at_two_sweeps_leaves_the_list(no, env):
    no.baseline()
    no.server.fail(page_path(NE), 404, b"<html><body>Siden finnes ikke</body></html>")
    for sweep in (1, 2):
        no.backdate("last_sweep", 2 * 86400)
        mark = no.mark()
        env.once_ok()  # a page that does not exist is not a failure of the source
        assert page_path(NE) in no.page_requests(mark)
        assert (NE in json.loads(no.remembered("pages"))) == (sweep == 1)
    no.backdate("last_sweep", 2 * 86400)
    mark = no.mark()
    env.once_ok()
    assert page_path(NE) not in no.page_requests(mark)
    assert no.status()["NE"]["level"] == 4  # the history stays


def test_many_pages_gone_at_once_is_a_failure_not_a_purge(no, env):
    no.baseline()
    for pid in PAGES:
        no.server.fail(page_path(pid), 404, b"not found")
    for _ in (1, 2):
        no.backdate("last_sweep", 2 * 86400)
        r = env.once()
        assert r.returncode == 3, r.stderr
    assert set(json.loads(no.remembered("pages"))) == set(PAGES)
    assert no.source()["last_error_class"] == "http-4xx"


# ---- advisoryctl extract on saved pages ----


def test_extract_a_saved_page(env):
    r = env.ctl("--json", "extract", "--source", "no", NO / "kazakhstan-3.html")

    assert r.returncode == 0, r.stderr
    records = json.loads(r.stdout)
    assert [(x["source"], x["country"], x["level"], x["regional_level"], x["label"])
            for x in records] == [("no", "KZ", 3, None, TRAP)]


def test_extract_refuses_a_challenge_page(env):
    r = env.ctl("--json", "extract", "--source", "no", FIXTURES / "challenge.html")

    assert r.returncode == 1
    assert r.stdout.strip() in ("", "[]")
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Cloudflare" in r.stderr
