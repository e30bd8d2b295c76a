/* timeutil.c: clocks, durations, sizes and date parsing. Pure except now_usec(). */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

usec_t now_usec(clockid_t clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

static const struct {
        const char *suffix;
        usec_t usec;
} duration_units[] = {
        { "ms", USEC_PER_MSEC },  { "s", USEC_PER_SEC }, { "m", USEC_PER_MINUTE },
        { "h", USEC_PER_HOUR },   { "d", USEC_PER_DAY }, { "w", 7 * USEC_PER_DAY },
};

int parse_duration(const char *s, usec_t *ret) {
        usec_t total = 0;
        bool any = false;

        if (isempty(s))
                return -EINVAL;
        while (*s) {
                char *end;
                unsigned long long n;
                usec_t unit = 0;
                size_t len = 0;

                while (isspace((unsigned char) *s))
                        s++;
                if (!*s)
                        break;
                if (!isdigit((unsigned char) *s))
                        return -EINVAL;
                errno = 0;
                n = strtoull(s, &end, 10);
                if (errno != 0)
                        return -ERANGE;
                s = end;
                for (size_t i = 0; i < ELEMENTSOF(duration_units); i++) {
                        size_t l = strlen(duration_units[i].suffix);
                        if (strncmp(s, duration_units[i].suffix, l) == 0 && l > len &&
                            !isalpha((unsigned char) s[l])) {
                                unit = duration_units[i].usec;
                                len = l;
                        }
                }
                if (len == 0) {
                        if (*s && !isspace((unsigned char) *s))
                                return -EINVAL;
                        unit = USEC_PER_SEC; /* a bare number means seconds */
                }
                if (n > (USEC_INFINITY - 1 - total) / unit)
                        return -ERANGE;
                total += n * unit;
                s += len;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long n;
        uint64_t mult = 1;

        if (isempty(s) || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        n = strtoull(s, &end, 10);
        if (errno != 0)
                return -ERANGE;
        switch (*end) {
        case '\0':
                break;
        case 'K': case 'k':
                mult = 1024ULL;
                end++;
                break;
        case 'M':
                mult = 1024ULL * 1024;
                end++;
                break;
        case 'G':
                mult = 1024ULL * 1024 * 1024;
                end++;
                break;
        default:
                return -EINVAL;
        }
        if (*end == 'B')
                end++;
        if (*end != '\0')
                return -EINVAL;
        if (n > UINT64_MAX / mult)
                return -ERANGE;
        *ret = n * mult;
        return 0;
}

char *format_duration(char buf[static DURATION_MAX], usec_t u) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } units[] = { { "d", USEC_PER_DAY }, { "h", USEC_PER_HOUR }, { "m", USEC_PER_MINUTE },
                      { "s", USEC_PER_SEC }, { "ms", USEC_PER_MSEC } };
        size_t off = 0;

        if (u == 0)
                return strcpy(buf, "0");
        for (size_t i = 0; i < ELEMENTSOF(units) && u >= USEC_PER_MSEC; i++) {
                if (u < units[i].usec)
                        continue;
                off += (size_t) snprintf(buf + off, DURATION_MAX - off, "%llu%s",
                                         (unsigned long long) (u / units[i].usec), units[i].suffix);
                u %= units[i].usec;
        }
        if (off == 0)
                snprintf(buf, DURATION_MAX, "%lluus", (unsigned long long) u);
        return buf;
}

char *format_size(char buf[static SIZE_MAX_STR], uint64_t size) {
        static const char suffixes[] = { 'G', 'M', 'K' };
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                uint64_t m = 1ULL << (10 * (3 - i));
                if (size >= m && size % m == 0) {
                        snprintf(buf, SIZE_MAX_STR, "%llu%c", (unsigned long long) (size / m),
                                 suffixes[i]);
                        return buf;
                }
        }
        snprintf(buf, SIZE_MAX_STR, "%llu", (unsigned long long) size);
        return buf;
}

char *format_iso8601(char buf[static ISO8601_MAX], time_t t, bool local) {
        struct tm tm;

        if (!local) {
                gmtime_r(&t, &tm);
                strftime(buf, ISO8601_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
                return buf;
        }
        localtime_r(&t, &tm);
        strftime(buf, ISO8601_MAX, "%Y-%m-%dT%H:%M:%S%z", &tm);
        /* %z gives +0100; ISO 8601 extended form wants +01:00 */
        size_t l = strlen(buf);
        if (l >= 5 && l + 1 < ISO8601_MAX) {
                memmove(buf + l - 1, buf + l - 2, 3);
                buf[l - 2] = ':';
        }
        return buf;
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
        /* Howard Hinnant's algorithm */
        y -= m <= 2;
        const int64_t era = (y >= 0 ? y : y - 399) / 400;
        const unsigned yoe = (unsigned) (y - era * 400);
        const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

bool civil_date_valid(int y, int m, int d) {
        static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
                return false;
        int max = mdays[m - 1];
        if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                max = 29;
        return d <= max;
}

static time_t civil_to_time(int y, int mo, int d, int h, int mi, int s) {
        return (time_t) (days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 +
                         mi * 60 + s);
}

int parse_iso8601(const char *s, time_t *ret) {
        int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
        long offset = 0;

        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
                return -EINVAL;
        s += n;
        if (*s == 'T' || *s == ' ') {
                int m2 = 0;
                if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &m2) != 2 || m2 != 5)
                        return -EINVAL;
                s += 1 + m2;
                if (*s == ':') {
                        if (!isdigit((unsigned char) s[1]) || !isdigit((unsigned char) s[2]))
                                return -EINVAL;
                        sec = (s[1] - '0') * 10 + (s[2] - '0');
                        s += 3;
                        if (*s == '.') /* fractional seconds are dropped */
                                for (s++; isdigit((unsigned char) *s); s++)
                                        ;
                }
                if (*s == 'Z')
                        s++;
                else if (*s == '+' || *s == '-') {
                        int oh, om = 0, m3 = 0;
                        if (sscanf(s + 1, "%2d%n", &oh, &m3) != 1 || m3 != 2)
                                return -EINVAL;
                        const char *p = s + 3;
                        if (*p == ':')
                                p++;
                        if (isdigit((unsigned char) p[0]) && isdigit((unsigned char) p[1])) {
                                om = (p[0] - '0') * 10 + (p[1] - '0');
                                p += 2;
                        }
                        offset = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
                        s = p;
                }
        }
        if (*s != '\0' || !civil_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        *ret = civil_to_time(y, mo, d, h, mi, sec) - offset;
        return 0;
}

int parse_when(const char *s, time_t now, time_t *ret) {
        usec_t u;

        if (parse_iso8601(s, ret) >= 0)
                return 0;
        if (parse_duration(s, &u) < 0)
                return -EINVAL;
        *ret = now - (time_t) (u / USEC_PER_SEC);
        return 0;
}

static int month_from_abbrev(const char *s) {
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        for (int i = 0; i < 12; i++)
                if (strncasecmp(s, months[i], 3) == 0)
                        return i + 1;
        return -1;
}

static long zone_offset(const char *z) {
        static const struct {
                const char *name;
                long hours;
        } zones[] = { { "UT", 0 },   { "UTC", 0 },  { "GMT", 0 },  { "Z", 0 },
                      { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
                      { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };
        if ((z[0] == '+' || z[0] == '-') && strlen(z) == 5) {
                long hh = (z[1] - '0') * 10 + (z[2] - '0'), mm = (z[3] - '0') * 10 + (z[4] - '0');
                return (hh * 3600 + mm * 60) * (z[0] == '-' ? -1 : 1);
        }
        for (size_t i = 0; i < ELEMENTSOF(zones); i++)
                if (strcasecmp(z, zones[i].name) == 0)
                        return zones[i].hours * 3600;
        return 0;
}

int rfc822_to_iso8601(const char *s, char buf[static ISO8601_MAX]) {
        char mon[4] = "", zone[8] = "";
        int d, y, h, mi, sec = 0, mo, n;

        while (isspace((unsigned char) *s))
                s++;
        /* optional "Mon, " */
        const char *comma = strchr(s, ',');
        if (comma && comma - s <= 10)
                s = comma + 1;
        n = sscanf(s, " %2d %3s %4d %2d:%2d:%2d %7s", &d, mon, &y, &h, &mi, &sec, zone);
        if (n < 3)
                return -EINVAL;
        mo = month_from_abbrev(mon);
        if (mo < 0 || !civil_date_valid(y, mo, d))
                return -EINVAL;
        if (n < 5) {
                snprintf(buf, ISO8601_MAX, "%04d-%02d-%02d", y, mo, d);
                return 0;
        }
        if (h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        time_t t = civil_to_time(y, mo, d, h, mi, sec) - (n >= 7 ? zone_offset(zone) : 0);
        format_iso8601(buf, t, false);
        return 0;
}
