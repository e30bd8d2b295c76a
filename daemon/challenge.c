/* challenge.c: markers of challenge and block pages, seen on live government sites. */
#include "challenge.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* word: the marker must stand alone ("Ray ID", not "array identifier"), for markers that are
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

static bool contains_no_case(const char *data, size_t n, const char *needle, bool word) {
        size_t l = strlen(needle);
        int first = tolower((unsigned char) needle[0]);

        for (size_t i = 0; i + l <= n; i++) {
                if (tolower((unsigned char) data[i]) != first ||
                    strncasecmp(data + i, needle, l) != 0)
                        continue;
                if (!word || ((i == 0 || !word_byte(data[i - 1])) &&
                              (i + l == n || !word_byte(data[i + l]))))
                        return true;
        }
        return false;
}

const char *challenge_detect(const char *data, size_t size) {
        size_t n = MIN(size, (size_t) SCAN_MAX);

        for (size_t i = 0; i < ELEMENTSOF(markers); i++)
                if (contains_no_case(data, n, markers[i].marker, markers[i].word))
                        return markers[i].what;
        return NULL;
}
