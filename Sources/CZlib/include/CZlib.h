#ifndef CZLIB_H
#define CZLIB_H
// The system's zlib, for gzip response bodies (deflateInit2 is a macro, so it is wrapped here).
#include <stddef.h>

/// The largest gzip output for `length` input bytes.
size_t czlib_gzip_bound(size_t length);
/// Compresses `input` into a gzip member in `output`; returns the bytes written, or 0 on failure.
size_t czlib_gzip(const void *input, size_t length, void *output, size_t capacity, int level);
#endif
