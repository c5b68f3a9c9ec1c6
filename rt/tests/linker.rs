//! The embedding API's name-based linking and typed functions.

use cwali_frontend::{FuncType, ValType};
use cwali_rt::{Config, Engine, Error, Extern, Linker, Module, Store, Trap, Val};

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap()
}

const IMPORTS: &str = r#"(module
    (import "env" "scale" (func $scale (param f64 f32) (result f64)))
    (import "env" "fail" (func $fail (param i32) (result i64)))
    (func (export "scaled") (param f64) (result f64) (call $scale (local.get 0) (f32.const 0.5)))
    (func (export "maybe") (param i32) (result i64) (call $fail (local.get 0)))
    (func (export "pair") (param i64) (result i64 i32)
        (local.get 0) (i32.wrap_i64 (local.get 0)))
    (func (export "v") (param v128) (result v128) (i32x4.add (local.get 0) (local.get 0))))"#;

fn linker() -> Linker {
    let mut linker = Linker::new();
    linker.func_wrap("env", "scale", |x: f64, k: f32| x * k as f64).unwrap();
    linker
        .func_wrap("env", "fail", |x: i32| -> Result<i64, Trap> {
            if x < 0 { Err(Trap::host("negative")) } else { Ok(x as i64 * 3) }
        })
        .unwrap();
    linker
}

#[test]
fn typed_calls_through_linked_host_functions() {
    let engine = Engine::new(Config::default());
    let m = module(&engine, IMPORTS);
    let mut store = Store::new(&engine);
    let instance = linker().instantiate(&mut store, &m).unwrap();

    let scaled = instance.get_typed_func::<f64, f64>("scaled").unwrap();
    assert_eq!(scaled.call(&mut store, 5.0).unwrap(), 2.5);

    let maybe = instance.get_typed_func::<i32, i64>("maybe").unwrap();
    assert_eq!(maybe.call(&mut store, 7).unwrap(), 21);
    // The closure's Err is a trap with its message; the store stays usable.
    let trap = maybe.call(&mut store, -1).unwrap_err();
    assert!(trap.to_string().contains("negative"), "{trap}");
    assert_eq!(maybe.call(&mut store, 2).unwrap(), 6);

    let pair = instance.get_typed_func::<i64, (i64, i32)>("pair").unwrap();
    assert_eq!(pair.call(&mut store, 0x1_0000_0005).unwrap(), (0x1_0000_0005, 5));

    let v = instance.get_typed_func::<u128, u128>("v").unwrap();
    let lanes = 1u128 | (2 << 32) | (3 << 64) | (0xffff_ffffu128 << 96);
    assert_eq!(v.call(&mut store, lanes).unwrap(), 2u128 | (4 << 32) | (6 << 64) | (0xffff_fffeu128 << 96));
}

#[test]
fn typed_views_check_the_signature() {
    let engine = Engine::new(Config::default());
    let m = module(&engine, IMPORTS);
    let mut store = Store::new(&engine);
    let instance = linker().instantiate(&mut store, &m).unwrap();
    assert!(instance.get_typed_func::<f32, f64>("scaled").is_err());
    assert!(instance.get_typed_func::<f64, ()>("scaled").is_err());
    assert!(instance.get_typed_func::<i64, i64>("pair").is_err());
    assert!(instance.get_typed_func::<(), ()>("missing").is_err());
}

#[test]
fn linking_errors_name_the_import() {
    let engine = Engine::new(Config::default());
    let m = module(&engine, IMPORTS);
    let mut store = Store::new(&engine);

    let mut partial = Linker::new();
    partial.func_wrap("env", "scale", |x: f64, _k: f32| x).unwrap();
    let err = partial.instantiate(&mut store, &m).err().expect("a missing import fails");
    assert!(matches!(err, Error::UnknownImport(_)), "{err}");
    assert!(err.to_string().contains("env::fail"), "{err}");

    let mut wrong = Linker::new();
    wrong.func_wrap("env", "scale", |x: f64, _k: f32| x).unwrap();
    wrong.func_wrap("env", "fail", |x: i64| x).unwrap();
    let err = wrong.instantiate(&mut store, &m).err().expect("a wrong type fails");
    assert!(matches!(err, Error::IncompatibleImport(_)), "{err}");
    assert!(err.to_string().contains("env::fail"), "{err}");

    let mut twice = linker();
    assert!(twice.func_wrap("env", "scale", |x: f64, _k: f32| x).is_err(), "redefinition is refused");
    twice.allow_shadowing(true).func_wrap("env", "scale", |x: f64, _k: f32| x + 1.0).unwrap();
    let instance = twice.instantiate(&mut store, &m).unwrap();
    assert_eq!(instance.get_typed_func::<f64, f64>("scaled").unwrap().call(&mut store, 1.0).unwrap(), 2.0);
}

#[test]
fn one_instance_exports_satisfy_another() {
    let engine = Engine::new(Config::default());
    let provider = module(
        &engine,
        r#"(module (memory (export "mem") 1) (global (export "g") (mut i32) (i32.const 9))
                   (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    );
    let user = module(
        &engine,
        r#"(module (import "lib" "mem" (memory 1)) (import "lib" "g" (global (mut i32)))
                   (import "lib" "inc" (func $inc (param i32) (result i32)))
                   (func (export "go") (result i32)
                     (i32.store (i32.const 0) (call $inc (global.get 0)))
                     (i32.load (i32.const 0))))"#,
    );
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    let lib = linker.instantiate(&mut store, &provider).unwrap();
    linker.instance("lib", &lib).unwrap();
    linker.func_new("host", "unused", FuncType::new([ValType::I32], []), |_| Ok(vec![])).unwrap();
    let instance = linker.instantiate(&mut store, &user).unwrap();
    assert_eq!(instance.get_typed_func::<(), i32>("go").unwrap().call(&mut store, ()).unwrap(), 10);
    // The store went to the provider's memory.
    let Some(Extern::Memory(mem)) = lib.export("mem") else { panic!("memory export") };
    let mut word = [0u8; 4];
    assert!(mem.read(0, &mut word));
    assert_eq!(i32::from_le_bytes(word), 10);
    // Untyped calls still work on the same functions.
    let Some(Extern::Func(inc)) = lib.export("inc") else { panic!("func export") };
    assert_eq!(inc.call(&mut store, &[Val::I32(41)]).unwrap(), [Val::I32(42)]);
}
