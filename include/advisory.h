/* advisory.h: the normalised record every extractor produces, the level scale, and the failure
 * classes shared by fetching and extraction. Pure value types; no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define LEVEL_MIN 1
#define LEVEL_MAX 4
#define LEVEL_NONE 0 /* regional_level: null */

/* Labels longer than this (bytes) are cut at a character boundary and end in "…". */
#define ADVISORY_LABEL_MAX 2048

typedef struct Advisory {
        char country[3];    /* ISO 3166-1 alpha-2, upper case ("XK" for Kosovo) */
        int level;          /* 1..4: what holds for the whole country */
        int regional_level; /* LEVEL_NONE, or 2..4 and > level: the strongest advice for a part */
        char *label;        /* the source's own wording, cleaned (see advisory_clean_text) */
        char *updated;      /* the source's "last updated", ISO 8601, or NULL */
        char *url;          /* the human-readable page, or NULL */
} Advisory;

typedef struct AdvisoryList {
        Advisory *items;
        size_t n, allocated;
} AdvisoryList;

/* Copies every string; cleans label with advisory_clean_text(). regional_level is dropped when
 * it is not above level. -EINVAL for a level outside 1..4 or a malformed country code. */
int advisory_list_add(AdvisoryList *l, const char *country, int level, int regional_level,
                      const char *label, const char *updated, const char *url);
Advisory *advisory_list_find(const AdvisoryList *l, const char *country);
void advisory_list_clear(AdvisoryList *l);
void advisory_list_sort(AdvisoryList *l);
static inline void advisory_list_clearp(AdvisoryList *l) {
        advisory_list_clear(l);
}
#define _cleanup_advisory_list_ _cleanup_(advisory_list_clearp)

/* Scraped text made safe to store, log and mail: invalid UTF-8 replaced by U+FFFD, control and
 * bidirectional formatting characters removed, white space folded to single spaces and trimmed,
 * cut to max bytes at a character boundary (with "…"). Returns a new string or NULL on OOM. */
char *advisory_clean_text(const char *s, size_t n, size_t max);

bool level_valid(int level);
/* "normal precautions", "increased caution", "reconsider travel", "do not travel" */
const char *level_meaning(int level);

typedef enum FailureClass {
        FAILURE_NONE,
        FAILURE_DNS,
        FAILURE_CONNECT,
        FAILURE_TLS,
        FAILURE_TIMEOUT,
        FAILURE_HTTP_4XX,
        FAILURE_HTTP_5XX,
        FAILURE_TOO_LARGE,
        FAILURE_BLOCKED,
        FAILURE_INVALID_DOCUMENT,
        FAILURE_EXTRACTION_EMPTY,
        FAILURE_STORE,
        FAILURE_OTHER,
        _FAILURE_MAX,
} FailureClass;

/* "dns", "connect", "tls", "timeout", "http-4xx", "http-5xx", "too-large", "blocked",
 * "invalid-document", "extraction-empty", "store", "other" */
const char *failure_class_to_string(FailureClass c);
FailureClass failure_class_from_string(const char *s);

/* Why a document was refused: a class and a one-line reason for people. */
typedef struct ExtractError {
        FailureClass failure;
        char message[256];
} ExtractError;

/* Records the reason in e (when e is not NULL) and returns -EBADMSG. */
int extract_fail(ExtractError *e, FailureClass failure, const char *fmt, ...) _printf_(3, 4);
