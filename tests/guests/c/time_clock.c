/* clock_gettime, clock_getres, gettimeofday: every clock the guest may name, monotonicity, agreement
 * between gettimeofday and CLOCK_REALTIME, errors. Prints facts, not times. */
#include "wali_test.h"

#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6

static int valid(const struct wali_timespec *t) { return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000; }

static void clock(const char *name, int id) {
    struct wali_timespec t = {-1, -1}, u = {-1, -1}, res = {-1, -1};
    long long r1 = wali_sys_clock_gettime(id, &t);
    long long r2 = wali_sys_clock_gettime(id, &u);
    long long r3 = wali_sys_clock_getres(id, &res);
    print(name);
    print(": gettime=");
    print_int(r1);
    print(",");
    print_int(r2);
    print(" valid=");
    print_int(valid(&t) && valid(&u));
    print(" nondecreasing=");
    print_int(u.tv_sec > t.tv_sec || (u.tv_sec == t.tv_sec && u.tv_nsec >= t.tv_nsec));
    print(" getres=");
    print_int(r3);
    print(" res_sane=");
    print_int(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
    print("\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    clock("REALTIME", CLOCK_REALTIME);
    clock("MONOTONIC", CLOCK_MONOTONIC);
    clock("PROCESS_CPUTIME", CLOCK_PROCESS_CPUTIME_ID);
    clock("THREAD_CPUTIME", CLOCK_THREAD_CPUTIME_ID);
    clock("MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
    clock("REALTIME_COARSE", CLOCK_REALTIME_COARSE);
    clock("MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
    clock("BOOTTIME", CLOCK_BOOTTIME);

    struct wali_timespec t;
    MUST(wali_sys_clock_gettime(CLOCK_REALTIME, &t));
    say("realtime_after_2023", t.tv_sec > 1700000000);
    struct wali_timespec res;
    MUST(wali_sys_clock_getres(CLOCK_MONOTONIC, &res));
    say("monotonic_res_ns", res.tv_nsec); /* 1 on every hrtimer kernel */
    MUST(wali_sys_clock_getres(CLOCK_MONOTONIC_COARSE, &res));
    say("coarse_res_ge_1us", res.tv_nsec >= 1000);
    SAY(wali_sys_clock_getres(CLOCK_REALTIME, 0)); /* res may be NULL */

    /* busy work makes the CPU clock advance */
    struct wali_timespec c0, c1;
    MUST(wali_sys_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0));
    volatile unsigned long long x = 0;
    for (int i = 0; i < 3000000; i++) x += (unsigned)i * 7u;
    MUST(wali_sys_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1));
    say("cputime_advanced", (c1.tv_sec - c0.tv_sec) * 1000000000 + (c1.tv_nsec - c0.tv_nsec) > 0);

    /* gettimeofday agrees with CLOCK_REALTIME to within a second */
    struct wali_timeval tv = {-1, -1};
    struct wali_timezone tz = {12345, 12345};
    struct wali_timespec before, after;
    MUST(wali_sys_clock_gettime(CLOCK_REALTIME, &before));
    SAY(wali_sys_gettimeofday(&tv, &tz));
    MUST(wali_sys_clock_gettime(CLOCK_REALTIME, &after));
    say("tv_usec_valid", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    say("tv_between", tv.tv_sec >= before.tv_sec && tv.tv_sec <= after.tv_sec);
    say("tz_written", tz.tz_minuteswest != 12345 && tz.tz_dsttime != 12345);
    SAY(wali_sys_gettimeofday(&tv, 0));
    SAY(wali_sys_gettimeofday(0, &tz));
    SAY(wali_sys_gettimeofday(0, 0));

    /* errors */
    SAY(wali_sys_clock_gettime(100, &t));
    SAY(wali_sys_clock_gettime(-1000, &t));
    SAY(wali_sys_clock_gettime(CLOCK_REALTIME, (struct wali_timespec *)BAD_PTR));
    SAY(wali_sys_clock_gettime(CLOCK_MONOTONIC, 0));
    SAY(wali_sys_clock_getres(100, &res));
    SAY(wali_sys_clock_getres(CLOCK_MONOTONIC, (struct wali_timespec *)BAD_PTR));
    SAY(wali_sys_gettimeofday((struct wali_timeval *)BAD_PTR, 0));
    SAY(wali_sys_gettimeofday(&tv, (struct wali_timezone *)BAD_PTR));
    return 0;
}
