/* hmac.h: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for signing webhook bodies and for
 * deriving stable identifiers. Pure: no I/O, no globals. We sign and never verify, so constant
 * time comparison is not needed here. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

typedef struct Sha256 {
        uint32_t h[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t block[SHA256_BLOCK_SIZE];
        size_t fill;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t out[static SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t n, uint8_t out[static SHA256_DIGEST_SIZE]);

void hmac_sha256(const void *key, size_t key_size, const void *data, size_t n,
                 uint8_t out[static SHA256_DIGEST_SIZE]);

/* Lower-case hex of n bytes into out (2n + 1 bytes). Returns out. */
char *hex_encode(const uint8_t *data, size_t n, char *out);
