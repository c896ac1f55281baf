#include "COpenSSL.h"
#include <string.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <arpa/inet.h>

SSL_CTX *cossl_server_context_new(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Sessions resume across reconnects of the same scraper (tickets need no server-side cache).
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"akash-exporter", 14);
    return ctx;
}

int cossl_use_certificate_chain(SSL_CTX *ctx, const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return 0;
    X509 *leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
    int ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    if (ok) {
        SSL_CTX_clear_chain_certs(ctx);
        X509 *extra;
        while ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            if (!SSL_CTX_add0_chain_cert(ctx, extra)) { X509_free(extra); ok = 0; break; }
        }
        // The loop ends on "no start line": that is the end of the chain, not an error.
        if (ok) ERR_clear_error();
    }
    BIO_free(bio);
    return ok;
}

int cossl_use_private_key(SSL_CTX *ctx, const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return 0;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    int ok = key && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok;
}

int cossl_add_client_cas(SSL_CTX *ctx, const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return 0;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    int added = 0;
    X509 *ca;
    while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, ca) == 1) {
            X509_NAME *name = X509_NAME_dup(X509_get_subject_name(ca));
            if (name) sk_X509_NAME_push(names, name);
            added++;
        }
        X509_free(ca);
    }
    ERR_clear_error();
    if (added > 0) SSL_CTX_set_client_CA_list(ctx, names); else sk_X509_NAME_pop_free(names, X509_NAME_free);
    BIO_free(bio);
    return added > 0;
}

static int accept_any_certificate(int preverified, X509_STORE_CTX *store) {
    (void)preverified; (void)store;
    return 1;
}

void cossl_set_client_auth(SSL_CTX *ctx, int mode) {
    switch (mode) {
    case 1: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_certificate); break;
    case 2: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate); break;
    case 3: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL); break;
    case 4: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL); break;
    default: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); break;
    }
}

int cossl_set_versions(SSL_CTX *ctx, int min, int max) {
    return SSL_CTX_set_min_proto_version(ctx, min) == 1 && SSL_CTX_set_max_proto_version(ctx, max) == 1;
}

int cossl_set_cipher_list(SSL_CTX *ctx, const char *list) { return SSL_CTX_set_cipher_list(ctx, list) == 1; }
int cossl_set_groups(SSL_CTX *ctx, const char *list) { return SSL_CTX_set1_groups_list(ctx, list) == 1; }

void cossl_set_server_preference(SSL_CTX *ctx, int on) {
    if (on) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    else SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
}

const char *cossl_cipher_openssl_name(const char *standard) {
    const char *name = OPENSSL_cipher_name(standard);
    return (name == NULL || strcmp(name, "(NONE)") == 0) ? NULL : name;
}

void cossl_last_error(char *buffer, size_t length) {
    unsigned long code = ERR_get_error();
    if (length > 0) buffer[0] = 0;
    if (code != 0) {
        const char *reason = ERR_reason_error_string(code);
        snprintf(buffer, length, "%s", reason ? reason : "unknown OpenSSL error");
    }
    ERR_clear_error();
}

void cossl_clear_errors(void) { ERR_clear_error(); }

SSL *cossl_new(SSL_CTX *ctx, int fd) {
    SSL *ssl = SSL_new(ctx);
    if (!ssl) return NULL;
    if (SSL_set_fd(ssl, fd) != 1) { SSL_free(ssl); return NULL; }
    SSL_set_accept_state(ssl);
    return ssl;
}

/// Maps an OpenSSL result to what the event loop does next. The error queue is cleared so that one
/// connection's failure never shows up as another's.
static int outcome(SSL *ssl, int result) {
    int error = SSL_get_error(ssl, result);
    switch (error) {
    case SSL_ERROR_WANT_READ: return COSSL_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return COSSL_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: ERR_clear_error(); return COSSL_CLOSED;
    case SSL_ERROR_SSL: {
        unsigned long code = ERR_peek_error();
        ERR_clear_error();
        return ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST ? COSSL_PLAIN_HTTP : COSSL_FAILED;
    }
    case SSL_ERROR_SYSCALL: ERR_clear_error(); return result == 0 ? COSSL_CLOSED : COSSL_FAILED;
    default: ERR_clear_error(); return COSSL_FAILED;
    }
}

int cossl_handshake(SSL *ssl) {
    int result = SSL_do_handshake(ssl);
    return result == 1 ? COSSL_DONE : outcome(ssl, result);
}

int cossl_read(SSL *ssl, void *buffer, size_t length, size_t *count) {
    int result = SSL_read_ex(ssl, buffer, length, count);
    return result == 1 ? COSSL_DONE : outcome(ssl, result);
}

int cossl_write(SSL *ssl, const void *buffer, size_t length, size_t *count) {
    if (length == 0) { *count = 0; return COSSL_DONE; }
    int result = SSL_write_ex(ssl, buffer, length, count);
    return result == 1 ? COSSL_DONE : outcome(ssl, result);
}

void cossl_close(SSL *ssl) {
    if (!ssl) return;
    if (SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
    ERR_clear_error();
    SSL_free(ssl);
}

static int allowed_contains(const char *const *allowed, int count, const char *value, size_t length) {
    for (int i = 0; i < count; i++) {
        if (strlen(allowed[i]) == length && memcmp(allowed[i], value, length) == 0) return 1;
    }
    return 0;
}

int cossl_peer_san_allowed(SSL *ssl, const char *const *allowed, int count) {
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (!peer) return 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    int found = 0;
    for (int i = 0; names && !found && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS || name->type == GEN_EMAIL || name->type == GEN_URI) {
            const ASN1_IA5STRING *text = name->d.ia5;
            found = allowed_contains(allowed, count, (const char *)ASN1_STRING_get0_data(text), (size_t)ASN1_STRING_length(text));
        } else if (name->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = name->d.iPAddress;
            char text[INET6_ADDRSTRLEN] = { 0 };
            int family = ASN1_STRING_length(ip) == 4 ? AF_INET : (ASN1_STRING_length(ip) == 16 ? AF_INET6 : 0);
            if (family && inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text)) {
                found = allowed_contains(allowed, count, text, strlen(text));
            }
        }
    }
    GENERAL_NAMES_free(names);
    X509_free(peer);
    return found;
}
