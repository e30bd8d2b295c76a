/* source-no-poll.c: how the Norwegian source is polled. regjeringen.no publishes one page per
 * country (…/reiseinformasjon/velg-land/<slug>/id<N>/), an A–Å index linking them, and an RSS
 * feed of the pages changed lately, which carries no level: a change signal only. Reading a page
 * is source-no.c's business; this file decides which pages a poll fetches, and remembers, per
 * source (store_set_value), what it needs for the next poll:
 *
 *   pages       {"<id>": "<url>", …}: the country pages known, from the index and the feed. The
 *               numeric page id is the key: UD renames slugs (and the old address redirects).
 *   refreshed   Unix time the index was last read
 *   last_sweep  Unix time at which the last poll that fetched every page started
 *   rss_seen    {"<id>": <Unix time of the feed entry for that page last processed>}
 *   retry       {"<id>": "<url>"}: pages whose last fetch failed, fetched again at the next poll
 *   gone        {"<id>": <sweeps at which the page answered 404 or 410>}
 *
 * A poll: (1) no page known yet: the index only, then every page. (2) Otherwise the feed (a
 * conditional GET); when it is read (or unchanged), the pages it lists with a newer time than
 * the one processed last, the pages to retry, and the index when it is older than the sweep
 * interval (new ids are fetched at once; a renamed slug takes its new address). (3) Every page,
 * once per sweep_interval, whatever the feed says: it misses changes now and then. The sweep is
 * queued at the start, so that it runs on its own schedule even while the feed fails; apart from
 * it, an index or feed that fails (a Cloudflare challenge served with HTTP 200, an error page)
 * fails the poll and nothing else is fetched. Requests are paced: at most
 * max_connections_per_host at a time, request_delay apart; pages are conditional GETs.
 *
 * Every page is fetched from the host of the configured index URL (the feed's links point at
 * www.regjeringen.no and carry utm_* parameters), so that a mirror or a test server serves all of
 * it; the feed from rss_url, else from the same host. A page that answers 404 or 410 at two sweeps is dropped from the list; one poll in which
 * more than a tenth of the pages are gone changed nothing but the site: it fails instead. */
#include "no-poll.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/uri.h>
#include <strings.h>

#include "challenge.h"
#include "log.h"
#include "poll.h"
#include "source.h"
#include "store.h"
#include "timeutil.h"
#include "xml.h"

#define NO_KEY_PAGES "pages"
#define NO_KEY_REFRESHED "refreshed"
#define NO_KEY_LAST_SWEEP "last_sweep"
#define NO_KEY_RSS_SEEN "rss_seen"
#define NO_KEY_RETRY "retry"
#define NO_KEY_GONE "gone"

#define NO_GONE_SWEEPS 2 /* a page gone at this many sweeps is dropped */
#define NO_GONE_SHARE 10 /* more than 1 in NO_GONE_SHARE pages gone at once: the site changed */
#define NO_GONE_FEW 3    /* … unless they are this few */

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define VELG_LAND "/velg-land/"

void no_page_refs_free(NoPageRef *refs, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(refs[i].url);
        free(refs);
}

/* ---- URLs ---- */

/* The length of "http(s)://host[:port]" at the start of url; 0 when it is no http(s) URL. */
static size_t origin_length(const char *url) {
        const char *host;
        size_t l;

        if (!url)
                return 0;
        if (!(host = startswith_no_case(url, "https://")) &&
            !(host = startswith_no_case(url, "http://")))
                return 0;
        l = strcspn(host, "/?#");
        return l > 0 ? (size_t) (host - url) + l : 0;
}

int no_page_id(const char *url, char ret[static NO_ID_MAX]) {
        size_t o = origin_length(url), len, digits;
        const char *path, *slug, *slug_end, *seg, *end;

        if (o == 0)
                return -EINVAL;
        path = url + o;
        len = strcspn(path, "?#");
        slug = memmem(path, len, VELG_LAND, strlen(VELG_LAND));
        if (!slug)
                return -EINVAL;
        slug += strlen(VELG_LAND);
        slug_end = memchr(slug, '/', (size_t) (path + len - slug));
        if (!slug_end || slug_end == slug)
                return -EINVAL;
        seg = slug_end + 1;
        if (path + len - seg < 3 || strncmp(seg, "id", 2) != 0)
                return -EINVAL;
        seg += 2;
        digits = 0;
        while (seg + digits < path + len && isdigit((unsigned char) seg[digits]))
                digits++;
        if (digits == 0 || digits >= NO_ID_MAX)
                return -EINVAL;
        /* the id ends the path, with or without a final '/' */
        end = seg + digits;
        if (end != path + len && !(*end == '/' && end + 1 == path + len))
                return -EINVAL;
        memcpy(ret, seg, digits);
        ret[digits] = '\0';
        return 0;
}

char *no_page_url(const char *origin, const char *url) {
        size_t o = origin_length(origin), u = origin_length(url);
        const char *path;

        if (o == 0 || u == 0)
                return NULL;
        path = url + u;
        return strprintf("%.*s%.*s", (int) o, origin, (int) strcspn(path, "?#"), path);
}

char *no_rss_url(const char *index_url) {
        size_t o = origin_length(index_url);
        return o > 0 ? strprintf("%.*s%s", (int) o, index_url, NO_RSS_PATH) : NULL;
}

/* ---- page references ---- */

typedef struct RefList {
        NoPageRef *items;
        size_t n;
} RefList;

static void ref_list_done(RefList *l) {
        no_page_refs_free(l->items, l->n);
        *l = (RefList) {};
}

static NoPageRef *ref_list_steal(RefList *l) {
        NoPageRef *items = TAKE_PTR(l->items);
        l->n = 0;
        return items;
}

static NoPageRef *ref_list_find(const RefList *l, const char *id) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].id, id))
                        return &l->items[i];
        return NULL;
}

/* Adds id → the page URL of link on the index's host. An id listed again keeps its first URL and
 * the latest time. -E2BIG beyond NO_PAGES_MAX. */
static int ref_list_add(RefList *l, const char *id, const char *index_url, const char *link,
                        time_t updated) {
        NoPageRef *items, *known = ref_list_find(l, id);
        char *url;

        if (known) {
                known->updated = MAX(known->updated, updated);
                return 0;
        }
        if (l->n >= NO_PAGES_MAX)
                return -E2BIG;
        if (!(url = no_page_url(index_url, link)))
                return -ENOMEM;
        if (!(items = realloc(l->items, (l->n + 1) * sizeof(NoPageRef)))) {
                free(url);
                return -ENOMEM;
        }
        l->items = items;
        l->items[l->n] = (NoPageRef) { .url = url, .updated = updated };
        snprintf(l->items[l->n++].id, NO_ID_MAX, "%s", id);
        return 0;
}

/* A document that is not what we asked for: a challenge or block page, or something else. */
static int no_poll_refuse(const char *data, size_t size, ExtractError *err, const char *what,
                          const char *why) {
        const char *challenge = challenge_detect(data, size);

        if (challenge)
                return extract_fail(err, FAILURE_BLOCKED, "%s instead of %s", challenge, what);
        return extract_fail(err, FAILURE_INVALID_DOCUMENT, "%s", why);
}

/* ---- the index ---- */

/* An href of the index, resolved against the index's URL, as a country page or not. */
static int index_add_link(RefList *l, const char *href, const char *index_url) {
        xmlChar *abs = xmlBuildURI((const xmlChar *) href, (const xmlChar *) index_url);
        char id[NO_ID_MAX];
        int r = 0;

        if (abs && no_page_id((const char *) abs, id) >= 0)
                r = ref_list_add(l, id, index_url, (const char *) abs, 0);
        xmlFree(abs);
        return r;
}

int no_index_parse(const char *data, size_t size, const char *index_url, NoPageRef **ret,
                   size_t *ret_n, ExtractError *err) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_strv_free_ char **hrefs = NULL;
        _cleanup_(ref_list_done) RefList l = {};
        int r;

        if (size == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        if (html_parse(data, size, index_url, &doc) < 0)
                return no_poll_refuse(data, size, err, "the index", "not an HTML document");
        if ((r = xml_xpath_strings(doc, "//a/@href", &hrefs)) < 0)
                return extract_fail(err, FAILURE_OTHER, "cannot read the links: %s", strerror(-r));
        STRV_FOREACH(h, hrefs)
                if ((r = index_add_link(&l, *h, index_url)) < 0) {
                        if (r == -E2BIG)
                                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                                    "links more than %d country pages: not the "
                                                    "index", NO_PAGES_MAX);
                        return extract_fail(err, FAILURE_OTHER, "%s", strerror(-r));
                }
        if (l.n == 0)
                return no_poll_refuse(data, size, err, "the index",
                                      "no links to country pages (…" VELG_LAND "<slug>/id<N>/): "
                                      "not the index of regjeringen.no's travel advice");
        *ret_n = l.n;
        *ret = ref_list_steal(&l);
        return 0;
}

/* ---- the feed ---- */

/* The first child element named name in namespace ns (NULL: in none). */
static xmlNodePtr child_ns(xmlNodePtr n, const char *name, const char *ns) {
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xml_is(c, name) &&
                    (ns ? c->ns && c->ns->href && streq((const char *) c->ns->href, ns) : !c->ns))
                        return c;
        return NULL;
}

/* The time of an item's change: atom:updated ("2026-08-03T09:20:23+02:00"), else pubDate
 * ("Mon, 03 Aug 2026 09:20:23 +0200"); 0 when there is neither. */
static time_t item_time(xmlNodePtr item) {
        _cleanup_free_ char *updated = xml_text(child_ns(item, "updated", ATOM_NS), 64);
        _cleanup_free_ char *pub = xml_text(child_ns(item, "pubDate", NULL), 64);
        char iso[ISO8601_MAX];
        time_t t;

        if (updated && parse_iso8601(updated, &t) >= 0)
                return t;
        if (pub && rfc822_to_iso8601(pub, iso) >= 0 && parse_iso8601(iso, &t) >= 0)
                return t;
        return 0;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char) *s))
                        return false;
        return true;
}

/* One <item>: a country page whose id the guid gives (and the link agrees with), or nothing. */
static int rss_add_item(RefList *l, xmlNodePtr item, const char *index_url) {
        _cleanup_free_ char *link = xml_text(child_ns(item, "link", NULL), 4096);
        _cleanup_free_ char *guid = xml_text(child_ns(item, "guid", NULL), 64);
        char id[NO_ID_MAX];

        if (!link || no_page_id(link, id) < 0)
                return 0; /* not a country page (or OOM: the item is missed, not misread) */
        if (guid && all_digits(guid) && !streq(guid, id)) {
                log_debug("no: feed item %s links page id%s, skipping", guid, id);
                return 0;
        }
        return ref_list_add(l, id, index_url, link, item_time(item));
}

int no_rss_parse(const char *data, size_t size, const char *index_url, NoPageRef **ret,
                 size_t *ret_n, ExtractError *err) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_(ref_list_done) RefList l = {};
        xmlNodePtr root, channel;
        int r;

        if (size == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        if (xml_parse(data, size, NULL, &doc) < 0)
                return no_poll_refuse(data, size, err, "the RSS feed",
                                      "not well-formed XML (truncated, or not the RSS feed)");
        root = xmlDocGetRootElement(doc);
        if (!xml_is(root, "rss") || !(channel = xml_child(root, "channel")))
                return no_poll_refuse(data, size, err, "the RSS feed",
                                      "not an RSS 2.0 feed (no <rss><channel>)");
        for (xmlNodePtr c = channel->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xml_is(c, "item") &&
                    (r = rss_add_item(&l, c, index_url)) < 0) {
                        if (r == -E2BIG)
                                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                                    "more than %d country pages in the feed",
                                                    NO_PAGES_MAX);
                        return extract_fail(err, FAILURE_OTHER, "%s", strerror(-r));
                }
        *ret_n = l.n;
        *ret = ref_list_steal(&l);
        return 0;
}

/* ---- the driver ---- */

typedef struct NoRequest {
        char id[NO_ID_MAX];
        time_t rss_time; /* the feed's time of the change this fetch is for; -1 if none */
        bool reported;   /* its document came (done was called) */
        bool ok;         /* recorded, or not modified */
} NoRequest;

typedef struct NoPoll {
        time_t started;
        char *index_url, *rss_url;
        json_t *pages, *seen, *retry, *gone; /* see the keys above */
        time_t refreshed, last_sweep;
        bool known;       /* pages were known when the poll started */
        bool sweep;       /* this poll fetches every page */
        bool refresh_due; /* the index is older than the sweep interval */
        bool index_read;  /* this poll read the index (or found it unchanged) */
        NoRequest **requests;
        size_t n_requests;
        unsigned refused; /* our poll_fail() calls: the rest of outcome.failed are fetches */
} NoPoll;

static void no_poll_free(void *state) {
        NoPoll *np = state;

        if (!np)
                return;
        free(np->index_url);
        free(np->rss_url);
        json_decref(np->pages);
        json_decref(np->seen);
        json_decref(np->retry);
        json_decref(np->gone);
        for (size_t i = 0; i < np->n_requests; i++)
                free(np->requests[i]);
        free(np->requests);
        free(np);
}

/* ---- memory ---- */

static int load_object(Store *s, const char *source, const char *key, json_t **ret) {
        _cleanup_free_ char *text = NULL;
        json_t *v = NULL;
        int r = store_get_value(s, source, key, &text);

        if (r < 0)
                return r;
        if (text)
                v = json_loads(text, 0, NULL);
        if (!json_is_object(v)) { /* missing, or damaged: start afresh */
                json_decref(v);
                v = json_object();
        }
        *ret = v;
        return v ? 0 : -ENOMEM;
}

static int load_time(Store *s, const char *source, const char *key, time_t *ret) {
        _cleanup_free_ char *text = NULL;
        int64_t v = 0;
        int r = store_get_value(s, source, key, &text);

        if (r < 0)
                return r;
        *ret = text && safe_atoi64(text, &v) >= 0 && v > 0 ? (time_t) v : 0;
        return 0;
}

/* Whether at least interval passed since t (never, or a clock set back, count as due). */
static bool due(time_t t, time_t now, usec_t interval) {
        return t <= 0 || t > now || (usec_t) (now - t) * USEC_PER_SEC >= interval;
}

static int no_poll_load(Poll *p, NoPoll *np) {
        const SourceConfig *sc = poll_source(p);
        Store *s = poll_store(p);
        int r;

        if ((r = load_object(s, sc->id, NO_KEY_PAGES, &np->pages)) < 0 ||
            (r = load_object(s, sc->id, NO_KEY_RSS_SEEN, &np->seen)) < 0 ||
            (r = load_object(s, sc->id, NO_KEY_RETRY, &np->retry)) < 0 ||
            (r = load_object(s, sc->id, NO_KEY_GONE, &np->gone)) < 0 ||
            (r = load_time(s, sc->id, NO_KEY_REFRESHED, &np->refreshed)) < 0 ||
            (r = load_time(s, sc->id, NO_KEY_LAST_SWEEP, &np->last_sweep)) < 0)
                return r;
        np->known = json_object_size(np->pages) > 0;
        /* forced: the mass-change guard held pages back, which must be read again */
        np->sweep = np->known &&
                    (poll_sweep_forced(p) || due(np->last_sweep, np->started, sc->sweep_interval));
        np->refresh_due = !np->known || due(np->refreshed, np->started, sc->sweep_interval);
        return 0;
}

static void save_object(Poll *p, const char *key, json_t *v) {
        _cleanup_free_ char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        int r = text ? store_set_value(poll_store(p), poll_source(p)->id, key, text) : -ENOMEM;

        if (r < 0)
                log_debug_errno(r, "%s: cannot remember '%s': %m, ignoring", poll_source(p)->id,
                                key);
}

static void save_time(Poll *p, const char *key, time_t t) {
        char buf[32];
        int r;

        snprintf(buf, sizeof(buf), "%lld", (long long) t);
        r = store_set_value(poll_store(p), poll_source(p)->id, key, buf);
        if (r < 0)
                log_debug_errno(r, "%s: cannot remember '%s': %m, ignoring", poll_source(p)->id,
                                key);
}

/* The feed's time last processed for a page; -1 when none. */
static json_int_t seen_time(const NoPoll *np, const char *id) {
        json_t *v = json_object_get(np->seen, id);
        return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* t 0: the feed gave no time; the entry still counts as processed. */
static void seen_update(NoPoll *np, const char *id, time_t t) {
        if (t >= 0 && t > seen_time(np, id))
                (void) json_object_set_new(np->seen, id, json_integer(t));
}

/* ---- pages ---- */

static NoRequest *request_find(const NoPoll *np, const char *id) {
        for (size_t i = 0; i < np->n_requests; i++)
                if (streq(np->requests[i]->id, id))
                        return np->requests[i];
        return NULL;
}

static void page_done(NoPoll *np, NoRequest *rq) {
        rq->ok = true;
        seen_update(np, rq->id, rq->rss_time);
        (void) json_object_del(np->retry, rq->id);
        (void) json_object_del(np->gone, rq->id);
}

static int on_no_page(Poll *p, const char *url, FetchResult *result, void *userdata) {
        NoPoll *np = poll_driver_state(p);
        NoRequest *rq = userdata;
        int r;

        rq->reported = true;
        if (!result->not_modified) {
                unsigned failed = poll_outcome(p)->failed;

                r = poll_extract_and_record(p, url, result);
                /* refused (it gave the reason), or held back by the mass-change guard */
                np->refused += poll_outcome(p)->failed - failed;
                if (r < 0)
                        return r;
        }
        page_done(np, rq);
        return 0;
}

/* Fetches a page once per poll, from the index's host (the list may hold another's, when the
 * configured url changed since). A page queued already takes the feed's time for when it is done
 * (or now, when it is done already). */
static int queue_page(Poll *p, NoPoll *np, const char *id, const char *url, time_t rss_time) {
        NoRequest *rq = request_find(np, id), **requests;
        _cleanup_free_ char *fetch_url = NULL;
        int r;

        if (rq) {
                if (rq->ok)
                        seen_update(np, id, rss_time);
                else if (!rq->reported)
                        rq->rss_time = MAX(rq->rss_time, rss_time);
                return 0;
        }
        if (!(requests = realloc(np->requests, (np->n_requests + 1) * sizeof(NoRequest *))))
                return -ENOMEM;
        np->requests = requests;
        if (origin_length(url) == 0) {
                log_debug("%s: page id%s has no usable address '%s', skipping",
                          poll_source(p)->id, id, strna(url));
                return 0;
        }
        if (!(fetch_url = no_page_url(np->index_url, url)))
                return -ENOMEM;
        if (!(rq = calloc(1, sizeof(NoRequest))))
                return -ENOMEM;
        snprintf(rq->id, sizeof(rq->id), "%s", id);
        rq->rss_time = rss_time;
        r = poll_fetch_with(p, fetch_url, POLL_FETCH_CONDITIONAL | POLL_FETCH_MAY_BE_ABSENT,
                            on_no_page, rq);
        if (r < 0) {
                free(rq);
                return r;
        }
        np->requests[np->n_requests++] = rq;
        return 0;
}

/* Every page of an object {id: url} (the list, or the pages to retry). */
static int queue_pages(Poll *p, NoPoll *np, json_t *pages) {
        const char *id;
        json_t *v;
        int r;

        json_object_foreach(pages, id, v)
                if (json_is_string(v) && (r = queue_page(p, np, id, json_string_value(v), -1)) < 0)
                        return r;
        return 0;
}

/* A failure of ours while the poll could go on: noted, and the poll stands on what it fetched. */
static int no_fail_queue(Poll *p, NoPoll *np, const char *url, int r) {
        np->refused++;
        poll_fail(p, url, FAILURE_OTHER, "cannot queue the country pages: %s", strerror(-r));
        return r;
}

/* ---- the index and the feed ---- */

static int on_no_rss(Poll *p, const char *url, FetchResult *result, void *userdata);

/* A new id or a renamed slug: the list follows the index. New pages are fetched at once. */
static int merge_index(Poll *p, NoPoll *np, const NoPageRef *refs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                json_t *cur = json_object_get(np->pages, refs[i].id);
                int r;

                if (cur && streq(json_string_value(cur) ?: "", refs[i].url))
                        continue;
                if (json_object_set_new(np->pages, refs[i].id, json_string(refs[i].url)) < 0)
                        return -ENOMEM;
                if (!cur && np->known && (r = queue_page(p, np, refs[i].id, refs[i].url, -1)) < 0)
                        return r;
        }
        return 0;
}

static int on_no_index(Poll *p, const char *url, FetchResult *result, void *userdata) {
        NoPoll *np = poll_driver_state(p);
        NoPageRef *refs = NULL;
        ExtractError err = {};
        size_t n = 0;
        int r;

        if (result->not_modified) {
                np->index_read = true; /* the list is current */
                return 0;
        }
        r = no_index_parse(result->data, result->size, np->index_url, &refs, &n, &err);
        if (r < 0) {
                np->refused++;
                poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s", err.message);
                return r;
        }
        np->index_read = true;
        r = merge_index(p, np, refs, n);
        no_page_refs_free(refs, n);
        log_debug("%s: the index links %zu country pages.", poll_source(p)->id, n);
        if (r >= 0 && !np->known) {
                /* the first list: the feed, then every page (the baseline) */
                np->sweep = true;
                r = poll_fetch_with(p, np->rss_url, POLL_FETCH_CONDITIONAL, on_no_rss, NULL);
                if (r >= 0)
                        r = queue_pages(p, np, np->pages);
        }
        return r < 0 ? no_fail_queue(p, np, url, r) : 0;
}

/* The pages the feed lists as changed since we last processed them; new ids join the list. */
static int queue_changed(Poll *p, NoPoll *np, const NoPageRef *refs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *id = refs[i].id, *url;
                json_t *cur = json_object_get(np->pages, id);
                int r;

                if (!cur && json_object_set_new(np->pages, id, cur = json_string(refs[i].url)) < 0)
                        return -ENOMEM;
                url = json_string_value(cur);
                if ((request_find(np, id) || refs[i].updated > seen_time(np, id)) &&
                    (r = queue_page(p, np, id, url, refs[i].updated)) < 0)
                        return r;
        }
        return 0;
}

static int on_no_rss(Poll *p, const char *url, FetchResult *result, void *userdata) {
        NoPoll *np = poll_driver_state(p);
        NoPageRef *refs = NULL;
        ExtractError err = {};
        size_t n = 0;
        int r = 0;

        if (!result->not_modified) {
                r = no_rss_parse(result->data, result->size, np->index_url, &refs, &n, &err);
                if (r < 0) {
                        np->refused++;
                        poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s",
                                  err.message);
                        return r;
                }
                r = queue_changed(p, np, refs, n);
                no_page_refs_free(refs, n);
                log_debug("%s: the feed lists %zu country pages.", poll_source(p)->id, n);
        }
        if (r >= 0)
                r = queue_pages(p, np, np->retry);
        if (r >= 0 && np->known && np->refresh_due)
                r = poll_fetch_with(p, np->index_url, POLL_FETCH_CONDITIONAL, on_no_index, NULL);
        /* < 0: the feed's validators are not stored, so that the next poll reads it again */
        return r < 0 ? no_fail_queue(p, np, url, r) : 0;
}

/* ---- the end of a poll ---- */

/* Pages that were asked for and never came: gone (404/410), when the poll had no other failure
 * of a fetch to blame; else fetched again next poll. Dropped after NO_GONE_SWEEPS sweeps. */
static void account_missing(Poll *p, NoPoll *np) {
        const PollOutcome *o = poll_outcome(p);
        bool fetches_failed = o->failed > np->refused;
        size_t missing = 0, total = json_object_size(np->pages);

        for (size_t i = 0; i < np->n_requests; i++)
                missing += !np->requests[i]->reported;
        if (!fetches_failed && np->sweep && missing > NO_GONE_FEW &&
            missing * NO_GONE_SHARE > total) {
                poll_fail(p, NULL, FAILURE_HTTP_4XX,
                          "%zu of %zu country pages answered 404/410: the site changed, not the "
                          "pages; keeping them", missing, total);
                fetches_failed = true;
        }
        for (size_t i = 0; i < np->n_requests; i++) {
                NoRequest *rq = np->requests[i];
                json_t *url = json_object_get(np->pages, rq->id);
                json_int_t n;

                if (rq->ok)
                        continue;
                if (rq->reported || fetches_failed) {
                        if (url)
                                (void) json_object_set(np->retry, rq->id, url);
                        continue;
                }
                (void) json_object_del(np->retry, rq->id);
                if (!np->sweep)
                        continue;
                n = json_integer_value(json_object_get(np->gone, rq->id)) + 1;
                if (n < NO_GONE_SWEEPS) {
                        (void) json_object_set_new(np->gone, rq->id, json_integer(n));
                        continue;
                }
                log_info("%s: country page %s is gone (HTTP 404/410 at %d sweeps), dropping it "
                         "from the list.", poll_source(p)->id, json_string_value(url) ?: rq->id,
                         NO_GONE_SWEEPS);
                (void) json_object_del(np->pages, rq->id);
                (void) json_object_del(np->gone, rq->id);
        }
}

/* Forget what belongs to pages no longer in the list. */
static void prune(json_t *obj, json_t *pages) {
        const char *id;
        json_t *v;
        void *tmp;

        json_object_foreach_safe(obj, tmp, id, v)
                if (!json_object_get(pages, id))
                        (void) json_object_del(obj, id);
}

static void on_no_poll_finish(Poll *p, void *state) {
        NoPoll *np = state;

        if (json_object_size(np->pages) == 0)
                return; /* no index read yet: nothing to remember */
        account_missing(p, np);
        prune(np->seen, np->pages);
        prune(np->retry, np->pages);
        prune(np->gone, np->pages);
        save_object(p, NO_KEY_PAGES, np->pages);
        save_object(p, NO_KEY_RSS_SEEN, np->seen);
        save_object(p, NO_KEY_RETRY, np->retry);
        save_object(p, NO_KEY_GONE, np->gone);
        if (np->index_read)
                save_time(p, NO_KEY_REFRESHED, np->started);
        if (np->sweep)
                save_time(p, NO_KEY_LAST_SWEEP, np->started);
        if (json_object_size(np->retry) > 0)
                log_debug("%s: %zu country pages to fetch again next poll.", poll_source(p)->id,
                          json_object_size(np->retry));
}

int source_no_start(Poll *p) {
        const SourceConfig *sc = poll_source(p);
        NoPoll *np = calloc(1, sizeof(NoPoll));
        int r;

        if (!np)
                return -ENOMEM;
        poll_set_driver(p, np, on_no_poll_finish, no_poll_free);
        np->started = time(NULL);
        np->index_url = strdup(poll_url(p));
        np->rss_url = sc->rss_url ? strdup(sc->rss_url) : no_rss_url(np->index_url);
        if (!np->index_url || !np->rss_url)
                return -ENOMEM;
        if ((r = no_poll_load(p, np)) < 0)
                return r;
        poll_set_pacing(p, poll_config(p)->daemon.max_connections_per_host, sc->request_delay);
        if (!np->known) /* unconditional: the list is needed whether the index changed or not */
                return poll_fetch_with(p, np->index_url, 0, on_no_index, NULL);
        r = poll_fetch_with(p, np->rss_url, POLL_FETCH_CONDITIONAL, on_no_rss, NULL);
        if (r >= 0 && np->sweep)
                r = queue_pages(p, np, np->pages);
        log_debug("%s: %zu country pages known%s.", sc->id, json_object_size(np->pages),
                  np->sweep ? "; sweeping them all" : "");
        return r;
}
