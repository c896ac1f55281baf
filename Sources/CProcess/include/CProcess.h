#ifndef CPROCESS_H
#define CPROCESS_H
// Process-wide settings only C can make: a signal handler (only async-signal-safe calls may run in one, so signals
// become bytes on a pipe) and malloc's tuning (malloc.h is not in Swift's Glibc module).

/// From now on `signo` writes one byte (its number) to `fd`, whichever thread the kernel delivers it to. One `fd`
/// per process: a later call with another descriptor redirects every forwarded signal there. 0, or -1 with errno.
int cprocess_forward_to(int signo, int fd);

/// A pipe whose both ends close on exec and whose write end never blocks (a full pipe already holds a signal).
/// 0, or -1 with errno.
int cprocess_pipe(int fds[2]);
/// mallopt(M_ARENA_MAX, count): at most `count` malloc arenas for all threads. Before any thread starts.
/// 1 on success, 0 otherwise (mallopt's convention).
int cprocess_limit_malloc_arenas(int count);

/// mallopt(M_MMAP_THRESHOLD, bytes): blocks of `bytes` and more are mapped on their own and unmapped when freed, and
/// the threshold stays there (glibc otherwise raises it to the size of the largest mapped block freed so far).
/// 1 on success, 0 otherwise.
int cprocess_fix_mmap_threshold(int bytes);

/// malloc_trim(0): free pages of every arena given back to the system. 1 if any memory was released.
int cprocess_trim_malloc(void);
#endif
