/* config.h: the INI configuration (inih) turned into an immutable Config. A Config is built
 * whole or not at all: config_load() either returns a complete, validated Config or the list of
 * errors with file:line. Reload builds a fresh Config and swaps it in only on success. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "timeutil.h"

#define DEFAULT_CONFIG_FILE SYSCONFDIR "/advisoryd/advisoryd.conf"

/* Sources read page by page: at most one request started per delay, and a full sweep a day. */
#define SOURCE_REQUEST_DELAY_DEFAULT (200 * USEC_PER_MSEC)
#define SOURCE_SWEEP_INTERVAL_DEFAULT USEC_PER_DAY

typedef struct DaemonSettings {
        char *database;
        usec_t interval;
        usec_t jitter;
        usec_t timeout;
        uint64_t max_document_size;
        unsigned max_connections;
        unsigned max_connections_per_host;
        char *user_agent;
        usec_t retry_max_age;
        unsigned failure_threshold; /* consecutive failures before a source counts as failing */
        unsigned mass_change_percent;       /* hold a document changing more than this share */
        unsigned mass_change_confirmations; /* further identical polls before accepting it */
} DaemonSettings;

typedef enum SourceKind {
        SOURCE_KIND_BUILTIN,
        SOURCE_KIND_HTML, /* user-defined: type = html */
        SOURCE_KIND_XML,  /* user-defined: type = xml */
} SourceKind;

typedef struct SourceConfig {
        char *id;
        SourceKind kind;
        bool enabled;
        usec_t interval; /* 0: [daemon] interval */
        char *url;       /* NULL: the built-in address */
        /* sources read page by page (SOURCE_PLAN_PAGES) */
        usec_t request_delay;  /* between the starts of two requests */
        usec_t sweep_interval; /* built-ins: how often every page is fetched, changed or not */
        char *rss_url;         /* [source:no]: the feed of changed pages; NULL: on url's host */
        /* user-defined sources */
        char **countries; /* NULL for every ISO code ("*") */
        char *xpath;
        char *level_regex[5]; /* [1]..[4] */
        /* where the section began, for messages */
        char *file;
        unsigned line;
} SourceConfig;

typedef enum NotifyType {
        NOTIFY_JOURNAL,
        NOTIFY_SYSLOG,
        NOTIFY_EMAIL,
        NOTIFY_WEBHOOK,
        NOTIFY_EXEC,
        _NOTIFY_TYPE_MAX,
} NotifyType;

typedef enum NotifyEvent {
        NOTIFY_EVENT_CHANGE = 1 << 0,
        NOTIFY_EVENT_SOURCE_FAILING = 1 << 1,
        NOTIFY_EVENT_SOURCE_RECOVERED = 1 << 2,
} NotifyEvent;

typedef struct NotifyConfig {
        char *name;
        NotifyType type;
        /* routing */
        char **countries; /* NULL: all */
        char **sources;   /* NULL: all */
        int min_level;
        unsigned events; /* NotifyEvent mask */
        /* journal and syslog */
        char *socket; /* journal: native socket; syslog: /dev/log-style socket */
        int facility; /* syslog, as LOG_DAEMON etc. */
        char *ident;  /* syslog */
        /* email */
        char **to;
        char *from;
        char *smtp_url;
        int starttls; /* 0 no, 1 opportunistic, 2 required */
        char *smtp_user;
        char *smtp_password_file;
        char *smtp_credential;
        char *ca_file;
        char *sendmail;
        usec_t digest;
        /* webhook */
        char *url;
        char *secret_file;
        char *secret_credential;
        /* exec */
        char **command;
        usec_t timeout;
        char *file;
        unsigned line;
} NotifyConfig;

typedef struct Config {
        char *path;
        DaemonSettings daemon;
        SourceConfig *sources;
        size_t n_sources;
        NotifyConfig *notifiers;
        size_t n_notifiers;
} Config;

/* Parses path and then <path>.d/\*.conf in lexical order (later files override single values of
 * earlier ones). On failure returns a negative errno; when the configuration itself is wrong,
 * -EINVAL with every problem written to ret_errors (one "file:line: message" per line, owned by
 * the caller). */
int config_load(const char *path, Config **ret, char **ret_errors);
Config *config_free(Config *c);
static inline void config_freep(Config **c) {
        config_free(*c);
}
#define _cleanup_config_ _cleanup_(config_freep)

/* The effective configuration in the same INI syntax, every value normalised and defaults
 * filled in; secrets are never printed (only the file or credential they come from). */
void config_dump(const Config *c, FILE *f);

const SourceConfig *config_find_source(const Config *c, const char *id);
const char *notify_type_to_string(NotifyType t);
