/* challenge.c: markers of challenge and block pages, seen on live government sites. */
#include "challenge.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Every marker has at least two bytes (challenge_detect() filters on them).
 * word: the marker must stand alone ("Ray ID", not "array identifier"), for markers that are
 * words of a language rather than names in markup. */
static const struct {
        const char *marker;
        const char *what;
        bool word;
} markers[] = {
        /* Cloudflare managed challenge and Turnstile, in every language it is served in; the
         * Norwegian wordings are those regjeringen.no served to Norwegian browsers (2024–2026) */
        { "cf-chl", "Cloudflare challenge" },
        { "cf_chl", "Cloudflare challenge" }, /* window._cf_chl_opt */
        { "/cdn-cgi/challenge-platform/", "Cloudflare challenge" },
        { "challenges.cloudflare.com", "Cloudflare challenge" },
        { "cf-turnstile", "Cloudflare challenge" },
        { "cf-browser-verification", "Cloudflare challenge" },
        { "Just a moment...", "Cloudflare challenge" },
        { "Enable JavaScript and cookies to continue", "Cloudflare challenge" },
        { "<title>Et \xc3\xb8yeblikk", "Cloudflare challenge" }, /* "Et øyeblikk …" */
        { "Kontrollerer at tilkoblingen", "Cloudflare challenge" },
        { "Bekreft at du er et menneske", "Cloudflare challenge" },
        { "Verifiserer at du er et menneske", "Cloudflare challenge" },
        { "Aktiver JavaScript og informasjonskapsler", "Cloudflare challenge" },
        { "Attention Required! | Cloudflare", "Cloudflare block page" },
        { "cf-error-details", "Cloudflare error page" },
        /* the footer of every Cloudflare challenge, block and error page */
        { "cf-ray", "Cloudflare challenge" },
        { "Ray ID", "Cloudflare challenge", true },
        /* Akamai and Imperva */
        { "Access Denied</TITLE>", "Akamai block page" },
        { "errors.edgesuite.net", "Akamai block page" },
        { "_Incapsula_Resource", "Imperva challenge" },
        { "Request unsuccessful. Incapsula incident", "Imperva block page" },
        /* generic bot walls */
        { "Pardon Our Interruption", "bot-protection page" },
        { "px-captcha", "PerimeterX challenge" },
        { "Checking your browser before accessing", "bot-protection page" },
        { "g-recaptcha", "CAPTCHA page" },
        { "h-captcha", "CAPTCHA page" },
        { "The requested URL was rejected", "web application firewall block page" },
};

/* Challenge pages are small; their markers sit near the top. */
#define SCAN_MAX (256 * 1024)

static bool word_byte(char c) {
        return isalnum((unsigned char) c) || (unsigned char) c >= 0x80 || c == '_';
}

/* Whether marker m is at data[i] (case-insensitive), standing alone if it must. */
static bool marker_at(const char *data, size_t n, size_t i, size_t m) {
        size_t l = strlen(markers[m].marker);

        if (i + l > n || strncasecmp(data + i, markers[m].marker, l) != 0)
                return false;
        return !markers[m].word || ((i == 0 || !word_byte(data[i - 1])) &&
                                    (i + l == n || !word_byte(data[i + l])));
}

/* One pass over the document (it is every page of every poll): at each byte, the markers whose
 * first two bytes are there (a bit per marker, either case) are compared in full. The first
 * marker of the table that occurs names the page, as if each had been searched for in turn. */
const char *challenge_detect(const char *data, size_t size) {
        size_t n = MIN(size, (size_t) SCAN_MAX);
        uint32_t first[256] = {}, second[256] = {}, found = 0;

        static_assert(ELEMENTSOF(markers) <= 32, "a bit per marker");
        for (size_t m = 0; m < ELEMENTSOF(markers); m++) {
                const unsigned char *s = (const unsigned char *) markers[m].marker;
                first[tolower(s[0])] |= UINT32_C(1) << m;
                first[toupper(s[0])] |= UINT32_C(1) << m;
                second[tolower(s[1])] |= UINT32_C(1) << m;
                second[toupper(s[1])] |= UINT32_C(1) << m;
        }
        for (size_t i = 0; i + 1 < n; i++) {
                uint32_t candidates = first[(unsigned char) data[i]] &
                                      second[(unsigned char) data[i + 1]] & ~found;

                for (size_t m = 0; candidates; m++, candidates >>= 1)
                        if ((candidates & 1) && marker_at(data, n, i, m))
                                found |= UINT32_C(1) << m;
        }
        for (size_t m = 0; m < ELEMENTSOF(markers); m++)
                if (found & (UINT32_C(1) << m))
                        return markers[m].what;
        return NULL;
}
