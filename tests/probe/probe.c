/*
 * Bulwark escape probe: runs named checks inside a container and prints one line per check:
 *   PROBE <name> BLOCKED|ESCAPED <detail>
 * BLOCKED means the container could not do what an escape needs; ESCAPED means it could.
 * Build: gcc -static -O2 -o probe probe.c   Usage: probe [name...]   (no name = every probe)
 * The probes only read, or write back values they just read; none changes the host.
 * PROBE_CAPS (hex, default 00000000000004fb) is the capability allowlist the caps probe expects.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <unistd.h>
#include <grp.h>

static void report(const char *name, int escaped, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void report(const char *name, int escaped, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("PROBE %s %s %s\n", name, escaped ? "ESCAPED" : "BLOCKED", detail);
    fflush(stdout);
}

static int status_field(const char *key, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t klen = strlen(key);
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *v = line + klen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = 0;
            snprintf(out, len, "%s", v);
            fclose(f);
            return 0;
        }
    }
    fclose(f);
    return -1;
}

static void probe_caps(void)
{
    char eff[64] = "?", bnd[64] = "?", prm[64] = "?";
    const char *want = getenv("PROBE_CAPS") ? getenv("PROBE_CAPS") : "00000000000004fb";
    status_field("CapEff", eff, sizeof eff);
    status_field("CapBnd", bnd, sizeof bnd);
    status_field("CapPrm", prm, sizeof prm);
    int ok = strtoull(eff, 0, 16) == strtoull(want, 0, 16) && strtoull(bnd, 0, 16) == strtoull(want, 0, 16);
    report("caps", !ok, "CapEff=%s CapPrm=%s CapBnd=%s allowlist=%s", eff, prm, bnd, want);
}

static void probe_seccomp(void)
{
    char v[32] = "?";
    status_field("Seccomp", v, sizeof v);
    report("seccomp", strcmp(v, "2") != 0, "Seccomp=%s", v);
}

static void probe_nnp(void)
{
    char v[32] = "?";
    status_field("NoNewPrivs", v, sizeof v);
    report("no-new-privs", strcmp(v, "1") != 0, "NoNewPrivs=%s", v);
}

static void probe_userns(void)
{
    FILE *f = fopen("/proc/self/uid_map", "r");
    unsigned long in, out, count;
    int host_root_mapped = 0, lines = 0;
    char first[128] = "";
    if (!f) {
        report("userns", 1, "cannot read uid_map: %s", strerror(errno));
        return;
    }
    while (fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
        if (lines++ == 0)
            snprintf(first, sizeof first, "%lu %lu %lu", in, out, count);
        if (out == 0 && count > 0)
            host_root_mapped = 1;
    }
    fclose(f);
    report("userns", host_root_mapped, "uid_map=\"%s\"%s", first, host_root_mapped ? " (host uid 0 is mapped)" : "");
}

static void probe_mount(void)
{
    mkdir("/tmp/.probe-mnt", 0700);
    if (mount("none", "/tmp/.probe-mnt", "tmpfs", 0, "size=16k") == 0) {
        umount2("/tmp/.probe-mnt", MNT_DETACH);
        report("mount", 1, "mount tmpfs succeeded");
    } else {
        report("mount", 0, "mount tmpfs: %s", strerror(errno));
    }
    rmdir("/tmp/.probe-mnt");
}

static void probe_unshare(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
    int st = 0;
    waitpid(pid, &st, 0);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    report("unshare-userns", code == 0, "unshare(CLONE_NEWUSER): %s", code == 0 ? "succeeded" : strerror(code));
}

static void probe_keyctl(void)
{
    /* KEYCTL_GET_KEYRING_ID (0) of the session keyring (-3), without creating one. */
    long r = syscall(SYS_keyctl, 0, -3, 0);
    int e = errno;
    int blocked = r < 0 && (e == EPERM || e == EACCES || e == ENOSYS);
    report("keyctl", !blocked, "keyctl: %s", r >= 0 ? "succeeded" : strerror(e));
}

static void probe_raw_socket(void)
{
    int s1 = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    int e1 = errno;
    int s2 = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    int e2 = errno;
    report("raw-socket", s1 >= 0 || s2 >= 0, "SOCK_RAW: %s; AF_PACKET: %s", s1 >= 0 ? "opened" : strerror(e1), s2 >= 0 ? "opened" : strerror(e2));
    if (s1 >= 0)
        close(s1);
    if (s2 >= 0)
        close(s2);
}

static void probe_mknod(void)
{
    const char *p = "/tmp/.probe-sda";
    unlink(p);
    if (mknod(p, S_IFBLK | 0600, makedev(8, 0)) == 0) {
        int fd = open(p, O_RDONLY);
        int e = errno;
        report("mknod", 1, "mknod b 8:0 succeeded; open: %s", fd >= 0 ? "opened" : strerror(e));
        if (fd >= 0)
            close(fd);
        unlink(p);
    } else {
        report("mknod", 0, "mknod b 8:0: %s", strerror(errno));
    }
}

static void probe_proc_sys(void)
{
    /* kernel.domainname is per UTS namespace: writing back its own value is harmless, and only works when /proc/sys is writable. */
    char buf[256] = "";
    int fd = open("/proc/sys/kernel/domainname", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        close(fd);
    }
    fd = open("/proc/sys/kernel/domainname", O_WRONLY);
    if (fd < 0) {
        report("write-proc-sys", 0, "open /proc/sys/kernel/domainname for writing: %s", strerror(errno));
        return;
    }
    ssize_t w = write(fd, buf, strlen(buf) ? strlen(buf) : 1);
    int e = errno;
    close(fd);
    report("write-proc-sys", w >= 0, "write /proc/sys/kernel/domainname: %s", w >= 0 ? "succeeded" : strerror(e));
}

/* Every cgroup (v1 or v2) filesystem under /sys/fs/cgroup must be read-only; the tmpfs holding them does not matter. */
static int cgroupfs_writable(char *which, size_t len)
{
    const char *base = "/sys/fs/cgroup";
    struct statfs sf;
    struct statvfs sv;
    DIR *d = opendir(base);
    struct dirent *e;
    int rw = 0;
    if (statfs(base, &sf) == 0 && (sf.f_type == 0x27e0eb || sf.f_type == 0x63677270) && statvfs(base, &sv) == 0 && !(sv.f_flag & ST_RDONLY)) {
        snprintf(which, len, "%s", base);
        rw = 1;
    }
    while (!rw && d && (e = readdir(d))) {
        char path[300];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        if (statfs(path, &sf) == 0 && (sf.f_type == 0x27e0eb || sf.f_type == 0x63677270) && statvfs(path, &sv) == 0 && !(sv.f_flag & ST_RDONLY)) {
            snprintf(which, len, "%s", path);
            rw = 1;
        }
    }
    if (d)
        closedir(d);
    return rw;
}

static void probe_sys(void)
{
    struct statvfs sv;
    char which[300] = "";
    int ro_sys = statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY);
    int ro_cg = !cgroupfs_writable(which, sizeof which);
    int fd = open("/sys/kernel/mm/ksm/run", O_WRONLY);
    int e = errno;
    if (fd >= 0)
        close(fd);
    report("write-sys", !ro_sys || !ro_cg || fd >= 0, "/sys %s, cgroup filesystems %s%s, open ksm/run for writing: %s",
           ro_sys ? "ro" : "rw", ro_cg ? "ro" : "rw at ", which, fd >= 0 ? "opened" : strerror(e));
}

/* The tmpfs that holds the v1 cgroup hierarchies (or the cgroup2 mount itself) must be read-only: a writable one
   lets the container create directories and mount points there. */
static void probe_cgroup_tmpfs(void)
{
    struct statvfs sv;
    int ro = statvfs("/sys/fs/cgroup", &sv) == 0 && (sv.f_flag & ST_RDONLY);
    int made = mkdir("/sys/fs/cgroup/.bulwark-probe", 0700);
    int e = errno;
    if (made == 0)
        rmdir("/sys/fs/cgroup/.bulwark-probe");
    report("write-cgroup-mount", !ro || made == 0, "/sys/fs/cgroup %s; mkdir in it: %s", ro ? "ro" : "rw", made == 0 ? "succeeded" : strerror(e));
}

/* socket() of address families a container has no business with: AF_VSOCK is a channel to the hypervisor host that
   ignores "--network none"; AF_ALG is the kernel crypto API; the rest are rarely used protocol stacks with a history of
   kernel bugs. Each must fail with EPERM (the seccomp filter), not reach the kernel. */
struct family {
    const char *name;
    int domain;
    int type;
};

static const struct family unusual_families[] = {
    {"AF_ALG", 38, SOCK_SEQPACKET},   {"AF_KCM", 41, SOCK_DGRAM},      {"AF_TIPC", 30, SOCK_RDM},
    {"AF_RDS", 21, SOCK_SEQPACKET},   {"AF_BLUETOOTH", 31, SOCK_RAW},  {"AF_CAN", 29, SOCK_RAW},
    {"AF_XDP", 44, SOCK_RAW},         {"AF_SMC", 43, SOCK_STREAM},     {"AF_QIPCRTR", 42, SOCK_DGRAM},
    {"AF_NFC", 39, SOCK_DGRAM},       {"AF_KEY", 15, SOCK_RAW},        {"AF_LLC", 26, SOCK_DGRAM},
    {"AF_PHONET", 35, SOCK_DGRAM},    {"AF_IEEE802154", 36, SOCK_DGRAM}, {"AF_RXRPC", 33, SOCK_DGRAM},
    {"AF_PPPOX", 24, SOCK_STREAM},    {"AF_X25", 9, SOCK_SEQPACKET},   {"AF_AX25", 3, SOCK_SEQPACKET},
    {"AF_APPLETALK", 5, SOCK_DGRAM},  {"AF_ATMPVC", 8, SOCK_DGRAM},    {"AF_MCTP", 45, SOCK_DGRAM},
};

static void probe_vsock(void)
{
    int s = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
    int e = errno;
    if (s >= 0)
        close(s);
    /* Anything but EPERM means the call got past the filter (EAFNOSUPPORT only because this kernel lacks vsock). */
    report("vsock-socket", s >= 0 || e != EPERM, "socket(AF_VSOCK): %s", s >= 0 ? "opened" : strerror(e));
}

static void probe_socket_families(void)
{
    char detail[480] = "";
    size_t used = 0;
    int escaped = 0;
    for (size_t i = 0; i < sizeof unusual_families / sizeof unusual_families[0]; i++) {
        int s = socket(unusual_families[i].domain, unusual_families[i].type, 0);
        int e = errno;
        if (s >= 0)
            close(s);
        /* EPERM is the filter; any other answer means the call reached the kernel. */
        if (s >= 0 || e != EPERM)
            escaped = 1;
        const char *what = s >= 0 ? "OPENED" : e == EPERM ? "eperm" : "kernel";
        used += snprintf(detail + used, used < sizeof detail ? sizeof detail - used : 0, "%s%s=%s", i ? " " : "", unusual_families[i].name + 3, what);
    }
    report("socket-families", escaped, "%s", detail);
}

static void probe_module(void)
{
    long r1 = syscall(SYS_init_module, NULL, 0, "");
    int e1 = errno;
    long r2 = syscall(SYS_finit_module, -1, "", 0);
    int e2 = errno;
    /* EPERM (no CAP_SYS_MODULE, or seccomp) and ENOSYS (kernel without module support) are blocked;
       anything else means the kernel got as far as looking at the arguments. */
    int escaped = (r1 == 0 || (e1 != EPERM && e1 != ENOSYS)) || (r2 == 0 || (e2 != EPERM && e2 != ENOSYS));
    report("load-module", escaped, "init_module: %s; finit_module: %s", r1 == 0 ? "ok" : strerror(e1), r2 == 0 ? "ok" : strerror(e2));
}

static void probe_read(const char *name, const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        report(name, 0, "open %s: %s", path, strerror(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    report(name, n > 0, "read %s: %s", path, n > 0 ? "got data" : n == 0 ? "empty (masked)" : strerror(e));
}

/* CVE-2022-0492: mount a cgroup v1 hierarchy (directly, or after unshare -UrmC) and write its release_agent. */
static int try_release_agent(void)
{
    const char *dir = "/tmp/.probe-cg";
    const char *ctrls[] = {"rdma", "memory", "pids", "cpu", NULL};
    mkdir(dir, 0700);
    for (int i = 0; ctrls[i]; i++) {
        if (mount("cgroup", dir, "cgroup", 0, ctrls[i]) != 0)
            continue;
        char path[128], cur[4096] = "";
        snprintf(path, sizeof path, "%s/release_agent", dir);
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            ssize_t n = read(fd, cur, sizeof cur - 1);
            cur[n > 0 ? n : 0] = 0;
            close(fd);
        }
        fd = open(path, O_WRONLY);
        ssize_t w = -1;
        if (fd >= 0) {
            /* write back the current value: proves write access without changing anything */
            w = write(fd, strlen(cur) ? cur : "\n", strlen(cur) ? strlen(cur) : 1);
            close(fd);
        }
        umount2(dir, MNT_DETACH);
        if (w >= 0)
            return 0;
        return EPERM;
    }
    return errno ? errno : EPERM;
}

static void probe_release_agent(void)
{
    int direct = try_release_agent();
    int nested = -1;
    pid_t pid = fork();
    if (pid == 0) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) != 0)
            _exit(errno);
        int fd = open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) {
            (void)!write(fd, "deny", 4);
            close(fd);
        }
        fd = open("/proc/self/uid_map", O_WRONLY);
        if (fd >= 0) {
            (void)!write(fd, "0 0 1", 5);
            close(fd);
        }
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
        _exit(try_release_agent());
    }
    int st = 0;
    waitpid(pid, &st, 0);
    nested = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    report("cgroup-release-agent", direct == 0 || nested == 0, "direct: %s; after unshare -UrmC: %s",
           direct == 0 ? "release_agent writable" : strerror(direct), nested == 0 ? "release_agent writable" : strerror(nested));
    rmdir("/tmp/.probe-cg");
}

/* CVE-2019-5736: the host runtime binary must not be writable through /proc/<pid>/exe. */
static void probe_proc_exe(void)
{
    const char *targets[] = {"/proc/self/exe", "/proc/1/exe"};
    int escaped = 0;
    char detail[400] = "";
    for (int i = 0; i < 2; i++) {
        int fd = open(targets[i], O_WRONLY | O_APPEND);
        int e = errno;
        char buf[200];
        snprintf(buf, sizeof buf, "%s%s for writing: %s", i ? "; " : "", targets[i], fd >= 0 ? "opened" : strerror(e));
        strncat(detail, buf, sizeof detail - strlen(detail) - 1);
        if (fd >= 0) {
            escaped = 1;
            close(fd);
        }
    }
    report("proc-exe-overwrite", escaped, "%s", detail);
}

/* CVE-2024-21626: no inherited fd may point at a host directory, and the working directory must be inside the rootfs. */
static void probe_leaked_fds(void)
{
    char cwd[4096];
    int cwd_ok = getcwd(cwd, sizeof cwd) != NULL && cwd[0] == '/';
    char leaked[512] = "";
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int leaks = 0;
    while (d && (e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
            continue;
        struct stat st;
        char link[256], path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, link, sizeof link - 1);
        link[n > 0 ? n : 0] = 0;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            leaks++;
            char buf[300];
            snprintf(buf, sizeof buf, " fd%d=%s", fd, link);
            strncat(leaked, buf, sizeof leaked - strlen(leaked) - 1);
        }
    }
    if (d)
        closedir(d);
    report("leaked-fds-cwd", !cwd_ok || leaks > 0, "cwd=%s leaked-dir-fds=%d%s", cwd_ok ? cwd : "(outside the root)", leaks, leaked);
}

/* A setuid-root binary run by an unprivileged user must not raise privileges (no-new-privileges). */
static void probe_setuid(void)
{
    const char *suid = "/probe-suid";
    struct stat st;
    if (stat(suid, &st) != 0 || !(st.st_mode & S_ISUID)) {
        report("setuid", 0, "n/a: %s is not a setuid binary in this image", suid);
        return;
    }
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        report("setuid", 0, "pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        if (getuid() == 0 && setresgid(65534, 65534, 65534) == 0 && setgroups(0, NULL) == 0 && setresuid(65534, 65534, 65534) != 0)
            _exit(2);
        if (getuid() == 0)
            _exit(3);
        execl(suid, suid, "euid", (char *)NULL);
        _exit(4);
    }
    close(pipefd[1]);
    char buf[64] = "";
    ssize_t n = read(pipefd[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    close(pipefd[0]);
    int st2 = 0;
    waitpid(pid, &st2, 0);
    if (n <= 0) {
        report("setuid", 0, "could not run %s as uid 65534 (exit %d)", suid, WIFEXITED(st2) ? WEXITSTATUS(st2) : -1);
        return;
    }
    report("setuid", atoi(buf) == 0, "uid 65534 ran setuid-root %s: euid=%s", suid, buf);
}

/*
 * The 32-bit syscall ABI (int 0x80 from a 64-bit process enters the ia32 table): a second, older kernel entry path
 * with its own history of escapes. A child calls ia32 getpid (nr 20); it escapes if the kernel answers with its pid.
 */
static void probe_compat_syscall(void)
{
#if defined(__x86_64__)
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        report("compat-32bit-syscall", 0, "pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%ld %d", r, (int)getpid());
        ssize_t w = write(pipefd[1], buf, (size_t)n);
        (void)w;
        _exit(0);
    }
    close(pipefd[1]);
    char buf[64] = "";
    ssize_t n = read(pipefd[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    close(pipefd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) {
        report("compat-32bit-syscall", 0, "int 0x80 getpid: child killed by signal %d", WTERMSIG(st));
        return;
    }
    long r = 0, mine = 0;
    if (sscanf(buf, "%ld %ld", &r, &mine) != 2) {
        report("compat-32bit-syscall", 0, "int 0x80 getpid: no answer (status %d)", st);
        return;
    }
    report("compat-32bit-syscall", r == mine, "int 0x80 getpid returned %ld (pid %ld)%s", r, mine,
           r < 0 ? (r == -EPERM ? " EPERM" : r == -ENOSYS ? " ENOSYS" : "") : "");
#else
    report("compat-32bit-syscall", 0, "not an x86_64 build: no ia32 entry to probe");
#endif
}

struct probe {
    const char *name;
    void (*fn)(void);
};

static void kcore(void) { probe_read("read-kcore", "/proc/kcore"); }
static void keys(void) { probe_read("read-keys", "/proc/keys"); }

static const struct probe probes[] = {
    {"caps", probe_caps},
    {"seccomp", probe_seccomp},
    {"no-new-privs", probe_nnp},
    {"userns", probe_userns},
    {"mount", probe_mount},
    {"unshare-userns", probe_unshare},
    {"keyctl", probe_keyctl},
    {"raw-socket", probe_raw_socket},
    {"mknod", probe_mknod},
    {"write-proc-sys", probe_proc_sys},
    {"write-sys", probe_sys},
    {"load-module", probe_module},
    {"read-kcore", kcore},
    {"read-keys", keys},
    {"cgroup-release-agent", probe_release_agent},
    {"proc-exe-overwrite", probe_proc_exe},
    {"leaked-fds-cwd", probe_leaked_fds},
    {"setuid", probe_setuid},
    {"write-cgroup-mount", probe_cgroup_tmpfs},
    {"vsock-socket", probe_vsock},
    {"socket-families", probe_socket_families},
    {"compat-32bit-syscall", probe_compat_syscall},
};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "euid") == 0) {
        printf("%d\n", (int)geteuid());
        return 0;
    }
    size_t n = sizeof probes / sizeof probes[0];
    if (argc == 1) {
        for (size_t i = 0; i < n; i++)
            probes[i].fn();
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        size_t i;
        for (i = 0; i < n; i++) {
            if (strcmp(argv[a], probes[i].name) == 0) {
                probes[i].fn();
                break;
            }
        }
        if (i == n) {
            fprintf(stderr, "probe: unknown probe %s\n", argv[a]);
            return 2;
        }
    }
    return 0;
}
