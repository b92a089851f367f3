/* bulwark-monitor: the container's output as a Docker json-file log (rotation, partial records) */
#include "monitor.h"


/* ---------------------------------------------------------------- json log */

void log_open(void)
{
    log_fd = open(opt_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        diag("bulwark-monitor: open log %s: %s", opt_log, strerror(errno));
        return;
    }
    struct stat st;
    log_size = fstat(log_fd, &st) == 0 ? (long long)st.st_size : 0;
}

void log_rotate(void)
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
size_t utf8_seq(const unsigned char *p, size_t n)
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
size_t utf8_incomplete_tail(const unsigned char *p, size_t n)
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

int log_paused(void)
{
    return log_failing && ms_since(&log_failed_at) < 1000;
}

/*
 * Appends one whole record. A write that fails (a full disk) never blocks and never leaves half a record: a short
 * write is cut off again, the record is dropped, and the container's output keeps being drained, so the container
 * never stalls on a full pipe and stop, kill and rm work as on a disk with space.
 */
void log_write(const char *data, size_t len)
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

void log_record(const char *stream, const unsigned char *p, size_t n, int newline)
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

void log_feed(struct logstream *ls, const char *data, size_t n)
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

void log_flush_partial(struct logstream *ls)
{
    if (ls->len > 0) {
        log_record(ls->name, (unsigned char *)ls->line, ls->len, 0);
        ls->len = 0;
    }
}

/* --------------------------------------------------------- container output */

/* returns 0 when the fd reached EOF / error (and was closed), 1 otherwise */
int pump_output(int *fdp, int stream)
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

void drain_outputs(void)
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

