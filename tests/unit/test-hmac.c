/* test-hmac.c: SHA-256 against the FIPS 180-4 examples (and the NIST long message), streaming
 * in odd pieces, and HMAC-SHA-256 against every test case of RFC 4231. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hmac.h"
#include "util.h"

static void assert_sha256(const void *data, size_t n, const char *hex) {
        uint8_t d[SHA256_DIGEST_SIZE];
        char h[SHA256_HEX_SIZE];

        sha256(data, n, d);
        assert_string_equal(hex_encode(d, sizeof(d), h), hex);
}

static void test_sha256_vectors(void **state) {
        assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        /* 448 bits: the padding needs a second block */
        const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_sha256(m448, strlen(m448),
                      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                           "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        assert_sha256(m896, strlen(m896),
                      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a_in_pieces(void **state) {
        uint8_t chunk[997], d[SHA256_DIGEST_SIZE];
        char h[SHA256_HEX_SIZE];
        size_t left = 1000000;
        Sha256 s;

        memset(chunk, 'a', sizeof(chunk));
        sha256_init(&s);
        while (left > 0) {
                size_t n = MIN(left, sizeof(chunk));
                sha256_update(&s, chunk, n);
                left -= n;
        }
        sha256_final(&s, d);
        assert_string_equal(hex_encode(d, sizeof(d), h),
                            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_every_length_near_the_block(void **state) {
        /* one-shot and byte-by-byte agree around the padding boundaries (55, 56, 63, 64 …) */
        uint8_t buf[130], a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];

        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t) (i * 7 + 1);
        for (size_t n = 0; n <= sizeof(buf); n++) {
                Sha256 s;
                sha256(buf, n, a);
                sha256_init(&s);
                for (size_t i = 0; i < n; i++)
                        sha256_update(&s, buf + i, 1);
                sha256_final(&s, b);
                assert_memory_equal(a, b, sizeof(a));
        }
}

typedef struct HmacCase {
        uint8_t key[131];
        size_t key_size;
        const char *data;
        size_t data_size;
        const char *hex; /* may be a prefix (case 5 truncates to 128 bits) */
} HmacCase;

static void assert_hmac(const HmacCase *c) {
        uint8_t d[SHA256_DIGEST_SIZE];
        char h[SHA256_HEX_SIZE];

        hmac_sha256(c->key, c->key_size, c->data, c->data_size, d);
        hex_encode(d, sizeof(d), h);
        assert_true(strlen(c->hex) <= strlen(h));
        assert_memory_equal(h, c->hex, strlen(c->hex));
}

static void test_hmac_rfc4231(void **state) {
        HmacCase c;
        uint8_t dd[50], cd[50];

        /* 1 */
        c = (HmacCase) { .key_size = 20, .data = "Hi There", .data_size = 8,
                         .hex = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" };
        memset(c.key, 0x0b, 20);
        assert_hmac(&c);
        /* 2: a key shorter than the output */
        c = (HmacCase) { .key = "Jefe", .key_size = 4, .data = "what do ya want for nothing?",
                         .data_size = 28,
                         .hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" };
        assert_hmac(&c);
        /* 3 */
        memset(dd, 0xdd, sizeof(dd));
        c = (HmacCase) { .key_size = 20, .data = (const char *) dd, .data_size = 50,
                         .hex = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" };
        memset(c.key, 0xaa, 20);
        assert_hmac(&c);
        /* 4 */
        memset(cd, 0xcd, sizeof(cd));
        c = (HmacCase) { .key_size = 25, .data = (const char *) cd, .data_size = 50,
                         .hex = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" };
        for (unsigned i = 0; i < 25; i++)
                c.key[i] = (uint8_t) (i + 1);
        assert_hmac(&c);
        /* 5: truncated to 128 bits */
        c = (HmacCase) { .key_size = 20, .data = "Test With Truncation", .data_size = 20,
                         .hex = "a3b6167473100ee06e0c796c2955552b" };
        memset(c.key, 0x0c, 20);
        assert_hmac(&c);
        /* 6: a key longer than the block is hashed first */
        c = (HmacCase) { .key_size = 131,
                         .data = "Test Using Larger Than Block-Size Key - Hash Key First",
                         .data_size = 54,
                         .hex = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" };
        memset(c.key, 0xaa, 131);
        assert_hmac(&c);
        /* 7 */
        c = (HmacCase) { .key_size = 131,
                         .data = "This is a test using a larger than block-size key and a larger "
                                 "than block-size data. The key needs to be hashed before being "
                                 "used by the HMAC algorithm.",
                         .hex = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" };
        c.data_size = strlen(c.data);
        memset(c.key, 0xaa, 131);
        assert_hmac(&c);
}

static void test_hmac_empty_key_and_data(void **state) {
        /* python3 -c 'import hmac; print(hmac.new(b"", b"", "sha256").hexdigest())' */
        HmacCase c = { .key_size = 0, .data = "", .data_size = 0,
                       .hex = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad" };
        assert_hmac(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sha256_vectors),
                cmocka_unit_test(test_sha256_million_a_in_pieces),
                cmocka_unit_test(test_sha256_every_length_near_the_block),
                cmocka_unit_test(test_hmac_rfc4231),
                cmocka_unit_test(test_hmac_empty_key_and_data),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
