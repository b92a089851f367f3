/* bulwark-monitor: options, start of the runtime and the event loop until the container exits (see monitor.h). */
#include "monitor.h"

/* options */
const char *opt_id, *opt_bundle, *opt_runtime, *opt_runtime_root, *opt_state_dir, *opt_log;
const char *opt_oom_cgroup;
const char *opt_exec_process; /* exec mode: run this process.json in the running container */
long long opt_log_max_size = -1;
int opt_log_max_file = 1;
int opt_tty, opt_stdin;

/* state */
struct client *clients[MAX_CLIENTS];
int listen_fd = -1;
int sig_fd = -1;
int out_fd = -1, err_fd = -1; /* container output (pty master in out_fd for tty) */
int in_fd = -1;               /* container stdin (pipe write end or pty master) */
int pty_fd = -1;
struct buf stdin_pending;
int stdin_close_requested;
int log_fd = -1;
long long log_size;
/* the log cannot grow (ENOSPC/EDQUOT/EIO): records are dropped, output still drained; retried every second */
int log_failing;
int log_failures_reported; /* diagnostics go to the daemon, which keeps them: say it once, not per record */
struct timespec log_failed_at;
struct logstream log_out = {.name = "stdout"};
struct logstream log_err = {.name = "stderr"};
pid_t init_pid = -1;
int started;

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

