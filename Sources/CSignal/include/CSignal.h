#ifndef CSIGNAL_H
#define CSIGNAL_H
// Signals as bytes on a pipe: the handler is C because only async-signal-safe calls may run in one.

/// From now on `signo` writes one byte (its number) to `fd`, whichever thread the kernel delivers it to. One `fd`
/// per process: a later call with another descriptor redirects every forwarded signal there. 0, or -1 with errno.
int csignal_forward_to(int signo, int fd);

/// A pipe whose both ends close on exec and whose write end never blocks (a full pipe already holds a signal).
/// 0, or -1 with errno.
int csignal_pipe(int fds[2]);
#endif
