/* bulwark-monitor: diagnostics, buffers, paths */
#include "monitor.h"


void diag(const char *fmt, ...)
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

void die(const char *what)
{
    diag("bulwark-monitor: %s: %s", what, strerror(errno));
    exit(1);
}

void *xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n);
    if (r == NULL && n != 0) {
        diag("bulwark-monitor: out of memory");
        exit(1);
    }
    return r;
}

void buf_append(struct buf *b, const void *data, size_t n)
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

void buf_consume(struct buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    if (b->len == 0 && b->cap > 65536) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xrealloc(NULL, n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}


long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* while the log cannot grow, records are skipped (not even encoded) and a write is tried again once a second */

void read_all_nonblock(int fd, struct buf *b)
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


void trim(struct buf *b)
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
