/* source-au.c: Smartraveller, the Australian government's travel advice, through its JSON
 * export of every destination (www.smartraveller.gov.au/destinations-export). Pure: bytes →
 * records.
 *
 * The export is an array of items (2025):
 *   { "title": "Afghanistan", "field_overall_advice_level": "Do not travel",
 *     "field_url": "https://www.smartraveller.gov.au/destinations/asia/afghanistan",
 *     "field_last_update": "<prose of the latest update>", "changed": "Fri, 2025-11-14 14:22",
 *     "field_advice_levels": "<prose>", "field_region": "Asia", … }
 * The level is the overall advice level's label (compared case- and space-insensitively):
 *   Exercise normal safety precautions → 1, Exercise a high degree of caution → 2,
 *   Reconsider your need to travel → 3, Do not travel → 4.
 * "No travel advice" and any other label give no level: the item is skipped (never a guess). The
 * regional levels live in the prose of field_advice_levels and are not read: regional_level stays
 * null. "changed" is Canberra local time without an offset, so only its day is kept.
 *
 * Countries come from the title (English name, HTML entities decoded), else from the last part
 * of field_url ("…/asia/kyrgyz-republic"). "Israel and the Occupied Palestinian Territories" is
 * one destination for two countries: both get its level, as the US feed's combined item does. A
 * destination that names a country on its own wins over a combined one; between equals the
 * strongest wins, then the first title in alphabetical order.
 *
 * Smartraveller sits behind Akamai, which answers some networks with a 403 page: that, a
 * challenge page, and an export without plausibly many destinations are failures. */
#include "country.h"
#include "json-util.h"
#include "source.h"
#include "timeutil.h"

/* The export lists ~180 destinations; far fewer means we were not given the real export. */
#define AU_MIN_DESTINATIONS 100
#define AU_WEB "https://www.smartraveller.gov.au"
#define AU_URL_MAX 2048
#define AU_NAME_MAX 256
#define AU_COUNTRIES_MAX 2

static const char *const au_levels[] = {
        "exercise normal safety precautions",
        "exercise a high degree of caution",
        "reconsider your need to travel",
        "do not travel",
};

/* Destinations that stand for several countries, by normalised title or slug. */
static const struct {
        const char *name;
        const char *countries[AU_COUNTRIES_MAX];
} au_combined[] = {
        { "israel and the occupied palestinian territories", { "IL", "PS" } },
        { "israel and occupied palestinian territories", { "IL", "PS" } },
};

typedef struct AuItem {
        const char *title; /* borrowed from the document */
        const char *label;
        int level;
        char *updated;
        char *url;
        const Country *countries[AU_COUNTRIES_MAX];
        size_t n_countries;
} AuItem;

typedef struct AuPick {
        const Country *country;
        const AuItem *item;
} AuPick;

/* 1–4 for the four labels, 0 for anything else. Lower-cases ASCII, folds runs of white space
 * (including U+00A0) to one space, trims. */
static int au_level(const char *label) {
        char buf[64];
        size_t n = 0;
        bool space = false;

        for (const char *p = label; p && *p; p++) {
                bool nbsp = (unsigned char) p[0] == 0xc2 && (unsigned char) p[1] == 0xa0;
                if (nbsp || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                        space = n > 0;
                        p += nbsp;
                        continue;
                }
                if (n + 2 >= sizeof(buf))
                        return 0;
                if (space)
                        buf[n++] = ' ';
                space = false;
                buf[n++] = *p >= 'A' && *p <= 'Z' ? (char) (*p - 'A' + 'a') : *p;
        }
        buf[n] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(au_levels); i++)
                if (streq(buf, au_levels[i]))
                        return (int) i + 1;
        return 0;
}

static const struct {
        const char *entity;
        const char *text;
} au_entities[] = {
        { "&amp;", "&" },   { "&quot;", "\"" }, { "&apos;", "'" }, { "&#039;", "'" },
        { "&#39;", "'" },   { "&rsquo;", "'" }, { "&lt;", "<" },   { "&gt;", ">" },
        { "&nbsp;", " " },
};

/* Drupal titles may carry HTML entities ("Cote d&#039;Ivoire"); country names need few. */
static void au_decode_entities(const char *s, char buf[static AU_NAME_MAX]) {
        size_t n = 0;

        while (*s && n + 1 < AU_NAME_MAX) {
                size_t i = 0;
                for (; *s == '&' && i < ELEMENTSOF(au_entities); i++)
                        if (startswith(s, au_entities[i].entity))
                                break;
                if (*s != '&' || i == ELEMENTSOF(au_entities)) {
                        buf[n++] = *s++;
                        continue;
                }
                size_t l = strlen(au_entities[i].text);
                if (n + l + 1 > AU_NAME_MAX)
                        break;
                memcpy(buf + n, au_entities[i].text, l);
                n += l;
                s += strlen(au_entities[i].entity);
        }
        buf[n] = '\0';
}

static size_t au_lookup(const char *name, const Country *ret[static AU_COUNTRIES_MAX]) {
        char norm[AU_NAME_MAX];
        const Country *c;

        country_normalize_name(name, norm, sizeof(norm));
        for (size_t i = 0; i < ELEMENTSOF(au_combined); i++) {
                if (!streq(norm, au_combined[i].name))
                        continue;
                size_t n = 0;
                for (size_t j = 0; j < AU_COUNTRIES_MAX; j++)
                        if ((c = country_by_alpha2(au_combined[i].countries[j])))
                                ret[n++] = c;
                return n;
        }
        c = country_by_name(name);
        ret[0] = c;
        return c ? 1 : 0;
}

/* "kyrgyz republic" from ".../asia/kyrgyz-republic/", or NULL. */
static bool au_slug_name(const char *url, char buf[static AU_NAME_MAX]) {
        const char *end = url ? url + strlen(url) : NULL, *start;

        while (end && end > url && end[-1] == '/')
                end--;
        if (!end || end == url)
                return false;
        for (start = end; start > url && start[-1] != '/';)
                start--;
        if (end - start >= AU_NAME_MAX || end == start)
                return false;
        for (size_t i = 0; start + i < end; i++)
                buf[i] = start[i] == '-' ? ' ' : start[i];
        buf[end - start] = '\0';
        return true;
}

static void au_read_countries(json_t *v, const char *title, AuItem *it) {
        char name[AU_NAME_MAX];

        au_decode_entities(title, name);
        it->n_countries = au_lookup(name, it->countries);
        if (it->n_countries == 0 && au_slug_name(json_util_string(v, "field_url"), name))
                it->n_countries = au_lookup(name, it->countries);
}

static char *au_read_url(json_t *v) {
        const char *u = json_util_string(v, "field_url");

        if (!u || strlen(u) > AU_URL_MAX)
                return NULL;
        if (startswith(u, "https://") || startswith(u, "http://"))
                return strdup(u);
        return u[0] == '/' ? strprintf(AU_WEB "%s", u) : NULL;
}

/* "changed": "Fri, 2025-11-14 14:22" (local time: the day only), an ISO 8601 time with an
 * offset, or epoch seconds. */
static char *au_read_updated(json_t *v) {
        const char *s = json_util_string(v, "changed"), *comma;
        char buf[ISO8601_MAX];
        unsigned long long secs;
        time_t t;
        int n = 0;

        if (!s)
                return NULL;
        if (sscanf(s, "%llu%n", &secs, &n) == 1 && s[n] == '\0' && secs > 0 &&
            secs < 253402300800ULL)
                return strdup(format_iso8601(buf, (time_t) secs, false));
        if (strchr(s, 'T') && strpbrk(strchr(s, 'T'), "Z+-") && parse_iso8601(s, &t) >= 0)
                return strdup(format_iso8601(buf, t, false));
        comma = strchr(s, ',');
        s = comma && comma - s <= 10 ? comma + 1 : s;
        s += strspn(s, " ");
        if (strlen(s) < 10)
                return NULL;
        memcpy(buf, s, 10);
        buf[10] = '\0';
        return parse_iso8601(buf, &t) >= 0 ? strdup(buf) : NULL;
}

static void au_item_done(AuItem *it) {
        free(it->updated);
        free(it->url);
}

/* false: the item gives no record (no title, no level, no known country). */
static bool au_read_item(json_t *v, AuItem *it) {
        *it = (AuItem) {
                .title = json_util_string(v, "title"),
                .label = json_util_string(v, "field_overall_advice_level"),
        };
        if (isempty(it->title) || !it->label)
                return false;
        it->level = au_level(it->label);
        if (it->level == 0)
                return false;
        au_read_countries(v, it->title, it);
        return it->n_countries > 0;
}

/* Per country: an item about it alone first, then the strongest, then by title. */
static int au_pick_compare(const void *x, const void *y) {
        const AuPick *a = x, *b = y;
        int r = strcmp(a->country->alpha2, b->country->alpha2);

        if (r != 0)
                return r;
        if (a->item->n_countries != b->item->n_countries)
                return a->item->n_countries < b->item->n_countries ? -1 : 1;
        if (a->item->level != b->item->level)
                return a->item->level > b->item->level ? -1 : 1;
        return strcmp(a->item->title, b->item->title);
}

static int au_add_picks(AuPick *picks, size_t n, AdvisoryList *records) {
        int r;

        qsort(picks, n, sizeof(AuPick), au_pick_compare);
        for (size_t i = 0; i < n; i++) {
                const AuItem *it = picks[i].item;
                if (i > 0 && picks[i - 1].country == picks[i].country)
                        continue;
                r = advisory_list_add(records, picks[i].country->alpha2, it->level, LEVEL_NONE,
                                      it->label, it->updated, it->url);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int au_read_export(json_t *doc, AdvisoryList *records) {
        size_t n = json_array_size(doc), n_picks = 0, i;
        AuItem *items = calloc(MAX(n, (size_t) 1), sizeof(AuItem));
        AuPick *picks = calloc(MAX(n, (size_t) 1) * AU_COUNTRIES_MAX, sizeof(AuPick));
        json_t *v;
        int r = -ENOMEM;

        if (!items || !picks)
                goto finish;
        json_array_foreach(doc, i, v) {
                AuItem *it = &items[i];
                if (!au_read_item(v, it))
                        continue;
                it->updated = au_read_updated(v);
                it->url = au_read_url(v);
                for (size_t j = 0; j < it->n_countries; j++)
                        picks[n_picks++] = (AuPick) { it->countries[j], it };
        }
        r = au_add_picks(picks, n_picks, records);
finish:
        for (i = 0; items && i < n; i++)
                au_item_done(&items[i]);
        free(items);
        free(picks);
        return r;
}

int source_au_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_advisory_list_ AdvisoryList records = {};
        int r;

        if ((r = json_util_load(in, "the Smartraveller export", &doc, err)) < 0)
                return r;
        if (!json_is_array(doc))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "the Smartraveller export is a JSON %s, want an array",
                                    json_util_type_name(doc));
        if ((r = au_read_export(doc, &records)) < 0)
                return r;
        if (records.n == 0)
                return extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                    "none of the %zu items has a known advice level and country",
                                    json_array_size(doc));
        if (records.n < AU_MIN_DESTINATIONS)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "only %zu of %zu items give a country and a level, fewer "
                                    "than %d",
                                    records.n, json_array_size(doc), AU_MIN_DESTINATIONS);
        return json_util_hand_over(out, &records);
}
