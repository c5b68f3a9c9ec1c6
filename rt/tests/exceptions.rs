//! Exceptions across the host boundary and together with traps and safepoints: a host function
//! called from Wasm that calls back into Wasm which throws, host code throwing, uncaught
//! exceptions, traps that `catch_all` must not catch, and throws with safepoint polls compiled in
//! (the pinned register must survive the unwind).

use std::sync::{Arc, Mutex};

use cwali_rt::{Config, Engine, Exception, Extern, Func, Instance, Module, Store, Tag, Trap, Val};
use wasmparser::{FuncType, ValType};

const MODULE: &str = r#"
(module
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (tag $other (param i32))

  (func $throw (export "throw") (param i32) (result i32)
    (throw $e (local.get 0)))

  ;; Wasm -> host -> Wasm (throws): caught here, with the payload.
  (func (export "through_host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $call_back (local.get 0)))))

  ;; The same with the legacy instructions.
  (func (export "through_host_legacy") (param i32) (result i32)
    try (result i32)
      (call $call_back (local.get 0))
    catch $e
      (i32.const 1000)
      (i32.add)
    end)

  ;; A tag the host does not throw: passes by.
  (func (export "other_only") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $other $h)
        (call $call_back (local.get 0)))))

  ;; catch_all does not catch traps.
  (func (export "trap_in_try") (result i32)
    (block $h
      (try_table (catch_all $h)
        (drop (i32.div_u (i32.const 1) (i32.const 0)))))
    (i32.const -1))

  ;; A deep throw, then loops that poll for safepoints.
  (func $deep (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 77))))
    (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "deep_then_loop") (param i32) (result i32) (local $i i32) (local $sum i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $deep (local.get 0))))
    (local.set $sum)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $sum))
)
"#;

/// What the host's `call_back` does with its argument.
#[derive(Clone, Copy)]
enum HostMode {
    /// Call the instance's `throw` and return its error (the exception) as its own.
    Forward,
    /// Throw a new exception of the instance's tag `e` carrying `arg + 1`.
    ThrowNew,
    /// Call `throw`, keep the exception, return `arg * 2` normally.
    Swallow,
}

struct Setup {
    store: Store,
    instance: Instance,
    mode: Arc<Mutex<HostMode>>,
}

fn setup(config: Config) -> Setup {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let mode = Arc::new(Mutex::new(HostMode::Forward));
    let slot: Arc<Mutex<Option<(Func, Tag)>>> = Arc::new(Mutex::new(None));
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let (m, s) = (mode.clone(), slot.clone());
    let call_back = Func::new(&mut store, ty, move |args| {
        let Val::I32(arg) = args[0] else { unreachable!() };
        let (throw, tag) = s.lock().unwrap().clone().expect("instance set up");
        match *m.lock().unwrap() {
            HostMode::Forward => throw.call_nested(&[Val::I32(arg)]),
            HostMode::ThrowNew => {
                let exn = Exception::new(&tag, &[Val::I32(arg + 1)]).expect("payload of the tag's type");
                Err(Trap::exception(exn))
            }
            HostMode::Swallow => {
                let err = throw.call_nested(&[Val::I32(arg)]).expect_err("throw throws");
                assert!(err.as_exception().is_some_and(|e| e.is(&tag)), "{err}");
                Ok(vec![Val::I32(arg * 2)])
            }
        }
    });
    let instance = Instance::new(&mut store, &module, &[Extern::Func(call_back)]).unwrap();
    let Some(Extern::Tag(tag)) = instance.export("e") else { panic!("tag export") };
    *slot.lock().unwrap() = Some((instance.get_func("throw").unwrap(), tag));
    Setup { store, instance, mode }
}

impl Setup {
    fn call(&mut self, name: &str, arg: Option<i32>) -> Result<Vec<Val>, Trap> {
        let args: Vec<Val> = arg.map(Val::I32).into_iter().collect();
        self.instance.get_func(name).unwrap().call(&mut self.store, &args)
    }
}

fn configs() -> Vec<Config> {
    vec![Config::default(), Config { safepoints: true, ..Config::default() }]
}

#[test]
fn an_exception_crosses_a_host_frame() {
    for config in configs() {
        let mut s = setup(config);
        assert_eq!(s.call("through_host", Some(5)).unwrap(), vec![Val::I32(5)]);
        assert_eq!(s.call("through_host_legacy", Some(5)).unwrap(), vec![Val::I32(1005)]);
        // Not caught by a clause of another tag: leaves Wasm as an exception of tag `e`.
        let err = s.call("other_only", Some(3)).unwrap_err();
        let Some(Extern::Tag(e)) = s.instance.export("e") else { panic!() };
        assert!(err.as_exception().is_some_and(|x| x.is(&e)), "{err}");
        // Repeatedly: nothing is left behind by the unwinds.
        for i in 0..1000 {
            assert_eq!(s.call("through_host", Some(i)).unwrap(), vec![Val::I32(i)]);
        }
    }
}

#[test]
fn host_code_throws_into_wasm() {
    for config in configs() {
        let mut s = setup(config);
        *s.mode.lock().unwrap() = HostMode::ThrowNew;
        assert_eq!(s.call("through_host", Some(41)).unwrap(), vec![Val::I32(42)]);
        assert_eq!(s.call("through_host_legacy", Some(41)).unwrap(), vec![Val::I32(1042)]);
    }
}

#[test]
fn host_code_may_swallow_an_exception() {
    for config in configs() {
        let mut s = setup(config);
        *s.mode.lock().unwrap() = HostMode::Swallow;
        assert_eq!(s.call("through_host", Some(21)).unwrap(), vec![Val::I32(42)]);
        // Trap handling of the outer activation still works afterwards.
        assert_eq!(
            s.call("trap_in_try", None).unwrap_err().trap_kind(),
            Some(cwali_rt::TrapKind::IntegerDivisionByZero)
        );
    }
}

#[test]
fn uncaught_exceptions_and_traps() {
    for config in configs() {
        let mut s = setup(config);
        let err = s.call("throw", Some(9)).unwrap_err();
        assert!(err.as_exception().is_some(), "{err}");
        assert_eq!(err.to_string(), "uncaught wasm exception");
        // A trap inside a try_table with catch_all is a trap.
        let err = s.call("trap_in_try", None).unwrap_err();
        assert_eq!(err.trap_kind(), Some(cwali_rt::TrapKind::IntegerDivisionByZero));
    }
}

#[test]
fn deep_throws_then_safepoint_polls() {
    for config in configs() {
        let mut s = setup(config);
        // 77 from the handler, plus 0 + 1 + ... + 999 from the loop after it.
        for depth in [0, 1, 100, 1000] {
            assert_eq!(s.call("deep_then_loop", Some(depth)).unwrap(), vec![Val::I32(77 + 499_500)]);
        }
    }
}
