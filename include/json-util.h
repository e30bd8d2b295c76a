/* json-util.h: what the JSON extractors (source-uk, -ca, -de, -au) share: loading a publisher's
 * document from memory with a size cap and a precise reason for refusing it, typed getters that
 * tell "absent" from "present with the wrong type", and handing the records to the caller.
 * Pure: no I/O, no globals. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "advisory.h"
#include "source.h"
#include "util.h"

#ifndef _cleanup_json_
#define _cleanup_json_ _cleanup_(json_decrefp)
#endif

/* No advisory document comes close (the biggest, Canada's index, is ~200 KiB). */
#define JSON_DOCUMENT_MAX ((size_t) 64 * 1024 * 1024)

/* Parses in->data as the JSON document of a source; what names it for messages ("the FCDO
 * country document"). Refuses, with err filled and a negative errno: an empty document, one over
 * JSON_DOCUMENT_MAX (FAILURE_TOO_LARGE), a challenge or block page (FAILURE_BLOCKED), an HTML
 * page and anything that is not exactly one well-formed JSON value (FAILURE_INVALID_DOCUMENT):
 * truncated, trailing garbage, NUL in strings, or an object with a duplicate key — parsers
 * disagree on which of two values wins, so we refuse to pick one. A UTF-8 BOM is skipped. */
int json_util_load(const ExtractInput *in, const char *what, json_t **ret, ExtractError *err);

/* The value at a dotted path of object keys ("details.country.slug"); NULL when a step is
 * missing or is not an object. Keys containing '.' cannot be named. */
json_t *json_util_get(json_t *root, const char *path);

/* Typed getters over json_util_get(): NULL when absent, JSON null or of another type. */
const char *json_util_string(json_t *root, const char *path);
json_t *json_util_object(json_t *root, const char *path);
json_t *json_util_array(json_t *root, const char *path);

/* -ENOENT when absent or null, -EBADMSG when present with another type (no coercion: the
 * string "3", 3.0 and true are not integers; 1 and "true" are not booleans), else 0. */
int json_util_integer(json_t *root, const char *path, json_int_t *ret);
int json_util_boolean(json_t *root, const char *path, bool *ret);

/* "object", "array", "string", "integer", "real", "boolean", "null"; "nothing" for NULL. */
const char *json_util_type_name(const json_t *v);

/* A short, printable, one-line excerpt of s for error messages (at most JSON_EXCERPT_MAX - 1
 * bytes; control characters and non-ASCII bytes become '?'). Returns buf. */
#define JSON_EXCERPT_MAX 48
const char *json_util_excerpt(const char *s, char buf[static JSON_EXCERPT_MAX]);

/* Sorts records by country and moves them to the end of out (records is left empty).
 * Returns the number moved, or -ENOMEM with out unchanged. */
int json_util_hand_over(AdvisoryList *out, AdvisoryList *records);
