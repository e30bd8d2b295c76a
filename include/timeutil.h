/* timeutil.h: microsecond clocks, durations and sizes with units, ISO 8601 and RFC 822 dates. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;
#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY (24ULL * USEC_PER_HOUR)

usec_t now_usec(clockid_t clock);

/* "90" (seconds), "30s", "5m", "1h30m", "2d", "250ms". */
int parse_duration(const char *s, usec_t *ret);
/* "16M", "512K", "1G", "4096" (bytes). Binary multiples. */
int parse_size(const char *s, uint64_t *ret);

#define DURATION_MAX 32
/* Shortest exact form: "1h30m", "45s", "0". */
char *format_duration(char buf[static DURATION_MAX], usec_t u);
#define SIZE_MAX_STR 32
char *format_size(char buf[static SIZE_MAX_STR], uint64_t size);

#define ISO8601_MAX 32
/* "2026-11-26T01:11:20Z", or with the local offset when local. */
char *format_iso8601(char buf[static ISO8601_MAX], time_t t, bool local);
/* "2022-01-05", "2022-01-05T10:00", "2022-01-05T10:00:00Z", "...+01:00", ' ' instead of 'T'.
 * A date or time without offset is UTC. */
int parse_iso8601(const char *s, time_t *ret);
/* WHEN of advisoryctl: an ISO 8601 date/time, or a duration back from now ("7d", "12h"). */
int parse_when(const char *s, time_t now, time_t *ret);
/* RFC 822/1123 dates as seen in RSS: "Mon, 09 Jun 2026", "Tue, 10 Jun 2025 12:00:00 EST",
 * "Mon, 03 Aug 2026 09:20:23 +0200". Writes "2026-06-09" for date-only input and a full UTC
 * timestamp otherwise. */
int rfc822_to_iso8601(const char *s, char buf[static ISO8601_MAX]);
/* days since 1970-01-01 of a proleptic Gregorian date (no time zone involved). */
int64_t days_from_civil(int y, unsigned m, unsigned d);
bool civil_date_valid(int y, int m, int d);
