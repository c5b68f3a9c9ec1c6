/* write to a pipe without a reader, SIGPIPE at its default action: the process is killed by SIGPIPE
 * (natively the kernel does it; a WALI runtime must not leave its own "ignore SIGPIPE" setting on the
 * guest). Prints before the write only. */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int p[2];
    MUST(wali_sys_pipe(p));
    MUST(wali_sys_close(p[0]));
    print("before\n");
    long long r = wali_sys_write(p[1], "x", 1);
    print("after write: ");
    print_int(r);
    print("\n");
    return 3;
}
