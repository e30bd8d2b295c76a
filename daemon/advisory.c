/* advisory.c: the normalised record, text cleaning, the level scale and failure classes. */
#include "advisory.h"

#include <ctype.h>

int advisory_list_add(AdvisoryList *l, const char *country, int level, int regional_level,
                      const char *label, const char *updated, const char *url) {
        Advisory a = { .level = level };

        if (!level_valid(level) || strlen(country) != 2 || !isupper((unsigned char) country[0]) ||
            !isupper((unsigned char) country[1]))
                return -EINVAL;
        if (regional_level != LEVEL_NONE && !level_valid(regional_level))
                return -EINVAL;
        a.regional_level = regional_level > level ? regional_level : LEVEL_NONE;
        memcpy(a.country, country, 3);
        if (l->n == l->allocated) {
                size_t n = MAX(l->allocated * 2, (size_t) 32);
                Advisory *items = realloc(l->items, n * sizeof(Advisory));
                if (!items)
                        return -ENOMEM;
                l->items = items;
                l->allocated = n;
        }
        a.label = advisory_clean_text(strempty(label), strlen(strempty(label)), ADVISORY_LABEL_MAX);
        a.updated = updated ? advisory_clean_text(updated, strlen(updated), 64) : NULL;
        a.url = url ? advisory_clean_text(url, strlen(url), 2048) : NULL;
        if (!a.label || (updated && !a.updated) || (url && !a.url)) {
                free(a.label);
                free(a.updated);
                free(a.url);
                return -ENOMEM;
        }
        l->items[l->n++] = a;
        return 0;
}

Advisory *advisory_list_find(const AdvisoryList *l, const char *country) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].country, country))
                        return &l->items[i];
        return NULL;
}

void advisory_list_clear(AdvisoryList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].label);
                free(l->items[i].updated);
                free(l->items[i].url);
        }
        free(l->items);
        *l = (AdvisoryList) {};
}

static int advisory_compare(const void *a, const void *b) {
        return strcmp(((const Advisory *) a)->country, ((const Advisory *) b)->country);
}

void advisory_list_sort(AdvisoryList *l) {
        if (l->n > 1)
                qsort(l->items, l->n, sizeof(Advisory), advisory_compare);
}

static bool codepoint_dropped(uint32_t cp) {
        return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7f && cp < 0xa0) ||
               cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
               (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c || cp == 0xfeff ||
               (cp >= 0x200b && cp <= 0x200d);
}

static bool codepoint_space(uint32_t cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xa0 ||
               cp == 0x2028 || cp == 0x2029 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
               cp == 0x3000;
}

/* Cuts the text at a character boundary so that "…" fits within max bytes (when max leaves room
 * for it at all), drops a space left at the end, and appends the ellipsis. */
static int advisory_text_cut(Buffer *b, size_t max) {
        size_t reserve = max >= 3 ? 3 : 0;

        while (b->size > 0 && (b->size + reserve > max || b->data[b->size - 1] == ' ')) {
                do
                        b->size--;
                while (b->size > 0 && ((unsigned char) b->data[b->size] & 0xc0) == 0x80);
        }
        b->data[b->size] = '\0';
        return reserve > 0 ? buffer_append(b, "\xe2\x80\xa6", 3) : 0;
}

char *advisory_clean_text(const char *s, size_t n, size_t max) {
        Buffer b = {};
        bool pending_space = false;

        if (buffer_append(&b, "", 0) < 0)
                return NULL;
        while (n > 0) {
                uint32_t cp;
                char enc[4];
                size_t l = utf8_decode(s, n, &cp);

                s += l;
                n -= l;
                if (codepoint_dropped(cp))
                        continue;
                if (codepoint_space(cp)) {
                        pending_space = b.size > 0;
                        continue;
                }
                size_t el = utf8_encode(enc, cp);
                if (b.size + el + (pending_space ? 1 : 0) > max) {
                        if (advisory_text_cut(&b, max) < 0)
                                goto oom;
                        break;
                }
                if ((pending_space && buffer_append(&b, " ", 1) < 0) ||
                    buffer_append(&b, enc, el) < 0)
                        goto oom;
                pending_space = false;
        }
        return buffer_steal(&b);
oom:
        buffer_done(&b);
        return NULL;
}

bool level_valid(int level) {
        return level >= LEVEL_MIN && level <= LEVEL_MAX;
}

const char *level_meaning(int level) {
        static const char *const meanings[] = { [1] = "normal precautions",
                                                [2] = "increased caution",
                                                [3] = "reconsider travel",
                                                [4] = "do not travel" };
        return level_valid(level) ? meanings[level] : "unknown";
}

static const char *const failure_names[_FAILURE_MAX] = {
        [FAILURE_NONE] = "none",
        [FAILURE_DNS] = "dns",
        [FAILURE_CONNECT] = "connect",
        [FAILURE_TLS] = "tls",
        [FAILURE_TIMEOUT] = "timeout",
        [FAILURE_HTTP_4XX] = "http-4xx",
        [FAILURE_HTTP_5XX] = "http-5xx",
        [FAILURE_TOO_LARGE] = "too-large",
        [FAILURE_BLOCKED] = "blocked",
        [FAILURE_INVALID_DOCUMENT] = "invalid-document",
        [FAILURE_EXTRACTION_EMPTY] = "extraction-empty",
        [FAILURE_STORE] = "store",
        [FAILURE_OTHER] = "other",
};

const char *failure_class_to_string(FailureClass c) {
        return c >= 0 && c < _FAILURE_MAX ? failure_names[c] : "other";
}

FailureClass failure_class_from_string(const char *s) {
        for (int i = 0; i < _FAILURE_MAX; i++)
                if (streq_ptr(s, failure_names[i]))
                        return (FailureClass) i;
        return FAILURE_OTHER;
}

int extract_fail(ExtractError *e, FailureClass failure, const char *fmt, ...) {
        if (e) {
                va_list ap;
                e->failure = failure;
                va_start(ap, fmt);
                vsnprintf(e->message, sizeof(e->message), fmt, ap);
                va_end(ap);
        }
        return -EBADMSG;
}
