//! One compiled module shared by several threads, each with its own store and instance (a
//! `Module` is compiled once and is `Send + Sync`; a `Store` belongs to one thread).
//!
//! `cargo run -p cwali --example threads`

use cwali::{Config, Engine, Instance, Module, Store};

const WAT: &str = r#"
(module
  (func (export "collatz_steps") (param i64) (result i32) (local i32)
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get 0) (i64.const 1)))
        (local.set 0
          (if (result i64) (i64.eqz (i64.and (local.get 0) (i64.const 1)))
            (then (i64.shr_u (local.get 0) (i64.const 1)))
            (else (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 1)))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $next)))
    (local.get 1)))
"#;

fn main() -> anyhow::Result<()> {
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(WAT)?)?;

    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let (engine, module) = (engine.clone(), module.clone());
            std::thread::spawn(move || -> anyhow::Result<(u64, i32)> {
                let mut store = Store::new(&engine);
                let instance = Instance::new(&mut store, &module, &[])?;
                let steps = instance.get_typed_func::<u64, i32>("collatz_steps")?;
                // The longest chain below 25,000 · (t+1) in this thread's quarter.
                let mut best = (0, 0);
                for n in t * 25_000 + 1..(t + 1) * 25_000 {
                    let s = steps.call(&mut store, n)?;
                    if s > best.1 {
                        best = (n, s);
                    }
                }
                Ok(best)
            })
        })
        .collect();
    for (t, handle) in threads.into_iter().enumerate() {
        let (n, steps) = handle.join().expect("thread panicked")?;
        println!("thread {t}: {n} takes {steps} steps");
    }
    Ok(())
}
