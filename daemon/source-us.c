/* source-us.c: the US State Department's travel advisory RSS feed (travel.state.gov
 * /_res/rss/TAsTWs.xml). Pure: bytes + URL → records.
 *
 * An item reads (2024–2026):
 *   <title>Kazakhstan - Level 1: Exercise Normal Precautions</title>
 *   <link>https://travel.state.gov/…/kazakhstan-travel-advisory.html</link>
 *   <pubDate>Mon, 09 Jun 2026</pubDate>                       (often a date without time)
 *   <category domain="Threat-Level">Level 1: Exercise Normal Precautions</category>
 *   <category domain="Country-Tag">KZ</category>               (FIPS 10-4/GEC, not ISO!)
 * Some items carry no level ("Worldwide Caution") and are skipped. Some titles carry no level
 * ("Iran Travel Advisory") and the Threat-Level category gives it; some items lack the category
 * and the title gives it. An item may name several countries ("Israel, the West Bank and Gaza"):
 * it is split, and an item about one country alone wins over a multi-country item. */
#include <ctype.h>

#include "challenge.h"
#include "country.h"
#include "source.h"
#include "timeutil.h"
#include "xml.h"

#define US_TAGS_MAX 8

typedef struct UsItem {
        int level;
        char *label;
        char *title;
        char *link;
        char *pubdate;
        char *tags[US_TAGS_MAX];
        size_t n_tags;
} UsItem;

static void us_item_done(UsItem *it) {
        free(it->label);
        free(it->title);
        free(it->link);
        free(it->pubdate);
        for (size_t i = 0; i < it->n_tags; i++)
                free(it->tags[i]);
        *it = (UsItem) {};
}

/* "Level 3: Reconsider Travel" (also inside a title) → 3; 0 when there is none. */
static int us_level_from_text(const char *s, const char **ret_label) {
        for (const char *p = s; (p = strcasestr(p, "level")); p++) {
                const char *q = p + 5;
                while (*q == ' ')
                        q++;
                if (*q < '1' || *q > '4' || isdigit((unsigned char) q[1]))
                        continue;
                if (ret_label)
                        *ret_label = p;
                return *q - '0';
        }
        return 0;
}

static int us_item_add_tags(UsItem *it, const char *text) {
        _cleanup_strv_free_ char **words = NULL;

        /* one code per category normally; tolerate "IS, WE" lists */
        if (strv_split_words(&words, text, true) < 0)
                return -ENOMEM;
        STRV_FOREACH(w, words) {
                if (it->n_tags == US_TAGS_MAX)
                        break;
                if (!(it->tags[it->n_tags] = strdup(*w)))
                        return -ENOMEM;
                ascii_strupper(it->tags[it->n_tags++]);
        }
        return 0;
}

/* The cleaned text of a child element; *ret stays NULL when there is none. */
static int us_child_text(xmlNodePtr item, const char *name, size_t max, char **ret) {
        xmlNodePtr c = xml_child(item, name);

        if (c && !(*ret = xml_text(c, max)))
                return -ENOMEM;
        return 0;
}

static int us_item_read(xmlNodePtr item, UsItem *it) {
        for (xmlNodePtr c = item->children; c; c = c->next) {
                _cleanup_free_ char *domain = NULL, *text = NULL;

                if (!xml_is(c, "category"))
                        continue;
                if (!(text = xml_text(c, 512)))
                        return -ENOMEM;
                domain = xml_attr(c, "domain");
                if (streq_ptr(domain, "Threat-Level") && !it->level) {
                        const char *label = NULL;
                        it->level = us_level_from_text(text, &label);
                        if (it->level && !(it->label = strdup(label)))
                                return -ENOMEM;
                } else if (streq_ptr(domain, "Country-Tag") && us_item_add_tags(it, text) < 0)
                        return -ENOMEM;
        }
        if (us_child_text(item, "title", 512, &it->title) < 0 ||
            us_child_text(item, "link", 2048, &it->link) < 0 ||
            us_child_text(item, "pubDate", 64, &it->pubdate) < 0)
                return -ENOMEM;
        if (!it->title && !(it->title = strdup("")))
                return -ENOMEM;
        if (!it->level) {
                const char *label = NULL;
                it->level = us_level_from_text(it->title, &label);
                if (it->level && !(it->label = strdup(label)))
                        return -ENOMEM;
        }
        return 0;
}

/* "Kazakhstan - Level 1: …" → Kazakhstan; "Iran Travel Advisory" → Iran. */
static const Country *us_title_country(const char *title) {
        const char *dash = strstr(title, " - ");
        _cleanup_free_ char *name = strndup(title, dash ? (size_t) (dash - title) : strlen(title));

        if (!name)
                return NULL;
        if (!dash && endswith(name, " Travel Advisory"))
                name[strlen(name) - strlen(" Travel Advisory")] = '\0';
        return country_by_name(name);
}

/* Countries named by an item: its FIPS tags, else (no tag, or none we know) the title's name. */
static size_t us_item_countries(const UsItem *it, const Country **ret, size_t max) {
        size_t n = 0;

        for (size_t i = 0; i < it->n_tags && n < max; i++) {
                const Country *c = country_by_fips(it->tags[i]);
                bool dup = false;
                for (size_t j = 0; c && j < n; j++)
                        dup = dup || ret[j] == c;
                if (c && !dup)
                        ret[n++] = c;
        }
        if (n == 0 && max > 0 && (ret[0] = us_title_country(it->title)))
                n = 1;
        return n;
}

typedef struct UsPick {
        const Country *country;
        const UsItem *item;
        bool alone;    /* the item names this country only */
        bool conflict; /* two equally specific items disagree */
} UsPick;

static void us_pick(UsPick *picks, size_t *n, const Country *c, const UsItem *it, bool alone) {
        for (size_t i = 0; i < *n; i++) {
                UsPick *p = &picks[i];
                if (p->country != c)
                        continue;
                if (alone && !p->alone)
                        *p = (UsPick) { .country = c, .item = it, .alone = true };
                else if (alone == p->alone && it->level != p->item->level)
                        p->conflict = true;
                return;
        }
        picks[(*n)++] = (UsPick) { .country = c, .item = it, .alone = alone };
}

static int us_add_record(AdvisoryList *out, const UsPick *p) {
        char updated[ISO8601_MAX];
        const UsItem *it = p->item;
        bool have_date = it->pubdate && rfc822_to_iso8601(it->pubdate, updated) >= 0;

        return advisory_list_add(out, p->country->alpha2, it->level, LEVEL_NONE, it->label,
                                 have_date ? updated : NULL, isempty(it->link) ? NULL : it->link);
}

static int us_refuse(const ExtractInput *in, ExtractError *err, const char *why) {
        const char *challenge = challenge_detect(in->data, in->size);
        if (challenge)
                return extract_fail(err, FAILURE_BLOCKED, "%s instead of the RSS feed", challenge);
        return extract_fail(err, FAILURE_INVALID_DOCUMENT, "%s", why);
}

int source_us_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_advisory_list_ AdvisoryList records = {};
        UsItem *items = NULL;
        UsPick *picks = NULL;
        size_t n_items = 0, n_picks = 0, n_levelled = 0;
        xmlNodePtr root, channel;
        int r;

        if (in->size == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        if (xml_parse(in->data, in->size, in->url, &doc) < 0)
                return us_refuse(in, err, "not well-formed XML (truncated or not a feed)");
        root = xmlDocGetRootElement(doc);
        channel = xml_child(root, "channel");
        if (!xml_is(root, "rss") || !channel)
                return us_refuse(in, err, "not an RSS 2.0 feed (no <rss><channel>)");

        for (xmlNodePtr c = channel->children; c; c = c->next)
                n_items += xml_is(c, "item");
        items = calloc(MAX(n_items, (size_t) 1), sizeof(UsItem));
        picks = calloc(MAX(n_items, (size_t) 1) * US_TAGS_MAX, sizeof(UsPick));
        if (!items || !picks) {
                r = -ENOMEM;
                goto finish;
        }
        n_items = 0;
        for (xmlNodePtr c = channel->children; c; c = c->next) {
                const Country *countries[US_TAGS_MAX];
                size_t n;

                if (!xml_is(c, "item"))
                        continue;
                UsItem *it = &items[n_items++];
                if ((r = us_item_read(c, it)) < 0)
                        goto finish;
                if (!it->level)
                        continue; /* "Worldwide Caution" and other notices without a level */
                n_levelled++;
                n = us_item_countries(it, countries, ELEMENTSOF(countries));
                for (size_t i = 0; i < n; i++)
                        us_pick(picks, &n_picks, countries[i], it, n == 1);
        }
        for (size_t i = 0; i < n_picks; i++)
                if (!picks[i].conflict && (r = us_add_record(&records, &picks[i])) < 0)
                        goto finish;
        if (records.n == 0) {
                if (n_items == 0)
                        r = extract_fail(err, FAILURE_EXTRACTION_EMPTY, "feed has no items");
                else if (n_levelled == 0)
                        r = extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                         "feed has %zu items but none with a level", n_items);
                else
                        r = extract_fail(err, FAILURE_EXTRACTION_EMPTY,
                                         "no item names a known country unambiguously");
                goto finish;
        }
        advisory_list_sort(&records);
        r = (int) records.n;
        *out = records;
        records = (AdvisoryList) {};
finish:
        if (r == -ENOMEM)
                (void) extract_fail(err, FAILURE_OTHER, "out of memory");
        for (size_t i = 0; i < n_items; i++)
                us_item_done(&items[i]);
        free(items);
        free(picks);
        return r;
}
