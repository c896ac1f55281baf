#ifndef COPENSSL_H
#define COPENSSL_H
// The system's OpenSSL (libssl, libcrypto) for the HTTP server's TLS. Macros and a few multi-step operations are
// wrapped here as functions, so Swift never depends on OpenSSL's macro layer or struct layouts.
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/sha.h>

/// A server context with the exporter-toolkit defaults: TLS 1.2 to 1.3, server cipher preference, no compression,
/// no renegotiation, partial writes into a moving buffer (the event loop resumes a write from where it stopped).
SSL_CTX *cossl_server_context_new(void);

/// Loads a PEM certificate chain (leaf first) / a PEM private key / PEM client CA certificates from memory.
/// 1 on success, 0 on failure (the reason is in `cossl_last_error`).
int cossl_use_certificate_chain(SSL_CTX *ctx, const char *pem, size_t length);
int cossl_use_private_key(SSL_CTX *ctx, const char *pem, size_t length);
int cossl_add_client_cas(SSL_CTX *ctx, const char *pem, size_t length);

/// `mode`: 0 none, 1 request (any), 2 require (any), 3 verify if given, 4 require and verify.
void cossl_set_client_auth(SSL_CTX *ctx, int mode);
/// TLS versions as numbers: 0x0301 (1.0) ... 0x0304 (1.3).
int cossl_set_versions(SSL_CTX *ctx, int min, int max);
int cossl_set_cipher_list(SSL_CTX *ctx, const char *list);
int cossl_set_groups(SSL_CTX *ctx, const char *list);
void cossl_set_server_preference(SSL_CTX *ctx, int on);
/// The OpenSSL name of an IANA cipher suite name (as Go names them), or NULL when unknown.
const char *cossl_cipher_openssl_name(const char *standard);

/// The first error on this thread's OpenSSL error queue as text (empty when none); clears the queue.
void cossl_last_error(char *buffer, size_t length);
void cossl_clear_errors(void);

/// A connection's TLS state over a non-blocking socket.
SSL *cossl_new(SSL_CTX *ctx, int fd);

/// What a non-blocking TLS call needs next.
enum {
    COSSL_DONE = 0,         // completed (handshake) or bytes moved (read/write: see the count)
    COSSL_WANT_READ = 1,    // wait for EPOLLIN and call again
    COSSL_WANT_WRITE = 2,   // wait for EPOLLOUT and call again
    COSSL_CLOSED = 3,       // the peer closed the TLS session (close_notify) or the socket
    COSSL_FAILED = 4,       // a protocol or socket error: close the connection
    COSSL_PLAIN_HTTP = 5,   // the client spoke plain HTTP to the TLS port
};

int cossl_handshake(SSL *ssl);
/// Reads decrypted bytes; `*count` is set when COSSL_DONE is returned.
int cossl_read(SSL *ssl, void *buffer, size_t length, size_t *count);
/// Writes; `*count` is set when COSSL_DONE is returned (a partial write is possible).
int cossl_write(SSL *ssl, const void *buffer, size_t length, size_t *count);
/// Decrypted bytes OpenSSL holds that epoll cannot report.
static inline int cossl_pending(const SSL *ssl) { return SSL_pending(ssl); }
/// Sends close_notify once without waiting for the peer's, then frees.
void cossl_close(SSL *ssl);

/// Whether the verified client certificate carries one of `allowed` as a DNS, e-mail, IP or URI subject
/// alternative name (exporter-toolkit's `client_allowed_sans`). 0 when there is no certificate.
int cossl_peer_san_allowed(SSL *ssl, const char *const *allowed, int count);
#endif
