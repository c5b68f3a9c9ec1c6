/* Linked into the libc guests and the apps (with -Wl,--wrap=__main_void): returning from main
 * calls exit() with main's value, as C requires (C11 5.1.2.2.3) and every native libc does.
 *
 * Why: wali-musl's _start (crt/crt1-command.c) calls __main_void() and then the WALI import
 * __proc_exit(status) directly, never exit(). So atexit handlers do not run and stdio buffers are
 * never flushed: everything a program printf'd to a pipe or file after its last flush is lost
 * when main returns. The runtime cannot flush the guest's buffers for it. --wrap redirects
 * _start's call to this function; exit() then flushes, runs atexit handlers and ends through
 * exit_group. (tests/guests/libc/stdio_exit.c is built without it, to keep the unpatched
 * behaviour visible in the tests.) */
#include <stdlib.h>

int __real___main_void(void);

int __wrap___main_void(void) {
    exit(__real___main_void());
}
