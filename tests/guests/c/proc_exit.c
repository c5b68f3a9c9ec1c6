/* Exit paths and statuses: return from main, exit (single thread: ends the process),
 * exit_group, __proc_exit, each with a status taken & 0xff.
 *
 * usage: proc_exit HOW STATUS   (HOW: main, exit, group, proc) */
#include "wali.h"

static long long to_int(const char *s) {
    int neg = *s == '-';
    if (neg) s++;
    long long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int status = (int)to_int(argv[2]);
    print("exiting via ");
    print(argv[1]);
    print("\n");
    if (wali_streq(argv[1], "main")) return status;
    if (wali_streq(argv[1], "exit")) wali_sys_exit(status);
    if (wali_streq(argv[1], "group")) wali_sys_exit_group(status);
    if (wali_streq(argv[1], "proc")) wali_proc_exit(status);
    print("not reached\n");
    return 3;
}
