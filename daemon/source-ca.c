/* source-ca.c: Global Affairs Canada's travel advice index, one JSON document for every
 * destination (data.international.gc.ca/travel-voyage/index-alpha-eng.json). Pure: bytes →
 * records.
 *
 * The document reads (2026):
 *   { "metadata": { "generated": { "timestamp": …, "date": "2026-07-02 14:40:24" } },
 *     "data": { "NP": { "country-iso": "NP", "advisory-state": 1, "has-regional-advisory": 0,
 *                       "date-published": { "timestamp": 1782236559,
 *                                           "date": "2026-06-23 13:42:39",
 *                                           "asp": "2026-06-23T13:42:39.7947187-04:00" },
 *                       "eng": { "url-slug": "nepal",
 *                                "advisory-text": "Exercise a high degree of caution", … } },
 *               … } }
 * The level is advisory-state 0–3 → 1–4, never the text: eng.advisory-text can lag the site
 * (in July 2026 it still said "Exercise normal security precautions" where the site said "Take
 * normal security precautions"). An entry whose advisory-state is missing, not an integer or out
 * of range is skipped: no guess.
 *
 * Regional advisories: has-regional-advisory = 1 says some region is at a higher level but not
 * which level, so regional_level stays null; the label carries the site's own "(with regional
 * advisories)" so that people still see it.
 *
 * Keys. Two upper-case letters are an ISO 3166-1 code ("XK" included). One more two-letter key
 * is not an assigned code: "IC", the Canary Islands, exceptionally reserved in ISO 3166-1 for
 * them; Canada publishes it as a destination of its own, and so do we. Keys with a suffix are
 * ISO 3166-2 subdivisions: "PT-20" is the Azores (Madeira would be "PT-30", the Canary Islands
 * "ES-CN"). A subdivision is a part of its country, never a record of its own and never a
 * replacement of its country's record: by the whole-versus-parts rule of DESIGN.md it can only
 * raise the country's regional_level, when its level is above the country's level. A
 * subdivision whose country is absent from the document is ignored. Any other key is skipped. */
#include <ctype.h>

#include "country.h"
#include "json-util.h"
#include "source.h"
#include "timeutil.h"

/* The index lists ~230 destinations; far fewer means we were not given the real index. */
#define CA_MIN_COUNTRIES 100
#define CA_WEB "https://travel.gc.ca/destinations/"
#define CA_SLUG_MAX 100
#define CA_EPOCH_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

/* The site's wording for advisory-state 0–3. */
static const char *const ca_labels[] = {
        "Take normal security precautions",
        "Exercise a high degree of caution",
        "Avoid non-essential travel",
        "Avoid all travel",
};

/* Two-letter keys outside the assigned ISO codes that stand for a destination. */
static const char *const ca_reserved_codes[] = {
        "IC", /* Canary Islands */
};

typedef struct CaEntry {
        char country[3];     /* the country, or for a subdivision its country */
        bool subdivision;    /* "PT-20" */
        int level;           /* 1–4 */
        bool regional;       /* has-regional-advisory */
        char updated[ISO8601_MAX];
        const char *slug;    /* eng.url-slug, borrowed */
} CaEntry;

static bool ca_code_known(const char *code) {
        if (country_by_alpha2(code))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(ca_reserved_codes); i++)
                if (streq(ca_reserved_codes[i], code))
                        return true;
        return false;
}

/* "NP" → NP; "PT-20" → PT, a subdivision; false for anything else. */
static bool ca_parse_key(const char *key, CaEntry *e) {
        size_t l = strlen(key), suffix = l > 3 ? l - 3 : 0;

        if (l < 2 || !isupper((unsigned char) key[0]) || !isupper((unsigned char) key[1]))
                return false;
        if (l == 2)
                e->subdivision = false;
        else if (key[2] == '-' && suffix >= 1 && suffix <= 3 &&
                 strspn(key + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == suffix)
                e->subdivision = true;
        else
                return false;
        memcpy(e->country, key, 2);
        e->country[2] = '\0';
        return ca_code_known(e->country);
}

static bool ca_has_offset(const char *s) {
        const char *t = strchr(s, 'T');
        return t && strpbrk(t, "Z+-");
}

/* date-published: "asp" carries the offset of Eastern time; "timestamp" is the same instant;
 * "date" alone is Eastern local time without offset, so only its day is kept. */
static void ca_read_updated(json_t *v, char buf[static ISO8601_MAX]) {
        const char *asp = json_util_string(v, "date-published.asp");
        const char *date = json_util_string(v, "date-published.date");
        json_int_t ts;
        time_t t;

        buf[0] = '\0';
        if (asp && ca_has_offset(asp) && parse_iso8601(asp, &t) >= 0)
                format_iso8601(buf, t, false);
        else if (json_util_integer(v, "date-published.timestamp", &ts) >= 0 && ts > 0 &&
                 ts <= CA_EPOCH_MAX)
                format_iso8601(buf, (time_t) ts, false);
        else if (date && strlen(date) >= 10) {
                char day[11];
                memcpy(day, date, 10);
                day[10] = '\0';
                if (parse_iso8601(day, &t) >= 0)
                        memcpy(buf, day, sizeof(day));
        }
}

static bool ca_slug_valid(const char *s) {
        size_t l = s ? strlen(s) : 0;
        return l > 0 && l <= CA_SLUG_MAX &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == l;
}

/* false: not a destination we can read (unknown key, no valid advisory-state, inconsistent). */
static bool ca_read_entry(const char *key, json_t *v, CaEntry *e) {
        const char *iso = json_util_string(v, "country-iso");
        json_int_t state, regional = 0;
        bool b;

        *e = (CaEntry) {};
        if (!json_is_object(v) || !ca_parse_key(key, e))
                return false;
        if (iso && !streq(iso, key))
                return false; /* the key and the entry disagree: which one is wrong? */
        if (json_util_integer(v, "advisory-state", &state) < 0 || state < 0 || state > 3)
                return false;
        e->level = (int) state + 1;
        if (json_util_integer(v, "has-regional-advisory", &regional) >= 0)
                e->regional = regional == 1;
        else if (json_util_boolean(v, "has-regional-advisory", &b) >= 0)
                e->regional = b;
        ca_read_updated(v, e->updated);
        e->slug = json_util_string(v, "eng.url-slug");
        return true;
}

static int ca_add(AdvisoryList *records, const CaEntry *e) {
        _cleanup_free_ char *label = NULL, *url = NULL;

        label = strprintf("%s%s", ca_labels[e->level - 1],
                          e->regional ? " (with regional advisories)" : "");
        url = ca_slug_valid(e->slug) ? strprintf(CA_WEB "%s", e->slug) : NULL;
        if (!label || (ca_slug_valid(e->slug) && !url))
                return -ENOMEM;
        return advisory_list_add(records, e->country, e->level, LEVEL_NONE, label,
                                 e->updated[0] ? e->updated : NULL, url);
}

/* A subdivision above its country's level raises the country's regional_level. */
static void ca_fold_subdivision(AdvisoryList *records, const CaEntry *e) {
        Advisory *a = advisory_list_find(records, e->country);

        if (a && e->level > a->level && e->level > a->regional_level)
                a->regional_level = e->level;
}

static int ca_read_data(json_t *data, AdvisoryList *records) {
        const char *key;
        json_t *v;
        CaEntry e;
        int r;

        /* countries first, so that subdivisions find them whatever the order of the keys */
        json_object_foreach(data, key, v)
                if (ca_read_entry(key, v, &e) && !e.subdivision && (r = ca_add(records, &e)) < 0)
                        return r;
        json_object_foreach(data, key, v)
                if (ca_read_entry(key, v, &e) && e.subdivision)
                        ca_fold_subdivision(records, &e);
        return 0;
}

int source_ca_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_advisory_list_ AdvisoryList records = {};
        json_t *data;
        int r;

        if ((r = json_util_load(in, "the Canadian travel advice index", &doc, err)) < 0)
                return r;
        if (!json_is_object(doc))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the Canadian index is a JSON %s, want an object",
                                    json_util_type_name(doc));
        data = json_util_get(doc, "data");
        if (!json_util_object(doc, "metadata") || !json_is_object(data))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "no \"metadata\" and \"data\" objects: not the Canadian index");
        if ((r = ca_read_data(data, &records)) < 0)
                return r;
        if (records.n == 0)
                return extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                    "none of the %zu entries has a country and an advisory-state",
                                    json_object_size(data));
        if (records.n < CA_MIN_COUNTRIES)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "only %zu of %zu entries are readable countries, fewer than %d",
                                    records.n, json_object_size(data), CA_MIN_COUNTRIES);
        return json_util_hand_over(out, &records);
}
