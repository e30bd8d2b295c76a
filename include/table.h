/* table.h: rows of typed cells printed as an aligned table for people, a JSON array of objects,
 * or RFC 4180 CSV with a header row. Used by advisoryctl. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

typedef enum OutputFormat {
        OUTPUT_TABLE,
        OUTPUT_JSON,
        OUTPUT_CSV,
} OutputFormat;

typedef enum CellType {
        CELL_NULL,
        CELL_STRING,
        CELL_INT,
        CELL_TIME,     /* Unix seconds, printed as ISO 8601 */
        CELL_DURATION, /* seconds, printed as "3d 4h" (JSON/CSV: seconds) */
        CELL_BOOL,
} CellType;

typedef struct Table Table;

/* keys: JSON keys and CSV header; NULL-terminated. Headers for people are the keys upper-cased
 * with '_' turned to ' ', unless table_set_header() says otherwise. */
Table *table_new(const char *const *keys);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        table_free(*t);
}
#define _cleanup_table_ _cleanup_(table_freep)
/* Hides a column in the people's table (still in JSON and CSV). */
void table_hide(Table *t, const char *key);
/* Never cuts the cells of a column to TableStyle.max_width (links). */
void table_keep_whole(Table *t, const char *key);
/* The header of a column in the people's table (JSON and CSV use the key). */
int table_set_header(Table *t, const char *key, const char *header);
int table_new_row(Table *t);
/* Sets a cell of the last row. Strings are copied; NULL strings are null. */
int table_set_string(Table *t, const char *key, const char *v);
int table_set_int(Table *t, const char *key, int64_t v); /* v <= 0 with table_set_level: null */
int table_set_level(Table *t, const char *key, int level);
int table_set_time(Table *t, const char *key, time_t v); /* 0: null */
int table_set_duration(Table *t, const char *key, int64_t seconds);
int table_set_bool(Table *t, const char *key, bool v);
size_t table_rows(const Table *t);

typedef struct TableStyle {
        OutputFormat format;
        bool local_time; /* times in local time instead of UTC */
        bool color;      /* levels coloured (only for a terminal) */
        size_t max_width; /* cut long cells in the people's table (0: no limit) */
} TableStyle;

int table_print(const Table *t, const TableStyle *style, FILE *f);

/* "3d 4h", "5h 12m", "40s". */
char *format_span(char *buf, size_t size, int64_t seconds);
/* Display width of UTF-8 text (code points; wide characters are not special-cased). */
size_t utf8_width(const char *s);
