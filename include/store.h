/* store.h: the SQLite database. Schema with user_version migrations; every write the daemon makes
 * for one document (periods, changes, outbox rows, source health) is ONE transaction. SQL only
 * through prepared statements. Times are Unix seconds (UTC).
 *
 * History is kept as periods: one row per (source, country) and stretch of time with the same
 * level and regional level, with first_seen/last_seen and an observation count. A period that
 * follows another of the same (source, country) is a change; its row id is the change id. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "advisory.h"
#include "diff.h"

#define STORE_SCHEMA_VERSION 2

typedef struct Store Store;

typedef enum StoreMode {
        STORE_READ_WRITE, /* creates and migrates */
        STORE_READ_ONLY,  /* advisoryctl: never writes, works while the daemon runs */
} StoreMode;

int store_open(const char *path, StoreMode mode, Store **ret);
Store *store_free(Store *s);
static inline void store_freep(Store **s) {
        store_free(*s);
}
#define _cleanup_store_ _cleanup_(store_freep)
sqlite3 *store_db(Store *s);
/* The message of the last SQLite error on this connection. */
const char *store_error(Store *s);

/* A prepared statement, finalized by the cleanup attribute. */
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)
/* sqlite3_prepare_v2 that maps errors to -EIO (-ENOMEM). */
int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret);
/* Maps an SQLite result code to a negative errno (SQLITE_FULL → -ENOSPC, BUSY → -EBUSY, …). */
int store_errno(int sqlite_rc);

/* HTTP validators per URL (conditional GET). Missing values are NULL. */
int store_get_validators(Store *s, const char *url, char **ret_etag, char **ret_last_modified);
int store_set_validators(Store *s, const char *url, const char *etag, const char *last_modified);

/* The current period of every country of a source, sorted by country. */
int store_current_states(Store *s, const char *source, StoredState **ret, size_t *ret_n);
/* The current period of one country of a source: 1 (and *ret), or 0 when it has none. */
int store_current_state(Store *s, const char *source, const char *country, StoredState *ret);
/* SQLite's PRAGMA data_version: it changes when another connection (advisoryctl import) commits,
 * so that what this connection read before may be stale. */
int store_data_version(Store *s, int64_t *ret);

typedef struct Change {
        int64_t id;
        char *source;
        char country[3];
        int level, regional_level;                   /* regional: LEVEL_NONE for null */
        int previous_level, previous_regional_level; /* previous_level 0: none */
        char *label;
        char *updated;
        char *url;
        time_t observed_at;
} Change;
void change_done(Change *c);

typedef enum OutboxEvent {
        OUTBOX_CHANGE,
        OUTBOX_SOURCE_FAILING,
        OUTBOX_SOURCE_RECOVERED,
        _OUTBOX_EVENT_MAX,
} OutboxEvent;
const char *outbox_event_to_string(OutboxEvent e);
int outbox_event_from_string(const char *s);

/* Who is told: fills ret (NULL-terminated names of notifiers) for an event. For changes, c is the
 * change; for source events, c is NULL. */
typedef int (*StoreRouter)(void *userdata, OutboxEvent event, const char *source, const Change *c,
                           char ***ret);

typedef struct RecordStats {
        size_t baseline, unchanged, changed, queued;
} RecordStats;

/* Writes everything one document produced in ONE transaction: new and extended periods, the
 * changes, one outbox row per (change, routed notifier), and the source's success (which may
 * raise source-recovered). ret_changes (optional) receives the changes with their ids. */
int store_record_document(Store *s, const char *source, const Diff *diff, time_t now,
                          StoreRouter router, void *userdata, RecordStats *ret_stats,
                          Change **ret_changes, size_t *ret_n_changes);
/* The same for one page of a source read page by page (one country per document): everything
 * but the source's health, which is the whole poll's (store_record_unchanged() at its end), so
 * that a page failing on every poll is not hidden by the pages recorded beside it. */
int store_record_page(Store *s, const char *source, const Diff *diff, time_t now,
                      StoreRouter router, void *userdata, RecordStats *ret_stats,
                      Change **ret_changes, size_t *ret_n_changes);

/* A document or a fetch failed. Counts consecutive failures; at exactly `threshold` the source
 * becomes failing and source-failing rows are queued (returns 1). Returns 0 otherwise. */
int store_record_failure(Store *s, const char *source, FailureClass failure, const char *message,
                         time_t now, unsigned threshold, StoreRouter router, void *userdata);
/* A fetch succeeded without a new document (304): a success for health. Returns 1 when the
 * source recovered (source-recovered rows queued). */
int store_record_unchanged(Store *s, const char *source, time_t now, StoreRouter router,
                           void *userdata);
/* What a source's driver remembers between polls (page lists, the last sweep), by key. A
 * missing key gives 0 and *ret NULL; a NULL value deletes the key. */
int store_get_value(Store *s, const char *source, const char *key, char **ret);
int store_set_value(Store *s, const char *source, const char *key, const char *value);
/* When the source was last attempted and last succeeded (0: never). */
int store_source_times(Store *s, const char *source, time_t *ret_last_attempt,
                       time_t *ret_last_success);
/* A document was held back by the mass-change guard: state 'held' with the reason, until a
 * document is recorded again. */
int store_record_held(Store *s, const char *source, const char *reason, time_t now);
/* The daemon's next planned poll of a source, for advisoryctl sources. */
int store_set_next_poll(Store *s, const char *source, time_t next);

typedef struct OutboxItem {
        int64_t id;
        char *notifier;
        OutboxEvent event;
        int64_t change_id; /* 0 for source events */
        char *source;
        char *detail; /* source events: the error */
        unsigned attempts;
        time_t created_at;
} OutboxItem;
void outbox_item_done(OutboxItem *o);

/* Pending rows whose next attempt is due at now, oldest first, at most max. */
int store_outbox_due(Store *s, time_t now, size_t max, OutboxItem **ret, size_t *ret_n);
int store_outbox_get(Store *s, int64_t id, OutboxItem *ret);
/* The earliest next_attempt of a pending row, 0 when there is none. */
int store_outbox_next_due(Store *s, time_t *ret);
int store_outbox_delivered(Store *s, int64_t id, time_t now);
/* A failed attempt: retry at next_attempt, or give up (state failed) when next_attempt is 0. */
int store_outbox_attempt_failed(Store *s, int64_t id, const char *error, time_t next_attempt);

int store_load_change(Store *s, int64_t id, Change *ret);

/* ---- import (store-import.c): saved documents recorded as observations at a given time ---- */

typedef enum ImportKind {
        IMPORT_EXTENDED, /* agrees with the period in force at that time, or with the next one,
                          * which now starts at the observation */
        IMPORT_INSERTED, /* a new period from the observation on */
        IMPORT_SPLIT,    /* interrupts a period observed before and after it: split in three */
        IMPORT_CONFLICT, /* another level was observed at that very second: skipped */
} ImportKind;

typedef struct ImportOutcome {
        ImportKind kind;
        /* IMPORT_SPLIT, IMPORT_CONFLICT: the period that was recorded at that time */
        int level, regional_level;
        time_t first_seen, last_seen;
        int64_t observations;
} ImportOutcome;

/* Records one document's records as observations of the source at `at`, in ONE transaction,
 * keeping the periods consistent wherever `at` falls in the history (see store-import.c). Never
 * queues notifications and never touches the source's health (the row is created if missing).
 * outcomes (optional) receives records->n entries, in the order of the records. */
int store_import_document(Store *s, const char *source, const AdvisoryList *records, time_t at,
                          ImportOutcome *outcomes);
