/* Time and locale through the libc: clocks, sleeping, gmtime/localtime/mktime/strftime under
 * POSIX TZ strings (no zoneinfo files needed), strptime-free parsing, and the C/POSIX and C.UTF-8
 * locales (multibyte conversion, ctype, localeconv, strcoll). */
#define _GNU_SOURCE
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>
#include <sys/time.h>

static void show_tz(const char *tz, time_t t) {
    setenv("TZ", tz, 1);
    tzset();
    struct tm lt;
    localtime_r(&t, &lt);
    char buf[128];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z %z wday=%w yday=%j dst=", &lt);
    printf("%-28s %s%d\n", tz, buf, lt.tm_isdst > 0);
    /* mktime inverts localtime. */
    printf("%-28s mktime round trip=%d\n", tz, mktime(&lt) == t);
}

int main(void) {
    struct timespec a, b, res;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("nanosleep 20ms took >= 20ms: %d, < 2s: %d\n", ms >= 20, ms < 2000);
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution <= 1ms: %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t now = time(NULL);
    printf("time() and gettimeofday agree: %d, after 2020: %d\n", labs((long)(now - tv.tv_sec)) <= 1, now > 1577836800);
    clock_t c0 = clock();
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 20000000; i++) spin += i;
    printf("clock() advances: %d\n", clock() > c0);
    struct timespec cpu;
    printf("process cputime readable: %d\n", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0);

    time_t fixed = 1700000000; /* 2023-11-14 22:13:20 UTC */
    struct tm g;
    gmtime_r(&fixed, &g);
    char buf[128];
    strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y|%D|%T|%s", &g);
    printf("gmtime: %s\n", buf);
    printf("timegm round trip=%d\n", timegm(&g) == fixed);
    show_tz("UTC0", fixed);
    show_tz("EST5EDT,M3.2.0,M11.1.0", fixed);
    show_tz("EST5EDT,M3.2.0,M11.1.0", 1690000000); /* July: daylight time */
    show_tz("CET-1CEST,M3.5.0,M10.5.0/3", 1690000000);
    show_tz("<+0530>-5:30", fixed);
    /* mktime normalises out-of-range fields. */
    setenv("TZ", "UTC0", 1);
    tzset();
    struct tm n = {.tm_year = 124, .tm_mon = 1, .tm_mday = 30, .tm_hour = 25};
    time_t nt = mktime(&n);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &n);
    printf("normalised 2024-02-30 25:00 -> %s (%lld)\n", buf, (long long)nt);
    char *ct = asctime(&n);
    printf("asctime: %s", ct);

    /* Locales: "C" by default; C.UTF-8 enables multibyte conversion. */
    printf("default locale=%s\n", setlocale(LC_ALL, NULL));
    const char *utf8 = "h\xc3\xa9llo \xe2\x82\xac";
    printf("setlocale C.UTF-8 ok=%d\n", setlocale(LC_CTYPE, "C.UTF-8") != NULL);
    wchar_t w[16];
    size_t wn = mbstowcs(w, utf8, 16);
    printf("mbstowcs=%zu euro=U+%04X e-acute=U+%04X MB_CUR_MAX>=4: %d\n", wn, (unsigned)w[6], (unsigned)w[1], MB_CUR_MAX >= 4);
    char back[32];
    size_t bn = wcstombs(back, w, sizeof back);
    printf("wcstombs=%zu same=%d\n", bn, strcmp(back, utf8) == 0);
    printf("towupper(e-acute)=U+%04X iswalpha=%d wcwidth(euro)=%d\n", (unsigned)towupper(0xe9), !!iswalpha(0xe9), wcwidth(0x20ac));
    setlocale(LC_ALL, "C");
    struct lconv *lc = localeconv();
    printf("decimal point='%s' thousands='%s'\n", lc->decimal_point, lc->thousands_sep);
    printf("strcoll order=%d %d\n", strcoll("apple", "banana") < 0, strcoll("b", "a") > 0);
    printf("printf float in C locale=%.3f strtod=%.2f\n", 1234.5678, strtod("2.50", NULL));
    return 0;
}
