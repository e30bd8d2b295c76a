/* ctl.h: advisoryctl's shared context; each command lives in a ctl-*.c file. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "country.h"
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
int ctl_print(Ctl *ctl, const Table *t);
/* Prints "advisoryctl: <message>" on stderr and returns -EINVAL (usage) or -EIO. */
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);

/* Commands: argc/argv start at the command name; return 0, or -EINVAL for usage errors, other
 * negative values for failures (the message is already printed). */
int ctl_status(Ctl *ctl, int argc, char *argv[]);
int ctl_history(Ctl *ctl, int argc, char *argv[]);
int ctl_changes(Ctl *ctl, int argc, char *argv[]);
int ctl_sources(Ctl *ctl, int argc, char *argv[]);
int ctl_extract(Ctl *ctl, int argc, char *argv[]);
