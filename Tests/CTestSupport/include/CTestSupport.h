#ifndef CTESTSUPPORT_H
#define CTESTSUPPORT_H
// GNU extensions the Glibc module does not export, for the tests' child processes.
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close on exec from the start, so a child spawned at the same moment by another
/// test thread cannot inherit them (and keep the pipe open past its owner's end).
int ctest_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np: the child's working directory.
int ctest_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `lowest` on, so it holds none
/// of the test process's sockets (a socket a child still holds never reads as closed to its peer).
int ctest_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);
#endif
