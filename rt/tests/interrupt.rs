//! Per-store interrupts (`Store::interrupt_handle`), isolated stores and `Store::set_max_memory`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cwali_rt::{Config, Engine, Instance, Module, Store, TrapKind, Val};

const WAT: &str = r#"
(module
  (memory 1)
  (func (export "loop") (loop $l (br $l)))
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)"#;

fn setup() -> (Engine, Module) {
    let engine = Engine::new(Config { safepoints: true, ..Config::default() });
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    (engine, module)
}

static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

fn hook(_vmctx: *mut u8) {
    HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
}

/// One test: the hook and `request_safepoints` are process-wide.
#[test]
fn interrupts() {
    cwali_rt::set_safepoint_hook(hook);
    an_interrupt_stops_only_its_store();
    an_interrupt_before_the_call_and_clearing_it();
    a_handle_outlives_its_store();
    isolated_stores_skip_the_hook();
    max_memory_caps_growth();
}

fn an_interrupt_stops_only_its_store() {
    let (engine, module) = setup();
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let handle = store.interrupt_handle();
    std::thread::scope(|s| {
        // Another store spinning meanwhile on another thread is left alone.
        let other = s.spawn(|| {
            let mut store = Store::new(&engine);
            let instance = Instance::new(&mut store, &module, &[]).unwrap();
            let count = instance.get_func("count").unwrap();
            (0..20).map(|_| count.call(&mut store, &[Val::I32(2_000_000)]).map(|v| v[0])).collect::<Vec<_>>()
        });
        let started = Instant::now();
        let interrupter = s.spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            handle.interrupt();
        });
        let trap = instance.get_func("loop").unwrap().call(&mut store, &[]).expect_err("interrupted");
        assert_eq!(trap.trap_kind(), Some(TrapKind::Interrupt));
        assert_eq!(trap.message(), "interrupt");
        assert!(started.elapsed() < Duration::from_secs(5));
        interrupter.join().unwrap();
        for r in other.join().unwrap() {
            assert!(matches!(r, Ok(Val::I32(2_000_000))), "{r:?}");
        }
    });
}

fn an_interrupt_before_the_call_and_clearing_it() {
    let (engine, module) = setup();
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let handle = store.interrupt_handle();
    handle.interrupt();
    assert!(handle.is_interrupted());
    let count = instance.get_func("count").unwrap();
    let trap = count.call(&mut store, &[Val::I32(10)]).expect_err("interrupted");
    assert_eq!(trap.trap_kind(), Some(TrapKind::Interrupt));
    store.clear_interrupt();
    assert!(!handle.is_interrupted());
    assert!(matches!(count.call(&mut store, &[Val::I32(10)]).unwrap()[..], [Val::I32(10)]));
}

fn a_handle_outlives_its_store() {
    let (engine, module) = setup();
    let mut store = Store::new(&engine);
    let _ = Instance::new(&mut store, &module, &[]).unwrap();
    let handle = store.interrupt_handle();
    drop(store);
    handle.interrupt();
    // A new store (possibly reusing the old one's limits page) is not interrupted by it.
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let count = instance.get_func("count").unwrap();
    assert!(matches!(count.call(&mut store, &[Val::I32(1000)]).unwrap()[..], [Val::I32(1000)]));
}

fn isolated_stores_skip_the_hook() {
    let (engine, module) = setup();
    let mut store = Store::new(&engine);
    store.set_isolated(true);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let count = instance.get_func("count").unwrap();
    let before = HOOK_CALLS.load(Ordering::SeqCst);
    for _ in 0..50 {
        cwali_rt::request_safepoints();
        count.call(&mut store, &[Val::I32(100_000)]).unwrap();
    }
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), before, "the hook ran for an isolated store");
    // The same requests reach the hook for an ordinary store.
    let mut plain = Store::new(&engine);
    let instance = Instance::new(&mut plain, &module, &[]).unwrap();
    let count = instance.get_func("count").unwrap();
    cwali_rt::request_safepoints();
    count.call(&mut plain, &[Val::I32(100_000)]).unwrap();
    assert!(HOOK_CALLS.load(Ordering::SeqCst) > before);
}

fn max_memory_caps_growth() {
    let (engine, module) = setup();
    let mut store = Store::new(&engine);
    store.set_max_memory(Some(4 << 16));
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = instance.get_func("grow").unwrap();
    assert!(matches!(grow.call(&mut store, &[Val::I32(3)]).unwrap()[..], [Val::I32(1)]));
    assert!(matches!(grow.call(&mut store, &[Val::I32(1)]).unwrap()[..], [Val::I32(-1)]));
    // A module whose initial memory is above the cap does not instantiate.
    let mut store = Store::new(&engine);
    store.set_max_memory(Some(1 << 15));
    assert!(Instance::new(&mut store, &module, &[]).is_err());
}
