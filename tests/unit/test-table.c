/* test-table.c: typed rows printed as an aligned table for people, JSON and RFC 4180 CSV: cell
 * types, nulls, quoting, headers, hidden columns, cutting long cells, colours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "table.h"
#include "util.h"

#define T_2022 ((time_t) 1641470400) /* 2022-01-06T12:00:00Z */

static const char *const keys[] = { "source", "level", "regional_level", "since", "lasted",
                                    "enabled", "label", NULL };

static char *print(const Table *t, TableStyle style) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        assert_int_equal(table_print(t, &style, f), 0);
        assert_int_equal(fclose(f), 0);
        return text;
}

static Table *sample(void) {
        Table *t = table_new(keys);

        assert_non_null(t);
        assert_int_equal(table_new_row(t), 0);
        assert_int_equal(table_set_string(t, "source", "us"), 0);
        assert_int_equal(table_set_level(t, "level", 3), 0);
        assert_int_equal(table_set_level(t, "regional_level", 0), 0); /* null */
        assert_int_equal(table_set_time(t, "since", T_2022), 0);
        assert_int_equal(table_set_duration(t, "lasted", 3 * 86400 + 4 * 3600), 0);
        assert_int_equal(table_set_bool(t, "enabled", true), 0);
        assert_int_equal(table_set_string(t, "label", "Level 3: \"Reconsider\", travel"), 0);
        assert_int_equal(table_new_row(t), 0);
        assert_int_equal(table_set_string(t, "source", "de"), 0);
        assert_int_equal(table_set_level(t, "level", 1), 0);
        assert_int_equal(table_set_level(t, "regional_level", 4), 0);
        assert_int_equal(table_set_string(t, "label", "Teil\nreisewarnung"), 0);
        /* since, lasted, enabled left unset: null */
        return t;
}

static void test_json(void **state _unused_) {
        _cleanup_table_ Table *t = sample();
        _cleanup_free_ char *out = print(t, (TableStyle) { .format = OUTPUT_JSON });

        assert_string_equal(out, "[\n"
                                 "  {\n"
                                 "    \"source\": \"us\",\n"
                                 "    \"level\": 3,\n"
                                 "    \"regional_level\": null,\n"
                                 "    \"since\": \"2022-01-06T12:00:00Z\",\n"
                                 "    \"lasted\": 273600,\n"
                                 "    \"enabled\": true,\n"
                                 "    \"label\": \"Level 3: \\\"Reconsider\\\", travel\"\n"
                                 "  },\n"
                                 "  {\n"
                                 "    \"source\": \"de\",\n"
                                 "    \"level\": 1,\n"
                                 "    \"regional_level\": 4,\n"
                                 "    \"since\": null,\n"
                                 "    \"lasted\": null,\n"
                                 "    \"enabled\": null,\n"
                                 "    \"label\": \"Teil\\nreisewarnung\"\n"
                                 "  }\n"
                                 "]\n");
}

static void test_json_empty(void **state _unused_) {
        _cleanup_table_ Table *t = table_new(keys);
        _cleanup_free_ char *out = print(t, (TableStyle) { .format = OUTPUT_JSON });

        assert_string_equal(out, "[]\n");
}

static void test_csv(void **state _unused_) {
        _cleanup_table_ Table *t = sample();
        _cleanup_free_ char *out = print(t, (TableStyle) { .format = OUTPUT_CSV });

        assert_string_equal(out, "source,level,regional_level,since,lasted,enabled,label\r\n"
                                 "us,3,,2022-01-06T12:00:00Z,273600,yes,"
                                 "\"Level 3: \"\"Reconsider\"\", travel\"\r\n"
                                 "de,1,4,,,,\"Teil\nreisewarnung\"\r\n");
}

static void test_text(void **state _unused_) {
        _cleanup_table_ Table *t = sample();
        _cleanup_free_ char *out = NULL;

        table_hide(t, "enabled");
        assert_int_equal(table_set_header(t, "regional_level", "REGIONAL"), 0);
        assert_int_equal(table_set_header(t, "nope", "X"), -EINVAL);
        out = print(t, (TableStyle) { .format = OUTPUT_TABLE });
        assert_string_equal(out,
                            "SOURCE  LEVEL  REGIONAL  SINCE                 LASTED  LABEL\n"
                            "us      3      -         2022-01-06T12:00:00Z  3d 4h   Level 3: \"Reconsider\", travel\n"
                            "de      1      4         -                     -       Teil reisewarnung\n");
}

static void test_text_cuts_long_cells(void **state _unused_) {
        static const char *const two[] = { "label", "url", NULL };
        _cleanup_table_ Table *t = table_new(two);
        _cleanup_free_ char *cut = NULL, *whole = NULL;

        assert_non_null(t);
        assert_int_equal(table_new_row(t), 0);
        assert_int_equal(table_set_string(t, "label", "Fraråder alle reiser til landet"), 0);
        assert_int_equal(table_set_string(t, "url", "https://example.org/a/long/path"), 0);
        cut = print(t, (TableStyle) { .max_width = 10 });
        assert_string_equal(cut, "LABEL       URL\n"
                                 "Fraråder …  https://e…\n");
        table_keep_whole(t, "url");
        whole = print(t, (TableStyle) { .max_width = 10 });
        assert_string_equal(whole, "LABEL       URL\n"
                                   "Fraråder …  https://example.org/a/long/path\n");
}

static void test_text_colours_levels(void **state _unused_) {
        _cleanup_table_ Table *t = sample();
        _cleanup_free_ char *plain = print(t, (TableStyle) {});
        _cleanup_free_ char *coloured = print(t, (TableStyle) { .color = true });

        assert_null(strchr(plain, '\033'));
        assert_non_null(strstr(coloured, "\033[38;5;208m3\033[0m")); /* level 3: orange */
        assert_non_null(strstr(coloured, "\033[31m4\033[0m"));       /* regional level 4: red */
        assert_null(strstr(coloured, "\033[32mus")); /* only levels */
}

static void test_unknown_key_and_no_row(void **state _unused_) {
        _cleanup_table_ Table *t = table_new(keys);

        assert_int_equal(table_set_string(t, "source", "us"), -EINVAL); /* no row yet */
        assert_int_equal(table_new_row(t), 0);
        assert_int_equal(table_set_int(t, "bogus", 1), -EINVAL);
        assert_int_equal(table_rows(t), 1);
}

static void test_format_span(void **state _unused_) {
        char buf[32];

        assert_string_equal(format_span(buf, sizeof(buf), 40), "40s");
        assert_string_equal(format_span(buf, sizeof(buf), 125), "2m 5s");
        assert_string_equal(format_span(buf, sizeof(buf), 5 * 3600 + 12 * 60), "5h 12m");
        assert_string_equal(format_span(buf, sizeof(buf), 219 * 86400 + 12 * 3600), "219d 12h");
        assert_int_equal(utf8_width("Fraråder"), 8);
        assert_int_equal(utf8_width("…"), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_json_empty),
                cmocka_unit_test(test_csv),
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_text_cuts_long_cells),
                cmocka_unit_test(test_text_colours_levels),
                cmocka_unit_test(test_unknown_key_and_no_row),
                cmocka_unit_test(test_format_span),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
