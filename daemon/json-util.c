/* json-util.c: loading and reading the JSON documents of the JSON sources. It knows jansson and
 * the failure classes; it knows nothing about any one publisher. */
#include "json-util.h"

#include <ctype.h>

#include "challenge.h"

static bool only_space(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r\n", p[i]) || p[i] == '\0')
                        return false;
        return true;
}

static bool looks_like_html(const char *p, size_t n) {
        while (n > 0 && isspace((unsigned char) *p))
                p++, n--;
        return n > 0 && *p == '<';
}

static int json_util_refuse(const ExtractInput *in, const char *what, const json_error_t *e,
                            ExtractError *err) {
        const char *challenge = challenge_detect(in->data, in->size);

        if (challenge)
                return extract_fail(err, FAILURE_BLOCKED, "%s instead of %s", challenge, what);
        if (looks_like_html(in->data, in->size))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "an HTML page instead of %s (error page?)", what);
        if (json_error_code(e) == json_error_premature_end_of_input)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "%s is truncated (JSON ends at line %d)", what, e->line);
        return extract_fail(err, FAILURE_INVALID_DOCUMENT, "%s is not valid JSON: line %d: %s",
                            what, e->line, e->text);
}

int json_util_load(const ExtractInput *in, const char *what, json_t **ret, ExtractError *err) {
        const char *p = in->data;
        size_t n = in->size;
        json_error_t e = {};
        json_t *v;

        if (n == 0 || !p)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        if (n > JSON_DOCUMENT_MAX)
                return extract_fail(err, FAILURE_TOO_LARGE, "%s is %zu bytes, more than %zu", what,
                                    n, JSON_DOCUMENT_MAX);
        if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3, n -= 3;
        if (only_space(p, n))
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document (white space)");
        /* no JSON_ALLOW_NUL: "\u0000" in a string is an error, so C strings are whole strings */
        v = json_loadb(p, n, JSON_REJECT_DUPLICATES, &e);
        if (!v)
                return json_util_refuse(in, what, &e, err);
        *ret = v;
        return 0;
}

json_t *json_util_get(json_t *root, const char *path) {
        json_t *v = root;

        for (const char *p = path; v;) {
                const char *dot = strchr(p, '.');
                size_t l = dot ? (size_t) (dot - p) : strlen(p);

                if (!json_is_object(v))
                        return NULL;
                v = json_object_getn(v, p, l);
                if (!dot)
                        break;
                p = dot + 1;
        }
        return v;
}

const char *json_util_string(json_t *root, const char *path) {
        json_t *v = json_util_get(root, path);
        return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *json_util_object(json_t *root, const char *path) {
        json_t *v = json_util_get(root, path);
        return json_is_object(v) ? v : NULL;
}

json_t *json_util_array(json_t *root, const char *path) {
        json_t *v = json_util_get(root, path);
        return json_is_array(v) ? v : NULL;
}

int json_util_integer(json_t *root, const char *path, json_int_t *ret) {
        json_t *v = json_util_get(root, path);

        if (!v || json_is_null(v))
                return -ENOENT;
        if (!json_is_integer(v))
                return -EBADMSG;
        *ret = json_integer_value(v);
        return 0;
}

int json_util_boolean(json_t *root, const char *path, bool *ret) {
        json_t *v = json_util_get(root, path);

        if (!v || json_is_null(v))
                return -ENOENT;
        if (!json_is_boolean(v))
                return -EBADMSG;
        *ret = json_is_true(v);
        return 0;
}

const char *json_util_type_name(const json_t *v) {
        switch (v ? json_typeof(v) : (json_type) -1) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return "string";
        case JSON_INTEGER:
                return "integer";
        case JSON_REAL:
                return "real";
        case JSON_TRUE:
        case JSON_FALSE:
                return "boolean";
        case JSON_NULL:
                return "null";
        default:
                return "nothing";
        }
}

const char *json_util_excerpt(const char *s, char buf[static JSON_EXCERPT_MAX]) {
        size_t i = 0;

        for (; s && s[i] && i < JSON_EXCERPT_MAX - 1; i++)
                buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        buf[i] = '\0';
        return buf;
}

int json_util_hand_over(AdvisoryList *out, AdvisoryList *records) {
        size_t n = records->n;

        advisory_list_sort(records);
        if (out->n == 0) {
                advisory_list_clear(out);
                *out = *records;
                *records = (AdvisoryList) {};
                return (int) n;
        }
        if (out->allocated - out->n < n) {
                Advisory *items = reallocarray(out->items, out->n + n, sizeof(Advisory));
                if (!items)
                        return -ENOMEM;
                out->items = items;
                out->allocated = out->n + n;
        }
        memcpy(out->items + out->n, records->items, n * sizeof(Advisory));
        out->n += n;
        free(records->items);
        *records = (AdvisoryList) {};
        return (int) n;
}
