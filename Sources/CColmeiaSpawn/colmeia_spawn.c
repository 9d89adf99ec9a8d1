#define _GNU_SOURCE
#include "colmeia_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Records on the report pipe, each written with one write(2) (atomic below PIPE_BUF). */
enum { RECORD_PID = 'P', RECORD_ERROR = 'E' };

struct error_record {
    char kind;
    int error_number;
    char step[64];
};

struct pid_record {
    char kind;
    pid_t pid;
};

/* Only async-signal-safe calls from here until exec or _exit: the daemon has threads. */

static void report_error(int fd, const char *step, int error_number) {
    struct error_record record;
    memset(&record, 0, sizeof record);
    record.kind = RECORD_ERROR;
    record.error_number = error_number;
    size_t length = strlen(step);
    if (length >= sizeof record.step) length = sizeof record.step - 1;
    memcpy(record.step, step, length);
    ssize_t ignored = write(fd, &record, sizeof record);
    (void)ignored;
}

static volatile pid_t guarded_task = 0;

/* The daemon's thread died: the task's whole group goes with it. */
static void guard_on_parent_death(int signal_number) {
    (void)signal_number;
    pid_t task = guarded_task;
    if (task > 0) kill(-task, SIGKILL);
    _exit(137);
}

static void mark_descriptors_close_on_exec(void) {
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = 3; fd < 65536; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* Closes every descriptor from 3 up but those in `keep` (the guard holds a copy of every
   descriptor of the daemon: its sockets must not outlive the daemon's own close). */
static void close_all_except(const int *keep, int count) {
    int sorted[8];
    int n = 0;
    for (int index = 0; index < count && n < 8; index++) {
        if (keep[index] < 3) continue;
        int value = keep[index], position = n++;
        while (position > 0 && sorted[position - 1] > value) { sorted[position] = sorted[position - 1]; position--; }
        sorted[position] = value;
    }
    unsigned int from = 3;
    for (int index = 0; index <= n; index++) {
        unsigned int to = index < n ? (unsigned int)sorted[index] : ~0U;
        if (to > from) {
            unsigned int last = index < n ? to - 1 : ~0U;
            if (syscall(SYS_close_range, from, last, 0U) != 0) {
                unsigned int limit = last > 65535U ? 65535U : last;
                for (unsigned int fd = from; fd <= limit; fd++) close((int)fd);
            }
        }
        if (index < n) from = to + 1;
    }
}

static void reset_signals_to_default(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
        sigaction(signal_number, &action, NULL);
    }
}

static void run_task(const colmeia_spawn_request *request, int report, pid_t guard) {
    if (setpgid(0, 0) != 0) { report_error(report, "setpgid", errno); _exit(127); }
    reset_signals_to_default();

    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) { report_error(report, "open /dev/null", errno); _exit(127); }
    int out = request->stdout_fd >= 0 ? request->stdout_fd : null_fd;
    int err = request->stderr_fd >= 0 ? request->stderr_fd : null_fd;
    if (dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) { report_error(report, "dup2", errno); _exit(127); }

    if (request->set_ids) {
        if (setgroups((size_t)request->group_count, request->groups) != 0) { report_error(report, "setgroups", errno); _exit(127); }
        if (setgid(request->gid) != 0) { report_error(report, "setgid", errno); _exit(127); }
        if (setuid(request->uid) != 0) { report_error(report, "setuid", errno); _exit(127); }
    }
    /* The task dies with its guard too. Set after the credentials change: a change of
       user clears it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) { report_error(report, "prctl", errno); _exit(127); }
    if (getppid() != guard) _exit(127);
    if (request->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        report_error(report, "prctl no_new_privs", errno);
        _exit(127);
    }
    if (request->directory && chdir(request->directory) != 0) { report_error(report, "chdir", errno); _exit(127); }

    mark_descriptors_close_on_exec();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(request->path, request->argv, request->envp);
    report_error(report, "exec", errno);
    _exit(127);
}

/* The guard is a copy of the daemon, command line included: it takes a name of its own,
   so that `ps` and `pkill -f colmeiad` tell the two apart. */
static void rename_guard(const colmeia_spawn_request *request) {
    prctl(PR_SET_NAME, "colmeia-guard", 0, 0, 0);
    if (request->argument_area == NULL || request->argument_area_size < 2) return;
    char *area = request->argument_area;
    size_t size = request->argument_area_size;
    memset(area, 0, size);
    const char *name = request->guard_title ? request->guard_title : "colmeia-guard";
    size_t length = strlen(name);
    if (length > size - 1) length = size - 1;
    memcpy(area, name, length);
}

static void run_guard(const colmeia_spawn_request *request, int report, pid_t daemon) {
    /* Out of the daemon's process group and session: a terminal's ^C is not for tasks. */
    setsid();
    rename_guard(request);
    for (int index = 0; index < request->cgroup_fd_count; index++) {
        if (write(request->cgroup_fds[index], "0", 1) != 1) { report_error(report, "join cgroup", errno); _exit(127); }
    }

    int keep[3] = { report, request->stdout_fd, request->stderr_fd };
    close_all_except(keep, 3);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
        action.sa_handler = signal_number == SIGCHLD ? SIG_DFL : SIG_IGN;
        if (signal_number == SIGTERM) action.sa_handler = guard_on_parent_death;
        sigaction(signal_number, &action, NULL);
    }
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) { report_error(report, "prctl", errno); _exit(127); }
    /* The daemon may have died before the request above took effect. */
    if (getppid() != daemon) _exit(127);

    pid_t guard = getpid();
    pid_t task = fork();
    if (task < 0) { report_error(report, "fork", errno); _exit(127); }
    if (task == 0) run_task(request, report, guard);
    guarded_task = task;

    struct pid_record record;
    memset(&record, 0, sizeof record);
    record.kind = RECORD_PID;
    record.pid = task;
    ssize_t ignored = write(report, &record, sizeof record);
    (void)ignored;
    close(report);
    if (request->stdout_fd >= 0) close(request->stdout_fd);
    if (request->stderr_fd >= 0) close(request->stderr_fd);
    for (int fd = 0; fd < 3; fd++) close(fd);

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    int status = 0;
    for (;;) {
        pid_t done = waitpid(task, &status, 0);
        if (done == task) break;
        if (done < 0 && errno != EINTR) { status = 0; break; }
    }
    /* Whatever the task left in its group goes with it, as in a container. */
    kill(-task, SIGKILL);
    if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
    _exit(WEXITSTATUS(status));
}

int colmeia_spawn(const colmeia_spawn_request *request, colmeia_spawn_result *result) {
    memset(result, 0, sizeof *result);
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        result->error_number = errno;
        strcpy(result->failed_step, "pipe");
        return -1;
    }
    /* Nothing of the daemon's runs in the child: its signals stay blocked until reset. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t daemon = getpid();
    pid_t guard = fork();
    if (guard == 0) {
        close(pipe_fds[0]);
        run_guard(request, pipe_fds[1], daemon);
        _exit(127);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(pipe_fds[1]);
    if (guard < 0) {
        close(pipe_fds[0]);
        result->error_number = fork_errno;
        strcpy(result->failed_step, "fork");
        return -1;
    }
    result->guard_pid = guard;

    /* Read until every writer is gone: the guard closes its end after reporting the
       task's pid, the task's end closes when it executes. */
    char buffer[512];
    size_t filled = 0;
    for (;;) {
        ssize_t count = read(pipe_fds[0], buffer + filled, sizeof buffer - filled);
        if (count > 0) {
            filled += (size_t)count;
            if (filled == sizeof buffer) break;
            continue;
        }
        if (count < 0 && errno == EINTR) continue;
        break;
    }
    close(pipe_fds[0]);

    int failed = 0;
    size_t offset = 0;
    while (offset < filled) {
        if (buffer[offset] == RECORD_PID && filled - offset >= sizeof(struct pid_record)) {
            struct pid_record record;
            memcpy(&record, buffer + offset, sizeof record);
            result->task_pid = record.pid;
            offset += sizeof record;
        } else if (buffer[offset] == RECORD_ERROR && filled - offset >= sizeof(struct error_record)) {
            struct error_record record;
            memcpy(&record, buffer + offset, sizeof record);
            result->error_number = record.error_number;
            memcpy(result->failed_step, record.step, sizeof result->failed_step);
            result->failed_step[sizeof result->failed_step - 1] = 0;
            failed = 1;
            offset += sizeof record;
        } else {
            break;
        }
    }
    if (!failed && result->task_pid <= 0) {
        failed = 1;
        result->error_number = ECHILD;
        strcpy(result->failed_step, "start");
    }
    if (failed) {
        if (result->task_pid > 0) kill(-result->task_pid, SIGKILL);
        int status;
        while (waitpid(guard, &status, 0) < 0 && errno == EINTR) {}
        return -1;
    }
    return 0;
}

int colmeia_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
