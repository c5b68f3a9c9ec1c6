/* uname, sysinfo, sched_yield, sched_getaffinity. The WALI guest sees the host kernel: uname fields
 * match the native build's (printed where they cannot differ between two processes on one host). */
#include "wali_test.h"

static int popcount64(uint64_t v) {
    int n = 0;
    while (v) {
        n += (int)(v & 1);
        v >>= 1;
    }
    return n;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static struct wali_utsname u;
    wali_memset(&u, 'Z', sizeof u);
    SAY(wali_sys_uname(&u));
    say_str("sysname", u.sysname, -1);
    say_str("machine", u.machine, -1);
    say_str("release", u.release, -1);
    say("nodename_terminated", wali_strlen(u.nodename) < 65);
    say("version_terminated", wali_strlen(u.version) < 65);
    say("domainname_terminated", wali_strlen(u.domainname) < 65);
    SAY(wali_sys_uname((struct wali_utsname *)BAD_PTR));
    SAY(wali_sys_uname(0));

    static struct wali_sysinfo si;
    wali_memset(&si, 0, sizeof si);
    SAY(wali_sys_sysinfo(&si));
    say("uptime_positive", si.uptime > 0);
    say("mem_unit_positive", si.mem_unit > 0);
    say("totalram_positive", si.totalram > 0);
    say("freeram_le_total", si.freeram <= si.totalram);
    say("freeswap_le_total", si.freeswap <= si.totalswap);
    say("procs_positive", si.procs > 0);
    SAY(wali_sys_sysinfo((struct wali_sysinfo *)BAD_PTR));
    SAY(wali_sys_sysinfo(0));

    SAY(wali_sys_sched_yield());
    SAY(wali_sys_sched_yield());

    static struct wali_cpu_set cs;
    wali_memset(&cs, 0, sizeof cs);
    long long n = wali_sys_sched_getaffinity(0, sizeof cs, &cs);
    say("getaffinity_bytes", n); /* the kernel's cpumask size: the same for both builds */
    int cpus = 0;
    for (int i = 0; i < 16; i++) cpus += popcount64(cs.bits[i]);
    say("cpus_in_mask_positive", cpus > 0);
    static struct wali_cpu_set cs2;
    SAY(wali_sys_sched_getaffinity((int)wali_sys_gettid(), sizeof cs2, &cs2) == n);
    say("same_mask_for_own_tid", wali_memcmp(&cs, &cs2, sizeof cs) == 0);
    say("popcount", cpus); /* inherited from the test process, the same for both builds */
    SAY(wali_sys_sched_getaffinity(0, 1, &cs)); /* too small */
    SAY(wali_sys_sched_getaffinity(0, 12, &cs)); /* not a multiple of sizeof(long) */
    SAY(wali_sys_sched_getaffinity(999999999, sizeof cs, &cs));
    SAY(wali_sys_sched_getaffinity(0, sizeof cs, BAD_PTR));
    return 0;
}
