/* open, close, read, write, lseek, pread64, pwrite64, ftruncate, fsync, fdatasync, fadvise on a file
 * in the current (fresh, per-test) directory. Removes what it creates. */
#include "wali_test.h"

/* POSIX_FADV_* (not in wali.h) */
#define POSIX_FADV_NORMAL 0
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED 3
#define POSIX_FADV_DONTNEED 4
#define SEEK_DATA 3
#define SEEK_HOLE 4

static char buf[256];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    /* open: create, exclusive create, missing file, directory flag on a file, too long a name */
    long long fd = wali_sys_open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
    say("open_creat_ok", fd >= 0);
    SAY(wali_sys_open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644));
    SAY(wali_sys_open("missing.txt", O_RDONLY, 0));
    SAY(wali_sys_open("data.txt/x", O_RDONLY, 0));
    SAY(wali_sys_open("data.txt", O_RDONLY | O_DIRECTORY, 0));
    static char longname[300];
    for (int i = 0; i < 299; i++) longname[i] = 'n';
    SAY(wali_sys_open(longname, O_RDONLY, 0));
    SAY(wali_sys_open(0, O_RDONLY, 0));

    /* write and read back through lseek */
    SAY(wali_sys_write((int)fd, "hello world", 11));
    SAY(wali_sys_write((int)fd, "", 0));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_CUR));
    SAY(wali_sys_lseek((int)fd, 6, SEEK_SET));
    long long n = wali_sys_read((int)fd, buf, sizeof buf);
    say("read_after_seek", n);
    say_str("read_text", buf, n);
    SAY(wali_sys_read((int)fd, buf, sizeof buf)); /* EOF */
    SAY(wali_sys_lseek((int)fd, -5, SEEK_END));
    SAY(wali_sys_lseek((int)fd, 100, SEEK_END));
    SAY(wali_sys_lseek((int)fd, -1, SEEK_SET));
    SAY(wali_sys_lseek((int)fd, 0, 99));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_DATA));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_HOLE));
    SAY(wali_sys_lseek((int)fd, 50, SEEK_DATA));

    /* pread64 / pwrite64 do not move the offset */
    SAY(wali_sys_lseek((int)fd, 2, SEEK_SET));
    SAY(wali_sys_pwrite64((int)fd, "WORLD", 5, 6));
    wali_memset(buf, 0, sizeof buf);
    n = wali_sys_pread64((int)fd, buf, 8, 3);
    say("pread", n);
    say_str("pread_text", buf, n);
    SAY(wali_sys_pread64((int)fd, buf, 8, 1000)); /* past EOF */
    SAY(wali_sys_pread64((int)fd, buf, 8, -1));
    SAY(wali_sys_pwrite64((int)fd, "x", 1, -1));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_CUR));
    /* a write at offset 20 leaves a hole of zeros */
    SAY(wali_sys_pwrite64((int)fd, "Z", 1, 20));
    n = MUST(wali_sys_pread64((int)fd, buf, sizeof buf, 0));
    say("size_with_hole", n);
    int zeros = 0;
    for (int i = 11; i < 20; i++) zeros += buf[i] == 0;
    say("hole_zeros", zeros);

    /* ftruncate: extend, shrink, invalid */
    SAY(wali_sys_ftruncate((int)fd, 100));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_END));
    SAY(wali_sys_ftruncate((int)fd, 5));
    n = MUST(wali_sys_pread64((int)fd, buf, sizeof buf, 0));
    say_str("after_truncate", buf, n);
    SAY(wali_sys_ftruncate((int)fd, -1));
    SAY(wali_sys_ftruncate(-1, 0));

    /* fsync, fdatasync, fadvise */
    SAY(wali_sys_fsync((int)fd));
    SAY(wali_sys_fdatasync((int)fd));
    SAY(wali_sys_fsync(-1));
    SAY(wali_sys_fdatasync(12345));
    SAY(wali_sys_fadvise((int)fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    SAY(wali_sys_fadvise((int)fd, 0, 4096, POSIX_FADV_WILLNEED));
    SAY(wali_sys_fadvise((int)fd, 0, 0, POSIX_FADV_DONTNEED));
    SAY(wali_sys_fadvise((int)fd, 0, 0, POSIX_FADV_NORMAL));
    SAY(wali_sys_fadvise((int)fd, 0, 0, 99));
    SAY(wali_sys_fadvise((int)fd, 0, -1, POSIX_FADV_NORMAL));
    SAY(wali_sys_fadvise(-1, 0, 0, POSIX_FADV_NORMAL));

    /* bad buffers: -EFAULT, the file is unchanged */
    SAY(wali_sys_write((int)fd, BAD_PTR, 4));
    SAY(wali_sys_read((int)fd, BAD_PTR, 4));
    SAY(wali_sys_pread64((int)fd, BAD_PTR, 4, 0));
    SAY(wali_sys_pwrite64((int)fd, BAD_PTR, 4, 0));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_END));

    SAY(wali_sys_close((int)fd));
    SAY(wali_sys_close((int)fd));
    SAY(wali_sys_write((int)fd, "x", 1));
    SAY(wali_sys_read((int)fd, buf, 1));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_SET));

    /* O_APPEND writes at the end whatever the offset; O_TRUNC empties; read-only / write-only */
    fd = MUST(wali_sys_open("data.txt", O_WRONLY | O_APPEND, 0));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_SET));
    SAY(wali_sys_write((int)fd, "!!", 2));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_CUR));
    SAY(wali_sys_read((int)fd, buf, 1)); /* write-only: EBADF */
    MUST(wali_sys_close((int)fd));
    fd = MUST(wali_sys_open("data.txt", O_RDONLY, 0));
    n = MUST(wali_sys_read((int)fd, buf, sizeof buf));
    say_str("appended", buf, n);
    SAY(wali_sys_write((int)fd, "x", 1)); /* read-only: EBADF */
    SAY(wali_sys_ftruncate((int)fd, 0)); /* not open for writing */
    MUST(wali_sys_close((int)fd));
    fd = MUST(wali_sys_open("data.txt", O_RDWR | O_TRUNC, 0));
    SAY(wali_sys_lseek((int)fd, 0, SEEK_END));
    MUST(wali_sys_close((int)fd));

    /* a directory: open read-only works, read gives EISDIR, write-open fails */
    fd = MUST(wali_sys_open(".", O_RDONLY | O_DIRECTORY, 0));
    SAY(wali_sys_read((int)fd, buf, 1));
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_open(".", O_WRONLY, 0));

    MUST(wali_sys_unlink("data.txt"));
    return 0;
}
