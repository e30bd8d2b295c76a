/* source-uk.h: the parts of the FCDO source (GOV.UK Content API) beyond its extractor: the index
 * of country documents, which the driver reads to fetch only the countries that changed, the
 * FCDO's country slugs, and the driver. The extractor itself, source_uk_extract(), is declared in
 * source.h. */
#pragma once

#include <stddef.h>

#include "advisory.h"

#define UK_INDEX_URL "https://www.gov.uk/api/content/foreign-travel-advice"
#define UK_CONTENT_API "https://www.gov.uk/api/content" /* + base_path: one country document */
#define UK_WEB "https://www.gov.uk"                     /* + base_path: the page for people */

/* The index lists ~225 countries; far fewer means we were not given the real index. */
#define UK_INDEX_MIN_COUNTRIES 100

typedef struct UkIndexEntry {
        char *slug;              /* "nepal" */
        char *base_path;         /* "/foreign-travel-advice/nepal" */
        char *public_updated_at; /* verbatim from the index, or NULL when absent (fetch it) */
} UkIndexEntry;

/* Reads the index document (`links.children[]`, each with `base_path` and `public_updated_at`).
 * On success returns 0 and hands out the entries sorted by slug, one per slug (the first one
 * listed wins). Children whose base_path is not /foreign-travel-advice/<slug> are skipped. On
 * failure (not the index, fewer than UK_INDEX_MIN_COUNTRIES entries, see json_util_load() for
 * the rest) returns a negative errno with err filled, and ret, ret_n are untouched. */
int source_uk_index_parse(const char *data, size_t size, UkIndexEntry **ret, size_t *ret_n,
                          ExtractError *err);
UkIndexEntry *source_uk_index_free(UkIndexEntry *entries, size_t n);

/* An FCDO slug, current or former ("czechia", "czech-republic"), and the ISO codes it covers:
 * one, or several for a combined page ("cook-islands-tokelau-and-niue" → "CK NU TK"). */
typedef struct UkSlug {
        const char *slug;
        const char *countries; /* alpha-2 codes separated by single spaces */
} UkSlug;

/* The slug table, sorted by slug. */
const UkSlug *source_uk_slugs(size_t *ret_n);

#define UK_SLUG_COUNTRIES_MAX 4
/* Writes the alpha-2 codes (NUL-terminated) of a slug to ret; returns how many (0: unknown). */
size_t source_uk_slug_countries(const char *slug, char ret[static UK_SLUG_COUNTRIES_MAX][3]);

typedef struct Poll Poll;
/* The driver (SourceType.start, see the end of source-uk.c): the index, then the countries whose
 * public_updated_at changed since they were last recorded, plus a sweep every sweep_interval. */
int source_uk_start(Poll *p);
