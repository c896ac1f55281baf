#include "CCrypt.h"
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

int ccrypt_hash(const char *password, const char *hash, char *output, size_t outputLength) {
    // struct crypt_data is 32 KiB: too large for an event-loop thread's stack frame.
    struct crypt_data *scratch = calloc(1, sizeof *scratch);
    if (!scratch) return 0;
    const char *result = crypt_r(password, hash, scratch);
    int ok = result != NULL && result[0] != '*' && strlen(result) < outputLength;
    if (ok) memcpy(output, result, strlen(result) + 1);
    explicit_bzero(scratch, sizeof *scratch);
    free(scratch);
    return ok;
}
