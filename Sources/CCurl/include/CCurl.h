#ifndef CCURL_H
#define CCURL_H
// libcurl's easy interface for the upstream client (ExporterKit/CurlUpstream.swift).
//
// libcurl is loaded at start-up with dlopen rather than linked: Debian's libcurl pulls in librtmp and with it GnuTLS,
// whose library constructor initialises GnuTLS (about 1 MiB resident with p11-kit) unless GNUTLS_NO_IMPLICIT_INIT is
// set before it loads, which only a program that loads libcurl itself can do. The exporter never speaks RTMP, and
// its TLS is OpenSSL's. Every call goes through the table `ccurl_load` fills; curl_easy_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call: the typed wrappers below can. One share object keeps the
// DNS and TLS-session caches common to every handle.
#include "CCurlABI.h"
#include <stddef.h>

/// The libcurl functions the client uses, resolved by `ccurl_load`.
struct ccurl_functions {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    void (*easy_cleanup)(CURL *handle);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
    CURLSH *(*share_init)(void);
    CURLSHcode (*share_setopt)(CURLSH *share, CURLSHoption option, ...);
};
extern struct ccurl_functions ccurl;

/// Loads libcurl (`libcurl.so.4`) and sets up its global state and the share. Once per process, before any other
/// call and before other threads start (it sets an environment variable; libcurl's global init is not thread-safe
/// either). 0 on success; otherwise -1 and a message (dlerror's, or libcurl's code) in `error`.
int ccurl_load(char *error, size_t length);

/// Attaches a handle to the process-wide share (DNS cache, TLS sessions). Again after every curl_easy_reset.
CURLcode ccurl_use_share(CURL *handle);

static inline CURL *ccurl_easy_init(void) { return ccurl.easy_init(); }
static inline CURLcode ccurl_easy_perform(CURL *handle) { return ccurl.easy_perform(handle); }
static inline void ccurl_easy_reset(CURL *handle) { ccurl.easy_reset(handle); }
static inline void ccurl_easy_cleanup(CURL *handle) { ccurl.easy_cleanup(handle); }
static inline struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *string) {
    return ccurl.slist_append(list, string);
}
static inline void ccurl_slist_free_all(struct curl_slist *list) { ccurl.slist_free_all(list); }

static inline CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value) {
    return ccurl.easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value) {
    return ccurl.easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return ccurl.easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers) {
    return ccurl.easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode ccurl_set_connect_to(CURL *handle, struct curl_slist *targets) {
    return ccurl.easy_setopt(handle, CURLOPT_CONNECT_TO, targets);
}
static inline CURLcode ccurl_set_write_function(CURL *handle, curl_write_callback callback) {
    return ccurl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode ccurl_set_header_function(CURL *handle, curl_write_callback callback) {
    return ccurl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
static inline CURLcode ccurl_set_progress_function(CURL *handle, curl_xferinfo_callback callback) {
    return ccurl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
static inline long ccurl_response_code(CURL *handle) {
    long code = 0;
    ccurl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
/// Body bytes received on the wire for the last transfer (compressed size when the answer was compressed).
static inline long long ccurl_wire_body_bytes(CURL *handle) {
    curl_off_t bytes = 0;
    ccurl.easy_getinfo(handle, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
    return (long long)bytes;
}
/// The announced Content-Length, or -1.
static inline long long ccurl_content_length(CURL *handle) {
    curl_off_t bytes = -1;
    ccurl.easy_getinfo(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &bytes);
    return (long long)bytes;
}
/// The OS error of a failed connect (ECONNREFUSED...), 0 when none.
static inline long ccurl_os_errno(CURL *handle) {
    long code = 0;
    ccurl.easy_getinfo(handle, CURLINFO_OS_ERRNO, &code);
    return code;
}

#endif
