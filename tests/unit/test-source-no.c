/* test-source-no.c: the Norwegian extractor (regjeringen.no country pages, tests/fixtures/no) and its
 * classifier. Every phrasing family of issue 3, one clause at a time and as whole advice boxes; the
 * Kazakhstan trap; whole country vs parts, exceptions and the rest of the country; status-line
 * dates; pages without advice; and documents that are not a country page (challenge, error,
 * truncated, wrong site, unknown country, huge, invalid UTF-8), which must fail with the right class
 * and add nothing. The wording of the cases is ours, modelled on UD's. */
#include "extract-test.h"
#include "no-classify.h"

#define URL "https://www.regjeringen.no/no/tema/utenrikssaker/reiseinformasjon/velg-land/reiseinfo_test/id2999001/"
#define REAL_SAMPLE "norway/JGNWW_no-afghanistan.html"
#define LEAVE true

/* ---- one clause ---- */

typedef struct ClauseCase {
        const char *country;
        const char *clause;
        int level;
        NoScope scope;
        bool leave;
} ClauseCase;

#define WHOLE NO_SCOPE_WHOLE
#define PART NO_SCOPE_PART
#define REST NO_SCOPE_REST
#define CLEAR NO_SCOPE_CLEAR
#define NONE NO_SCOPE_NONE

static const ClauseCase clause_cases[] = {
        /* level 4, the object after "til" */
        { "AF", "Utenriksdepartementet fraråder alle reiser til Afghanistan.", 4, WHOLE },
        { "BY", "Utenriksdepartementet fraråder fortsatt alle reiser til Belarus.", 4, WHOLE },
        { "CF", "Utenriksdepartementet fraråder alle reiser til Den sentralafrikanske republikk.", 4, WHOLE },
        { "CD", "Utenriksdepartementet fraråder alle reiser til DR Kongo.", 4, WHOLE },
        { "CD", "Utenriksdepartementet fraråder alle reiser til Den demokratiske republikken Kongo.", 4, WHOLE },
        { "TT", "Utenriksdepartementet fraråder alle reiser til Trinidad og Tobago.", 4, WHOLE },
        { "MR", "Utenriksdepartementet fraråder alle reiser til Mauretania.", 4, WHOLE },
        { "RU", "UD fraråder alle reiser til hele landet.", 4, WHOLE },
        { "IL", "Utenriksdepartementet fraråder alle reiser til Israel i sin helhet.", 4, WHOLE },
        { "IQ", "Utenriksdepartementet fraråder alle reiser til Irak og grenseområdene mot Syria.", 4, WHOLE },
        { "SS", "Utenriksdepartementet (UD) fraråder alle reiser til Sør-Sudan", 4, WHOLE },
        { "MM", "Utenriksdepartementet fraråder alle reiser til Myanmar (Burma).", 4, WHOLE },
        { "IL", "Utenriksdepartementet fraråder alle reiser til Israel, Libanon og Iran.", 4, WHOLE },
        /* "til eller opphold i", "til og opphold i", "reiser og opphold" */
        { "LY", "Utenriksdepartementet fraråder alle reiser til eller opphold i Libya.", 4, WHOLE },
        { "SY", "Utenriksdepartementet fraråder alle reiser til og opphold i Syria.", 4, WHOLE },
        { "HT", "Utenriksdepartementet fraråder alle reiser og opphold i Haiti.", 4, WHOLE },
        /* "også", "videre", inverted order, other verbs, passives, emphasis */
        { "NE", "Utenriksdepartementet fraråder også alle reiser til Niger.", 4, WHOLE },
        { "NE", "Utenriksdepartementet fraråder videre alle reiser til Niger.", 4, WHOLE },
        { "NE", "Videre fraråder Utenriksdepartementet alle reiser til Niger.", 4, WHOLE },
        { "YE", "Utenriksdepartementet advarer mot alle reiser til Jemen.", 4, WHOLE },
        { "UA", "Derfor frarådes alle reiser til landet.", 4, WHOLE },
        { "HT", "Alle reiser til Haiti frarådes.", 4, WHOLE },
        { "KP", "UD fraråder på det sterkeste alle reiser til Nord-Korea.", 4, WHOLE },
        { "ML", "Utenriksdepartementet har frarådet alle reiser til Mali.", 4, WHOLE },
        { "ML", "Utenriksdepartementet fraråder på nytt alle reiser til Mali.", 4, WHOLE },
        /* the typo seen in production */
        { "ML", "Utenriksdepartementet fraråder aller reiser til Mali.", 4, WHOLE },
        /* leaving: the wording stays in the label, the level is 4 */
        { "IR", "Utenriksdepartementet fraråder alle reiser til Iran og oppfordrer norske borgere til å forlate landet.", 4, WHOLE, LEAVE },
        { "YE", "Utenriksdepartementet fraråder alle reiser til eller opphold i Jemen, og norske borgere oppfordres til å forlate landet.", 4, WHOLE, LEAVE },
        { "LB", "Nordmenn som befinner seg i Libanon oppfordres til å forlate landet.", 4, WHOLE, LEAVE },
        { "SD", "UD oppfordrer norske borgere til å forlate Sudan umiddelbart.", 4, WHOLE, LEAVE },
        { "SD", "Norske borgere bes forlate landet så snart det er trygt.", 4, WHOLE, LEAVE },
        { "IL", "Norske borgere i Israel bør vurdere å forlate landet.", 4, WHOLE, LEAVE },

        /* level 3 — THE TRAP first: "fraråder alle reiser" followed by "som ikke er strengt
         * nødvendige" is level 3 (Kazakhstan, January 2022) */
        { "KZ", "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til Kasakhstan.", 3, WHOLE },
        { "EG", "Utenriksdepartementet fraråder aller reiser som ikke er strengt nødvendige til Egypt.", 3, WHOLE },
        { "SA", "Utenriksdepartementet fraråder alle reiser eller opphold som ikke er strengt nødvendige til Saudi-Arabia.", 3, WHOLE },
        { "KW", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kuwait.", 3, WHOLE },
        /* discontinuous: the object between "reiser" and "som ikke er …" */
        { "JO", "Utenriksdepartementet fraråder reiser til Jordan som ikke er strengt nødvendige.", 3, WHOLE },
        { "KZ", "Utenriksdepartementet fraråder alle reiser til Kasakhstan som ikke er strengt nødvendige.", 3, WHOLE },
        /* without "strengt", singular, "reise eller opphold", "opphold og reiser" */
        { "QA", "UD fraråder reiser til og opphold i Qatar som ikke er nødvendige.", 3, WHOLE },
        { "BH", "Utenriksdepartementet fraråder reise eller opphold som ikke er strengt nødvendig i Bahrain.", 3, WHOLE },
        { "OM", "Utenriksdepartementet fraråder opphold og reiser som ikke er strengt nødvendige til Oman.", 3, WHOLE },
        { "PK", "Utenriksdepartementet fraråder alle reiser som ikke er absolutt nødvendige til Pakistan.", 3, WHOLE },
        /* "alle ikke nødvendige reiser" and kin */
        { "LB", "Utenriksdepartementet fraråder alle ikke nødvendige reiser til Libanon.", 3, WHOLE },
        { "AE", "Utenriksdepartementet fraråder alle ikke-nødvendige reiser til De forente arabiske emirater.", 3, WHOLE },
        { "AE", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til De forente arabiske emirater (UAE).", 3, WHOLE },
        { "KE", "Utenriksdepartementet fraråder unødvendige reiser til Kenya.", 3, WHOLE },
        { "KE", "Utenriksdepartementet fraråder ikke strengt nødvendige reiser til Kenya.", 3, WHOLE },
        /* passives */
        { "UA", "Videre frarådes reiser som ikke er strengt nødvendige til hele landet.", 3, WHOLE },
        { "TN", "Reiser som ikke er strengt nødvendige til Tunisia frarådes.", 3, WHOLE },

        /* parts: border zones, regions, cities; with and without "til" */
        { "TH", "Utenriksdepartementet fraråder alle reiser nærmere enn 20 km fra grensen til Laos.", 4, PART },
        { "LY", "Utenriksdepartementet fraråder alle reiser innenfor 50 km fra grensen til Tsjad.", 4, PART },
        { "LB", "Utenriksdepartementet fraråder alle reiser sør for elven Litani.", 4, PART },
        { "KH", "Utenriksdepartementet fraråder alle reiser i grenseområdet mot Thailand.", 4, PART },
        { "BJ", "Utenriksdepartementet fraråder alle reiser til og opphold i grenseområdene mot Niger.", 4, PART },
        { "TR", "Utenriksdepartementet fraråder alle reiser til eller opphold i områder nærmere enn ti km fra grensen til Irak.", 4, PART },
        { "MZ", "Utenriksdepartementet fraråder også alle reiser til provinsen Cabo Delgado.", 4, PART },
        { "EG", "Utenriksdepartementet fraråder alle reiser til Nord-Sinai.", 4, PART },
        { "LB", "Utenriksdepartementet fraråder alle reiser til Sør-Libanon.", 4, PART },
        { "NG", "Utenriksdepartementet advarer mot alle reiser til delstaten Borno.", 4, PART },
        { "CD", "Utenriksdepartementet fraråder alle reiser til byen Goma i Den demokratiske republikken Kongo.", 4, PART },
        { "BF", "Utenriksdepartementet fraråder alle reiser til de nordlige delene av landet.", 4, PART },
        { "PK", "Videre fraråder Utenriksdepartementet alle reiser til provinsen Balutsjistan.", 4, PART },
        /* the country's name restricted by what follows is a part */
        { "ER", "Utenriksdepartementet fraråder alle reiser til Eritrea, innenfor 30 km fra grensen mot Sudan.", 4, PART },
        { "ER", "Utenriksdepartementet fraråder reiser til Eritrea nær grensen mot Etiopia som ikke er strengt nødvendige.", 3, PART },
        /* places that a country table may take for the country itself */
        { "PS", "Utenriksdepartementet fraråder alle reiser til Gaza.", 4, PART },
        { "PS", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Vestbredden.", 3, PART },
        { "SO", "Utenriksdepartementet fraråder reise eller opphold som ikke er strengt nødvendig til Somaliland.", 3, PART },
        { "MD", "Utenriksdepartementet fraråder alle reiser til utbryterregionen Transnistria.", 4, PART },
        /* "the rest of" something that is not the country is a part */
        { "PH", "Utenriksdepartementet fraråder alle reiser til øvrige deler av Mindanao.", 4, PART },
        { "CM", "Videre frarådes reiser som ikke er strengt nødvendige til øvrige deler av regionen Nord.", 3, PART },
        /* level 3 parts, discontinuous included */
        { "BO", "Utenriksdepartementet fraråder reiser til Chapare-provinsen som ikke er strengt nødvendige.", 3, PART },
        { "ET", "Utenriksdepartementet fraråder alle reiser til regionen Tigray som ikke er strengt nødvendige.", 3, PART },
        { "SO", "Utenriksdepartementet fraråder reiser til Kismayo i Somalia som ikke er strengt nødvendige.", 3, PART },
        { "MY", "Utenriksdepartementet fraråder reise eller opphold som ikke er strengt nødvendig til øyene utenfor kysten av Sabah.", 3, PART },
        { "CI", "Utenriksdepartementet fraråder opphold og reiser som ikke er strengt nødvendige innen 40 km fra grensen til Mali.", 3, PART },
        { "BO", "Utenriksdepartementet fraråder alle ikke nødvendige reiser til Cochabamba-regionen.", 3, PART },
        { "CM", "Videre frarådes reiser som ikke er strengt nødvendige til Bakassi-halvøya.", 3, PART },

        /* the rest of the country */
        { "ET", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet.", 3, REST },
        { "LB", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av Libanon.", 3, REST },
        { "CD", "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til øvrige deler av landet.", 3, REST },
        { "UA", "Utenriksdepartementet fraråder alle reiser til de resterende regionene i Ukraina.", 4, REST },
        { "UA", "Utenriksdepartementet fraråder alle reiser til de resterende regionene.", 4, REST },
        { "UA", "Utenriksdepartementet fraråder alle reiser til de resterende regionene i Ukraina og oppfordrer norske borgere til å forlate disse områdene.", 4, REST, LEAVE },
        { "SO", "Utenriksdepartementet fraråder alle reiser til resten av landet.", 4, REST },
        { "ML", "Utenriksdepartementet fraråder alle reiser til alle andre deler av landet.", 4, REST },
        { "ML", "Utenriksdepartementet fraråder alle reiser til landet for øvrig.", 4, REST },
        { "TD", "Utenriksdepartementet fraråder alle reiser til Tsjad utenfor N'Djamena.", 4, REST },
        { "AF", "Utenriksdepartementet fraråder alle reiser utenfor Kabul.", 4, REST },
        { "TD", "Utenriksdepartementet fraråder alle reiser til Tsjad utenfor N\xe2\x80\x99" "Djamena.", 4, REST },

        /* exceptions: the whole country, less a place */
        { "PS", "Utenriksdepartementet fraråder alle reiser til Palestina, med unntak av Øst-Jerusalem.", 4, WHOLE },
        { "MR", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Mauretania, bortsett fra hovedstaden Nouakchott.", 3, WHOLE },
        { "IQ", "Utenriksdepartementet fraråder alle reiser til Irak unntatt Kurdistan-regionen.", 4, WHOLE },
        { "CU", "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til alle provinser på Cuba med unntak av Havanna.", 3, PART },

        /* places said to have no advice */
        { "ML", "Det er ikke reiseadvarsel til hovedstaden Bamako.", 1, CLEAR },
        { "CM", "Det presiseres at det ikke er reiseadvarsel for byen Garoua.", 1, CLEAR },
        { "CM", "Det foreligger ikke reiseadvarsel for øvrige deler av landet.", 1, CLEAR },
        { "KE", "Byen Mombasa er ikke omfattet av reiseadvarselen.", 1, CLEAR },
        { "TZ", "Øya Zanzibar er ikke omfattet av reiseadvarslet.", 1, CLEAR },
        { "IQ", "Utenriksdepartementet fraråder ikke reiser til Erbil.", 1, CLEAR },
        { "ET", "Reiseadvarselen for Tigray er opphevet.", 1, CLEAR },

        /* context: nothing about a level */
        { "ML", "Situasjonen kan endre seg raskt.", 0, NONE },
        { "ML", "Se mer under «Sikkerhet».", 0, NONE },
        { "ML", "Det er ikke nødvendig med visum for opphold under 90 dager.", 0, NONE },
        { "ML", "Reisende bør unngå demonstrasjoner og store folkemengder.", 0, NONE },
        { "ML", "Dette gjelder ikke byen Gao.", 0, NONE }, /* no clause before it */
        { "ML", "Norske borgere bør ha gyldig pass når de skal forlate landet.", 0, NONE },
};

static void test_clauses(void **state _unused_) {
        for (size_t i = 0; i < ELEMENTSOF(clause_cases); i++) {
                const ClauseCase *t = &clause_cases[i];
                NoClause c = {};
                int r = no_classify_clause(t->clause, t->country, NULL, &c);

                if (r < 0)
                        fail_msg("\"%s\": %s", t->clause, strerror(-r));
                if (c.level != t->level || c.scope != t->scope || c.leave != t->leave)
                        fail_msg("\"%s\": level %d %s%s, want %d %s%s", t->clause, c.level,
                                 no_scope_to_string(c.scope), c.leave ? " leave" : "", t->level,
                                 no_scope_to_string(t->scope), t->leave ? " leave" : "");
                no_clause_done(&c);
        }
}

/* Advice in a form we do not read fails the page rather than guess a level or a scope. */
static void test_unrecognised_clauses(void **state _unused_) {
        static const char *const clauses[] = {
                "Utenriksdepartementet fraråder reiser til Irak.",         /* no level */
                "Utenriksdepartementet fraråder opphold i Irak.",
                "Utenriksdepartementet fraråder alle reiser.",             /* no object */
                "Videre frarådes reiser som ikke er strengt nødvendige.",
                "Utenriksdepartementet fraråder å reise til Basra.",
                "Norske borgere bør ikke reise til Basra.",
                "Utenriksdepartementet gir en frarådning mot reiser til Basra.",
                "Utenriksdepartementet advarer mot reiser til Basra.",
        };

        for (size_t i = 0; i < ELEMENTSOF(clauses); i++) {
                NoClause c = {};
                int r = no_classify_clause(clauses[i], "IQ", NULL, &c);

                if (r != -EBADMSG)
                        fail_msg("\"%s\": %d (level %d %s), want -EBADMSG", clauses[i], r,
                                 c.level, no_scope_to_string(c.scope));
        }
}

/* ---- splitting ---- */

typedef struct SplitCase {
        const char *paragraph;
        const char *clauses[5];
} SplitCase;

static void test_split(void **state _unused_) {
        static const SplitCase cases[] = {
                { "Utenriksdepartementet fraråder alle reiser til Syria. Nordmenn som er i Syria oppfordres til å forlate landet.",
                  { "Utenriksdepartementet fraråder alle reiser til Syria.",
                    "Nordmenn som er i Syria oppfordres til å forlate landet." } },
                /* two pieces of advice in one sentence */
                { "Utenriksdepartementet fraråder alle reiser til Mali og oppfordrer norske borgere til å forlate landet.",
                  { "Utenriksdepartementet fraråder alle reiser til Mali",
                    "og oppfordrer norske borgere til å forlate landet." } },
                { "Utenriksdepartementet fraråder alle reiser til Nord-Sinai og alle reiser innenfor 50 km fra grensen til Libya.",
                  { "Utenriksdepartementet fraråder alle reiser til Nord-Sinai",
                    "og alle reiser innenfor 50 km fra grensen til Libya." } },
                { "UD fraråder videre alle reiser til Bekaadalen, med unntak av Zahle, samt alle reiser nærmere enn fem kilometer fra grensen.",
                  { "UD fraråder videre alle reiser til Bekaadalen, med unntak av Zahle",
                    ", samt alle reiser nærmere enn fem kilometer fra grensen." } },
                { "UD fraråder alle reiser til Irak, med unntak av Kurdistan-regionen, hvor UD fraråder reiser som ikke er strengt nødvendige.",
                  { "UD fraråder alle reiser til Irak, med unntak av Kurdistan-regionen,",
                    "hvor UD fraråder reiser som ikke er strengt nødvendige." } },
                { "UD fraråder alle reiser til Irak; reiser som ikke er strengt nødvendige til Kurdistan-regionen frarådes også.",
                  { "UD fraråder alle reiser til Irak",
                    "reiser som ikke er strengt nødvendige til Kurdistan-regionen frarådes også." } },
                /* not split: one piece of advice */
                { "Utenriksdepartementet fraråder opphold og reiser som ikke er strengt nødvendige innen 60 km fra grensen.",
                  { "Utenriksdepartementet fraråder opphold og reiser som ikke er strengt nødvendige innen 60 km fra grensen." } },
                { "Utenriksdepartementet fraråder alle reiser og opphold som ikke er strengt nødvendige til Kasakhstan.",
                  { "Utenriksdepartementet fraråder alle reiser og opphold som ikke er strengt nødvendige til Kasakhstan." } },
                { "UD fraråder alle reiser til områder ca. 20 km fra grensen ved St. Louis. Se også punktet om sikkerhet.",
                  { "UD fraråder alle reiser til områder ca. 20 km fra grensen ved St. Louis.",
                    "Se også punktet om sikkerhet." } },
                /* typographic apostrophes and soft hyphens made plain */
                { "UD fraråder alle reiser til N\xe2\x80\x99" "Djamena\xc2\xad" "s forsteder.",
                  { "UD fraråder alle reiser til N'Djamenas forsteder." } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **l = NULL;
                size_t n = 0;

                assert_int_equal(no_split_clauses(cases[i].paragraph, &l), 0);
                while (n < ELEMENTSOF(cases[i].clauses) && cases[i].clauses[n])
                        n++;
                for (size_t k = 0; k < n && l[k]; k++)
                        if (!streq(l[k], cases[i].clauses[k]))
                                fail_msg("\"%s\": clause %zu \"%s\", want \"%s\"",
                                         cases[i].paragraph, k, l[k], cases[i].clauses[k]);
                if (strv_length(l) != n)
                        fail_msg("\"%s\": %zu clauses, want %zu", cases[i].paragraph,
                                 strv_length(l), n);
        }
}

/* ---- whole advice boxes ---- */

typedef struct BoxCase {
        const char *what;
        const char *country;
        const char *paragraphs[8];
        int level, regional;
} BoxCase;

static const BoxCase box_cases[] = {
        { "whole country and leave", "AF",
          { "Utenriksdepartementet fraråder alle reiser til Afghanistan. Nordmenn i Afghanistan oppfordres til å forlate landet." },
          4, 0 },
        { "the trap", "KZ",
          { "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til Kasakhstan." },
          3, 0 },
        { "parts only", "TN",
          { "Utenriksdepartementet fraråder alle reiser til områdene sør for Douz.",
            "Utenriksdepartementet fraråder også alle reiser til grenseområdene mot Algerie." },
          1, 4 },
        { "level-3 parts only", "MZ",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til provinsen Cabo Delgado." },
          1, 3 },
        { "whole 3, a part 4", "BI",
          { "Utenriksdepartementet fraråder alle reiser til provinsen Cibitoke.",
            "Utenriksdepartementet fraråder reiser til Burundi som ikke er strengt nødvendige." },
          3, 4 },
        { "whole 4 covers a part at 3", "ML",
          { "Utenriksdepartementet fraråder alle reiser til Mali.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Bamako." },
          4, 0 },
        { "rest of the country at 3, parts at 4", "VE",
          { "Utenriksdepartementet fraråder alle reiser innenfor 20 km fra grensen til Colombia. Utenriksdepartementet fraråder videre reiser som ikke er strengt nødvendige til øvrige deler av Venezuela." },
          3, 4 },
        { "rest of the country at 4, parts at 3", "UA",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til regionene Lviv og Volyn.",
            "Utenriksdepartementet fraråder alle reiser til regionene Kyiv og Sumy, samt Kyiv by.",
            "Utenriksdepartementet fraråder alle reiser til de resterende regionene i Ukraina og oppfordrer norske borgere til å forlate disse områdene." },
          3, 4 },
        /* DESIGN.md: N'Djamena at 3 and "Tsjad utenfor N'Djamena" at 4 → level 3, regional 4 */
        { "a city at 3, the country outside it at 4", "TD",
          { "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til N\xe2\x80\x99" "Djamena. Utenriksdepartementet fraråder alle reiser til Tsjad utenfor N\xe2\x80\x99" "Djamena." },
          3, 4 },
        { "the country outside a city, the city unadvised", "TD",
          { "Utenriksdepartementet fraråder alle reiser til Tsjad utenfor N'Djamena." },
          1, 4 },
        /* DESIGN.md: Ethiopia with regions at 4, the rest at 3 but the capital excepted → 1, 4 */
        { "regions 4, rest 3, capital cleared", "ET",
          { "Utenriksdepartementet fraråder alle reiser til Tigray og Amhara.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av Etiopia.",
            "Det er ikke reiseadvarsel til hovedstaden Addis Abeba." },
          1, 4 },
        { "rest at 3 with an exception", "ET",
          { "Utenriksdepartementet fraråder alle reiser til Tigray.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet, med unntak av Addis Abeba." },
          1, 4 },
        { "whole country with an exception", "PS",
          { "Utenriksdepartementet fraråder alle reiser til Palestina, med unntak av Øst-Jerusalem og byen Betlehem." },
          1, 4 },
        { "whole 3 but the capital, in the same sentence", "MR",
          { "Utenriksdepartementet fraråder reise til, eller opphold som ikke er strengt nødvendig, i Mauretania, bortsett fra hovedstaden som ikke er omfattet av reiseadvarselen." },
          1, 3 },
        { "the excepted region advised at 3 in its own clause", "IQ",
          { "Utenriksdepartementet fraråder alle reiser til Irak, med unntak av Kurdistan-regionen.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kurdistan-regionen." },
          3, 4 },
        { "the excepted capital advised at 3 in the same sentence", "NE",
          { "Utenriksdepartementet fraråder alle reiser til Niger, bortsett fra hovedstaden Niamey, der det frarådes reiser som ikke er strengt nødvendige." },
          3, 4 },
        { "the country outside its capital at 4, the capital at 3", "AF",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kabul.",
            "Utenriksdepartementet fraråder alle reiser utenfor Kabul." },
          3, 4 },
        { "an extension to the whole country", "ML",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til regionen Kidal. Reiseadvarselen gjelder hele landet." },
          3, 0 },
        { "the excepted region advised at 3 in the same sentence", "IQ",
          { "Utenriksdepartementet fraråder alle reiser til Irak, med unntak av Kurdistan-regionen, hvor UD fraråder reiser som ikke er strengt nødvendige." },
          3, 4 },
        { "an exception covered by a whole-country clause", "IQ",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Irak.",
            "Utenriksdepartementet fraråder alle reiser til Irak, med unntak av Kurdistan-regionen." },
          3, 4 },
        { "an exception inside a part falls back to the rest", "LB",
          { "Utenriksdepartementet fraråder alle reiser sør for Saida. Utenriksdepartementet fraråder videre alle reiser til Bekaadalen, med unntak av byen Zahle, samt alle reiser nærmere enn fem kilometer fra grensen mot Syria.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av Libanon." },
          3, 4 },
        { "'Dette gjelder ikke' after a whole-country clause", "GE",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til hele landet. Dette gjelder ikke hovedstaden Tbilisi." },
          1, 3 },
        { "'Dette gjelder ikke' after a part", "GE",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til hele landet.",
            "Utenriksdepartementet fraråder alle reiser til områdene nær Abkhasia. Dette gjelder ikke turistbyen Gudauri." },
          3, 4 },
        { "'Dette gjelder ikke' a place advised on in the same sentence", "GE",
          { "Utenriksdepartementet fraråder alle reiser til hele landet. Dette gjelder ikke hovedstaden Tbilisi, hvor UD fraråder reiser som ikke er strengt nødvendige." },
          3, 4 },
        { "leaving a part", "SO",
          { "Utenriksdepartementet fraråder alle reiser til sørlige Somalia, og oppfordrer de som er i disse områdene til å forlate området." },
          1, 4 },
        { "leaving the country after parts", "LB",
          { "Utenriksdepartementet fraråder alle reiser til Sør-Libanon.",
            "Norske borgere oppfordres til å forlate landet." },
          4, 0 },
        { "an extension of the clause before", "MY",
          { "Utenriksdepartementet fraråder reise eller opphold som ikke er strengt nødvendig til øyene utenfor Sabah. Reiseadvarslet gjelder også kyststripen, unntatt byen Sandakan." },
          1, 3 },
        { "parts and places cleared", "CM",
          { "Utenriksdepartementet fraråder alle reiser til regionen Extrême-Nord.",
            "Videre frarådes reiser som ikke er strengt nødvendige til øvrige deler av regionen Nord. Det presiseres at det ikke er reiseadvarsel for byen Garoua.",
            "Det foreligger ikke reiseadvarsel for øvrige deler av landet." },
          1, 4 },
        { "a part at 4 and the rest at 3 in one sentence", "CO",
          { "Utenriksdepartementet fraråder alle reiser til regionen Arauca og reiser som ikke er strengt nødvendige til resten av landet." },
          3, 4 },
        /* countries UD divides into named parts: every part advised leaves no rest at 1 */
        { "every part of Somalia named, over two clauses", "SO",
          { "Utenriksdepartementet fraråder alle reiser til eller opphold i sørlige, sentrale og nordøstlige Somalia, og oppfordrer de som er i disse områdene til å forlate området. Utenriksdepartementet fraråder reise eller opphold som ikke er strengt nødvendig til Somaliland." },
          3, 4 },
        { "every part of Somalia, other names and order", "SO",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Somaliland.",
            "Utenriksdepartementet fraråder alle reiser til det sørlige og sentrale Somalia og Puntland." },
          3, 4 },
        { "every part of Somalia at 4", "SO",
          { "Utenriksdepartementet fraråder alle reiser til Sør-Somalia, Sentral-Somalia og Puntland.",
            "Utenriksdepartementet fraråder også alle reiser til Somaliland." },
          4, 0 },
        { "a part of Somalia not named", "SO",
          { "Utenriksdepartementet fraråder alle reiser til sørlige og sentrale Somalia.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Somaliland." },
          1, 4 },
        { "every part of Somalia, but a city cleared", "SO",
          { "Utenriksdepartementet fraråder alle reiser til sørlige, sentrale og nordøstlige Somalia.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Somaliland.",
            "Det er ikke reiseadvarsel til byen Hargeisa." },
          1, 4 },
        { "a part of Somalia named with a place that is none", "SO",
          { "Utenriksdepartementet fraråder alle reiser til sørlige, sentrale og nordøstlige Somalia.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Somaliland og grenseområdene mot Etiopia." },
          1, 4 },
        { "Gaza and the West Bank", "PS",
          { "Utenriksdepartementet fraråder alle reiser til Gaza.",
            "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Vestbredden." },
          3, 4 },
        { "Gaza and the West Bank in one clause", "PS",
          { "Utenriksdepartementet fraråder alle reiser til Gazastripen og Vestbredden." },
          4, 0 },
        { "the West Bank less East Jerusalem", "PS",
          { "Utenriksdepartementet fraråder alle reiser til Gaza og reiser som ikke er strengt nødvendige til Vestbredden, med unntak av Øst-Jerusalem." },
          1, 4 },
        { "Gaza alone", "PS",
          { "Utenriksdepartementet fraråder alle reiser til Gaza." },
          1, 4 },
        { "a partition of another country names nothing here", "ET",
          { "Utenriksdepartementet fraråder alle reiser til Somaliland og Gaza." },
          1, 4 },
        { "context sentences in the box", "KW",
          { "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kuwait.",
            "Situasjonen i regionen er uforutsigbar og kan endre seg raskt." },
          3, 0 },
        { "a box that only clears", "ET",
          { "Reiseadvarselen for Tigray er opphevet." },
          1, 0 },
};

static void test_boxes(void **state _unused_) {
        for (size_t i = 0; i < ELEMENTSOF(box_cases); i++) {
                const BoxCase *t = &box_cases[i];
                _cleanup_free_ char *bad = NULL;
                NoVerdict v = {};
                int r = no_classify_advice((char *const *) t->paragraphs, t->country, &v, &bad);

                if (r < 0)
                        fail_msg("%s: %s (%s)", t->what, strerror(-r), strna(bad));
                if (v.level != t->level || v.regional_level != t->regional)
                        fail_msg("%s: level %d regional %d, want %d regional %d", t->what, v.level,
                                 v.regional_level, t->level, t->regional);
        }
}

static void test_boxes_refused(void **state _unused_) {
        static const char *const context[] = { "Situasjonen kan endre seg raskt.", NULL };
        static const char *const unreadable[] = { "Utenriksdepartementet fraråder alle reiser til Irak.",
                                                  "Utenriksdepartementet fraråder reiser til Basra.",
                                                  NULL };
        _cleanup_free_ char *bad = NULL;
        NoVerdict v;

        assert_int_equal(no_classify_advice((char *const *) context, "IQ", &v, &bad), -ENOMSG);
        assert_int_equal(no_classify_advice((char *const *) unreadable, "IQ", &v, &bad), -EBADMSG);
        assert_string_equal(bad, "Utenriksdepartementet fraråder reiser til Basra.");
}

/* ---- dates ---- */

static void test_dates(void **state _unused_) {
        static const struct {
                const char *status, *date; /* NULL: none */
        } cases[] = {
                { "SIST OPPDATERT: 04.08.2021 - FORTSATT GYLDIG", "2021-08-04" },
                { "SIST OPPDATERT 2. MARS 2022 - FORTSATT GYLDIG", "2022-03-02" },
                { "SIST OPPDATERT: 12. MARS 2026 FORTSATT GYLDIG", "2026-03-12" },
                { "OPPDATERT: 21. JANUAR 2026 - FORTSATT GYLDIG", "2026-01-21" },
                { "REISEADVARSEL ER SIST OPPDATERT: 22. JULI 2026 - FORTSATT GYLDIG", "2026-07-22" },
                { "SIST OPPDATERT 31, JANUAR 2025 - FORTSATT GYLDIG", "2025-01-31" },
                { "SIST OPPDATERT: 23. APRIL 2023 \xe2\x80\x93 FORTSATT GYLDIG", "2023-04-23" },
                { "SIST OPPDATERT: 18. OKTOBER 2022- FORTSATT GYLDIG", "2022-10-18" },
                { "SIST OPPDATERT: 02. OKTOBER 2026 - FORTSATT GYLDIG", "2026-10-02" },
                { "SIST OPPDATERT 1. MAI 2024", "2024-05-01" },
                { "Sist oppdatert: 20.06.2024", "2024-06-20" },
                { "sist oppdatert 4.8.21", "2021-08-04" },
                { "12. mar. 2026", "2026-03-12" },
                { "5 sept 2024", "2024-09-05" },
                { "17. des 2025 - fortsatt gyldig", "2025-12-17" },
                { "29. februar 2024", "2024-02-29" },
                { "SIST OPPDATERT: 2021-08-04", "2021-08-04" },
                { "Oppdatert 3/6/2026", "2026-06-03" },
                /* the first valid date wins */
                { "SIST OPPDATERT: 31.02.2021, rettet 01.03.2021", "2021-03-01" },
                /* none */
                { "FORTSATT GYLDIG", NULL },
                { "", NULL },
                { "SIST OPPDATERT: 31.02.2021", NULL },
                { "SIST OPPDATERT: 29. februar 2023", NULL },
                { "SIST OPPDATERT: 32. januar 2026", NULL },
                { "SIST OPPDATERT: 12. MARSJ 2026", NULL },
                { "SIST OPPDATERT: 12. mars", NULL },
                { "SIST OPPDATERT: 123.45.2026", NULL },
                { "SIST OPPDATERT: 04.08.20215", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[NO_DATE_MAX];
                int r = no_parse_date(cases[i].status, buf);
                const char *got = r >= 0 ? buf : NULL;

                if (!streq_ptr(got, cases[i].date))
                        fail_msg("\"%s\": %s, want %s", cases[i].status, strna(got),
                                 strna(cases[i].date));
        }
}

/* ---- pages ---- */

static int extract_data(const char *data, size_t size, const char *url, AdvisoryList *out,
                        ExtractError *err) {
        ExtractInput in = { .data = data, .size = size, .url = url };
        return source_no_extract(&in, out, err);
}

static int extract_file(const char *name, AdvisoryList *out, ExtractError *err) {
        size_t size;
        _cleanup_free_ char *data = read_fixture("no", name, &size);

        return extract_data(data, size, URL, out, err);
}

/* r and l from one extraction: the one record e, at url (e->url is not used). */
static void check_record(const char *what, int r, const AdvisoryList *l, const ExtractError *err,
                         const Expected *e, const char *url) {
        Expected want = *e;

        want.url = url;
        check_extracted(what, r, l, err);
        check_records(what, l, &want, 1);
}

static void test_pages(void **state _unused_) {
        static const struct {
                const char *file;
                Expected want;
        } cases[] = {
                { "yemen-leave.html",
                  { "YE", 4, 0,
                    "Utenriksdepartementet fraråder alle reiser til eller opphold i Jemen. Nordmenn som er i Jemen oppfordres til å forlate landet.",
                    "2013-02-18" } },
                { "kazakhstan-2022.html",
                  { "KZ", 3, 0,
                    "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til Kasakhstan.",
                    "2022-01-05" } },
                { "ethiopia-regions.html", { "ET", 1, 4, NULL, "2026-10-02" } },
                { "chad-rest.html", { "TD", 3, 4, NULL, "2021-05-15" } },
                { "venezuela-baseline.html", { "VE", 3, 4, NULL, "2026-05-27" } },
                { "palestine-exception.html", { "PS", 1, 4, NULL, "2026-06-30" } },
                { "thailand-parts.html", { "TH", 1, 4, NULL, "2026-06-03" } },
                { "ukraine-regions.html", { "UA", 3, 4, NULL, "2026-01-21" } },
                { "malaysia-continuation.html", { "MY", 1, 3, NULL, "2024-12-06" } },
                /* no advice box: level 1, our label, the page's date */
                { "sweden-no-advice.html", { "SE", 1, 0, "Ingen reiseadvarsel", "2026-06-01" } },
                /* other factboxes (Innreise, Sikkerhet, Helse) are not advice, even when they
                 * paraphrase some */
                { "cyprus-other-factboxes.html", { "CY", 1, 0, "Ingen reiseadvarsel", "2026-07-30" } },
                /* the ingress repeats the advice in other words: only the box counts */
                /* Somalia's named parts, all advised: the lowest of them */
                { "somalia-parts.html", { "SO", 3, 4, NULL, "2013-02-18" } },
                { "bahrain-ingress.html",
                  { "BH", 3, 0,
                    "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Bahrain.",
                    "2026-07-22" } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_file(cases[i].file, &l, &err);

                check_record(cases[i].file, r, &l, &err, &cases[i].want, URL);
        }
}

typedef struct RefusedCase {
        const char *file;
        FailureClass failure;
        const char *message; /* a part of the reason */
} RefusedCase;

/* r, l and err from an extraction into an empty list that must have failed: nothing added, the
 * failure class, a reason that contains message (unless NULL). */
static void check_page_refused(const char *what, int r, const AdvisoryList *l,
                               const ExtractError *err, FailureClass failure, const char *message) {
        if (r >= 0)
                fail_msg("%s: extracted %zu records, want a failure", what, l->n);
        assert_int_equal(l->n, 0);
        if (err->failure != failure)
                fail_msg("%s: %s (%s), want %s", what, failure_class_to_string(err->failure),
                         err->message, failure_class_to_string(failure));
        if (message && !strstr(err->message, message))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", what, err->message, message);
}

static void test_refused(void **state _unused_) {
        static const RefusedCase cases[] = {
                { "challenge-cloudflare.html", FAILURE_BLOCKED, "Cloudflare" },
                { "challenge-cloudflare-nb.html", FAILURE_BLOCKED, "Cloudflare" },
                { "challenge-turnstile.html", FAILURE_BLOCKED, "Cloudflare" },
                { "cloudflare-block.html", FAILURE_BLOCKED, "Cloudflare" },
                { "error-page.html", FAILURE_INVALID_DOCUMENT, "not a regjeringen.no country page" },
                { "index-page.html", FAILURE_INVALID_DOCUMENT, "not a regjeringen.no country page" },
                { "wrong-site.html", FAILURE_INVALID_DOCUMENT, "not a regjeringen.no country page" },
                { "truncated-in-box.html", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "truncated-after-box.html", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "empty-box.html", FAILURE_INVALID_DOCUMENT, "advice box without its text" },
                { "unknown-country.html", FAILURE_INVALID_DOCUMENT, "unknown country name 'Atlantis'" },
                { "mismatch.html", FAILURE_INVALID_DOCUMENT, "warns about 'Russland'" },
                { "unrecognised.html", FAILURE_INVALID_DOCUMENT,
                  "unrecognised advice: Utenriksdepartementet fraråder reiser til Irak." },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_file(cases[i].file, &l, &err);

                check_page_refused(cases[i].file, r, &l, &err, cases[i].failure, cases[i].message);
        }
}

static void test_not_html(void **state _unused_) {
        static const struct {
                const char *data;
                FailureClass failure;
        } cases[] = {
                { "", FAILURE_INVALID_DOCUMENT },
                { "{}", FAILURE_INVALID_DOCUMENT },
                { "<?xml version=\"1.0\"?><rss><channel></channel></rss>", FAILURE_INVALID_DOCUMENT },
                { "\x1f\x8b\x08\x00\x00\x00\x00\x00", FAILURE_INVALID_DOCUMENT },
                { "<html><head><title>Just a moment...</title></head></html>", FAILURE_BLOCKED },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_data(cases[i].data, strlen(cases[i].data), URL, &l, &err);

                check_page_refused(cases[i].data, r, &l, &err, cases[i].failure, NULL);
        }
}

/* ---- pages built here: the same structure, one thing varied at a time ---- */

#define PAGE_HEAD                                                                                  \
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">"                        \
        "<title>%s - reiseinformasjon - regjeringen.no</title></head>\n<body><main>"               \
        "<div class=\"content-row article\"><div class=\"content-col-2 article-content\">\n"       \
        "<header class=\"article-header\"><h1>%s</h1></header>\n"                                  \
        "<div class=\"article-info\"><p>%s</p></div>\n"                                            \
        "<div class=\"article-ingress\"><p>%s</p></div>\n<div class=\"article-body\"><div><div>\n"
#define PAGE_BOX                                                                                   \
        "<div class=\"factbox\" style=\"clear:both\"><div class=\"factbox-static\">\n"             \
        "<p class=\"factbox-pre-title\">%s</p>\n<h2 class=\"factbox-title\">%s</h2></div>\n"       \
        "<div id=\"factbox2900001\" class=\"factbox-content\"><div class=\"factbox-static\">\n"    \
        "%s\n</div></div></div>\n"
#define PAGE_TAIL "</div></div>\n</div></div></div></main></body></html>\n"

typedef struct Page {
        const char *h1;      /* "Mali - reiseinformasjon" */
        const char *info;    /* inside .article-info */
        const char *ingress;
        const char *status;  /* NULL: no advice box */
        const char *title;   /* "Reiseadvarsel for Mali" */
        const char *content; /* the box's HTML */
} Page;

static char *page_build(const Page *p) {
        _cleanup_free_ char *head = strprintf(PAGE_HEAD, p->h1, p->h1, strempty(p->info),
                                              strempty(p->ingress));
        _cleanup_free_ char *box = p->status ? strprintf(PAGE_BOX, p->status, p->title, p->content)
                                             : strdup("");
        char *s;

        assert_non_null(head);
        assert_non_null(box);
        s = strprintf("%s%s%s", head, box, PAGE_TAIL);
        assert_non_null(s);
        return s;
}

static int extract_page(const Page *p, const char *url, AdvisoryList *out, ExtractError *err) {
        _cleanup_free_ char *s = page_build(p);
        return extract_data(s, strlen(s), url, out, err);
}

#define DATE_INFO "<span class=\"date\">Sist oppdatert: 20.06.2024</span>"
#define MALI_L4 "<p>Utenriksdepartementet fraråder alle reiser til Mali.</p>"

static void test_built_pages(void **state _unused_) {
        static const struct {
                const char *what;
                Page page;
                Expected want;
        } cases[] = {
                { "status date wins over the page's",
                  { "Mali - reiseinformasjon", DATE_INFO, "", "SIST OPPDATERT: 19.11.2025 - FORTSATT GYLDIG",
                    "Reiseadvarsel for Mali", MALI_L4 },
                  { "ML", 4, 0, "Utenriksdepartementet fraråder alle reiser til Mali.", "2025-11-19" } },
                { "status without a date: the page's",
                  { "Mali - reiseinformasjon", DATE_INFO, "", "FORTSATT GYLDIG", "Reiseadvarsel for Mali", MALI_L4 },
                  { "ML", 4, 0, NULL, "2024-06-20" } },
                { "no date at all",
                  { "Mali - reiseinformasjon", "", "", "FORTSATT GYLDIG", "Reiseadvarsel for Mali", MALI_L4 },
                  { "ML", 4, 0, NULL, NULL } },
                { "no box, no date",
                  { "Norge - reiseinformasjon", "", "Trygt.", NULL, NULL, NULL },
                  { "NO", 1, 0, "Ingen reiseadvarsel", NULL } },
                { "heading with an en dash, title without a name",
                  { "Tsjad \xe2\x80\x93 reiseinformasjon", "", "", "SIST OPPDATERT 15.05.2021", "Reiseadvarsel",
                    "<p>Utenriksdepartementet fraråder alle reiser til Tsjad.</p>" },
                  { "TD", 4, 0, NULL, "2021-05-15" } },
                { "heading 'Reiseinformasjon for …'",
                  { "Reiseinformasjon for Ghana", "", "", NULL, NULL, NULL },
                  { "GH", 1, 0, "Ingen reiseadvarsel", NULL } },
                { "heading unknown, the box names the country",
                  { "Sør-Sudan (Republikken) - reiseinformasjon", "", "", "26. MARS 2025", "Reiseadvarsel for Sør-Sudan",
                    "<p>Utenriksdepartementet fraråder alle reiser til Sør-Sudan.</p>" },
                  { "SS", 4, 0, NULL, "2025-03-26" } },
                { "line breaks and inline markup inside a paragraph",
                  { "Syria - reiseinformasjon", "", "", "18.02.2013", "Reiseadvarsel for Syria",
                    "<p>Utenriksdepartementet <strong>fraråder alle reiser</strong> til eller opphold i <a href=\"#\">Syria</a>.<br>Nordmenn i Syria oppfordres til å forlate landet.</p>" },
                  { "SY", 4, 0,
                    "Utenriksdepartementet fraråder alle reiser til eller opphold i Syria. Nordmenn i Syria oppfordres til å forlate landet.",
                    "2013-02-18" } },
                { "text outside paragraphs",
                  { "Kuwait - reiseinformasjon", "", "", "22.07.2026", "Reiseadvarsel for Kuwait",
                    "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kuwait." },
                  { "KW", 3, 0, "Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til Kuwait.", "2026-07-22" } },
                { "list items",
                  { "Tunisia - reiseinformasjon", "", "", "18.10.2022", "Reiseadvarsel for Tunisia",
                    "<ul><li>Utenriksdepartementet fraråder alle reiser til områdene sør for Douz.</li><li>Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet.</li></ul>" },
                  { "TN", 3, 4, NULL, "2022-10-18" } },
                { "soft hyphens and a typographic apostrophe",
                  { "Tsjad - reiseinformasjon", "", "", "15.05.2021", "Reiseadvarsel for Tsjad",
                    "<p>Utenriksdepartementet fra&#xAD;råder alle reiser som ikke er strengt nødvendige til N&#x2019;Djamena. Utenriksdepartementet fraråder alle reiser til Tsjad uten&#xAD;for N&#x2019;Djamena.</p>" },
                  { "TD", 3, 4, NULL, "2021-05-15" } },
                { "entities and non-breaking spaces",
                  { "Kasakhstan - reiseinformasjon", "", "", "5.&nbsp;JANUAR&nbsp;2022", "Reiseadvarsel&nbsp;for Kasakhstan",
                    "<p>Utenriksdepartementet&nbsp;fraråder alle&nbsp;reiser som ikke er strengt n&#xF8;dvendige til Kasakhstan.</p>" },
                  { "KZ", 3, 0, "Utenriksdepartementet fraråder alle reiser som ikke er strengt nødvendige til Kasakhstan.", "2022-01-05" } },
                { "the ingress says more than the box",
                  { "Libanon - reiseinformasjon", "", "Utenriksdepartementet fraråder alle reiser til Libanon.",
                    "29.09.2026", "Reiseadvarsel for Libanon",
                    "<p>Utenriksdepartementet fraråder alle reiser sør for Saida.</p>" },
                  { "LB", 1, 4, NULL, "2026-09-29" } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_page(&cases[i].page, URL, &l, &err);

                check_record(cases[i].what, r, &l, &err, &cases[i].want, URL);
        }
}

static void test_url(void **state _unused_) {
        const Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali", MALI_L4 };
        const Expected e = { "ML", 4, 0, NULL, "2025-11-19" };
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        ExtractError err = {};

        check_record("no URL", extract_page(&p, NULL, &a, &err), &a, &err, &e, NULL);
        check_record("empty URL", extract_page(&p, "", &b, &err), &b, &err, &e, NULL);
}

static void test_several_boxes(void **state _unused_) {
        const Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali",
                         "<p>Utenriksdepartementet fraråder alle reiser til Kidal.</p></div></div></div>"
                         "<div class=\"factbox\"><div class=\"factbox-static\"><h2 class=\"factbox-title\">Reiseadvarsel for Mali</h2></div>"
                         "<div class=\"factbox-content\"><div class=\"factbox-static\">"
                         "<p>Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet.</p>" };
        const Expected e = { "ML", 3, 4,
                             "Utenriksdepartementet fraråder alle reiser til Kidal. Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet.",
                             "2025-11-19" };
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};

        check_record("two advice boxes", extract_page(&p, URL, &l, &err), &l, &err, &e, URL);
}

static void test_built_pages_refused(void **state _unused_) {
        static const struct {
                const char *what;
                Page page;
                const char *message;
        } cases[] = {
                { "a box that says nothing",
                  { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali",
                    "<p>Situasjonen er uoversiktlig.</p>" },
                  "advice box without advice" },
                { "a box we cannot read",
                  { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali",
                    "<p>Utenriksdepartementet fraråder reiser til Mali.</p>" },
                  "unrecognised advice" },
                { "a heading without a name",
                  { "Reiseinformasjon", "", "", NULL, NULL, NULL },
                  "not a regjeringen.no country page" },
                { "an unknown country without a box",
                  { "Oseania - reiseinformasjon", "", "", NULL, NULL, NULL },
                  "unknown country name 'Oseania'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_page(&cases[i].page, URL, &l, &err);

                check_page_refused(cases[i].what, r, &l, &err, FAILURE_INVALID_DOCUMENT, cases[i].message);
        }
}

/* A page truncated anywhere is refused, never read as "no advice". */
static void test_truncated_everywhere(void **state _unused_) {
        _cleanup_free_ char *path = fixture_path("no", "ethiopia-regions.html"), *data = NULL;
        size_t size;

        assert_int_equal(read_full_file(path, 1024 * 1024, &data, &size), 0);
        for (size_t cut = 0; cut + 8 < size; cut += 97) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                ExtractError err = {};
                int r = extract_data(data, cut, URL, &l, &err);

                if (r >= 0)
                        fail_msg("cut at %zu of %zu: extracted %s level %d", cut, size,
                                 l.items[0].country, l.items[0].level);
                assert_int_equal(l.n, 0);
        }
}

static void test_many_paragraphs(void **state _unused_) {
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali", NULL };

        for (int i = 0; i < 100; i++)
                assert_int_equal(buffer_printf(&b, "<p>Utenriksdepartementet fraråder alle reiser til sone %d.</p>", i), 0);
        p.content = b.data;
        check_page_refused("100 paragraphs", extract_page(&p, URL, &l, &err), &l, &err,
                           FAILURE_INVALID_DOCUMENT, "more than");
}

/* Long paragraphs full of joints, markers and calls to leave: refused or read in linear time. */
static void test_hostile_box(void **state _unused_) {
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali", NULL };
        int r;

        for (int k = 0; k < 60; k++) {
                assert_int_equal(buffer_puts(&b, "<p>Utenriksdepartementet fraråder alle reiser til X"), 0);
                while (b.size % 8000 < 7900)
                        assert_int_equal(buffer_puts(&b, " og alle reiser ber bes oppfordrer som ikke er"), 0);
                assert_int_equal(buffer_puts(&b, " forlate.</p>"), 0);
        }
        p.content = b.data;
        r = extract_page(&p, URL, &l, &err);
        assert_true(r == 1 || (r < 0 && l.n == 0));
}

/* The label is cut to ADVISORY_LABEL_MAX; the level still comes from every clause. */
static void test_long_box(void **state _unused_) {
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali", NULL };

        for (int i = 0; i < 40; i++)
                assert_int_equal(buffer_printf(&b, "<p>Utenriksdepartementet fraråder alle reiser til regionen nummer %d og områdene rundt den.</p>", i), 0);
        assert_int_equal(buffer_puts(&b, "<p>Utenriksdepartementet fraråder reiser som ikke er strengt nødvendige til øvrige deler av landet.</p>"), 0);
        p.content = b.data;
        assert_int_equal(extract_page(&p, URL, &l, &err), 1);
        assert_int_equal(l.items[0].level, 3);
        assert_int_equal(l.items[0].regional_level, 4);
        assert_true(strlen(l.items[0].label) <= ADVISORY_LABEL_MAX);
        assert_true(endswith(l.items[0].label, "\xe2\x80\xa6"));
}

/* 12 MiB of news paragraphs around a small advice box. */
static void test_huge_page(void **state _unused_) {
        _cleanup_(buffer_done) Buffer ingress = {};
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        Page p = { "Mali - reiseinformasjon", DATE_INFO, NULL, "19.11.2025", "Reiseadvarsel for Mali",
                   "<p>Utenriksdepartementet fraråder alle reiser til Mali.</p>" };
        const Expected e = { "ML", 4, 0, "Utenriksdepartementet fraråder alle reiser til Mali.", "2025-11-19" };

        while (ingress.size < 12 * 1024 * 1024)
                assert_int_equal(buffer_puts(&ingress, "Utenriksdepartementet fraråder reiser til Mali. <b>Nyhet</b> </p><p>"), 0);
        p.ingress = ingress.data;
        check_record("huge page", extract_page(&p, URL, &l, &err), &l, &err, &e, URL);
}

/* Elements nested far deeper than any stack: read iteratively, refused or read, never a crash. */
static void test_deep_nesting(void **state _unused_) {
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        Page p = { "Mali - reiseinformasjon", "", "", "19.11.2025", "Reiseadvarsel for Mali", NULL };
        int r;

        for (int i = 0; i < 50000; i++)
                assert_int_equal(buffer_puts(&b, "<span>"), 0);
        assert_int_equal(buffer_puts(&b, "<p>Utenriksdepartementet fraråder alle reiser til Mali.</p>"), 0);
        p.content = b.data;
        r = extract_page(&p, URL, &l, &err);
        if (r >= 0)
                assert_string_equal(l.items[0].country, "ML");
        else
                assert_int_equal(l.n, 0);
}

static void test_invalid_utf8(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r = extract_file("invalid-utf8.html", &l, &err);
        const Expected e = { "ML", 4, 0, NULL, "2025-11-19" };

        check_record("invalid-utf8.html", r, &l, &err, &e, URL);
        assert_true(utf8_is_valid(l.items[0].label, strlen(l.items[0].label)));
        assert_non_null(strstr(l.items[0].label, "\xef\xbf\xbd")); /* U+FFFD */
}

/* The page that reached us from regjeringen.no itself (Wayback capture), when the shared samples are
 * around. */
static void test_real_sample(void **state _unused_) {
        char path[SAMPLE_PATH_MAX];

        if (!sample_find(path, REAL_SAMPLE))
                skip();

        _cleanup_free_ char *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        const Expected e = { "AF", 4, 0,
                             "Utenriksdepartementet fraråder alle reiser til Afghanistan. Nordmenn som befinner seg i Afghanistan oppfordres til å forlate landet.",
                             "2021-08-04" };
        ExtractError err = {};
        size_t size;

        assert_int_equal(read_full_file(path, 16 * 1024 * 1024, &data, &size), 0);
        check_record(REAL_SAMPLE, extract_data(data, size, URL, &l, &err), &l, &err, &e, URL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clauses),
                cmocka_unit_test(test_unrecognised_clauses),
                cmocka_unit_test(test_split),
                cmocka_unit_test(test_boxes),
                cmocka_unit_test(test_boxes_refused),
                cmocka_unit_test(test_dates),
                cmocka_unit_test(test_pages),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_not_html),
                cmocka_unit_test(test_built_pages),
                cmocka_unit_test(test_url),
                cmocka_unit_test(test_several_boxes),
                cmocka_unit_test(test_built_pages_refused),
                cmocka_unit_test(test_truncated_everywhere),
                cmocka_unit_test(test_many_paragraphs),
                cmocka_unit_test(test_hostile_box),
                cmocka_unit_test(test_long_box),
                cmocka_unit_test(test_huge_page),
                cmocka_unit_test(test_deep_nesting),
                cmocka_unit_test(test_invalid_utf8),
                cmocka_unit_test(test_real_sample),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
