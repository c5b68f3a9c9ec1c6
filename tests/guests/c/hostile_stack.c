/* Deep recursion under a small stack limit (the test sets `ulimit -s`): a run that fits prints its
 * depth; one that does not ends as the native program does, killed by SIGSEGV (under cwali after a
 * "call stack exhausted" trap), never with the runtime's own stack overflowing.
 *
 * usage: hostile_stack DEPTH */
#include "wali_test.h"

/* Each level is a real Wasm call (through a volatile pointer, so it stays a recursion) with
 * nothing in linear memory: what runs out is the native stack. */
static int down(int n);
static int (*volatile next)(int) = down;
static int down(int n) {
    if (n == 0) return 0;
    return next(n - 1) + 1;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int depth = 0;
    for (const char *p = argv[1]; *p; p++) depth = depth * 10 + (*p - '0');
    print_kv("depth", down(depth));
    return 0;
}
