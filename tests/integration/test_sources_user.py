"""User-defined sources (type = html|xml) against the fixture server: one page per country from
the url template, the level from the XPath's text and the level regexes, failures per page that
never become level 1, countries = * with pages that do not exist, and advisoryctl extract with
--url naming the country."""

import json

XPATH = '//div[@class="advisory-level"]'
LEVELS = {4: "Do not travel", 3: "Reconsider your need to travel",
          2: "Exercise a high degree of caution", 1: "Exercise normal safety precautions"}
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} - Example Government</title></head>
<body>
<main>
<h1>{name}</h1>
<div class="advisory-level"><strong>Level {level}:</strong> {text}</div>
<section class="news"><p>Do not travel to the border areas. Exercise normal safety precautions
elsewhere.</p></section>
</main>
</body></html>
"""
REDESIGNED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} - Example Government</title></head>
<body><main><h1>{name}</h1>
<section class="status-card"><h2>Do not travel</h2></section>
</main></body></html>
"""
NAMES = {"KZ": "Kazakhstan", "UA": "Ukraine", "RU": "Russia", "NO": "Norway", "SE": "Sweden"}


def page(code, level):
    return PAGE.format(name=NAMES.get(code, code), level=level, text=LEVELS[level])


class Site:
    """A government site that publishes one page per country at /advice/<code>.html."""

    def __init__(self, server, upper=False):
        self.server = server
        self.upper = upper

    def path(self, code):
        return f"/advice/{code.upper() if self.upper else code.lower()}.html"

    @property
    def template(self):
        return self.server.url("/advice/{COUNTRY}.html" if self.upper else "/advice/{country}.html")

    def serve(self, code, level=None, body=None, validators=True):
        self.server.serve(self.path(code), body if body is not None else page(code, level),
                          "text/html; charset=utf-8", etag=validators, last_modified=validators)


def user_config(env, site, countries="KZ UA RU NO SE", kind="html", xpath=XPATH, **keys):
    lines = ["[source:mygov]", f"type = {kind}", f"url = {site.template}",
             f"countries = {countries}", f"xpath = {xpath}",
             "level4 = do not travel", "level3 = reconsider",
             "level2 = high degree of caution", "level1 = normal", "request_delay = 0"]
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return env.write_config(source={"enabled": "no"}, extra="\n" + "\n".join(lines) + "\n")


def mygov_status(env):
    return {r["country"]: r for r in env.ctl_json("status") if r["source"] == "mygov"}


def mygov_changes(env):
    return [c for c in env.ctl_json("changes") if c["source"] == "mygov"]


START = {"KZ": 1, "UA": 4, "RU": 4, "NO": 1, "SE": 1}


def test_pages_are_read_and_one_change_is_one_change(env):
    site = Site(env.server)
    for code, level in START.items():
        site.serve(code, level)
    user_config(env, site)

    env.once_ok()
    assert sorted(r.path for r in env.server.requests()) == sorted(site.path(c) for c in START)
    status = mygov_status(env)
    assert {c: r["level"] for c, r in status.items()} == START
    kz = status["KZ"]
    assert kz["label"] == "Level 1: Exercise normal safety precautions"  # the box, not the news
    assert kz["url"] == env.server.url("/advice/kz.html")
    assert kz["updated"] is None

    # Kazakhstan, January 2022
    site.serve("KZ", 3)
    before = len(env.server.requests())
    env.once_ok()
    got = env.server.requests()[before:]
    assert len(got) == 5 and all("if-none-match" in r.headers for r in got)
    assert sorted((r.path, r.status) for r in got if r.status == 200) == [(site.path("KZ"), 200)]
    changes = mygov_changes(env)
    assert [(c["country"], c["previous_level"], c["level"]) for c in changes] == [("KZ", 1, 3)]
    assert changes[0]["label"] == "Level 3: Reconsider your need to travel"
    # and it was announced once, in the journal
    kz_journal = [r for r in env.journal.wait(1, 10) if r.get("ADVISORY_SOURCE") == "mygov"]
    assert [(r["ADVISORY_COUNTRY"], r["ADVISORY_LEVEL"]) for r in kz_journal] == [("KZ", "3")]


def test_a_page_without_the_advice_fails_that_country_only(env):
    site = Site(env.server)
    for code, level in START.items():
        site.serve(code, level)
    user_config(env, site)
    env.once_ok()

    # Ukraine's page is redesigned (the box is gone, "Do not travel" is elsewhere); Sweden's
    # advice text changes to something no pattern knows; Norway goes to level 2
    site.serve("UA", body=REDESIGNED.format(name="Ukraine"))
    site.serve("SE", body=PAGE.format(name="Sweden", level="?", text="Advice under review"))
    site.serve("NO", 2)
    r = env.once_ok(expect=3)
    assert "Failed to poll 'mygov'" in r.stderr

    status = mygov_status(env)
    assert status["UA"]["level"] == 4  # the previous state stands: never level 1
    assert status["SE"]["level"] == 1 and status["SE"]["label"].startswith("Level 1")
    assert status["NO"]["level"] == 2  # the others are recorded
    assert [(c["country"], c["level"]) for c in mygov_changes(env)] == [("NO", 2)]
    error = env.source("mygov")["last_error"]
    assert error.startswith("2 of 5 pages failed; first: ")
    assert (f"{env.server.url(site.path('UA'))}: the xpath {XPATH} selects no text" in error or
            f"{env.server.url(site.path('SE'))}: no level1" in error), error
    assert env.source("mygov")["last_error_class"] == "extraction-empty"


def test_a_challenge_page_is_blocked_not_a_level(env):
    site = Site(env.server)
    for code, level in START.items():
        site.serve(code, level)
    user_config(env, site)
    env.once_ok()

    challenge = ("<html><head><title>Just a moment...</title></head><body>"
                 "<div class=\"advisory-level\"></div>"
                 "<script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1\"></script>"
                 "</body></html>")
    for code in START:
        site.serve(code, body=challenge)
    env.once_ok(expect=3)
    assert {c: r["level"] for c, r in mygov_status(env).items()} == START
    source = env.source("mygov")
    assert source["last_error_class"] == "blocked"
    assert "5 of 5 pages failed" in source["last_error"]
    assert mygov_changes(env) == []


def test_xml_pages_and_upper_case_codes(env):
    site = Site(env.server, upper=True)
    for code, level in {"KZ": 3, "UA": 4}.items():
        site.serve(code, body=f"<?xml version='1.0'?><destination code='{code}'>"
                              f"<advice><level>{level}</level><text>{LEVELS[level]}</text>"
                              f"</advice></destination>")
    user_config(env, site, countries="kz ua", kind="xml", xpath="/destination/advice/text")
    env.once_ok()
    assert sorted(r.path for r in env.server.requests()) == ["/advice/KZ.html", "/advice/UA.html"]
    assert {c: r["level"] for c, r in mygov_status(env).items()} == {"KZ": 3, "UA": 4}


def test_every_country_when_countries_is_a_star(env):
    site = Site(env.server)
    site.serve("KZ", 3)
    site.serve("XK", 2)
    user_config(env, site, countries="*")

    # a government need not publish every country: 404s are not failures
    env.once_ok()
    paths = {r.path for r in env.server.requests()}
    assert site.path("XK") in paths  # Kosovo, as governments publish it
    assert site.path("IC") not in paths  # the Canary Islands are part of Spain
    assert site.path("ES") in paths and site.path("AQ") in paths
    assert len(paths) == len(env.server.requests()) > 240
    assert {c: r["level"] for c, r in mygov_status(env).items()} == {"KZ": 3, "XK": 2}
    assert env.source("mygov")["state"] == "ok"


def test_a_site_with_no_page_at_all_fails(env):
    site = Site(env.server)
    user_config(env, site, countries="*")
    env.once_ok(expect=3)
    source = env.source("mygov")
    assert source["last_error"].startswith("no country has a page: all ")
    assert source["last_error"].endswith(" addresses answered 404 or 410")


def test_a_listed_country_without_a_page_fails(env):
    site = Site(env.server)
    for code, level in START.items():
        if code != "RU":
            site.serve(code, level)
    user_config(env, site)
    env.once_ok(expect=3)
    assert "RU" not in mygov_status(env)
    assert env.source("mygov")["last_error"] == \
        f"1 of 5 pages failed; first: {env.server.url(site.path('RU'))}: HTTP 404"


def test_extract_with_url(env):
    site = Site(env.server)
    conf = user_config(env, site)
    saved = env.tmp / "kz.html"
    saved.write_text(page("KZ", 3))

    r = env.ctl("-c", conf, "--json", "extract", "--source", "mygov",
                "--url", env.server.url("/advice/kz.html"), saved)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{
        "source": "mygov", "country": "KZ", "level": 3, "regional_level": None,
        "label": "Level 3: Reconsider your need to travel", "updated": None,
        "url": env.server.url("/advice/kz.html"),
    }]

    # which country? --url tells, and must be a page of the template
    r = env.ctl("-c", conf, "extract", "--source", "mygov", saved)
    assert r.returncode == 1 and r.stdout == "" and "--url" in r.stderr
    r = env.ctl("-c", conf, "extract", "--source", "mygov", "--url",
                "https://elsewhere.example/kz.html", saved)
    assert r.returncode == 1 and "is not a page of [source:mygov]" in r.stderr
    # a page without the advice: exit 1, no records
    saved.write_text(REDESIGNED.format(name="Kazakhstan"))
    r = env.ctl("-c", conf, "--json", "extract", "--source", "mygov",
                "--url", env.server.url("/advice/kz.html"), saved)
    assert r.returncode == 1 and r.stdout == ""
    assert "selects no text" in r.stderr


def test_one_page_failing_on_every_poll_makes_the_source_failing_when_nothing_else_changes(env):
    site = Site(env.server)
    for code, level in START.items():
        site.serve(code, level)
    site.serve("UA", body=REDESIGNED.format(name="Ukraine"))
    user_config(env, site)
    for _ in range(3):  # failure_threshold; after the first poll the other pages are 304s
        env.once_ok(expect=3)
    assert env.source("mygov")["state"] == "failing"
    assert env.source("mygov")["consecutive_failures"] == 3


def test_one_page_failing_on_every_poll_makes_the_source_failing(env):
    site = Site(env.server)
    for code, level in START.items():  # a site without validators: every page is read again
        site.serve(code, level, validators=False)
    site.serve("UA", body=REDESIGNED.format(name="Ukraine"), validators=False)
    user_config(env, site)
    for _ in range(3):  # failure_threshold
        env.once_ok(expect=3)
    assert env.source("mygov")["state"] == "failing"
    assert env.source("mygov")["consecutive_failures"] == 3
