/* dup, dup2, dup3, fcntl (fd flags, status flags, F_DUPFD*, record locks incl. OFD locks) and flock.
 * Descriptor numbers are printed: a WALI program gets the lowest free descriptor, as natively
 * (the runtime keeps no hidden descriptors at low numbers, WALI-ABI.md §16.27). */
#include "wali_test.h"

/* fcntl commands not in wali.h (x86_64 Linux values) */
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_GET_RW_HINT 1035
#define F_SET_RW_HINT 1036
#define RWH_WRITE_LIFE_SHORT 2

static void show_lock(const char *what, long long r, const struct wali_flock *fl) {
    print(what);
    print(": r=");
    print_int(r);
    if (r == 0) {
        print(" type=");
        print_int(fl->l_type);
        print(" whence=");
        print_int(fl->l_whence);
        print(" start=");
        print_int(fl->l_start);
        print(" len=");
        print_int(fl->l_len);
        print(" pid_kind=");
        /* l_pid: -1 for OFD locks, else the owner's pid (differs between runs: print its sign) */
        print_int(fl->l_pid < 0 ? -1 : fl->l_pid > 0 ? 1 : 0);
    }
    print("\n");
}

static unsigned long long ptr_arg(void *p) { return (unsigned long long)(uintptr_t)p; }

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    put_file("f.txt", "0123456789");
    long long fd = MUST(wali_sys_open("f.txt", O_RDWR, 0));
    say("first_fd", fd);

    /* dup: lowest free descriptor; shares the offset */
    long long d1 = wali_sys_dup((int)fd);
    say("dup", d1);
    SAY(wali_sys_lseek((int)fd, 4, SEEK_SET));
    SAY(wali_sys_lseek((int)d1, 0, SEEK_CUR));
    SAY(wali_sys_dup(-1));
    SAY(wali_sys_dup(9999));
    MUST(wali_sys_close((int)d1));

    /* dup2: same fd, explicit target (replacing an open one), bad fds */
    SAY(wali_sys_dup2((int)fd, (int)fd));
    SAY(wali_sys_dup2((int)fd, 40));
    SAY(wali_sys_fcntl(40, F_GETFD, 0));
    long long other = MUST(wali_sys_open("f.txt", O_RDONLY, 0));
    SAY(wali_sys_dup2((int)other, 40)); /* replaces 40 silently */
    SAY(wali_sys_fcntl(40, F_GETFL, 0) & O_ACCMODE);
    SAY(wali_sys_dup2(-1, 41));
    SAY(wali_sys_dup2(77, 77));
    SAY(wali_sys_dup2((int)fd, -1));
    SAY(wali_sys_dup2((int)fd, 1 << 30));
    MUST(wali_sys_close(40));
    MUST(wali_sys_close((int)other));

    /* dup3: O_CLOEXEC, same fd is an error, bad flags */
    SAY(wali_sys_dup3((int)fd, 42, O_CLOEXEC));
    SAY(wali_sys_fcntl(42, F_GETFD, 0));
    SAY(wali_sys_dup3((int)fd, 43, 0));
    SAY(wali_sys_fcntl(43, F_GETFD, 0));
    SAY(wali_sys_dup3((int)fd, (int)fd, 0));
    SAY(wali_sys_dup3((int)fd, 44, O_NONBLOCK));
    SAY(wali_sys_dup3(-1, 44, 0));
    MUST(wali_sys_close(42));
    MUST(wali_sys_close(43));

    /* fcntl: descriptor flags */
    SAY(wali_sys_fcntl((int)fd, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)fd, F_SETFD, FD_CLOEXEC));
    SAY(wali_sys_fcntl((int)fd, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)fd, F_SETFD, 0));
    SAY(wali_sys_fcntl((int)fd, F_GETFD, 0));
    /* status flags */
    SAY(wali_sys_fcntl((int)fd, F_GETFL, 0) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    SAY(wali_sys_fcntl((int)fd, F_SETFL, O_APPEND | O_NONBLOCK));
    SAY(wali_sys_fcntl((int)fd, F_GETFL, 0) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    SAY(wali_sys_write((int)fd, "A", 1));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_CUR)); /* appended at 10 → offset 11 */
    SAY(wali_sys_fcntl((int)fd, F_SETFL, 0));
    SAY(wali_sys_fcntl((int)fd, F_GETFL, 0) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    /* F_DUPFD / F_DUPFD_CLOEXEC: lowest free >= arg */
    SAY(wali_sys_fcntl((int)fd, F_DUPFD, 20));
    SAY(wali_sys_fcntl((int)fd, F_DUPFD, 20));
    SAY(wali_sys_fcntl((int)fd, F_DUPFD_CLOEXEC, 20));
    SAY(wali_sys_fcntl(22, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)fd, F_DUPFD, -1));
    MUST(wali_sys_close(20));
    MUST(wali_sys_close(21));
    MUST(wali_sys_close(22));
    /* F_SETPIPE_SZ takes an integer, F_SET_RW_HINT / F_GET_RW_HINT a pointer to a u64 */
    int pp[2];
    MUST(wali_sys_pipe(pp));
    SAY(wali_sys_fcntl(pp[0], F_SETPIPE_SZ, 8192));
    SAY(wali_sys_fcntl(pp[1], F_GETPIPE_SZ, 0));
    MUST(wali_sys_close(pp[0]));
    MUST(wali_sys_close(pp[1]));
    uint64_t hint = RWH_WRITE_LIFE_SHORT, got_hint = 99;
    SAY(wali_sys_fcntl((int)fd, F_SET_RW_HINT, ptr_arg(&hint)));
    SAY(wali_sys_fcntl((int)fd, F_GET_RW_HINT, ptr_arg(&got_hint)));
    SAY(got_hint);
    hint = 1000; /* invalid hint */
    SAY(wali_sys_fcntl((int)fd, F_SET_RW_HINT, ptr_arg(&hint)));
    SAY(wali_sys_fcntl((int)fd, F_GET_RW_HINT, ptr_arg(BAD_PTR)));

    /* errors */
    SAY(wali_sys_fcntl(-1, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)fd, 9999, 0));

    /* POSIX record locks: the owner sees no conflict with its own lock */
    struct wali_flock fl;
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 2;
    fl.l_len = 3;
    SAY(wali_sys_fcntl((int)fd, F_SETLK, ptr_arg(&fl)));
    SAY(wali_sys_fcntl((int)fd, F_SETLKW, ptr_arg(&fl)));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_len = 0;
    show_lock("getlk own", wali_sys_fcntl((int)fd, F_GETLK, ptr_arg(&fl)), &fl);
    fl.l_type = 7; /* invalid type */
    show_lock("setlk bad type", wali_sys_fcntl((int)fd, F_SETLK, ptr_arg(&fl)), &fl);
    SAY(wali_sys_fcntl((int)fd, F_GETLK, ptr_arg(BAD_PTR)));
    SAY(wali_sys_fcntl((int)fd, F_SETLK, 0));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_UNLCK;
    SAY(wali_sys_fcntl((int)fd, F_SETLK, ptr_arg(&fl)));

    /* OFD locks belong to the open file description: a second open() conflicts */
    long long fd2 = MUST(wali_sys_open("f.txt", O_RDWR, 0));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_start = 5;
    fl.l_len = 2;
    SAY(wali_sys_fcntl((int)fd, F_OFD_SETLK, ptr_arg(&fl)));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_RDLCK;
    show_lock("ofd getlk other", wali_sys_fcntl((int)fd2, F_OFD_GETLK, ptr_arg(&fl)), &fl);
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_RDLCK;
    fl.l_start = 6;
    fl.l_len = 1;
    SAY(wali_sys_fcntl((int)fd2, F_OFD_SETLK, ptr_arg(&fl)));
    fl.l_start = 7;
    SAY(wali_sys_fcntl((int)fd2, F_OFD_SETLK, ptr_arg(&fl)));
    fl.l_pid = 1; /* OFD locks need l_pid == 0 */
    SAY(wali_sys_fcntl((int)fd2, F_OFD_SETLKW, ptr_arg(&fl)));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_UNLCK;
    SAY(wali_sys_fcntl((int)fd, F_OFD_SETLK, ptr_arg(&fl)));
    wali_memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    show_lock("ofd getlk after unlock", wali_sys_fcntl((int)fd, F_OFD_GETLK, ptr_arg(&fl)), &fl);

    /* flock: a second open file description conflicts; shared locks do not */
    SAY(wali_sys_flock((int)fd, LOCK_EX));
    SAY(wali_sys_flock((int)fd2, LOCK_EX | LOCK_NB));
    SAY(wali_sys_flock((int)fd2, LOCK_SH | LOCK_NB));
    SAY(wali_sys_flock((int)fd, LOCK_SH));
    SAY(wali_sys_flock((int)fd2, LOCK_SH | LOCK_NB));
    SAY(wali_sys_flock((int)fd, LOCK_UN));
    SAY(wali_sys_flock((int)fd2, LOCK_UN));
    SAY(wali_sys_flock((int)fd2, LOCK_EX | LOCK_NB));
    SAY(wali_sys_flock((int)fd2, LOCK_UN));
    SAY(wali_sys_flock((int)fd, 0));
    SAY(wali_sys_flock((int)fd, LOCK_SH | LOCK_EX));
    SAY(wali_sys_flock(-1, LOCK_EX));

    MUST(wali_sys_close((int)fd2));
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_dup((int)fd));
    SAY(wali_sys_fcntl((int)fd, F_GETFD, 0));
    MUST(wali_sys_unlink("f.txt"));
    return 0;
}
