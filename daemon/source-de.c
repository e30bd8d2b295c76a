/* source-de.c: the Auswärtiges Amt's travel warnings through its OpenData interface
 * (www.auswaertiges-amt.de/opendata/travelwarning). Pure: bytes → records.
 *
 * The index reads (2026):
 *   { "response": { "lastModified": 1783707293, "contentList": ["226768", …],
 *                   "221216": { "countryCode": "NP", "countryName": "Nepal",
 *                               "warning": false, "partialWarning": false,
 *                               "situationWarning": false, "situationPartWarning": false,
 *                               "lastModified": 1783604826, … }, … } }
 * Entries are keyed by content id; "lastModified" and "contentList" beside them are not
 * countries, nor is any entry without a countryCode. The four flags map as DESIGN.md says:
 * warning or situationWarning ("Reisewarnung") → level 4; partialWarning or
 * situationPartWarning ("Teilreisewarnung") → regional level 4; no flag → level 1. An entry
 * whose flags are missing or not booleans is skipped: no guess.
 *
 * Level 3: the Amt also advises against travel ("… wird abgeraten") without a Reisewarnung, but
 * only in the prose of a country's page, never in a flag of this index. Such countries read as
 * level 1 here; the index cannot tell them apart.
 *
 * lastModified is in epoch SECONDS, although the interface's documentation says milliseconds;
 * a value above 1e11 (the year 5138 in seconds) is taken as milliseconds, should they switch.
 *
 * On errors the service answers {} with HTTP 200: that, and a "response" without countries, is
 * a failure, never "no warnings anywhere". A country listed twice (two content ids) gets its
 * strongest entry; equal ones are ordered by lastModified, then content id, so the result does
 * not depend on the order of the document.
 *
 * A country's detail document (/opendata/travelwarning/<id>: the same fields plus the page's
 * HTML "content") is read the same way and gives that one country. */
#include "country.h"
#include "json-util.h"
#include "source.h"
#include "timeutil.h"

/* The index lists ~200 countries; far fewer means we were not given the real index. */
#define DE_MIN_COUNTRIES 100
#define DE_API "https://www.auswaertiges-amt.de/opendata/travelwarning"
/* The Amt's short links by content id redirect to the country's page ("Reise- und
 * Sicherheitshinweise"), whose own address carries a German slug we cannot derive. */
#define DE_WEB "https://www.auswaertiges-amt.de/de/-/"
#define DE_ID_MAX 20
#define DE_MSEC_THRESHOLD 100000000000LL /* 1e11 */

/* Strongest first: the index into this table is the entry's rank. */
static const char *const de_labels[] = {
        "Reisewarnung",
        "Reisewarnung (Lage)",
        "Teilreisewarnung",
        "Teilreisewarnung (Lage)",
        "Keine Reisewarnung",
};

static const char *const de_flags[] = {
        "warning",
        "situationWarning",
        "partialWarning",
        "situationPartWarning",
};

typedef struct DeEntry {
        const char *id; /* content id: the entry's key, borrowed */
        char country[3];
        int rank;         /* into de_labels */
        int64_t modified; /* epoch seconds, 0 when unknown */
        bool detail;      /* carries the page's "content" */
} DeEntry;

static int de_level(const DeEntry *e) {
        return e->rank <= 1 ? 4 : 1;
}

static int de_regional_level(const DeEntry *e) {
        return e->rank == 2 || e->rank == 3 ? 4 : LEVEL_NONE;
}

/* The first flag set gives the rank; all four must be booleans. */
static bool de_read_flags(json_t *v, int *ret_rank) {
        int rank = (int) ELEMENTSOF(de_flags);

        for (int i = (int) ELEMENTSOF(de_flags) - 1; i >= 0; i--) {
                bool b;
                if (json_util_boolean(v, de_flags[i], &b) < 0)
                        return false;
                if (b)
                        rank = i;
        }
        *ret_rank = rank;
        return true;
}

static int64_t de_read_modified(json_t *v) {
        json_int_t t;

        if (json_util_integer(v, "lastModified", &t) < 0 || t <= 0)
                return 0;
        return t > DE_MSEC_THRESHOLD ? t / 1000 : t;
}

/* false: not a country entry, an unknown country, or unreadable flags. */
static bool de_read_entry(const char *id, json_t *v, DeEntry *e) {
        const char *code = json_util_string(v, "countryCode");
        const Country *c = code && strlen(code) == 2 ? country_by_alpha2(code) : NULL;

        *e = (DeEntry) { .id = id };
        if (!c || !de_read_flags(v, &e->rank))
                return false;
        memcpy(e->country, c->alpha2, 3);
        e->modified = de_read_modified(v);
        e->detail = json_util_string(v, "content") != NULL;
        return true;
}

/* Country, then strongest first, then the newest, then the smallest content id. */
static int de_entry_compare(const void *x, const void *y) {
        const DeEntry *a = x, *b = y;
        int r = strcmp(a->country, b->country);

        if (r != 0)
                return r;
        if (a->rank != b->rank)
                return a->rank < b->rank ? -1 : 1;
        if (a->modified != b->modified)
                return a->modified > b->modified ? -1 : 1;
        return strcmp(a->id, b->id);
}

static char *de_url(const char *id) {
        size_t l = strlen(id);

        if (l > 0 && l <= DE_ID_MAX && strspn(id, "0123456789") == l)
                return strprintf(DE_WEB "%s", id);
        return strdup(DE_API);
}

static int de_add(AdvisoryList *records, const DeEntry *e) {
        _cleanup_free_ char *url = de_url(e->id);
        char buf[ISO8601_MAX];

        if (!url)
                return -ENOMEM;
        return advisory_list_add(records, e->country, de_level(e), de_regional_level(e),
                                 de_labels[e->rank],
                                 e->modified > 0 ? format_iso8601(buf, e->modified, false) : NULL,
                                 url);
}

/* Reads the country entries of response into records, one per country. */
static int de_read_response(json_t *response, AdvisoryList *records, size_t *ret_entries,
                            bool *ret_detail) {
        _cleanup_free_ DeEntry *entries = calloc(MAX(json_object_size(response), (size_t) 1),
                                                 sizeof(DeEntry));
        const char *id;
        json_t *v;
        size_t n = 0;
        int r;

        if (!entries)
                return -ENOMEM;
        json_object_foreach(response, id, v)
                if (de_read_entry(id, v, &entries[n]))
                        n++;
        qsort(entries, n, sizeof(DeEntry), de_entry_compare);
        for (size_t i = 0; i < n; i++)
                if ((i == 0 || !streq(entries[i - 1].country, entries[i].country)) &&
                    (r = de_add(records, &entries[i])) < 0)
                        return r;
        *ret_entries = n;
        *ret_detail = n == 1 && entries[0].detail;
        return 0;
}

int source_de_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_advisory_list_ AdvisoryList records = {};
        json_t *response;
        size_t n_entries = 0;
        bool detail = false;
        int r;

        if ((r = json_util_load(in, "the travelwarning index", &doc, err)) < 0)
                return r;
        if (!json_is_object(doc))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the travelwarning index is a JSON %s, want an object",
                                    json_util_type_name(doc));
        response = json_util_object(doc, "response");
        if (!response && json_object_size(doc) == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "an empty object: the service's answer when it fails");
        if (!response)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "no \"response\" object: not the travelwarning index");
        if ((r = de_read_response(response, &records, &n_entries, &detail)) < 0)
                return r;
        if (records.n == 0)
                return extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                    "no country entry with a countryCode and the four flags");
        if (records.n < DE_MIN_COUNTRIES && !detail)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "only %zu countries, fewer than %d", records.n,
                                    DE_MIN_COUNTRIES);
        return json_util_hand_over(out, &records);
}
