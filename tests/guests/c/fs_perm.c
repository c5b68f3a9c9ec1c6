/* umask, chmod, fchmod, fchmodat, chown, fchown, fchownat, utimensat in the current (fresh) directory.
 * Ownership changes go to root (uid/gid 0) and to "no change" (-1): both work as root, and as a user
 * the results print the same in both builds. Removes what it creates. */
#include "wali_test.h"

static struct wali_stat st;

static void mode(const char *path) {
    long long r = wali_sys_lstat(path, &st);
    print("mode ");
    print(path);
    print("=");
    if (r < 0)
        print_int(r);
    else
        print_hex(st.st_mode & 07777);
    print("\n");
}

static void owner(const char *path) {
    long long r = wali_sys_lstat(path, &st);
    print("owner ");
    print(path);
    print("=");
    if (r < 0) {
        print_int(r);
    } else {
        print_int(st.st_uid == (uint32_t)wali_sys_geteuid());
        print(",");
        print_int(st.st_gid == (uint32_t)wali_sys_getegid());
    }
    print("\n");
}

static void times(const char *path) {
    long long r = wali_sys_lstat(path, &st);
    print("times ");
    print(path);
    print("=");
    if (r < 0) {
        print_int(r);
    } else {
        print_int(st.st_atim.tv_sec);
        print(".");
        print_int(st.st_atim.tv_nsec);
        print(" ");
        print_int(st.st_mtim.tv_sec);
        print(".");
        print_int(st.st_mtim.tv_nsec);
    }
    print("\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    /* umask: returns the old mask, applies to creation modes */
    long long old = wali_sys_umask(022);
    say("umask_initial_is_022", old == 022); /* the test runs with 022; print the fact, not the value */
    SAY(wali_sys_umask(077));
    long long fd = MUST(wali_sys_open("f077", O_CREAT | O_WRONLY, 0777));
    MUST(wali_sys_close((int)fd));
    MUST(wali_sys_mkdir("d077", 0777));
    mode("f077");
    mode("d077");
    SAY(wali_sys_umask(0));
    fd = MUST(wali_sys_open("f000", O_CREAT | O_WRONLY, 0777));
    mode("f000");
    SAY(wali_sys_umask(0123456)); /* only 0777 bits are kept */
    SAY(wali_sys_umask(022));

    /* chmod / fchmod / fchmodat */
    SAY(wali_sys_chmod("f077", 0644));
    mode("f077");
    SAY(wali_sys_chmod("f077", 04755 | 01000));
    mode("f077");
    SAY(wali_sys_chmod("missing", 0644));
    SAY(wali_sys_chmod(BAD_PTR, 0644));
    SAY(wali_sys_fchmod((int)fd, 0600));
    mode("f000");
    SAY(wali_sys_fchmod(-1, 0600));
    MUST(wali_sys_symlink("f000", "ln"));
    SAY(wali_sys_chmod("ln", 0640)); /* follows the link */
    mode("f000");
    long long dfd = MUST(wali_sys_open("d077", O_RDONLY | O_DIRECTORY, 0));
    put_file("d077/in", "x");
    SAY(wali_sys_fchmodat((int)dfd, "in", 0604, 0));
    mode("d077/in");
    SAY(wali_sys_fchmodat(AT_FDCWD, "d077", 0755, 0));
    mode("d077");
    SAY(wali_sys_fchmodat(AT_FDCWD, "nope", 0755, 0));
    SAY(wali_sys_fchmodat(-4, "in", 0755, 0));
    SAY(wali_sys_fchmodat(AT_FDCWD, "f000", 0755, 0x1)); /* bad flags */

    /* chown / fchown / fchownat */
    owner("f000");
    SAY(wali_sys_chown("f000", (unsigned)-1, (unsigned)-1));
    SAY(wali_sys_chown("f000", 0, 0) == 0 || wali_sys_geteuid() != 0);
    SAY(wali_sys_chown("missing", 0, 0));
    SAY(wali_sys_chown(BAD_PTR, 0, 0));
    SAY(wali_sys_fchown((int)fd, (unsigned)-1, (unsigned)-1));
    SAY(wali_sys_fchown((int)fd, (unsigned)wali_sys_geteuid(), (unsigned)wali_sys_getegid()));
    owner("f000");
    SAY(wali_sys_fchown(-1, 0, 0));
    SAY(wali_sys_fchownat((int)dfd, "in", (unsigned)-1, (unsigned)wali_sys_getegid(), 0));
    SAY(wali_sys_fchownat(AT_FDCWD, "ln", (unsigned)wali_sys_geteuid(), (unsigned)-1, AT_SYMLINK_NOFOLLOW));
    owner("ln");
    SAY(wali_sys_fchownat((int)fd, "", (unsigned)-1, (unsigned)-1, AT_EMPTY_PATH));
    SAY(wali_sys_fchownat(AT_FDCWD, "nope", 0, 0, 0));
    SAY(wali_sys_fchownat(AT_FDCWD, "f000", 0, 0, 0x1)); /* bad flags */
    SAY(wali_sys_fchownat(-4, "in", 0, 0, 0));

    /* utimensat: explicit times, UTIME_OMIT, UTIME_NOW, by fd (NULL path), symlink itself */
    struct wali_timespec ts[2] = {{1000000000, 111}, {1500000000, 222222222}};
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", ts, 0));
    times("f077");
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 1600000000;
    ts[1].tv_nsec = 5;
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", ts, 0));
    times("f077");
    struct wali_timespec both[2] = {{1700000000, 0}, {1700000001, 1}};
    SAY(wali_sys_utimensat((int)fd, 0, both, 0));
    times("f000");
    SAY(wali_sys_utimensat((int)dfd, "in", both, 0));
    times("d077/in");
    struct wali_timespec lts[2] = {{1200000000, 0}, {1200000000, 7}};
    SAY(wali_sys_utimensat(AT_FDCWD, "ln", lts, AT_SYMLINK_NOFOLLOW));
    times("ln");
    times("f000");
    struct wali_timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", now, 0));
    MUST(wali_sys_lstat("f077", &st));
    say("utime_now_recent", st.st_mtim.tv_sec > 1700000000);
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", 0, 0)); /* NULL times: now */
    struct wali_timespec bad[2] = {{0, 1000000000}, {0, 0}};
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", bad, 0));
    SAY(wali_sys_utimensat(AT_FDCWD, "nope", ts, 0));
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", ts, 0x1)); /* bad flags */
    SAY(wali_sys_utimensat(AT_FDCWD, "f077", BAD_PTR, 0));
    SAY(wali_sys_utimensat(-1, 0, ts, 0));

    MUST(wali_sys_close((int)fd));
    MUST(wali_sys_close((int)dfd));
    MUST(wali_sys_unlink("d077/in"));
    MUST(wali_sys_rmdir("d077"));
    MUST(wali_sys_unlink("ln"));
    MUST(wali_sys_unlink("f000"));
    MUST(wali_sys_unlink("f077"));
    return 0;
}
