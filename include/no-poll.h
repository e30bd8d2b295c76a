/* no-poll.h: how the Norwegian source (regjeringen.no) is polled: the A–Å index of country pages,
 * the RSS feed of recently changed pages, and a slow sweep of every page (source-no-poll.c). The
 * parsers of the index and of the feed are pure (bytes → page references) and tested on their own;
 * source_no_start() is the source's driver (SourceType.start). Reading one country page is
 * source_no_extract()'s business (source-no.c). */
#pragma once

#include <stddef.h>
#include <time.h>

#include "advisory.h"

typedef struct Poll Poll;

/* The A–Å index of the country pages, and the feed of recently changed ones, as published. */
#define NO_INDEX_URL "https://www.regjeringen.no/no/tema/utenrikssaker/reiseinformasjon/velg-land/id2414273/"
#define NO_RSS_PATH "/no/aktuelt/rss/id2581966/?documenttype=reiseinformasjon&ownerid=833"

#define NO_ID_MAX 16       /* "2415875": regjeringen.no page ids have 7 digits (2026) */
#define NO_PAGES_MAX 1000  /* UD has ~180 country pages; an index listing more is not the index */

/* One country page: its numeric page id (the stable key: slugs are renamed), its URL, and for
 * entries of the feed the time of the change (0 when the feed gave none). */
typedef struct NoPageRef {
        char id[NO_ID_MAX];
        char *url;
        time_t updated;
} NoPageRef;

void no_page_refs_free(NoPageRef *refs, size_t n);

/* The id of a country page's URL ("…/velg-land/<slug>/id2415875/", with or without the final
 * '/', a query or a fragment), written to ret. -EINVAL when the URL is no country page's (the
 * index itself, other regjeringen.no pages, another scheme). */
int no_page_id(const char *url, char ret[static NO_ID_MAX]);

/* The URL every page is fetched from: origin's scheme, host and port, and url's path, without
 * query or fragment (the feed's links carry utm_* parameters). origin is the index's URL, so that
 * a mirror or a test server serves the pages too. NULL on OOM or when either is not an http(s)
 * URL. */
char *no_page_url(const char *origin, const char *url);

/* The feed's address on the index's host: "<scheme>://<host>[:port]" NO_RSS_PATH. NULL on OOM or
 * when index_url is not an http(s) URL. */
char *no_rss_url(const char *index_url);

/* The country pages linked from the index page (HTML), on the index's host (see no_page_url()),
 * each id once, in document order. Refuses (err filled, negative errno) a challenge or block page
 * (FAILURE_BLOCKED), and a document that links no country page or more than NO_PAGES_MAX
 * (FAILURE_INVALID_DOCUMENT). */
int no_index_parse(const char *data, size_t size, const char *index_url, NoPageRef **ret,
                   size_t *ret_n, ExtractError *err);

/* The country pages of the RSS feed of changed pages: id from <guid> (else from the link), URL
 * from <link> on the index's host, updated from <atom:updated> (else <pubDate>). Items that are
 * not country pages are skipped. Refuses (err filled, negative errno) a challenge page
 * (FAILURE_BLOCKED) and anything that is not an RSS 2.0 feed (FAILURE_INVALID_DOCUMENT). */
int no_rss_parse(const char *data, size_t size, const char *index_url, NoPageRef **ret,
                 size_t *ret_n, ExtractError *err);

/* The driver of the `no` source (SourceType.start); see source-no-poll.c. */
int source_no_start(Poll *p);
