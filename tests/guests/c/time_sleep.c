/* nanosleep and clock_nanosleep: relative and absolute sleeps really wait (measured on
 * CLOCK_MONOTONIC), absolute times in the past return at once, NULL remainders, errors. */
#include "wali_test.h"

static long long now_us(int clock) {
    struct wali_timespec t;
    MUST(wali_sys_clock_gettime(clock, &t));
    return t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    struct wali_timespec req = {0, 20 * 1000000}, rem = {-1, -1};
    long long t0 = now_us(CLOCK_MONOTONIC);
    SAY(wali_sys_nanosleep(&req, &rem));
    long long dt = now_us(CLOCK_MONOTONIC) - t0;
    say("nanosleep_waited_20ms", dt >= 20000);
    say("nanosleep_not_too_long", dt < 5000000);
    say("rem_untouched_on_success", rem.tv_sec == -1 && rem.tv_nsec == -1);
    req.tv_nsec = 1000000;
    SAY(wali_sys_nanosleep(&req, 0));
    struct wali_timespec zero = {0, 0};
    SAY(wali_sys_nanosleep(&zero, 0));

    /* clock_nanosleep relative on MONOTONIC and REALTIME */
    req.tv_nsec = 15 * 1000000;
    t0 = now_us(CLOCK_MONOTONIC);
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem));
    say("clock_nanosleep_rel_waited", now_us(CLOCK_MONOTONIC) - t0 >= 15000);
    t0 = now_us(CLOCK_MONOTONIC);
    SAY(wali_sys_clock_nanosleep(CLOCK_REALTIME, 0, &req, 0));
    say("clock_nanosleep_realtime_waited", now_us(CLOCK_MONOTONIC) - t0 >= 15000);
    SAY(wali_sys_clock_nanosleep(CLOCK_BOOTTIME, 0, &zero, 0));

    /* absolute: 25 ms ahead, and in the past */
    struct wali_timespec abs;
    MUST(wali_sys_clock_gettime(CLOCK_MONOTONIC, &abs));
    t0 = abs.tv_sec * 1000000 + abs.tv_nsec / 1000;
    abs.tv_nsec += 25 * 1000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0));
    say("abs_reached", now_us(CLOCK_MONOTONIC) - t0 >= 25000);
    struct wali_timespec past = {1, 0};
    t0 = now_us(CLOCK_MONOTONIC);
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0));
    SAY(wali_sys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, 0));
    say("past_returns_at_once", now_us(CLOCK_MONOTONIC) - t0 < 900000); /* not treated as 1 s relative */

    /* errors */
    struct wali_timespec bad = {0, 1000000000};
    SAY(wali_sys_nanosleep(&bad, 0));
    bad.tv_nsec = -1;
    SAY(wali_sys_nanosleep(&bad, 0));
    struct wali_timespec neg = {-1, 0};
    SAY(wali_sys_nanosleep(&neg, 0));
    SAY(wali_sys_nanosleep((struct wali_timespec *)BAD_PTR, 0));
    SAY(wali_sys_nanosleep(0, 0));
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, 0));
    SAY(wali_sys_clock_nanosleep(100, 0, &zero, 0));
    SAY(wali_sys_clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &zero, 0));
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, 0, (struct wali_timespec *)BAD_PTR, 0));
    SAY(wali_sys_clock_nanosleep(CLOCK_MONOTONIC, 0, 0, 0));
    return 0;
}
