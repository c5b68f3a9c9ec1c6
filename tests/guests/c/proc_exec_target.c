/* The program proc_exec runs with execve (its native build natively, its .wasm under cwali).
 *
 * usage: proc_exec_target PID [ARGS...]: prints whether it still has process id PID (execve keeps
 * it), then ARGS one per line; exits with the number of ARGS + 20. */
#include "wali.h"

static long long to_int(const char *s) {
    long long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

static char *utoa(unsigned long long v, char *buf) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10); while (v /= 10);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

int main(int argc, char **argv) {
    /* A WALI execve leaves the environment in /tmp/wali_env.<pid> (WALI-ABI.md §11.2) and nothing
     * removes it; a later WALI process with the same pid would start with it. Clean up (natively
     * there is no such file). */
    char path[48] = "/tmp/wali_env.";
    utoa((unsigned long long)wali_sys_getpid(), path + 14);
    wali_sys_unlink(path);
    print("target: started\n");
    if (argc < 2) return 2;
    print_kv("target: same pid", wali_sys_getpid() == to_int(argv[1]));
    for (int i = 2; i < argc; i++) {
        print("target: arg ");
        print(argv[i]);
        print("\n");
    }
    return argc - 2 + 20;
}
