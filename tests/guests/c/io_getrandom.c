/* getrandom: fills the buffer (two calls differ), flags, zero length, errors. */
#include "wali_test.h"

#define GRND_INSECURE 4

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static unsigned char a[64], b[64], big[70000];
    SAY(wali_sys_getrandom(a, sizeof a, 0));
    SAY(wali_sys_getrandom(b, sizeof b, GRND_NONBLOCK));
    say("two_calls_differ", wali_memcmp(a, b, sizeof a) != 0);
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof a; i++) nonzero += a[i] != 0;
    say("mostly_nonzero", nonzero > 32);
    SAY(wali_sys_getrandom(a, 0, 0));
    SAY(wali_sys_getrandom(a, 16, GRND_INSECURE));
    /* larger than a Wasm page: the whole range must be inside memory and filled */
    SAY(wali_sys_getrandom(big, sizeof big, 0));
    nonzero = 0;
    for (unsigned i = sizeof big - 64; i < sizeof big; i++) nonzero += big[i] != 0;
    say("tail_filled", nonzero > 32);
    /* the unfilled bytes after a short buffer stay put */
    wali_memset(a, 0xAA, sizeof a);
    SAY(wali_sys_getrandom(a, 8, 0));
    say("after_8_untouched", a[8] == 0xAA && a[63] == 0xAA);

    SAY(wali_sys_getrandom(a, 16, 0x100)); /* invalid flag */
    SAY(wali_sys_getrandom(a, 16, GRND_INSECURE | GRND_RANDOM));
    SAY(wali_sys_getrandom(BAD_PTR, 16, 0));
    SAY(wali_sys_getrandom(0, 16, 0));
    return 0;
}
