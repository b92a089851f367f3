/*
 * bulwark-monitor: the per-container monitor process.
 *
 * One instance per running container. It starts the OCI runtime (runc/crun)
 * in detached mode, becomes the container init's parent (child subreaper),
 * copies container output into a Docker json-file log (with rotation) and to
 * every connected client, forwards client input to the container, and records
 * the exit status in <state-dir>/exit when the container's init exits.
 *
 * Wire format (both directions): 1 byte type, 4 bytes big-endian length, payload.
 *   monitor -> client: 1 stdout, 2 stderr, 'P' started(pid), 'F' start failed(msg),
 *                      'X' exited("code oom finishedNanos")
 *   client -> monitor: 0 stdin data, 'C' close stdin, 'R' resize("rows cols")
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define CLIENT_OUT_LIMIT (1u << 20)  /* drop a client whose unsent output exceeds 1 MiB */
#define FRAME_IN_LIMIT (1u << 20)    /* largest accepted client frame payload */
#define STDIN_LIMIT (4u << 20)       /* pending container stdin cap */
#define LOG_LINE_MAX (16 * 1024)     /* longer lines are written as partial records */
#define READ_CHUNK (32 * 1024)

enum { T_STDIN = 0, T_STDOUT = 1, T_STDERR = 2 };

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

struct client {
    int in_fd;
    int out_fd;
    struct buf out;
    unsigned char hdr[5];
    size_t hdr_len;
    char *payload;
    uint32_t payload_len;
    uint32_t payload_got;
};

struct logstream {
    const char *name;
    char line[LOG_LINE_MAX + 8];
    size_t len;
};

/* options */
static const char *opt_id, *opt_bundle, *opt_runtime, *opt_runtime_root, *opt_state_dir, *opt_log;
static const char *opt_oom_cgroup;
static const char *opt_exec_process; /* exec mode: run this process.json in the running container */
static long long opt_log_max_size = -1;
static int opt_log_max_file = 1;
static int opt_tty, opt_stdin;

/* state */
static struct client *clients[MAX_CLIENTS];
static int listen_fd = -1;
static int sig_fd = -1;
static int out_fd = -1, err_fd = -1; /* container output (pty master in out_fd for tty) */
static int in_fd = -1;               /* container stdin (pipe write end or pty master) */
static int pty_fd = -1;
static struct buf stdin_pending;
static int stdin_close_requested;
static int log_fd = -1;
static long long log_size;
/* the log cannot grow (ENOSPC/EDQUOT/EIO): records are dropped, output still drained; retried every second */
static int log_failing;
static int log_failures_reported; /* diagnostics go to the daemon, which keeps them: say it once, not per record */
static struct timespec log_failed_at;
static struct logstream log_out = {.name = "stdout"};
static struct logstream log_err = {.name = "stderr"};
static pid_t init_pid = -1;
static int started;

/* children reaped before we knew who they were */
static pid_t reaped_pid[32];
static int reaped_status[32];
static int reaped_count;

static void diag(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof msg - 2)
        n = (int)sizeof msg - 2;
    msg[n++] = '\n';
    ssize_t w = write(2, msg, (size_t)n);
    (void)w;
}

static void die(const char *what)
{
    diag("bulwark-monitor: %s: %s", what, strerror(errno));
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n);
    if (r == NULL && n != 0) {
        diag("bulwark-monitor: out of memory");
        exit(1);
    }
    return r;
}

static void buf_append(struct buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void buf_consume(struct buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    if (b->len == 0 && b->cap > 65536) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
}

static void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xrealloc(NULL, n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ------------------------------------------------------------------ clients */

static void client_drop(int i)
{
    struct client *c = clients[i];
    if (c == NULL)
        return;
    if (c->in_fd == 0 || c->out_fd == 1) {
        /* the daemon's original pipes: park fds 0/1 on /dev/null so they are never reused */
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
            close(nul);
        }
    } else {
        close(c->in_fd);
        if (c->out_fd != c->in_fd)
            close(c->out_fd);
    }
    buf_free(&c->out);
    free(c->payload);
    free(c);
    clients[i] = NULL;
}

static void client_flush(int i)
{
    struct client *c = clients[i];
    while (c->out.len > 0) {
        ssize_t w = write(c->out_fd, c->out.data, c->out.len);
        if (w > 0) {
            buf_consume(&c->out, (size_t)w);
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        client_drop(i);
        return;
    }
}

static void client_send(int i, unsigned char type, const void *data, size_t n)
{
    struct client *c = clients[i];
    if (c == NULL)
        return;
    if (c->out.len + n + 5 > CLIENT_OUT_LIMIT) {
        client_drop(i);
        return;
    }
    unsigned char hdr[5] = {type, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                            (unsigned char)n};
    buf_append(&c->out, hdr, 5);
    buf_append(&c->out, data, n);
    client_flush(i);
}

static void broadcast(unsigned char type, const void *data, size_t n)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_send(i, type, data, n);
}

static void send_started(int i)
{
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d", (int)init_pid);
    client_send(i, 'P', pid, (size_t)n);
}

static int client_add(int in, int out)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] == NULL) {
            clients[i] = xrealloc(NULL, sizeof(struct client));
            memset(clients[i], 0, sizeof(struct client));
            clients[i]->in_fd = in;
            clients[i]->out_fd = out;
            return i;
        }
    }
    return -1;
}

static void container_stdin_close(void)
{
    if (in_fd < 0)
        return;
    if (opt_tty)
        return; /* the pty is shared with output; nothing to close */
    close(in_fd);
    in_fd = -1;
    buf_free(&stdin_pending);
}

static void container_stdin_flush(void)
{
    while (in_fd >= 0 && stdin_pending.len > 0) {
        ssize_t w = write(in_fd, stdin_pending.data, stdin_pending.len);
        if (w > 0) {
            buf_consume(&stdin_pending, (size_t)w);
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* the container closed its stdin */
        container_stdin_close();
        return;
    }
    if (stdin_pending.len == 0 && stdin_close_requested)
        container_stdin_close();
}

static void handle_frame(unsigned char type, const char *p, uint32_t n)
{
    switch (type) {
    case T_STDIN:
        if (in_fd < 0 || stdin_close_requested)
            return;
        if (stdin_pending.len + n > STDIN_LIMIT)
            return; /* container is not reading; drop rather than grow without bound */
        buf_append(&stdin_pending, p, n);
        container_stdin_flush();
        break;
    case 'C':
        stdin_close_requested = 1;
        container_stdin_flush();
        break;
    case 'R': {
        char tmp[64];
        size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
        memcpy(tmp, p, m);
        tmp[m] = 0;
        unsigned rows = 0, cols = 0;
        if (pty_fd >= 0 && sscanf(tmp, "%u %u", &rows, &cols) == 2) {
            struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
            ioctl(pty_fd, TIOCSWINSZ, &ws);
        }
        break;
    }
    default:
        break;
    }
}

static void client_read(int i)
{
    char chunk[READ_CHUNK];
    struct client *c = clients[i];
    ssize_t r = read(c->in_fd, chunk, sizeof chunk);
    if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (r <= 0) {
        client_drop(i);
        return;
    }
    size_t off = 0;
    while (off < (size_t)r) {
        if (c->hdr_len < 5) {
            c->hdr[c->hdr_len++] = (unsigned char)chunk[off++];
            if (c->hdr_len == 5) {
                c->payload_len = ((uint32_t)c->hdr[1] << 24) | ((uint32_t)c->hdr[2] << 16) |
                                 ((uint32_t)c->hdr[3] << 8) | c->hdr[4];
                if (c->payload_len > FRAME_IN_LIMIT) {
                    client_drop(i);
                    return;
                }
                c->payload = xrealloc(c->payload, c->payload_len ? c->payload_len : 1);
                c->payload_got = 0;
            }
        } else {
            size_t take = c->payload_len - c->payload_got;
            if (take > (size_t)r - off)
                take = (size_t)r - off;
            memcpy(c->payload + c->payload_got, chunk + off, take);
            c->payload_got += (uint32_t)take;
            off += take;
        }
        if (c->hdr_len == 5 && c->payload_got == c->payload_len) {
            handle_frame(c->hdr[0], c->payload, c->payload_len);
            c = clients[i];
            if (c == NULL)
                return;
            c->hdr_len = 0;
            free(c->payload);
            c->payload = NULL;
        }
    }
}

static void accept_clients(void)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        int i = client_add(fd, fd);
        if (i < 0) {
            close(fd);
            continue;
        }
        if (started)
            send_started(i);
    }
}

/* ---------------------------------------------------------------- json log */

static void log_open(void)
{
    log_fd = open(opt_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        diag("bulwark-monitor: open log %s: %s", opt_log, strerror(errno));
        return;
    }
    struct stat st;
    log_size = fstat(log_fd, &st) == 0 ? (long long)st.st_size : 0;
}

static void log_rotate(void)
{
    size_t n = strlen(opt_log) + 32;
    char *from = xrealloc(NULL, n), *to = xrealloc(NULL, n);
    if (opt_log_max_file > 1) {
        snprintf(to, n, "%s.%d", opt_log, opt_log_max_file - 1);
        unlink(to);
        for (int i = opt_log_max_file - 1; i >= 2; i--) {
            snprintf(from, n, "%s.%d", opt_log, i - 1);
            snprintf(to, n, "%s.%d", opt_log, i);
            rename(from, to);
        }
        snprintf(to, n, "%s.1", opt_log);
        rename(opt_log, to);
    } else {
        /* max-file 1: replace the file with a fresh empty one */
        snprintf(to, n, "%s.new", opt_log);
        int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd >= 0) {
            close(fd);
            rename(to, opt_log);
        } else {
            if (ftruncate(log_fd, 0) < 0)
                diag("bulwark-monitor: truncate log: %s", strerror(errno));
        }
    }
    free(from);
    free(to);
    if (log_fd >= 0)
        close(log_fd);
    log_open();
}

/* length of the valid UTF-8 sequence starting at p (0 = invalid); n = bytes available */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* number of trailing bytes that form an incomplete (but so far valid) UTF-8 sequence */
static size_t utf8_incomplete_tail(const unsigned char *p, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned c = p[n - k];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > k ? k : 0;
    }
    return 0;
}

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* while the log cannot grow, records are skipped (not even encoded) and a write is tried again once a second */
static int log_paused(void)
{
    return log_failing && ms_since(&log_failed_at) < 1000;
}

/*
 * Appends one whole record. A write that fails (a full disk) never blocks and never leaves half a record: a short
 * write is cut off again, the record is dropped, and the container's output keeps being drained, so the container
 * never stalls on a full pipe and stop, kill and rm work as on a disk with space.
 */
static void log_write(const char *data, size_t len)
{
    size_t off = 0;
    int err = 0;
    while (off < len) {
        ssize_t w = write(log_fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err = w < 0 ? errno : ENOSPC;
            break;
        }
        off += (size_t)w;
    }
    if (err == 0) {
        log_size += (long long)off;
        if (log_failing && log_failures_reported == 1) {
            log_failures_reported++;
            diag("bulwark-monitor: log %s: writing again", opt_log);
        }
        log_failing = 0;
        return;
    }
    if (off > 0) {
        /* O_APPEND: the partial record ends the file; cut it so every line stays one complete record */
        off_t end = lseek(log_fd, 0, SEEK_END);
        if (end >= (off_t)off && ftruncate(log_fd, end - (off_t)off) < 0)
            log_size += (long long)off;
    }
    if (!log_failing && log_failures_reported == 0) {
        log_failures_reported++;
        diag("bulwark-monitor: log %s: %s; container output is not logged until it can be written", opt_log,
             strerror(err));
    }
    log_failing = 1;
    clock_gettime(CLOCK_MONOTONIC, &log_failed_at);
}

static void log_record(const char *stream, const unsigned char *p, size_t n, int newline)
{
    if (log_fd < 0 || log_paused())
        return;
    struct buf b = {0};
    static const char hex[] = "0123456789abcdef";
    buf_append(&b, "{\"log\":\"", 8);
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t len = utf8_seq(p + i, n - i);
            if (len == 0) {
                buf_append(&b, "\\ufffd", 6);
                i++;
            } else {
                buf_append(&b, p + i, len);
                i += len;
            }
            continue;
        }
        char esc[6];
        switch (c) {
        case '"': buf_append(&b, "\\\"", 2); break;
        case '\\': buf_append(&b, "\\\\", 2); break;
        case '\n': buf_append(&b, "\\n", 2); break;
        case '\r': buf_append(&b, "\\r", 2); break;
        case '\t': buf_append(&b, "\\t", 2); break;
        case '\b': buf_append(&b, "\\b", 2); break;
        case '\f': buf_append(&b, "\\f", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                esc[0] = '\\';
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                buf_append(&b, esc, 6);
            } else {
                buf_append(&b, &c, 1);
            }
        }
        i++;
    }
    if (newline)
        buf_append(&b, "\\n", 2);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char tail[160];
    int tn = snprintf(tail, sizeof tail, "\",\"stream\":\"%s\",\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"}\n",
                      stream, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      (long)ts.tv_nsec);
    buf_append(&b, tail, (size_t)tn);

    if (opt_log_max_size > 0 && log_size > 0 && log_size + (long long)b.len > opt_log_max_size)
        log_rotate();
    if (log_fd >= 0)
        log_write(b.data, b.len);
    buf_free(&b);
}

static void log_feed(struct logstream *ls, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\n') {
            log_record(ls->name, (unsigned char *)ls->line, ls->len, 1);
            ls->len = 0;
            continue;
        }
        ls->line[ls->len++] = c;
        if (ls->len >= LOG_LINE_MAX) {
            size_t keep = utf8_incomplete_tail((unsigned char *)ls->line, ls->len);
            log_record(ls->name, (unsigned char *)ls->line, ls->len - keep, 0);
            memmove(ls->line, ls->line + ls->len - keep, keep);
            ls->len = keep;
        }
    }
}

static void log_flush_partial(struct logstream *ls)
{
    if (ls->len > 0) {
        log_record(ls->name, (unsigned char *)ls->line, ls->len, 0);
        ls->len = 0;
    }
}

/* --------------------------------------------------------- container output */

/* returns 0 when the fd reached EOF / error (and was closed), 1 otherwise */
static int pump_output(int *fdp, int stream)
{
    char chunk[READ_CHUNK];
    for (int rounds = 0; rounds < 8; rounds++) {
        ssize_t r = read(*fdp, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (r <= 0) {
            /* EOF, or EIO on a pty master whose slave side is gone */
            if (*fdp == pty_fd) {
                in_fd = -1;
                pty_fd = -1;
            }
            close(*fdp);
            *fdp = -1;
            return 0;
        }
        log_feed(stream == T_STDERR ? &log_err : &log_out, chunk, (size_t)r);
        broadcast((unsigned char)stream, chunk, (size_t)r);
    }
    return 1;
}

static void drain_outputs(void)
{
    /* keep reading until EAGAIN/EOF on each stream */
    for (int s = 0; s < 2; s++) {
        int *fdp = s == 0 ? &out_fd : &err_fd;
        char chunk[READ_CHUNK];
        while (*fdp >= 0) {
            ssize_t r = read(*fdp, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (r <= 0) {
                if (*fdp == pty_fd) {
                    in_fd = -1;
                    pty_fd = -1;
                }
                close(*fdp);
                *fdp = -1;
                break;
            }
            int stream = s == 0 ? T_STDOUT : T_STDERR;
            log_feed(stream == T_STDERR ? &log_err : &log_out, chunk, (size_t)r);
            broadcast((unsigned char)stream, chunk, (size_t)r);
        }
    }
    log_flush_partial(&log_out);
    log_flush_partial(&log_err);
}

/* ------------------------------------------------------------ child control */

static void reap_record(pid_t pid, int status)
{
    if (reaped_count < (int)(sizeof reaped_pid / sizeof reaped_pid[0])) {
        reaped_pid[reaped_count] = pid;
        reaped_status[reaped_count] = status;
        reaped_count++;
    }
}

static int reaped_lookup(pid_t pid, int *status)
{
    for (int i = 0; i < reaped_count; i++)
        if (reaped_pid[i] == pid) {
            *status = reaped_status[i];
            return 1;
        }
    return 0;
}

static void drain_signalfd(void)
{
    struct signalfd_siginfo si;
    while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
    }
}

static pid_t spawn(char *const argv[], int fd_in, int fd_out, int fd_err)
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

static int recv_pty_master(int conn)
{
    char name[256];
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t r;
    do {
        r = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm), sizeof fd);
            return fd;
        }
    }
    return -1;
}

static void read_all_nonblock(int fd, struct buf *b)
{
    char chunk[4096];
    if (fd < 0)
        return;
    set_nonblock(fd);
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        if (b->len < 64 * 1024)
            buf_append(b, chunk, (size_t)r);
    }
}

/* extract "msg" values of error-level records from a runc/crun json log */
static void runtime_log_errors(const char *path, struct buf *out)
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

static void trim(struct buf *b)
{
    size_t s = 0;
    while (s < b->len && (b->data[s] == ' ' || b->data[s] == '\n' || b->data[s] == '\t' || b->data[s] == '\r'))
        s++;
    if (s)
        buf_consume(b, s);
    while (b->len && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\t' ||
                      b->data[b->len - 1] == '\r'))
        b->len--;
}

static long long read_oom_kill(const char *path)
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

static int oom_killed(void)
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

static void reserve_exit_file(void)
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
static void drop_exit_reservation(void)
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

static void write_exit_file(const char *text)
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

static void sync_exit_file(void)
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

static void write_pid_file(const char *name, pid_t pid)
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

static int make_listener(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* flush client buffers for a bounded time before exiting */
static void flush_clients_bounded(int ms_total)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd pfd[MAX_CLIENTS];
        int idx[MAX_CLIENTS];
        int n = 0;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] && clients[i]->out.len) {
                pfd[n].fd = clients[i]->out_fd;
                pfd[n].events = POLLOUT;
                idx[n++] = i;
            }
        }
        if (n == 0)
            return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= ms_total)
            return;
        if (poll(pfd, (nfds_t)n, (int)(ms_total - elapsed)) <= 0)
            continue;
        for (int k = 0; k < n; k++)
            if (pfd[k].revents)
                client_flush(idx[k]);
    }
}

/* ------------------------------------------------------------------- main */

static void usage(void)
{
    diag("usage: bulwark-monitor --id ID --bundle DIR --runtime PATH --runtime-root DIR --state-dir DIR --log PATH "
         "[--log-max-size BYTES] [--log-max-file N] [--tty] [--stdin] [--oom-cgroup DIR]\n"
         "       bulwark-monitor --exec-process FILE --id ID --runtime PATH --runtime-root DIR --state-dir DIR --log none [--tty] [--stdin]");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (strcmp(a, "--tty") == 0) {
            opt_tty = 1;
            continue;
        }
        if (strcmp(a, "--stdin") == 0) {
            opt_stdin = 1;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (strcmp(a, "--id") == 0)
            target = &opt_id;
        else if (strcmp(a, "--bundle") == 0)
            target = &opt_bundle;
        else if (strcmp(a, "--runtime") == 0)
            target = &opt_runtime;
        else if (strcmp(a, "--runtime-root") == 0)
            target = &opt_runtime_root;
        else if (strcmp(a, "--state-dir") == 0)
            target = &opt_state_dir;
        else if (strcmp(a, "--log") == 0)
            target = &opt_log;
        else if (strcmp(a, "--oom-cgroup") == 0)
            target = &opt_oom_cgroup;
        else if (strcmp(a, "--exec-process") == 0)
            target = &opt_exec_process;
        else if (strcmp(a, "--log-max-size") == 0)
            opt_log_max_size = atoll(v);
        else if (strcmp(a, "--log-max-file") == 0)
            opt_log_max_file = atoi(v) > 0 ? atoi(v) : 1;
        else
            usage();
        if (target)
            *target = v;
    }
    if (!opt_id || (!opt_bundle && !opt_exec_process) || !opt_runtime || !opt_runtime_root || !opt_state_dir || !opt_log)
        usage();
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);

    setsid();
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die("prctl(PR_SET_CHILD_SUBREAPER)");

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sig_fd < 0)
        die("signalfd");

    write_pid_file("monitor.pid", getpid());

    char *sock_path = path_join(opt_state_dir, "monitor.sock");
    listen_fd = make_listener(sock_path);
    if (listen_fd < 0)
        die(sock_path);

    set_nonblock(0);
    set_nonblock(1);
    set_nonblock(2);
    client_add(0, 1);

    if (strcmp(opt_log, "none") != 0 && opt_log[0] != 0)
        log_open();
    reserve_exit_file();

    /* container stdio */
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nul < 0)
        die("open /dev/null");
    int child_in = nul, child_out = nul, child_err = nul;
    int rt_err_r = -1; /* where the runtime's own stderr can be read when it differs from the container's */
    int console_fd = -1;
    char *console_path = NULL;
    int p[2];
    if (opt_tty) {
        console_path = path_join(opt_state_dir, "console.sock");
        console_fd = make_listener(console_path);
        if (console_fd < 0)
            die(console_path);
        if (pipe2(p, O_CLOEXEC) < 0)
            die("pipe");
        rt_err_r = p[0];
        child_out = child_err = p[1];
    } else {
        if (opt_stdin) {
            if (pipe2(p, O_CLOEXEC) < 0)
                die("pipe");
            child_in = p[0];
            in_fd = p[1];
        }
        if (pipe2(p, O_CLOEXEC) < 0)
            die("pipe");
        out_fd = p[0];
        child_out = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
            die("pipe");
        err_fd = p[0];
        child_err = p[1];
        rt_err_r = err_fd; /* runc -d hands its own stdio to the container */
    }

    char *pid_file = path_join(opt_state_dir, "init.pid");
    char *rt_log = path_join(opt_state_dir, "runtime.log");
    unlink(pid_file);
    unlink(rt_log);
    char *argv_run[20];
    int k = 0;
    argv_run[k++] = (char *)opt_runtime;
    argv_run[k++] = "--root";
    argv_run[k++] = (char *)opt_runtime_root;
    argv_run[k++] = "--log";
    argv_run[k++] = rt_log;
    argv_run[k++] = "--log-format";
    argv_run[k++] = "json";
    argv_run[k++] = opt_exec_process ? "exec" : "run";
    argv_run[k++] = "-d";
    argv_run[k++] = "--pid-file";
    argv_run[k++] = pid_file;
    if (opt_tty) {
        argv_run[k++] = "--console-socket";
        argv_run[k++] = console_path;
    }
    if (opt_exec_process) {
        argv_run[k++] = "--process";
        argv_run[k++] = (char *)opt_exec_process;
    } else {
        argv_run[k++] = "--bundle";
        argv_run[k++] = (char *)opt_bundle;
    }
    argv_run[k++] = (char *)opt_id;
    argv_run[k] = NULL;

    pid_t rt_pid = spawn(argv_run, child_in, child_out, child_err);
    if (child_in != nul)
        close(child_in);
    if (child_out != nul)
        close(child_out);
    if (child_err != nul && child_err != child_out)
        close(child_err);
    close(nul);

    /* start phase: wait for the runtime to exit, taking the pty master if one is sent */
    int rt_status = -1;
    int rt_done = 0;
    while (!rt_done) {
        struct pollfd pf[2] = {{.fd = sig_fd, .events = POLLIN}, {.fd = console_fd, .events = POLLIN}};
        int r = poll(pf, console_fd >= 0 ? 2 : 1, 1000);
        if (r < 0 && errno != EINTR)
            die("poll");
        if (console_fd >= 0 && (pf[1].revents & POLLIN)) {
            int conn = accept4(console_fd, NULL, NULL, SOCK_CLOEXEC);
            if (conn >= 0) {
                int m = recv_pty_master(conn);
                close(conn);
                if (m >= 0) {
                    if (pty_fd >= 0)
                        close(pty_fd);
                    pty_fd = m;
                    set_nonblock(pty_fd);
                }
            }
        }
        drain_signalfd();
        for (;;) {
            int st;
            pid_t w = waitpid(-1, &st, WNOHANG);
            if (w <= 0)
                break;
            if (w == rt_pid) {
                rt_status = st;
                rt_done = 1;
            } else {
                reap_record(w, st);
            }
        }
    }
    if (console_fd >= 0) {
        close(console_fd);
        unlink(console_path);
    }

    if (!WIFEXITED(rt_status) || WEXITSTATUS(rt_status) != 0) {
        struct buf msg = {0};
        read_all_nonblock(rt_err_r, &msg);
        trim(&msg);
        if (msg.len == 0) {
            runtime_log_errors(rt_log, &msg);
            trim(&msg);
        }
        if (msg.len == 0) {
            char tmp[128];
            int n = snprintf(tmp, sizeof tmp, "%s run exited with status %d", opt_runtime,
                             WIFEXITED(rt_status) ? WEXITSTATUS(rt_status) : 128 + WTERMSIG(rt_status));
            buf_append(&msg, tmp, (size_t)n);
        }
        drop_exit_reservation();
        broadcast('F', msg.data, msg.len);
        flush_clients_bounded(5000);
        if (opt_exec_process) {
            unlink(sock_path);
            return 0;
        }
        /* make sure nothing is left behind in the runtime's state */
        char *argv_del[] = {(char *)opt_runtime, "--root", (char *)opt_runtime_root, "delete", "--force",
                            (char *)opt_id, NULL};
        int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
        pid_t dp = spawn(argv_del, dn, dn, dn);
        close(dn);
        int st;
        while (waitpid(dp, &st, 0) < 0 && errno == EINTR) {
        }
        unlink(sock_path);
        return 0;
    }
    if (opt_tty) {
        close(rt_err_r);
        out_fd = pty_fd;
        in_fd = pty_fd;
    }

    /* read the init pid */
    {
        FILE *f = fopen(pid_file, "re");
        int pid = -1;
        if (f != NULL) {
            if (fscanf(f, "%d", &pid) != 1)
                pid = -1;
            fclose(f);
        }
        init_pid = pid;
    }
    if (init_pid <= 0) {
        drop_exit_reservation();
        const char *m = "runtime did not report the container's pid";
        broadcast('F', m, strlen(m));
        flush_clients_bounded(5000);
        unlink(sock_path);
        return 0;
    }
    started = 1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i])
            send_started(i);

    if (in_fd >= 0)
        set_nonblock(in_fd);
    if (out_fd >= 0)
        set_nonblock(out_fd);
    if (err_fd >= 0)
        set_nonblock(err_fd);

    int init_status = 0;
    int init_exited = reaped_lookup(init_pid, &init_status);

    /* event loop */
    while (!init_exited) {
        struct pollfd pfd[8 + MAX_CLIENTS * 2];
        int role[8 + MAX_CLIENTS * 2];
        int n = 0;
        pfd[n] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        role[n++] = -1;
        pfd[n] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
        role[n++] = -2;
        if (out_fd >= 0) {
            short ev = POLLIN;
            if (opt_tty && stdin_pending.len)
                ev |= POLLOUT;
            pfd[n] = (struct pollfd){.fd = out_fd, .events = ev};
            role[n++] = -3;
        }
        if (err_fd >= 0) {
            pfd[n] = (struct pollfd){.fd = err_fd, .events = POLLIN};
            role[n++] = -4;
        }
        if (!opt_tty && in_fd >= 0 && stdin_pending.len) {
            pfd[n] = (struct pollfd){.fd = in_fd, .events = POLLOUT};
            role[n++] = -5;
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = clients[i];
            if (c == NULL)
                continue;
            if (c->in_fd == c->out_fd) {
                pfd[n] = (struct pollfd){.fd = c->in_fd, .events = (short)(POLLIN | (c->out.len ? POLLOUT : 0))};
                role[n++] = i;
            } else {
                pfd[n] = (struct pollfd){.fd = c->in_fd, .events = POLLIN};
                role[n++] = i;
                if (c->out.len) {
                    pfd[n] = (struct pollfd){.fd = c->out_fd, .events = POLLOUT};
                    role[n++] = MAX_CLIENTS + i;
                }
            }
        }
        int r = poll(pfd, (nfds_t)n, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        for (int j = 0; j < n; j++) {
            short re = pfd[j].revents;
            if (!re)
                continue;
            int ro = role[j];
            if (ro == -1) {
                drain_signalfd();
                for (;;) {
                    int st;
                    pid_t w = waitpid(-1, &st, WNOHANG);
                    if (w <= 0)
                        break;
                    if (w == init_pid) {
                        init_status = st;
                        init_exited = 1;
                    }
                }
            } else if (ro == -2) {
                accept_clients();
            } else if (ro == -3) {
                if (re & POLLOUT)
                    container_stdin_flush();
                if (out_fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
                    pump_output(&out_fd, T_STDOUT);
            } else if (ro == -4) {
                if (err_fd >= 0)
                    pump_output(&err_fd, T_STDERR);
            } else if (ro == -5) {
                container_stdin_flush();
            } else if (ro >= MAX_CLIENTS) {
                if (clients[ro - MAX_CLIENTS])
                    client_flush(ro - MAX_CLIENTS);
            } else if (clients[ro]) {
                if (re & POLLOUT)
                    client_flush(ro);
                if (clients[ro] && (re & (POLLIN | POLLHUP | POLLERR)))
                    client_read(ro);
            }
        }
    }

    /* the container's init has exited */
    drain_outputs();
    /* done with the log: closed before anyone hears of the exit, so a removal that follows frees its space at once */
    if (log_fd >= 0) {
        close(log_fd);
        log_fd = -1;
    }
    int code = WIFEXITED(init_status) ? WEXITSTATUS(init_status)
               : WIFSIGNALED(init_status) ? 128 + WTERMSIG(init_status)
                                           : 255;
    int oom = oom_killed();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char text[96];
    snprintf(text, sizeof text, "%d %d %lld%09ld\n", code, oom, (long long)ts.tv_sec, (long)ts.tv_nsec);
    write_exit_file(text);
    /* frame payload without the trailing newline */
    broadcast('X', text, strlen(text) - 1);
    flush_clients_bounded(5000);
    sync_exit_file();

    if (!opt_exec_process) {
        char *argv_del[] = {(char *)opt_runtime, "--root", (char *)opt_runtime_root, "delete", "--force",
                            (char *)opt_id, NULL};
        int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
        pid_t dp = spawn(argv_del, dn, dn, dn);
        close(dn);
        for (;;) {
            int st;
            pid_t w = waitpid(-1, &st, 0);
            if (w == dp || (w < 0 && errno != EINTR))
                break;
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_drop(i);
    close(listen_fd);
    unlink(sock_path);
    if (log_fd >= 0)
        close(log_fd);
    return 0;
}
