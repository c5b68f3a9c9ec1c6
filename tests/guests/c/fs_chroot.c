/* chroot into the current (fresh) directory, then open a file there by its absolute path "/x".
 * As root this succeeds; as a user every chroot fails with EPERM and the guest says so (same output
 * in both builds either way). Removes what it creates. */
#include "wali_test.h"

static char buf[64];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    put_file("inside.txt", "in the jail");
    MUST(wali_sys_mkdir("sub", 0755));
    put_file("sub/deeper.txt", "deeper");

    SAY(wali_sys_chroot("missing"));
    SAY(wali_sys_chroot("inside.txt"));
    SAY(wali_sys_chroot(BAD_PTR));
    long long r = wali_sys_chroot(".");
    say("chroot", r == 0 ? 0 : r == -EPERM ? -EPERM : r);
    if (r == 0) {
        long long fd = wali_sys_open("/inside.txt", O_RDONLY, 0);
        say("open_abs_ok", fd >= 0);
        long long n = MUST(wali_sys_read((int)fd, buf, sizeof buf));
        say_str("content", buf, n);
        MUST(wali_sys_close((int)fd));
        fd = MUST(wali_sys_openat(AT_FDCWD, "/sub/deeper.txt", O_RDONLY, 0));
        n = MUST(wali_sys_read((int)fd, buf, sizeof buf));
        say_str("deeper", buf, n);
        MUST(wali_sys_close((int)fd));
        /* ".." of the new root is the root itself */
        fd = MUST(wali_sys_open("/../../inside.txt", O_RDONLY, 0));
        MUST(wali_sys_close((int)fd));
        say("dotdot_stays_inside", 1);
        /* the host's files are gone from view */
        SAY(wali_sys_open("/proc/self/status", O_RDONLY, 0));
        SAY(wali_sys_access("/etc", F_OK));
        struct wali_stat root, here;
        MUST(wali_sys_stat("/", &root));
        MUST(wali_sys_stat(".", &here));
        say("root_is_cwd", root.st_ino == here.st_ino && root.st_dev == here.st_dev);
        /* a second chroot, into sub: now /deeper.txt is visible */
        SAY(wali_sys_chroot("/sub"));
        SAY(wali_sys_access("/deeper.txt", F_OK));
        SAY(wali_sys_access("/inside.txt", F_OK));
        MUST(wali_sys_unlink("/deeper.txt"));
        MUST(wali_sys_unlink("inside.txt")); /* still relative to the unchanged cwd */
        MUST(wali_sys_rmdir("sub"));
    } else {
        MUST(wali_sys_unlink("sub/deeper.txt"));
        MUST(wali_sys_rmdir("sub"));
        MUST(wali_sys_unlink("inside.txt"));
    }
    return 0;
}
