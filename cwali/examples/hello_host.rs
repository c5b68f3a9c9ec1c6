//! A host function called from Wasm: the module imports `host.log`, which prints the string at
//! a pointer and length in the calling instance's memory. Imports are defined by name in a
//! `Linker`, and the closure's Rust types give the Wasm signature.
//!
//! `cargo run -p cwali --example hello_host`

use cwali::{Caller, Config, Engine, Linker, Module, Store, Trap};

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

    let mut linker = Linker::new();
    linker.func_wrap_caller("host", "log", |caller: Caller<'_>, ptr: u32, len: u32| -> Result<(), Trap> {
        let mut bytes = vec![0; len as usize];
        // `read` checks the range against the memory's current size.
        let memory = caller.memory(0).ok_or_else(|| Trap::host("log: no memory"))?;
        memory.read(ptr.into(), &mut bytes).map_err(|_| Trap::host("log: string outside memory"))?;
        println!("{}", String::from_utf8_lossy(&bytes));
        Ok(())
    })?;

    let mut store = Store::new(&engine);
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), ()>("_start")?.call(&mut store, ())?;
    Ok(())
}
