/* access, faccessat, faccessat2 on files with different modes, a directory fd, symlinks. As root
 * R_OK/W_OK always succeed but X_OK needs an x bit; the results print the same either way. */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    put_file("rw.txt", "x");
    put_file("none.txt", "x");
    put_file("exec.sh", "x");
    MUST(wali_sys_chmod("none.txt", 0));
    MUST(wali_sys_chmod("exec.sh", 0755));
    MUST(wali_sys_mkdir("d", 0700));
    put_file("d/in.txt", "y");
    MUST(wali_sys_symlink("rw.txt", "ln"));
    MUST(wali_sys_symlink("missing", "dangling"));
    say("is_root", wali_sys_geteuid() == 0);

    SAY(wali_sys_access("rw.txt", F_OK));
    SAY(wali_sys_access("rw.txt", R_OK | W_OK));
    SAY(wali_sys_access("rw.txt", X_OK));
    SAY(wali_sys_access("none.txt", F_OK));
    SAY(wali_sys_access("none.txt", R_OK));
    SAY(wali_sys_access("none.txt", W_OK));
    SAY(wali_sys_access("exec.sh", X_OK));
    SAY(wali_sys_access("exec.sh", R_OK | W_OK | X_OK));
    SAY(wali_sys_access("d", X_OK));
    SAY(wali_sys_access("ln", F_OK));
    SAY(wali_sys_access("dangling", F_OK));
    SAY(wali_sys_access("missing", F_OK));
    SAY(wali_sys_access("rw.txt/x", F_OK));
    SAY(wali_sys_access("rw.txt", 8)); /* invalid mode */
    SAY(wali_sys_access(BAD_PTR, F_OK));
    SAY(wali_sys_access("", F_OK));

    long long dfd = MUST(wali_sys_open("d", O_RDONLY | O_DIRECTORY, 0));
    long long ffd = MUST(wali_sys_open("rw.txt", O_RDONLY, 0));
    SAY(wali_sys_faccessat(AT_FDCWD, "rw.txt", R_OK, 0));
    SAY(wali_sys_faccessat((int)dfd, "in.txt", R_OK | W_OK, 0));
    SAY(wali_sys_faccessat((int)dfd, "in.txt", X_OK, 0));
    SAY(wali_sys_faccessat((int)dfd, "rw.txt", F_OK, 0));
    SAY(wali_sys_faccessat((int)ffd, "x", F_OK, 0));
    SAY(wali_sys_faccessat(-7, "in.txt", F_OK, 0));
    SAY(wali_sys_faccessat(AT_FDCWD, "exec.sh", X_OK, 0));
    SAY(wali_sys_faccessat(AT_FDCWD, "rw.txt", 8, 0));

    SAY(wali_sys_faccessat2(AT_FDCWD, "rw.txt", R_OK, 0));
    SAY(wali_sys_faccessat2((int)dfd, "in.txt", R_OK, AT_EACCESS));
    SAY(wali_sys_faccessat2(AT_FDCWD, "dangling", F_OK, 0));
    SAY(wali_sys_faccessat2(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    SAY(wali_sys_faccessat2((int)ffd, "", R_OK, AT_EMPTY_PATH));
    SAY(wali_sys_faccessat2((int)ffd, "", R_OK, 0));
    SAY(wali_sys_faccessat2(AT_FDCWD, "rw.txt", X_OK, AT_EACCESS));
    SAY(wali_sys_faccessat2(AT_FDCWD, "rw.txt", R_OK, 0x4)); /* invalid flag */
    SAY(wali_sys_faccessat2(AT_FDCWD, BAD_PTR, R_OK, 0));

    MUST(wali_sys_close((int)dfd));
    MUST(wali_sys_close((int)ffd));
    MUST(wali_sys_unlink("d/in.txt"));
    MUST(wali_sys_rmdir("d"));
    MUST(wali_sys_unlink("ln"));
    MUST(wali_sys_unlink("dangling"));
    MUST(wali_sys_unlink("rw.txt"));
    MUST(wali_sys_unlink("none.txt"));
    MUST(wali_sys_unlink("exec.sh"));
    return 0;
}
