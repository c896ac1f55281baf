#include "CZlib.h"
#include <string.h>
#include <zlib.h>

size_t czlib_gzip_bound(size_t length) {
    // deflateBound for a raw stream plus the gzip header and trailer (18 bytes), with room to spare.
    return compressBound((uLong)length) + 64;
}

size_t czlib_gzip(const void *input, size_t length, void *output, size_t capacity, int level) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    // windowBits 15 + 16: a gzip wrapper rather than zlib's.
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = (Bytef *)output;
    stream.avail_out = (uInt)capacity;
    int result = deflate(&stream, Z_FINISH);
    size_t written = stream.total_out;
    deflateEnd(&stream);
    return result == Z_STREAM_END ? written : 0;
}
