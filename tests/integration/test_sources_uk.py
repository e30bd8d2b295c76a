"""The FCDO source polled page by page: the index on every poll (conditional GET), then only the
countries whose public_updated_at changed, a full sweep every sweep_interval, failed countries
retried. The fixture server plays GOV.UK's Content API: the index at /api/content/foreign-travel-
advice and each country below it, as the driver derives them from an overridden url."""

import json
import sqlite3

from advisoryenv import REPO

INDEX_PATH = "/api/content/foreign-travel-advice"
UK_FIXTURES = REPO / "tests" / "fixtures" / "uk"

# FCDO slugs (pages named after them); more than the index's plausibility floor
# (UK_INDEX_MIN_COUNTRIES = 100).
SLUGS = """afghanistan albania algeria andorra angola anguilla antigua-and-barbuda argentina armenia
aruba australia austria azerbaijan bahamas bahrain bangladesh barbados belarus belgium belize
benin bermuda bhutan bolivia bosnia-and-herzegovina botswana brazil brunei bulgaria burkina-faso
burundi cambodia cameroon canada cape-verde chad chile china colombia comoros congo costa-rica
cote-d-ivoire croatia cuba cyprus czechia denmark djibouti dominica dominican-republic ecuador
egypt el-salvador eritrea estonia eswatini ethiopia fiji finland france gabon georgia germany
ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia iran
iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait kyrgyzstan
laos latvia lebanon lesotho liberia libya lithuania luxembourg madagascar malawi malaysia
maldives mali malta mexico moldova monaco mongolia montenegro morocco mozambique myanmar namibia
nepal netherlands new-zealand nicaragua niger nigeria norway oman pakistan""".split()
N = len(SLUGS)
assert N > 100

T0 = "2026-01-05T10:00:00Z"
T1 = "2026-03-19T14:04:20Z"
T2 = "2026-03-20T09:00:00Z"


def name_of(slug):
    return slug.replace("-", " ").title()


class ContentApi:
    """What GOV.UK would serve: per slug, alert_status and public_updated_at, in the index and in
    the country's own document."""

    def __init__(self, server, slugs=SLUGS):
        self.server = server
        self.pages = {s: {"updated": T0, "status": []} for s in slugs}
        self.doc_updated = {}  # slug → public_updated_at of the document, when it lags

    @property
    def index_url(self):
        return self.server.url(INDEX_PATH)

    def path(self, slug):
        return f"{INDEX_PATH}/{slug}"

    def index(self):
        children = [{
            "api_path": f"/api/content/foreign-travel-advice/{s}",
            "base_path": f"/foreign-travel-advice/{s}",
            "document_type": "travel_advice",
            "schema_name": "travel_advice",
            "public_updated_at": p["updated"],
            "title": name_of(s),
            "details": {"country": {"name": name_of(s), "slug": s}},
        } for s, p in self.pages.items()]
        return json.dumps({
            "base_path": "/foreign-travel-advice",
            "schema_name": "travel_advice_index",
            "document_type": "travel_advice_index",
            "title": "Foreign travel advice",
            "links": {"children": children},
        }, indent=1)

    def country(self, slug):
        p = self.pages[slug]
        return json.dumps({
            "base_path": f"/foreign-travel-advice/{slug}",
            "schema_name": "travel_advice",
            "document_type": "travel_advice",
            "title": f"{name_of(slug)} travel advice",
            "public_updated_at": self.doc_updated.get(slug, p["updated"]),
            "details": {
                "alert_status": p["status"],
                "country": {"name": name_of(slug), "slug": slug},
            },
        }, indent=1)

    def serve_index(self):
        self.server.serve(INDEX_PATH, self.index(), "application/json")

    def serve_country(self, slug):
        self.server.serve(self.path(slug), self.country(slug), "application/json")

    def serve_all(self):
        self.serve_index()
        for s in self.pages:
            self.serve_country(s)

    def change(self, slug, status, updated=T1):
        """The FCDO publishes new advice: the index and the document say so."""
        self.pages[slug] = {"updated": updated, "status": status}
        self.serve_index()
        self.serve_country(slug)


def uk_config(env, api, **keys):
    """[source:us] off, [source:uk] on the fixture server, no pause between requests."""
    lines = ["[source:uk]", f"url = {api.index_url}", "request_delay = 0"]
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return env.write_config(source={"enabled": "no"}, extra="\n" + "\n".join(lines) + "\n")


def requested(env, since):
    """Paths requested after the first `since` requests, in order."""
    return [r.path for r in env.server.requests()[since:]]


def uk_status(env):
    rows = [r for r in env.ctl_json("status") if r["source"] == "uk"]
    return {r["country"]: r for r in rows}


def backdate_sweep(env, seconds):
    """Moves the last sweep into the past: the test cannot wait a day."""
    con = sqlite3.connect(env.db)
    try:
        with con:
            n = con.execute("UPDATE source_value SET value = CAST(value AS INTEGER) - ?1"
                            " WHERE source = 'uk' AND key = 'last_sweep'", (seconds,)).rowcount
        assert n == 1, "no last_sweep remembered"
    finally:
        con.close()


def test_first_poll_fetches_every_country_then_only_what_changed(env):
    api = ContentApi(env.server)
    api.serve_all()
    uk_config(env, api)

    env.once_ok()
    paths = requested(env, 0)
    assert paths[0] == INDEX_PATH
    assert sorted(paths[1:]) == sorted(api.path(s) for s in SLUGS)
    status = uk_status(env)
    assert len(status) == N
    assert status["KZ"]["level"] == 1
    assert status["KZ"]["url"] == "https://www.gov.uk/foreign-travel-advice/kazakhstan"

    # the FCDO raises Kazakhstan; the index lists the new date
    api.change("kazakhstan", ["avoid_all_but_essential_travel_to_whole_country"])
    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH, api.path("kazakhstan")]
    index_request = env.server.requests()[before]
    assert "if-none-match" in index_request.headers  # conditional
    assert index_request.status == 200
    changes = [c for c in env.ctl_json("changes") if c["source"] == "uk"]
    assert [(c["country"], c["previous_level"], c["level"]) for c in changes] == [("KZ", 1, 3)]
    assert changes[0]["updated"] == T1

    # nothing changed: the index answers 304 and nothing else is fetched
    before = len(env.server.requests())
    env.once_ok()
    got = env.server.requests()[before:]
    assert [(r.path, r.status) for r in got] == [(INDEX_PATH, 304)]
    assert env.source("uk")["state"] == "ok"


def test_sweep_fetches_every_country_after_sweep_interval(env):
    api = ContentApi(env.server)
    api.serve_all()
    uk_config(env, api, sweep_interval="1d")
    env.once_ok()

    # within the interval: the index only
    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH]

    # a day later every country is asked for again, conditionally: a change the index did not
    # announce (Kenya's date stays) is caught
    backdate_sweep(env, 86400 + 60)
    api.pages["kenya"]["status"] = ["avoid_all_travel_to_parts"]
    api.serve_country("kenya")
    before = len(env.server.requests())
    env.once_ok()
    got = env.server.requests()[before:]
    assert got[0].path == INDEX_PATH and got[0].status == 200  # the whole list is needed
    assert sorted(r.path for r in got[1:]) == sorted(api.path(s) for s in SLUGS)
    assert all("if-none-match" in r.headers for r in got[1:])
    assert sorted(r.path for r in got[1:] if r.status == 200) == [api.path("kenya")]
    assert uk_status(env)["KE"]["regional_level"] == 4

    # and the next sweep is a day away again
    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH]


def test_a_failed_country_is_fetched_again_on_the_next_poll(env):
    api = ContentApi(env.server)
    api.serve_all()
    env.server.fail(api.path("kenya"), 503)
    uk_config(env, api)

    r = env.once_ok(expect=3)
    assert "Failed to poll 'uk'" in r.stderr
    source = env.source("uk")
    assert source["last_error"] == (f"1 of {N + 1} pages failed; first: "
                                    f"{env.server.url(api.path('kenya'))}: HTTP 503")
    status = uk_status(env)
    assert len(status) == N - 1 and "KE" not in status

    # Kenya is back; the index has not changed, yet it is read again and Kenya fetched
    api.serve_country("kenya")
    before = len(env.server.requests())
    env.once_ok()
    got = env.server.requests()[before:]
    assert [(r.path, r.status) for r in got] == [(INDEX_PATH, 200), (api.path("kenya"), 200)]
    assert "KE" in uk_status(env)

    before = len(env.server.requests())
    env.once_ok()
    assert [(r.path, r.status) for r in env.server.requests()[before:]] == [(INDEX_PATH, 304)]


def test_a_broken_country_document_fails_that_country_only(env):
    api = ContentApi(env.server)
    api.serve_all()
    uk_config(env, api)
    env.once_ok()

    api.change("kazakhstan", ["avoid_all_travel_to_whole_country"])
    api.change("mali", ["avoid_all_travel_to_the_coast"])  # outside the closed set
    env.once_ok(expect=3)
    status = uk_status(env)
    assert status["KZ"]["level"] == 4
    assert status["ML"]["level"] == 1  # the previous state stands; never a guess
    assert "avoid_all_travel_to_the_coast" in env.source("uk")["last_error"]
    assert env.source("uk")["last_error"].startswith("1 of 3 pages failed; first: ")


def test_a_document_older_than_the_index_is_fetched_again(env):
    # Content API responses are cached: just after a change the index may be new and the
    # country's document still the old one
    api = ContentApi(env.server)
    api.serve_all()
    uk_config(env, api)
    env.once_ok()

    api.change("nepal", ["avoid_all_travel_to_whole_country"], updated=T2)
    api.pages["nepal"]["status"] = []
    api.doc_updated["nepal"] = T0
    api.serve_country("nepal")  # the stale document
    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH, api.path("nepal")]
    assert uk_status(env)["NP"]["level"] == 1

    # the cache caught up: the next poll fetches Nepal again and sees the change
    api.pages["nepal"]["status"] = ["avoid_all_travel_to_whole_country"]
    del api.doc_updated["nepal"]
    api.serve_country("nepal")
    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH, api.path("nepal")]
    assert uk_status(env)["NP"]["level"] == 4

    before = len(env.server.requests())
    env.once_ok()
    assert requested(env, before) == [INDEX_PATH]


def test_an_index_that_is_not_the_index_fetches_nothing_else(env):
    api = ContentApi(env.server)
    env.server.serve(INDEX_PATH, "{}", "application/json")
    uk_config(env, api)

    r = env.once_ok(expect=3)
    assert requested(env, 0) == [INDEX_PATH]
    assert "not the FCDO index" in env.source("uk")["last_error"]
    assert "Failed to poll 'uk'" in r.stderr


def test_extract_reads_a_country_document_and_refuses_the_index(env):
    r = env.ctl("--json", "extract", "--source", "uk", UK_FIXTURES / "kazakhstan.json")
    assert r.returncode == 0, r.stderr
    records = json.loads(r.stdout)
    assert [(x["country"], x["level"]) for x in records] == [("KZ", 1)]

    r = env.ctl("--json", "extract", "--source", "uk", UK_FIXTURES / "index-small.json")
    assert r.returncode == 1
    assert r.stdout == ""
    assert "the FCDO index lists the country documents but no levels" in r.stderr
    assert "/api/content/foreign-travel-advice/<slug>" in r.stderr


def test_page_keys_in_the_configuration(env):
    api = ContentApi(env.server)
    conf = uk_config(env, api, sweep_interval="12h")
    r = env.advisoryd("--test-config", "-c", conf)
    assert r.returncode == 0, r.stderr
    uk = r.stdout.split("[source:uk]")[1].split("\n[")[0]
    assert "sweep_interval = 12h" in uk and "request_delay = 0" in uk

    # a source read as one document has neither
    conf = env.write_config(source={"sweep_interval": "1d", "request_delay": "1s"})
    r = env.advisoryd("--test-config", "-c", conf)
    assert r.returncode == 2
    assert "'sweep_interval' does not apply to [source:us], which is read as one document" \
        in r.stderr
    assert "'request_delay' does not apply to [source:us]" in r.stderr
