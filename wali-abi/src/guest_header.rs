//! The C header our test guests include (`tests/guests/include/wali.h`), generated from the tables.
//!
//! The header lets one C source build two ways:
//! - with `clang --target=wasm32` (flags in `tests/guests/build.sh`), every `wali_sys_<name>` is an
//!   import `wali.SYS_<name>` with exactly the table's signature, the auxiliary imports are
//!   `wali_init`, `wali_proc_exit`, ..., and the header defines `_start`, which follows the WALI start
//!   sequence (§3.1: `__init`, argv through `__cl_*`, `main`, `__deinit`, `__proc_exit`);
//! - with `gcc` on x86_64 Linux, the same names are inline shims over `syscall(2)` that return
//!   `-errno` like the imports, so the test can compare output and exit status of both builds.
//!
//! Stock wasm32 clang has a 32-bit `long`; WALI's is 64-bit. The header therefore spells every i64 as
//! `long long` / `int64_t` and declares structs with fixed-width fields (pointers and `size_t` stay
//! pointers and `size_t`, which gives the guest layout on wasm32 and the kernel layout natively). Every
//! struct size and field offset is checked against `layouts.rs` with `_Static_assert`.
//!
//! The committed copy is compared with [`guest_header`] by a unit test; regenerate it with
//! `cargo run -p cwali-wali-abi --bin cwali-gen-header -- tests/guests/include/wali.h`.

use std::fmt::Write as _;

use crate::consts::{CONSTANTS, Radix};
use crate::layouts::{FieldType, HostLayout, LAYOUTS, Layout, LayoutId};
use crate::syscalls::{AUX_IMPORTS, Aarch64, Arg, ArgKind, AuxOrigin, Dir, Len, SYSCALLS, Syscall};

/// Path of the committed header, relative to the workspace root.
pub const HEADER_PATH: &str = "tests/guests/include/wali.h";

/// Exit status of a guest whose `WALI_CHECK` failed (distinct from a trap's 1).
pub const CHECK_FAILED_STATUS: i32 = 99;

/// Generates the header text.
pub fn guest_header() -> String {
    let mut h = String::new();
    h.push_str(PROLOGUE);
    constants(&mut h);
    structs(&mut h);
    imports(&mut h);
    native_shims(&mut h);
    h.push_str(&HELPERS.replace("@CHECK_FAILED_STATUS@", &CHECK_FAILED_STATUS.to_string()));
    h.push_str(EPILOGUE);
    h
}

const PROLOGUE: &str = r#"/* wali.h - WALI guest header for cwali's test guests.
 *
 * GENERATED from the wali-abi tables (wali-abi/src/guest_header.rs); do not edit. Regenerate with
 *   cargo run -p cwali-wali-abi --bin cwali-gen-header -- tests/guests/include/wali.h
 *
 * One C source builds two ways (tests/guests/build.sh):
 *  - clang --target=wasm32: wali_sys_<name> is the import wali.SYS_<name>; the header defines _start,
 *    which runs the WALI start sequence and calls main(argc, argv). Define WALI_NO_START to write
 *    your own _start. There is no libc: use the helpers at the end of this file.
 *  - gcc, x86_64 Linux: the same names are inline shims over syscall(2) that return -errno like the
 *    imports; glibc's startup calls main. Struct layouts and the fixed-number shims assume x86_64;
 *    on other hosts calls without a host syscall return -ENOSYS.
 *
 * WALI has a 64-bit long but stock wasm32 clang a 32-bit one: every 64-bit value here is long long /
 * int64_t, never long. Every SYS_* import returns long long: the kernel's result or -errno.
 * Constants are x86_64 Linux values (WALI-ABI.md §2); note that SIG_IGN is -2 in WALI (WALI_SIG_IGN).
 */
#ifndef CWALI_WALI_H
#define CWALI_WALI_H

#include <stdint.h>
#include <stddef.h>

#if !defined(__wasm__)
#include <setjmp.h>
long syscall(long number, ...);
int *__errno_location(void);
#endif

typedef __SIZE_TYPE__ wali_size_t;

#define WALI_IMPORT(name) __attribute__((import_module("wali"), import_name(name)))

"#;

fn constants(h: &mut String) {
    h.push_str("/* ---- Constants (x86_64 Linux values) ---- */\n");
    let mut group = "";
    for c in CONSTANTS {
        if c.group != group {
            group = c.group;
            let _ = writeln!(h, "\n/* {group} */");
        }
        let _ = writeln!(h, "#define {} {}", c.name, c_literal(c.value, c.radix));
    }
    h.push_str(
        "\n/* signal handler values as the guest passes them (WALI: SIG_IGN is -2) */\n\
         #define WALI_SIG_DFL ((void (*)(int))0)\n\
         #if defined(__wasm__)\n\
         #define WALI_SIG_IGN ((void (*)(int))-2)\n\
         #else\n\
         #define WALI_SIG_IGN ((void (*)(int))1)\n\
         #endif\n\n",
    );
}

fn c_literal(v: i64, radix: Radix) -> String {
    let wide = v > i64::from(u32::MAX) || v < i64::from(i32::MIN);
    match radix {
        Radix::Dec if wide => format!("{v}LL"),
        Radix::Dec if v > i64::from(i32::MAX) => format!("{v}U"),
        Radix::Dec if v < 0 => format!("({v})"),
        Radix::Dec => format!("{v}"),
        Radix::Hex if v < 0 || wide => format!("0x{:x}ULL", v as u64),
        Radix::Hex => format!("0x{v:x}"),
        Radix::Oct => format!("0{v:o}"),
    }
}

fn field_decl(name: &str, ty: FieldType) -> String {
    match ty {
        FieldType::I8 => format!("int8_t {name}"),
        FieldType::U8 => format!("uint8_t {name}"),
        FieldType::I16 => format!("int16_t {name}"),
        FieldType::U16 => format!("uint16_t {name}"),
        FieldType::I32 => format!("int32_t {name}"),
        FieldType::U32 => format!("uint32_t {name}"),
        FieldType::I64 => format!("int64_t {name}"),
        FieldType::U64 => format!("uint64_t {name}"),
        FieldType::Chars(n) => format!("char {name}[{n}]"),
        FieldType::I32Array(n) => format!("int32_t {name}[{n}]"),
        FieldType::U32Array(n) => format!("uint32_t {name}[{n}]"),
        FieldType::I64Array(n) => format!("int64_t {name}[{n}]"),
        FieldType::U64Array(n) => format!("uint64_t {name}[{n}]"),
        FieldType::Ptr(pointee) => format!("{pointee} *{name}"),
        FieldType::FnPtr(params) => format!("void (*{name})({params})"),
        FieldType::SizeT => format!("wali_size_t {name}"),
        FieldType::Struct(id) => format!("struct wali_{} {name}", id.layout().name),
    }
}

fn structs(h: &mut String) {
    h.push_str(
        "/* ---- Structs (guest layouts, WALI-ABI.md §7; checked below) ---- */\n\n\
         /* epoll_event is packed on wasm32 and in the x86_64 kernel, not in aarch64's. */\n\
         #if defined(__wasm__) || defined(__x86_64__)\n\
         #define WALI_EPOLL_PACKED __attribute__((packed))\n\
         #else\n\
         #define WALI_EPOLL_PACKED\n\
         #endif\n\n",
    );
    for l in LAYOUTS {
        let attr = match (l.packed, l.id) {
            (true, LayoutId::EpollEvent) => "WALI_EPOLL_PACKED ",
            (true, _) => "__attribute__((packed)) ",
            (false, _) => "",
        };
        let _ = writeln!(h, "/* {} */", l.c_name);
        let _ = writeln!(h, "struct {attr}wali_{} {{", l.name);
        for f in l.fields {
            let _ = writeln!(h, "    {};", field_decl(f.name, f.ty));
        }
        h.push_str("};\n\n");
    }
    h.push_str("#if defined(__wasm__)\n");
    for l in LAYOUTS {
        layout_asserts(h, l, l.size, true);
    }
    h.push_str("#elif defined(__x86_64__)\n/* Natively the structs must have the x86_64 kernel's size. */\n");
    for l in LAYOUTS {
        let native = match l.host {
            HostLayout::Different { host_size } => host_size,
            _ => l.size,
        };
        layout_asserts(h, l, native, false);
    }
    h.push_str("#endif\n\n");
}

fn layout_asserts(h: &mut String, l: &Layout, size: u32, offsets: bool) {
    let _ = writeln!(h, "_Static_assert(sizeof(struct wali_{0}) == {size}, \"struct wali_{0} size\");", l.name);
    if offsets {
        for f in l.fields {
            let _ = writeln!(
                h,
                "_Static_assert(__builtin_offsetof(struct wali_{0}, {1}) == {2}, \"wali_{0}.{1}\");",
                l.name, f.name, f.offset
            );
        }
    }
}

/// Layouts whose pointers the header types as `void *` (byte buffers / bit arrays the caller fills
/// with whatever it likes: sockaddr_in, dirent records, sigset words).
fn is_untyped(id: LayoutId) -> bool {
    matches!(id, LayoutId::FdSet | LayoutId::Sigset | LayoutId::CpuSet | LayoutId::Sockaddr | LayoutId::Dirent64)
}

/// The header's C type for a syscall argument.
fn c_param_type(sc: &Syscall, a: &Arg) -> String {
    let constness = |dir: Dir| if dir == Dir::In { "const " } else { "" };
    let layout_ptr = |id: LayoutId, dir: Dir| {
        if is_untyped(id) {
            format!("{}void *", constness(dir))
        } else {
            format!("{}struct wali_{} *", constness(dir), id.layout().name)
        }
    };
    let by_c_type = |dir: Dir| -> String {
        let c = constness(dir);
        match a.c_type {
            "void*" | "char*" if a.kind == ArgKind::Dependent => "void *".into(),
            "void*" => format!("{c}void *"),
            "char*" => format!("{c}char *"),
            "int*" => format!("{c}int *"),
            "socklen_t*" | "gid_t*" => format!("{c}unsigned int *"),
            "sigset_t*" | "fd_set*" | "cpu_set_t*" | "struct sockaddr*" | "struct dirent*" => {
                format!("{c}void *")
            }
            "struct timespec*" => format!("{c}struct wali_timespec *"),
            other => panic!("no header type for {}.{} ({other})", sc.name, a.name),
        }
    };
    match a.kind {
        ArgKind::Scalar { .. } | ArgKind::Fd | ArgKind::OpenFlags | ArgKind::Dependent if !a.c_type.ends_with('*') => {
            match a.c_type {
                "int" | "pid_t" | "clockid_t" | "mode_t" => "int".into(),
                "uid_t" | "gid_t" | "socklen_t" | "unsigned int" => "unsigned int".into(),
                "size_t" => "wali_size_t".into(),
                "long" | "off_t" => "long long".into(),
                "unsigned long" | "nfds_t" => "unsigned long long".into(),
                other => panic!("no header type for {}.{} ({other})", sc.name, a.name),
            }
        }
        ArgKind::Str => "const char *".into(),
        ArgKind::StrArray => "char *const *".into(),
        ArgKind::Struct(s) => layout_ptr(s.layout, s.dir),
        ArgKind::PtrIn(Len::Of(id) | Len::ArrayOf(id, _)) => layout_ptr(id, Dir::In),
        ArgKind::PtrOut(Len::Of(id) | Len::ArrayOf(id, _)) => layout_ptr(id, Dir::Out),
        ArgKind::PtrInOut(Len::Of(id) | Len::ArrayOf(id, _)) => layout_ptr(id, Dir::InOut),
        ArgKind::PtrIn(_) => by_c_type(Dir::In),
        ArgKind::PtrOut(_) => by_c_type(Dir::Out),
        ArgKind::PtrInOut(_) => by_c_type(Dir::InOut),
        ArgKind::MemRange(_) | ArgKind::AddrHint => "void *".into(),
        ArgKind::Dependent => by_c_type(Dir::InOut),
        ArgKind::Scalar { .. } | ArgKind::Fd | ArgKind::OpenFlags => {
            panic!("{}.{}: scalar with pointer type {}", sc.name, a.name, a.c_type)
        }
    }
}

fn param_list(sc: &Syscall) -> String {
    if sc.args.is_empty() {
        return "void".into();
    }
    let params: Vec<String> = sc
        .args
        .iter()
        .map(|a| {
            let t = c_param_type(sc, a);
            if t.ends_with('*') { format!("{t}{}", a.name) } else { format!("{t} {}", a.name) }
        })
        .collect();
    params.join(", ")
}

fn imports(h: &mut String) {
    h.push_str("/* ---- Imports (wasm32) ---- */\n#if defined(__wasm__)\n\n/* syscalls: SYS_<name>, result = kernel result or -errno */\n");
    for sc in SYSCALLS {
        let _ = writeln!(h, "WALI_IMPORT(\"{}\") long long wali_sys_{}({});", sc.import, sc.name, param_list(sc));
    }
    h.push_str("\n/* auxiliary imports (WALI-ABI.md §5.1) */\n");
    for aux in AUX_IMPORTS.iter().filter(|a| a.origin == AuxOrigin::Spec) {
        let decl = aux.c_decl.expect("spec aux imports have a C declaration");
        let _ = writeln!(h, "/* {} */", aux.summary);
        let _ = writeln!(h, "WALI_IMPORT(\"{}\") {decl};", aux.name);
    }
    h.push('\n');
}

fn native_shims(h: &mut String) {
    h.push_str(NATIVE_PROLOGUE);
    for sc in SYSCALLS {
        let a64 = match (sc.nr_aarch64, sc.aarch64) {
            (Some(nr), _) => nr.to_string(),
            (None, Aarch64::Rewrite { .. } | Aarch64::Emulate(_)) => "-1".into(),
            (None, _) => unreachable!(),
        };
        let _ = writeln!(h, "static inline long long wali_sys_{}({}) {{", sc.name, param_list(sc));
        if sc.name == "rt_sigreturn" {
            // The host call needs a signal frame; WALI answers -1 (§10.6).
            h.push_str("    (void)unused;\n    return -1;\n}\n");
            continue;
        }
        let mut args: Vec<String> = sc.args.iter().map(|a| format!("(long)({})", a.name)).collect();
        args.resize(6, "0".into());
        let _ = writeln!(h, "    return wali__syscall(WALI_NR({}, {a64}), {});\n}}", sc.nr_x86_64, args.join(", "));
    }
    let exit_group = crate::syscalls::by_name("exit_group").unwrap();
    let rt_sigreturn = crate::syscalls::by_name("rt_sigreturn").unwrap();
    h.push_str(
        &NATIVE_AUX
            .replace("@EXIT_GROUP_NR@", &format!("{}, {}", exit_group.nr_x86_64, exit_group.nr_aarch64.unwrap()))
            .replace("@RT_SIGRETURN_NR@", &rt_sigreturn.nr_x86_64.to_string()),
    );
}

const NATIVE_PROLOGUE: &str = r#"/* ---- Native shims (gcc): the same names over syscall(2) ---- */
#else /* !__wasm__ */

#if defined(__x86_64__)
#define WALI_NR(x86_64, aarch64) (x86_64)
#elif defined(__aarch64__)
#define WALI_NR(x86_64, aarch64) (aarch64)
#else
#error "wali.h native shims support x86_64 and aarch64 Linux"
#endif

static inline long long wali__syscall(long nr, long a, long b, long c, long d, long e, long f) {
    if (nr < 0) return -ENOSYS;
    long r = syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -(long long)*__errno_location() : (long long)r;
}

"#;

const NATIVE_AUX: &str = r#"
/* auxiliary imports, natively */
static int wali__argc;
static char **wali__argv;
/* glibc passes (argc, argv, envp) to constructors. */
__attribute__((constructor)) static void wali__save_args(int argc, char **argv) {
    wali__argc = argc;
    wali__argv = argv;
}
static inline int wali_init(void) { return 0; }
static inline int wali_deinit(void) { return 0; }
static inline __attribute__((noreturn)) void wali_proc_exit(int status) {
    for (;;) syscall(WALI_NR(@EXIT_GROUP_NR@), (long)status);
}
static inline unsigned wali_cl_get_argc(void) { return (unsigned)wali__argc; }
static inline unsigned wali_cl_get_argv_len(unsigned idx) {
    unsigned n = 0;
    while (wali__argv[idx][n]) n++;
    return n;
}
static inline int wali_cl_copy_argv(char *buf, unsigned idx) {
    unsigned i = 0;
    do buf[i] = wali__argv[idx][i]; while (wali__argv[idx][i++]);
    return 0;
}
static inline int wali_get_init_envfile(char *buf, unsigned size) { (void)buf; (void)size; return 0; }
static inline int wali_thread_spawn(void (*start)(int tid, void *arg), void *arg) {
    (void)start; (void)arg;
    return -1;
}
#define wali_setjmp(env) setjmp(*(jmp_buf *)(void *)(env))
#define wali_sigsetjmp(env, savesigs) sigsetjmp(*(sigjmp_buf *)(void *)(env), savesigs)
#define wali_longjmp(env, val) longjmp(*(jmp_buf *)(void *)(env), val)

#if defined(__x86_64__)
/* x86_64 signal handlers need SA_RESTORER with a trampoline that calls rt_sigreturn. */
__asm__(".pushsection .text\n\t.p2align 4\nwali__restore_rt:\n\tmovq $@RT_SIGRETURN_NR@, %rax\n\tsyscall\n\t.popsection\n");
extern void wali__restore_rt(void);
#endif

#endif /* __wasm__ */

"#;

const HELPERS: &str = r#"/* ---- Helpers (no libc) ---- */

static inline wali_size_t wali_strlen(const char *s) {
    wali_size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline int wali_strcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
static inline int wali_streq(const char *a, const char *b) { return wali_strcmp(a, b) == 0; }
static inline void *wali_memcpy(void *d, const void *s, wali_size_t n) { return __builtin_memcpy(d, s, n); }
static inline void *wali_memset(void *d, int c, wali_size_t n) { return __builtin_memset(d, c, n); }
static inline int wali_memcmp(const void *a, const void *b, wali_size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (wali_size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}

#if defined(__wasm__)
/* clang may emit calls to these for struct copies and initialisers. With -mbulk-memory the builtins
 * become memory.copy / memory.fill, never calls back into these functions. */
__attribute__((weak)) void *memcpy(void *d, const void *s, wali_size_t n) { return __builtin_memcpy(d, s, n); }
__attribute__((weak)) void *memmove(void *d, const void *s, wali_size_t n) { return __builtin_memmove(d, s, n); }
__attribute__((weak)) void *memset(void *d, int c, wali_size_t n) { return __builtin_memset(d, c, n); }
__attribute__((weak)) int memcmp(const void *a, const void *b, wali_size_t n) { return wali_memcmp(a, b, n); }
#endif

/* Writes all of buf to fd (retrying short writes and EINTR); returns 0 or -errno. */
static inline long long wali_write_all(int fd, const void *buf, wali_size_t n) {
    const char *p = (const char *)buf;
    while (n > 0) {
        long long r = wali_sys_write(fd, p, n);
        if (r == -EINTR) continue;
        if (r < 0) return r;
        if (r == 0) return -EIO;
        p += r;
        n -= (wali_size_t)r;
    }
    return 0;
}
static inline void fprint(int fd, const char *s) { wali_write_all(fd, s, wali_strlen(s)); }
static inline void print(const char *s) { fprint(1, s); }
static inline void eprint(const char *s) { fprint(2, s); }
static inline void fprint_char(int fd, char c) { wali_write_all(fd, &c, 1); }
static inline void print_char(char c) { fprint_char(1, c); }
static inline void fprint_uint(int fd, unsigned long long v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do buf[--i] = (char)('0' + v % 10); while (v /= 10);
    fprint(fd, buf + i);
}
static inline void fprint_int(int fd, long long v) {
    if (v < 0) {
        fprint_char(fd, '-');
        fprint_uint(fd, 0ULL - (unsigned long long)v);
    } else {
        fprint_uint(fd, (unsigned long long)v);
    }
}
static inline void fprint_hex(int fd, unsigned long long v) {
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do buf[--i] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    buf[--i] = 'x';
    buf[--i] = '0';
    fprint(fd, buf + i);
}
static inline void print_int(long long v) { fprint_int(1, v); }
static inline void print_uint(unsigned long long v) { fprint_uint(1, v); }
static inline void print_hex(unsigned long long v) { fprint_hex(1, v); }
/* print("name=") print_int(v) print("\n") in one call */
static inline void print_kv(const char *key, long long v) {
    print(key);
    print_char('=');
    print_int(v);
    print_char('\n');
}

/* WALI_CHECK(cond): on failure print the condition and line to stderr and exit with status
 * WALI_CHECK_FAILED_STATUS (a trap exits with 1). */
#define WALI_CHECK_FAILED_STATUS @CHECK_FAILED_STATUS@
static inline __attribute__((noreturn)) void wali_check_failed(const char *what, int line) {
    eprint("CHECK failed: ");
    eprint(what);
    eprint(" (line ");
    fprint_int(2, line);
    eprint(")\n");
    wali_proc_exit(WALI_CHECK_FAILED_STATUS);
}
#define WALI_CHECK(cond) do { if (!(cond)) wali_check_failed(#cond, __LINE__); } while (0)

/* wait status decoding */
#define WALI_WIFEXITED(s) (((s) & 0x7f) == 0)
#define WALI_WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WALI_WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WALI_WTERMSIG(s) ((s) & 0x7f)

/* Installs handler fn (or WALI_SIG_DFL / WALI_SIG_IGN) for sig with rt_sigaction, the same way in
 * both builds (natively on x86_64 with the SA_RESTORER trampoline the kernel requires). */
static inline long long wali_signal(int sig, void (*fn)(int), unsigned long long flags) {
    struct wali_k_sigaction sa;
    wali_memset(&sa, 0, sizeof sa);
    sa.handler = fn;
    sa.flags = flags;
#if !defined(__wasm__) && defined(__x86_64__)
    sa.flags |= SA_RESTORER;
    sa.restorer = wali__restore_rt;
#endif
    return wali_sys_rt_sigaction(sig, &sa, 0, KERNEL_SIGSET_SIZE);
}

"#;

const EPILOGUE: &str = r#"/* ---- Entry (wasm32) ---- */
#if defined(__wasm__) && !defined(WALI_NO_START)
int main(int argc, char **argv);

/* The WALI start sequence (WALI-ABI.md §3.1, as the WALI test programs do it): __init, argv through
 * the __cl_* imports (copied to this frame), main, then __proc_exit(main's value) if it is non-zero,
 * else __proc_exit(__deinit()). The environment stays empty (no env file is read). */
__attribute__((export_name("_start"))) void _start(void) {
    int r = wali_init();
    if (r != 0) wali_proc_exit(r);
    unsigned argc = wali_cl_get_argc();
    wali_size_t total = 1;
    for (unsigned i = 0; i < argc; i++) total += wali_cl_get_argv_len(i) + 1;
    char strings[total];
    char *argv[argc + 1];
    char *p = strings;
    for (unsigned i = 0; i < argc; i++) {
        argv[i] = p;
        wali_cl_copy_argv(p, i);
        p += wali_cl_get_argv_len(i) + 1;
    }
    argv[argc] = 0;
    r = main((int)argc, argv);
    if (r != 0) wali_proc_exit(r);
    wali_proc_exit(wali_deinit());
}
#endif

#endif /* CWALI_WALI_H */
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn committed_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(HEADER_PATH)
    }

    #[test]
    fn committed_header_is_up_to_date() {
        let path = committed_path();
        let generated = guest_header();
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is out of date with the wali-abi tables.\nRegenerate it from the workspace root with:\n  \
             cargo run -p cwali-wali-abi --bin cwali-gen-header -- {HEADER_PATH}\n\
             and rebuild the guests with tests/guests/build.sh",
            path.display()
        );
    }

    #[test]
    fn every_syscall_and_spec_aux_is_declared() {
        let h = guest_header();
        for sc in SYSCALLS {
            assert!(h.contains(&format!("WALI_IMPORT(\"{}\") long long wali_sys_{}(", sc.import, sc.name)));
            assert!(h.contains(&format!("static inline long long wali_sys_{}(", sc.name)));
        }
        for aux in AUX_IMPORTS.iter().filter(|a| a.origin == AuxOrigin::Spec) {
            assert!(h.contains(&format!("WALI_IMPORT(\"{}\")", aux.name)), "{}", aux.name);
        }
        // The i64 rule: no plain `long` parameter may reach a wasm32 prototype.
        for line in h.lines().filter(|l| l.starts_with("WALI_IMPORT")) {
            let params = &line[line.find("wali_").unwrap()..].replace("long long", "");
            let mut words = params.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            assert!(!words.any(|w| w == "long"), "32-bit long in {line}");
        }
        assert!(h.contains("WALI_IMPORT(\"SYS_read\") long long wali_sys_read(int fd, void *buf, wali_size_t count);"));
        assert!(h.contains("wali_sys_lseek(int fd, long long offset, int whence);"));
    }

    #[test]
    fn literals() {
        assert_eq!(c_literal(-100, Radix::Dec), "(-100)");
        assert_eq!(c_literal(0o2000000, Radix::Oct), "02000000");
        assert_eq!(c_literal(0x80000000, Radix::Hex), "0x80000000");
        assert_eq!(c_literal(-1, Radix::Hex), "0xffffffffffffffffULL");
        assert_eq!(c_literal(0, Radix::Oct), "00");
    }

    fn have(tool: &str) -> bool {
        Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
    }

    fn syntax_check(compiler: &str, extra: &[&str]) {
        let dir = std::env::temp_dir().join(format!("cwali-wali-h-{}-{compiler}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("wali.h"), guest_header()).unwrap();
        let src = dir.join("t.c");
        std::fs::write(
            &src,
            "#include \"wali.h\"\nint main(int argc, char **argv) { (void)argv; print_int(argc); return 0; }\n",
        )
        .unwrap();
        let out = Command::new(compiler)
            .args(extra)
            .args(["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function"])
            .arg(&src)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(out.status.success(), "{compiler} rejects the header:\n{}", String::from_utf8_lossy(&out.stderr));
    }

    /// The `_Static_assert`s check every struct against layouts.rs as clang lays it out for wasm32.
    #[test]
    fn header_compiles_for_wasm32() {
        if !have("clang-19") {
            eprintln!("skipped: clang-19 not found");
            return;
        }
        syntax_check("clang-19", &["--target=wasm32", "-matomics", "-mbulk-memory"]);
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn header_compiles_natively() {
        if !have("gcc") {
            eprintln!("skipped: gcc not found");
            return;
        }
        syntax_check("gcc", &[]);
    }
}
