//! The reservation pool: a memory built on a dropped memory's reservation starts exactly as a
//! fresh one would (image contents back, other pages zero, pages beyond its size inaccessible).
//! One test: the pool is process-wide.

use cwali_rt::{Config, Engine, Instance, Module, Store, Val};

const WAT: &str = r#"(module
    (memory (export "memory") 1)
    (data (i32.const 16) "image")
    (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;

fn call(store: &mut Store, instance: &Instance, name: &str, args: &[Val]) -> Result<Option<i32>, String> {
    let f = instance.get_func(name).unwrap();
    match f.call(store, args) {
        Ok(r) => Ok(r.first().map(|v| match v {
            Val::I32(x) => *x,
            other => panic!("{other:?}"),
        })),
        Err(trap) => Err(trap.to_string()),
    }
}

fn base(instance: &Instance) -> usize {
    instance.caller().memory(0).unwrap().base() as usize
}

#[test]
fn pooled_reservations_come_back_as_fresh_memories() {
    cwali_rt::memory_pool::enable(4);
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let far = 2 * 65536 + 5;

    // A dirties its image, grows and writes far up, then goes away.
    let first_base = {
        let mut store = Store::new(&engine);
        let a = Instance::new(&mut store, &module, &[]).unwrap();
        call(&mut store, &a, "poke", &[Val::I32(16), Val::I32(b'X' as i32)]).unwrap();
        call(&mut store, &a, "poke", &[Val::I32(300), Val::I32(9)]).unwrap();
        assert_eq!(call(&mut store, &a, "grow", &[Val::I32(2)]).unwrap(), Some(1));
        call(&mut store, &a, "poke", &[Val::I32(far), Val::I32(7)]).unwrap();
        base(&a)
    };

    let mut store = Store::new(&engine);
    let b = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(base(&b), first_base, "the reservation is reused");
    assert_eq!(call(&mut store, &b, "peek", &[Val::I32(16)]).unwrap(), Some(b'i' as i32), "image restored");
    assert_eq!(call(&mut store, &b, "peek", &[Val::I32(300)]).unwrap(), Some(0), "written page zeroed");
    let beyond = call(&mut store, &b, "peek", &[Val::I32(far)]).unwrap_err();
    assert!(beyond.contains("out of bounds"), "pages beyond the initial size are inaccessible: {beyond}");
    assert_eq!(call(&mut store, &b, "grow", &[Val::I32(2)]).unwrap(), Some(1));
    assert_eq!(call(&mut store, &b, "peek", &[Val::I32(far)]).unwrap(), Some(0), "grown page zeroed");

    // A memory host code remapped is never handed to another instance.
    assert_eq!(cwali_rt::memory_pool::pooled(), 0);
    b.caller().memory(0).unwrap().mark_remapped();
    drop(b);
    drop(store);
    assert_eq!(cwali_rt::memory_pool::pooled(), 0, "a remapped memory is unmapped");
    let mut store = Store::new(&engine);
    let c = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(call(&mut store, &c, "peek", &[Val::I32(16)]).unwrap(), Some(b'i' as i32));
    drop(c);
    drop(store);
    assert_eq!(cwali_rt::memory_pool::pooled(), 1);

    cwali_rt::memory_pool::enable(0);
    assert_eq!(cwali_rt::memory_pool::pooled(), 0, "turning the pool off unmaps what it held");
    let mut store = Store::new(&engine);
    let d = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(call(&mut store, &d, "peek", &[Val::I32(300)]).unwrap(), Some(0));
}
