/* table.c: typed rows → aligned text, JSON or CSV. */
#include "table.h"

#include <jansson.h>

#include "timeutil.h"
#include <ctype.h>

#include "util.h"

typedef struct Cell {
        CellType type;
        char *s;
        int64_t i;
} Cell;

struct Table {
        char **keys;
        char **headers; /* NULL entries: derived from the key */
        bool *hidden;
        bool *whole; /* never cut */
        size_t n_columns;
        Cell *cells; /* n_rows × n_columns */
        size_t n_rows;
};

Table *table_new(const char *const *keys) {
        Table *t = calloc(1, sizeof(Table));
        if (!t)
                return NULL;
        t->n_columns = strv_length((char *const *) keys);
        if (!(t->keys = strv_copy((char *const *) keys)) ||
            !(t->headers = calloc(t->n_columns, sizeof(char *))) ||
            !(t->hidden = calloc(t->n_columns, sizeof(bool))) ||
            !(t->whole = calloc(t->n_columns, sizeof(bool))))
                return table_free(t);
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i].s);
        free(t->cells);
        for (size_t i = 0; t->headers && i < t->n_columns; i++)
                free(t->headers[i]);
        free(t->headers);
        strv_free(t->keys);
        free(t->hidden);
        free(t->whole);
        free(t);
        return NULL;
}

static ssize_t table_column(const Table *t, const char *key) {
        for (size_t i = 0; i < t->n_columns; i++)
                if (streq(t->keys[i], key))
                        return (ssize_t) i;
        return -1;
}

void table_hide(Table *t, const char *key) {
        ssize_t c = table_column(t, key);
        if (c >= 0)
                t->hidden[c] = true;
}

void table_keep_whole(Table *t, const char *key) {
        ssize_t c = table_column(t, key);
        if (c >= 0)
                t->whole[c] = true;
}

int table_set_header(Table *t, const char *key, const char *header) {
        ssize_t c = table_column(t, key);
        if (c < 0)
                return -EINVAL;
        return free_and_strdup(&t->headers[c], header);
}

int table_new_row(Table *t) {
        Cell *c = realloc(t->cells, (t->n_rows + 1) * t->n_columns * sizeof(Cell));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        memset(&c[t->n_rows * t->n_columns], 0, t->n_columns * sizeof(Cell));
        t->n_rows++;
        return 0;
}

size_t table_rows(const Table *t) {
        return t->n_rows;
}

static Cell *table_cell(Table *t, const char *key) {
        ssize_t c = table_column(t, key);
        if (c < 0 || t->n_rows == 0)
                return NULL;
        return &t->cells[(t->n_rows - 1) * t->n_columns + (size_t) c];
}

int table_set_string(Table *t, const char *key, const char *v) {
        Cell *c = table_cell(t, key);
        if (!c)
                return -EINVAL;
        if (!v) {
                c->type = CELL_NULL;
                return 0;
        }
        c->type = CELL_STRING;
        return free_and_strdup(&c->s, v);
}

static int table_set(Table *t, const char *key, CellType type, int64_t v) {
        Cell *c = table_cell(t, key);
        if (!c)
                return -EINVAL;
        c->type = type;
        c->i = v;
        return 0;
}

int table_set_int(Table *t, const char *key, int64_t v) {
        return table_set(t, key, CELL_INT, v);
}

int table_set_level(Table *t, const char *key, int level) {
        return table_set(t, key, level > 0 ? CELL_INT : CELL_NULL, level);
}

int table_set_time(Table *t, const char *key, time_t v) {
        return table_set(t, key, v > 0 ? CELL_TIME : CELL_NULL, (int64_t) v);
}

int table_set_duration(Table *t, const char *key, int64_t seconds) {
        return table_set(t, key, seconds >= 0 ? CELL_DURATION : CELL_NULL, seconds);
}

int table_set_bool(Table *t, const char *key, bool v) {
        return table_set(t, key, CELL_BOOL, v);
}

char *format_span(char *buf, size_t size, int64_t s) {
        if (s >= 86400)
                snprintf(buf, size, "%lldd %lldh", (long long) (s / 86400), (long long) (s % 86400 / 3600));
        else if (s >= 3600)
                snprintf(buf, size, "%lldh %lldm", (long long) (s / 3600), (long long) (s % 3600 / 60));
        else if (s >= 60)
                snprintf(buf, size, "%lldm %llds", (long long) (s / 60), (long long) (s % 60));
        else
                snprintf(buf, size, "%llds", (long long) s);
        return buf;
}

size_t utf8_width(const char *s) {
        size_t w = 0;
        for (; *s; s++)
                w += ((unsigned char) *s & 0xc0) != 0x80;
        return w;
}

/* The text of a cell for people and CSV; NULL for null. */
static char *cell_text(const Cell *c, const TableStyle *style, bool human) {
        char buf[64];
        switch (c->type) {
        case CELL_NULL:
                return NULL;
        case CELL_STRING:
                return strdup(c->s);
        case CELL_INT:
                return strprintf("%lld", (long long) c->i);
        case CELL_BOOL:
                return strdup(c->i ? "yes" : "no");
        case CELL_TIME:
                return strdup(format_iso8601(buf, (time_t) c->i, style->local_time));
        case CELL_DURATION:
                if (!human)
                        return strprintf("%lld", (long long) c->i);
                return strdup(format_span(buf, sizeof(buf), c->i));
        }
        return NULL;
}

static json_t *cell_json(const Cell *c, const TableStyle *style) {
        char buf[ISO8601_MAX];
        switch (c->type) {
        case CELL_STRING:
                return json_string(c->s);
        case CELL_INT:
        case CELL_DURATION:
                return json_integer(c->i);
        case CELL_BOOL:
                return json_boolean(c->i);
        case CELL_TIME:
                return json_string(format_iso8601(buf, (time_t) c->i, style->local_time));
        default:
                return json_null();
        }
}

static int table_print_json(const Table *t, const TableStyle *style, FILE *f) {
        json_t *a = json_array();
        if (!a)
                return -ENOMEM;
        for (size_t r = 0; r < t->n_rows; r++) {
                json_t *o = json_object();
                if (!o || json_array_append_new(a, o) < 0)
                        goto oom;
                for (size_t c = 0; c < t->n_columns; c++)
                        if (json_object_set_new(o, t->keys[c],
                                                cell_json(&t->cells[r * t->n_columns + c], style)) < 0)
                                goto oom;
        }
        if (json_dumpf(a, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
                goto oom;
        fputc('\n', f);
        json_decref(a);
        return 0;
oom:
        json_decref(a);
        return -ENOMEM;
}

static void csv_field(FILE *f, const char *s) {
        if (!s)
                return;
        if (!strpbrk(s, ",\"\r\n")) {
                fputs(s, f);
                return;
        }
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"')
                        fputc('"', f);
                fputc(*s, f);
        }
        fputc('"', f);
}

static int table_print_csv(const Table *t, const TableStyle *style, FILE *f) {
        for (size_t c = 0; c < t->n_columns; c++) {
                csv_field(f, t->keys[c]);
                fputs(c + 1 < t->n_columns ? "," : "\r\n", f);
        }
        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t c = 0; c < t->n_columns; c++) {
                        _cleanup_free_ char *s = cell_text(&t->cells[r * t->n_columns + c], style, false);
                        csv_field(f, s);
                        fputs(c + 1 < t->n_columns ? "," : "\r\n", f);
                }
        return 0;
}

static char *header_text(const char *key) {
        char *h = strdup(key);
        if (!h)
                return NULL;
        for (char *p = h; *p; p++)
                *p = *p == '_' ? ' ' : (char) toupper((unsigned char) *p);
        return h;
}

/* s (wider than w > 1 columns) cut to w columns, the last one "…"; a new string. "…" takes three
 * bytes: it does not fit in place of two ASCII characters. */
static char *cut_to_width(const char *s, size_t w) {
        size_t cols = 0;
        const char *p;

        for (p = s; *p; p++)
                if (((unsigned char) *p & 0xc0) != 0x80 && cols++ == w - 1)
                        break;
        return strprintf("%.*s…", (int) (p - s), s);
}

static const char *level_color(const char *key, const Cell *c) {
        static const char *const colors[] = { "", "\033[32m", "\033[33m", "\033[38;5;208m", "\033[31m" };
        if (c->type != CELL_INT || !strstr(key, "level") || c->i < 1 || c->i > 4)
                return NULL;
        return colors[c->i];
}

static int table_print_text(const Table *t, const TableStyle *style, FILE *f) {
        size_t n = t->n_columns, *width = calloc(n, sizeof(size_t));
        char **text = calloc((t->n_rows + 1) * n, sizeof(char *));
        int r = -ENOMEM;

        if (!width || !text)
                goto finish;
        for (size_t c = 0; c < n; c++)
                if (!(text[c] = t->headers[c] ? strdup(t->headers[c]) : header_text(t->keys[c])))
                        goto finish;
        for (size_t i = 0; i < t->n_rows * n; i++) {
                char *s = cell_text(&t->cells[i], style, true);
                if (!s && !(s = strdup("-")))
                        goto finish;
                for (char *p = s; *p; p++) /* one line per row, whatever the text */
                        if ((unsigned char) *p < ' ')
                                *p = ' ';
                text[n + i] = s;
                if (style->max_width > 1 && !t->whole[i % n] && utf8_width(s) > style->max_width) {
                        if (!(s = cut_to_width(text[n + i], style->max_width)))
                                goto finish;
                        free(text[n + i]);
                        text[n + i] = s;
                }
        }
        for (size_t i = 0; i < (t->n_rows + 1) * n; i++)
                width[i % n] = MAX(width[i % n], utf8_width(text[i]));
        for (size_t row = 0; row <= t->n_rows; row++) {
                size_t last = n;
                while (last > 0 && t->hidden[last - 1])
                        last--;
                for (size_t c = 0; c < last; c++) {
                        const char *s = text[row * n + c];
                        const char *color = row > 0 && style->color
                                                    ? level_color(t->keys[c],
                                                                  &t->cells[(row - 1) * n + c])
                                                    : NULL;
                        if (t->hidden[c])
                                continue;
                        fprintf(f, "%s%s%s", color ? color : "", s, color ? "\033[0m" : "");
                        if (c + 1 < last)
                                fprintf(f, "%*s", (int) (width[c] - utf8_width(s) + 2), "");
                }
                fputc('\n', f);
        }
        r = 0;
finish:
        for (size_t i = 0; text && i < (t->n_rows + 1) * n; i++)
                free(text[i]);
        free(text);
        free(width);
        return r;
}

int table_print(const Table *t, const TableStyle *style, FILE *f) {
        switch (style->format) {
        case OUTPUT_JSON:
                return table_print_json(t, style, f);
        case OUTPUT_CSV:
                return table_print_csv(t, style, f);
        default:
                return table_print_text(t, style, f);
        }
}
