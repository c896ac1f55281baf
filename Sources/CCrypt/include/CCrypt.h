#ifndef CCRYPT_H
#define CCRYPT_H
// The system's libcrypt (libxcrypt) for bcrypt password hashes ($2a$, $2b$, $2y$).
#include <stddef.h>

/// Hashes `password` with the setting (algorithm, cost and salt) of `hash` into `output` (at least 128 bytes);
/// 1 on success. Thread-safe: crypt_r with its own scratch space, which is freed again.
int ccrypt_hash(const char *password, const char *hash, char *output, size_t outputLength);
#endif
