/* bulwark-monitor: connected clients (the daemon, attach sessions): frames in and out */
#include "monitor.h"

/* ------------------------------------------------------------------ clients */

void client_drop(int i)
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

void client_flush(int i)
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

void client_send(int i, unsigned char type, const void *data, size_t n)
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

void broadcast(unsigned char type, const void *data, size_t n)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_send(i, type, data, n);
}

void send_started(int i)
{
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d", (int)init_pid);
    client_send(i, 'P', pid, (size_t)n);
}

int client_add(int in, int out)
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

void container_stdin_close(void)
{
    if (in_fd < 0)
        return;
    if (opt_tty)
        return; /* the pty is shared with output; nothing to close */
    close(in_fd);
    in_fd = -1;
    buf_free(&stdin_pending);
}

void container_stdin_flush(void)
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

void handle_frame(unsigned char type, const char *p, uint32_t n)
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

void client_read(int i)
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

void accept_clients(void)
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

int make_listener(const char *path)
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
void flush_clients_bounded(int ms_total)
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


int recv_pty_master(int conn)
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
