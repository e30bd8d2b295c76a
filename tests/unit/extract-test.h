/* extract-test.h: what the extractor tests (test-source-*.c) share: reading fixtures and the
 * optional real samples, running a built-in extractor, comparing records with the expected ones,
 * the refusal check (a refused document fails with its class and a one-line reason, and leaves
 * what the caller had), a document cut everywhere, fixtures grown with filler destinations, and
 * long strings. No test cases: each program keeps its own. Each program is one translation unit,
 * so everything here is static inline. */
#pragma once

#include <assert.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "country.h"
#include "source.h"
#include "util.h"

#define FIXTURE_MAX (16 * 1024 * 1024)
#define SAMPLE_PATH_MAX 4096

/* ---- files ---- */

/* name in tests/fixtures/<subdir>, or in $ADVISORYD_TESTDATA/<subdir> when that is set. */
static inline char *fixture_path(const char *subdir, const char *name) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        char *p = strprintf("%s/%s/%s", dir ? dir : "tests/fixtures", subdir, name);

        assert_non_null(p);
        return p;
}

/* A fixture's bytes, followed by a NUL; the test fails when it cannot be read. */
static inline char *read_fixture(const char *subdir, const char *name, size_t *ret_size) {
        _cleanup_free_ char *path = fixture_path(subdir, name);
        char *data = NULL;
        int r = read_full_file(path, FIXTURE_MAX, &data, ret_size);

        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return data;
}

/* Writes where the optional real sample name is to path: under $ADVISORYD_SAMPLES, else
 * ../shared/travel-advisory-samples. Returns whether it can be read. A test that skips without
 * it decides before it allocates anything: skip() longjmps past the cleanup handlers. */
static inline bool sample_find(char path[static SAMPLE_PATH_MAX], const char *name) {
        const char *dir = getenv("ADVISORYD_SAMPLES");
        int n = snprintf(path, SAMPLE_PATH_MAX, "%s/%s",
                         dir ? dir : "../shared/travel-advisory-samples", name);

        assert_true(n > 0 && n < SAMPLE_PATH_MAX);
        return access(path, R_OK) == 0;
}

/* n times c, followed by a NUL. */
static inline char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);

        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

/* ---- the extractor under test ---- */

/* How a publisher's fixtures grow to the size of a whole index (ca, de, au): filler
 * destinations at level 1, which the extractor must read like the others. */
typedef struct Filler {
        const char *after; /* the fillers go right after the first occurrence of this */
        size_t n;          /* how many make a fixture a whole index */
        const char *label; /* the label of their records */
        /* whether c may be a filler in data: the document must not name it */
        bool (*usable)(const Country *c, const char *data);
        /* appends c's filler, all[i] of country_all(), to b */
        int (*append)(Buffer *b, const Country *c, size_t i);
} Filler;

typedef struct ExtractTest {
        ExtractFn extract;
        const char *url;      /* the document's address */
        const char *fixtures; /* its subdirectory of tests/fixtures */
        const Filler *filler; /* NULL: its fixtures are read as they are */
} ExtractTest;

static inline int extract(const ExtractTest *t, const char *data, size_t size, AdvisoryList *out,
                          ExtractError *err) {
        ExtractInput in = { .data = data, .size = size, .url = t->url };

        return t->extract(&in, out, err);
}

/* data with n of t's fillers inserted; their codes go to fillers (n + 1 entries, the last NULL)
 * unless it is NULL. */
static inline char *pad(const ExtractTest *t, const char *data, size_t n, const char **fillers) {
        const Filler *f = t->filler;
        size_t n_all, k = 0;
        const Country *all = country_all(&n_all);
        const char *at;
        Buffer b = {};

        assert(f); /* only a source with fillers pads its fixtures */
        at = strstr(data, f->after);
        assert_non_null(at);
        at += strlen(f->after);
        assert_int_equal(buffer_append(&b, data, at - data), 0);
        for (size_t i = 0; i < n_all && k < n; i++) {
                if (!f->usable(&all[i], data))
                        continue;
                assert_int_equal(f->append(&b, &all[i], i), 0);
                if (fillers)
                        fillers[k] = all[i].alpha2;
                k++;
        }
        assert_int_equal(k, n);
        if (fillers)
                fillers[k] = NULL;
        assert_int_equal(buffer_puts(&b, at), 0);
        return buffer_steal(&b);
}

/* ---- records ---- */

typedef struct Expected {
        const char *country;
        int level, regional; /* regional: LEVEL_NONE for none */
        const char *label;   /* NULL: not checked */
        const char *updated; /* NULL: none */
        const char *url;     /* NULL: none */
} Expected;

/* r, what an extraction into l returned, says it succeeded with the records in l. */
static inline void check_extracted(const char *what, int r, const AdvisoryList *l,
                                   const ExtractError *err) {
        if (r < 0)
                fail_msg("%s: extraction failed (%s): %s", what,
                         failure_class_to_string(err->failure), err->message);
        assert_int_equal(r, (int) l->n);
}

/* a, which has e's country, is e. */
static inline void check_advisory(const char *what, const Advisory *a, const Expected *e) {
        if (a->level != e->level || a->regional_level != e->regional)
                fail_msg("%s: %s level %d/%d, want %d/%d", what, a->country, a->level,
                         a->regional_level, e->level, e->regional);
        if (e->label && !streq(a->label, e->label))
                fail_msg("%s: %s label \"%s\", want \"%s\"", what, a->country, a->label, e->label);
        if (!streq_ptr(a->updated, e->updated))
                fail_msg("%s: %s updated %s, want %s", what, a->country, strna(a->updated),
                         strna(e->updated));
        if (!streq_ptr(a->url, e->url))
                fail_msg("%s: %s url %s, want %s", what, a->country, strna(a->url), strna(e->url));
}

/* l is want, n records in this order. */
static inline void check_records(const char *what, const AdvisoryList *l, const Expected *want,
                                 size_t n) {
        for (size_t i = 0; i < l->n && i < n; i++) {
                if (!streq(l->items[i].country, want[i].country))
                        fail_msg("%s: record %zu is %s, want %s", what, i, l->items[i].country,
                                 want[i].country);
                check_advisory(what, &l->items[i], &want[i]);
        }
        if (l->n != n)
                fail_msg("%s: %zu records, want %zu", what, l->n, n);
}

/* l holds each of want's n records, and perhaps others. */
static inline void check_wanted(const char *what, const AdvisoryList *l, const Expected *want,
                                size_t n) {
        for (size_t i = 0; i < n; i++) {
                const Advisory *a = advisory_list_find(l, want[i].country);

                if (!a)
                        fail_msg("%s: no record for %s", what, want[i].country);
                check_advisory(what, a, &want[i]);
        }
}

/* None of the n codes has a record in l. */
static inline void check_absent(const char *what, const AdvisoryList *l, const char *const *codes,
                                size_t n) {
        for (size_t i = 0; i < n; i++)
                if (advisory_list_find(l, codes[i]))
                        fail_msg("%s: a record for %s", what, codes[i]);
}

/* Each of fillers (NULL-terminated) has its record: level 1, no regional level, label. */
static inline void check_fillers(const AdvisoryList *l, const char *const *fillers,
                                 const char *label) {
        for (const char *const *c = fillers; *c; c++) {
                const Advisory *a = advisory_list_find(l, *c);

                if (!a || a->level != 1 || a->regional_level != LEVEL_NONE ||
                    !streq(a->label, label))
                        fail_msg("filler %s: missing or wrong", *c);
        }
}

typedef struct FixtureCase {
        const char *file;
        const Expected *records; /* check_fixture(): in the order the extractor gives them */
        size_t n;
} FixtureCase;

#define FIXTURE_CASE(file, records) { file, records, ELEMENTSOF(records) }

/* The fixture gives exactly c's records. */
static inline void check_fixture(const ExtractTest *t, const FixtureCase *c) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        ExtractError err = {};
        size_t size;

        data = read_fixture(t->fixtures, c->file, &size);
        check_extracted(c->file, extract(t, data, size, &l, &err), &l, &err);
        check_records(c->file, &l, c->records, c->n);
}

/* Extracts the fixture, grown to a whole index, into l: c's records in any order, one for each
 * filler, and no other. */
static inline void check_padded_fixture(const ExtractTest *t, const FixtureCase *c,
                                        AdvisoryList *l) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        _cleanup_free_ const char **fillers = NULL;
        ExtractError err = {};
        size_t size;

        assert(t->filler);
        fillers = calloc(t->filler->n + 1, sizeof(char *));
        assert_non_null(fillers);
        data = read_fixture(t->fixtures, c->file, &size);
        doc = pad(t, data, t->filler->n, fillers);
        check_extracted(c->file, extract(t, doc, strlen(doc), l, &err), l, &err);
        assert_int_equal(l->n, c->n + t->filler->n);
        check_wanted(c->file, l, c->records, c->n);
        check_fillers(l, fillers, t->filler->label);
}

/* ---- refused documents ---- */

/* t refuses data: -EBADMSG, the failure class, a one-line reason that contains reason (unless
 * NULL), and the list it was given, which held a record, as it was. */
static inline void check_refused(const ExtractTest *t, const char *what, const char *data,
                                 size_t size, FailureClass failure, const char *reason) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r;

        assert_int_equal(advisory_list_add(&l, "NO", 2, LEVEL_NONE, "before", NULL, NULL), 0);
        r = extract(t, data, size, &l, &err);
        if (r >= 0)
                fail_msg("%s: %d records, want a failure", what, r);
        assert_int_equal(r, -EBADMSG);
        if (err.failure != failure)
                fail_msg("%s: failure %s (%s), want %s", what, failure_class_to_string(err.failure),
                         err.message, failure_class_to_string(failure));
        if (isempty(err.message))
                fail_msg("%s: no reason given", what);
        if (strchr(err.message, '\n'))
                fail_msg("%s: reason is not one line: %s", what, err.message);
        if (reason && !strstr(err.message, reason))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", what, err.message, reason);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.items[0].country, "NO");
        assert_string_equal(l.items[0].label, "before");
}

typedef struct HostileCase {
        const char *file;
        FailureClass failure;
        const char *reason; /* a part of the message; NULL: any */
        bool padded;        /* grown to a whole index first (see Filler) */
} HostileCase;

/* Each of the n fixtures is refused (check_refused). */
static inline void check_hostile(const ExtractTest *t, const HostileCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *data = NULL, *padded = NULL;
                size_t size;

                data = read_fixture(t->fixtures, cases[i].file, &size);
                if (cases[i].padded) {
                        padded = pad(t, data, t->filler->n, NULL);
                        check_refused(t, cases[i].file, padded, strlen(padded), cases[i].failure,
                                      cases[i].reason);
                } else
                        check_refused(t, cases[i].file, data, size, cases[i].failure,
                                      cases[i].reason);
        }
}

/* The fixture (grown to a whole index when t has fillers) cut anywhere before its trailing white
 * space is refused as an invalid document: at most max_cuts cuts, evenly spaced; SIZE_MAX: at
 * every byte. */
static inline void check_truncations(const ExtractTest *t, const char *file, size_t max_cuts) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        size_t size, end;

        data = read_fixture(t->fixtures, file, &size);
        if (t->filler) {
                doc = pad(t, data, t->filler->n, NULL);
                size = strlen(doc);
        } else
                doc = TAKE_PTR(data);
        for (end = size; end > 0 && strchr(" \n\t\r", doc[end - 1]); end--)
                ;
        for (size_t cut = 0; cut < end; cut += end / max_cuts + 1) {
                char what[32], saved = doc[cut];

                snprintf(what, sizeof(what), "cut at %zu", cut);
                doc[cut] = '\0';
                check_refused(t, what, doc, cut, FAILURE_INVALID_DOCUMENT, NULL);
                doc[cut] = saved;
        }
}

/* An index of fewer than min records is refused: the fixture, with readable records, grown to
 * one fewer is an invalid document "fewer than" min; grown to min it gives min records. */
static inline void check_threshold(const ExtractTest *t, const char *file, size_t readable,
                                   size_t min) {
        _cleanup_free_ char *data = NULL, *below = NULL, *enough = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;

        data = read_fixture(t->fixtures, file, &size);
        below = pad(t, data, min - readable - 1, NULL);
        assert_int_equal(extract(t, below, strlen(below), &l, &err), -EBADMSG);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "fewer than"));
        assert_int_equal(l.n, 0);
        enough = pad(t, data, min - readable, NULL);
        assert_int_equal(extract(t, enough, strlen(enough), &l, &err), (int) min);
}
