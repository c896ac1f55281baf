#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct ccurl_functions ccurl;

// Only the DNS cache and TLS sessions are shared: libcurl does not support sharing live connections between
// threads, so each handle keeps its own (CurlUpstream pools handles per origin for that).
// One lock per kind of shared data, as libcurl asks: it may hold the DNS cache while it looks at connections.
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
static CURLSH *share;

static void lock_share(CURL *handle, curl_lock_data data, curl_lock_access access, void *user) {
    (void)handle; (void)access; (void)user;
    pthread_mutex_lock(&share_locks[data]);
}

static void unlock_share(CURL *handle, curl_lock_data data, void *user) {
    (void)handle; (void)user;
    pthread_mutex_unlock(&share_locks[data]);
}

#define CCURL_RESOLVE(field, symbol)                                                     \
    do {                                                                                 \
        *(void **)(&ccurl.field) = dlsym(library, symbol);                               \
        if (ccurl.field == NULL) {                                                       \
            snprintf(error, length, "libcurl.so.4 has no %s", symbol);                   \
            return -1;                                                                   \
        }                                                                                \
    } while (0)

int ccurl_load(char *error, size_t length) {
    // GnuTLS (loaded with libcurl, through librtmp) then skips its implicit initialisation; see CCurl.h.
    setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(error, length, "%s", dlerror());
        return -1;
    }
    CCURL_RESOLVE(global_init, "curl_global_init");
    CCURL_RESOLVE(easy_init, "curl_easy_init");
    CCURL_RESOLVE(easy_setopt, "curl_easy_setopt");
    CCURL_RESOLVE(easy_getinfo, "curl_easy_getinfo");
    CCURL_RESOLVE(easy_perform, "curl_easy_perform");
    CCURL_RESOLVE(easy_reset, "curl_easy_reset");
    CCURL_RESOLVE(easy_cleanup, "curl_easy_cleanup");
    CCURL_RESOLVE(slist_append, "curl_slist_append");
    CCURL_RESOLVE(slist_free_all, "curl_slist_free_all");
    CCURL_RESOLVE(share_init, "curl_share_init");
    CCURL_RESOLVE(share_setopt, "curl_share_setopt");

    CURLcode code = ccurl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(error, length, "curl_global_init failed (CURLcode %d)", (int)code);
        return -1;
    }
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    share = ccurl.share_init();
    if (share == NULL) {
        snprintf(error, length, "curl_share_init: out of memory");
        return -1;
    }
    ccurl.share_setopt(share, CURLSHOPT_LOCKFUNC, lock_share);
    ccurl.share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_share);
    ccurl.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    ccurl.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return 0;
}

CURLcode ccurl_use_share(CURL *handle) {
    return ccurl.easy_setopt(handle, CURLOPT_SHARE, share);
}
