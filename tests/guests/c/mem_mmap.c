/* mmap, munmap, mremap, mprotect, msync, madvise, brk: success and error paths.
 *
 * Addresses differ between the builds, so only facts about them are printed (alignment, contents,
 * disjointness). Faults (writing a read-only page, touching an unmapped one) are provoked in forked
 * children, whose killing signal the parent prints. brk differs by design (WALI returns 0, §8.5):
 * only "not an error" is printed here; `mem_mmap brk` prints the raw value for a Rust-side check. */
#include "wali.h"

#define PG 4096

/* "what=ok" for a non-negative result, else "what=-errno". */
static void show(const char *what, long long r) {
    print(what);
    print("=");
    if (r >= 0)
        print("ok");
    else
        print_int(r);
    print("\n");
}

static unsigned sum(const volatile unsigned char *p, unsigned n) {
    unsigned s = 0;
    for (unsigned i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

static int all_zero(const volatile unsigned char *p, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* Fork; the child reads or writes *addr and exits 0 if that did not kill it. */
static void probe(const char *what, volatile unsigned char *addr, int write) {
    long long pid = wali_sys_fork();
    if (pid == 0) {
        if (write)
            *addr = 1;
        else
            (void)*addr;
        wali_sys_exit_group(0);
    }
    int st = 0;
    long long r = wali_sys_wait4((int)pid, &st, 0, 0);
    print(what);
    if (r != pid)
        print(": wait4 failed");
    else if (WALI_WIFSIGNALED(st)) {
        print(": killed by signal ");
        print_int(WALI_WTERMSIG(st));
    } else {
        print(": exit ");
        print_int(WALI_WEXITSTATUS(st));
    }
    print("\n");
}

#define PTR(x) ((volatile unsigned char *)(uintptr_t)(x))

int main(int argc, char **argv) {
    if (argc > 1 && wali_streq(argv[1], "brk")) {
        long long r = wali_sys_brk(0);
        print_kv("brk0", r);
        return 0;
    }

    /* anonymous private mapping */
    long long a = wali_sys_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap anon", a);
    WALI_CHECK(a >= 0);
    volatile unsigned char *p = PTR(a);
    print_kv("aligned", (a & (PG - 1)) == 0);
    print_kv("zeroed", all_zero(p, 3 * PG));
    for (unsigned i = 0; i < 3 * PG; i++) p[i] = (unsigned char)(i * 7 + 3);
    unsigned s3 = sum(p, 3 * PG);
    print_kv("sum", s3);

    long long b = wali_sys_mmap(0, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap small", b);
    print_kv("disjoint", b + PG <= a || b >= a + 3 * PG);
    PTR(b)[99] = 5;
    print_kv("small rw", PTR(b)[99]);

    /* a bigger one: the memory must grow to hold it */
    long long big = wali_sys_mmap(0, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap 64M", big);
    PTR(big)[0] = 1;
    PTR(big)[(64 << 20) - 1] = 2;
    print_kv("64M ends", PTR(big)[0] + PTR(big)[(64 << 20) - 1]);
    show("munmap 64M", wali_sys_munmap((void *)(uintptr_t)big, 64 << 20));

    /* mmap errors */
    show("mmap len 0", wali_sys_mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    show("mmap no type", wali_sys_mmap(0, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
    show("mmap bad fd", wali_sys_mmap(0, PG, PROT_READ, MAP_PRIVATE, 999, 0));
    show("mmap fd -1 file", wali_sys_mmap(0, PG, PROT_READ, MAP_SHARED, -1, 0));

    /* mprotect */
    show("mprotect ro", wali_sys_mprotect((void *)p, PG, PROT_READ));
    print_kv("ro read", p[10]);
    probe("write ro page", p + 10, 1);
    probe("read ro page", p + 10, 0);
    show("mprotect rw", wali_sys_mprotect((void *)p, PG, PROT_READ | PROT_WRITE));
    p[10] = 77;
    print_kv("rw again", p[10]);
    show("mprotect unaligned", wali_sys_mprotect((void *)(p + 1), PG, PROT_READ));
    show("mprotect bad prot", wali_sys_mprotect((void *)p, PG, 0x100));
    show("mprotect none", wali_sys_mprotect((void *)(p + 2 * PG), PG, PROT_NONE));
    probe("read none page", p + 2 * PG, 0);
    show("mprotect back", wali_sys_mprotect((void *)(p + 2 * PG), PG, PROT_READ | PROT_WRITE));
    print_kv("kept", p[2 * PG + 5] == (unsigned char)((2 * PG + 5) * 7 + 3));

    /* msync */
    show("msync sync", wali_sys_msync((void *)p, PG, MS_SYNC));
    show("msync async", wali_sys_msync((void *)p, 3 * PG, MS_ASYNC));
    show("msync both", wali_sys_msync((void *)p, PG, MS_SYNC | MS_ASYNC));
    show("msync unaligned", wali_sys_msync((void *)(p + 1), PG, MS_SYNC));
    show("msync bad flag", wali_sys_msync((void *)p, PG, 0x100));

    /* madvise */
    show("madvise willneed", wali_sys_madvise((void *)p, PG, MADV_WILLNEED));
    show("madvise dontneed", wali_sys_madvise((void *)(p + PG), PG, MADV_DONTNEED));
    print_kv("dontneed zeroed", all_zero(p + PG, PG));
    print_kv("neighbour kept", p[PG - 1] == (unsigned char)((PG - 1) * 7 + 3));
    show("madvise unaligned", wali_sys_madvise((void *)(p + 1), PG, MADV_NORMAL));
    show("madvise bad advice", wali_sys_madvise((void *)p, PG, 12345));

    /* mremap: grow (may move), contents kept, new tail zero; shrink in place */
    for (unsigned i = 0; i < 3 * PG; i++) p[i] = (unsigned char)(i * 13 + 1);
    s3 = sum(p, 3 * PG);
    long long c = wali_sys_mremap((void *)p, 3 * PG, 8 * PG, MREMAP_MAYMOVE, 0);
    show("mremap grow", c);
    WALI_CHECK(c >= 0);
    volatile unsigned char *q = PTR(c);
    print_kv("grow kept", sum(q, 3 * PG) == s3);
    print_kv("grow tail zero", all_zero(q + 3 * PG, 5 * PG));
    q[8 * PG - 1] = 9;
    print_kv("grow tail rw", q[8 * PG - 1]);
    long long d = wali_sys_mremap((void *)q, 8 * PG, 2 * PG, 0, 0);
    show("mremap shrink", d);
    print_kv("shrink same addr", d == c);
    print_kv("shrink kept", sum(q, 2 * PG) == sum(q, 2 * PG) && q[PG + 3] == (unsigned char)((PG + 3) * 13 + 1));
    probe("read past shrunk end", q + 3 * PG, 0);
    show("mremap unaligned", wali_sys_mremap((void *)(q + 1), PG, 2 * PG, MREMAP_MAYMOVE, 0));
    show("mremap new 0", wali_sys_mremap((void *)q, PG, 0, MREMAP_MAYMOVE, 0));
    show("mremap bad flags", wali_sys_mremap((void *)q, PG, 2 * PG, 0x80, 0));
    show("mremap fixed without maymove", wali_sys_mremap((void *)q, PG, PG, MREMAP_FIXED, (void *)(q + 4 * PG)));

    /* munmap */
    show("munmap small", wali_sys_munmap((void *)(uintptr_t)b, 100));
    probe("read unmapped", PTR(b), 0);
    show("munmap unaligned", wali_sys_munmap((void *)(q + 1), PG));
    show("munmap len 0", wali_sys_munmap((void *)q, 0));
    show("munmap again", wali_sys_munmap((void *)(uintptr_t)b, PG));
    show("mremap unmapped", wali_sys_mremap((void *)(uintptr_t)b, PG, 2 * PG, MREMAP_MAYMOVE, 0));
    show("munmap rest", wali_sys_munmap((void *)q, 2 * PG));

    /* address reuse: map, unmap, map again still works and is zeroed */
    long long e = wali_sys_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap after unmap", e);
    print_kv("fresh zeroed", all_zero(PTR(e), 2 * PG));

    /* unmapping a range with a hole in it frees each page once: later mappings are distinct */
    long long h = wali_sys_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("munmap middle", wali_sys_munmap((void *)(uintptr_t)(h + PG), PG));
    show("munmap with hole", wali_sys_munmap((void *)(uintptr_t)h, 3 * PG));
    long long m4[4];
    for (int i = 0; i < 4; i++) {
        m4[i] = wali_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        PTR(m4[i])[0] = (unsigned char)(i + 1);
    }
    int distinct = 1;
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) distinct &= m4[i] != m4[j];
    print_kv("distinct after hole", distinct);
    print_kv("own values", PTR(m4[0])[0] * 1000 + PTR(m4[1])[0] * 100 + PTR(m4[2])[0] * 10 + PTR(m4[3])[0]);
    for (int i = 0; i < 4; i++) wali_sys_munmap((void *)(uintptr_t)m4[i], PG);

    /* MAP_FIXED inside a PROT_NONE reservation (how allocators commit memory) */
    long long r = wali_sys_mmap(0, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("reserve", r);
    long long f = wali_sys_mmap((void *)(uintptr_t)(r + 2 * PG), 2 * PG, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    print_kv("fixed at requested address", f == r + 2 * PG);
    for (unsigned i = 0; i < 2 * PG; i++) PTR(f)[i] = (unsigned char)(i * 3);
    unsigned fs = sum(PTR(f), 2 * PG);
    probe("read reserved page", PTR(r + PG), 0);
    show("fixed unaligned", wali_sys_mmap((void *)(uintptr_t)(r + 100), PG, PROT_READ,
                                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    show("noreplace over mapping", wali_sys_mmap((void *)(uintptr_t)(r + 6 * PG), PG, PROT_READ,
                                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    show("unmap reserved page", wali_sys_munmap((void *)(uintptr_t)(r + 7 * PG), PG));
    long long nr = wali_sys_mmap((void *)(uintptr_t)(r + 7 * PG), PG, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    print_kv("noreplace into hole", nr == r + 7 * PG);
    PTR(nr)[0] = 1;
    /* mremap to a chosen address */
    long long mv = wali_sys_mremap((void *)(uintptr_t)f, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
                                   (void *)(uintptr_t)(r + 4 * PG));
    print_kv("mremap fixed at requested address", mv == r + 4 * PG);
    print_kv("mremap fixed kept", sum(PTR(r + 4 * PG), 2 * PG) == fs);
    probe("read moved-from page", PTR(f), 0);
    show("mremap fixed overlapping", wali_sys_mremap((void *)(uintptr_t)(r + 4 * PG), 2 * PG, 2 * PG,
                                                     MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(uintptr_t)(r + 5 * PG)));
    show("mremap fixed unaligned", wali_sys_mremap((void *)(uintptr_t)(r + 4 * PG), PG, PG,
                                                   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(uintptr_t)(r + 100)));
    show("munmap reservation", wali_sys_munmap((void *)(uintptr_t)r, 8 * PG));

    /* MAP_SHARED anonymous memory is shared with a forked child; MAP_PRIVATE is not */
    long long sh = wali_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    show("mmap shared", sh);
    PTR(sh)[0] = 'P';
    PTR(e)[0] = 'P';
    long long pid = wali_sys_fork();
    if (pid == 0) {
        PTR(sh)[0] = 'C';
        PTR(e)[0] = 'C';
        wali_sys_exit_group(0);
    }
    int st = -1;
    wali_sys_wait4((int)pid, &st, 0, 0);
    print_kv("child exit", WALI_WEXITSTATUS(st));
    print("shared sees ");
    print_char((char)PTR(sh)[0]);
    print(", private sees ");
    print_char((char)PTR(e)[0]);
    print("\n");

    /* Mapped, written, unmapped, mapped again, many times (what malloc does with small groups):
     * every mapping starts zeroed, and the unmapped pages fault. */
    int reuse_zeroed = 1;
    long long last = -1;
    for (int i = 0; i < 64; i++) {
        long long a = wali_sys_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a < 0 || !all_zero(PTR(a), 2 * PG)) reuse_zeroed = 0;
        for (unsigned j = 0; a >= 0 && j < 2 * PG; j += 512) PTR(a)[j] = (unsigned char)(j / 512 + 1);
        if (a >= 0) wali_sys_munmap((void *)(uintptr_t)a, 2 * PG);
        last = a;
    }
    print_kv("reused mappings zeroed", reuse_zeroed);
    probe("read small unmapped", PTR(last), 0);
    /* A shared mapping unmapped, then a private one: it shares nothing with a child. */
    long long sh2 = wali_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    PTR(sh2)[0] = 'S';
    wali_sys_munmap((void *)(uintptr_t)sh2, PG);
    long long pv = wali_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    print_kv("private after shared zeroed", all_zero(PTR(pv), PG));
    PTR(pv)[0] = 'P';
    long long kid = wali_sys_fork();
    if (kid == 0) {
        PTR(pv)[0] = 'C';
        wali_sys_exit_group(0);
    }
    wali_sys_wait4((int)kid, 0, 0, 0);
    print("private after shared sees ");
    print_char((char)PTR(pv)[0]);
    print("\n");

    /* brk: an address (native) or 0 (WALI), never an error */
    print_kv("brk not error", wali_sys_brk(0) >= 0);
    return 0;
}
