#ifndef CCURL_ABI_H
#define CCURL_ABI_H
// The part of libcurl's public interface that CCurl.h and ExporterKit/CurlUpstream.swift use, declared here so the
// package builds without libcurl's development headers (libcurl itself is loaded with dlopen at start-up).
//
// Every name and value below is copied from curl 7.88.1's <curl/curl.h> and <curl/system.h> (Debian 12's
// libcurl4-openssl-dev 7.88.1-10+deb12u15), with the same spelling, so the Swift code reads as with the real header.
// They are libcurl's stable ABI (libcurl.so.4 since 7.16.0): numbers are appended, never changed. The option and
// info numbers are spelled as curl.h computes them, type base plus number (CURLOPTTYPE_*, CURLINFO_* below).
// scripts/check_curl_abi.sh compiles a check of every value here against a real header when one can be had.
#include <stddef.h>

typedef void CURL;
typedef void CURLSH;

// system.h: `long` on LP64 Linux (gcc and clang), `long long` on 32-bit targets. 64 bits either way.
#if defined(__LP64__)
typedef long curl_off_t;
#else
typedef long long curl_off_t;
#endif

struct curl_slist {
    char *data;
    struct curl_slist *next;
};

typedef size_t (*curl_write_callback)(char *buffer, size_t size, size_t nitems, void *outstream);
typedef int (*curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                                      curl_off_t ulnow);

// Error codes the client tells apart; every other code is reported by number.
typedef enum {
    CURLE_OK = 0,
    CURLE_UNSUPPORTED_PROTOCOL = 1,
    CURLE_URL_MALFORMAT = 3,
    CURLE_COULDNT_RESOLVE_PROXY = 5,
    CURLE_COULDNT_RESOLVE_HOST = 6,
    CURLE_COULDNT_CONNECT = 7,
    CURLE_WEIRD_SERVER_REPLY = 8,
    CURLE_HTTP2 = 16,
    CURLE_PARTIAL_FILE = 18,
    CURLE_OPERATION_TIMEDOUT = 28,
    CURLE_SSL_CONNECT_ERROR = 35,
    CURLE_ABORTED_BY_CALLBACK = 42,
    CURLE_GOT_NOTHING = 52,
    CURLE_SEND_ERROR = 55,
    CURLE_RECV_ERROR = 56,
    CURLE_SSL_CERTPROBLEM = 58,
    CURLE_SSL_CIPHER = 59,
    CURLE_PEER_FAILED_VERIFICATION = 60,
    CURLE_BAD_CONTENT_ENCODING = 61,
    CURLE_SSL_CACERT_BADFILE = 77,
    CURLE_HTTP2_STREAM = 92
} CURLcode;

#define CURLOPTTYPE_LONG 0
#define CURLOPTTYPE_OBJECTPOINT 10000
#define CURLOPTTYPE_FUNCTIONPOINT 20000

typedef enum {
    CURLOPT_WRITEDATA = CURLOPTTYPE_OBJECTPOINT + 1,
    CURLOPT_URL = CURLOPTTYPE_OBJECTPOINT + 2,
    CURLOPT_PROXY = CURLOPTTYPE_OBJECTPOINT + 4,
    CURLOPT_WRITEFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 11,
    CURLOPT_USERAGENT = CURLOPTTYPE_OBJECTPOINT + 18,
    CURLOPT_HTTPHEADER = CURLOPTTYPE_OBJECTPOINT + 23,
    CURLOPT_HEADERDATA = CURLOPTTYPE_OBJECTPOINT + 29,
    CURLOPT_NOPROGRESS = CURLOPTTYPE_LONG + 43,
    CURLOPT_FOLLOWLOCATION = CURLOPTTYPE_LONG + 52,
    CURLOPT_XFERINFODATA = CURLOPTTYPE_OBJECTPOINT + 57,
    CURLOPT_SSL_VERIFYPEER = CURLOPTTYPE_LONG + 64,
    CURLOPT_HEADERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 79,
    CURLOPT_HTTPGET = CURLOPTTYPE_LONG + 80,
    CURLOPT_SSL_VERIFYHOST = CURLOPTTYPE_LONG + 81,
    CURLOPT_NOSIGNAL = CURLOPTTYPE_LONG + 99,
    CURLOPT_SHARE = CURLOPTTYPE_OBJECTPOINT + 100,
    CURLOPT_ACCEPT_ENCODING = CURLOPTTYPE_OBJECTPOINT + 102,
    CURLOPT_TIMEOUT_MS = CURLOPTTYPE_LONG + 155,
    CURLOPT_XFERINFOFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 219,
    CURLOPT_CONNECT_TO = CURLOPTTYPE_OBJECTPOINT + 243,
    CURLOPT_PROTOCOLS_STR = CURLOPTTYPE_OBJECTPOINT + 318
} CURLoption;

#define CURLINFO_LONG 0x200000
#define CURLINFO_OFF_T 0x600000

typedef enum {
    CURLINFO_RESPONSE_CODE = CURLINFO_LONG + 2,
    CURLINFO_SIZE_DOWNLOAD_T = CURLINFO_OFF_T + 8,
    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T = CURLINFO_OFF_T + 15,
    CURLINFO_OS_ERRNO = CURLINFO_LONG + 25
} CURLINFO;

#define CURL_GLOBAL_SSL (1 << 0)
#define CURL_GLOBAL_WIN32 (1 << 1)
#define CURL_GLOBAL_DEFAULT (CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32)

typedef enum {
    CURLSHE_OK = 0
} CURLSHcode;

typedef enum {
    CURLSHOPT_SHARE = 1,
    CURLSHOPT_LOCKFUNC = 3,
    CURLSHOPT_UNLOCKFUNC = 4
} CURLSHoption;

typedef enum {
    CURL_LOCK_DATA_NONE = 0,
    CURL_LOCK_DATA_SHARE = 1,
    CURL_LOCK_DATA_COOKIE = 2,
    CURL_LOCK_DATA_DNS = 3,
    CURL_LOCK_DATA_SSL_SESSION = 4,
    CURL_LOCK_DATA_CONNECT = 5,
    CURL_LOCK_DATA_PSL = 6,
    CURL_LOCK_DATA_HSTS = 7,
    // 7.88.1's count. A newer libcurl may add kinds; it only ever asks to lock the kinds a share was told to
    // share (DNS and TLS sessions here), which are all below this.
    CURL_LOCK_DATA_LAST = 8
} curl_lock_data;

typedef enum {
    CURL_LOCK_ACCESS_NONE = 0,
    CURL_LOCK_ACCESS_SHARED = 1,
    CURL_LOCK_ACCESS_SINGLE = 2
} curl_lock_access;

typedef void (*curl_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access locktype, void *userptr);
typedef void (*curl_unlock_function)(CURL *handle, curl_lock_data data, void *userptr);

#endif
