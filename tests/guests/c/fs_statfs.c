/* statfs and fstatfs: the same file system seen by path and by descriptor; errors. Prints facts about
 * the file system holding the test directory, not its (host-dependent) numbers. */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static struct wali_statfs a, b, c;
    put_file("f", "x");
    wali_memset(&a, 0xEE, sizeof a);
    SAY(wali_sys_statfs(".", &a));
    SAY(a.f_bsize > 0);
    SAY(a.f_blocks >= a.f_bfree);
    SAY(a.f_bfree >= a.f_bavail);
    SAY(a.f_namelen > 0 && a.f_namelen <= 4096);
    SAY(a.f_frsize > 0);
    SAY(a.f_type != (int64_t)0xEEEEEEEEEEEEEEEEull);
    long long fd = MUST(wali_sys_open("f", O_RDONLY, 0));
    SAY(wali_sys_fstatfs((int)fd, &b));
    SAY(a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_blocks == b.f_blocks);
    SAY(a.f_fsid[0] == b.f_fsid[0] && a.f_fsid[1] == b.f_fsid[1]);
    SAY(a.f_namelen == b.f_namelen);
    /* /proc is procfs (magic 0x9fa0) on every Linux host */
    SAY(wali_sys_statfs("/proc", &c));
    SAY(c.f_type == 0x9fa0);
    long long pfd = MUST(wali_sys_open("/proc", O_RDONLY | O_DIRECTORY, 0));
    SAY(wali_sys_fstatfs((int)pfd, &c));
    SAY(c.f_type == 0x9fa0);
    MUST(wali_sys_close((int)pfd));

    SAY(wali_sys_statfs("missing", &a));
    SAY(wali_sys_statfs("f/x", &a));
    SAY(wali_sys_statfs(BAD_PTR, &a));
    SAY(wali_sys_statfs(".", BAD_PTR));
    SAY(wali_sys_statfs("", &a));
    SAY(wali_sys_fstatfs(-1, &b));
    SAY(wali_sys_fstatfs((int)fd, BAD_PTR));
    MUST(wali_sys_close((int)fd));
    SAY(wali_sys_fstatfs((int)fd, &b));
    MUST(wali_sys_unlink("f"));
    return 0;
}
