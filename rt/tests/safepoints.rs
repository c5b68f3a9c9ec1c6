//! Safepoints: with `Config.safepoints`, code that never returns on its own still reaches a
//! poll once `request_safepoints` is called, through a loop header or (for call cycles without
//! loops) a function entry. The hook here ends the call with a host trap, as WALI's signal
//! delivery does when a guest handler exits.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cwali_rt::{Config, Engine, Instance, Module, Store, Trap, Val};

static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

fn stop_hook(_vmctx: *mut u8) {
    HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: called from the safepoint builtin, inside a call from Wasm; no destructors pending.
    unsafe { cwali_rt::raise(Trap::host("stopped at a safepoint")) }
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
)"#;

#[test]
fn non_terminating_code_reaches_a_safepoint() {
    cwali_rt::set_safepoint_hook(stop_hook);
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
