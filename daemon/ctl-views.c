/* ctl-views.c: advisoryctl status, history, changes and sources: read-only views over the
 * periods, changes and source health in the database. */
#include "ctl-options.h"
#include "ctl.h"

#include "advisory.h"
#include "log.h"
#include "source.h"

#define LABEL_WIDTH 60

static void column_text(sqlite3_stmt *st, int i, const char **ret) {
        *ret = (const char *) sqlite3_column_text(st, i);
}

static int step_error(Ctl *ctl, int rc) {
        fprintf(stderr, "advisoryctl: database query failed: %s\n", store_error(ctl->store));
        return store_errno(rc) ?: -EIO;
}

/* ---- status ---- */

static const char *const status_keys[] = { "source", "government", "country", "country_name",
                                           "level", "regional_level", "since", "label",
                                           "updated", "url", "observed_at", NULL };

/* The current period of every (source, country), optionally for one country. */
static int status_query(Ctl *ctl, const char *country, int min_level, Table *t) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(ctl->store,
                          "SELECT source, country, level, regional_level, label, updated, url,"
                          " first_seen, last_seen, MAX(first_seen * 4294967296 + id) FROM period"
                          " WHERE ?1 IS NULL OR country = ?1 GROUP BY source, country"
                          " ORDER BY country, source",
                          &st);
        if (r < 0)
                return step_error(ctl, SQLITE_ERROR);
        if (country)
                sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *s[5];
                int level = sqlite3_column_int(st, 2), regional = sqlite3_column_int(st, 3);
                if (MAX(level, regional) < min_level)
                        continue;
                column_text(st, 0, &s[0]);
                column_text(st, 1, &s[1]);
                column_text(st, 4, &s[2]);
                column_text(st, 5, &s[3]);
                column_text(st, 6, &s[4]);
                if (table_new_row(t) < 0 || table_set_string(t, "source", s[0]) < 0 ||
                    table_set_string(t, "government", source_government(s[0])) < 0 ||
                    table_set_string(t, "country", s[1]) < 0 ||
                    table_set_string(t, "country_name", country_name(s[1])) < 0 ||
                    table_set_level(t, "level", level) < 0 ||
                    table_set_level(t, "regional_level", regional) < 0 ||
                    table_set_string(t, "label", s[2]) < 0 || table_set_string(t, "updated", s[3]) < 0 ||
                    table_set_string(t, "url", s[4]) < 0 ||
                    table_set_time(t, "since", (time_t) sqlite3_column_int64(st, 7)) < 0 ||
                    table_set_time(t, "observed_at", (time_t) sqlite3_column_int64(st, 8)) < 0)
                        return log_oom();
        }
        return rc == SQLITE_DONE ? 0 : step_error(ctl, rc);
}

/* The people's view without countries: countries × governments, highest level first. */
typedef struct MatrixRow {
        char country[3];
        int worst;
        char cells[16][8];
} MatrixRow;

static int matrix_compare(const void *a, const void *b) {
        const MatrixRow *x = a, *y = b;
        if (x->worst != y->worst)
                return y->worst - x->worst;
        return strcmp(x->country, y->country);
}

static int status_matrix(Ctl *ctl, int min_level) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **sources = NULL;
        _cleanup_free_ MatrixRow *rows = NULL;
        size_t n_rows = 0;
        int r, rc;

        r = store_prepare(ctl->store,
                          "SELECT country, source, level, regional_level,"
                          " MAX(first_seen * 4294967296 + id) FROM period GROUP BY country, source"
                          " ORDER BY country, source",
                          &st);
        if (r < 0)
                return step_error(ctl, SQLITE_ERROR);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *cc = (const char *) sqlite3_column_text(st, 0),
                           *src = (const char *) sqlite3_column_text(st, 1);
                int level = sqlite3_column_int(st, 2), regional = sqlite3_column_int(st, 3);
                size_t col;

                if (!strv_contains(sources, src)) {
                        if (strv_length(sources) == 16)
                                continue; /* more governments than fit: --json has them all */
                        if (strv_extend(&sources, src) < 0)
                                return log_oom();
                }
                for (col = 0; !streq(sources[col], src); col++)
                        ;
                if (n_rows == 0 || !streq(rows[n_rows - 1].country, cc)) {
                        MatrixRow *a = realloc(rows, (n_rows + 1) * sizeof(MatrixRow));
                        if (!a)
                                return log_oom();
                        rows = a;
                        rows[n_rows] = (MatrixRow) {};
                        snprintf(rows[n_rows].country, 3, "%s", cc);
                        n_rows++;
                }
                MatrixRow *row = &rows[n_rows - 1];
                row->worst = MAX(row->worst, MAX(level, regional));
                if (regional)
                        snprintf(row->cells[col], sizeof(row->cells[col]), "%d/%d", level, regional);
                else
                        snprintf(row->cells[col], sizeof(row->cells[col]), "%d", level);
        }
        if (rc != SQLITE_DONE)
                return step_error(ctl, rc);
        if (n_rows)
                qsort(rows, n_rows, sizeof(MatrixRow), matrix_compare);

        size_t n_sources = strv_length(sources);
        _cleanup_strv_free_ char **keys = NULL;
        if (strv_extend(&keys, "country") < 0 || strv_extend(&keys, "name") < 0)
                return log_oom();
        STRV_FOREACH(s, sources)
        if (strv_extend(&keys, *s) < 0)
                return log_oom();
        _cleanup_table_ Table *t = table_new((const char *const *) keys);
        if (!t)
                return log_oom();
        for (size_t i = 0; i < n_rows; i++) {
                if (rows[i].worst < min_level)
                        continue;
                if (table_new_row(t) < 0 || table_set_string(t, "country", rows[i].country) < 0 ||
                    table_set_string(t, "name", country_name(rows[i].country)) < 0)
                        return log_oom();
                for (size_t c = 0; c < n_sources; c++)
                        if (rows[i].cells[c][0] && table_set_string(t, sources[c], rows[i].cells[c]) < 0)
                                return log_oom();
        }
        ctl->style.max_width = 32;
        return ctl_print(ctl, t);
}

/* One block per country: every government's level, regional level, since when, wording, link. */
static int status_blocks(Ctl *ctl, char **countries) {
        ctl->style.max_width = LABEL_WIDTH;
        STRV_FOREACH(cc, countries) {
                _cleanup_table_ Table *t = table_new(status_keys);
                int r;

                if (!t)
                        return log_oom();
                r = status_query(ctl, *cc, 1, t);
                if (r < 0)
                        return r;
                printf("%s%s (%s)\n", cc == countries ? "" : "\n", country_name(*cc), *cc);
                if (table_rows(t) == 0) {
                        printf("  no government's advice recorded yet\n");
                        continue;
                }
                table_hide(t, "country");
                table_hide(t, "country_name");
                table_hide(t, "updated");
                table_hide(t, "observed_at");
                table_hide(t, "source");
                r = ctl_print(ctl, t);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ctl_status(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "min-level", required_argument, NULL, ARG_MIN_LEVEL },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_strv_free_ char **countries = NULL;
        int c, min_level = 1, r;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c != ARG_MIN_LEVEL)
                        return -EINVAL;
                if (safe_atoi(optarg, &min_level) < 0 || !level_valid(min_level))
                        return ctl_usage_error("--min-level takes 1 to 4, not '%s'", optarg);
        }
        for (int i = optind; i < argc; i++) {
                const Country *country = ctl_country(argv[i]);
                if (!country)
                        return -EINVAL;
                if (!strv_contains(countries, country->alpha2) &&
                    strv_extend(&countries, country->alpha2) < 0)
                        return log_oom();
        }
        if (ctl->style.format == OUTPUT_TABLE)
                return countries ? status_blocks(ctl, countries) : status_matrix(ctl, min_level);

        _cleanup_table_ Table *t = table_new(status_keys);
        if (!t)
                return log_oom();
        r = 0;
        if (!countries)
                r = status_query(ctl, NULL, min_level, t);
        STRV_FOREACH(cc, countries)
        if ((r = status_query(ctl, *cc, min_level, t)) < 0)
                break;
        return r < 0 ? r : ctl_print(ctl, t);
}

/* ---- history ---- */

static const char *const history_keys[] = { "source", "country", "level", "regional_level",
                                            "previous_level", "previous_regional_level", "since",
                                            "until", "lasted", "label", "updated", "url",
                                            "last_seen", NULL };

static int history_row(Table *t, sqlite3_stmt *st, const char *country, time_t now) {
        time_t since = (time_t) sqlite3_column_int64(st, 6);
        time_t until = (time_t) sqlite3_column_int64(st, 10);
        const char *s[4];

        column_text(st, 0, &s[0]);
        column_text(st, 3, &s[1]);
        column_text(st, 4, &s[2]);
        column_text(st, 5, &s[3]);
        if (table_new_row(t) < 0 || table_set_string(t, "source", s[0]) < 0 ||
            table_set_string(t, "country", country) < 0 ||
            table_set_level(t, "level", sqlite3_column_int(st, 1)) < 0 ||
            table_set_level(t, "regional_level", sqlite3_column_int(st, 2)) < 0 ||
            table_set_level(t, "previous_level", sqlite3_column_int(st, 8)) < 0 ||
            table_set_level(t, "previous_regional_level", sqlite3_column_int(st, 9)) < 0 ||
            table_set_time(t, "since", since) < 0 || table_set_time(t, "until", until) < 0 ||
            table_set_duration(t, "lasted", (until ? until : now) - since) < 0 ||
            table_set_string(t, "label", s[1]) < 0 || table_set_string(t, "updated", s[2]) < 0 ||
            table_set_string(t, "url", s[3]) < 0 ||
            table_set_time(t, "last_seen", (time_t) sqlite3_column_int64(st, 7)) < 0)
                return log_oom();
        return 0;
}

int ctl_history(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "since", required_argument, NULL, ARG_SINCE },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *source = NULL;
        const Country *country;
        time_t since = 0;
        int c, r, rc;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SOURCE)
                        source = optarg;
                else if (c == ARG_SINCE) {
                        if ((r = ctl_when(ctl, optarg, &since)) < 0)
                                return r;
                } else
                        return -EINVAL;
        }
        if (optind + 1 != argc)
                return ctl_usage_error("history takes one COUNTRY");
        if (!(country = ctl_country(argv[optind])))
                return -EINVAL;

        /* every period of the country; with --since, those that were in force after it */
        r = store_prepare(ctl->store,
                          "SELECT * FROM (SELECT source, level, regional_level, label, updated, url,"
                          " first_seen, last_seen, LAG(level) OVER w, LAG(regional_level) OVER w,"
                          " LEAD(first_seen) OVER w AS until FROM period WHERE country = ?1"
                          " AND (?2 IS NULL OR source = ?2)"
                          " WINDOW w AS (PARTITION BY source ORDER BY first_seen, id)"
                          " ORDER BY first_seen, source)"
                          " WHERE until IS NULL OR until > ?3",
                          &st);
        if (r < 0)
                return step_error(ctl, SQLITE_ERROR);
        sqlite3_bind_text(st, 1, country->alpha2, -1, SQLITE_STATIC);
        if (source)
                sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, since);

        _cleanup_table_ Table *t = table_new(history_keys);
        if (!t)
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if ((r = history_row(t, st, country->alpha2, ctl->now)) < 0)
                        return r;
        if (rc != SQLITE_DONE)
                return step_error(ctl, rc);
        table_hide(t, "country");
        table_hide(t, "previous_regional_level");
        table_hide(t, "updated");
        table_hide(t, "url");
        table_hide(t, "last_seen");
        ctl->style.max_width = LABEL_WIDTH;
        return ctl_print(ctl, t);
}

/* ---- changes ---- */

static const char *const change_keys[] = { "id",
                                           "event",
                                           "observed_at",
                                           "source",
                                           "country",
                                           "country_name",
                                           "previous_level",
                                           "level",
                                           "previous_regional_level",
                                           "regional_level",
                                           "label",
                                           "updated",
                                           "url",
                                           NULL };

static int change_row(Table *t, sqlite3_stmt *st) {
        const char *s[5];

        column_text(st, 1, &s[0]);
        column_text(st, 2, &s[1]);
        column_text(st, 5, &s[2]);
        column_text(st, 6, &s[3]);
        column_text(st, 7, &s[4]);
        if (table_new_row(t) < 0 || table_set_int(t, "id", sqlite3_column_int64(st, 0)) < 0 ||
            table_set_string(t, "event", "change") < 0 || table_set_string(t, "source", s[0]) < 0 ||
            table_set_string(t, "country", s[1]) < 0 ||
            table_set_string(t, "country_name", country_name(s[1])) < 0 ||
            table_set_level(t, "level", sqlite3_column_int(st, 3)) < 0 ||
            table_set_level(t, "regional_level", sqlite3_column_int(st, 4)) < 0 ||
            table_set_level(t, "previous_level", sqlite3_column_int(st, 9)) < 0 ||
            table_set_level(t, "previous_regional_level", sqlite3_column_int(st, 10)) < 0 ||
            table_set_string(t, "label", s[2]) < 0 || table_set_string(t, "updated", s[3]) < 0 ||
            table_set_string(t, "url", s[4]) < 0 ||
            table_set_time(t, "observed_at", (time_t) sqlite3_column_int64(st, 8)) < 0)
                return log_oom();
        return 0;
}

int ctl_changes(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "since", required_argument, NULL, ARG_SINCE },
                { "min-level", required_argument, NULL, ARG_MIN_LEVEL },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *source = NULL;
        time_t since = 0;
        int c, r, rc, min_level = 1;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SOURCE)
                        source = optarg;
                else if (c == ARG_SINCE) {
                        if ((r = ctl_when(ctl, optarg, &since)) < 0)
                                return r;
                } else if (c == ARG_MIN_LEVEL) {
                        if (safe_atoi(optarg, &min_level) < 0 || !level_valid(min_level))
                                return ctl_usage_error("--min-level takes 1 to 4, not '%s'", optarg);
                } else
                        return -EINVAL;
        }
        if (optind != argc)
                return ctl_usage_error("changes takes no arguments");

        /* a period with a predecessor is a change; the time index finds recent ones fast */
        r = store_prepare(ctl->store,
                          "SELECT p.id, p.source, p.country, p.level, p.regional_level, p.label,"
                          " p.updated, p.url, p.first_seen, q.level, q.regional_level"
                          " FROM period p JOIN period q ON q.id = ("
                          "   SELECT id FROM period WHERE source = p.source AND country = p.country"
                          "   AND (first_seen, id) < (p.first_seen, p.id)"
                          "   ORDER BY first_seen DESC, id DESC LIMIT 1)"
                          " WHERE p.first_seen >= ?1 AND (?2 IS NULL OR p.source = ?2)"
                          " AND MAX(p.level, IFNULL(p.regional_level, 0), q.level,"
                          "         IFNULL(q.regional_level, 0)) >= ?3"
                          " ORDER BY p.first_seen, p.id",
                          &st);
        if (r < 0)
                return step_error(ctl, SQLITE_ERROR);
        sqlite3_bind_int64(st, 1, since);
        if (source)
                sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, min_level);

        _cleanup_table_ Table *t = table_new(change_keys);
        if (!t)
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if ((r = change_row(t, st)) < 0)
                        return r;
        if (rc != SQLITE_DONE)
                return step_error(ctl, rc);
        table_hide(t, "id");
        table_hide(t, "event");
        table_hide(t, "country_name");
        table_hide(t, "updated");
        table_hide(t, "url");
        ctl->style.max_width = LABEL_WIDTH;
        return ctl_print(ctl, t);
}

/* ---- sources ---- */

static const char *const source_keys[] = { "source",        "enabled",      "state",
                                           "consecutive_failures",          "last_attempt",
                                           "last_success",  "last_error_class", "last_error",
                                           "documents",     "countries",    "next_poll",
                                           NULL };

/* Whether the configuration polls the source; unknown (null) without a configuration, rather
 * than "no" for a source the daemon may well be polling. */
static int source_set_enabled(const Ctl *ctl, Table *t, const char *id) {
        const SourceConfig *sc;

        if (!ctl->config)
                return table_set_string(t, "enabled", NULL);
        sc = config_find_source(ctl->config, id);
        return table_set_bool(t, "enabled", sc && sc->enabled);
}

static int source_row(Ctl *ctl, Table *t, sqlite3_stmt *st, const char *id) {
        bool polled = st && sqlite3_column_type(st, 1) != SQLITE_NULL;
        const char *state = polled ? (const char *) sqlite3_column_text(st, 1) : NULL;
        const char *cls = polled ? (const char *) sqlite3_column_text(st, 6) : NULL;
        const char *err = polled ? (const char *) sqlite3_column_text(st, 5) : NULL;

        if (table_new_row(t) < 0 || table_set_string(t, "source", id) < 0 ||
            source_set_enabled(ctl, t, id) < 0 ||
            table_set_string(t, "state", polled ? state : "ok") < 0 ||
            table_set_int(t, "consecutive_failures", polled ? sqlite3_column_int(st, 2) : 0) < 0 ||
            table_set_time(t, "last_attempt", polled ? (time_t) sqlite3_column_int64(st, 3) : 0) < 0 ||
            table_set_time(t, "last_success", polled ? (time_t) sqlite3_column_int64(st, 4) : 0) < 0 ||
            table_set_string(t, "last_error", err) < 0 ||
            table_set_string(t, "last_error_class", cls) < 0 ||
            table_set_int(t, "documents", polled ? sqlite3_column_int64(st, 7) : 0) < 0 ||
            table_set_int(t, "countries", polled ? sqlite3_column_int64(st, 9) : 0) < 0 ||
            table_set_time(t, "next_poll", polled ? (time_t) sqlite3_column_int64(st, 8) : 0) < 0)
                return log_oom();
        return 0;
}

int ctl_sources(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **seen = NULL;
        int c, r, rc;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                if (!ctl_common_option(ctl, c))
                        return -EINVAL;
        if (optind != argc)
                return ctl_usage_error("sources takes no arguments");
        r = store_prepare(ctl->store,
                          "SELECT id, state, consecutive_failures, last_attempt, last_success,"
                          " last_error, last_error_class, documents, next_poll,"
                          " (SELECT COUNT(DISTINCT country) FROM period WHERE source = s.id)"
                          " FROM source s ORDER BY id",
                          &st);
        if (r < 0)
                return step_error(ctl, SQLITE_ERROR);
        _cleanup_table_ Table *t = table_new(source_keys);
        if (!t)
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *id = (const char *) sqlite3_column_text(st, 0);
                if ((r = source_row(ctl, t, st, id)) < 0 || (r = strv_extend(&seen, id)) < 0)
                        return r;
        }
        if (rc != SQLITE_DONE)
                return step_error(ctl, rc);
        /* configured sources the daemon has not polled yet */
        for (size_t i = 0; ctl->config && i < ctl->config->n_sources; i++) {
                const char *id = ctl->config->sources[i].id;
                if (!strv_contains(seen, id) && (r = source_row(ctl, t, NULL, id)) < 0)
                        return r;
        }
        ctl->style.max_width = 48;
        return ctl_print(ctl, t);
}
