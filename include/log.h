/* log.h: one-line log messages on stderr. Under systemd (JOURNAL_STREAM names our stderr) each
 * line gets a "<N>" priority prefix so the journal keeps the level; otherwise plain text. */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "util.h"

void log_setup(void);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs and returns -abs(error) (or -EIO when error is 0), for "return log_error_errno(r, ...)". */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...)                                                          \
        ({                                                                                         \
                int _l_ = (level), _e_ = (error);                                                  \
                _l_ <= log_get_max_level() ? log_internal(_l_, _e_, __VA_ARGS__)                   \
                                           : -(_e_ < 0 ? -_e_ : (_e_ ? _e_ : EIO));                \
        })
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
#define log_oom() log_error_errno(ENOMEM, "Out of memory.")

/* A catalogued message (systemd/advisoryd.catalog): under systemd it goes to the journal with
 * MESSAGE_ID= and ADVISORY_SOURCE= so that `journalctl -x` explains it; otherwise it is an
 * ordinary log line. */
void log_struct(int level, const char *message_id, const char *source, const char *fmt, ...)
        _printf_(4, 5);
