#ifndef CEPOLL_H
#define CEPOLL_H
// No _GNU_SOURCE here: it would change system struct layouts (fd_set) against the Dispatch module that
// shares this translation of the headers. accept4 lives in CEpoll.c, which defines it.
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
// epoll, eventfd and accept4 for the HTTP server: the Swift Glibc module does not export them.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static inline int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
static inline int cepoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}
static inline int cepoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout) {
    int n;
    do { n = epoll_wait(epfd, events, maxevents, timeout); } while (n < 0 && errno == EINTR);
    return n;
}
static const uint32_t CEPOLL_IN = EPOLLIN;
static const uint32_t CEPOLL_OUT = EPOLLOUT;
static const uint32_t CEPOLL_ERR = EPOLLERR;
static const uint32_t CEPOLL_HUP = EPOLLHUP;
static const uint32_t CEPOLL_EXCLUSIVE = EPOLLEXCLUSIVE;

/// `struct epoll_event` is packed on x86-64: allocated and read in C so Swift never needs its layout.
struct epoll_event *cepoll_events_allocate(int count);
void cepoll_events_free(struct epoll_event *events);
static inline uint32_t cepoll_event_flags(const struct epoll_event *events, int index) { return events[index].events; }
static inline uint64_t cepoll_event_data(const struct epoll_event *events, int index) { return events[index].data.u64; }

int cepoll_accept(int fd);
static inline int cepoll_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/// A non-blocking stream socket that is closed on exec.
static inline int cepoll_socket(int family) { return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

static inline int cepoll_set_int_option(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value);
}

/// Sends two buffers (a response head and its body) in one call, without SIGPIPE, retrying EINTR.
/// The body is sent from the caller's memory: nothing is copied.
static inline ssize_t cepoll_send2(int fd, const void *first, size_t firstLength, const void *second, size_t secondLength) {
    struct iovec parts[2] = {
        { .iov_base = (void *)first, .iov_len = firstLength },
        { .iov_base = (void *)second, .iov_len = secondLength },
    };
    struct msghdr message = { 0 };
    message.msg_iov = firstLength > 0 ? parts : parts + 1;
    message.msg_iovlen = firstLength > 0 ? (secondLength > 0 ? 2 : 1) : 1;
    ssize_t sent;
    do { sent = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT); } while (sent < 0 && errno == EINTR);
    return sent;
}

/// Reads what is there, retrying EINTR.
static inline ssize_t cepoll_recv(int fd, void *buffer, size_t length) {
    ssize_t received;
    do { received = recv(fd, buffer, length, MSG_DONTWAIT); } while (received < 0 && errno == EINTR);
    return received;
}

static inline int cepoll_errno(void) { return errno; }

/// Names the calling thread (at most 15 characters), as `top -H` and debuggers show it.
void cepoll_set_thread_name(const char *name);

/// Raises the calling thread's (only) nice value by `by` (which needs no privilege); 0, or -1 with errno.
int cepoll_lower_thread_priority(int by) __attribute__((swift_name("cepoll_lower_thread_priority(by:)")));

/// Wakes a loop blocked in epoll_wait, and clears the wake-up.
void cepoll_eventfd_signal(int fd);
void cepoll_eventfd_reset(int fd);
#endif
