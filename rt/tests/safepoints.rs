//! Safepoints: with `Config.safepoints`, code that never returns on its own still reaches a
//! poll once `request_safepoints` is called, through a loop header or (for call cycles without
//! loops) a function entry. The hook here ends the call with a host trap, as WALI's signal
//! delivery does when a guest handler exits.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cwali_rt::{Config, Engine, Instance, Module, Store, Trap, Val};

static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);
/// Whether the hook ends the call (else it returns and the code carries on).
static STOP: AtomicBool = AtomicBool::new(true);

fn hook(_vmctx: *mut u8) {
    HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    if STOP.load(Ordering::SeqCst) {
        // SAFETY: called from the safepoint, inside a call from Wasm; no destructors pending.
        unsafe { cwali_rt::raise(Trap::host("stopped at a safepoint")) }
    }
}

const SPINNERS: &str = r#"
(module
  (memory 1)
  (func $loop (export "loop") (loop $l (br $l)))
  (func $tail (export "tail") (return_call $tail))
  (func $tail_a (export "tail_mutual") (return_call $tail_b))
  (func $tail_b (return_call $tail_a))
  ;; Two calls per activation, no loop and no cycle: a call tree 2^40 leaves big. Only the
  ;; fan-out rule gives it polls.
  (func $leaf (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))))
  (func $t0 call $leaf call $leaf) (func $t1 call $t0 call $t0) (func $t2 call $t1 call $t1)
  (func $t3 call $t2 call $t2) (func $t4 call $t3 call $t3) (func $t5 call $t4 call $t4)
  (func $t6 call $t5 call $t5) (func $t7 call $t6 call $t6) (func $t8 call $t7 call $t7)
  (func $t9 call $t8 call $t8) (func $t10 call $t9 call $t9) (func $t11 call $t10 call $t10)
  (func $t12 call $t11 call $t11) (func $t13 call $t12 call $t12) (func $t14 call $t13 call $t13)
  (func $t15 call $t14 call $t14) (func $t16 call $t15 call $t15) (func $t17 call $t16 call $t16)
  (func $t18 call $t17 call $t17) (func $t19 call $t18 call $t18) (func $t20 call $t19 call $t19)
  (func $t21 call $t20 call $t20) (func $t22 call $t21 call $t21) (func $t23 call $t22 call $t22)
  (func $t24 call $t23 call $t23) (func $t25 call $t24 call $t24) (func $t26 call $t25 call $t25)
  (func $t27 call $t26 call $t26) (func $t28 call $t27 call $t27) (func $t29 call $t28 call $t28)
  (func $t30 call $t29 call $t29) (func $t31 call $t30 call $t30) (func $t32 call $t31 call $t31)
  (func $t33 call $t32 call $t32) (func $t34 call $t33 call $t33) (func $t35 call $t34 call $t34)
  (func $t36 call $t35 call $t35) (func $t37 call $t36 call $t36) (func $t38 call $t37 call $t37)
  (func $t39 call $t38 call $t38)
  (func (export "fan_out") call $t39)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  ;; Many values live across the loop-header poll, integer and float: a safepoint that
  ;; returns must leave every register as it was.
  (func (export "mix") (param $n i32) (result f64)
    (local $i i32) (local $a i64) (local $b i64) (local $c i32) (local $x f64) (local $y f64) (local $z f32)
    (local.set $x (f64.const 1.5)) (local.set $y (f64.const 0.25)) (local.set $z (f32.const 3))
    (local.set $a (i64.const 7)) (local.set $b (i64.const 11))
    (loop $l
      (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
      (local.set $b (i64.xor (local.get $b) (i64.shr_u (local.get $a) (i64.const 29))))
      (local.set $c (i32.add (local.get $c) (i32.wrap_i64 (local.get $b))))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.999)) (f64.convert_i32_s (local.get $c))))
      (local.set $y (f64.sub (local.get $y) (f64.mul (local.get $x) (f64.const 1e-9))))
      (local.set $z (f32.add (local.get $z) (f32.const 0.5)))
      (i32.store (i32.const 8) (local.get $c))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (f64.add (f64.add (local.get $x) (local.get $y))
      (f64.add (f64.convert_i64_s (local.get $b)) (f64.promote_f32 (local.get $z)))))
)"#;

/// Both checks in one test: the hook is process-wide.
#[test]
fn safepoints() {
    cwali_rt::set_safepoint_hook(hook);
    non_terminating_code_reaches_a_safepoint();
    a_returning_safepoint_preserves_state();
}

fn a_returning_safepoint_preserves_state() {
    let wasm = wat::parse_str(SPINNERS).unwrap();
    let run = |safepoints: bool, n: i32| {
        let engine = Engine::new(Config { safepoints, ..Config::default() });
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine);
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_micros(200));
                    cwali_rt::request_safepoints();
                }
            });
            let result = instance.get_func("mix").unwrap().call(&mut store, &[Val::I32(n)]);
            done.store(true, Ordering::SeqCst);
            match result.unwrap().as_slice() {
                [Val::F64(bits)] => *bits,
                other => panic!("mix returned {other:?}"),
            }
        })
    };
    STOP.store(false, Ordering::SeqCst);
    let n = 30_000_000;
    let before = HOOK_CALLS.load(Ordering::SeqCst);
    let with = run(true, n);
    let calls = HOOK_CALLS.load(Ordering::SeqCst) - before;
    STOP.store(true, Ordering::SeqCst);
    assert!(calls > 0, "no safepoint ran during the loop");
    assert_eq!(with, run(false, n), "result changed by {calls} safepoints");
}

fn non_terminating_code_reaches_a_safepoint() {
    let engine = Engine::new(Config { safepoints: true, ..Config::default() });
    let module = Module::new(&engine, &wat::parse_str(SPINNERS).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();

    // Without a request, the polls stay quiet.
    let add = instance.get_func("add").unwrap();
    assert_eq!(add.call(&mut store, &[Val::I32(2), Val::I32(3)]).unwrap(), vec![Val::I32(5)]);
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 0);

    for name in ["loop", "tail", "tail_mutual", "fan_out"] {
        let before = HOOK_CALLS.load(Ordering::SeqCst);
        let done = AtomicBool::new(false);
        let trap = std::thread::scope(|s| {
            s.spawn(|| {
                // Keep asking until the call has returned: a request may land before the
                // call starts polling.
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                    cwali_rt::request_safepoints();
                }
            });
            let result = instance.get_func(name).unwrap().call(&mut store, &[]);
            done.store(true, Ordering::SeqCst);
            result.expect_err("the spinner only ends through the hook")
        });
        assert!(trap.message().contains("stopped at a safepoint"), "{name}: {trap}");
        assert!(HOOK_CALLS.load(Ordering::SeqCst) > before, "{name}");
    }

    // The pinned limits register survives host re-entry: a normal call still works afterwards.
    assert_eq!(add.call(&mut store, &[Val::I32(40), Val::I32(2)]).unwrap(), vec![Val::I32(42)]);
}
