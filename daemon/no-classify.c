/* no-classify.c: the advice in a regjeringen.no "Reiseadvarsel for <land>" factbox, read one clause
 * at a time. A clause gets a level by its most specific pattern (any "som ikke er (strengt)
 * nødvendig(e)" is level 3, even after "fraråder alle reiser": the Kazakhstan trap of January
 * 2022), then a scope by what it names (the country itself, a part, the rest of the country, a
 * place left out). The phrasings are UD's own, as seen on live pages 2013–2026; they vary a lot
 * (issue 3 lists the families), so the tables below are generous and the combination strict. All
 * matching is on a lower-cased copy whose byte offsets equal the clause's. */
#include "no-classify.h"

#include <ctype.h>
#include <errno.h>

#include "advisory.h"
#include "country.h"
#include "timeutil.h"
#include "util.h"

#define CLAUSES_MAX 256     /* an advice box holds a handful; more is not an advice box */
#define PARAGRAPH_MAX 8192  /* the longest seen (Colombia, 2026) has 400 bytes */
#define COUNTRY_WORDS_MAX 6 /* "Saint Vincent og Grenadinene", "Den demokratiske republikk Kongo" */
#define KEY_MAX 64
#define NAME_MAX_BYTES 128  /* longer runs of words are no country's name */
#define CONTINUED_REACH 48  /* "og reiser [eller opphold] som ikke er …": the level follows soon */

/* The verbs that give advice. "advarer" alone also warns about weather and crime. */
static const char *const advice_verbs[] = {
        "fraråder",     "frarådes",          "frarådet",
        "fraråde",      "advarer på det sterkeste mot", "advarer sterkt mot",
        "advarer mot",  "advares det mot",
};

/* Between the verb and what it advises against: "Videre fraråder Utenriksdepartementet alle …" */
static const char *const verb_fillers[] = {
        "også",       "videre",        "derfor",    "fortsatt",   "fremdeles",
        "nå",         "igjen",         "på nytt",   "foreløpig",  "midlertidig",
        "inntil videre", "sterkt",     "på det sterkeste", "utenriksdepartementet",
        "departementet", "ud",         "(ud)",      "mot",        "norske borgere",
        "nordmenn",
};

/* Level 4 is "alle reiser" right after the verb (or before a passive one). "aller reiser" is a
 * typo seen in production (Algerie, 2019–2026). */
static const char *const all_words[] = { "alle", "aller", "all", "enhver", "samtlige" };
static const char *const travel_kinds[] = { "former for", "typer", "slags" };
static const char *const travel_nouns[] = {
        "reiser", "reise", "reisene", "reisen", "opphold", "oppholdet",
};

/* Level 3, each followed by an optional "e" ("nødvendig", "nødvendige"). The "som ikke er …" forms
 * may stand anywhere in the clause ("fraråder reiser til Rubavu som ikke er strengt nødvendige");
 * the adjective forms must precede a travel noun ("alle ikke nødvendige reiser"). */
static const struct {
        const char *stem;
        bool before_noun;
} level3_stems[] = {
        { "som ikke er strengt tatt nødvendig", false },
        { "som ikke er strengt nødvendig", false },
        { "som ikke er absolutt nødvendig", false },
        { "som ikke er helt nødvendig", false },
        { "som ikke er nødvendig", false },
        { "ikke strengt nødvendig", true },
        { "ikke-strengt nødvendig", true },
        { "ikke nødvendig", true },
        { "ikke-nødvendig", true },
        { "ikkenødvendig", true },
        { "unødvendig", true },
};

/* What stands between the level and its object: "alle reiser til eller opphold i …",
 * "reise til, eller opphold … i Mauretania", "reiser til alle provinser på Cuba". */
static const char *const object_skips[] = {
        "alle",   "aller", "all",   "enhver",   "samtlige", "former for", "typer",
        "reiser", "reise", "reisene", "reisen", "opphold",  "oppholdet",  "og",
        "eller",  ",",     "til",   "i",        "på",
};

/* Ways to name the whole country before its name. */
static const char *const whole_prefixes[] = {
        "hele", "alle deler av", "samtlige deler av", "alle områder i", "alle regioner i",
};

/* "The rest of the country", longest first. "øvrige deler av Mindanao" is a part: what follows
 * "av"/"i" must be the country ("øvrige deler av Etiopia", "de resterende regionene i Ukraina"). */
static const char *const rest_markers[] = {
        "alle øvrige deler", "de øvrige delene", "øvrige deler", "øvrige områder",
        "øvrige regioner",   "øvrige provinser", "øvrige landsdeler", "alle andre deler",
        "de andre delene",   "andre deler",      "de resterende",   "resterende",
        "resten",            "øvrige",
};
static const char *const rest_links[] = { "av", "i", "på" };

/* After the country's name, these keep the object the whole country: "til Iran og oppfordrer …",
 * "til Irak og grenseområdene …", "til Syria, som …". Anything else restricts it to a part:
 * "til Eritrea, innenfor 20 km fra grensene …". */
static const char *const coordinators[] = {
        "og", "samt", "eller", "inkludert", "inklusive", "herunder", "som", "der", "hvor",
};

static const char *const exception_markers[] = {
        "med unntak av", "med unntak for", "bortsett fra", "unntatt", "utenom", "men ikke",
};

/* Sub-national places that a country table may accept as the country itself (some governments list
 * them so), but that UD names as parts: "fraråder alle reiser til Gaza" is regional. */
static const char *const part_names[] = {
        "gaza",   "gazastripen", "vestbredden", "øst-jerusalem", "somaliland", "puntland",
        "nord-kypros", "krim",   "transnistria", "abkhasia",     "sør-ossetia",
};

/* Countries that UD divides into named parts which together make up the whole country. Advice
 * for every one of them leaves no part of the country at level 1, so the country's level is the
 * lowest of its parts: "alle reiser til … sørlige, sentrale og nordøstlige Somalia" (4) and "reise
 * eller opphold som ikke er strengt nødvendig til Somaliland" (3) together are Somalia at 3,
 * regional 4 (the box as live 2013–2026). Likewise "Gaza" and "Vestbredden" (with East Jerusalem)
 * are all of Palestine. Only these two: the other boxes live in 2026 that name regions leave the
 * rest of their country unadvised (Georgia's breakaway regions are not all of Georgia). A clause
 * counts only when everything it names is such a part ("Vestbredden, med unntak av
 * Øst-Jerusalem" does not), in any order and over several clauses; an adjective takes the
 * country's name that follows it ("sørlige, sentrale og nordøstlige Somalia"). Lower case. */
#define PIECES_MAX 8 /* of one country */
#define ITEMS_MAX 8  /* places named in one clause */
static const struct {
        const char *country;
        unsigned n_pieces;
} partitions[] = {
        { "SO", 4 },
        { "PS", 2 },
};
static const struct {
        const char *country;
        unsigned piece;
        const char *name;
} partition_names[] = {
        { "SO", 0, "sørlige somalia" },     { "SO", 0, "sør-somalia" },
        { "SO", 1, "sentrale somalia" },    { "SO", 1, "sentral-somalia" },
        { "SO", 2, "nordøstlige somalia" }, { "SO", 2, "nordøst-somalia" },
        { "SO", 2, "puntland" },            { "SO", 3, "somaliland" },
        { "SO", 3, "nordvestlige somalia" }, { "SO", 3, "nordvest-somalia" },
        { "PS", 0, "gaza" },                { "PS", 0, "gazastripen" },
        { "PS", 1, "vestbredden" },
};

/* A place said to have no advice (no verb of advice in the clause). */
static const char *const clear_markers[] = {
        "ikke reiseadvarsel",   "ingen reiseadvarsel", "ikke noen reiseadvarsel",
        "ikke er reiseadvarsel", "ikke er noen reiseadvarsel", "ikke foreligger reiseadvarsel",
        "ikke lenger reiseadvarsel", "ikke lenger er reiseadvarsel",
        "ikke omfattet av reiseadvars", "ikke omfattet av reiserådet", "ikke omfattet av advarsel",
        "reiseadvarselen gjelder ikke", "reiseadvarslet gjelder ikke", "reiserådet gjelder ikke",
        "advarselen gjelder ikke",      "det er gjort unntak for",     "er unntatt fra reiseadvars",
};

/* "Dette gjelder ikke …": leaves a place out of the clause before. */
static const char *const back_exceptions[] = {
        "dette gjelder ikke", "det gjelder ikke", "dette omfatter ikke", "unntaket er",
};

/* "Reiseadvarslet gjelder også fra kysten og ti kilometer inn i landet …" (Malaysia, 2024). */
static const char *const continuations[] = {
        "gjelder også", "omfatter også", "det samme gjelder", "gjelder hele landet",
        "omfatter hele landet",
};

/* Asking people to leave: "oppfordres til å forlate landet", "oppfordrer norske borgere til å
 * forlate disse områdene", "bes forlate området", "bør vurdere å forlate landet". The ask comes
 * shortly before "forlate", which follows "å" or the ask itself ("… når de skal forlate landet"
 * asks nothing). */
#define LEAVE_REACH 100
static const char *const leave_askers[] = {
        "oppfordr", "bes ", "ber ", "anbefal", "bør ",
};

/* Wordings of advice we do not read; a clause with one of them fails the page. */
static const char *const advice_hints[] = {
        "fraråd", "advarer mot", "ikke reise til", "ikke å reise", "unngå reiser",
        "reis ikke", "bør ikke reise",
};

/* Generic words before the distinctive name of an excepted place: "hovedstaden Addis Abeba". */
static const char *const place_generics[] = {
        "hovedstaden", "byen",    "byene",  "regionen", "provinsen", "provinsene", "området",
        "områdene",    "den",     "det",    "de",       "delstaten", "distriktet", "øya",
        "øyene",       "selve",   "til",    "i",        "for",       "av",
};

const char *no_scope_to_string(NoScope s) {
        static const char *const names[_NO_SCOPE_MAX] = {
                [NO_SCOPE_NONE] = "none",   [NO_SCOPE_WHOLE] = "whole", [NO_SCOPE_PART] = "part",
                [NO_SCOPE_REST] = "rest",   [NO_SCOPE_CLEAR] = "clear",
        };
        return s >= 0 && s < _NO_SCOPE_MAX ? names[s] : "unknown";
}

void no_clause_done(NoClause *c) {
        free(c->object);
        free(c->except);
        *c = (NoClause) {};
}

/* ---- text ---- */

static bool word_byte(char c) {
        unsigned char u = (unsigned char) c;
        return isalnum(u) || u >= 0x80 || c == '-' || c == '\'';
}

static const char *skip_space(const char *p) {
        while (*p == ' ')
                p++;
        return p;
}

static const char *skip_punct(const char *p) {
        while (*p == ' ' || *p == ',' || *p == '(')
                p++;
        return p;
}

static const char *word_end(const char *p) {
        while (word_byte(*p))
                p++;
        return p;
}

/* Lower case that keeps byte offsets: ASCII and the Latin-1 capitals (Æ Ø Å É Ü …). */
static char *fold(const char *s) {
        char *f = strdup(s);

        if (!f)
                return NULL;
        for (unsigned char *p = (unsigned char *) f; *p; p++) {
                if (*p >= 'A' && *p <= 'Z')
                        *p += 'a' - 'A';
                else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0x9e && p[1] != 0x97)
                        *++p += 0x20;
        }
        return f;
}

/* The end of phrase when the text at p starts with it and it ends at a word boundary. */
static const char *phrase_at(const char *p, const char *phrase) {
        size_t l = strlen(phrase);

        if (strncmp(p, phrase, l) != 0)
                return NULL;
        if (word_byte(phrase[l - 1]) && word_byte(p[l]))
                return NULL;
        return p + l;
}

static const char *phrase_at_any(const char *p, const char *const *phrases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *e = phrase_at(p, phrases[i]);
                if (e)
                        return e;
        }
        return NULL;
}
#define PHRASE_AT_ANY(p, table) phrase_at_any(p, table, ELEMENTSOF(table))

/* The first occurrence of phrase in s that starts and ends at word boundaries. */
static const char *find_phrase(const char *s, const char *phrase) {
        for (const char *p = s; (p = strstr(p, phrase)); p++)
                if ((p == s || !word_byte(p[-1]) || !word_byte(phrase[0])) && phrase_at(p, phrase))
                        return p;
        return NULL;
}

/* The earliest occurrence of any phrase of the table; *ret_end gets its end. */
static const char *find_any(const char *s, const char *const *phrases, size_t n,
                            const char **ret_end) {
        const char *best = NULL;

        for (size_t i = 0; i < n; i++) {
                const char *p = find_phrase(s, phrases[i]);
                if (p && (!best || p < best)) {
                        best = p;
                        if (ret_end)
                                *ret_end = p + strlen(phrases[i]);
                }
        }
        return best;
}
#define FIND_ANY(s, table, end) find_any(s, table, ELEMENTSOF(table), end)

static bool contains_any(const char *s, const char *const *needles, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strstr(s, needles[i]))
                        return true;
        return false;
}
#define CONTAINS_ANY(s, table) contains_any(s, table, ELEMENTSOF(table))

static const char *skip_phrases(const char *p, const char *const *phrases, size_t n) {
        for (;;) {
                const char *next;

                p = skip_space(p);
                next = phrase_at_any(p, phrases, n);
                if (!next)
                        return p;
                p = next;
        }
}
#define SKIP_PHRASES(p, table) skip_phrases(p, table, ELEMENTSOF(table))

/* A copy of the place at p, up to the end of the clause, without the final stop. */
static char *place_dup(const char *p) {
        const char *e;

        p = skip_punct(p);
        e = p + strlen(p);
        while (e > p && (e[-1] == '.' || e[-1] == ' ' || e[-1] == ','))
                e--;
        return strndup(p, (size_t) (e - p));
}

/* ---- levels ---- */

/* The end of a level-3 stem starting at p (in s), or NULL. */
static const char *level3_at(const char *s, const char *p) {
        if (p > s && word_byte(p[-1]))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(level3_stems); i++) {
                size_t l = strlen(level3_stems[i].stem);
                const char *q = p + l;

                if (strncmp(p, level3_stems[i].stem, l) != 0)
                        continue;
                if (*q == 'e')
                        q++;
                if (word_byte(*q))
                        continue;
                if (level3_stems[i].before_noun && !PHRASE_AT_ANY(skip_space(q), travel_nouns))
                        continue;
                return q;
        }
        return NULL;
}

/* Where the first level-3 stem starts in s, looking at most reach bytes in (NULL if none);
 * *ret_end gets the end of what to blank out. */
static const char *level3_find_within(const char *s, size_t reach, const char **ret_end) {
        for (const char *p = s; *p && (size_t) (p - s) < reach; p++) {
                const char *e;

                if ((*p == 's' || *p == 'i' || *p == 'u') && (e = level3_at(s, p))) {
                        *ret_end = e;
                        return p;
                }
        }
        return NULL;
}

static const char *level3_find(const char *s, const char **ret_end) {
        return level3_find_within(s, SIZE_MAX, ret_end);
}

/* The end of "alle reiser" (and kin) at p, or NULL. */
static const char *level4_at(const char *p) {
        const char *q = PHRASE_AT_ANY(p, all_words);

        if (!q)
                return NULL;
        q = skip_space(q);
        q = skip_space(PHRASE_AT_ANY(q, travel_kinds) ?: q);
        return PHRASE_AT_ANY(q, travel_nouns);
}

/* The first verb of advice in s; *ret_end gets its end. */
static const char *verb_find(const char *s, const char **ret_end) {
        return FIND_ANY(s, advice_verbs, ret_end);
}

/* ---- scope ---- */

static bool part_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(part_names); i++)
                if (streq(name, part_names[i]))
                        return true;
        return false;
}

/* Length of the words at p that name the country: "landet", or the longest run of up to six words
 * that the country table maps to alpha2 ("sør-sudan", "den demokratiske republikken kongo"). */
static size_t country_at(const char *p, const char *alpha2) {
        const char *ends[COUNTRY_WORDS_MAX];
        size_t n = 0;

        if (phrase_at(p, "landet"))
                return strlen("landet");
        for (const char *q = p; n < COUNTRY_WORDS_MAX && word_byte(*q);) {
                q = word_end(q);
                ends[n++] = q;
                if (*q != ' ' || !word_byte(q[1]))
                        break;
                q++;
        }
        while (n > 0) {
                size_t l = (size_t) (ends[--n] - p);
                char name[NAME_MAX_BYTES];
                const Country *c;

                if (l >= sizeof(name))
                        continue;
                memcpy(name, p, l);
                name[l] = '\0';
                if (part_name(name))
                        continue;
                c = country_by_name_nb(name);
                if (c && streq(c->alpha2, alpha2))
                        return l;
        }
        return 0;
}

/* "øvrige deler [av landet]", "de resterende regionene i Ukraina" ("resten av Mindanao": a part) */
static NoScope rest_scope(const char *p, const char *alpha2, const char **ret_except) {
        const char *q = skip_space(p), *x;

        if (word_byte(*q) && !PHRASE_AT_ANY(q, rest_links))
                q = skip_space(word_end(q)); /* "regionene", "delene", "områdene" */
        if ((x = PHRASE_AT_ANY(q, rest_links))) {
                size_t n;

                x = skip_space(x);
                n = country_at(x, alpha2);
                if (n == 0)
                        return NO_SCOPE_PART;
                q = x + n;
        }
        q = skip_punct(q);
        *ret_except = PHRASE_AT_ANY(q, exception_markers);
        return NO_SCOPE_REST;
}

/* Whether the words at p name some country: "til Israel, Libanon og Irak" lists countries. */
static bool any_country_at(const char *p) {
        char name[NAME_MAX_BYTES];
        const char *e = p;

        for (int n = 0; n < COUNTRY_WORDS_MAX && word_byte(*e); n++) {
                e = word_end(e);
                if ((size_t) (e - p) >= sizeof(name))
                        break;
                memcpy(name, p, (size_t) (e - p));
                name[e - p] = '\0';
                if (!part_name(name) && country_by_name_nb(name))
                        return true;
                if (*e != ' ')
                        break;
                e++;
        }
        return false;
}

/* What follows a name: "(UAE)", "(Burma)" say nothing about its extent. */
static const char *skip_parenthesis(const char *p) {
        const char *q = skip_space(p), *close;

        if (*q != '(' || !(close = strchr(q, ')')))
                return p;
        return close + 1;
}

/* What the object of a clause covers. The whole country only when the object is the country
 * itself; *ret_except points at a place it leaves out ("med unntak av …", "utenfor …"). */
static NoScope object_scope(const char *o, const char *alpha2, const char **ret_except) {
        const char *p, *e;
        size_t n;

        *ret_except = NULL;
        o = SKIP_PHRASES(o, whole_prefixes);
        if ((p = PHRASE_AT_ANY(o, rest_markers)))
                return rest_scope(p, alpha2, ret_except);
        if ((e = phrase_at(o, "utenfor"))) { /* "alle reiser utenfor hovedstaden" */
                *ret_except = e;
                return NO_SCOPE_REST;
        }
        n = country_at(o, alpha2);
        if (n == 0)
                return NO_SCOPE_PART;
        p = skip_punct(skip_parenthesis(o + n));
        if (!*p || strchr(".);:", *p))
                return NO_SCOPE_WHOLE;
        if ((e = PHRASE_AT_ANY(p, exception_markers))) {
                *ret_except = e;
                return NO_SCOPE_WHOLE;
        }
        if ((e = phrase_at(p, "utenfor"))) {
                *ret_except = e;
                return NO_SCOPE_REST;
        }
        if (phrase_at(p, "for øvrig"))
                return NO_SCOPE_REST;
        if (phrase_at(p, "i sin helhet") || PHRASE_AT_ANY(p, coordinators) || any_country_at(p))
                return NO_SCOPE_WHOLE;
        return NO_SCOPE_PART;
}

/* ---- clauses ---- */

static void normalize_chars(char *s);

/* Whether s[0, at) ends with the phrase. */
static bool ends_with_at(const char *s, const char *at, const char *phrase) {
        size_t l = strlen(phrase);
        return (size_t) (at - s) >= l && strncmp(at - l, phrase, l) == 0;
}

static bool clause_leave(const char *f) {
        const char *l = find_phrase(f, "forlate");
        const char *from;
        bool asked = false;

        if (!l)
                return false;
        asked = ends_with_at(f, l, "å ");
        for (size_t i = 0; i < ELEMENTSOF(leave_askers) && !asked; i++)
                asked = ends_with_at(f, l, leave_askers[i]);
        if (!asked)
                return false;
        from = l - f > LEAVE_REACH ? l - LEAVE_REACH : f;
        for (size_t i = 0; i < ELEMENTSOF(leave_askers); i++) {
                const char *a = strstr(from, leave_askers[i]);
                if (a && a < l)
                        return true;
        }
        return false;
}

/* Where the object of the advice starts: after the verb, or for a passive with the object first
 * ("Alle reiser til X frarådes."), between the level and the verb (w is cut at the verb). */
static const char *advice_object(char *w, size_t verb, size_t verb_end) {
        const char *o = skip_phrases(w + verb_end, verb_fillers, ELEMENTSOF(verb_fillers));

        o = SKIP_PHRASES(o, object_skips);
        if (*o && *o != '.')
                return o;
        o = SKIP_PHRASES(w, verb_fillers);
        if (!PHRASE_AT_ANY(o, all_words) && !PHRASE_AT_ANY(o, travel_nouns))
                return "";
        w[verb] = '\0';
        return SKIP_PHRASES(o, object_skips);
}

/* A clause that gives advice: its level, then its scope. w is the folded clause, verb_end where the
 * verb ends (or where the level starts, for "…, samt alle reiser nærmere enn …"). */
static int classify_advice(char *w, size_t verb, size_t verb_end, const char *alpha2,
                           const NoClause *prev, NoClause *c) {
        const char *after = skip_phrases(w + verb_end, verb_fillers, ELEMENTSOF(verb_fillers));
        const char *l3_end, *l3, *o, *except = NULL;

        if ((l3 = level3_find(w, &l3_end))) { /* first: "fraråder ikke strengt nødvendige reiser" */
                c->level = 3;
                memset(w + (l3 - w), ' ', (size_t) (l3_end - l3));
        } else if (phrase_at(after, "ikke")) { /* "fraråder ikke reiser til hovedstaden" */
                c->level = 1;
                c->scope = NO_SCOPE_CLEAR;
                return 0;
        } else if (level4_at(after) || level4_at(SKIP_PHRASES(w, verb_fillers)))
                c->level = 4;
        else
                return -EBADMSG;

        c->leave = clause_leave(w);
        o = advice_object(w, verb, verb_end);
        if (!*o) {
                /* "…med unntak av Kurdistan-regionen, hvor UD fraråder reiser som ikke er …" */
                if (!(phrase_at(w, "hvor") || phrase_at(w, "der")) || !prev || !prev->except)
                        return -EBADMSG;
                c->scope = NO_SCOPE_PART;
                c->object = strdup(prev->except);
                return c->object ? 0 : -ENOMEM;
        }
        c->scope = object_scope(o, alpha2, &except);
        if (c->scope == NO_SCOPE_PART && !(c->object = place_dup(o)))
                return -ENOMEM;
        if (except && c->scope != NO_SCOPE_PART && !(c->except = place_dup(except)))
                return -ENOMEM;
        return 0;
}

/* "…oppfordres til å forlate landet" on its own: level 4 for the country, or for the places of the
 * clause before ("forlate området", "disse områdene"). */
static int classify_leave(const char *f, const char *alpha2, const NoClause *prev, NoClause *c) {
        const char *l = find_phrase(f, "forlate") + strlen("forlate");
        const char *o = skip_space(l);
        bool whole = phrase_at(o, "landet") || country_at(o, alpha2) > 0;

        c->level = 4;
        c->leave = true;
        if (whole || !prev || prev->level < 3) {
                c->scope = NO_SCOPE_WHOLE;
                return 0;
        }
        c->scope = prev->scope;
        if ((prev->object && !(c->object = strdup(prev->object))) ||
            (prev->except && !(c->except = strdup(prev->except))))
                return -ENOMEM;
        return 0;
}

/* A clause without a verb of advice: a place cleared, an exception or extension of the clause
 * before, a call to leave, or context. */
static int classify_other(const char *f, const char *alpha2, const NoClause *prev, NoClause *c) {
        const char *e;
        bool prev_advice = prev && prev->level >= 3;

        if (FIND_ANY(f, back_exceptions, &e)) {
                if (!prev || (prev->scope != NO_SCOPE_WHOLE && prev->scope != NO_SCOPE_REST))
                        return 0; /* a piece of a part falls back to what covers the rest */
                c->level = 1;
                c->scope = NO_SCOPE_CLEAR;
                c->back = true;
                c->except = place_dup(e);
                return c->except ? 0 : -ENOMEM;
        }
        if (CONTAINS_ANY(f, clear_markers) ||
            (strstr(f, "reiseadvars") && find_phrase(f, "opphevet"))) { /* "… er opphevet" */
                c->level = 1;
                c->scope = NO_SCOPE_CLEAR;
                return 0;
        }
        if (prev_advice && FIND_ANY(f, continuations, NULL)) {
                c->level = prev->level;
                c->scope = find_phrase(f, "hele landet") ? NO_SCOPE_WHOLE : NO_SCOPE_PART;
                if (c->scope == NO_SCOPE_PART && !(c->object = place_dup(f)))
                        return -ENOMEM;
                return 0;
        }
        if (clause_leave(f))
                return classify_leave(f, alpha2, prev, c);
        if (CONTAINS_ANY(f, advice_hints))
                return -EBADMSG;
        return 0; /* context */
}

/* "…, samt alle reiser nærmere enn …", "og reiser som ikke er …": advice whose verb is in the
 * clause before (no_split_clauses() cuts there). Returns where the level starts, or NULL. */
static const char *continued_advice(const char *f) {
        static const char *const joints[] = { "og", "samt", "eller", "men", ",", ";" };
        const char *s = skip_space(f), *p = SKIP_PHRASES(s, joints);

        if (p == s)
                return NULL;
        if (level4_at(p))
                return p;
        if (PHRASE_AT_ANY(p, travel_nouns)) {
                const char *l3_end;
                if (level3_find_within(p, CONTINUED_REACH, &l3_end))
                        return p;
        }
        return NULL;
}

int no_classify_clause(const char *clause, const char *country, const NoClause *prev,
                       NoClause *ret) {
        _cleanup_free_ char *f = fold(clause);
        NoClause c = {};
        const char *v, *v_end = NULL;
        int r;

        if (!f)
                return -ENOMEM;
        normalize_chars(f);
        if ((v = verb_find(f, &v_end)))
                r = classify_advice(f, (size_t) (v - f), (size_t) (v_end - f), country, prev, &c);
        else if ((v = continued_advice(f)))
                r = classify_advice(f, (size_t) (v - f), (size_t) (v - f), country, prev, &c);
        else
                r = classify_other(f, country, prev, &c);
        if (r < 0) {
                no_clause_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

/* ---- splitting ---- */

/* Plain characters for matching: soft hyphens dropped, typographic apostrophes and dashes made
 * ASCII. Works in place (the text only shrinks). */
static void normalize_chars(char *s) {
        static const struct {
                const char *from, *to;
        } map[] = {
                { "\xc2\xad", "" },      /* soft hyphen */
                { "\xe2\x80\x98", "'" }, { "\xe2\x80\x99", "'" }, { "\xca\xbc", "'" },
                { "\xc2\xb4", "'" },     { "`", "'" },
                { "\xe2\x80\x90", "-" }, { "\xe2\x80\x91", "-" }, { "\xe2\x80\x92", "-" },
                { "\xe2\x80\x93", "-" }, { "\xe2\x80\x94", "-" },
        };
        char *w = s;

        for (const char *p = s; *p;) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(map); i++) {
                        size_t l = strlen(map[i].from);
                        if (strncmp(p, map[i].from, l) == 0) {
                                size_t t = strlen(map[i].to);
                                memcpy(w, map[i].to, t);
                                w += t;
                                p += l;
                                break;
                        }
                }
                if (i == ELEMENTSOF(map))
                        *w++ = *p++;
        }
        *w = '\0';
}

/* Abbreviations whose stop does not end a sentence: "ca. 20 km", "St. Louis". */
static bool abbreviation_before(const char *s, const char *dot) {
        static const char *const abbreviations[] = {
                "ca", "bl.a", "f.eks", "st", "nr", "jf", "inkl", "evt", "pga", "dvs",
                "mht", "ref", "kl", "tlf", "dr", "mr", "mt", "ft", "pr",
        };
        const char *w = dot;

        while (w > s && (word_byte(w[-1]) || w[-1] == '.'))
                w--;
        for (size_t i = 0; i < ELEMENTSOF(abbreviations); i++) {
                size_t l = strlen(abbreviations[i]);
                if ((size_t) (dot - w) == l && strncasecmp(w, abbreviations[i], l) == 0)
                        return true;
        }
        return false;
}

static bool sentence_starts(const char *p) {
        unsigned char c = (unsigned char) *p;
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c == 0xc3 && (unsigned char) p[1] >= 0x80 && (unsigned char) p[1] <= 0x9e) ||
               strncmp(p, "\xc2\xab", 2) == 0 || c == '"' || c == '(';
}

/* The length of the sentence at s (including its stop). */
static size_t sentence_length(const char *s) {
        for (const char *p = s; *p; p++) {
                if (p[1] != ' ')
                        continue;
                if (*p == '!' || *p == '?')
                        return (size_t) (p - s + 1);
                if (*p == '.' && sentence_starts(p + 2) && !abbreviation_before(s, p))
                        return (size_t) (p - s + 1);
        }
        return strlen(s);
}

/* Markers of a piece of advice; a sentence with two is split between them. A call to leave counts
 * when "forlate" follows it (before last_leave). */
static size_t marker_at(const char *f, const char *p, const char *last_leave) {
        static const char *const leave_markers[] = { "oppfordr", "ber ", "bes " };
        static const char *const clear_starts[] = {
                "det er ikke reiseadvarsel", "det ikke er reiseadvarsel",
                "det foreligger ikke reiseadvarsel", "det er ingen reiseadvarsel",
        };
        const char *e;

        if (p > f && word_byte(p[-1]))
                return 0;
        if ((e = PHRASE_AT_ANY(p, advice_verbs)) || (e = PHRASE_AT_ANY(p, clear_starts)) ||
            (e = PHRASE_AT_ANY(p, back_exceptions)))
                return (size_t) (e - p);
        for (size_t i = 0; i < ELEMENTSOF(leave_markers); i++)
                if (p < last_leave && strncmp(p, leave_markers[i], strlen(leave_markers[i])) == 0)
                        return strlen(leave_markers[i]);
        return 0;
}

/* The last joint between from and to where a second piece of advice may start: returns where the
 * second part starts, *ret_cut where the first ends; 0 when there is none. */
static size_t joint_before(const char *f, size_t from, size_t to, size_t *ret_cut) {
        static const char *const words[] = {
                " og ", " men ", " mens ", " samt ", " hvor ", " der ",
        };
        size_t best = 0;

        for (size_t i = from; i < to; i++) {
                if ((f[i] == ',' || f[i] == ';') && f[i + 1] == ' ') {
                        best = i + 2;
                        *ret_cut = i + 1;
                }
                for (size_t k = 0; k < ELEMENTSOF(words); k++)
                        if (strncmp(f + i, words[k], strlen(words[k])) == 0) {
                                best = i + 1;
                                *ret_cut = i;
                        }
        }
        return best;
}

/* "og alle reiser …", ", samt reiser som ikke er …" at p: returns where the joint ends. */
static const char *level_joint_at(const char *p) {
        static const char *const joints[] = {
                ", samt ", " samt ", ", og ", " og ", ", eller ", "; ",
        };

        for (size_t i = 0; i < ELEMENTSOF(joints); i++) {
                size_t l = strlen(joints[i]);
                const char *q = p + l, *l3_end;

                if (strncmp(p, joints[i], l) != 0)
                        continue;
                if (level4_at(q))
                        return q;
                if (PHRASE_AT_ANY(q, travel_nouns) &&
                    level3_find_within(q, CONTINUED_REACH, &l3_end))
                        return q;
        }
        return NULL;
}

/* Whether advice that starts at from names something before to. */
static bool has_object(const char *f, size_t from, size_t to) {
        const char *o = SKIP_PHRASES(f + from, verb_fillers);

        o = SKIP_PHRASES(o, object_skips);
        return o < f + to && word_byte(*o);
}

/* Adds s[from, to) trimmed, unless it holds no word (a joint left over: ";"). */
static int push_segment(char ***l, const char *s, size_t from, size_t to) {
        bool words = false;
        char *seg;

        while (from < to && s[from] == ' ')
                from++;
        while (to > from && s[to - 1] == ' ')
                to--;
        for (size_t i = from; i < to && !words; i++)
                words = isalnum((unsigned char) s[i]) || (unsigned char) s[i] >= 0x80;
        if (!words)
                return 0;
        seg = strndup(s + from, to - from);
        return seg ? strv_push(l, seg) : -ENOMEM;
}

/* Splits one sentence at the joints between its pieces of advice. */
static int split_sentence(const char *s, char ***l) {
        _cleanup_free_ char *f = fold(s);
        size_t n = strlen(s), start = 0, advice = 0;
        bool have_marker = false;
        size_t marker_end = 0;
        const char *last_leave = NULL;

        if (!f)
                return -ENOMEM;
        for (const char *p = f; (p = find_phrase(p, "forlate")); p++)
                last_leave = p;
        for (size_t i = 0; i < n; i++) {
                size_t m = marker_at(f, f + i, last_leave), cut = 0, next;
                const char *j;

                if (m > 0) {
                        if (have_marker &&
                            (next = joint_before(f, MAX(marker_end, start), i, &cut)) > start) {
                                if (push_segment(l, s, start, cut) < 0)
                                        return -ENOMEM;
                                start = next;
                        }
                        have_marker = true;
                        marker_end = advice = i + m;
                        i += m - 1;
                } else if (have_marker && (j = level_joint_at(f + i)) &&
                           has_object(f, advice, i)) {
                        if (push_segment(l, s, start, i) < 0)
                                return -ENOMEM;
                        start = i; /* the joint stays: it marks the verb as the clause's before */
                        advice = (size_t) (j - f);
                        i = advice - 1;
                }
        }
        return push_segment(l, s, start, n);
}

int no_split_clauses(const char *paragraph, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        _cleanup_free_ char *s = advisory_clean_text(paragraph, strlen(paragraph), SIZE_MAX);

        if (!l || !s)
                return -ENOMEM;
        normalize_chars(s);
        for (const char *p = s; *p;) {
                size_t len = sentence_length(p);
                _cleanup_free_ char *sentence = strndup(p, len);

                if (!sentence || split_sentence(sentence, &l) < 0)
                        return -ENOMEM;
                p = skip_space(p + len);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- combining ---- */

/* The distinctive word of a place: "hovedstaden Addis Abeba" → "addis". */
static bool place_key(const char *place, char key[static KEY_MAX]) {
        const char *p = SKIP_PHRASES(place, place_generics), *e = word_end(p);

        while (e > p && (e[-1] == '-' || e[-1] == '\''))
                e--;
        if (e - p < 3 || e - p >= KEY_MAX)
                return false;
        memcpy(key, p, (size_t) (e - p));
        key[e - p] = '\0';
        return true;
}

/* Whether a clause about a part gives the excepted place its own advice ("med unntak av
 * Kurdistan-regionen" and "fraråder reiser som ikke er strengt nødvendige til
 * Kurdistan-regionen"). */
static bool place_advised(const char *place, const NoClause *c, size_t n) {
        char key[KEY_MAX];

        if (!place_key(place, key))
                return false;
        for (size_t i = 0; i < n; i++)
                if (c[i].scope == NO_SCOPE_PART && c[i].level >= 3 && c[i].object &&
                    strstr(c[i].object, key))
                        return true;
        return false;
}

/* ---- partitions (see partitions[] above) ---- */

static unsigned partition_size(const char *country) {
        for (size_t i = 0; i < ELEMENTSOF(partitions); i++)
                if (streq(partitions[i].country, country))
                        return partitions[i].n_pieces;
        return 0;
}

static int piece_named(const char *country, const char *name, size_t l) {
        for (size_t i = 0; i < ELEMENTSOF(partition_names); i++)
                if (streq(partition_names[i].country, country) &&
                    strlen(partition_names[i].name) == l &&
                    strncmp(partition_names[i].name, name, l) == 0)
                        return (int) partition_names[i].piece;
        return -1;
}

/* Splits a place list at ", ", " og ", " samt ", " eller ", without articles. Returns the number
 * of items, or 0 when there are more than ITEMS_MAX. */
static size_t place_items(const char *s, const char *items[static ITEMS_MAX],
                          size_t lengths[static ITEMS_MAX]) {
        static const char *const separators[] = { ", ", " og ", " samt ", " eller " };
        static const char *const articles[] = { "det", "den", "de" };
        size_t n = 0;

        for (const char *p = s; *p;) {
                const char *end = p + strlen(p), *next = end;

                for (size_t i = 0; i < ELEMENTSOF(separators); i++) {
                        const char *q = strstr(p, separators[i]);
                        if (q && q < end) {
                                end = q;
                                next = q + strlen(separators[i]);
                        }
                }
                if (n == ITEMS_MAX)
                        return 0;
                p = skip_space(SKIP_PHRASES(p, articles));
                items[n] = p;
                lengths[n++] = end > p ? (size_t) (end - p) : 0;
                p = next;
        }
        return n;
}

/* The pieces of the country's partition that the place list names, or 0 when it names anything
 * else too. "sørlige, sentrale og nordøstlige somalia": the adjectives take the name after them. */
static unsigned object_pieces(const char *country, const char *object) {
        const char *items[ITEMS_MAX], *tail = NULL;
        size_t lengths[ITEMS_MAX], n = place_items(object, items, lengths), tail_len = 0;
        unsigned mask = 0;

        for (size_t i = n; i > 0; i--) {
                const char *it = items[i - 1], *space = memrchr(it, ' ', lengths[i - 1]);
                char buf[NAME_MAX_BYTES];
                int piece = piece_named(country, it, lengths[i - 1]);

                if (piece < 0 && tail && !space &&
                    snprintf(buf, sizeof(buf), "%.*s %.*s", (int) lengths[i - 1], it,
                             (int) tail_len, tail) < (int) sizeof(buf))
                        piece = piece_named(country, buf, strlen(buf));
                if (piece < 0)
                        return 0;
                mask |= 1u << piece;
                if (space) { /* "… somalia": the name for the adjectives before it */
                        tail = space + 1;
                        tail_len = (size_t) (it + lengths[i - 1] - tail);
                }
        }
        return mask;
}

static unsigned clause_pieces(const char *country, const NoClause *c) {
        if (c->scope != NO_SCOPE_PART || c->level < 3 || !c->object || !partition_size(country))
                return 0;
        return object_pieces(country, c->object);
}

/* When the part clauses name every piece of the country's partition: true, and *ret the lowest
 * level over the pieces (each at its strongest advice, at least whole). */
static bool partition_covered(const char *country, const NoClause *c, size_t n, int whole,
                              int *ret) {
        unsigned size = partition_size(country);
        int levels[PIECES_MAX] = {};
        int lowest = LEVEL_MAX;

        if (size == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned mask = clause_pieces(country, &c[i]);
                for (unsigned k = 0; k < size; k++)
                        if (mask & (1u << k))
                                levels[k] = MAX(levels[k], MAX(c[i].level, whole));
        }
        for (unsigned k = 0; k < size; k++) {
                if (levels[k] == 0)
                        return false;
                lowest = MIN(lowest, levels[k]);
        }
        *ret = lowest;
        return true;
}

void no_combine(const NoClause *c, size_t n, const char *country, NoVerdict *ret) {
        int whole = 1, rest = 1, low = LEVEL_MAX, high = 0, pieces = LEVEL_MAX;
        size_t n_advice = 0;
        bool covered;

        for (size_t i = 0; i < n; i++)
                if (c[i].scope == NO_SCOPE_WHOLE && !c[i].except)
                        whole = MAX(whole, c[i].level);
        covered = partition_covered(country, c, n, whole, &pieces);
        for (size_t i = 0; i < n; i++) {
                if (c[i].level >= 3) {
                        n_advice++;
                        high = MAX(high, c[i].level);
                }
                switch (c[i].scope) {
                case NO_SCOPE_WHOLE:
                case NO_SCOPE_REST:
                        rest = MAX(rest, c[i].level);
                        /* the place left out has only what covers the whole country */
                        if (c[i].except && !place_advised(c[i].except, c, n))
                                low = MIN(low, whole);
                        break;
                case NO_SCOPE_PART:
                        if (!covered || !clause_pieces(country, &c[i]))
                                low = MIN(low, MAX(c[i].level, whole));
                        break;
                case NO_SCOPE_CLEAR:
                        low = 1;
                        break;
                default:
                        break;
                }
        }
        /* a partition named in full leaves no unnamed rest at level 1 */
        *ret = (NoVerdict) { .level = covered ? MIN(pieces, low) : MIN(rest, low),
                             .n_advice = n_advice };
        ret->regional_level = high > ret->level ? high : 0;
}

typedef struct ClauseList {
        NoClause items[CLAUSES_MAX];
        size_t n;
} ClauseList;

static void clause_list_done(ClauseList *l) {
        for (size_t i = 0; i < l->n; i++)
                no_clause_done(&l->items[i]);
}

/* The last clause that said something, for the next one to refer back to. */
static NoClause *clause_list_last(ClauseList *l) {
        for (size_t i = l->n; i > 0; i--)
                if (l->items[i - 1].scope != NO_SCOPE_NONE)
                        return &l->items[i - 1];
        return NULL;
}

/* "Dette gjelder ikke X" after a whole-country clause: X becomes that clause's exception, which a
 * clause about X may still advise on ("…, hvor UD fraråder …"). */
static void clause_list_merge_back(NoClause *prev, NoClause *c) {
        if (!c->back || !prev || prev->except)
                return;
        prev->except = TAKE_PTR(c->except);
        no_clause_done(c);
}

static int classify_paragraph(const char *paragraph, const char *country, ClauseList *l,
                              char **ret_bad) {
        _cleanup_strv_free_ char **clauses = NULL;
        int r;

        if (strlen(paragraph) > PARAGRAPH_MAX) {
                *ret_bad = strprintf("a paragraph of more than %d bytes", PARAGRAPH_MAX);
                return *ret_bad ? -EBADMSG : -ENOMEM;
        }
        if ((r = no_split_clauses(paragraph, &clauses)) < 0)
                return r;
        STRV_FOREACH(s, clauses) {
                if (l->n == CLAUSES_MAX) {
                        *ret_bad = strprintf("more than %d clauses", CLAUSES_MAX);
                        return *ret_bad ? -EBADMSG : -ENOMEM;
                }
                NoClause *prev = clause_list_last(l);

                r = no_classify_clause(*s, country, prev, &l->items[l->n]);
                if (r == -EBADMSG) {
                        *ret_bad = strdup(*s);
                        return *ret_bad ? -EBADMSG : -ENOMEM;
                }
                if (r < 0)
                        return r;
                clause_list_merge_back(prev, &l->items[l->n++]);
        }
        return 0;
}

int no_classify_advice(char *const *paragraphs, const char *country, NoVerdict *ret,
                       char **ret_bad) {
        _cleanup_free_ ClauseList *l = calloc(1, sizeof(ClauseList));
        bool cleared = false;
        int r = 0;

        if (!l)
                return -ENOMEM;
        STRV_FOREACH(p, paragraphs)
                if ((r = classify_paragraph(*p, country, l, ret_bad)) < 0)
                        break;
        if (r >= 0) {
                for (size_t i = 0; i < l->n; i++)
                        cleared = cleared || l->items[i].scope == NO_SCOPE_CLEAR;
                no_combine(l->items, l->n, country, ret);
                if (ret->n_advice == 0 && !cleared)
                        r = -ENOMSG;
        }
        clause_list_done(l);
        return r;
}

/* ---- dates ---- */

static const char *const month_names[12][3] = {
        { "januar", "jan" },   { "februar", "feb" },          { "mars", "mar" },
        { "april", "apr" },    { "mai" },                     { "juni", "jun" },
        { "juli", "jul" },     { "august", "aug" },           { "september", "sep", "sept" },
        { "oktober", "okt" },  { "november", "nov" },         { "desember", "des" },
};

static int month_from_word(const char *w, size_t l) {
        for (int m = 0; m < 12; m++)
                for (size_t k = 0; k < ELEMENTSOF(month_names[m]) && month_names[m][k]; k++)
                        if (strlen(month_names[m][k]) == l &&
                            strncasecmp(w, month_names[m][k], l) == 0)
                                return m + 1;
        return 0;
}

/* Reads 1..max digits at *p; returns how many (0 when there are more than max). */
static int read_number(const char **p, int max, int *ret) {
        int n = 0, v = 0;

        while (isdigit((unsigned char) (*p)[n]) && n <= max)
                v = v * 10 + ((*p)[n++] - '0');
        if (n == 0 || n > max)
                return 0;
        *p += n;
        *ret = v;
        return n;
}

static int year_at(const char **p) {
        int y, n = read_number(p, 4, &y);

        if (n == 4)
                return y;
        return n == 2 ? 2000 + y : 0;
}

/* "04.08.2021", "4.8.21", "4/8/2021", "2021-08-04" */
static bool numeric_date_at(const char *p, int *y, int *m, int *d) {
        int n = read_number(&p, 4, d);

        if (n == 4 && *p == '-') { /* ISO 8601 */
                *y = *d;
                p++;
                return read_number(&p, 2, m) && *p++ == '-' && read_number(&p, 2, d);
        }
        if (n > 2 || !strchr(".-/", *p) || !*p)
                return false;
        p++;
        if (!read_number(&p, 2, m) || !*p || !strchr(".-/", *p))
                return false;
        p++;
        return (*y = year_at(&p)) > 0;
}

/* "2. MARS 2022", "02. OKTOBER 2026", "31, JANUAR 2025", "12 mar. 2026" */
static bool named_date_at(const char *p, int *y, int *m, int *d) {
        const char *w;

        if (read_number(&p, 2, d) == 0)
                return false;
        for (int i = 0; i < 3 && (*p == '.' || *p == ',' || *p == ' '); i++)
                p++;
        for (w = p; isalpha((unsigned char) *p); p++)
                ;
        if (!(*m = month_from_word(w, (size_t) (p - w))))
                return false;
        if (*p == '.')
                p++;
        while (*p == ' ' || *p == ',')
                p++;
        return (*y = year_at(&p)) > 0;
}

int no_parse_date(const char *s, char ret[static NO_DATE_MAX]) {
        for (const char *p = s; *p; p++) {
                int y, m, d;

                if (!isdigit((unsigned char) *p) || (p > s && isdigit((unsigned char) p[-1])))
                        continue;
                if ((numeric_date_at(p, &y, &m, &d) || named_date_at(p, &y, &m, &d)) &&
                    civil_date_valid(y, m, d)) {
                        snprintf(ret, NO_DATE_MAX, "%04d-%02d-%02d", y, m, d);
                        return 0;
                }
        }
        return -EINVAL;
}
