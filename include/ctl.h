/* ctl.h: advisoryctl's shared context; each command lives in a ctl-*.c file. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "country.h"
#include "source.h"
#include "store.h"
#include "table.h"

typedef struct Ctl {
        const char *config_path; /* -c, or NULL for the default (used only if it exists) */
        const char *database;    /* --database, else the configuration's */
        TableStyle style;
        Config *config; /* NULL when there is none */
        Store *store;
        time_t now;
} Ctl;

/* Opens the database read-only (or read-write for import). Errors are logged. */
int ctl_open_store(Ctl *ctl, bool writable);
/* Resolves an ISO code or English name; on failure prints the error with suggestions. */
const Country *ctl_country(const char *arg);
/* Parses a WHEN argument or prints an error. */
int ctl_when(Ctl *ctl, const char *arg, time_t *ret);
/* Parses --min-level's argument (1–4) or prints an error. */
int ctl_min_level(const char *arg, int *ret);
/* A built-in source, or one the configuration defines (user-defined sources need it); prints an
 * error for an unknown id. *ret_config is NULL for a built-in source without configuration. */
int ctl_source(Ctl *ctl, const char *id, const SourceConfig **ret_config,
               const SourceType **ret_type);
int ctl_print(Ctl *ctl, const Table *t);
/* Writes a document to stdout, or to path atomically (a reader never sees half of it). */
int ctl_write(const char *path, const char *data, size_t size);
/* Appends s to b escaped for XML text and attribute values; characters XML 1.0 does not allow
 * (C0 controls other than tab, newline, carriage return) are dropped. */
int ctl_xml_escape(Buffer *b, const char *s);
/* Prints "advisoryctl: <message>" on stderr and returns -EINVAL (usage). */
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);
/* Prints "advisoryctl: database query failed: …" and returns a negative errno. */
int ctl_query_error(Ctl *ctl, int sqlite_rc);

/* Which changes: a period with a predecessor is a change (its row id is the change id). */
typedef struct ChangeFilter {
        time_t since;       /* first observed at or after (0: all) */
        const char *source; /* NULL: every source */
        const char *country;
        int min_level; /* either side reaches it */
        size_t limit;  /* 0: all; else only the latest `limit` changes */
} ChangeFilter;
/* The changes, oldest first. */
int ctl_load_changes(Ctl *ctl, const ChangeFilter *f, Change **ret, size_t *ret_n);
void ctl_changes_free(Change *changes, size_t n);

/* Commands: argc/argv start at the command name; return 0, or -EINVAL for usage errors, other
 * negative values for failures (the message is already printed). */
int ctl_status(Ctl *ctl, int argc, char *argv[]);
int ctl_history(Ctl *ctl, int argc, char *argv[]);
int ctl_changes(Ctl *ctl, int argc, char *argv[]);
int ctl_sources(Ctl *ctl, int argc, char *argv[]);
int ctl_notifications(Ctl *ctl, int argc, char *argv[]);
int ctl_feed(Ctl *ctl, int argc, char *argv[]);
int ctl_timeline(Ctl *ctl, int argc, char *argv[]);
int ctl_extract(Ctl *ctl, int argc, char *argv[]);
int ctl_import(Ctl *ctl, int argc, char *argv[]);
int ctl_accept(Ctl *ctl, int argc, char *argv[]);
