/* stat, fstat, lstat, newfstatat, statx on a file, a directory and a symlink in the current (fresh)
 * directory. Prints sizes, types, permission bits and link counts (not inodes, devices or times,
 * except times the guest set itself). Removes what it creates. */
#include "wali_test.h"

#define STATX_NLINK 4
#define STATX__RESERVED 0x80000000u

static void show(const char *what, long long r, const struct wali_stat *st) {
    print(what);
    print(": r=");
    print_int(r);
    if (r == 0) {
        print(" size=");
        print_int(st->st_size);
        print(" type=");
        print_hex(st->st_mode & S_IFMT);
        print(" perm=");
        print_hex(st->st_mode & 07777);
        print(" nlink=");
        print_uint(st->st_nlink);
        print(" blksize_ok=");
        print_int(st->st_blksize > 0);
        print(" pad0=");
        print_int(st->__pad0);
    }
    print("\n");
}

static void showx(const char *what, long long r, const struct wali_statx *sx) {
    print(what);
    print(": r=");
    print_int(r);
    if (r == 0) {
        print(" has_size=");
        print_int((sx->stx_mask & STATX_SIZE) != 0);
        print(" has_type=");
        print_int((sx->stx_mask & STATX_TYPE) != 0);
        print(" size=");
        print_uint(sx->stx_size);
        print(" type=");
        print_hex(sx->stx_mode & S_IFMT);
        print(" perm=");
        print_hex(sx->stx_mode & 07777);
        print(" nlink=");
        print_uint(sx->stx_nlink);
    }
    print("\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static struct wali_stat st, st2;
    static struct wali_statx sx;

    put_file("f.txt", "12345");
    MUST(wali_sys_chmod("f.txt", 0640));
    MUST(wali_sys_mkdir("d", 0751));
    MUST(wali_sys_symlink("f.txt", "ln"));
    MUST(wali_sys_symlink("nowhere", "dangling"));

    /* stat / lstat follow or not */
    wali_memset(&st, 0xAB, sizeof st);
    show("stat f.txt", wali_sys_stat("f.txt", &st), &st);
    uint64_t ino = st.st_ino, dev = st.st_dev;
    show("stat d", wali_sys_stat("d", &st), &st);
    show("stat ln", wali_sys_stat("ln", &st), &st);
    say("stat_ln_same_inode", st.st_ino == ino && st.st_dev == dev);
    show("lstat ln", wali_sys_lstat("ln", &st), &st);
    say("lstat_ln_other_inode", st.st_ino != ino);
    show("lstat f.txt", wali_sys_lstat("f.txt", &st), &st);
    show("stat dangling", wali_sys_stat("dangling", &st), &st);
    show("lstat dangling", wali_sys_lstat("dangling", &st), &st);
    show("stat missing", wali_sys_stat("missing", &st), &st);
    show("stat f.txt/x", wali_sys_stat("f.txt/x", &st), &st);
    SAY(wali_sys_stat("f.txt", BAD_PTR));
    SAY(wali_sys_stat(BAD_PTR, &st));
    SAY(wali_sys_lstat("ln", BAD_PTR));
    SAY(wali_sys_stat("", &st));

    /* fstat on a file, a directory, a pipe, a bad fd */
    long long fd = MUST(wali_sys_open("f.txt", O_RDONLY, 0));
    show("fstat f.txt", wali_sys_fstat((int)fd, &st), &st);
    say("fstat_same_inode", st.st_ino == ino);
    SAY(wali_sys_fstat((int)fd, BAD_PTR));
    long long dfd = MUST(wali_sys_open("d", O_RDONLY | O_DIRECTORY, 0));
    show("fstat d", wali_sys_fstat((int)dfd, &st), &st);
    int p[2];
    MUST(wali_sys_pipe(p));
    show("fstat pipe", wali_sys_fstat(p[0], &st), &st);
    MUST(wali_sys_close(p[0]));
    MUST(wali_sys_close(p[1]));
    show("fstat bad fd", wali_sys_fstat(-1, &st), &st);

    /* newfstatat: relative to AT_FDCWD and a directory fd, NOFOLLOW, EMPTY_PATH, bad flags */
    put_file("d/inner", "abc");
    show("newfstatat cwd f.txt", wali_sys_newfstatat(AT_FDCWD, "f.txt", &st, 0), &st);
    show("newfstatat dfd inner", wali_sys_newfstatat((int)dfd, "inner", &st, 0), &st);
    show("newfstatat cwd ln nofollow", wali_sys_newfstatat(AT_FDCWD, "ln", &st, AT_SYMLINK_NOFOLLOW), &st);
    show("newfstatat fd empty", wali_sys_newfstatat((int)fd, "", &st, AT_EMPTY_PATH), &st);
    show("newfstatat fd empty noflag", wali_sys_newfstatat((int)fd, "", &st, 0), &st);
    show("newfstatat file as dirfd", wali_sys_newfstatat((int)fd, "x", &st, 0), &st);
    show("newfstatat bad flags", wali_sys_newfstatat(AT_FDCWD, "f.txt", &st, 0x40000), &st);
    show("newfstatat bad dirfd", wali_sys_newfstatat(-5, "inner", &st, 0), &st);
    show("newfstatat absolute ignores dirfd", wali_sys_newfstatat(-5, "/", &st2, 0), &st2);
    SAY(wali_sys_newfstatat(AT_FDCWD, "f.txt", BAD_PTR, 0));

    /* a time the guest sets shows up in every stat call */
    struct wali_timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
    MUST(wali_sys_utimensat(AT_FDCWD, "f.txt", times, 0));
    MUST(wali_sys_stat("f.txt", &st));
    say("stat_atime", st.st_atim.tv_sec);
    say("stat_atime_ns", st.st_atim.tv_nsec);
    say("stat_mtime", st.st_mtim.tv_sec);
    say("stat_mtime_ns", st.st_mtim.tv_nsec);

    /* statx */
    wali_memset(&sx, 0, sizeof sx);
    showx("statx f.txt", wali_sys_statx(AT_FDCWD, "f.txt", 0, STATX_BASIC_STATS, &sx), &sx);
    say("statx_mtime", sx.stx_mtime.tv_sec);
    say("statx_mtime_ns", sx.stx_mtime.tv_nsec);
    say("statx_ino_matches", sx.stx_ino == ino);
    showx("statx d", wali_sys_statx(AT_FDCWD, "d", 0, STATX_TYPE | STATX_MODE, &sx), &sx);
    showx("statx ln", wali_sys_statx(AT_FDCWD, "ln", 0, STATX_BASIC_STATS, &sx), &sx);
    showx("statx ln nofollow", wali_sys_statx(AT_FDCWD, "ln", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx), &sx);
    showx("statx dfd inner", wali_sys_statx((int)dfd, "inner", 0, STATX_SIZE | STATX_NLINK, &sx), &sx);
    showx("statx fd empty", wali_sys_statx((int)fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx), &sx);
    showx("statx missing", wali_sys_statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx), &sx);
    showx("statx reserved mask", wali_sys_statx(AT_FDCWD, "f.txt", 0, STATX__RESERVED, &sx), &sx);
    showx("statx bad flags", wali_sys_statx(AT_FDCWD, "f.txt", 0x40000, STATX_BASIC_STATS, &sx), &sx);
    SAY(wali_sys_statx(AT_FDCWD, "f.txt", 0, STATX_BASIC_STATS, BAD_PTR));
    SAY(wali_sys_statx(AT_FDCWD, BAD_PTR, 0, STATX_BASIC_STATS, &sx));

    MUST(wali_sys_close((int)fd));
    MUST(wali_sys_close((int)dfd));
    MUST(wali_sys_unlink("d/inner"));
    MUST(wali_sys_rmdir("d"));
    MUST(wali_sys_unlink("ln"));
    MUST(wali_sys_unlink("dangling"));
    MUST(wali_sys_unlink("f.txt"));
    return 0;
}
