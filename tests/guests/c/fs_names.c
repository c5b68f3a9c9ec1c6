/* rename, renameat2, link, linkat, unlink, unlinkat, symlink, symlinkat, readlink, readlinkat in the
 * current (fresh) directory. Removes what it creates. */
#include "wali_test.h"

static char buf[256];

static void cat(const char *path) {
    long long fd = wali_sys_open(path, O_RDONLY, 0);
    print("cat ");
    print(path);
    if (fd < 0) {
        print(": ");
        print_int(fd);
        print("\n");
        return;
    }
    long long n = MUST(wali_sys_read((int)fd, buf, sizeof buf));
    MUST(wali_sys_close((int)fd));
    say_str("", buf, n);
}

static void nlink(const char *path) {
    struct wali_stat st;
    long long r = wali_sys_lstat(path, &st);
    print("nlink ");
    print(path);
    print("=");
    print_int(r < 0 ? r : (long long)st.st_nlink);
    print("\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    put_file("a", "AAA");
    put_file("b", "BBB");
    MUST(wali_sys_mkdir("d", 0755));
    MUST(wali_sys_mkdir("e", 0755));
    put_file("e/x", "X");
    long long dfd = MUST(wali_sys_open("d", O_RDONLY | O_DIRECTORY, 0));

    /* rename */
    SAY(wali_sys_rename("a", "a2"));
    cat("a");
    cat("a2");
    SAY(wali_sys_rename("a2", "b")); /* replaces b */
    cat("b");
    SAY(wali_sys_rename("missing", "z"));
    SAY(wali_sys_rename("b", "d")); /* file over a directory */
    SAY(wali_sys_rename("d", "b")); /* directory over a file */
    SAY(wali_sys_rename("d", "e")); /* onto a non-empty directory */
    SAY(wali_sys_rename("d", "d/sub")); /* into itself */
    SAY(wali_sys_rename(BAD_PTR, "z"));
    SAY(wali_sys_rename("b", BAD_PTR));
    SAY(wali_sys_rename("b", "d/b"));
    SAY(wali_sys_rename("d/b", "b"));

    /* renameat2: dir fds, NOREPLACE, EXCHANGE, bad flags */
    put_file("c", "CCC");
    SAY(wali_sys_renameat2(AT_FDCWD, "c", (int)dfd, "c", 0));
    cat("d/c");
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "b", RENAME_NOREPLACE));
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "b", RENAME_EXCHANGE));
    cat("b");
    cat("d/c");
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "new", RENAME_EXCHANGE)); /* target must exist */
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "b", RENAME_EXCHANGE | RENAME_NOREPLACE));
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "b", 0x100));
    SAY(wali_sys_renameat2(-5, "c", AT_FDCWD, "b", 0));
    SAY(wali_sys_renameat2((int)dfd, "c", AT_FDCWD, "c", RENAME_NOREPLACE));
    cat("c");

    /* link / linkat */
    SAY(wali_sys_link("b", "b.hard"));
    nlink("b");
    cat("b.hard");
    SAY(wali_sys_link("b", "b.hard"));
    SAY(wali_sys_link("missing", "m2"));
    SAY(wali_sys_link("d", "d.hard")); /* directories cannot be hard-linked */
    SAY(wali_sys_link(BAD_PTR, "x"));
    SAY(wali_sys_linkat(AT_FDCWD, "b", (int)dfd, "b3", 0));
    nlink("b");
    MUST(wali_sys_symlink("b", "sym"));
    SAY(wali_sys_linkat(AT_FDCWD, "sym", AT_FDCWD, "sym.nofollow", 0));
    SAY(wali_sys_linkat(AT_FDCWD, "sym", AT_FDCWD, "sym.follow", AT_SYMLINK_FOLLOW));
    nlink("b");
    nlink("sym");
    SAY(wali_sys_linkat(AT_FDCWD, "b", AT_FDCWD, "bad.flags", 0x1));
    SAY(wali_sys_linkat(-7, "b", AT_FDCWD, "x", 0));

    /* symlink / symlinkat / readlink / readlinkat */
    SAY(wali_sys_symlink("b", "sym")); /* exists */
    SAY(wali_sys_symlink("", "empty"));
    SAY(wali_sys_symlinkat("../b", (int)dfd, "up"));
    SAY(wali_sys_symlinkat("x", -9, "up2"));
    cat("d/up");
    long long n = wali_sys_readlink("sym", buf, sizeof buf);
    say("readlink sym", n);
    say_str("target", buf, n);
    n = wali_sys_readlinkat((int)dfd, "up", buf, sizeof buf);
    say("readlinkat up", n);
    say_str("target", buf, n);
    n = wali_sys_readlinkat((int)dfd, "up", buf, 2); /* truncated, no NUL */
    say("readlinkat up short", n);
    say_str("target", buf, n);
    SAY(wali_sys_readlink("b", buf, sizeof buf)); /* not a symlink */
    SAY(wali_sys_readlink("missing", buf, sizeof buf));
    SAY(wali_sys_readlink("sym", buf, 0));
    SAY(wali_sys_readlink("sym", BAD_PTR, 16));
    SAY(wali_sys_readlinkat(AT_FDCWD, "sym.nofollow", buf, sizeof buf));
    SAY(wali_sys_readlinkat(-9, "up", buf, sizeof buf));

    /* unlink / unlinkat */
    SAY(wali_sys_unlink("b.hard"));
    SAY(wali_sys_unlink("b.hard"));
    SAY(wali_sys_unlink("d")); /* a directory */
    SAY(wali_sys_unlink(BAD_PTR));
    SAY(wali_sys_unlinkat((int)dfd, "b3", 0));
    SAY(wali_sys_unlinkat((int)dfd, "up", 0));
    SAY(wali_sys_unlinkat(AT_FDCWD, "e", 0));
    SAY(wali_sys_unlinkat(AT_FDCWD, "e", AT_REMOVEDIR)); /* not empty */
    SAY(wali_sys_unlinkat(AT_FDCWD, "e/x", AT_REMOVEDIR)); /* not a directory */
    SAY(wali_sys_unlinkat(AT_FDCWD, "e/x", 0));
    SAY(wali_sys_unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
    SAY(wali_sys_unlinkat(AT_FDCWD, "b", 0x1)); /* bad flags */
    SAY(wali_sys_unlinkat(-9, "b", 0));
    SAY(wali_sys_unlink("sym"));
    SAY(wali_sys_unlink("sym.nofollow"));
    SAY(wali_sys_unlink("sym.follow"));
    SAY(wali_sys_unlink("b"));
    SAY(wali_sys_unlink("c"));
    MUST(wali_sys_close((int)dfd));
    SAY(wali_sys_unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
    return 0;
}
