#define _GNU_SOURCE
#include "CProcess.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t forward_fd = -1;

static void forward(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    ssize_t written;
    do { written = write(forward_fd, &byte, 1); } while (written < 0 && errno == EINTR);
    errno = saved;
}

int cprocess_forward_to(int signo, int fd) {
    forward_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward;
    action.sa_flags = SA_RESTART;  // system calls on the thread that took the signal carry on
    sigfillset(&action.sa_mask);
    return sigaction(signo, &action, NULL);
}

int cprocess_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(fds[1], F_GETFL);
    if (flags < 0 || fcntl(fds[1], F_SETFL, flags | O_NONBLOCK) != 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

int cprocess_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

int cprocess_fix_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

int cprocess_trim_malloc(void) { return malloc_trim(0); }
