#ifndef COLMEIA_SPAWN_H
#define COLMEIA_SPAWN_H

#include <sys/types.h>
#include <stddef.h>

/// What `colmeia_spawn` starts: a task process under a small guard process.
///
/// The guard is forked from the calling thread, moves itself into the task's cgroups,
/// asks the kernel for a signal when that thread dies (PR_SET_PDEATHSIG), and forks the
/// task in a process group of its own. When the daemon dies, the guard kills the task's
/// whole group; when the task exits, the guard kills what the task left in its group and
/// exits with the task's code (128 + N when signal N killed it).
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *directory;
    /// Descriptors to become the task's stdout and stderr (-1: /dev/null).
    int stdout_fd;
    int stderr_fd;
    /// Open descriptors of `cgroup.procs` files: the guard writes "0" to each.
    const int *cgroup_fds;
    int cgroup_fd_count;
    /// Whether to switch to `uid`/`gid`/`groups` before exec.
    int set_ids;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int group_count;
    /// The daemon's command-line area (`/proc/self/stat` arg_start…arg_end), which the guard
    /// overwrites with `guard_title`; NULL leaves it.
    char *argument_area;
    size_t argument_area_size;
    const char *guard_title;
    /// Sets PR_SET_NO_NEW_PRIVS in the task (no setuid binaries regain privileges).
    int no_new_privileges;
} colmeia_spawn_request;

/// The outcome: the guard's pid and the task's pid (its process group id), or the step
/// that failed with its errno.
typedef struct {
    pid_t guard_pid;
    pid_t task_pid;
    int error_number;
    char failed_step[64];
} colmeia_spawn_result;

/// Starts the request. Returns 0 when the task executed, -1 otherwise (`result` says why;
/// the guard has then been reaped). Call it from a thread that lives as long as the task
/// should: the kernel signals the guard when the forking thread ends.
int colmeia_spawn(const colmeia_spawn_request *request, colmeia_spawn_result *result);

/// pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not export.
int colmeia_pipe_cloexec(int fds[2]);

#endif
