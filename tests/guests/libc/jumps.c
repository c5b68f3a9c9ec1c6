/* setjmp/longjmp and sigsetjmp/siglongjmp: non-local exits through frames, values, volatile
 * locals, and leaving a signal handler with the mask restored (or not). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;
static int depth_reached;

static void recurse(int depth) {
    if (depth > 1000) return;
    char pad[64];
    memset(pad, depth, sizeof pad);
    if (depth == 50) {
        depth_reached = depth + pad[3] - 50;
        longjmp(env, depth);
    }
    recurse(depth + 1);
}

static sigjmp_buf senv;
static void on_usr1(int sig) { siglongjmp(senv, sig); }

static int blocked(int sig) {
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    return sigismember(&cur, sig);
}

int main(void) {
    volatile int counter = 0;
    int r = setjmp(env);
    counter++;
    if (r == 0) recurse(0);
    printf("longjmp value=%d depth=%d counter=%d\n", r, depth_reached, counter);

    /* longjmp(env, 0) returns 1 from setjmp. */
    if ((r = setjmp(env)) == 0) longjmp(env, 0);
    printf("longjmp 0 gives=%d\n", r);

    /* A loop of jumps. */
    volatile int n = 0;
    if (setjmp(env) < 100) {
        n++;
        if (n < 100) longjmp(env, n);
    }
    printf("jumped back %d times\n", n);

    signal(SIGUSR1, on_usr1);
    /* savemask=1: the mask blocked inside the handler is restored by siglongjmp. */
    if ((r = sigsetjmp(senv, 1)) == 0) {
        raise(SIGUSR1);
        printf("not reached\n");
    }
    printf("sigsetjmp(1) returned=%d SIGUSR1 blocked after=%d\n", r, blocked(SIGUSR1));
    /* savemask=0: the handler's mask stays (SIGUSR1 remains blocked). */
    if ((r = sigsetjmp(senv, 0)) == 0) raise(SIGUSR1);
    printf("sigsetjmp(0) returned=%d SIGUSR1 blocked after=%d\n", r, blocked(SIGUSR1));
    return 0;
}
