/*
 * Entering Wasm with a way back out.
 *
 * cwali_setjmp_call() records a jump buffer in its own frame, hands its address to the caller
 * and calls f(data). When a trap unwinds (the signal handler redirects the faulting thread into
 * cwali_longjmp(), or host code calls it directly), execution resumes in cwali_setjmp_call,
 * which then returns non-zero.
 *
 * _setjmp/_longjmp rather than sigsetjmp(buf, 1): they do not save or restore the signal mask,
 * which would cost a syscall on every call into Wasm. The mask needs no restoring: the signal
 * handler returns normally (the kernel restores the mask) and only then does the thread run
 * cwali_longjmp. Unlike __builtin_setjmp they also unwind the CET shadow stack where enabled.
 */
#include <setjmp.h>

int cwali_setjmp_call(void (*f)(void *), void *data, void **jmpbuf_out) {
    jmp_buf buf;
    if (_setjmp(buf) != 0) {
        return 1;
    }
    *jmpbuf_out = (void *)buf;
    f(data);
    return 0;
}

void cwali_longjmp(void *jmpbuf) {
    _longjmp(*(jmp_buf *)jmpbuf, 1);
}
