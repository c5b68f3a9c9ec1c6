//! Hostile-guest fuzzer: random sequences of WALI calls with random and edge-case pointers,
//! run under the real `cwali` binary. The runtime must survive every one: the guest ends by its
//! own `exit` (or a timeout, for a call that blocks), never by a crash of the runtime (a signal
//! the program did not ask for, a panic, "fatal runtime error", an abort).
//!
//! Each module: a 1 MiB memory with a page the guest makes inaccessible, one read-only page, a
//! MAP_SHARED file mapping it truncates, then ~60 calls. Arguments come from a pool of interesting
//! values: 0, -1, small integers, fds 0-6, addresses at and past the end of memory, inside the
//! protected pages, and random ones. Calls that act outside the process (kill, execve, connect,
//! path-changing file calls, prlimit on other pids) or that block by design are not generated.
//!
//! usage: cwali-walifuzz --cwali target/release/cwali [--seconds N] [--seed S] [--calls N]
//! A failing module is written to `target/walifuzz-failures/`.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use cwali_wali_abi::syscalls::{SYSCALLS, Syscall, ValType};

#[derive(Parser)]
struct Args {
    /// The cwali binary to attack.
    #[arg(long)]
    cwali: PathBuf,
    /// How long to run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// First seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Calls per module.
    #[arg(long, default_value_t = 60)]
    calls: usize,
    /// Run each module with these extra `cwali run` options as well (e.g. `--trace`).
    #[arg(long)]
    also: Vec<String>,
}

/// Syscalls never generated: they act outside this process or block by design.
const EXCLUDED: &[&str] = &[
    "kill", "tkill", "execve", "fork", "exit", "exit_group", "connect", "sendto", "sendmsg", "accept", "accept4",
    "unlink", "unlinkat", "rmdir", "rename", "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod",
    "fchmodat", "chown", "fchownat", "mkdir", "mkdirat", "utimensat", "chroot", "prlimit64", "setrlimit", "futex",
    "nanosleep", "clock_nanosleep", "rt_sigsuspend", "poll", "ppoll", "select", "pselect6", "epoll_pwait",
    "wait4", "recvfrom", "recvmsg", "read", "readv", "pread64", "setuid", "setgid", "setreuid", "setregid",
    "setresuid", "setresgid", "setgroups", "setsid", "setpgid", "rt_sigreturn", "flock", "fcntl",
];

/// xorshift64*: deterministic per seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MEM: u64 = 1 << 20;
const NONE_PAGE: u64 = 0x80000;
const RO_PAGE: u64 = 0x81000;
/// The first mmap lands at the end of the initial memory (the mmap region starts there).
const SHARED: u64 = MEM;

fn value(rng: &mut Rng) -> i64 {
    let pool: [i64; 24] = [
        0,
        -1,
        1,
        2,
        3,
        4,
        5,
        6,
        64,
        4096,
        0x1000,
        0x10000,
        (MEM - 1) as i64,
        MEM as i64,
        (MEM - 4) as i64,
        (MEM + 4096) as i64,
        NONE_PAGE as i64,
        (NONE_PAGE + 4090) as i64,
        RO_PAGE as i64,
        (RO_PAGE - 3) as i64,
        SHARED as i64,
        0xFFFF_FFF0,
        0x7FFF_FFFF,
        i32::MIN as i64,
    ];
    match rng.below(4) {
        0 => rng.next() as i64,
        1 => rng.below(MEM) as i64,
        _ => pool[rng.below(pool.len() as u64) as usize],
    }
}

fn candidates() -> Vec<&'static Syscall> {
    SYSCALLS.iter().filter(|s| !EXCLUDED.contains(&s.name)).collect()
}

/// One module in WAT: set-up, then the random calls, then exit(0).
fn module(seed: u64, calls: usize) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let pool = candidates();
    let chosen: Vec<&Syscall> = (0..calls).map(|_| pool[rng.below(pool.len() as u64) as usize]).collect();
    let mut imports: Vec<&Syscall> = chosen.clone();
    for name in ["mprotect", "mmap", "openat", "ftruncate", "exit_group"] {
        imports.push(SYSCALLS.iter().find(|s| s.name == name).unwrap());
    }
    imports.sort_by_key(|s| s.name);
    imports.dedup_by_key(|s| s.name);
    let ty = |t: ValType| if t == ValType::I32 { "i32" } else { "i64" };
    let mut w = String::from("(module\n");
    for s in &imports {
        let params: Vec<&str> = s.params().map(ty).collect();
        w += &format!(
            "  (import \"wali\" \"{}\" (func ${} (param {}) (result i64)))\n",
            s.import,
            s.name,
            params.join(" ")
        );
    }
    w += "  (memory (export \"memory\") 16 32)\n";
    w += "  (data (i32.const 0x100) \"walifuzz-file\\00\")\n";
    w += "  (data (i32.const 0x200) \"/proc/self/mem\\00\")\n";
    w += "  (func (export \"_start\")\n";
    w += "    (local $fd i64)\n";
    // The inaccessible and read-only pages, and a truncated MAP_SHARED file mapping.
    w += &format!("    (drop (call $mprotect (i32.const {NONE_PAGE}) (i32.const 4096) (i32.const 0)))\n");
    w += &format!("    (drop (call $mprotect (i32.const {RO_PAGE}) (i32.const 4096) (i32.const 1)))\n");
    w += "    (local.set $fd (call $openat (i32.const -100) (i32.const 0x100) (i32.const 66) (i32.const 384)))\n";
    w += "    (drop (call $ftruncate (i32.wrap_i64 (local.get $fd)) (i64.const 8192)))\n";
    w += &format!(
        "    (drop (call $mmap (i32.const 0) (i32.const 8192) (i32.const 3) (i32.const 1) (i32.wrap_i64 (local.get $fd)) (i64.const 0)))\n"
    );
    w += "    (drop (call $ftruncate (i32.wrap_i64 (local.get $fd)) (i64.const 0)))\n";
    for s in &chosen {
        let args: Vec<String> = s
            .params()
            .map(|t| {
                let v = value(&mut rng);
                if t == ValType::I32 { format!("(i32.const {})", v as i32) } else { format!("(i64.const {v})") }
            })
            .collect();
        w += &format!("    (drop (call ${} {}))\n", s.name, args.join(" "));
    }
    w += "    (drop (call $exit_group (i32.const 0))))\n)\n";
    w
}

enum Verdict {
    Ok,
    Timeout,
    Crash(String),
}

fn run(cwali: &PathBuf, wasm: &PathBuf, extra: &[String], dir: &PathBuf) -> Verdict {
    let mut child = Command::new(cwali)
        .arg("run")
        .args(extra)
        .arg(wasm)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cwali");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait") {
            Some(status) => {
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err);
                let bad_text = ["panicked", "fatal runtime error", "RUST_BACKTRACE", "double free", "corrupted"]
                    .iter()
                    .find(|t| err.contains(*t));
                return match (status.code(), status.signal(), bad_text) {
                    (_, _, Some(t)) => Verdict::Crash(format!("stderr has {t:?}: {err}")),
                    (Some(0), _, _) => Verdict::Ok,
                    // A random rt_sigaction/sigprocmask may leave a signal's default action to a
                    // later SIGPIPE/SIGALRM/... the program itself triggered: that is the guest's.
                    (_, Some(sig), _) if ![libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGABRT].contains(&sig) => {
                        Verdict::Ok
                    }
                    (code, sig, _) => Verdict::Crash(format!("exit {code:?} signal {sig:?}: {err}")),
                };
            }
            None if start.elapsed() > Duration::from_secs(5) => {
                let _ = child.kill();
                let _ = child.wait();
                return Verdict::Timeout;
            }
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

fn main() {
    let mut args = Args::parse();
    // Modules run in a scratch directory: the binary's path must not be relative.
    args.cwali = std::fs::canonicalize(&args.cwali).expect("the --cwali binary exists");
    let work = std::env::temp_dir().join(format!("cwali-walifuzz-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let failures = PathBuf::from("target/walifuzz-failures");
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let (mut modules, mut runs, mut timeouts, mut crashes) = (0u64, 0u64, 0u64, 0u64);
    let started = Instant::now();
    let mut seed = args.seed;
    let mut modes: Vec<Vec<String>> = vec![vec![]];
    if !args.also.is_empty() {
        modes.push(args.also.clone());
    }
    while Instant::now() < deadline {
        let wat = module(seed, args.calls);
        let wasm = work.join("m.wasm");
        std::fs::write(&wasm, wat::parse_str(&wat).expect("generated WAT parses")).unwrap();
        for mode in &modes {
            runs += 1;
            match run(&args.cwali, &wasm, mode, &work) {
                Verdict::Ok => {}
                Verdict::Timeout => timeouts += 1,
                Verdict::Crash(why) => {
                    crashes += 1;
                    std::fs::create_dir_all(&failures).unwrap();
                    let path = failures.join(format!("seed-{seed}.wat"));
                    std::fs::write(&path, &wat).unwrap();
                    eprintln!("seed {seed} {mode:?}: {why}\n  saved {}", path.display());
                }
            }
        }
        modules += 1;
        seed += 1;
        if modules % 200 == 0 {
            let _ = writeln!(std::io::stderr(), "{modules} modules, {crashes} crashes, {timeouts} timeouts");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{modules} modules ({runs} runs) in {secs:.0} s: {:.1} modules/s, {crashes} crashes, {timeouts} timeouts",
        modules as f64 / secs
    );
    let _ = std::fs::remove_dir_all(&work);
    std::process::exit(if crashes == 0 { 0 } else { 1 });
}
