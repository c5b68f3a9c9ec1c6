/* setjmp/longjmp as interpreters use them: error recovery from deep calls, repeated jumps to one
 * buffer, nested buffers, values that survive the jump, and a longjmp out of a signal handler. */
#include "wali.h"

static unsigned long long env_outer[64], env_inner[64], env_sig[64];
static int depth_reached;

static void __attribute__((noinline)) fail_deep(int n, int code) {
    if (n == 0) {
        wali_longjmp(env_outer, code);
    }
    depth_reached++;
    fail_deep(n - 1, code);
}

static int __attribute__((noinline)) protected_call(int n, int code) {
    volatile int attempts = 0;
    int r = wali_setjmp(env_outer);
    attempts++;
    if (r == 0) {
        fail_deep(n, code);
        return -1; /* not reached */
    }
    return r * 100 + attempts;
}

static int __attribute__((noinline)) nested(void) {
    int outer = wali_setjmp(env_outer);
    if (outer != 0) return 1000 + outer;
    int inner = wali_setjmp(env_inner);
    if (inner == 0) wali_longjmp(env_inner, 7);
    /* back from the inner jump; now jump out through the outer buffer */
    wali_longjmp(env_outer, inner + 1);
    return -1;
}

static void on_usr1(int sig) {
    (void)sig;
    wali_longjmp(env_sig, 5);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    for (int i = 1; i <= 3; i++) {
        depth_reached = 0;
        int r = protected_call(10 * i, i);
        print("protected_call -> ");
        print_int(r);
        print(" depth ");
        print_int(depth_reached);
        print("\n");
    }
    /* longjmp with 0 makes setjmp return 1 */
    int z = wali_setjmp(env_outer);
    if (z == 0) wali_longjmp(env_outer, 0);
    print("zero becomes ");
    print_int(z);
    print("\n");
    print("nested -> ");
    print_int(nested());
    print("\n");

    int caught = wali_sigsetjmp(env_sig, 1);
    if (caught == 0) {
        if (wali_signal(SIGUSR1, on_usr1, 0) != 0) return 3;
        wali_sys_kill((int)wali_sys_getpid(), SIGUSR1);
        print("handler did not jump\n");
        return 4;
    }
    print("jumped out of handler with ");
    print_int(caught);
    print("\n");
    return 0;
}
