/* Prints the environment file the runtime hands over (__get_init_envfile), if any: its
 * contents, line by line, or "none". */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static char path[512], text[4096];
    if (wali_get_init_envfile(path, sizeof path) <= 0 || path[0] == 0) {
        print("none\n");
        return 0;
    }
    int fd = (int)MUST(wali_sys_openat(AT_FDCWD, path, O_RDONLY, 0));
    long long n = MUST(wali_sys_read(fd, text, sizeof text - 1));
    wali_write_all(1, text, (wali_size_t)n);
    return 0;
}
