//! A host function called from Wasm: the module imports `host.log`, which prints the string at
//! a pointer and length in the module's memory.
//!
//! `cargo run -p cwali --example hello_host`

use cwali::{Config, Engine, Extern, Func, FuncType, Instance, Module, Store, Trap, Val, ValType};
use std::sync::{Arc, OnceLock};

const WAT: &str = r#"
(module
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from Wasm")
  (func (export "_start") (call $log (i32.const 16) (i32.const 15))))
"#;

fn main() -> anyhow::Result<()> {
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(WAT)?)?;
    let mut store = Store::new(&engine);

    // The host function needs the instance's memory, which exists only after instantiation.
    let memory: Arc<OnceLock<cwali::Memory>> = Arc::default();
    let log = Func::new(&mut store, FuncType::new([ValType::I32, ValType::I32], []), {
        let memory = memory.clone();
        move |args| {
            let [Val::I32(ptr), Val::I32(len)] = *args else { unreachable!("checked signature") };
            let mut bytes = vec![0; len as u32 as usize];
            // `read` checks the range against the memory's size.
            if !memory.get().is_some_and(|m| m.read(ptr as u32 as usize, &mut bytes)) {
                return Err(Trap::host("log: string outside memory"));
            }
            println!("{}", String::from_utf8_lossy(&bytes));
            Ok(vec![])
        }
    });
    let instance = Instance::new(&mut store, &module, &[Extern::Func(log)])?;
    let Some(Extern::Memory(mem)) = instance.export("memory") else { anyhow::bail!("no memory export") };
    let _ = memory.set(mem);
    instance.get_func("_start").expect("exported").call(&mut store, &[])?;
    Ok(())
}
