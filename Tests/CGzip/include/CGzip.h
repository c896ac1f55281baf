#ifndef CGZIP_H
#define CGZIP_H
// gzip for the fake upstream (Tests/TestSupport): compresses a recorded body the way a real API would when the
// client asks for it. deflateInit2 is a macro, which Swift cannot call; this wraps it.
#include <stddef.h>

/// Compresses `length` bytes of `input` into gzip format in `output` (at most `capacity` bytes).
/// Returns the compressed size, or 0 when it did not fit or zlib failed.
size_t cgzip_compress(const void *input, size_t length, void *output, size_t capacity);

/// An upper bound of the compressed size of `length` bytes.
size_t cgzip_bound(size_t length);

#endif
