/* ctl-timeline.c: advisoryctl timeline --svg: one country's history as a picture. One row per
 * government, one band per period coloured by its level, a date axis and a legend.
 *
 * The colours are ordered by lightness (green, amber, orange, dark red: relative luminance about
 * 0.82, 0.58, 0.29, 0.06), so that the levels stay apart when printed in black and white, and
 * every band wide enough carries its level as a number ("3", or "3/4" with a regional level,
 * which is also drawn as a stripe along the band's foot). Times without a record are hatched.
 * Each band is a <g class="band"> with data-* attributes and a <title> that a browser shows as
 * a tooltip: level, dates and the government's own words. */
#include "ctl-options.h"
#include "ctl.h"

#include "advisory.h"
#include "log.h"
#include "timeutil.h"

#define SVG_WIDTH 960
#define SVG_LEFT 190 /* government names */
#define SVG_RIGHT 30
#define SVG_TOP 70
#define SVG_ROW 28
#define SVG_GAP 10
#define SVG_STRIPE 7 /* the regional level along a band's foot */
#define SVG_TICKS_MAX 10
#define DAY_SECONDS 86400

typedef struct LevelStyle {
        const char *fill, *text;
} LevelStyle;

static const LevelStyle level_styles[] = {
        [1] = { "#d9f0d3", "#1a1a1a" },
        [2] = { "#fbc02d", "#1a1a1a" },
        [3] = { "#ef6c00", "#1a1a1a" },
        [4] = { "#8b0000", "#ffffff" },
};

typedef struct TimelinePeriod {
        char *source;
        int level, regional_level;
        char *label;
        time_t since, until; /* until 0: still in force */
} TimelinePeriod;

typedef struct Timeline {
        const Country *country;
        TimelinePeriod *periods; /* by source, then time */
        size_t n;
        time_t since, until; /* the range shown */
        bool local_time;
        Buffer b;
} Timeline;

static void timeline_done(Timeline *tl) {
        for (size_t i = 0; i < tl->n; i++) {
                free(tl->periods[i].source);
                free(tl->periods[i].label);
        }
        free(tl->periods);
        buffer_done(&tl->b);
}

static int timeline_add(Timeline *tl, sqlite3_stmt *st) {
        TimelinePeriod *a = realloc(tl->periods, (tl->n + 1) * sizeof(TimelinePeriod));
        const char *source = (const char *) sqlite3_column_text(st, 0);
        const char *label = (const char *) sqlite3_column_text(st, 3);

        if (!a)
                return -ENOMEM;
        tl->periods = a;
        a[tl->n] = (TimelinePeriod) {
                .source = strdup(source),
                .level = sqlite3_column_int(st, 1),
                .regional_level = sqlite3_column_int(st, 2),
                .label = label ? strdup(label) : NULL,
                .since = (time_t) sqlite3_column_int64(st, 4),
                .until = (time_t) sqlite3_column_int64(st, 5),
        };
        tl->n++;
        return a[tl->n - 1].source && (!label || a[tl->n - 1].label) ? 0 : -ENOMEM;
}

/* Every period of the country, in period_by_country order. */
static int timeline_load(Ctl *ctl, Timeline *tl) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc;

        if (store_prepare(ctl->store,
                          "SELECT source, level, regional_level, label, first_seen,"
                          " LEAD(first_seen) OVER w FROM period WHERE country = ?1"
                          " WINDOW w AS (PARTITION BY source ORDER BY first_seen, id)"
                          " ORDER BY source, first_seen, id",
                          &st) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        sqlite3_bind_text(st, 1, tl->country->alpha2, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (timeline_add(tl, st) < 0)
                        return log_oom();
        return rc == SQLITE_DONE ? 0 : ctl_query_error(ctl, rc);
}

static double timeline_x(const Timeline *tl, time_t t) {
        t = MAX(tl->since, MIN(tl->until, t));
        return SVG_LEFT + (double) (t - tl->since) * (SVG_WIDTH - SVG_LEFT - SVG_RIGHT) /
                                  (double) (tl->until - tl->since);
}

static const char *timeline_iso(const Timeline *tl, char buf[static ISO8601_MAX], time_t t) {
        return format_iso8601(buf, t, tl->local_time);
}

/* ---- the date axis ---- */

typedef enum TickUnit { TICK_DAY, TICK_MONTH, TICK_YEAR } TickUnit;

typedef struct TickScale {
        TickUnit unit;
        int step;
        const char *format;
} TickScale;

static const TickScale tick_scales[] = {
        { TICK_DAY, 1, "%Y-%m-%d" },   { TICK_DAY, 2, "%Y-%m-%d" },   { TICK_DAY, 7, "%Y-%m-%d" },
        { TICK_DAY, 14, "%Y-%m-%d" },  { TICK_MONTH, 1, "%Y-%m" },    { TICK_MONTH, 2, "%Y-%m" },
        { TICK_MONTH, 3, "%Y-%m" },    { TICK_MONTH, 6, "%Y-%m" },    { TICK_YEAR, 1, "%Y" },
        { TICK_YEAR, 2, "%Y" },        { TICK_YEAR, 5, "%Y" },        { TICK_YEAR, 10, "%Y" },
        { TICK_YEAR, 25, "%Y" },       { TICK_YEAR, 100, "%Y" },
};

static time_t tick_from_tm(struct tm *tm, bool local) {
        tm->tm_isdst = -1;
        return local ? mktime(tm) : timegm(tm);
}

/* The first tick at or after t: midnight, the first of a month, or New Year's Day, aligned to
 * the step so that the labels are round. */
static time_t tick_first(const TickScale *s, time_t t, bool local) {
        struct tm tm;
        time_t x;

        if (local)
                localtime_r(&t, &tm);
        else
                gmtime_r(&t, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        if (s->unit != TICK_DAY)
                tm.tm_mday = 1;
        if (s->unit == TICK_MONTH)
                tm.tm_mon -= tm.tm_mon % s->step;
        if (s->unit == TICK_YEAR) {
                tm.tm_mon = 0;
                tm.tm_year -= (tm.tm_year + 1900) % s->step;
        }
        for (x = tick_from_tm(&tm, local); x < t;) {
                if (s->unit == TICK_DAY)
                        tm.tm_mday += s->step;
                else if (s->unit == TICK_MONTH)
                        tm.tm_mon += s->step;
                else
                        tm.tm_year += s->step;
                x = tick_from_tm(&tm, local);
        }
        return x;
}

static time_t tick_next(const TickScale *s, time_t t, bool local) {
        struct tm tm;

        if (local)
                localtime_r(&t, &tm);
        else
                gmtime_r(&t, &tm);
        if (s->unit == TICK_DAY)
                tm.tm_mday += s->step;
        else if (s->unit == TICK_MONTH)
                tm.tm_mon += s->step;
        else
                tm.tm_year += s->step;
        return tick_from_tm(&tm, local);
}

/* The finest scale that needs at most SVG_TICKS_MAX ticks. */
static const TickScale *tick_scale(const Timeline *tl) {
        for (size_t i = 0; i < ELEMENTSOF(tick_scales); i++) {
                const TickScale *s = &tick_scales[i];
                int n = 0;
                for (time_t t = tick_first(s, tl->since, tl->local_time);
                     t <= tl->until && n <= SVG_TICKS_MAX; t = tick_next(s, t, tl->local_time))
                        n++;
                if (n <= SVG_TICKS_MAX)
                        return s;
        }
        return &tick_scales[ELEMENTSOF(tick_scales) - 1];
}

static int timeline_axis(Timeline *tl, int y_rows, int y_axis) {
        const TickScale *s = tick_scale(tl);
        int r;

        r = buffer_printf(&tl->b,
                          "<g class=\"axis\" font-size=\"11\" text-anchor=\"middle\">\n"
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
                          SVG_LEFT, y_axis, SVG_WIDTH - SVG_RIGHT, y_axis);
        for (time_t t = tick_first(s, tl->since, tl->local_time); r >= 0 && t <= tl->until;
             t = tick_next(s, t, tl->local_time)) {
                char label[32];
                struct tm tm;
                double x = timeline_x(tl, t);

                if (tl->local_time)
                        localtime_r(&t, &tm);
                else
                        gmtime_r(&t, &tm);
                strftime(label, sizeof(label), s->format, &tm);
                r = buffer_printf(&tl->b,
                                  "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                                  " stroke=\"#000\" stroke-opacity=\"0.3\" stroke-dasharray=\"2 3\"/>\n"
                                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>\n"
                                  "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>\n",
                                  x, SVG_TOP - 4, x, y_rows, x, y_axis, x, y_axis + 5, x,
                                  y_axis + 18, label);
        }
        if (r >= 0)
                r = buffer_puts(&tl->b, "</g>\n");
        return r;
}

/* ---- bands ---- */

static int timeline_band_title(Timeline *tl, const TimelinePeriod *p) {
        char since[ISO8601_MAX], until[ISO8601_MAX];
        int r;

        r = buffer_printf(&tl->b, "<title>%s: level %d (%s)", source_government(p->source),
                          p->level, level_meaning(p->level));
        if (r >= 0 && p->regional_level)
                r = buffer_printf(&tl->b, ", regional level %d", p->regional_level);
        if (r >= 0)
                r = buffer_printf(&tl->b, " from %s %s%s", timeline_iso(tl, since, p->since),
                                  p->until ? "to " : "until now",
                                  p->until ? timeline_iso(tl, until, p->until) : "");
        if (r >= 0 && p->label) {
                r = buffer_puts(&tl->b, ": \u201c");
                if (r >= 0)
                        r = ctl_xml_escape(&tl->b, p->label);
                if (r >= 0)
                        r = buffer_puts(&tl->b, "\u201d");
        }
        if (r >= 0)
                r = buffer_puts(&tl->b, "</title>\n");
        return r;
}

/* The level as text in the middle of the band, when it fits. */
static int timeline_band_text(Timeline *tl, const TimelinePeriod *p, double x0, double x1, int y) {
        char text[8];
        int height = SVG_ROW - (p->regional_level ? SVG_STRIPE : 0);

        if (p->regional_level)
                snprintf(text, sizeof(text), "%d/%d", p->level, p->regional_level);
        else
                snprintf(text, sizeof(text), "%d", p->level);
        if (x1 - x0 < 8.0 * (double) strlen(text) + 4.0)
                return 0;
        return buffer_printf(&tl->b,
                             "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\""
                             " font-weight=\"bold\">%s</text>\n",
                             (x0 + x1) / 2, y + height / 2 + 5, level_styles[p->level].text, text);
}

static int timeline_band(Timeline *tl, const TimelinePeriod *p, int y) {
        time_t end = p->until ? p->until : tl->until;
        double x0 = timeline_x(tl, p->since), x1 = timeline_x(tl, end);
        char since[ISO8601_MAX], until[ISO8601_MAX];
        int r;

        if (end <= tl->since || p->since >= tl->until || !level_valid(p->level))
                return 0;
        r = buffer_printf(&tl->b, "<g class=\"band level-%d\" data-source=\"", p->level);
        if (r >= 0)
                r = ctl_xml_escape(&tl->b, p->source);
        if (r >= 0)
                r = buffer_printf(&tl->b, "\" data-level=\"%d\" data-since=\"%s\"", p->level,
                                  timeline_iso(tl, since, p->since));
        if (r >= 0 && p->until)
                r = buffer_printf(&tl->b, " data-until=\"%s\"", timeline_iso(tl, until, p->until));
        if (r >= 0 && p->regional_level)
                r = buffer_printf(&tl->b, " data-regional-level=\"%d\"", p->regional_level);
        if (r >= 0)
                r = buffer_puts(&tl->b, ">\n");
        if (r >= 0)
                r = timeline_band_title(tl, p);
        if (r >= 0)
                r = buffer_printf(&tl->b,
                                  "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\""
                                  " stroke=\"#fff\" stroke-width=\"0.5\"/>\n",
                                  x0, y, x1 - x0, SVG_ROW, level_styles[p->level].fill);
        if (r >= 0 && level_valid(p->regional_level))
                r = buffer_printf(&tl->b,
                                  "<rect class=\"regional\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
                                  " height=\"%d\" fill=\"%s\"/>\n",
                                  x0, y + SVG_ROW - SVG_STRIPE, x1 - x0, SVG_STRIPE,
                                  level_styles[p->regional_level].fill);
        if (r >= 0)
                r = timeline_band_text(tl, p, x0, x1, y);
        if (r >= 0)
                r = buffer_puts(&tl->b, "</g>\n");
        return r;
}

/* One row: the government's name, the hatched background (no record), its bands. */
static int timeline_row(Timeline *tl, size_t first, size_t end, int y) {
        const char *source = tl->periods[first].source;
        int r;

        r = buffer_puts(&tl->b, "<g class=\"row\" data-source=\"");
        if (r >= 0)
                r = ctl_xml_escape(&tl->b, source);
        if (r >= 0)
                r = buffer_printf(&tl->b, "\">\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                                  SVG_LEFT - 10, y + SVG_ROW / 2 + 5);
        if (r >= 0)
                r = ctl_xml_escape(&tl->b, source_government(source));
        if (r >= 0 && !streq(source_government(source), source)) {
                r = buffer_puts(&tl->b, " <tspan fill=\"#555\">(");
                if (r >= 0)
                        r = ctl_xml_escape(&tl->b, source);
                if (r >= 0)
                        r = buffer_puts(&tl->b, ")</tspan>");
        }
        if (r >= 0)
                r = buffer_printf(&tl->b,
                                  "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                                  " fill=\"url(#none)\" stroke=\"#999\" stroke-width=\"0.5\"/>\n",
                                  SVG_LEFT, y, SVG_WIDTH - SVG_LEFT - SVG_RIGHT, SVG_ROW);
        for (size_t i = first; r >= 0 && i < end; i++)
                r = timeline_band(tl, &tl->periods[i], y);
        if (r >= 0)
                r = buffer_puts(&tl->b, "</g>\n");
        return r;
}

/* ---- the document ---- */

static int timeline_legend(Timeline *tl, int y) {
        int r = buffer_printf(&tl->b, "<g class=\"legend\" font-size=\"12\">\n");

        for (int level = 1; r >= 0 && level <= 4; level++)
                r = buffer_printf(&tl->b,
                                  "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" fill=\"%s\""
                                  " stroke=\"#333\" stroke-width=\"0.5\"/>\n"
                                  "<text x=\"%d\" y=\"%d\">%d: %s</text>\n",
                                  SVG_LEFT + (level - 1) * 185, y, level_styles[level].fill,
                                  SVG_LEFT + (level - 1) * 185 + 22, y + 12, level, level_meaning(level));
        if (r >= 0)
                r = buffer_printf(&tl->b,
                                  "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" fill=\"%s\"/>\n"
                                  "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"6\" fill=\"%s\"/>\n"
                                  "<text x=\"%d\" y=\"%d\">3/4: level 3, level 4 in parts of the"
                                  " country (stripe)</text>\n"
                                  "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\""
                                  " fill=\"url(#none)\" stroke=\"#999\" stroke-width=\"0.5\"/>\n"
                                  "<text x=\"%d\" y=\"%d\">no record</text>\n</g>\n",
                                  SVG_LEFT, y + 24, level_styles[3].fill, SVG_LEFT, y + 34,
                                  level_styles[4].fill, SVG_LEFT + 22, y + 36, SVG_LEFT + 370,
                                  y + 24, SVG_LEFT + 392, y + 36);
        return r;
}

static int timeline_header(Timeline *tl, int height) {
        char since[ISO8601_MAX], until[ISO8601_MAX];
        int r;

        r = buffer_printf(&tl->b,
                          "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\""
                          " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
                          " font-size=\"13\" role=\"img\" aria-labelledby=\"title\">\n"
                          "<title id=\"title\">",
                          SVG_WIDTH, height, SVG_WIDTH, height);
        if (r >= 0)
                r = ctl_xml_escape(&tl->b, tl->country->name);
        if (r >= 0)
                r = buffer_printf(&tl->b,
                                  " (%s): travel advice by government, %s to %s</title>\n"
                                  "<defs><pattern id=\"none\" width=\"6\" height=\"6\""
                                  " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                                  "<rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
                                  "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ccc\""
                                  " stroke-width=\"2\"/></pattern></defs>\n"
                                  "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
                                  "<text x=\"%d\" y=\"28\" font-size=\"17\" font-weight=\"bold\">",
                                  tl->country->alpha2, timeline_iso(tl, since, tl->since),
                                  timeline_iso(tl, until, tl->until), SVG_LEFT);
        if (r >= 0)
                r = ctl_xml_escape(&tl->b, tl->country->name);
        if (r >= 0)
                r = buffer_printf(&tl->b,
                                  " (%s): travel advice by government</text>\n"
                                  "<text x=\"%d\" y=\"48\" fill=\"#444\">%.10s to %.10s%s</text>\n",
                                  tl->country->alpha2, SVG_LEFT, since, until,
                                  tl->local_time ? "" : " (UTC)");
        return r;
}

static size_t timeline_rows(const Timeline *tl) {
        size_t rows = 0;
        for (size_t i = 0; i < tl->n; i++)
                rows += i == 0 || !streq(tl->periods[i].source, tl->periods[i - 1].source);
        return rows;
}

static int timeline_render(Timeline *tl) {
        size_t rows = timeline_rows(tl);
        int y_rows = SVG_TOP + (int) MAX(rows, (size_t) 1) * (SVG_ROW + SVG_GAP) - SVG_GAP;
        int y_axis = y_rows + 8, y_legend = y_axis + 38, height = y_legend + 54;
        int r, y = SVG_TOP;

        r = timeline_header(tl, height);
        if (r >= 0 && rows == 0) {
                r = buffer_printf(&tl->b, "<text x=\"%d\" y=\"%d\">", SVG_LEFT, SVG_TOP + 18);
                if (r >= 0)
                        r = buffer_puts(&tl->b, "No government's advice recorded yet.</text>\n");
        }
        for (size_t first = 0, i = 1; r >= 0 && first < tl->n; i++)
                if (i == tl->n || !streq(tl->periods[i].source, tl->periods[first].source)) {
                        r = timeline_row(tl, first, i, y);
                        y += SVG_ROW + SVG_GAP;
                        first = i;
                }
        if (r >= 0)
                r = timeline_axis(tl, y_rows, y_axis);
        if (r >= 0)
                r = timeline_legend(tl, y_legend);
        if (r >= 0)
                r = buffer_puts(&tl->b, "</svg>\n");
        return r < 0 ? log_oom() : 0;
}

/* Without --since, from the country's first record; without --until, to now. */
static int timeline_range(Ctl *ctl, Timeline *tl, time_t since, time_t until) {
        tl->until = until ?: ctl->now;
        tl->since = since;
        if (!since) {
                tl->since = tl->until - 365 * DAY_SECONDS;
                for (size_t i = 0; i < tl->n; i++)
                        tl->since = i == 0 ? tl->periods[i].since : MIN(tl->since, tl->periods[i].since);
        }
        if (tl->since >= tl->until) {
                if (since)
                        return ctl_usage_error("the timeline must end after it begins");
                tl->since = tl->until - DAY_SECONDS;
        }
        return 0;
}

int ctl_timeline(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "since", required_argument, NULL, ARG_SINCE },
                { "until", required_argument, NULL, ARG_UNTIL },
                { "svg", no_argument, NULL, ARG_SVG },
                { "output", required_argument, NULL, ARG_OUTPUT },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_(timeline_done) Timeline tl = { .local_time = ctl->style.local_time };
        const char *output = NULL;
        time_t since = 0, until = 0;
        bool svg = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SINCE || c == ARG_UNTIL) {
                        if ((r = ctl_when(ctl, optarg, c == ARG_SINCE ? &since : &until)) < 0)
                                return r;
                } else if (c == ARG_SVG)
                        svg = true;
                else if (c == ARG_OUTPUT)
                        output = optarg;
                else
                        return -EINVAL;
        }
        if (optind + 1 != argc)
                return ctl_usage_error("timeline takes one COUNTRY");
        if (!svg || ctl->style.format != OUTPUT_TABLE)
                return ctl_usage_error("timeline draws SVG only: give --svg");
        if (!(tl.country = ctl_country(argv[optind])))
                return -EINVAL;
        tl.local_time = ctl->style.local_time;
        if ((r = timeline_load(ctl, &tl)) < 0 || (r = timeline_range(ctl, &tl, since, until)) < 0 ||
            (r = timeline_render(&tl)) < 0)
                return r;
        return ctl_write(output, tl.b.data, tl.b.size);
}
