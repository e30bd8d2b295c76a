/* ctl-history.c: advisoryctl history (every period of one country, with how long each level
 * lasted) and changes (what changed across the world), and the change query the feed shares.
 * A period with a predecessor of the same (source, country) is a change; its row id is the
 * change id. */
#include "ctl-options.h"
#include "ctl.h"

#include "advisory.h"
#include "log.h"

#define LABEL_WIDTH 60

/* ---- history ---- */

static const char *const history_keys[] = { "id",
                                            "source",
                                            "country",
                                            "level",
                                            "regional_level",
                                            "previous_level",
                                            "previous_regional_level",
                                            "since",
                                            "until",
                                            "lasted",
                                            "label",
                                            "updated",
                                            "url",
                                            "last_seen",
                                            NULL };

/* Every period of the country in period_by_country order, so the window needs no sort; with
 * --since, those still in force after it. */
#define HISTORY_SQL                                                                                \
        "SELECT * FROM (SELECT id, source, level, regional_level, label, updated, url,"           \
        " first_seen, last_seen, LAG(level) OVER w, LAG(regional_level) OVER w,"                   \
        " LEAD(first_seen) OVER w AS until FROM period WHERE country = ?1"                         \
        " AND (?2 IS NULL OR source = ?2)"                                                         \
        " WINDOW w AS (PARTITION BY source ORDER BY first_seen, id))"                              \
        " WHERE until IS NULL OR until > ?3 ORDER BY first_seen, source, id"

static int history_row(Table *t, sqlite3_stmt *st, const char *country, time_t now) {
        time_t since = (time_t) sqlite3_column_int64(st, 7);
        time_t until = (time_t) sqlite3_column_int64(st, 11);

        if (table_new_row(t) < 0 || table_set_int(t, "id", sqlite3_column_int64(st, 0)) < 0 ||
            table_set_string(t, "source", (const char *) sqlite3_column_text(st, 1)) < 0 ||
            table_set_string(t, "country", country) < 0 ||
            table_set_level(t, "level", sqlite3_column_int(st, 2)) < 0 ||
            table_set_level(t, "regional_level", sqlite3_column_int(st, 3)) < 0 ||
            table_set_level(t, "previous_level", sqlite3_column_int(st, 9)) < 0 ||
            table_set_level(t, "previous_regional_level", sqlite3_column_int(st, 10)) < 0 ||
            table_set_time(t, "since", since) < 0 || table_set_time(t, "until", until) < 0 ||
            table_set_duration(t, "lasted", (until ? until : now) - since) < 0 ||
            table_set_string(t, "label", (const char *) sqlite3_column_text(st, 4)) < 0 ||
            table_set_string(t, "updated", (const char *) sqlite3_column_text(st, 5)) < 0 ||
            table_set_string(t, "url", (const char *) sqlite3_column_text(st, 6)) < 0 ||
            table_set_time(t, "last_seen", (time_t) sqlite3_column_int64(st, 8)) < 0)
                return log_oom();
        return 0;
}

static int history_print(Ctl *ctl, Table *t) {
        static const char *const hidden[] = { "id",      "country", "previous_regional_level",
                                              "updated", "url",     "last_seen" };

        for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                table_hide(t, hidden[i]);
        if (table_set_header(t, "regional_level", "REGIONAL") < 0 ||
            table_set_header(t, "previous_level", "PREVIOUS") < 0)
                return log_oom();
        ctl->style.max_width = LABEL_WIDTH;
        return ctl_print(ctl, t);
}

int ctl_history(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "since", required_argument, NULL, ARG_SINCE },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_table_ Table *t = NULL;
        const char *source = NULL;
        const Country *country;
        time_t since = 0;
        int c, r, rc;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
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

        if (store_prepare(ctl->store, HISTORY_SQL, &st) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        sqlite3_bind_text(st, 1, country->alpha2, -1, SQLITE_STATIC);
        if (source)
                sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, since);
        if (!(t = table_new(history_keys)))
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if ((r = history_row(t, st, country->alpha2, ctl->now)) < 0)
                        return r;
        if (rc != SQLITE_DONE)
                return ctl_query_error(ctl, rc);
        return history_print(ctl, t);
}

/* ---- changes ---- */

/* The latest `limit` changes (-1: all), newest first: period_by_time read backwards, and the
 * predecessor of each one seek in period_by_source. */
#define CHANGES_SQL                                                                                \
        "SELECT p.id, p.source, p.country, p.level, p.regional_level, p.label, p.updated, p.url," \
        " p.first_seen, q.level, q.regional_level"                                                \
        " FROM period p JOIN period q ON q.id = ("                                                \
        "   SELECT id FROM period WHERE source = p.source AND country = p.country"                \
        "   AND (first_seen, id) < (p.first_seen, p.id)"                                          \
        "   ORDER BY first_seen DESC, id DESC LIMIT 1)"                                           \
        " WHERE p.first_seen >= ?1 AND (?2 IS NULL OR p.source = ?2)"                             \
        " AND (?3 IS NULL OR p.country = ?3)"                                                     \
        " AND MAX(p.level, IFNULL(p.regional_level, 0), q.level,"                                 \
        "         IFNULL(q.regional_level, 0)) >= ?4"                                             \
        " ORDER BY p.first_seen DESC, p.id DESC LIMIT ?5"

void ctl_changes_free(Change *changes, size_t n) {
        for (size_t i = 0; i < n; i++)
                change_done(&changes[i]);
        free(changes);
}

static char *column_strdup(sqlite3_stmt *st, int i, bool *oom) {
        const char *s = (const char *) sqlite3_column_text(st, i);
        char *d = s ? strdup(s) : NULL;
        if (s && !d)
                *oom = true;
        return d;
}

static int change_read(sqlite3_stmt *st, Change *c) {
        bool oom = false;

        *c = (Change) {
                .id = sqlite3_column_int64(st, 0),
                .source = column_strdup(st, 1, &oom),
                .level = sqlite3_column_int(st, 3),
                .regional_level = sqlite3_column_int(st, 4),
                .label = column_strdup(st, 5, &oom),
                .updated = column_strdup(st, 6, &oom),
                .url = column_strdup(st, 7, &oom),
                .observed_at = (time_t) sqlite3_column_int64(st, 8),
                .previous_level = sqlite3_column_int(st, 9),
                .previous_regional_level = sqlite3_column_int(st, 10),
        };
        snprintf(c->country, sizeof(c->country), "%s", (const char *) sqlite3_column_text(st, 2));
        if (oom || !c->source) {
                change_done(c);
                return -ENOMEM;
        }
        return 0;
}

int ctl_load_changes(Ctl *ctl, const ChangeFilter *f, Change **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        Change *changes = NULL;
        size_t n = 0, allocated = 0;
        int r = 0, rc;

        if (store_prepare(ctl->store, CHANGES_SQL, &st) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        sqlite3_bind_int64(st, 1, f->since);
        if (f->source)
                sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
        if (f->country)
                sqlite3_bind_text(st, 3, f->country, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, f->min_level);
        sqlite3_bind_int64(st, 5, f->limit ? (sqlite3_int64) f->limit : -1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        Change *a = realloc(changes, MAX(allocated * 2, (size_t) 64) * sizeof(Change));
                        if (!a) {
                                r = -ENOMEM;
                                break;
                        }
                        changes = a;
                        allocated = MAX(allocated * 2, (size_t) 64);
                }
                if ((r = change_read(st, &changes[n])) < 0)
                        break;
                n++;
        }
        if (r < 0 || rc != SQLITE_DONE) {
                ctl_changes_free(changes, n);
                return r < 0 ? log_oom() : ctl_query_error(ctl, rc);
        }
        for (size_t i = 0; i < n / 2; i++) { /* oldest first */
                Change c = changes[i];
                changes[i] = changes[n - 1 - i];
                changes[n - 1 - i] = c;
        }
        *ret = changes;
        *ret_n = n;
        return 0;
}

/* The fields of the webhook payload (DESIGN.md); for people, in the order they read. */
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

static int change_row(Table *t, const Change *c) {
        if (table_new_row(t) < 0 || table_set_int(t, "id", c->id) < 0 ||
            table_set_string(t, "event", "change") < 0 ||
            table_set_string(t, "source", c->source) < 0 ||
            table_set_string(t, "country", c->country) < 0 ||
            table_set_string(t, "country_name", country_name(c->country)) < 0 ||
            table_set_level(t, "level", c->level) < 0 ||
            table_set_level(t, "regional_level", c->regional_level) < 0 ||
            table_set_level(t, "previous_level", c->previous_level) < 0 ||
            table_set_level(t, "previous_regional_level", c->previous_regional_level) < 0 ||
            table_set_string(t, "label", c->label) < 0 || table_set_string(t, "updated", c->updated) < 0 ||
            table_set_string(t, "url", c->url) < 0 ||
            table_set_time(t, "observed_at", c->observed_at) < 0)
                return -ENOMEM;
        return 0;
}

static int changes_print(Ctl *ctl, const Change *changes, size_t n) {
        static const char *const hidden[] = { "id", "event", "country_name", "updated", "url" };
        _cleanup_table_ Table *t = table_new(change_keys);

        if (!t)
                return log_oom();
        for (size_t i = 0; i < n; i++)
                if (change_row(t, &changes[i]) < 0)
                        return log_oom();
        for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                table_hide(t, hidden[i]);
        if (table_set_header(t, "observed_at", "OBSERVED") < 0 ||
            table_set_header(t, "previous_level", "FROM") < 0 ||
            table_set_header(t, "level", "TO") < 0 ||
            table_set_header(t, "previous_regional_level", "REGIONAL FROM") < 0 ||
            table_set_header(t, "regional_level", "REGIONAL TO") < 0)
                return log_oom();
        ctl->style.max_width = LABEL_WIDTH;
        return ctl_print(ctl, t);
}

int ctl_changes(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "since", required_argument, NULL, ARG_SINCE },
                { "min-level", required_argument, NULL, ARG_MIN_LEVEL },
                CTL_COMMON_OPTIONS,
                {},
        };
        ChangeFilter f = { .min_level = 1 };
        Change *changes = NULL;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SOURCE)
                        f.source = optarg;
                else if (c == ARG_SINCE) {
                        if ((r = ctl_when(ctl, optarg, &f.since)) < 0)
                                return r;
                } else if (c == ARG_MIN_LEVEL) {
                        if ((r = ctl_min_level(optarg, &f.min_level)) < 0)
                                return r;
                } else
                        return -EINVAL;
        }
        if (optind != argc)
                return ctl_usage_error("changes takes no arguments");
        if ((r = ctl_load_changes(ctl, &f, &changes, &n)) < 0)
                return r;
        r = changes_print(ctl, changes, n);
        ctl_changes_free(changes, n);
        return r;
}
