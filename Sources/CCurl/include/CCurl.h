#ifndef CCURL_H
#define CCURL_H
// libcurl's easy interface for the upstream client (ExporterKit/CurlUpstream.swift). curl_easy_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call: these typed wrappers can. One share object keeps the
// DNS and TLS-session caches common to every handle.
#include <curl/curl.h>

/// Once per process, before any other call (libcurl's global init is not thread-safe).
CURLcode ccurl_global_init(void);

/// Attaches a handle to the process-wide share (DNS cache, TLS sessions). Again after every curl_easy_reset.
CURLcode ccurl_use_share(CURL *handle);

static inline CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode ccurl_set_write_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode ccurl_set_header_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
static inline CURLcode ccurl_set_progress_function(CURL *handle, curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
static inline long ccurl_response_code(CURL *handle) {
    long code = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
/// Body bytes received on the wire for the last transfer (compressed size when the answer was compressed).
static inline long long ccurl_wire_body_bytes(CURL *handle) {
    curl_off_t bytes = 0;
    curl_easy_getinfo(handle, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
    return (long long)bytes;
}
/// The announced Content-Length, or -1.
static inline long long ccurl_content_length(CURL *handle) {
    curl_off_t bytes = -1;
    curl_easy_getinfo(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &bytes);
    return (long long)bytes;
}
/// The OS error of a failed connect (ECONNREFUSED...), 0 when none.
static inline long ccurl_os_errno(CURL *handle) {
    long code = 0;
    curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &code);
    return code;
}

#endif
