#define _GNU_SOURCE
#include <sys/socket.h>
#include "CEpoll.h"
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>

struct epoll_event *cepoll_events_allocate(int count) {
    return (struct epoll_event *)calloc((size_t)count, sizeof(struct epoll_event));
}

void cepoll_events_free(struct epoll_event *events) { free(events); }

void cepoll_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t written;
    do { written = write(fd, &one, sizeof one); } while (written < 0 && errno == EINTR);
}

void cepoll_eventfd_reset(int fd) {
    uint64_t count;
    ssize_t got;
    do { got = read(fd, &count, sizeof count); } while (got < 0 && errno == EINTR);
}

int cepoll_accept(int fd) {
    int client;
    do { client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); } while (client < 0 && errno == EINTR);
    return client;
}

void cepoll_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int cepoll_lower_thread_priority(int by) {
    /* On Linux a nice value belongs to a thread: PRIO_PROCESS with the thread's id sets this thread's only. Relative
       to the thread's current value (inherited from the thread that made it, as the other loops' is), so the gap to
       the other loops stays `by` whatever theirs is. */
    id_t thread = (id_t)syscall(SYS_gettid);
    errno = 0;
    int current = getpriority(PRIO_PROCESS, thread);
    if (current == -1 && errno != 0) return -1;
    return setpriority(PRIO_PROCESS, thread, current + by);
}
