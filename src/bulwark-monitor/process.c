/* bulwark-monitor: the runtime and the container init: spawn, reap, OOM, exit record, pid file */
#include "monitor.h"

/* children reaped before we knew who they were */
static pid_t reaped_pid[32];
static int reaped_status[32];
static int reaped_count;

/* ------------------------------------------------------------ child control */

void reap_record(pid_t pid, int status)
{
    if (reaped_count < (int)(sizeof reaped_pid / sizeof reaped_pid[0])) {
        reaped_pid[reaped_count] = pid;
        reaped_status[reaped_count] = status;
        reaped_count++;
    }
}

int reaped_lookup(pid_t pid, int *status)
{
    for (int i = 0; i < reaped_count; i++)
        if (reaped_pid[i] == pid) {
            *status = reaped_status[i];
            return 1;
        }
    return 0;
}

void drain_signalfd(void)
{
    struct signalfd_siginfo si;
    while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
    }
}

pid_t spawn(char *const argv[], int fd_in, int fd_out, int fd_err)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* move the fds out of the 0..2 range first so dup2 order cannot clobber them */
        int a = fcntl(fd_in, F_DUPFD_CLOEXEC, 10);
        int b = fcntl(fd_out, F_DUPFD_CLOEXEC, 10);
        int c = fcntl(fd_err, F_DUPFD_CLOEXEC, 10);
        if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 || dup2(c, 2) < 0)
            _exit(127);
        for (int fd = 0; fd <= 2; fd++) {
            int fl = fcntl(fd, F_GETFL);
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        }
        execv(argv[0], argv);
        dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* extract "msg" values of error-level records from a runc/crun json log */
void runtime_log_errors(const char *path, struct buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct buf all = {0};
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0 && all.len < 256 * 1024)
        buf_append(&all, chunk, (size_t)r);
    close(fd);
    buf_append(&all, "", 1);
    char *line = all.data;
    while (line != NULL && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (strstr(line, "\"level\":\"error\"") != NULL) {
            char *m = strstr(line, "\"msg\":\"");
            if (m != NULL) {
                m += 7;
                if (out->len)
                    buf_append(out, "\n", 1);
                for (; *m && *m != '"'; m++) {
                    if (*m == '\\' && m[1]) {
                        m++;
                        char c = *m == 'n' ? '\n' : *m == 't' ? '\t' : *m;
                        buf_append(out, &c, 1);
                    } else {
                        buf_append(out, m, 1);
                    }
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    buf_free(&all);
}

long long read_oom_kill(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    char line[256];
    long long v = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        long long n;
        if (sscanf(line, "oom_kill %lld", &n) == 1) {
            v = n;
            break;
        }
    }
    fclose(f);
    return v;
}

int oom_killed(void)
{
    if (opt_oom_cgroup == NULL)
        return 0;
    char *p = path_join(opt_oom_cgroup, "memory.oom_control");
    long long v = read_oom_kill(p);
    free(p);
    if (v < 0) {
        p = path_join(opt_oom_cgroup, "memory.events");
        v = read_oom_kill(p);
        free(p);
    }
    return v > 0;
}

/*
 * The exit record ("code oom finishedNanos\n", padded with spaces that readers trim) goes to exit.tmp, then is renamed
 * to exit. Its blocks are reserved when the monitor starts, while there is space: a container that filled the disk
 * (its log, its writable layer) still gets its exit code recorded, as an overwrite that needs no new block.
 */
#define EXIT_RECORD_SIZE 96
static int exit_fd = -1;

void reserve_exit_file(void)
{
    char *tmp = path_join(opt_state_dir, "exit.tmp");
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        char pad[EXIT_RECORD_SIZE];
        memset(pad, ' ', sizeof pad);
        /* fallocate: the blocks exist now even where allocation is delayed to writeback (ext4, XFS) */
        int r = fallocate(fd, 0, 0, sizeof pad);
        if ((r == 0 || errno == EOPNOTSUPP) && pwrite(fd, pad, sizeof pad, 0) == (ssize_t)sizeof pad) {
            exit_fd = fd;
        } else {
            diag("bulwark-monitor: reserve %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
        }
    }
    free(tmp);
}

/* the container never ran: no exit record will be written */
void drop_exit_reservation(void)
{
    if (exit_fd < 0)
        return;
    close(exit_fd);
    exit_fd = -1;
    char *tmp = path_join(opt_state_dir, "exit.tmp");
    unlink(tmp);
    free(tmp);
}

/*
 * The exit record is made visible (written, renamed into place) before anyone hears of the exit, but made durable
 * (fsync of the file and its directory) only after the exit frame went out: the daemon acts on the frame, and the
 * fsyncs (two disk flushes where the exec root is not a tmpfs) stayed off that path. By then the daemon may be removing
 * the state directory: only descriptors opened before are used.
 */
static int exit_sync_fd = -1, exit_sync_dir = -1;

void write_exit_file(const char *text)
{
    char *tmp = path_join(opt_state_dir, "exit.tmp");
    char *dst = path_join(opt_state_dir, "exit");
    char rec[EXIT_RECORD_SIZE];
    size_t n = strlen(text);
    if (n > sizeof rec)
        n = sizeof rec;
    memset(rec, ' ', sizeof rec);
    memcpy(rec, text, n);
    int fd = exit_fd;
    exit_fd = -1;
    if (fd < 0) /* nothing reserved (the disk was full already at start): try anyway */
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ssize_t w = pwrite(fd, rec, sizeof rec, 0);
        int ok = w == (ssize_t)sizeof rec;
        int err = errno;
        /* never rename a short record over: no exit file reads as "monitor gone without a record" */
        if (ok && rename(tmp, dst) == 0) {
            exit_sync_fd = fd;
            exit_sync_dir = open(opt_state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        } else {
            diag("bulwark-monitor: write %s: %s", tmp, strerror(ok ? errno : err));
            close(fd);
            unlink(tmp);
        }
    } else {
        diag("bulwark-monitor: write %s: %s", tmp, strerror(errno));
    }
    free(tmp);
    free(dst);
}

void sync_exit_file(void)
{
    if (exit_sync_fd >= 0) {
        if (fsync(exit_sync_fd) != 0)
            diag("bulwark-monitor: fsync exit record: %s", strerror(errno));
        close(exit_sync_fd);
        exit_sync_fd = -1;
    }
    if (exit_sync_dir >= 0) {
        fsync(exit_sync_dir);
        close(exit_sync_dir);
        exit_sync_dir = -1;
    }
}

void write_pid_file(const char *name, pid_t pid)
{
    char *p = path_join(opt_state_dir, name);
    char *tmp = path_join(opt_state_dir, "monitor.pid.tmp");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dprintf(fd, "%d\n", (int)pid);
        close(fd);
        rename(tmp, p);
    }
    free(p);
    free(tmp);
}
