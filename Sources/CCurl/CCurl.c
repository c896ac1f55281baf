#include "CCurl.h"
#include <pthread.h>

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

CURLcode ccurl_global_init(void) {
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) return code;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    share = curl_share_init();
    if (share == NULL) return CURLE_OUT_OF_MEMORY;
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_share);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_share);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return CURLE_OK;
}

CURLcode ccurl_use_share(CURL *handle) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}
