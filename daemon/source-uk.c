/* source-uk.c: the FCDO's foreign travel advice through the GOV.UK Content API. Two parts: the
 * extractor, pure (bytes → records), which reads the two kinds of document; and the driver at the
 * end, which polls the index and then only the countries whose public_updated_at changed.
 *
 * A country document (/api/content/foreign-travel-advice/<slug>, schema "travel_advice") reads
 * (2026):
 *   "base_path": "/foreign-travel-advice/nepal",
 *   "public_updated_at": "2026-03-19T14:04:20+00:00",
 *   "details": { "alert_status": [],
 *                "country": { "name": "Nepal", "slug": "nepal", "synonyms": […] }, … }
 * alert_status is an array over a closed set of four values, possibly several at once:
 *   avoid_all_travel_to_whole_country                → level 4
 *   avoid_all_but_essential_travel_to_whole_country  → level 3
 *   avoid_all_travel_to_parts                        → regional level 4
 *   avoid_all_but_essential_travel_to_parts          → regional level 3
 *   []                                               → level 1 (no FCDO advice against travel)
 * Any other value fails the document: we never guess a level. The FCDO has no level 2.
 *
 * The index (/api/content/foreign-travel-advice, schema "travel_advice_index") lists every
 * country page in links.children[] with its base_path and public_updated_at.
 *
 * Countries are keyed by slug, and slugs get renamed (czech-republic → czechia, swaziland →
 * eswatini, burma → myanmar, the-occupied-palestinian-territories → palestine …): the table
 * below keeps the old ones. A few pages cover several territories ("Cook Islands, Tokelau and
 * Niue", "St Martin and St Barthélemy"); their advice is given for the page as a whole, so each
 * territory gets the page's record. */
#include "source-uk.h"

#include "country.h"
#include "json-util.h"
#include "log.h"
#include "poll.h"
#include "source.h"
#include "store.h"
#include "timeutil.h"

#define UK_PATH_PREFIX "/foreign-travel-advice/"
#define UK_SLUG_MAX 100

/* Every slug listed by the index in 2025–2026, and aliases: former slugs and the spellings a
 * rename would likely bring. Sorted by slug (test-source-uk checks). */
static const UkSlug uk_slugs[] = {
        { "afghanistan", "AF" },
        { "albania", "AL" },
        { "algeria", "DZ" },
        { "andorra", "AD" },
        { "angola", "AO" },
        { "anguilla", "AI" },
        { "antarctica", "AQ" }, /* alias */
        { "antarctica-british-antarctic-territory", "AQ" },
        { "antigua-and-barbuda", "AG" },
        { "argentina", "AR" },
        { "armenia", "AM" },
        { "aruba", "AW" },
        { "australia", "AU" },
        { "austria", "AT" },
        { "azerbaijan", "AZ" },
        { "bahamas", "BS" },
        { "bahrain", "BH" },
        { "bangladesh", "BD" },
        { "barbados", "BB" },
        { "belarus", "BY" },
        { "belgium", "BE" },
        { "belize", "BZ" },
        { "benin", "BJ" },
        { "bermuda", "BM" },
        { "bhutan", "BT" },
        { "bolivia", "BO" },
        { "bonaire-st-eustatius-saba", "BQ" },
        { "bosnia-and-herzegovina", "BA" },
        { "botswana", "BW" },
        { "brazil", "BR" },
        { "british-antarctic-territory", "AQ" }, /* alias */
        { "british-indian-ocean-territory", "IO" },
        { "british-virgin-islands", "VG" },
        { "brunei", "BN" },
        { "bulgaria", "BG" },
        { "burkina-faso", "BF" },
        { "burma", "MM" }, /* alias */
        { "burundi", "BI" },
        { "cabo-verde", "CV" }, /* alias */
        { "cambodia", "KH" },
        { "cameroon", "CM" },
        { "canada", "CA" },
        { "cape-verde", "CV" },
        { "cayman-islands", "KY" },
        { "central-african-republic", "CF" },
        { "chad", "TD" },
        { "chile", "CL" },
        { "china", "CN" },
        { "colombia", "CO" },
        { "comoros", "KM" },
        { "congo", "CG" },
        { "cook-islands-tokelau-and-niue", "CK NU TK" },
        { "costa-rica", "CR" },
        { "cote-d-ivoire", "CI" },
        { "croatia", "HR" },
        { "cuba", "CU" },
        { "curacao", "CW" },
        { "cyprus", "CY" },
        { "czech-republic", "CZ" }, /* alias */
        { "czechia", "CZ" },
        { "democratic-republic-of-the-congo", "CD" },
        { "denmark", "DK" },
        { "djibouti", "DJ" },
        { "dominica", "DM" },
        { "dominican-republic", "DO" },
        { "east-timor", "TL" }, /* alias */
        { "ecuador", "EC" },
        { "egypt", "EG" },
        { "el-salvador", "SV" },
        { "equatorial-guinea", "GQ" },
        { "eritrea", "ER" },
        { "estonia", "EE" },
        { "eswatini", "SZ" },
        { "ethiopia", "ET" },
        { "falkland-islands", "FK" },
        { "federated-states-of-micronesia", "FM" },
        { "fiji", "FJ" },
        { "finland", "FI" },
        { "france", "FR" },
        { "french-guiana", "GF" },
        { "french-polynesia", "PF" },
        { "gabon", "GA" },
        { "gambia", "GM" }, /* alias */
        { "georgia", "GE" },
        { "germany", "DE" },
        { "ghana", "GH" },
        { "gibraltar", "GI" },
        { "greece", "GR" },
        { "grenada", "GD" },
        { "guadeloupe", "GP" },
        { "guatemala", "GT" },
        { "guinea", "GN" },
        { "guinea-bissau", "GW" },
        { "guyana", "GY" },
        { "haiti", "HT" },
        { "honduras", "HN" },
        { "hong-kong", "HK" },
        { "hungary", "HU" },
        { "iceland", "IS" },
        { "india", "IN" },
        { "indonesia", "ID" },
        { "iran", "IR" },
        { "iraq", "IQ" },
        { "ireland", "IE" },
        { "israel", "IL" },
        { "italy", "IT" },
        { "ivory-coast", "CI" }, /* alias */
        { "jamaica", "JM" },
        { "japan", "JP" },
        { "jordan", "JO" },
        { "kazakhstan", "KZ" },
        { "kenya", "KE" },
        { "kiribati", "KI" },
        { "kosovo", "XK" },
        { "kuwait", "KW" },
        { "kyrgyzstan", "KG" },
        { "laos", "LA" },
        { "latvia", "LV" },
        { "lebanon", "LB" },
        { "lesotho", "LS" },
        { "liberia", "LR" },
        { "libya", "LY" },
        { "liechtenstein", "LI" },
        { "lithuania", "LT" },
        { "luxembourg", "LU" },
        { "macao", "MO" },
        { "macau", "MO" }, /* alias */
        { "macedonia", "MK" }, /* alias */
        { "madagascar", "MG" },
        { "malawi", "MW" },
        { "malaysia", "MY" },
        { "maldives", "MV" },
        { "mali", "ML" },
        { "malta", "MT" },
        { "marshall-islands", "MH" },
        { "martinique", "MQ" },
        { "mauritania", "MR" },
        { "mauritius", "MU" },
        { "mayotte", "YT" },
        { "mexico", "MX" },
        { "micronesia", "FM" }, /* alias */
        { "moldova", "MD" },
        { "monaco", "MC" },
        { "mongolia", "MN" },
        { "montenegro", "ME" },
        { "montserrat", "MS" },
        { "morocco", "MA" },
        { "mozambique", "MZ" },
        { "myanmar", "MM" },
        { "namibia", "NA" },
        { "nauru", "NR" },
        { "nepal", "NP" },
        { "netherlands", "NL" },
        { "new-caledonia", "NC" },
        { "new-zealand", "NZ" },
        { "nicaragua", "NI" },
        { "niger", "NE" },
        { "nigeria", "NG" },
        { "north-korea", "KP" },
        { "north-macedonia", "MK" },
        { "norway", "NO" },
        { "occupied-palestinian-territories", "PS" }, /* alias */
        { "oman", "OM" },
        { "pakistan", "PK" },
        { "palau", "PW" },
        { "palestine", "PS" },
        { "panama", "PA" },
        { "papua-new-guinea", "PG" },
        { "paraguay", "PY" },
        { "peru", "PE" },
        { "philippines", "PH" },
        { "pitcairn-island", "PN" },
        { "poland", "PL" },
        { "portugal", "PT" },
        { "qatar", "QA" },
        { "reunion", "RE" },
        { "romania", "RO" },
        { "russia", "RU" },
        { "rwanda", "RW" },
        { "samoa", "WS" },
        { "san-marino", "SM" },
        { "sao-tome-and-principe", "ST" },
        { "saudi-arabia", "SA" },
        { "senegal", "SN" },
        { "serbia", "RS" },
        { "seychelles", "SC" },
        { "sierra-leone", "SL" },
        { "singapore", "SG" },
        { "slovakia", "SK" },
        { "slovenia", "SI" },
        { "solomon-islands", "SB" },
        { "somalia", "SO" },
        { "south-africa", "ZA" },
        { "south-georgia-and-south-sandwich-islands", "GS" },
        { "south-korea", "KR" },
        { "south-sudan", "SS" },
        { "spain", "ES" },
        { "sri-lanka", "LK" },
        { "st-barthelemy", "BL" }, /* alias */
        { "st-helena-ascension-and-tristan-da-cunha", "SH" },
        { "st-kitts-and-nevis", "KN" },
        { "st-lucia", "LC" },
        { "st-maarten", "SX" },
        { "st-martin", "MF" }, /* alias */
        { "st-martin-and-st-barthelemy", "BL MF" },
        { "st-pierre-and-miquelon", "PM" },
        { "st-vincent-and-the-grenadines", "VC" },
        { "sudan", "SD" },
        { "suriname", "SR" },
        { "swaziland", "SZ" }, /* alias */
        { "sweden", "SE" },
        { "switzerland", "CH" },
        { "syria", "SY" },
        { "taiwan", "TW" },
        { "tajikistan", "TJ" },
        { "tanzania", "TZ" },
        { "thailand", "TH" },
        { "the-bahamas", "BS" }, /* alias */
        { "the-gambia", "GM" },
        { "the-occupied-palestinian-territories", "PS" }, /* alias */
        { "timor-leste", "TL" },
        { "togo", "TG" },
        { "tonga", "TO" },
        { "trinidad-and-tobago", "TT" },
        { "tunisia", "TN" },
        { "turkey", "TR" },
        { "turkiye", "TR" }, /* alias */
        { "turkmenistan", "TM" },
        { "turks-and-caicos-islands", "TC" },
        { "tuvalu", "TV" },
        { "uganda", "UG" },
        { "ukraine", "UA" },
        { "united-arab-emirates", "AE" },
        { "united-states", "US" }, /* alias */
        { "uruguay", "UY" },
        { "usa", "US" },
        { "uzbekistan", "UZ" },
        { "vanuatu", "VU" },
        { "venezuela", "VE" },
        { "vietnam", "VN" },
        { "wallis-and-futuna", "WF" },
        { "western-sahara", "EH" },
        { "yemen", "YE" },
        { "zambia", "ZM" },
        { "zimbabwe", "ZW" },
};

typedef struct UkStatus {
        const char *value;
        int level;
        bool whole_country;
        const char *wording; /* the FCDO's sentence, before the country name */
} UkStatus;

static const UkStatus uk_statuses[] = {
        { "avoid_all_travel_to_whole_country", 4, true, "FCDO advises against all travel to " },
        { "avoid_all_but_essential_travel_to_whole_country", 3, true,
          "FCDO advises against all but essential travel to " },
        { "avoid_all_travel_to_parts", 4, false, "FCDO advises against all travel to parts of " },
        { "avoid_all_but_essential_travel_to_parts", 3, false,
          "FCDO advises against all but essential travel to parts of " },
};

#define UK_LABEL_NONE "No FCDO advice against travel"

const UkSlug *source_uk_slugs(size_t *ret_n) {
        *ret_n = ELEMENTSOF(uk_slugs);
        return uk_slugs;
}

static int uk_slug_compare(const void *key, const void *entry) {
        return strcmp(key, ((const UkSlug *) entry)->slug);
}

size_t source_uk_slug_countries(const char *slug, char ret[static UK_SLUG_COUNTRIES_MAX][3]) {
        const UkSlug *s = slug ? bsearch(slug, uk_slugs, ELEMENTSOF(uk_slugs), sizeof(UkSlug),
                                         uk_slug_compare)
                               : NULL;
        size_t n = 0;

        for (const char *p = s ? s->countries : ""; *p && n < UK_SLUG_COUNTRIES_MAX; n++) {
                memcpy(ret[n], p, 2);
                ret[n][2] = '\0';
                p += p[2] == ' ' ? 3 : 2;
        }
        return n;
}

static bool uk_slug_valid(const char *s) {
        size_t l = s ? strlen(s) : 0;

        if (l == 0 || l > UK_SLUG_MAX)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == l;
}

/* The slug of "/foreign-travel-advice/<slug>", or NULL. */
static const char *uk_slug_of_path(const char *base_path) {
        const char *slug = base_path ? startswith(base_path, UK_PATH_PREFIX) : NULL;
        return uk_slug_valid(slug) ? slug : NULL;
}

/* The strongest whole-country and the strongest parts status of details.alert_status. */
typedef struct UkAdvice {
        const UkStatus *whole, *parts;
} UkAdvice;

static const UkStatus *uk_status_find(const char *value) {
        for (size_t i = 0; value && i < ELEMENTSOF(uk_statuses); i++)
                if (streq(uk_statuses[i].value, value))
                        return &uk_statuses[i];
        return NULL;
}

static int uk_read_alert_status(json_t *doc, UkAdvice *ret, ExtractError *err) {
        json_t *statuses = json_util_get(doc, "details.alert_status"), *v;
        UkAdvice a = {};
        size_t i;

        if (!statuses)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "no details.alert_status: not an FCDO country document");
        if (!json_is_array(statuses))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "details.alert_status is %s, want an array",
                                    json_util_type_name(statuses));
        json_array_foreach(statuses, i, v) {
                const UkStatus *s = uk_status_find(json_string_value(v));
                char buf[JSON_EXCERPT_MAX];

                if (!json_is_string(v))
                        return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                            "details.alert_status[%zu] is %s, want a string", i,
                                            json_util_type_name(v));
                if (!s)
                        return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                            "unknown details.alert_status[%zu] \"%s\"", i,
                                            json_util_excerpt(json_string_value(v), buf));
                const UkStatus **slot = s->whole_country ? &a.whole : &a.parts;
                if (!*slot || s->level > (*slot)->level)
                        *slot = s;
        }
        *ret = a;
        return 0;
}

/* The FCDO's wording: the whole-country sentence, followed by the parts sentence when that one
 * is stronger ("… all but essential travel to X. … all travel to parts of X."). */
static char *uk_label(const UkAdvice *a, const char *name) {
        const UkStatus *parts = a->parts && (!a->whole || a->parts->level > a->whole->level)
                                        ? a->parts
                                        : NULL;

        if (a->whole && parts)
                return strprintf("%s%s. %s%s.", a->whole->wording, name, parts->wording, name);
        if (a->whole || parts)
                return strprintf("%s%s.", (a->whole ? a->whole : parts)->wording, name);
        return strdup(UK_LABEL_NONE);
}

/* The ISO codes of the document's country: details.country.slug, else the slug of base_path,
 * else details.country.name as English name. */
static int uk_read_countries(json_t *doc, char codes[static UK_SLUG_COUNTRIES_MAX][3],
                             size_t *ret_n, ExtractError *err) {
        const char *slug = json_util_string(doc, "details.country.slug");
        const char *name = json_util_string(doc, "details.country.name");
        const char *path_slug = uk_slug_of_path(json_util_string(doc, "base_path"));
        char b1[JSON_EXCERPT_MAX], b2[JSON_EXCERPT_MAX];
        size_t n = source_uk_slug_countries(slug, codes);

        if (n == 0)
                n = source_uk_slug_countries(path_slug, codes);
        if (n == 0 && name) {
                const Country *c = country_by_name(name);
                if (c) {
                        memcpy(codes[0], c->alpha2, 3);
                        n = 1;
                }
        }
        if (n == 0 && !slug && !name && !path_slug)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "no details.country and no base_path: which country?");
        if (n == 0)
                return extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                    "unknown country (slug \"%s\", name \"%s\")",
                                    json_util_excerpt(slug ? slug : path_slug, b1),
                                    json_util_excerpt(name, b2));
        *ret_n = n;
        return 0;
}

/* The document must be a country's travel advice: not the index, not another GOV.UK schema, not
 * a withdrawn page (whose alert_status is no longer maintained). */
static int uk_check_schema(json_t *doc, const char *want, ExtractError *err) {
        const char *schema = json_util_string(doc, "schema_name");
        const char *withdrawn = json_util_string(doc, "withdrawn_notice.explanation");
        char buf[JSON_EXCERPT_MAX];

        /* the mistake users make with advisoryctl extract: the index has no levels in it */
        if (streq(want, "travel_advice") && schema && streq(schema, "travel_advice_index"))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "a GOV.UK \"travel_advice_index\" document: the FCDO index "
                                    "lists the country documents but no levels; extract a "
                                    "country's document (" UK_INDEX_URL "/<slug>)");
        if (schema && !streq(schema, want))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "a GOV.UK \"%s\" document, want \"%s\"",
                                    json_util_excerpt(schema, buf), want);
        if (!isempty(withdrawn))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the page is withdrawn (withdrawn_notice)");
        return 0;
}

static char *uk_updated(json_t *doc) {
        const char *s = json_util_string(doc, "public_updated_at");
        char buf[ISO8601_MAX];
        time_t t;

        return s && parse_iso8601(s, &t) >= 0 ? strdup(format_iso8601(buf, t, false)) : NULL;
}

static char *uk_url(json_t *doc, const char *slug) {
        const char *path = json_util_string(doc, "base_path");

        if (uk_slug_of_path(path))
                return strprintf(UK_WEB "%s", path);
        return uk_slug_valid(slug) ? strprintf(UK_WEB UK_PATH_PREFIX "%s", slug) : NULL;
}

int source_uk_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_advisory_list_ AdvisoryList records = {};
        _cleanup_free_ char *label = NULL, *updated = NULL, *url = NULL;
        char codes[UK_SLUG_COUNTRIES_MAX][3];
        const char *name;
        UkAdvice advice = {};
        size_t n = 0;
        int r;

        if ((r = json_util_load(in, "the FCDO country document", &doc, err)) < 0)
                return r;
        if (!json_is_object(doc))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the FCDO country document is a JSON %s, want an object",
                                    json_util_type_name(doc));
        if ((r = uk_check_schema(doc, "travel_advice", err)) < 0 ||
            (r = uk_read_alert_status(doc, &advice, err)) < 0 ||
            (r = uk_read_countries(doc, codes, &n, err)) < 0)
                return r;

        name = json_util_string(doc, "details.country.name");
        label = uk_label(&advice, !isempty(name) ? name : country_name(codes[0]));
        updated = uk_updated(doc);
        url = uk_url(doc, json_util_string(doc, "details.country.slug"));
        if (!label)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = advisory_list_add(&records, codes[i], advice.whole ? advice.whole->level : 1,
                                      advice.parts ? advice.parts->level : LEVEL_NONE, label,
                                      updated, url);
                if (r < 0)
                        return r;
        }
        return json_util_hand_over(out, &records);
}

UkIndexEntry *source_uk_index_free(UkIndexEntry *entries, size_t n) {
        for (size_t i = 0; entries && i < n; i++) {
                free(entries[i].slug);
                free(entries[i].base_path);
                free(entries[i].public_updated_at);
        }
        free(entries);
        return NULL;
}

static int uk_index_entry_compare(const void *a, const void *b) {
        return strcmp(((const UkIndexEntry *) a)->slug, ((const UkIndexEntry *) b)->slug);
}

static bool uk_index_has(const UkIndexEntry *entries, size_t n, const char *slug) {
        for (size_t i = 0; i < n; i++)
                if (streq(entries[i].slug, slug))
                        return true;
        return false;
}

/* Appends the children with a /foreign-travel-advice/<slug> base_path, first one per slug. */
static int uk_index_read(json_t *children, UkIndexEntry *entries, size_t *n) {
        json_t *child;
        size_t i;

        json_array_foreach(children, i, child) {
                const char *path = json_util_string(child, "base_path");
                const char *slug = uk_slug_of_path(path);
                const char *updated = json_util_string(child, "public_updated_at");
                UkIndexEntry *e = &entries[*n];

                if (!slug || uk_index_has(entries, *n, slug))
                        continue;
                e->slug = strdup(slug);
                e->base_path = strdup(path);
                e->public_updated_at = updated ? strdup(updated) : NULL;
                (*n)++;
                if (!e->slug || !e->base_path || (updated && !e->public_updated_at))
                        return -ENOMEM;
        }
        return 0;
}

int source_uk_index_parse(const char *data, size_t size, UkIndexEntry **ret, size_t *ret_n,
                          ExtractError *err) {
        const ExtractInput in = { .data = data, .size = size, .url = UK_INDEX_URL };
        _cleanup_json_ json_t *doc = NULL;
        UkIndexEntry *entries = NULL;
        json_t *children;
        size_t n = 0;
        int r;

        if ((r = json_util_load(&in, "the FCDO index", &doc, err)) < 0)
                return r;
        if (!json_is_object(doc))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the FCDO index is a JSON %s, want an object",
                                    json_util_type_name(doc));
        if ((r = uk_check_schema(doc, "travel_advice_index", err)) < 0)
                return r;
        children = json_util_get(doc, "links.children");
        if (!children)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "no links.children: not the FCDO index");
        if (!json_is_array(children))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "links.children is %s, want an array",
                                    json_util_type_name(children));
        entries = calloc(MAX(json_array_size(children), (size_t) 1), sizeof(UkIndexEntry));
        if (!entries)
                return -ENOMEM;
        if ((r = uk_index_read(children, entries, &n)) < 0) {
                source_uk_index_free(entries, n);
                return r;
        }
        if (n < UK_INDEX_MIN_COUNTRIES) {
                source_uk_index_free(entries, n);
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the FCDO index lists %zu countries, fewer than %d", n,
                                    UK_INDEX_MIN_COUNTRIES);
        }
        qsort(entries, n, sizeof(UkIndexEntry), uk_index_entry_compare);
        *ret = entries;
        *ret_n = n;
        return 0;
}

/* ---- the driver: the index each poll, then the countries that changed ----
 *
 * The index is fetched with a conditional GET; when it changed, the countries whose
 * public_updated_at differs from the one remembered for their slug (and new slugs) are fetched,
 * plus every country once per sweep_interval (a sweep catches what the index would hide).
 * Requests are paced: at most max_connections_per_host at a time, request_delay apart. Each
 * country document is recorded on its own (one transaction). A country that fails keeps its old
 * remembered date, so the next poll fetches it again; and so that a 304 for an unchanged index
 * cannot hide it, the next poll then fetches the index unconditionally.
 *
 * What the driver remembers (store_set_value, per source):
 *   updated     {"<slug>": "<public_updated_at as the index listed it>", …}: the countries whose
 *               document was recorded since the index listed that date
 *   last_sweep  Unix time at which the last poll that fetched every country started
 *   incomplete  "1" while countries of the last index read are not recorded yet
 *
 * A country fetched because the index changed is fetched unconditionally, and remembered only
 * when its document is at least as recent as the index says: a cache may serve the old document
 * for a few minutes after the index changed (Content API responses are cached for 5 minutes),
 * and remembering the new date then would miss the change until the next sweep. When
 * the source's url is overridden (tests, mirrors), country documents are <url>/<slug>. */

#define UK_KEY_UPDATED "updated"
#define UK_KEY_LAST_SWEEP "last_sweep"
#define UK_KEY_INCOMPLETE "incomplete"

typedef struct UkPoll {
        char *country_base;    /* the index URL without a trailing '/': + "/<slug>" */
        json_t *updated;       /* UK_KEY_UPDATED */
        bool sweep;            /* this poll fetches every country */
        bool incomplete;       /* the last poll left countries to do */
        time_t started;
        UkIndexEntry *entries; /* the index, once read */
        size_t n_entries;
} UkPoll;

static void uk_poll_free(void *state) {
        UkPoll *up = state;

        if (!up)
                return;
        free(up->country_base);
        json_decref(up->updated);
        source_uk_index_free(up->entries, up->n_entries);
        free(up);
}

static bool uk_remembered(const UkPoll *up, const UkIndexEntry *e) {
        const char *v = json_string_value(json_object_get(up->updated, e->slug));
        return v && e->public_updated_at && streq(v, e->public_updated_at);
}

static void uk_save_updated(Poll *p, const UkPoll *up) {
        _cleanup_free_ char *text = json_dumps(up->updated, JSON_COMPACT | JSON_SORT_KEYS);
        int r = text ? store_set_value(poll_store(p), poll_source(p)->id, UK_KEY_UPDATED, text)
                     : -ENOMEM;
        if (r < 0)
                log_debug_errno(r, "%s: cannot remember the countries recorded: %m, ignoring "
                                   "(they are fetched again)",
                                poll_source(p)->id);
}

static int uk_load_memory(Poll *p, UkPoll *up) {
        const SourceConfig *sc = poll_source(p);
        Store *s = poll_store(p);
        _cleanup_free_ char *updated = NULL, *last_sweep = NULL, *incomplete = NULL;
        int64_t last = 0;
        int r;

        if ((r = store_get_value(s, sc->id, UK_KEY_UPDATED, &updated)) < 0 ||
            (r = store_get_value(s, sc->id, UK_KEY_LAST_SWEEP, &last_sweep)) < 0 ||
            (r = store_get_value(s, sc->id, UK_KEY_INCOMPLETE, &incomplete)) < 0)
                return r;
        up->updated = updated ? json_loads(updated, 0, NULL) : NULL;
        if (!json_is_object(up->updated)) {
                json_decref(up->updated);
                if (!(up->updated = json_object()))
                        return -ENOMEM;
        }
        /* forced: the mass-change guard held pages back, which must be read again */
        if (poll_sweep_forced(p) || !last_sweep || safe_atoi64(last_sweep, &last) < 0 ||
            last > up->started || (usec_t) (up->started - last) * USEC_PER_SEC >= sc->sweep_interval)
                up->sweep = true;
        up->incomplete = incomplete != NULL;
        return 0;
}

/* Whether the recorded document is as recent as the index said it would be. */
static bool uk_document_current(const AdvisoryList *records, const char *index_updated) {
        time_t doc, index;

        if (!index_updated)
                return false; /* the index gave no date: fetch it every time */
        if (records->n == 0 || !records->items[0].updated ||
            parse_iso8601(records->items[0].updated, &doc) < 0 ||
            parse_iso8601(index_updated, &index) < 0)
                return true; /* nothing to compare */
        return doc >= index;
}

static int on_uk_country(Poll *p, const char *url, FetchResult *result, void *userdata) {
        UkPoll *up = poll_driver_state(p);
        const UkIndexEntry *e = userdata;
        _cleanup_advisory_list_ AdvisoryList records = {};
        ExtractInput in = { .data = result->data, .size = result->size, .url = url,
                            .config = poll_source(p) };
        ExtractError err = {};
        bool current;
        int r;

        if (result->not_modified)
                return 0; /* a sweep: the document we recorded is still the current one */
        r = source_uk_extract(&in, &records, &err);
        if (r < 0) {
                poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s",
                          err.message[0] ? err.message : strerror(-r));
                return r;
        }
        current = uk_document_current(&records, e->public_updated_at);
        r = poll_record(p, url, &records);
        if (r < 0)
                return r;
        if (current && e->public_updated_at) {
                json_t *v = json_string(e->public_updated_at);
                if (!v || json_object_set_new(up->updated, e->slug, v) < 0)
                        return 0; /* not remembered: fetched again next time */
                uk_save_updated(p, up);
        } else
                log_debug("%s: %s is older than the index says, fetching it again next poll",
                          poll_source(p)->id, url);
        return 0;
}

static int uk_queue_countries(Poll *p, UkPoll *up, size_t *ret_queued) {
        size_t queued = 0;

        for (size_t i = 0; i < up->n_entries; i++) {
                UkIndexEntry *e = &up->entries[i];
                bool changed = !uk_remembered(up, e);
                _cleanup_free_ char *url = NULL;
                int r;

                if (!changed && !up->sweep)
                        continue;
                if (!(url = strprintf("%s/%s", up->country_base, e->slug)))
                        return -ENOMEM;
                r = poll_fetch_with(p, url, changed ? 0 : POLL_FETCH_CONDITIONAL, on_uk_country, e);
                if (r < 0)
                        return r;
                queued++;
        }
        *ret_queued = queued;
        return 0;
}

static int on_uk_index(Poll *p, const char *url, FetchResult *result, void *userdata) {
        UkPoll *up = poll_driver_state(p);
        const SourceConfig *sc = poll_source(p);
        ExtractError err = {};
        size_t queued = 0;
        int r;

        if (result->not_modified)
                return 0; /* and the last poll recorded every country it listed */
        r = source_uk_index_parse(result->data, result->size, &up->entries, &up->n_entries, &err);
        if (r < 0) {
                poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s",
                          err.message[0] ? err.message : strerror(-r));
                return r;
        }
        r = uk_queue_countries(p, up, &queued);
        if (r < 0) {
                poll_fail(p, url, FAILURE_OTHER, "cannot queue the countries: %s", strerror(-r));
                return r;
        }
        log_debug("%s: the index lists %zu countries; fetching %zu%s.", sc->id, up->n_entries,
                  queued, up->sweep ? " (sweep)" : "");
        if (queued > 0 && (r = store_set_value(poll_store(p), sc->id, UK_KEY_INCOMPLETE, "1")) < 0)
                log_debug_errno(r, "%s: cannot remember the poll as incomplete: %m, ignoring",
                                sc->id);
        return 0;
}

static int uk_entry_compare(const void *key, const void *entry) {
        return strcmp(key, ((const UkIndexEntry *) entry)->slug);
}

/* Once the index was read: forget slugs it no longer lists; note what is left to do. */
static void on_uk_poll_finish(Poll *p, void *state) {
        UkPoll *up = state;
        const char *id = poll_source(p)->id, *slug;
        char started[32];
        size_t pending = 0;
        json_t *v;
        void *tmp;
        int r;

        if (!up->entries)
                return; /* 304, or no index: what we remember stands */
        json_object_foreach_safe(up->updated, tmp, slug, v)
                if (!bsearch(slug, up->entries, up->n_entries, sizeof(UkIndexEntry),
                             uk_entry_compare))
                        (void) json_object_del(up->updated, slug);
        uk_save_updated(p, up);
        for (size_t i = 0; i < up->n_entries; i++)
                pending += !uk_remembered(up, &up->entries[i]);
        r = store_set_value(poll_store(p), id, UK_KEY_INCOMPLETE, pending > 0 ? "1" : NULL);
        snprintf(started, sizeof(started), "%lld", (long long) up->started);
        if (r >= 0 && up->sweep)
                r = store_set_value(poll_store(p), id, UK_KEY_LAST_SWEEP, started);
        if (r < 0)
                log_debug_errno(r, "%s: cannot remember the poll: %m, ignoring", id);
        if (pending > 0)
                log_debug("%s: %zu countries left for the next poll.", id, pending);
}

int source_uk_start(Poll *p) {
        const char *index = poll_url(p);
        UkPoll *up = calloc(1, sizeof(UkPoll));
        size_t n = strlen(index);
        int r;

        if (!up)
                return -ENOMEM;
        poll_set_driver(p, up, on_uk_poll_finish, uk_poll_free);
        up->started = time(NULL);
        while (n > 0 && index[n - 1] == '/')
                n--;
        if (!(up->country_base = strndup(index, n)))
                return -ENOMEM;
        if ((r = uk_load_memory(p, up)) < 0)
                return r;
        poll_set_pacing(p, poll_config(p)->daemon.max_connections_per_host,
                        poll_source(p)->request_delay);
        /* unconditional when the list of countries is needed whether it changed or not */
        return poll_fetch_with(p, index, up->sweep || up->incomplete ? 0 : POLL_FETCH_CONDITIONAL,
                               on_uk_index, NULL);
}
