/* no-classify.h: reads the prose of a regjeringen.no "Reiseadvarsel for <land>" factbox (bokmål)
 * as a careful Norwegian reader would, and turns it into the level for the whole country and the
 * strongest level for a part of it. Knows nothing about HTML (see source-no.c). Pure: no I/O, no
 * state; the country table is the only data it consults. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum NoScope {
        NO_SCOPE_NONE,  /* says nothing about a level ("Situasjonen kan endre seg raskt.") */
        NO_SCOPE_WHOLE, /* the country itself: "til Afghanistan", "landet", "hele landet" */
        NO_SCOPE_PART,  /* regions, border zones, cities: "nærmere enn 20 km fra grensen" */
        NO_SCOPE_REST,  /* the rest: "øvrige deler av landet", "Tsjad utenfor N'Djamena" */
        NO_SCOPE_CLEAR, /* no advice for a place: "Det er ikke reiseadvarsel til hovedstaden" */
        _NO_SCOPE_MAX,
} NoScope;

typedef struct NoClause {
        int level;     /* 3 or 4 for advice, 1 for NO_SCOPE_CLEAR, 0 for NO_SCOPE_NONE */
        NoScope scope;
        bool leave;    /* "oppfordres til å forlate landet/området" */
        char *object;  /* NO_SCOPE_PART: the place named, lower case (to match exceptions) */
        char *except;  /* the place left out ("med unntak av …", "utenfor …"), or NULL */
        bool back;     /* "Dette gjelder ikke …": except is left out of the clause before */
} NoClause;

void no_clause_done(NoClause *c);

/* "none", "whole", "part", "rest", "clear" */
const char *no_scope_to_string(NoScope s);

/* Splits one paragraph of the advice box into clauses: sentences, and a sentence that carries two
 * pieces of advice at the joint between them ("…til Mali og oppfordrer norske borgere til å
 * forlate landet", "…til Bekaadalen, samt alle reiser nærmere enn …"). The clauses keep their case;
 * soft hyphens are dropped and typographic apostrophes and dashes made plain. -ENOMEM only. */
int no_split_clauses(const char *paragraph, char ***ret);

/* Classifies one clause for the page of the country with this ISO alpha-2 code. prev is the
 * clause before it in the box (or NULL): "Dette gjelder ikke …", "forlate området", "Reiseadvarslet
 * gjelder også …" and "samt alle reiser …" refer back to it. On success fills ret (to be released
 * with no_clause_done()) and returns 0. -EBADMSG when the clause gives advice in a form we do not
 * recognise (the page must then fail rather than guess); -ENOMEM. */
int no_classify_clause(const char *clause, const char *country, const NoClause *prev,
                       NoClause *ret);

typedef struct NoVerdict {
        int level;          /* 1..4: the lowest level over all parts of the country */
        int regional_level; /* the highest level over all parts when above level, else 0 */
        size_t n_advice;    /* clauses with a level of 3 or 4 */
} NoVerdict;

/* Every part of the country has a level: whole-country clauses cover every part, rest-of-country
 * clauses the parts not named elsewhere, a part no clause covers (an exception, a place cleared)
 * is at level 1 — unless the part clauses name every part of a country that UD divides into named
 * parts (Somalia, Palestine: see no-classify.c), which leaves no rest. Fills ret from the
 * classified clauses of one advice box of the country with this ISO alpha-2 code. */
void no_combine(const NoClause *clauses, size_t n, const char *country, NoVerdict *ret);

/* The whole pipeline over the paragraphs of one advice box (NULL-terminated). Returns 0 and fills
 * ret; -EBADMSG with *ret_bad set to the offending clause (to be freed) when a clause cannot be
 * read; -ENOMSG when the box holds neither advice nor a statement that there is none; -ENOMEM. */
int no_classify_advice(char *const *paragraphs, const char *country, NoVerdict *ret,
                       char **ret_bad);

#define NO_DATE_MAX 11 /* "2021-08-04" */

/* The first date in a status line, in the forms UD writes: "SIST OPPDATERT: 04.08.2021 - FORTSATT
 * GYLDIG", "SIST OPPDATERT 2. MARS 2022", "OPPDATERT: 21. JANUAR 2026", "31, JANUAR 2025",
 * "4.8.21", "12. mar. 2026" (Norwegian month names and their abbreviations, any case). Writes
 * "2021-08-04". -EINVAL when there is no valid date. */
int no_parse_date(const char *s, char ret[static NO_DATE_MAX]);
