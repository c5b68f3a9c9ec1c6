//! Inputs that must give a clean error or a Wasm trap, never a crash: accesses at the 4 GiB
//! edge, huge static offsets, random and truncated module bytes; and atomics wait/notify between
//! host threads.

use std::sync::Arc;

use cwali_rt::{BoundsChecks, Config, Engine, Extern, Instance, Module, Store, TrapKind, Val};

fn engine(mode: BoundsChecks) -> Engine {
    Engine::new(Config { bounds_checks: mode, ..Config::default() })
}

const EDGE: &str = r#"
(module
  (memory (export "mem") 1)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "load_far") (param i32) (result i32) (i32.load offset=0x7ffffff0 (local.get 0)))
  (func (export "load_max") (param i32) (result i32) (i32.load offset=0xffffffff (local.get 0)))
  (func (export "store_max") (param i32) (i64.store offset=0xfffffff8 (local.get 0) (i64.const 1)))
  (func (export "atomic") (param i32) (result i32) (i32.atomic.load (local.get 0))))
"#;

#[test]
fn accesses_near_the_4gib_edge_trap() {
    for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let e = engine(mode);
        let m = Module::new(&e, &wat::parse_str(EDGE).unwrap()).unwrap();
        let mut s = Store::new(&e);
        let i = Instance::new(&mut s, &m, &[]).unwrap();
        let mut call = |name: &str, arg: i32| {
            i.get_func(name).unwrap().call(&mut s, &[Val::I32(arg)]).map_err(|t| t.trap_kind().unwrap())
        };
        assert_eq!(call("load8", 65535), Ok(vec![Val::I32(0)]));
        for addr in [65536, 65533 + 4, -1, -8, i32::MIN, 0x7fff_ffff] {
            assert_eq!(call("load8", addr).err(), (addr as u32 >= 65536).then_some(TrapKind::MemoryOutOfBounds));
        }
        assert_eq!(call("load64", 65529), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(call("load64", -1), Err(TrapKind::MemoryOutOfBounds));
        for addr in [0, 16, -1, 65535] {
            assert_eq!(call("load_far", addr), Err(TrapKind::MemoryOutOfBounds));
            assert_eq!(call("load_max", addr), Err(TrapKind::MemoryOutOfBounds));
            assert_eq!(call("store_max", addr), Err(TrapKind::MemoryOutOfBounds));
        }
        assert_eq!(call("atomic", 65533), Err(TrapKind::UnalignedAtomic));
        assert_eq!(call("atomic", 65536), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(call("atomic", -4), Err(TrapKind::MemoryOutOfBounds));
    }
}

#[test]
fn a_full_4gib_memory_traps_just_past_its_end() {
    let e = engine(BoundsChecks::Guard);
    let wat = r#"(module (memory 65536)
        (func (export "load") (param i32) (result i64) (i64.load (local.get 0))))"#;
    let m = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let mut s = Store::new(&e);
    let i = Instance::new(&mut s, &m, &[]).unwrap();
    let f = i.get_func("load").unwrap();
    assert_eq!(f.call(&mut s, &[Val::I32(-8)]).unwrap(), vec![Val::I64(0)]);
    let err = f.call(&mut s, &[Val::I32(-7)]).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
}

/// A tiny deterministic generator, so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn random_and_truncated_bytes_are_clean_errors() {
    let e = engine(BoundsChecks::Guard);
    let valid = wat::parse_str(EDGE).unwrap();
    for cut in 0..valid.len() {
        // A cut at a section boundary leaves a valid module; everything else must be refused.
        let expected = wasmparser::Validator::new().validate_all(&valid[..cut]).is_ok();
        assert_eq!(Module::new(&e, &valid[..cut]).is_ok(), expected, "module cut at {cut} bytes");
    }
    let mut rng = Lcg(42);
    let mut accepted = 0;
    for _ in 0..2000 {
        let mut bytes = valid.clone();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() as usize) % bytes.len();
            bytes[at] = rng.next() as u8;
        }
        // Mutated modules may still be valid; they must then instantiate or fail cleanly.
        if let Ok(m) = Module::new(&e, &bytes) {
            accepted += 1;
            let mut s = Store::new(&e);
            let _ = Instance::new(&mut s, &m, &[]);
        }
        let noise: Vec<u8> = (0..rng.next() % 64).map(|_| rng.next() as u8).collect();
        assert!(Module::new(&e, &noise).is_err());
    }
    assert!(accepted < 2000, "mutations never produced an invalid module");
}

#[test]
fn wait_and_notify_across_host_threads() {
    let e = engine(BoundsChecks::Guard);
    let wat = r#"(module
        (memory (export "mem") 1 1 shared)
        (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
        (func (export "wake") (result i32)
          (i32.atomic.store (i32.const 0) (i32.const 1))
          (memory.atomic.notify (i32.const 0) (i32.const 8)))
        (func (export "waiters") (result i32) (i32.atomic.load (i32.const 4)))
        (func (export "enter") (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))))"#;
    let m = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let mut s = Store::new(&e);
    let i = Instance::new(&mut s, &m, &[]).unwrap();
    let Some(Extern::Memory(mem)) = i.export("mem") else { panic!("no memory") };
    let mem = Arc::new(mem);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (e, m, mem) = (e.clone(), m.clone(), mem.clone());
            std::thread::spawn(move || {
                // Each thread has its own store and instance importing nothing: share through
                // a second module that imports the memory.
                let wat = r#"(module (import "m" "mem" (memory 1 1 shared))
                    (func (export "wait") (result i32)
                      (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
                      (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))"#;
                let waiter = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
                let _ = m;
                let mut s = Store::new(&e);
                let inst = Instance::new(&mut s, &waiter, &[Extern::Memory((*mem).clone())]).unwrap();
                inst.get_func("wait").unwrap().call(&mut s, &[]).unwrap()
            })
        })
        .collect();
    while i.get_func("waiters").unwrap().call(&mut s, &[]).unwrap() != vec![Val::I32(3)] {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // Notify until all three have been woken (a thread may count itself before it parks).
    let mut woken = 0;
    while woken < 3 {
        let Val::I32(n) = i.get_func("wake").unwrap().call(&mut s, &[]).unwrap()[0] else { panic!() };
        woken += n;
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    for t in threads {
        // 0: woken, 1: the value had already changed ("not-equal").
        let r = t.join().unwrap();
        assert!(r == vec![Val::I32(0)] || r == vec![Val::I32(1)], "{r:?}");
    }
    // Waiting on an unshared memory traps.
    let wat = r#"(module (memory 1) (func (export "w") (result i32)
        (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0))))"#;
    let m = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let i = Instance::new(&mut s, &m, &[]).unwrap();
    let err = i.get_func("w").unwrap().call(&mut s, &[]).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::AtomicWaitNonShared));
}

#[test]
fn instances_share_a_copy_on_write_image_but_not_writes() {
    let e = engine(BoundsChecks::Guard);
    let wat = r#"(module (memory 2)
        (data (i32.const 8) "cwali")
        (data (i32.const 70000) "far")
        (func (export "get") (param i32) (result i32) (i32.load8_u (local.get 0)))
        (func (export "set") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))"#;
    let m = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let mut s = Store::new(&e);
    let a = Instance::new(&mut s, &m, &[]).unwrap();
    let b = Instance::new(&mut s, &m, &[]).unwrap();
    let get = |i: &Instance, s: &mut Store, at: i32| i.get_func("get").unwrap().call(s, &[Val::I32(at)]).unwrap();
    assert_eq!(get(&a, &mut s, 8), vec![Val::I32(b'c' as i32)]);
    assert_eq!(get(&a, &mut s, 70002), vec![Val::I32(b'r' as i32)]);
    assert_eq!(get(&a, &mut s, 100000), vec![Val::I32(0)]);
    a.get_func("set").unwrap().call(&mut s, &[Val::I32(8), Val::I32(b'X' as i32)]).unwrap();
    assert_eq!(get(&a, &mut s, 8), vec![Val::I32(b'X' as i32)]);
    assert_eq!(get(&b, &mut s, 8), vec![Val::I32(b'c' as i32)], "the other instance keeps the image");
    let c = Instance::new(&mut s, &m, &[]).unwrap();
    assert_eq!(get(&c, &mut s, 8), vec![Val::I32(b'c' as i32)], "a new instance starts from the image");
}

/// A function reference the host hands to a `(ref null $t)` parameter or global must be a
/// function of type $t: generated code calls it with `call_ref`, trusting the type.
#[test]
fn host_funcrefs_are_checked_against_typed_references() {
    let engine = Engine::new(Config::default());
    let wat = r#"(module
        (type $a (func (result i32)))
        (type $b (func (param i64) (result i64)))
        (func $fa (type $a) (i32.const 7))
        (func $fb (type $b) (local.get 0))
        (table (export "t") 2 funcref)
        (elem (i32.const 0) func $fa $fb)
        (global (export "g") (mut (ref null $a)) (ref.null $a))
        (func (export "run") (param (ref null $a)) (result i32) (call_ref $a (local.get 0))))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let Some(Extern::Table(t)) = instance.export("t") else { panic!("no table") };
    let (fa, fb) = (t.get(0).unwrap(), t.get(1).unwrap());
    let run = instance.get_func("run").unwrap();
    assert_eq!(run.call(&mut store, &[fa]).unwrap(), vec![Val::I32(7)]);
    let wrong = run.call(&mut store, &[fb]).unwrap_err();
    assert!(wrong.to_string().contains("another type"), "{wrong}");
    let Some(Extern::Global(g)) = instance.export("g") else { panic!("no global") };
    g.set(fa).unwrap();
    assert!(g.set(fb).is_err(), "a $b function in a (ref null $a) global");
    assert_eq!(g.get(), fa);
}
