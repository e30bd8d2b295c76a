/* source-user.h: user-defined sources, "[source:ID] type = html|xml": one page per country at a
 * URL template ({country} lower-case alpha-2, {COUNTRY} upper-case), an XPath that selects the
 * advice on the page, and POSIX extended regexes (case-insensitive) tried from level 4 down to 1.
 *
 * The extractor is pure (bytes + URL + configuration → one record). The driver fetches the pages
 * of a poll; it compiles the XPath and the regexes once per poll (UserPattern) and hands them to
 * source_user_extract_page() for every page. source_user_extract() (in source.h) compiles them
 * per call, for advisoryctl extract. */
#pragma once

#include <stddef.h>

#include "advisory.h"
#include "config.h"

typedef struct Poll Poll;
typedef struct UserPattern UserPattern;

/* Compiles a user-defined source's xpath and level1…level4. -EINVAL (with err) when one does not
 * compile, which a validated configuration never gives. */
int source_user_pattern_new(const SourceConfig *sc, UserPattern **ret, ExtractError *err);
UserPattern *source_user_pattern_free(UserPattern *pattern);
static inline void source_user_pattern_freep(UserPattern **p) {
        source_user_pattern_free(*p);
}
#define _cleanup_user_pattern_ _cleanup_(source_user_pattern_freep)

/* Reads one country's page: parses it (HTML or XML, as the pattern says), takes the text of the
 * nodes the XPath selects, and gives the level of the first regex, from level 4 down, that matches
 * it. Adds one record for country (alpha-2, upper case): the level, the selected text as label,
 * url as the page, no date. A page whose XPath selects no text or whose text no regex matches is
 * FAILURE_EXTRACTION_EMPTY (a challenge page: FAILURE_BLOCKED), never a level. Returns 1 or a
 * negative errno with err filled; out is untouched on failure. */
int source_user_extract_page(const UserPattern *pattern, const char *data, size_t size,
                             const char *url, const char *country, AdvisoryList *out,
                             ExtractError *err);

/* A country's page: the template with {country} and {COUNTRY} replaced. NULL on OOM. */
char *source_user_page_url(const char *template, const char *alpha2);

/* Which country's page url is: matches it against the template, where each placeholder stands
 * for two letters (of either case) and all of them for the same code. Writes the upper-case
 * alpha-2 code of a known country to ret and returns 0; -EINVAL when url is not a page of the
 * template, -ENOENT when the letters name no country. */
int source_user_url_country(const char *template, const char *url, char ret[static 3]);

/* The countries a source reads: its `countries`, or for "*" every code of country_all() but IC
 * (see source-user.c). Hands out an array of borrowed alpha-2 codes. */
int source_user_countries(const SourceConfig *sc, const char ***ret, size_t *ret_n);

/* The driver (SourceType.start): one conditional GET per country, paced. */
int source_user_start(Poll *p);
