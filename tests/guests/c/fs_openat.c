/* openat relative to AT_FDCWD, a directory fd, absolute paths; O_CREAT/O_EXCL/O_TRUNC/O_NOFOLLOW/
 * O_DIRECTORY/O_PATH/O_TMPFILE/O_CLOEXEC; errors. Removes what it creates. */
#include "wali_test.h"

static char buf[64];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    MUST(wali_sys_mkdir("d", 0755));
    long long dfd = MUST(wali_sys_openat(AT_FDCWD, "d", O_RDONLY | O_DIRECTORY, 0));
    say("dfd", dfd);
    long long fd = wali_sys_openat((int)dfd, "f", O_WRONLY | O_CREAT | O_EXCL, 0600);
    say("create_in_dir", fd);
    SAY(wali_sys_write((int)fd, "inside", 6));
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_openat((int)dfd, "f", O_WRONLY | O_CREAT | O_EXCL, 0600));
    fd = MUST(wali_sys_openat(AT_FDCWD, "d/f", O_RDONLY, 0));
    long long n = MUST(wali_sys_read((int)fd, buf, sizeof buf));
    say_str("via_cwd", buf, n);
    MUST(wali_sys_close((int)fd));
    fd = MUST(wali_sys_openat((int)dfd, "f", O_RDWR | O_TRUNC, 0));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_END));
    MUST(wali_sys_close((int)fd));

    /* absolute path ignores dirfd, even a bad one */
    fd = wali_sys_openat(-42, "/", O_RDONLY | O_DIRECTORY, 0);
    say("absolute_ok", fd >= 0);
    MUST(wali_sys_close((int)fd));

    /* O_CLOEXEC, O_PATH */
    fd = MUST(wali_sys_openat((int)dfd, "f", O_RDONLY | O_CLOEXEC, 0));
    SAY(wali_sys_fcntl((int)fd, F_GETFD, 0));
    MUST(wali_sys_close((int)fd));
    fd = MUST(wali_sys_openat((int)dfd, "f", O_PATH, 0));
    SAY(wali_sys_read((int)fd, buf, 1)); /* O_PATH: EBADF */
    struct wali_stat st;
    SAY(wali_sys_fstat((int)fd, &st));
    SAY(st.st_size);
    MUST(wali_sys_close((int)fd));

    /* O_NOFOLLOW on a symlink, O_DIRECTORY on a file, O_TMPFILE (unnamed file in d) */
    MUST(wali_sys_symlinkat("f", (int)dfd, "ln"));
    SAY(wali_sys_openat((int)dfd, "ln", O_RDONLY | O_NOFOLLOW, 0));
    fd = MUST(wali_sys_openat((int)dfd, "ln", O_RDONLY, 0));
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_openat((int)dfd, "f", O_RDONLY | O_DIRECTORY, 0));
    fd = wali_sys_openat((int)dfd, ".", O_TMPFILE | O_RDWR, 0600);
    say("tmpfile_ok_or_unsupported", fd >= 0 || fd == -EOPNOTSUPP);
    if (fd >= 0) {
        SAY(wali_sys_write((int)fd, "tmp", 3));
        MUST(wali_sys_fstat((int)fd, &st));
        SAY(st.st_nlink);
        MUST(wali_sys_close((int)fd));
    }
    SAY(wali_sys_openat((int)dfd, ".", O_TMPFILE | O_RDONLY, 0600)); /* needs write access */

    /* errors */
    SAY(wali_sys_openat((int)dfd, "missing", O_RDONLY, 0));
    SAY(wali_sys_openat(-42, "f", O_RDONLY, 0));
    SAY(wali_sys_openat(9999, "f", O_RDONLY, 0));
    fd = MUST(wali_sys_openat((int)dfd, "f", O_RDONLY, 0));
    SAY(wali_sys_openat((int)fd, "x", O_RDONLY, 0)); /* dirfd is a file */
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_openat(AT_FDCWD, BAD_PTR, O_RDONLY, 0));
    SAY(wali_sys_openat(AT_FDCWD, "", O_RDONLY, 0));
    SAY(wali_sys_openat((int)dfd, "f", O_RDONLY | O_CREAT | O_DIRECTORY, 0)); /* invalid combination */

    MUST(wali_sys_unlinkat((int)dfd, "ln", 0));
    MUST(wali_sys_unlinkat((int)dfd, "f", 0));
    MUST(wali_sys_close((int)dfd));
    MUST(wali_sys_rmdir("d"));
    return 0;
}
