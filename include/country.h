/* country.h: ISO 3166-1 countries and the keys governments use for them. The table is generated
 * at build time from Debian's iso-codes (English and Norwegian bokmål names), plus hand-written
 * alias tables for the spellings publishers use and the FIPS 10-4/GEC codes of the US feed.
 * Pure lookups over static data. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct Country {
        const char *alpha2;        /* "KZ" */
        const char *alpha3;        /* "KAZ" */
        const char *name;          /* English short name: common_name, else name ("Kazakhstan") */
        const char *official_name; /* iso-codes official_name or NULL */
        const char *name_nb;       /* Norwegian bokmål (iso-codes nb translation) or NULL */
} Country;

/* All countries sorted by alpha2, including the user-assigned XK (Kosovo). */
const Country *country_all(size_t *ret_n);

/* Case-insensitive alpha-2 / alpha-3 lookups; NULL when unknown. */
const Country *country_by_alpha2(const char *code);
const Country *country_by_alpha3(const char *code);

/* English names as publishers write them: ISO names, common and official names, and aliases
 * ("Burma", "Ivory Coast", "Czech Republic", "The Gambia", "Democratic Republic of the Congo").
 * Case, diacritics, punctuation and a leading "the" do not matter. NULL when unknown. */
const Country *country_by_name(const char *name);

/* Norwegian bokmål names as the Norwegian MFA writes them ("Kasakhstan", "Elfenbenskysten",
 * "Storbritannia", "Nord-Korea", "DR Kongo", "Sør-Sudan"). NULL when unknown. */
const Country *country_by_name_nb(const char *name);

/* FIPS 10-4 / GEC codes as used in the US State Department feed ("NS" → Suriname, "AJ" →
 * Azerbaijan, "CH" → China, "UK" → United Kingdom). NULL when unknown. */
const Country *country_by_fips(const char *code);

/* English short name for an alpha-2 code, or the code itself when unknown. */
const char *country_name(const char *alpha2);

/* Up to max countries whose names are closest to name (for "did you mean"), best first.
 * Returns how many were written (at most 16; none when nothing is close). */
size_t country_suggest(const char *name, const Country **ret, size_t max);

/* Lower-cases ASCII, folds common Latin diacritics (å→a, ø→o, é→e, ü→u …), turns '&' into "and",
 * drops punctuation and a leading "the ", and folds white space. Writes at most size bytes. */
void country_normalize_name(const char *name, char *buf, size_t size);

/* For tests: the hand-written tables as { key, alpha2 } pairs (FIPS codes sorted by code). */
size_t country_fips_table(const char *const (**ret)[2]);
size_t country_alias_table(const char *const (**ret)[2]);
size_t country_alias_nb_table(const char *const (**ret)[2]);
