/* hmac.c: SHA-256 and HMAC-SHA-256 in plain C. A webhook signature is the only cryptography
 * advisoryd does itself; this keeps libcrypto out of the direct dependencies (libcurl links it,
 * but through its own ABI). Checked against the FIPS 180-4 examples and RFC 4231 in
 * tests/unit/test-hmac.c. */
#include "hmac.h"

#include <string.h>

static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

static void sha256_block(Sha256 *s, const uint8_t *p) {
        uint32_t w[64], v[8];

        for (unsigned i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
                       (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
        for (unsigned i = 16; i < 64; i++) {
                uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        memcpy(v, s->h, sizeof(v));
        for (unsigned i = 0; i < 64; i++) {
                uint32_t e = v[4], a = v[0];
                uint32_t t1 = v[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
                              ((e & v[5]) ^ (~e & v[6])) + k[i] + w[i];
                uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
                              ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
                memmove(v + 1, v, 7 * sizeof(uint32_t));
                v[4] += t1;
                v[0] = t1 + t2;
        }
        for (unsigned i = 0; i < 8; i++)
                s->h[i] += v[i];
}

void sha256_init(Sha256 *s) {
        static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
        *s = (Sha256) {};
        memcpy(s->h, h0, sizeof(h0));
}

void sha256_update(Sha256 *s, const void *data, size_t n) {
        const uint8_t *p = data;

        s->length += n;
        while (n > 0) {
                size_t take = SHA256_BLOCK_SIZE - s->fill;
                if (take > n)
                        take = n;
                memcpy(s->block + s->fill, p, take);
                s->fill += take;
                p += take;
                n -= take;
                if (s->fill == SHA256_BLOCK_SIZE) {
                        sha256_block(s, s->block);
                        s->fill = 0;
                }
        }
}

void sha256_final(Sha256 *s, uint8_t out[static SHA256_DIGEST_SIZE]) {
        uint64_t bits = s->length * 8;
        uint8_t pad[SHA256_BLOCK_SIZE + 8] = { 0x80 };
        size_t padlen = (s->fill < 56 ? 56 : 120) - s->fill;

        for (unsigned i = 0; i < 8; i++)
                pad[padlen + i] = (uint8_t) (bits >> (56 - 8 * i));
        sha256_update(s, pad, padlen + 8);
        for (unsigned i = 0; i < 8; i++)
                for (unsigned j = 0; j < 4; j++)
                        out[4 * i + j] = (uint8_t) (s->h[i] >> (24 - 8 * j));
        *s = (Sha256) {};
}

void sha256(const void *data, size_t n, uint8_t out[static SHA256_DIGEST_SIZE]) {
        Sha256 s;
        sha256_init(&s);
        sha256_update(&s, data, n);
        sha256_final(&s, out);
}

void hmac_sha256(const void *key, size_t key_size, const void *data, size_t n,
                 uint8_t out[static SHA256_DIGEST_SIZE]) {
        uint8_t k0[SHA256_BLOCK_SIZE] = {}, pad[SHA256_BLOCK_SIZE], inner[SHA256_DIGEST_SIZE];
        Sha256 s;

        /* RFC 2104: a key longer than the block is hashed first */
        if (key_size > SHA256_BLOCK_SIZE)
                sha256(key, key_size, k0);
        else if (key_size > 0)
                memcpy(k0, key, key_size);
        for (unsigned i = 0; i < SHA256_BLOCK_SIZE; i++)
                pad[i] = k0[i] ^ 0x36;
        sha256_init(&s);
        sha256_update(&s, pad, sizeof(pad));
        sha256_update(&s, data, n);
        sha256_final(&s, inner);
        for (unsigned i = 0; i < SHA256_BLOCK_SIZE; i++)
                pad[i] = k0[i] ^ 0x5c;
        sha256_init(&s);
        sha256_update(&s, pad, sizeof(pad));
        sha256_update(&s, inner, sizeof(inner));
        sha256_final(&s, out);
        /* the key material on our stack */
        explicit_bzero(k0, sizeof(k0));
        explicit_bzero(pad, sizeof(pad));
}

char *hex_encode(const uint8_t *data, size_t n, char *out) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[data[i] >> 4];
                out[2 * i + 1] = digits[data[i] & 15];
        }
        out[2 * n] = '\0';
        return out;
}
