/* ctl-status.c: advisoryctl status: what every government advises now. Without countries, for
 * people, a matrix of countries × governments, highest level first; with countries, one block
 * per country. --json and --csv give one row per (source, country) either way. */
#include "ctl-options.h"
#include "ctl.h"

#include "advisory.h"
#include "log.h"

#define LABEL_WIDTH 60
#define MATRIX_SOURCES_MAX 16

#define STATUS_COLUMNS                                                                             \
        "SELECT source, country, level, regional_level, label, updated, url, first_seen,"         \
        " last_seen FROM period"

static const char *const status_keys[] = { "source", "government", "country", "country_name",
                                           "level", "regional_level", "since", "label",
                                           "updated", "url", "observed_at", NULL };

/* ---- the current periods ---- */

/* The current period of a (source, country) is its latest by (first_seen, id), as the daemon sees
 * it (store_current_states): imports may add older periods after newer ones. Rather than look at
 * every period (years of history), the cursor skips through period_by_country(country, source,
 * first_seen): one seek finds the next (country, source) pair, one more its latest period. */
typedef struct CurrentCursor {
        sqlite3_stmt *next_source, *next_country, *latest;
        char *country, *source; /* the pair last found */
} CurrentCursor;

static void current_cursor_done(CurrentCursor *c) {
        sqlite3_finalize(c->next_source);
        sqlite3_finalize(c->next_country);
        sqlite3_finalize(c->latest);
        free(c->country);
        free(c->source);
}

static int current_cursor_open(Ctl *ctl, CurrentCursor *c, const char *country) {
        if (store_prepare(ctl->store,
                          "SELECT country, source FROM period WHERE country = ?1 AND source > ?2"
                          " ORDER BY country, source LIMIT 1",
                          &c->next_source) < 0 ||
            store_prepare(ctl->store,
                          "SELECT country, source FROM period WHERE country > ?1"
                          " ORDER BY country, source LIMIT 1",
                          &c->next_country) < 0 ||
            store_prepare(ctl->store,
                          STATUS_COLUMNS " WHERE country = ?1 AND source = ?2"
                                         " ORDER BY first_seen DESC, id DESC LIMIT 1",
                          &c->latest) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        /* one country: its first source is the one after ""; all: start before the first country */
        if (free_and_strdup(&c->country, country ?: "") < 0 || free_and_strdup(&c->source, "") < 0)
                return log_oom();
        return 0;
}

/* Steps st (bound to the current pair) and moves to the pair it returns. 1: moved; 0: none. */
static int current_cursor_move(Ctl *ctl, CurrentCursor *c, sqlite3_stmt *st) {
        int rc;

        /* transient: the strings are replaced while the row is read */
        sqlite3_bind_text(st, 1, c->country, -1, SQLITE_TRANSIENT);
        if (sqlite3_bind_parameter_count(st) > 1)
                sqlite3_bind_text(st, 2, c->source, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW &&
            (free_and_strdup(&c->country, (const char *) sqlite3_column_text(st, 0)) < 0 ||
             free_and_strdup(&c->source, (const char *) sqlite3_column_text(st, 1)) < 0)) {
                sqlite3_reset(st);
                return log_oom();
        }
        sqlite3_reset(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
                return rc == SQLITE_ROW;
        return ctl_query_error(ctl, rc);
}

/* The latest period of the next pair, in c->latest (a row until the next call). 1: a row; 0: no
 * more pairs (of the country when only_one). */
static int current_cursor_next(Ctl *ctl, CurrentCursor *c, bool only_one) {
        int r, rc;

        r = current_cursor_move(ctl, c, c->next_source);
        if (r == 0 && !only_one)
                r = current_cursor_move(ctl, c, c->next_country);
        if (r <= 0)
                return r;
        sqlite3_reset(c->latest);
        sqlite3_bind_text(c->latest, 1, c->country, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->latest, 2, c->source, -1, SQLITE_STATIC);
        rc = sqlite3_step(c->latest);
        return rc == SQLITE_ROW ? 1 : ctl_query_error(ctl, rc);
}

static int status_row(Table *t, sqlite3_stmt *st) {
        const char *source = (const char *) sqlite3_column_text(st, 0);
        const char *country = (const char *) sqlite3_column_text(st, 1);

        if (table_new_row(t) < 0 || table_set_string(t, "source", source) < 0 ||
            table_set_string(t, "government", source_government(source)) < 0 ||
            table_set_string(t, "country", country) < 0 ||
            table_set_string(t, "country_name", country_name(country)) < 0 ||
            table_set_level(t, "level", sqlite3_column_int(st, 2)) < 0 ||
            table_set_level(t, "regional_level", sqlite3_column_int(st, 3)) < 0 ||
            table_set_string(t, "label", (const char *) sqlite3_column_text(st, 4)) < 0 ||
            table_set_string(t, "updated", (const char *) sqlite3_column_text(st, 5)) < 0 ||
            table_set_string(t, "url", (const char *) sqlite3_column_text(st, 6)) < 0 ||
            table_set_time(t, "since", (time_t) sqlite3_column_int64(st, 7)) < 0 ||
            table_set_time(t, "observed_at", (time_t) sqlite3_column_int64(st, 8)) < 0)
                return log_oom();
        return 0;
}

/* The current period of every (source, country), or of one country's sources: by country, then
 * source. */
static int status_query(Ctl *ctl, const char *country, int min_level, Table *t) {
        _cleanup_(current_cursor_done) CurrentCursor c = {};
        int r;

        if ((r = current_cursor_open(ctl, &c, country)) < 0)
                return r;
        while ((r = current_cursor_next(ctl, &c, country)) > 0) {
                if (MAX(sqlite3_column_int(c.latest, 2), sqlite3_column_int(c.latest, 3)) < min_level)
                        continue;
                if ((r = status_row(t, c.latest)) < 0)
                        return r;
        }
        return r;
}

/* ---- the matrix ---- */

typedef struct MatrixRow {
        char country[3];
        int worst;
        char cells[MATRIX_SOURCES_MAX][8]; /* "3", or "3/4" with a regional level; "" for none */
} MatrixRow;

typedef struct Matrix {
        char **sources; /* the columns, sorted */
        MatrixRow *rows;
        size_t n_rows;
} Matrix;

static void matrix_done(Matrix *m) {
        strv_free(m->sources);
        free(m->rows);
}

static int matrix_compare(const void *a, const void *b) {
        const MatrixRow *x = a, *y = b;
        if (x->worst != y->worst)
                return y->worst - x->worst;
        return strcmp(x->country, y->country);
}

/* The governments, sorted; beyond MATRIX_SOURCES_MAX only --json and --csv have them all. One
 * seek in period_by_source per government. */
static int matrix_sources(Ctl *ctl, Matrix *m) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc = SQLITE_DONE;

        if (store_prepare(ctl->store,
                          "SELECT source FROM period WHERE source > ?1 ORDER BY source LIMIT 1",
                          &st) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        sqlite3_bind_text(st, 1, "", -1, SQLITE_STATIC);
        while (strv_length(m->sources) < MATRIX_SOURCES_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (strv_extend(&m->sources, (const char *) sqlite3_column_text(st, 0)) < 0)
                        return log_oom();
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, m->sources[strv_length(m->sources) - 1], -1, SQLITE_STATIC);
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                return ctl_query_error(ctl, rc);
        return 0;
}

/* The row of a country; cells arrive sorted by country. NULL on OOM. */
static MatrixRow *matrix_row(Matrix *m, const char *country) {
        if (m->n_rows == 0 || !streq(m->rows[m->n_rows - 1].country, country)) {
                MatrixRow *a = realloc(m->rows, (m->n_rows + 1) * sizeof(MatrixRow));
                if (!a)
                        return NULL;
                m->rows = a;
                a[m->n_rows] = (MatrixRow) {};
                snprintf(a[m->n_rows].country, sizeof(a->country), "%s", country);
                m->n_rows++;
        }
        return &m->rows[m->n_rows - 1];
}

static int matrix_add(Matrix *m, const char *country, const char *source, int level, int regional) {
        MatrixRow *row;
        size_t col;

        for (col = 0; m->sources[col] && !streq(m->sources[col], source); col++)
                ;
        if (!m->sources[col])
                return 0;
        if (!(row = matrix_row(m, country)))
                return -ENOMEM;
        row->worst = MAX(row->worst, MAX(level, regional));
        if (regional)
                snprintf(row->cells[col], sizeof(row->cells[col]), "%d/%d", level, regional);
        else
                snprintf(row->cells[col], sizeof(row->cells[col]), "%d", level);
        return 0;
}

static int matrix_load(Ctl *ctl, Matrix *m) {
        _cleanup_(current_cursor_done) CurrentCursor c = {};
        int r;

        if ((r = matrix_sources(ctl, m)) < 0 || !m->sources)
                return r;
        if ((r = current_cursor_open(ctl, &c, NULL)) < 0)
                return r;
        while ((r = current_cursor_next(ctl, &c, false)) > 0)
                if (matrix_add(m, c.country, c.source, sqlite3_column_int(c.latest, 2),
                               sqlite3_column_int(c.latest, 3)) < 0)
                        return log_oom();
        if (r < 0)
                return r;
        if (m->n_rows)
                qsort(m->rows, m->n_rows, sizeof(MatrixRow), matrix_compare);
        return 0;
}

static Table *matrix_table(const Matrix *m) {
        _cleanup_strv_free_ char **keys = NULL;

        if (strv_extend(&keys, "country") < 0 || strv_extend(&keys, "name") < 0)
                return NULL;
        STRV_FOREACH(s, m->sources)
                if (strv_extend(&keys, *s) < 0)
                        return NULL;
        return table_new((const char *const *) keys);
}

static int status_matrix(Ctl *ctl, int min_level) {
        _cleanup_(matrix_done) Matrix m = {};
        _cleanup_table_ Table *t = NULL;
        int r;

        if ((r = matrix_load(ctl, &m)) < 0)
                return r;
        if (!(t = matrix_table(&m)))
                return log_oom();
        for (size_t i = 0; i < m.n_rows; i++) {
                const MatrixRow *row = &m.rows[i];
                if (row->worst < min_level)
                        continue;
                if (table_new_row(t) < 0 || table_set_string(t, "country", row->country) < 0 ||
                    table_set_string(t, "name", country_name(row->country)) < 0)
                        return log_oom();
                for (size_t c = 0; m.sources && m.sources[c]; c++)
                        if (row->cells[c][0] && table_set_string(t, m.sources[c], row->cells[c]) < 0)
                                return log_oom();
        }
        ctl->style.max_width = 32;
        return ctl_print(ctl, t);
}

/* ---- blocks ---- */

/* One block per country: every government's level, regional level, since when, wording, link. */
static int status_blocks(Ctl *ctl, char **countries, int min_level) {
        static const char *const hidden[] = { "source", "country", "country_name", "updated",
                                              "observed_at" };

        ctl->style.max_width = LABEL_WIDTH;
        STRV_FOREACH(cc, countries) {
                _cleanup_table_ Table *t = table_new(status_keys);
                int r;

                if (!t)
                        return log_oom();
                r = status_query(ctl, *cc, min_level, t);
                if (r < 0)
                        return r;
                printf("%s%s (%s)\n", cc == countries ? "" : "\n", country_name(*cc), *cc);
                if (table_rows(t) == 0) {
                        if (min_level > 1)
                                printf("  no government advises level %d or above\n", min_level);
                        else
                                printf("  no government's advice recorded yet\n");
                        continue;
                }
                for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                        table_hide(t, hidden[i]);
                if (table_set_header(t, "regional_level", "REGIONAL") < 0)
                        return log_oom();
                table_keep_whole(t, "url");
                if ((r = ctl_print(ctl, t)) < 0)
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

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c != ARG_MIN_LEVEL)
                        return -EINVAL;
                if ((r = ctl_min_level(optarg, &min_level)) < 0)
                        return r;
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
                return countries ? status_blocks(ctl, countries, min_level) : status_matrix(ctl, min_level);

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
