#ifndef BULWARK_MONITOR_H
#define BULWARK_MONITOR_H
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
extern const char *opt_id, *opt_bundle, *opt_runtime, *opt_runtime_root, *opt_state_dir, *opt_log;
extern const char *opt_oom_cgroup;
extern const char *opt_exec_process;
extern long long opt_log_max_size;
extern int opt_log_max_file;
extern int opt_tty, opt_stdin;
/* state */
extern struct client *clients[MAX_CLIENTS];
extern int listen_fd;
extern int sig_fd;
extern int out_fd, err_fd;
extern int in_fd;
extern int pty_fd;
extern struct buf stdin_pending;
extern int stdin_close_requested;
extern int log_fd;
extern long long log_size;
/* the log cannot grow (ENOSPC/EDQUOT/EIO): records are dropped, output still drained; retried every second */
extern int log_failing;
extern int log_failures_reported;
extern struct timespec log_failed_at;
extern struct logstream log_out;
extern struct logstream log_err;
extern pid_t init_pid;
extern int started;

/* util.c, clients.c, log.c, process.c */
void diag(const char *fmt, ...);
void die(const char *what);
void *xrealloc(void *p, size_t n);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);
void set_nonblock(int fd);
char *path_join(const char *dir, const char *name);
void client_drop(int i);
void client_flush(int i);
void client_send(int i, unsigned char type, const void *data, size_t n);
void broadcast(unsigned char type, const void *data, size_t n);
void send_started(int i);
int client_add(int in, int out);
void container_stdin_close(void);
void container_stdin_flush(void);
void handle_frame(unsigned char type, const char *p, uint32_t n);
void client_read(int i);
void accept_clients(void);
void log_open(void);
void log_rotate(void);
size_t utf8_seq(const unsigned char *p, size_t n);
size_t utf8_incomplete_tail(const unsigned char *p, size_t n);
long ms_since(const struct timespec *t);
int log_paused(void);
void log_write(const char *data, size_t len);
void log_record(const char *stream, const unsigned char *p, size_t n, int newline);
void log_feed(struct logstream *ls, const char *data, size_t n);
void log_flush_partial(struct logstream *ls);
int pump_output(int *fdp, int stream);
void drain_outputs(void);
void reap_record(pid_t pid, int status);
int reaped_lookup(pid_t pid, int *status);
void drain_signalfd(void);
pid_t spawn(char *const argv[], int fd_in, int fd_out, int fd_err);
int recv_pty_master(int conn);
void read_all_nonblock(int fd, struct buf *b);
void runtime_log_errors(const char *path, struct buf *out);
void trim(struct buf *b);
long long read_oom_kill(const char *path);
int oom_killed(void);
void reserve_exit_file(void);
void drop_exit_reservation(void);
void write_exit_file(const char *text);
void sync_exit_file(void);
void write_pid_file(const char *name, pid_t pid);
int make_listener(const char *path);
void flush_clients_bounded(int ms_total);

#endif
