/* getcwd, chdir, fchdir, mkdir, mkdirat, rmdir, getdents64 in the current (fresh) directory.
 * The absolute directory path is never printed, only facts about it. Removes what it creates. */
#include "wali_test.h"

static char cwd0[4096], cwd[4096];
static char dents[4096];

static int ends_with(const char *s, const char *suffix) {
    wali_size_t a = wali_strlen(s), b = wali_strlen(suffix);
    return a >= b && wali_streq(s + a - b, suffix);
}

/* Lists a directory with getdents64 (small buffer: several calls), names sorted, with d_type. */
static void list(const char *path, int bufsize) {
    long long fd = MUST(wali_sys_open(path, O_RDONLY | O_DIRECTORY, 0));
    static char names[32][64];
    static int types[32];
    int count = 0, calls = 0;
    for (;;) {
        long long n = wali_sys_getdents64((int)fd, dents, bufsize);
        WALI_CHECK(n >= 0);
        if (n == 0) break;
        calls++;
        for (long long off = 0; off < n;) {
            struct wali_dirent64 *d = (struct wali_dirent64 *)(dents + off);
            WALI_CHECK(d->d_reclen > 0 && d->d_reclen % 8 == 0);
            if (!wali_streq(d->d_name, ".") && !wali_streq(d->d_name, "..")) {
                WALI_CHECK(count < 32 && wali_strlen(d->d_name) < 64);
                wali_memcpy(names[count], d->d_name, wali_strlen(d->d_name) + 1);
                types[count] = d->d_type;
                count++;
            }
            off += d->d_reclen;
        }
    }
    /* insertion sort */
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && wali_strcmp(names[j - 1], names[j]) > 0; j--) {
            char tmp[64];
            wali_memcpy(tmp, names[j], 64);
            wali_memcpy(names[j], names[j - 1], 64);
            wali_memcpy(names[j - 1], tmp, 64);
            int t = types[j];
            types[j] = types[j - 1];
            types[j - 1] = t;
        }
    print("list ");
    print(path);
    print(":");
    for (int i = 0; i < count; i++) {
        print(" ");
        print(names[i]);
        print("/");
        print_int(types[i]);
    }
    print(" (buf ");
    print_int(bufsize);
    print(", more than one call: ");
    print_int(calls > 1);
    print(")\n");
    MUST(wali_sys_close((int)fd));
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    long long n = wali_sys_getcwd(cwd0, sizeof cwd0);
    say("getcwd_len_matches", n == (long long)wali_strlen(cwd0) + 1);
    say("getcwd_absolute", cwd0[0] == '/');
    SAY(wali_sys_getcwd(cwd, 1));
    SAY(wali_sys_getcwd(cwd, 0));
    SAY(wali_sys_getcwd(BAD_PTR, 100));

    /* mkdir / mkdirat */
    SAY(wali_sys_mkdir("a", 0755));
    SAY(wali_sys_mkdir("a", 0755));
    SAY(wali_sys_mkdir("missing/b", 0755));
    SAY(wali_sys_mkdir(BAD_PTR, 0755));
    SAY(wali_sys_mkdir("a/b", 0700));
    long long afd = MUST(wali_sys_open("a", O_RDONLY | O_DIRECTORY, 0));
    SAY(wali_sys_mkdirat((int)afd, "c", 0755));
    SAY(wali_sys_mkdirat((int)afd, "c", 0755));
    SAY(wali_sys_mkdirat(AT_FDCWD, "a/c/d", 0755));
    SAY(wali_sys_mkdirat(-3, "x", 0755));
    put_file("a/file", "data");
    SAY(wali_sys_mkdirat((int)afd, "file/x", 0755));
    MUST(wali_sys_symlink("file", "a/link"));

    /* getdents64: whole listing, a small buffer (several calls), errors */
    list("a", sizeof dents);
    list("a", 48);
    long long ffd = MUST(wali_sys_open("a/file", O_RDONLY, 0));
    SAY(wali_sys_getdents64((int)ffd, dents, sizeof dents));
    SAY(wali_sys_getdents64(-1, dents, sizeof dents));
    SAY(wali_sys_getdents64((int)afd, dents, 1));
    SAY(wali_sys_getdents64((int)afd, BAD_PTR, sizeof dents));
    MUST(wali_sys_close((int)ffd));

    /* chdir / fchdir / getcwd */
    SAY(wali_sys_chdir("a/b"));
    MUST(wali_sys_getcwd(cwd, sizeof cwd));
    say("cwd_ends_a_b", ends_with(cwd, "/a/b"));
    SAY(wali_sys_chdir("../.."));
    MUST(wali_sys_getcwd(cwd, sizeof cwd));
    say("cwd_back", wali_streq(cwd, cwd0));
    SAY(wali_sys_fchdir((int)afd));
    MUST(wali_sys_getcwd(cwd, sizeof cwd));
    say("cwd_ends_a", ends_with(cwd, "/a"));
    SAY(wali_sys_access("file", F_OK));
    SAY(wali_sys_chdir("file"));
    SAY(wali_sys_chdir("nope"));
    SAY(wali_sys_chdir(BAD_PTR));
    ffd = MUST(wali_sys_open("file", O_RDONLY, 0));
    SAY(wali_sys_fchdir((int)ffd));
    SAY(wali_sys_fchdir(-1));
    MUST(wali_sys_close((int)ffd));
    SAY(wali_sys_chdir(".."));

    /* rmdir: not empty, not a dir, missing, "." */
    SAY(wali_sys_rmdir("a"));
    SAY(wali_sys_rmdir("a/file"));
    SAY(wali_sys_rmdir("a/nope"));
    SAY(wali_sys_rmdir("a/b/."));
    SAY(wali_sys_rmdir(BAD_PTR));
    SAY(wali_sys_rmdir("a/b"));
    SAY(wali_sys_rmdir("a/b"));
    SAY(wali_sys_rmdir("a/c/d"));
    SAY(wali_sys_rmdir("a/c"));
    MUST(wali_sys_unlink("a/link"));
    MUST(wali_sys_unlink("a/file"));
    list("a", sizeof dents);
    SAY(wali_sys_rmdir("a"));
    /* the removed directory is still open: its listing is empty, mkdirat in it fails */
    SAY(wali_sys_getdents64((int)afd, dents, sizeof dents));
    SAY(wali_sys_mkdirat((int)afd, "new", 0755));
    MUST(wali_sys_close((int)afd));
    return 0;
}
