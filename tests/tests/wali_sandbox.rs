//! Instance sandboxes (`cwali_wali_abi::sandbox`): real wali-musl programs
//! (`tests/guests/libc/sandbox_guest.c`, committed as `wasm-libc/sandbox_guest.wasm`) run in
//! fresh instances in this process, through the API `cwali serve --isolation instance` uses.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cwali_rt::{Config, Engine, Module};
use cwali_wali_abi::sandbox::{SandboxLimits, SandboxModule, SandboxOutcome, SandboxRequest};

fn load(name: &str, limits: SandboxLimits) -> SandboxModule {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("guests/wasm-libc").join(format!("{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let engine = Engine::new(SandboxModule::engine_config(Config::default()));
    let module = Module::new(&engine, &bytes).expect("the guest compiles");
    SandboxModule::new(&engine, &module, limits).expect("the guest links for sandboxes")
}

/// The guest, compiled once for every test here.
fn guest() -> &'static SandboxModule {
    static GUEST: OnceLock<SandboxModule> = OnceLock::new();
    GUEST.get_or_init(|| load("sandbox_guest", SandboxLimits::default()))
}

struct Ran {
    outcome: SandboxOutcome,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn run_with(sandbox: &SandboxModule, args: &[&str], env: &[&str], stdin: &[u8], deadline: Option<Duration>) -> Ran {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("sandbox_guest").chain(args.iter().copied()).map(String::from).collect();
    let started = Instant::now();
    let outcome = sandbox.run(SandboxRequest {
        argv,
        env: env.iter().map(|s| s.to_string()).collect(),
        stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        deadline: deadline.map(|d| started + d),
    });
    Ran {
        outcome,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        took: started.elapsed(),
    }
}

fn run(args: &[&str]) -> Ran {
    run_with(guest(), args, &[], b"", Some(Duration::from_secs(20)))
}

#[test]
fn echo_gets_stdin_argv_and_environment() {
    let r = run_with(
        guest(),
        &["echo", "two words", "-x"],
        &["SANDBOX_VAR=hello there", "OTHER=1"],
        b"the request body\nsecond line\n",
        None,
    );
    assert_eq!(r.outcome, SandboxOutcome::Exited(0), "stderr: {}", r.stderr);
    assert_eq!(
        r.stdout,
        "argc=4 [sandbox_guest] [echo] [two words] [-x]\nSANDBOX_VAR=hello there\nthe request body\nsecond line\n"
    );
    assert_eq!(r.stderr, "echo done\n");
}

#[test]
fn environment_is_exactly_the_requests() {
    let r = run_with(guest(), &["env"], &["A=1", "B=two words"], b"", None);
    assert_eq!(r.outcome, SandboxOutcome::Exited(0));
    assert_eq!(r.stdout, "A=1\nB=two words\n");
    let r = run_with(guest(), &["env"], &[], b"", None);
    assert_eq!(r.outcome, SandboxOutcome::Exited(0));
    assert_eq!(r.stdout, "");
}

#[test]
fn exit_status_and_return_from_main() {
    let r = run(&["exit3"]);
    assert_eq!(r.outcome, SandboxOutcome::Exited(3));
    assert_eq!(r.stdout, "exiting with 3\n");
    let r = run(&["ret0"]);
    assert_eq!(r.outcome, SandboxOutcome::Exited(0));
    assert_eq!(r.stdout, "returning 0\n");
}

#[test]
fn a_trap_ends_only_the_sandbox() {
    let r = run(&["trap"]);
    match &r.outcome {
        SandboxOutcome::Trapped(message) => assert!(message.contains("unreachable"), "{message}"),
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(r.stdout, "trapping\n");
    // The module is still usable.
    assert_eq!(run(&["ret0"]).outcome, SandboxOutcome::Exited(0));
}

#[test]
fn a_stack_overflow_ends_only_the_sandbox() {
    let r = run(&["recurse"]);
    match &r.outcome {
        // The C stack in linear memory (64 KiB) runs out before the native one.
        SandboxOutcome::Trapped(message) => {
            assert!(
                message.contains("out of bounds memory access") || message.contains("call stack exhausted"),
                "{message}"
            )
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(run(&["ret0"]).outcome, SandboxOutcome::Exited(0));
}

#[test]
fn an_infinite_loop_times_out_at_the_deadline() {
    let r = run_with(guest(), &["spin"], &[], b"", Some(Duration::from_millis(200)));
    assert_eq!(r.outcome, SandboxOutcome::TimedOut);
    assert!(r.took >= Duration::from_millis(200), "ended early: {:?}", r.took);
    assert!(r.took < Duration::from_millis(1500), "ended late: {:?}", r.took);
}

#[test]
fn a_sleep_ends_at_the_deadline() {
    let r = run_with(guest(), &["sleep"], &[], b"", Some(Duration::from_millis(200)));
    assert_eq!(r.outcome, SandboxOutcome::TimedOut);
    assert_eq!(r.stdout, "sleeping\n");
    assert!(r.took >= Duration::from_millis(200), "ended early: {:?}", r.took);
    assert!(r.took < Duration::from_millis(1500), "ended late: {:?}", r.took);
}

#[test]
fn a_passed_deadline_does_not_run_the_guest() {
    let r = run_with(guest(), &["echo"], &[], b"", Some(Duration::ZERO));
    assert_eq!(r.outcome, SandboxOutcome::TimedOut);
    assert_eq!(r.stdout, "");
}

#[test]
fn a_memory_bomb_hits_the_limit() {
    let capped = load("sandbox_guest", SandboxLimits { max_memory: Some(16 << 20) });
    let r = run_with(&capped, &["bomb"], &[], b"", Some(Duration::from_secs(20)));
    assert_eq!(r.outcome, SandboxOutcome::Exited(0), "stderr: {}", r.stderr);
    let mib: u32 = r
        .stdout
        .strip_prefix("malloc failed after ")
        .and_then(|s| s.strip_suffix(" MiB\n"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {:?}", r.stdout));
    assert!((8..16).contains(&mib), "{mib} MiB under a 16 MiB cap");
    // A larger cap lets the same guest get further.
    let larger = load("sandbox_guest", SandboxLimits { max_memory: Some(64 << 20) });
    let r = run_with(&larger, &["bomb"], &[], b"", Some(Duration::from_secs(20)));
    assert_eq!(r.outcome, SandboxOutcome::Exited(0));
    let more: u32 = r.stdout.trim_start_matches("malloc failed after ").trim_end_matches(" MiB\n").parse().unwrap();
    assert!((48..64).contains(&more), "{more} MiB under a 64 MiB cap");
}

#[test]
fn everything_outside_the_sandbox_is_refused() {
    let r = run(&["deny"]);
    assert_eq!(r.outcome, SandboxOutcome::Exited(0), "stderr: {}", r.stderr);
    let (eperm, enosys) = (libc::EPERM, libc::ENOSYS);
    let expected = format!(
        "open: -1 {eperm}\nopenat: -1 {eperm}\nsocket: -1 {enosys}\nkill: -1 {enosys}\nexecve: -1 {enosys}\n\
         fork: -1 {enosys}\nunlink: -1 {enosys}\nchdir: -1 {enosys}\nfopen: NULL {eperm}\n"
    );
    assert_eq!(r.stdout, expected);
}

#[test]
fn the_allowed_calls_behave() {
    let r = run_with(guest(), &["misc"], &[], b"", Some(Duration::from_secs(20)));
    assert_eq!(r.outcome, SandboxOutcome::Exited(0), "stderr: {}", r.stderr);
    let expected = format!(
        "lseek: -1 {}\nfstat: 0 0\nfifo: 1\nioctl: -1 {}\npid: 1\nuname: 0 0\nsysname: Linux\ntime ok: 1\n\
         nanosleep: 0 0\nslept enough: 1\ngetrandom: 32 0\nrandom nonzero: 1\nbad pointer write: -1 {}\n\
         close 0: 0 0\nread closed: -1 {}\nbig malloc: ok\nrealloc: ok 7\n",
        libc::ESPIPE,
        libc::ENOTTY,
        libc::EFAULT,
        libc::EBADF
    );
    assert_eq!(r.stdout, expected);
}

struct Broken;

impl std::io::Write for Broken {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_epipe() {
    let mut stderr = Vec::new();
    let outcome = guest().run(SandboxRequest {
        argv: vec!["sandbox_guest".into(), "epipe".into()],
        env: Vec::new(),
        stdin: b"",
        stdout: &mut Broken,
        stderr: &mut stderr,
        deadline: None,
    });
    assert_eq!(outcome, SandboxOutcome::Exited(0));
    assert_eq!(String::from_utf8_lossy(&stderr), format!("write: -1 {}\n", libc::EPIPE));
}

#[test]
fn every_run_gets_a_fresh_instance() {
    for _ in 0..3 {
        let r = run(&["counter"]);
        assert_eq!(r.outcome, SandboxOutcome::Exited(0));
        assert_eq!(r.stdout, "counter=1\n");
    }
}

#[test]
fn concurrent_sandboxes_keep_their_own_output() {
    let sandbox = guest();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|i| {
                s.spawn(move || {
                    let body = format!("body of request {i}\n").repeat(200);
                    let var = format!("SANDBOX_VAR=worker{i}");
                    let arg = format!("arg{i}");
                    for _ in 0..5 {
                        let r = run_with(sandbox, &["echo", &arg], &[&var], body.as_bytes(), None);
                        assert_eq!(r.outcome, SandboxOutcome::Exited(0));
                        let expected = format!("argc=3 [sandbox_guest] [echo] [{arg}]\nSANDBOX_VAR=worker{i}\n{body}");
                        assert_eq!(r.stdout, expected, "worker {i}");
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
    });
}

#[test]
fn a_timeout_in_one_sandbox_leaves_the_others_alone() {
    let sandbox = guest();
    std::thread::scope(|s| {
        let spinner = s.spawn(|| run_with(sandbox, &["spin"], &[], b"", Some(Duration::from_millis(300))));
        let echo = s.spawn(|| {
            (0..20)
                .map(|_| run_with(sandbox, &["echo"], &[], b"x", Some(Duration::from_secs(20))).outcome)
                .collect::<Vec<_>>()
        });
        assert_eq!(spinner.join().unwrap().outcome, SandboxOutcome::TimedOut);
        assert!(echo.join().unwrap().iter().all(|o| *o == SandboxOutcome::Exited(0)));
    });
}

#[test]
fn modules_with_inline_syscalls_or_without_safepoints_are_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("guests/wasm-libc/sandbox_hello.wasm");
    let bytes = std::fs::read(path).unwrap();
    let full = Engine::new(cwali_wali_abi::host::engine_config(Config::default(), false));
    let module = Module::new(&full, &bytes).unwrap();
    let err = SandboxModule::new(&full, &module, SandboxLimits::default()).err().expect("refused");
    assert!(err.contains("inline syscall"), "{err}");
    let plain = Engine::new(Config::default());
    let module = Module::new(&plain, &bytes).unwrap();
    let err = SandboxModule::new(&plain, &module, SandboxLimits::default()).err().expect("refused");
    assert!(err.contains("safepoints"), "{err}");
}

#[test]
fn hello_runs() {
    let hello = load("sandbox_hello", SandboxLimits::default());
    let r = run_with(&hello, &[], &[], b"", None);
    assert_eq!(r.outcome, SandboxOutcome::Exited(0));
    assert_eq!(r.stdout, "hello from a sandbox\n");
}

#[test]
fn a_start_function_that_never_returns_times_out() {
    let wasm =
        wat::parse_str(r#"(module (memory 1) (func $spin (loop $l (br $l))) (start $spin) (func (export "_start")))"#)
            .unwrap();
    let engine = Engine::new(SandboxModule::engine_config(Config::default()));
    let module = Module::new(&engine, &wasm).unwrap();
    let sandbox = SandboxModule::new(&engine, &module, SandboxLimits::default()).unwrap();
    let r = run_with(&sandbox, &[], &[], b"", Some(Duration::from_millis(200)));
    assert_eq!(r.outcome, SandboxOutcome::TimedOut);
    assert!(r.took < Duration::from_millis(1500), "ended late: {:?}", r.took);
}

#[test]
fn a_module_needing_more_memory_than_the_limit_does_not_start() {
    let wasm = wat::parse_str(r#"(module (memory 100) (func (export "_start")))"#).unwrap();
    let engine = Engine::new(SandboxModule::engine_config(Config::default()));
    let module = Module::new(&engine, &wasm).unwrap();
    let sandbox = SandboxModule::new(&engine, &module, SandboxLimits { max_memory: Some(1 << 20) }).unwrap();
    match run_with(&sandbox, &[], &[], b"", None).outcome {
        SandboxOutcome::Trapped(message) => assert!(message.contains("exceeds its maximum"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}
