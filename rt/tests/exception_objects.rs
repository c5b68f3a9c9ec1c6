//! Exception objects are freed when nothing can name them any more: thrown and caught by a
//! `try_table` `catch`/`catch_all`, or bound by legacy catch bodies that all ended, however they
//! were left. Pinned ones (a `catch_ref` made an `exnref` value) stay, and stay intact. One
//! test: the count is process-wide.

use cwali_rt::{Config, Engine, Instance, Module, Store, Val, live_exception_objects};

const WAT: &str = r#"(module
  (tag $e (param i32))
  (global $kept (mut exnref) (ref.null exn))
  ;; n throws, each caught by a plain catch: returns the sum of the payloads.
  (func (export "plain") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      (block $h (result i32)
        (try_table (catch $e $h) (throw $e (local.get $n)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; The same with catch_all.
  (func (export "all") (param $n i32)
    (loop $again
      (block $h
        (try_table (catch_all $h) (throw $e (local.get $n))))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; catch_ref: the object becomes a value (kept in a global), so it is pinned.
  (func (export "by_ref") (param $n i32)
    (loop $again
      (block $h (result i32 exnref)
        (try_table (catch_ref $e $h) (throw $e (local.get $n)))
        (unreachable))
      (global.set $kept)
      (drop)
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; The kept object is intact: rethrown and caught again by a plain catch (which must not
  ;; free a pinned object).
  (func (export "rethrow_kept") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (global.get $kept)))
      (i32.const -1)))
  ;; Legacy: the catch body rethrows, an inner try_table catches it, then the outer body
  ;; rethrows the same object again: it must still be there.
  (func (export "legacy") (param $v i32) (result i32)
    (block $out (result i32)
      (try_table (catch $e $out)
        try
          (throw $e (local.get $v))
        catch $e
          drop
          (block $h (result i32)
            (try_table (catch $e $h) (rethrow 2))
            (i32.const -1))
          drop
          (rethrow 0)
        end)
      (i32.const -2)))
  (func $thrower (param i32) (throw $e (local.get 0)))
  ;; Legacy catch bodies left every way, n times each; each returns the sum of what it caught.
  ;; Fall-through:
  (func (export "legacy_fall") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      try
        (call $thrower (local.get $n))
      catch $e
        (local.set $sum (i32.add (local.get $sum)))
      end
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; br_if (odd n) and br_table (even n) out of the body:
  (func (export "legacy_br") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      (block $out
        try
          (call $thrower (local.get $n))
        catch $e
          (local.set $sum (i32.add (local.get $sum)))
          (br_if $out (i32.and (local.get $n) (i32.const 1)))
          (br_table $out $out (i32.const 0))
        end)
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; return from the body:
  (func $ret (param $v i32) (result i32)
    try (result i32)
      (call $thrower (local.get $v))
      (i32.const -1)
    catch $e
      return
    end)
  (func (export "legacy_return") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      (local.set $sum (i32.add (local.get $sum) (call $ret (local.get $n))))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; The cleanup-pad shape: catch_all, rethrow out of the function, caught by the caller.
  (func $cleanup (param $v i32)
    try
      (call $thrower (local.get $v))
    catch_all
      (rethrow 0)
    end)
  (func (export "legacy_cleanup") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      try
        (call $cleanup (local.get $n))
      catch $e
        (local.set $sum (i32.add (local.get $sum)))
      end
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; A callee throws another exception (payload + 1) out of a catch body.
  (func (export "legacy_replace") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      try
        try
          (call $thrower (local.get $n))
        catch $e
          (call $thrower (i32.add (i32.const 1)))
        end
      catch $e
        (local.set $sum (i32.add (local.get $sum)))
      end
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; One object bound by two bodies at once: an inner catch of the outer body's rethrow ends,
  ;; then the outer body rethrows it again, and it must be intact.
  (func (export "legacy_twice") (param $v i32) (result i32)
    try (result i32)
      try
        (call $thrower (local.get $v))
      catch $e
        drop
        try
          (rethrow 1)
        catch $e
          drop
        end
        (rethrow 0)
      end
      (i32.const -1)
    catch $e
    end))"#;

fn call(store: &mut Store, instance: &Instance, name: &str, args: &[Val]) -> Vec<Val> {
    instance.get_func(name).unwrap().call(store, args).unwrap()
}

#[test]
fn unreferenced_exception_objects_are_freed_pinned_ones_kept() {
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();

    let before = live_exception_objects();
    assert_eq!(call(&mut store, &instance, "plain", &[Val::I32(10_000)]), vec![Val::I32(50_005_000)]);
    call(&mut store, &instance, "all", &[Val::I32(10_000)]);
    assert_eq!(live_exception_objects(), before, "plain catches free what they caught");

    let n = 10_000;
    let sum = n * (n + 1) / 2;
    for (name, expect) in [
        ("legacy_fall", sum),
        ("legacy_br", sum),
        ("legacy_return", sum),
        ("legacy_cleanup", sum),
        ("legacy_replace", sum + n),
    ] {
        assert_eq!(call(&mut store, &instance, name, &[Val::I32(n)]), vec![Val::I32(expect)], "{name}");
        assert_eq!(live_exception_objects(), before, "{name}: every object freed once its catch bodies ended");
    }
    for v in 0..1000 {
        assert_eq!(call(&mut store, &instance, "legacy_twice", &[Val::I32(v)]), vec![Val::I32(v)]);
    }
    assert_eq!(call(&mut store, &instance, "legacy", &[Val::I32(42)]), vec![Val::I32(42)]);
    assert_eq!(live_exception_objects(), before, "rethrown objects are freed when their last body ends");

    call(&mut store, &instance, "by_ref", &[Val::I32(100)]);
    assert_eq!(live_exception_objects(), before + 100, "catch_ref pins");
    // The last one kept in the global carries payload 1 (the loop counts down).
    assert_eq!(call(&mut store, &instance, "rethrow_kept", &[]), vec![Val::I32(1)]);
    assert_eq!(call(&mut store, &instance, "rethrow_kept", &[]), vec![Val::I32(1)], "still there");
    assert_eq!(live_exception_objects(), before + 100);
}
