/* source.h: the publishers advisoryd knows. Each built-in source has an id, the government's
 * name, its default address and a pure extractor (bytes + URL → records). How a source is polled
 * (one document, or an index and pages) is described by its SourcePlan. */
#pragma once

#include <stddef.h>

#include "advisory.h"
#include "config.h"

typedef struct ExtractInput {
        const char *data; /* the document; always followed by a NUL not counted in size */
        size_t size;
        const char *url; /* where it came from (or --url for advisoryctl extract); may be NULL */
        const SourceConfig *config; /* the source's configuration; NULL for built-ins in tests */
} ExtractInput;

/* Returns the number of records (> 0) on success. On failure returns a negative errno, adds no
 * records, and says why in err (class + one line). A document that is not what the source
 * publishes (challenge page, error page, "{}", truncated file) is always a failure. */
typedef int (*ExtractFn)(const ExtractInput *in, AdvisoryList *out, ExtractError *err);

typedef enum SourcePlan {
        SOURCE_PLAN_SINGLE, /* one document holds every country */
        SOURCE_PLAN_PAGES,  /* one document per country (discovered or from a template) */
} SourcePlan;

typedef struct Poll Poll;

typedef struct SourceType {
        const char *id;          /* "us" */
        const char *government;  /* "United States" */
        const char *default_url; /* NULL for user-defined sources */
        SourcePlan plan;
        ExtractFn extract;
        /* Starts a poll (see poll.h): which documents to fetch. NULL: fetch the one document at
         * the source's URL and record every country in it. */
        int (*start)(Poll *p);
} SourceType;

/* The built-in source with this id, or NULL. */
const SourceType *source_type_builtin(const char *id);
/* The type of a configured source: its built-in type, or the user-defined html/xml type. */
const SourceType *source_type_for(const SourceConfig *sc);
/* The government's name for a source id ("United States"), or the id itself. */
const char *source_government(const char *id);
/* Every built-in source, NULL-terminated. */
extern const SourceType *const source_types_builtin[];

/* Extractors (source-<id>.c) */
int source_us_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
int source_no_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
int source_uk_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
int source_ca_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
int source_de_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
int source_au_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
/* user-defined html/xml sources (source-user.c): in->config is the source's configuration and
 * in->url the page's address, which tells the country */
int source_user_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err);
