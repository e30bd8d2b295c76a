/* challenge.c: markers of challenge and block pages, seen on live government sites. */
#include "challenge.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const struct {
        const char *marker;
        const char *what;
} markers[] = {
        /* Cloudflare managed challenge, in every language it is served in */
        { "cf-chl", "Cloudflare challenge" },
        { "/cdn-cgi/challenge-platform/", "Cloudflare challenge" },
        { "cf-browser-verification", "Cloudflare challenge" },
        { "Just a moment...", "Cloudflare challenge" },
        { "Attention Required! | Cloudflare", "Cloudflare block page" },
        { "cf-error-details", "Cloudflare error page" },
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

static bool contains_no_case(const char *data, size_t n, const char *needle) {
        size_t l = strlen(needle);
        int first = tolower((unsigned char) needle[0]);

        for (size_t i = 0; i + l <= n; i++)
                if (tolower((unsigned char) data[i]) == first && strncasecmp(data + i, needle, l) == 0)
                        return true;
        return false;
}

const char *challenge_detect(const char *data, size_t size) {
        size_t n = MIN(size, (size_t) SCAN_MAX);

        for (size_t i = 0; i < ELEMENTSOF(markers); i++)
                if (contains_no_case(data, n, markers[i].marker))
                        return markers[i].what;
        return NULL;
}
