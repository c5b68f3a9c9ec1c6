//! End-to-end checks of the runtime on small modules: calls, traps, memory, tables, host calls.

use cwali_rt::{BoundsChecks, Config, Engine, Extern, Func, Instance, Module, Store, TrapKind, Val};

fn instance(wat: &str, mode: BoundsChecks) -> (Store, Instance) {
    let engine = Engine::new(Config { bounds_checks: mode, ..Config::default() });
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    (store, inst)
}

fn call(store: &mut Store, inst: &Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, TrapKind> {
    inst.get_func(name).unwrap().call(store, args).map_err(|t| t.trap_kind().unwrap())
}

const MODULE: &str = r#"
(module
  (memory 1 2)
  (table 2 funcref)
  (elem (i32.const 0) $add)
  (type $bin (func (param i32 i32) (result i32)))
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 2 (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $bin) (i32.const 2) (i32.const 3) (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func $rec (export "recurse") (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
  (func (export "unreachable") unreachable)
  (func (export "loop") (param i32) (result i32) (local i32)
    (block $out (loop $l
      (br_if $out (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
)"#;

#[test]
fn calls_loops_and_recursion() {
    for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let (mut s, i) = instance(MODULE, mode);
        assert_eq!(call(&mut s, &i, "add", &[Val::I32(2), Val::I32(40)]), Ok(vec![Val::I32(42)]));
        assert_eq!(call(&mut s, &i, "fac", &[Val::I64(20)]), Ok(vec![Val::I64(2432902008176640000)]));
        assert_eq!(call(&mut s, &i, "loop", &[Val::I32(100)]), Ok(vec![Val::I32(5050)]));
        assert_eq!(call(&mut s, &i, "indirect", &[Val::I32(0)]), Ok(vec![Val::I32(5)]));
    }
}

#[test]
fn traps_of_each_kind() {
    for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let (mut s, i) = instance(MODULE, mode);
        assert_eq!(call(&mut s, &i, "unreachable", &[]), Err(TrapKind::Unreachable));
        assert_eq!(call(&mut s, &i, "div", &[Val::I32(1), Val::I32(0)]), Err(TrapKind::IntegerDivisionByZero));
        assert_eq!(call(&mut s, &i, "div", &[Val::I32(i32::MIN), Val::I32(-1)]), Err(TrapKind::IntegerOverflow));
        assert_eq!(call(&mut s, &i, "load", &[Val::I32(65533)]), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(call(&mut s, &i, "load", &[Val::I32(-1)]), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(call(&mut s, &i, "indirect", &[Val::I32(1)]), Err(TrapKind::IndirectCallToNull));
        assert_eq!(call(&mut s, &i, "indirect", &[Val::I32(2)]), Err(TrapKind::TableOutOfBounds));
        assert_eq!(call(&mut s, &i, "recurse", &[Val::I32(0)]), Err(TrapKind::StackOverflow));
        // Still usable after every trap.
        assert_eq!(call(&mut s, &i, "add", &[Val::I32(1), Val::I32(1)]), Ok(vec![Val::I32(2)]));
    }
}

#[test]
fn memory_grows_in_place() {
    for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let (mut s, i) = instance(MODULE, mode);
        assert_eq!(call(&mut s, &i, "store", &[Val::I32(65532), Val::I32(7)]), Ok(vec![]));
        assert_eq!(call(&mut s, &i, "load", &[Val::I32(65536)]), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(call(&mut s, &i, "grow", &[Val::I32(1)]), Ok(vec![Val::I32(1)]));
        assert_eq!(call(&mut s, &i, "load", &[Val::I32(65536)]), Ok(vec![Val::I32(0)]));
        assert_eq!(call(&mut s, &i, "load", &[Val::I32(65532)]), Ok(vec![Val::I32(7)]));
        assert_eq!(call(&mut s, &i, "grow", &[Val::I32(1)]), Ok(vec![Val::I32(-1)]));
    }
}

#[test]
fn host_functions_are_called_and_can_trap() {
    let engine = Engine::default();
    let wat = r#"(module (import "host" "f" (func $f (param i32) (result i32)))
        (func (export "g") (param i32) (result i32) (i32.mul (call $f (local.get 0)) (i32.const 2))))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let ty = module.info().types[0].clone();
    let f = Func::new(&mut store, ty, |args| match args[0] {
        Val::I32(13) => Err(cwali_rt::Trap::host("unlucky")),
        Val::I32(x) => Ok(vec![Val::I32(x + 1)]),
        _ => unreachable!(),
    });
    let inst = Instance::new(&mut store, &module, &[Extern::Func(f)]).unwrap();
    let g = inst.get_func("g").unwrap();
    assert_eq!(g.call(&mut store, &[Val::I32(4)]).unwrap(), vec![Val::I32(10)]);
    let err = g.call(&mut store, &[Val::I32(13)]).unwrap_err();
    assert_eq!(err.message(), "unlucky");
    assert_eq!(g.call(&mut store, &[Val::I32(1)]).unwrap(), vec![Val::I32(4)]);
}
