/* poll.h: one poll of one source. A poll issues fetches (conditional GETs with the validators
 * stored for each URL), records documents (extract → diff → one transaction), and ends when its
 * last fetch is done; then the source's health is updated once, from the poll's outcome.
 *
 * A source's driver decides which documents a poll fetches. The default driver fetches the
 * source's one document and records every country in it. */
#pragma once

#include <stdbool.h>

#include "advisory.h"
#include "config.h"
#include "fetch.h"
#include "source.h"
#include "store.h"

typedef struct Poll Poll;
typedef struct PollEnv PollEnv;

/* What the manager lends a poll. */
struct PollEnv {
        sd_event *event;
        CurlGlue *glue;
        Store *store;
        const Config *config;
        /* called after every committed document with changes and once at the end of the poll */
        void (*on_recorded)(void *userdata);
        void (*on_finished)(Poll *p, void *userdata);
        void *userdata;
};

typedef struct PollOutcome {
        unsigned requested;    /* requests queued */
        unsigned fetched;      /* documents received (2xx) */
        unsigned not_modified; /* 304s */
        unsigned recorded;     /* documents recorded */
        unsigned failed;       /* fetches or documents that failed */
        unsigned held;         /* documents held back by the mass-change guard */
        bool health_recorded;  /* a document's transaction recorded the source's success */
        unsigned absent;       /* pages that do not exist (404/410 with POLL_FETCH_MAY_BE_ABSENT) */
        size_t countries; /* records in the recorded documents */
        size_t changes, baseline;
        FailureClass failure; /* the first failure */
        /* the first failure's reason; when a poll made several requests, "3 of 249 pages
         * failed; first: <url>: <reason>" once the poll is finished */
        char error[300];
        time_t retry_after;
} PollOutcome;

/* Called with a finished fetch. Return >= 0 when the document was handled (its validators are
 * then stored, so that an unchanged document is not fetched again), < 0 when it was refused
 * (the reason must have been given to poll_fail()). result->data may be stolen. */
typedef int (*PollFetchFn)(Poll *p, const char *url, FetchResult *result, void *userdata);

int poll_new(Poll **ret, const PollEnv *env, const SourceConfig *sc, const SourceType *type);
Poll *poll_free(Poll *p);
/* Starts the poll through its driver. The poll reports through env->on_finished. */
int poll_start(Poll *p);
void poll_cancel(Poll *p);

/* Queues a GET (conditional: with the validators stored for url; a handled document's validators
 * are stored either way). Requests start in order, at most `concurrency` at a time, with `delay`
 * between two starts (see poll_set_pacing). */
int poll_fetch(Poll *p, const char *url, bool conditional, PollFetchFn done, void *userdata);
typedef enum PollFetchFlags {
        POLL_FETCH_CONDITIONAL = 1 << 0,   /* send the validators stored for the URL */
        POLL_FETCH_MAY_BE_ABSENT = 1 << 1, /* 404/410: counted in outcome.absent, not a failure,
                                            * and done is not called */
} PollFetchFlags;
/* poll_fetch() with flags. */
int poll_fetch_with(Poll *p, const char *url, PollFetchFlags flags, PollFetchFn done,
                    void *userdata);
/* Politeness for sources with many pages: 0 concurrency means no limit of the poll's own. */
void poll_set_pacing(Poll *p, unsigned concurrency, usec_t delay);
/* Records one document's records (takes them). Returns changes count, -EAGAIN when the
 * mass-change guard held the document back (see guard.h), or another negative errno (the failure
 * is recorded in the outcome). For a source read page by page (SOURCE_PLAN_PAGES), a page with
 * changes is kept until the poll ends and the guard judges all of them together; such a page
 * returns 0 and counts in the outcome only once recorded. */
int poll_record(Poll *p, const char *url, AdvisoryList *records);
/* Runs the source's extractor over a fetched document and records the result. */
int poll_extract_and_record(Poll *p, const char *url, const FetchResult *result);
/* A fetch or document failed: noted in the outcome (the first failure is kept). url NULL: the
 * poll as a whole failed, not one of its documents. */
void poll_fail(Poll *p, const char *url, FailureClass failure, const char *fmt, ...) _printf_(4, 5);

/* A driver's state for one poll (see SourceType.start). finish, when not NULL, runs once after the
 * last request of the poll was reported and before the outcome is: the place to remember what
 * the poll did (it may still call poll_fail()). It does not run when the poll is cancelled.
 * free_state runs when the poll is freed. */
typedef void (*PollFinishFn)(Poll *p, void *state);
/* The mass-change guard held back pages of the last poll: this poll must read every page (a
 * driver treats it as a due sweep). Cleared once read. */
bool poll_sweep_forced(Poll *p);
void poll_set_driver(Poll *p, void *state, PollFinishFn finish, void (*free_state)(void *state));
void *poll_driver_state(const Poll *p);

const PollOutcome *poll_outcome(const Poll *p);
const SourceConfig *poll_source(const Poll *p);
const SourceType *poll_type(const Poll *p);
Store *poll_store(const Poll *p);
const Config *poll_config(const Poll *p);
const char *poll_url(const Poll *p); /* the configured url, else the built-in one */
