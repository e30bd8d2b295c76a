"""pages.py: the benchmark's documents: 4 government sites x 249 countries of realistic HTML.

Each page is 60-120 KB (uniform, fixed per page): a head with inline CSS and scripts, a site
navigation listing every country, a legend of the four levels, a banner and a table of past
advisories (all three mention "Level 4" or its wording: traps for an XPath that selects too much),
the advisory itself in <div class="advisory-level">, then sections of prose and tables. Every
page is a pure function of (source, country, level, version), so the same state gives the same
bytes and ETag in every run and in both tools' runs.

The four sites word their levels like four real governments (US, Australia, Canada, Norway), so
the regexes in the configuration are as different as users would write them; the Norwegian one
keeps the trap of DESIGN.md ("fraråder alle reiser som ikke er strengt nødvendige" is level 3).
"""

import hashlib
import html
import json
import random

ISO_3166 = "/usr/share/iso-codes/json/iso_3166-1.json"

# id, URL path template ({country} lower case, {COUNTRY} upper case), language, levels 1..4
# (label, sentence with {C} for the country), and the regexes a user would configure.
SOURCES = [
    {
        "id": "alpha",
        "path": "/alpha/travel/{country}.html",
        "lang": "en",
        "site": "Bureau of Consular Affairs",
        "levels": {
            1: ("Level 1: Exercise Normal Precautions", "Exercise normal precautions in {C}."),
            2: ("Level 2: Exercise Increased Caution",
                "Exercise increased caution in {C} due to crime and terrorism."),
            3: ("Level 3: Reconsider Travel", "Reconsider travel to {C} due to civil unrest."),
            4: ("Level 4: Do Not Travel", "Do not travel to {C} due to armed conflict."),
        },
        "regex": {4: "Level 4", 3: "Level 3", 2: "Level 2", 1: "Level 1"},
    },
    {
        "id": "bravo",
        "path": "/bravo/destinations/{COUNTRY}/",
        "lang": "en",
        "site": "Smart Travel",
        "levels": {
            1: ("Exercise normal safety precautions",
                "Exercise normal safety precautions in {C}."),
            2: ("Exercise a high degree of caution",
                "Exercise a high degree of caution in {C} overall due to the threat of crime."),
            3: ("Reconsider your need to travel",
                "Reconsider your need to travel to {C} overall due to the volatile security situation."),
            4: ("Do not travel", "Do not travel to {C} due to the dangerous security situation."),
        },
        "regex": {4: "do not travel", 3: "reconsider your need to travel",
                  2: "high degree of caution", 1: "normal safety precautions"},
    },
    {
        "id": "charlie",
        "path": "/charlie/advice/{country}",
        "lang": "en",
        "site": "Travel Advice and Advisories",
        "levels": {
            1: ("Take normal security precautions",
                "Take normal security precautions in {C}."),
            2: ("Exercise a high degree of caution",
                "Exercise a high degree of caution in {C} due to crime."),
            3: ("Avoid non-essential travel",
                "Avoid non-essential travel to {C} due to the unpredictable security situation."),
            4: ("Avoid all travel", "Avoid all travel to {C} due to the ongoing armed conflict."),
        },
        "regex": {4: "avoid all travel", 3: "avoid non-essential travel",
                  2: "high degree of caution", 1: "normal security precautions"},
    },
    {
        "id": "delta",
        "path": "/delta/reiseinformasjon/{country}.html",
        "lang": "nb",
        "site": "Utenriksdepartementet",
        "levels": {
            1: ("Ingen reiseråd", "Det er ingen reiseråd for {C}."),
            2: ("Særlig aktsomhet", "Utenriksdepartementet ber reisende utvise særlig aktsomhet i {C}."),
            3: ("Fraråder reiser som ikke er strengt nødvendige",
                "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til {C}."),
            4: ("Fraråder alle reiser", "Utenriksdepartementet fraråder alle reiser til {C}."),
        },
        # POSIX ERE has no look-ahead: level 4 must not match the level-3 wording
        "regex": {4: "fraråder alle reiser til", 3: "som ikke er (strengt )?nødvendige",
                  2: "aktsomhet", 1: "ingen reiseråd"},
    },
]

XPATH = '//div[@class="advisory-level"]'

BASE_LEVEL_WEIGHTS = [(1, 40), (2, 35), (3, 15), (4, 10)]

WORDS = """travel travellers visitors security situation local authorities advice government
embassy consulate passport visa entry exit requirements border crossing health vaccination
insurance emergency medical care hospital police crime theft robbery assault violence protest
demonstration unrest election curfew road transport airport flight airline rail bus taxi
accommodation hotel area region province district city capital coast island mountain desert
weather season flooding earthquake storm cyclone monsoon heat water food illness disease
outbreak mosquito malaria dengue yellow fever rabies law custom religion dress alcohol drug
penalty arrest detention court fine currency cash card bank withdrawal scam fraud kidnapping
terrorism attack threat risk level caution precaution monitor media register contact family
friends document copy identity card driving licence permit vehicle hire accident rescue
service number phone network internet electricity fuel supply shortage market shop price
tourist site museum beach park wildlife guide tour operator boat ferry swimming diving hiking
trekking altitude remote village checkpoint military zone landmine restriction closure notice
update information publish review assess recommend avoid consider exercise remain aware follow
instructions officials respect comply carry keep ensure check before during after arrival
departure stay leave return the a an of to in on for with by from at and or but if when where
which that this these those your you we they it is are be been may can should must will would
""".split()


def countries():
    """The 249 ISO 3166-1 countries: [(alpha2, name)], sorted by code."""
    with open(ISO_3166, encoding="utf-8") as f:
        data = json.load(f)["3166-1"]
    out = [(c["alpha_2"], c.get("common_name") or c["name"]) for c in data]
    return sorted(out)


def source_by_id(sid):
    for s in SOURCES:
        if s["id"] == sid:
            return s
    raise KeyError(sid)


def page_path(source, alpha2):
    return source["path"].replace("{country}", alpha2.lower()).replace("{COUNTRY}", alpha2.upper())


def base_level(source_id, alpha2):
    rng = random.Random(f"level/{source_id}/{alpha2}")
    return rng.choices([l for l, _ in BASE_LEVEL_WEIGHTS], [w for _, w in BASE_LEVEL_WEIGHTS])[0]


class Generator:
    """Builds pages; holds per-source pools of prose so that building 996 pages takes seconds."""

    def __init__(self):
        self.countries = countries()
        self.names = dict(self.countries)
        self._pools = {}
        self._navs = {}

    def _pool(self, source):
        sid = source["id"]
        if sid not in self._pools:
            rng = random.Random(f"pool/{sid}")
            paras = []
            for _ in range(2500):
                sentences = []
                for _ in range(rng.randint(3, 7)):
                    words = rng.choices(WORDS, k=rng.randint(8, 24))
                    words[0] = words[0].capitalize()
                    sentences.append(" ".join(words) + ".")
                paras.append(" ".join(sentences))
            self._pools[sid] = paras
        return self._pools[sid]

    def _nav(self, source):
        sid = source["id"]
        if sid not in self._navs:
            items = "".join(
                f'<li class="nav-item"><a class="nav-link" href="{page_path(source, c)}" '
                f'data-country="{c}">{html.escape(n)}</a></li>\n'
                for c, n in self.countries)
            self._navs[sid] = (
                '<nav class="country-nav" aria-label="Destinations">\n'
                '<h2 class="visually-hidden">All destinations</h2>\n<ul class="nav-list">\n'
                + items + "</ul>\n</nav>\n")
        return self._navs[sid]

    @staticmethod
    def size_target(source_id, alpha2):
        return random.Random(f"size/{source_id}/{alpha2}").randint(60 * 1024, 118 * 1024)

    def page(self, source, alpha2, level, version=0):
        """The bytes of one page (UTF-8)."""
        sid = source["id"]
        name = self.names[alpha2]
        ename = html.escape(name)
        rng = random.Random(f"page/{sid}/{alpha2}")  # the layout: the same in every version
        pool = self._pool(source)
        labels = source["levels"]
        label, sentence = labels[level]
        target = self.size_target(sid, alpha2)
        updated = f"2026-{1 + (version * 5 + len(alpha2)) % 12:02d}-{1 + version % 28:02d}"

        head = [
            f'<!DOCTYPE html>\n<html lang="{source["lang"]}" dir="ltr">\n<head>\n<meta charset="utf-8">\n',
            f"<title>{ename} travel advice | {html.escape(source['site'])}</title>\n",
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta name="description" content="Travel advice for {ename}: safety, security, '
            'entry requirements, health, local laws and emergency help.">\n',
            '<link rel="stylesheet" href="/static/css/site.min.css">\n<style>\n',
        ]
        for i in range(rng.randint(40, 70)):
            head.append(f".c{i:03d}-{rng.choice(WORDS)} {{ margin: {rng.randint(0, 40)}px "
                        f"{rng.randint(0, 40)}px; color: #{rng.randrange(16**6):06x}; "
                        f"font-size: {rng.randint(10, 32)}px; line-height: 1.{rng.randint(2, 8)}; }}\n")
        head.append("</style>\n<script>\n")
        # a trap: the level wording in a script (a crawler's text dump would see it)
        head.append("window.ADVISORY_LEVELS = " + json.dumps(
            {str(k): v[0] for k, v in labels.items()}, ensure_ascii=False) + ";\n")
        head.append("window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}\n")
        head.append("gtag('js', new Date()); gtag('config', 'G-" + f"{rng.randrange(16**8):08X}" + "');\n")
        head.append("</script>\n</head>\n")

        body = [
            '<body class="page-country">\n<a class="skip-link" href="#main">Skip to main content</a>\n',
            '<header class="site-header">\n<div class="gov-banner">An official website of the government. '
            'Here is how you know.</div>\n',
            f'<div class="brand"><a href="/">{html.escape(source["site"])}</a></div>\n',
            '<nav class="site-nav"><ul>'
            + "".join(f'<li><a href="/{w}/">{w.capitalize()}</a></li>'
                      for w in ("destinations", "news", "health", "passports", "visas", "emergencies",
                                "about", "contact"))
            + "</ul></nav>\n",
            self._nav(source),
            "</header>\n<main id=\"main\">\n",
            f'<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/destinations/">'
            f"Destinations</a></li><li>{ename}</li></ol>\n",
            f"<h1>{ename}</h1>\n",
            # traps: the scale, a banner about neighbours, both naming the highest level
            '<div class="advisory-level-legend"><h2>What the advice levels mean</h2><ul>'
            + "".join(f"<li><strong>{html.escape(labels[k][0])}</strong></li>" for k in (4, 3, 2, 1))
            + "</ul></div>\n",
            f'<div class="alert-banner" role="alert"><p>Some neighbouring destinations are at '
            f"&ldquo;{html.escape(labels[4][0])}&rdquo; (Level 4). Check the advice for every "
            "country you will pass through.</p></div>\n",
            f'<p class="updated">Last updated: <time datetime="{updated}">{updated}</time></p>\n',
            '<div class="advisory-level">\n<p><strong>'
            + html.escape(label) + "</strong></p>\n<p>"
            + html.escape(sentence.replace("{C}", name)) + "</p>\n</div>\n",
        ]
        history = ['<table class="history"><caption>Previous advice</caption>\n'
                   "<thead><tr><th>Date</th><th>Advice</th></tr></thead><tbody>\n"]
        for y in range(2025, 2015, -1):
            old = labels[rng.choice((1, 2, 3, 4))][0]
            history.append(f"<tr><td>{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}</td>"
                           f"<td>{html.escape(old)}</td></tr>\n")
        history.append("</tbody></table>\n")
        contacts = ['<table class="contacts"><caption>Embassy and consulates</caption><tbody>\n']
        for i in range(rng.randint(3, 8)):
            contacts.append(f"<tr><th>{rng.choice(WORDS).capitalize()} office</th>"
                            f"<td>+{rng.randint(1, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}</td>"
                            f"<td><a href=\"mailto:consular{i}@example.org\">consular{i}@example.org</a></td></tr>\n")
        contacts.append("</tbody></table>\n")

        footer = [
            "</main>\n<footer class=\"site-footer\"><ul>"
            + "".join(f'<li><a href="/{w}">{w.capitalize()}</a></li>'
                      for w in ("privacy", "accessibility", "copyright", "sitemap", "feedback"))
            + "</ul>\n<p>&copy; 2026 " + html.escape(source["site"]) + "</p></footer>\n<script>\n",
        ]
        # a minified-looking bundle: realistic, and text no tool should read
        for i in range(rng.randint(60, 120)):
            footer.append(f"!function(e,t){{var n{i}=e.querySelector('.c{i:03d}');"
                          f"n{i}&&n{i}.addEventListener('click',function(){{t.push(['{rng.choice(WORDS)}',{i}])}})}}"
                          "(document,window.dataLayer);\n")
        footer.append("</script>\n</body>\n</html>\n")

        fixed = "".join(head) + "".join(body) + "".join(history) + "".join(contacts) + "".join(footer)
        size = len(fixed.encode())
        sections = []
        titles = ["Safety and security", "Local laws and customs", "Entry and exit requirements",
                  "Health", "Natural disasters and climate", "Travel and transport",
                  "Money", "Getting help"]
        t = 0
        while size < target:
            if t % 6 == 0:
                title = titles[(t // 6) % len(titles)]
                chunk = f'<section><h2 id="s{t}">{title}</h2>\n'
            else:
                chunk = ""
            p = rng.choice(pool)
            if rng.random() < 0.3:
                p = p.replace(" the ", f" {name} ", 1)
            chunk += f"<p>{html.escape(p)}</p>\n"
            if t % 6 == 5:
                chunk += "</section>\n"
            t += 1
            sections.append(chunk)
            size += len(chunk.encode())
        if t % 6 != 0:
            sections.append("</section>\n")
        # history and contacts after the first few sections
        cut = min(len(sections), 8)
        text = ("".join(head) + "".join(body) + "".join(sections[:cut]) + "".join(history)
                + "".join(contacts) + "".join(sections[cut:]) + "".join(footer))
        return text.encode("utf-8")


def etag_of(body):
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
