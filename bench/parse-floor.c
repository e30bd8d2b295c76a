/* parse-floor.c: the CPU floor of reading the benchmark's pages: what libxml2's HTML parser alone
 * costs (parse + free, the options source-user.c uses), what zlib's inflate of the gzip bodies
 * costs, and what the rest of the extraction (XPath, text, regex) adds. advisoryd cannot do less
 * per page than parse + inflate; the benchmark compares its CPU per page with these.
 *
 *   parse-floor DIR [ROUNDS [GAP_MS [ONLY]]]  every *.html in DIR, ROUNDS times (default 5); JSON
 *                                             out; ONLY = parse or inflate: that phase alone (for
 *                                             callgrind --toggle-collect=round_parse|round_inflate)
 *
 * CPU time is CLOCK_PROCESS_CPUTIME_ID around each phase; the best round counts (the machine is
 * shared, and the floor is what the code costs when nothing else interferes). A daemon does not
 * parse pages back to back: they arrive one by one (every 10 ms at 10 requests in flight and
 * 100 ms latency) and each is parsed with caches and branch predictors cooled by the wait. With
 * GAP_MS, one more measurement sleeps that long before each parse: the floor at that pace. */
#include <dirent.h>
#include <stdbool.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

typedef struct Page {
        char *data, *gz;
        size_t size, gz_size;
} Page;

static double cpu_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void silent(void *ctx, const char *msg, ...) {
}

static int load(const char *dir, Page **ret, size_t *ret_n) {
        DIR *d = opendir(dir);
        struct dirent *e;
        Page *pages = NULL;
        size_t n = 0;

        if (!d)
                return -1;
        while ((e = readdir(d))) {
                size_t len = strlen(e->d_name);
                char path[4096];
                if (len < 6 || strcmp(e->d_name + len - 5, ".html") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                FILE *f = fopen(path, "rb");
                if (!f)
                        continue;
                fseek(f, 0, SEEK_END);
                long size = ftell(f);
                fseek(f, 0, SEEK_SET);
                pages = realloc(pages, (n + 1) * sizeof(Page));
                Page *p = &pages[n++];
                p->size = (size_t) size;
                p->data = malloc(p->size);
                if (fread(p->data, 1, p->size, f) != p->size)
                        return -1;
                fclose(f);
                /* the same as a gzip body, less its 18-byte frame */
                uLongf gz_size = compressBound(p->size);
                p->gz = malloc(gz_size);
                compress2((Bytef *) p->gz, &gz_size, (Bytef *) p->data, p->size, 6);
                p->gz_size = gz_size;
        }
        closedir(d);
        *ret = pages;
        *ret_n = n;
        return 0;
}

static const int OPTIONS = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                           HTML_PARSE_RECOVER | HTML_PARSE_COMPACT;

__attribute__((noinline)) static double round_parse(const Page *pages, size_t n) {
        double t = cpu_now();
        for (size_t i = 0; i < n; i++) {
                htmlDocPtr doc = htmlReadMemory(pages[i].data, (int) pages[i].size, "http://x/",
                                                "UTF-8", OPTIONS);
                xmlFreeDoc(doc);
        }
        return cpu_now() - t;
}

/* parse + free, one page every gap_ms: only the parses are timed */
__attribute__((noinline)) static double round_paced(const Page *pages, size_t n, unsigned gap_ms) {
        double total = 0;
        for (size_t i = 0; i < n; i++) {
                usleep(gap_ms * 1000);
                double t = cpu_now();
                htmlDocPtr doc = htmlReadMemory(pages[i].data, (int) pages[i].size, "http://x/",
                                                "UTF-8", OPTIONS);
                xmlFreeDoc(doc);
                total += cpu_now() - t;
        }
        return total;
}

__attribute__((noinline)) static double round_inflate(const Page *pages, size_t n, char *out, size_t out_size) {
        double t = cpu_now();
        for (size_t i = 0; i < n; i++) {
                uLongf size = out_size;
                uncompress((Bytef *) out, &size, (const Bytef *) pages[i].gz, pages[i].gz_size);
        }
        return cpu_now() - t;
}

/* parse + what source-user.c does after: XPath, the text of the selection, one regex */
__attribute__((noinline)) static double round_extract(const Page *pages, size_t n, xmlXPathCompExprPtr xp, regex_t *re,
                            unsigned *ret_found) {
        unsigned found = 0;
        double t = cpu_now();
        for (size_t i = 0; i < n; i++) {
                htmlDocPtr doc = htmlReadMemory(pages[i].data, (int) pages[i].size, "http://x/",
                                                "UTF-8", OPTIONS);
                xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
                xmlXPathObjectPtr obj = xmlXPathCompiledEval(xp, ctx);
                if (obj && obj->nodesetval && obj->nodesetval->nodeNr > 0) {
                        xmlChar *text = xmlNodeGetContent(obj->nodesetval->nodeTab[0]);
                        if (text && regexec(re, (const char *) text, 0, NULL, 0) == 0)
                                found++;
                        xmlFree(text);
                }
                xmlXPathFreeObject(obj);
                xmlXPathFreeContext(ctx);
                xmlFreeDoc(doc);
        }
        *ret_found = found;
        return cpu_now() - t;
}

int main(int argc, char *argv[]) {
        Page *pages;
        size_t n, bytes = 0, gz_bytes = 0, max = 0;
        int rounds = argc > 2 ? atoi(argv[2]) : 5;
        unsigned gap_ms = argc > 3 ? (unsigned) atoi(argv[3]) : 0;
        const char *only = argc > 4 ? argv[4] : "";
        double best_parse = 1e9, best_inflate = 1e9, best_extract = 1e9, paced = 0;
        unsigned found = 0;

        if (argc < 2 || load(argv[1], &pages, &n) < 0 || n == 0) {
                fprintf(stderr, "usage: %s DIR-WITH-HTML-PAGES [ROUNDS]\n", argv[0]);
                return 2;
        }
        xmlInitParser();
        xmlSetGenericErrorFunc(NULL, silent);
        for (size_t i = 0; i < n; i++) {
                bytes += pages[i].size;
                gz_bytes += pages[i].gz_size;
                if (pages[i].size > max)
                        max = pages[i].size;
        }
        char *out = malloc(max);
        xmlXPathCompExprPtr xp = xmlXPathCompile(BAD_CAST "//div[@class=\"advisory-level\"]");
        regex_t re;
        regcomp(&re, ".", REG_EXTENDED | REG_ICASE | REG_NOSUB);
        bool all = !*only, parse = all || strcmp(only, "parse") == 0,
             inflate = all || strcmp(only, "inflate") == 0;
        for (size_t i = 0; parse && i < n && i < 50; i++) { /* warm the allocator and caches */
                htmlDocPtr doc = htmlReadMemory(pages[i].data, (int) pages[i].size, "http://x/",
                                                "UTF-8", OPTIONS);
                xmlFreeDoc(doc);
        }
        for (int r = 0; r < rounds; r++) {
                double t;
                if (parse && (t = round_parse(pages, n)) < best_parse)
                        best_parse = t;
                if (inflate && (t = round_inflate(pages, n, out, max)) < best_inflate)
                        best_inflate = t;
                if (all && (t = round_extract(pages, n, xp, &re, &found)) < best_extract)
                        best_extract = t;
        }
        if (gap_ms > 0)
                paced = round_paced(pages, n, gap_ms);
        best_parse = parse ? best_parse : 0; /* a phase not run costs nothing */
        best_inflate = inflate ? best_inflate : 0;
        best_extract = all ? best_extract : 0;
        double per_90k = 90.0 * 1024 / ((double) bytes / (double) n);
        printf("{\"pages\": %zu, \"mean_bytes\": %.0f, \"mean_gzip_bytes\": %.0f, \"rounds\": %d, "
               "\"libxml2\": \"%s\", "
               "\"parse_ms_per_page\": %.4f, \"parse_ms_per_90k\": %.4f, "
               "\"inflate_ms_per_page\": %.4f, \"extract_ms_per_page\": %.4f, "
               "\"paced_gap_ms\": %u, \"paced_parse_ms_per_page\": %.4f, \"selected\": %u}\n",
               n, (double) bytes / (double) n, (double) gz_bytes / (double) n, rounds,
               LIBXML_DOTTED_VERSION, best_parse * 1e3 / (double) n,
               best_parse * 1e3 / (double) n * per_90k, best_inflate * 1e3 / (double) n,
               best_extract * 1e3 / (double) n, gap_ms, paced * 1e3 / (double) n, found);
        return 0;
}
