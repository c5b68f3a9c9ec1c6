/* getrlimit, setrlimit, prlimit64, getrusage. RLIMIT_NOFILE is lowered and then enforced: dup fails
 * with EMFILE at the limit. Limit values are printed only where the guest set them itself. */
#include "wali_test.h"

#define RLIMIT_NPROC 6
#define RLIMIT_NLIMITS 16

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    struct wali_rlimit rl, old, nl;
    SAY(wali_sys_getrlimit(RLIMIT_NOFILE, &rl));
    say("nofile_cur_le_max", rl.rlim_cur <= rl.rlim_max);
    say("nofile_cur_ge_64", rl.rlim_cur >= 64);
    struct wali_rlimit saved = rl;
    SAY(wali_sys_getrlimit(RLIMIT_STACK, &rl));
    say("stack_cur_le_max", rl.rlim_cur <= rl.rlim_max);
    SAY(wali_sys_getrlimit(RLIMIT_CPU, &rl));
    SAY(wali_sys_getrlimit(RLIMIT_NLIMITS, &rl));
    SAY(wali_sys_getrlimit(-1, &rl));
    SAY(wali_sys_getrlimit(RLIMIT_NOFILE, (struct wali_rlimit *)BAD_PTR));

    /* setrlimit: lower RLIMIT_NOFILE's soft limit to 16 and see it enforced */
    nl.rlim_cur = 16;
    nl.rlim_max = saved.rlim_max;
    SAY(wali_sys_setrlimit(RLIMIT_NOFILE, &nl));
    SAY(wali_sys_getrlimit(RLIMIT_NOFILE, &rl));
    SAY(rl.rlim_cur);
    say("max_kept", rl.rlim_max == saved.rlim_max);
    long long last = -1, r;
    int got = 0;
    while ((r = wali_sys_dup(0)) >= 0) {
        last = r;
        got++;
    }
    say("dup_stopped_with", r);
    say("last_fd", last);
    for (long long fd = last; got > 0; fd--, got--) MUST(wali_sys_close((int)fd));
    SAY(wali_sys_fcntl(0, F_DUPFD, 16)); /* at the limit: EINVAL */
    SAY(wali_sys_dup2(0, 16)); /* EBADF: beyond the limit */
    nl.rlim_cur = nl.rlim_max + 1; /* cur > max */
    SAY(wali_sys_setrlimit(RLIMIT_NOFILE, &nl));
    SAY(wali_sys_setrlimit(RLIMIT_NLIMITS, &saved));
    SAY(wali_sys_setrlimit(RLIMIT_NOFILE, (struct wali_rlimit *)BAD_PTR));
    SAY(wali_sys_setrlimit(RLIMIT_NOFILE, &saved));
    SAY(wali_sys_getrlimit(RLIMIT_NOFILE, &rl));
    say("restored", rl.rlim_cur == saved.rlim_cur && rl.rlim_max == saved.rlim_max);

    /* prlimit64: get only, set and get the old value at once, other pid, errors */
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, 0, &old));
    say("prlimit_matches_getrlimit", old.rlim_cur == saved.rlim_cur && old.rlim_max == saved.rlim_max);
    nl.rlim_cur = 100;
    nl.rlim_max = saved.rlim_max;
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, &nl, &old));
    say("old_was_saved", old.rlim_cur == saved.rlim_cur);
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, 0, &old));
    SAY(old.rlim_cur);
    SAY(wali_sys_prlimit64((int)wali_sys_getpid(), RLIMIT_NOFILE, &saved, 0));
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, 0, 0));
    SAY(wali_sys_prlimit64(999999999, RLIMIT_NOFILE, 0, &old));
    SAY(wali_sys_prlimit64(0, 99, 0, &old));
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, 0, (struct wali_rlimit *)BAD_PTR));
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, (struct wali_rlimit *)BAD_PTR, 0));
    nl.rlim_cur = 10;
    nl.rlim_max = 5;
    SAY(wali_sys_prlimit64(0, RLIMIT_NOFILE, &nl, 0));
    /* RLIMIT_CORE can be lowered freely */
    struct wali_rlimit core;
    MUST(wali_sys_getrlimit(RLIMIT_CORE, &core));
    nl.rlim_cur = 0;
    nl.rlim_max = core.rlim_max;
    SAY(wali_sys_prlimit64(0, RLIMIT_CORE, &nl, 0));
    SAY(wali_sys_getrlimit(RLIMIT_CORE, &rl));
    SAY(rl.rlim_cur);

    /* getrusage */
    static struct wali_rusage ru;
    volatile unsigned long long x = 0;
    for (int i = 0; i < 2000000; i++) x += (unsigned)i;
    wali_memset(&ru, 0xFF, sizeof ru);
    SAY(wali_sys_getrusage(RUSAGE_SELF, &ru));
    say("utime_valid", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    say("stime_valid", ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
    say("maxrss_positive", ru.ru_maxrss > 0);
    say("minflt_nonneg", ru.ru_minflt >= 0);
    SAY(wali_sys_getrusage(RUSAGE_CHILDREN, &ru));
    say("children_none", ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0);
    SAY(wali_sys_getrusage(RUSAGE_THREAD, &ru));
    SAY(wali_sys_getrusage(5, &ru));
    SAY(wali_sys_getrusage(RUSAGE_SELF, (struct wali_rusage *)BAD_PTR));
    return 0;
}
