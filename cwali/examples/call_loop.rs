//! Calling an export many times, and sharing one compiled module between threads: the module is
//! compiled once, and each thread instantiates it in a store of its own.
//!
//! `cargo run --release -p cwali --example call_loop`

use cwali::{Config, Engine, Instance, Module, Store, Val};

const WAT: &str = r#"
(module
  (func (export "fib") (param i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $a)))
"#;

fn main() -> anyhow::Result<()> {
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(WAT)?)?;

    // One instance, one export, called in a loop.
    let mut store = Store::new(&engine);
    let instance = Instance::new(&mut store, &module, &[])?;
    let fib = instance.get_func("fib").expect("exported");
    let mut sum = 0i64;
    for n in 0..=50 {
        let [Val::I64(v)] = fib.call(&mut store, &[Val::I32(n)])?[..] else { anyhow::bail!("fib returns one i64") };
        sum = sum.wrapping_add(v);
    }
    println!("sum of fib(0..=50) = {sum}");

    // The same compiled module in four threads.
    let results: Vec<i64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (engine, module) = (&engine, &module);
                s.spawn(move || -> anyhow::Result<i64> {
                    let mut store = Store::new(engine);
                    let instance = Instance::new(&mut store, module, &[])?;
                    let fib = instance.get_func("fib").expect("exported");
                    match fib.call(&mut store, &[Val::I32(80 + t)])?[..] {
                        [Val::I64(v)] => Ok(v),
                        _ => anyhow::bail!("fib returns one i64"),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect::<anyhow::Result<_>>()
    })?;
    println!("fib(80..84) from four threads = {results:?}");
    Ok(())
}
