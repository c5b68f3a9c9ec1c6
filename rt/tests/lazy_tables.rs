//! Lazily initialised funcref tables: a module's tables start empty and resolve each element
//! from the module's image when first used. Every way of reading or writing a table must see the
//! values the element segments gave it, and null must stay null (with the same trap kinds).

use cwali_rt::{Engine, Extern, Func, Instance, Module, Store, Table, TrapKind, Val};
use wasmparser::{FuncType, GlobalType, RefType, TableType, ValType};

/// Functions `$f0..$f{FUNCS-1}` return their number.
const FUNCS: usize = 1_000;
/// Elements of table `$t`: element `i` is `$f{i % FUNCS}`, except nulls and one `$other`.
const LEN: usize = 10_000;
/// Element of `$t` holding `$other`, of another signature.
const OTHER: usize = 5;

fn is_null(i: usize) -> bool {
    i % 7 == 3
}

/// What a call through element `i` of the initial `$t` gives.
fn expected(i: usize) -> Result<i32, TrapKind> {
    if i == OTHER {
        Err(TrapKind::BadSignature)
    } else if is_null(i) {
        Err(TrapKind::IndirectCallToNull)
    } else {
        Ok((i % FUNCS) as i32)
    }
}

/// The big module: `$t` (exported as "t") filled by one active segment, `$t2` and an externref
/// table without segments, a passive segment, and functions exercising every table operator.
fn big_module() -> String {
    let mut w = String::from("(module\n  (type $ret (func (result i32)))\n");
    for f in 0..FUNCS {
        w += &format!("  (func $f{f} (type $ret) (i32.const {f}))\n");
    }
    w += "  (func $other (param i32) (result i32) (local.get 0))\n";
    w += &format!("  (table $t (export \"t\") {LEN} 20000 funcref)\n  (table $t2 100 funcref)\n");
    w += "  (table $e 4 externref)\n";
    w += "  (elem (table $t) (i32.const 0) funcref";
    for i in 0..LEN {
        w += &match i {
            OTHER => " (ref.func $other)".to_string(),
            _ if is_null(i) => " (ref.null func)".to_string(),
            _ => format!(" (ref.func $f{})", i % FUNCS),
        };
    }
    w += ")\n";
    w += "  (elem $p funcref (ref.func $f7) (ref.null func) (ref.func $f8))\n";
    w += r#"
  (func (export "call") (param i32) (result i32) (call_indirect $t (type $ret) (local.get 0)))
  (func (export "call2") (param i32) (result i32) (call_indirect $t2 (type $ret) (local.get 0)))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "is_null2") (param i32) (result i32) (ref.is_null (table.get $t2 (local.get 0))))
  (func (export "set_null") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "set_from") (param i32 i32) (table.set $t (local.get 0) (table.get $t (local.get 1))))
  (func (export "set2_from") (param i32 i32) (table.set $t2 (local.get 0) (table.get $t (local.get 1))))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_to2") (param i32 i32 i32) (table.copy $t2 $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_from") (param i32 i32 i32)
    (table.fill $t (local.get 0) (table.get $t (local.get 1)) (local.get 2)))
  (func (export "fill_null") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
  (func (export "grow_null") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "grow_f3") (param i32) (result i32) (table.grow $t (ref.func $f3) (local.get 0)))
  (func (export "size") (result i32) (table.size $t))
  (func (export "init") (param i32 i32 i32) (table.init $t $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $p))
  (func (export "ext_is_null") (param i32) (result i32) (ref.is_null (table.get $e (local.get 0))))
  (func (export "ext_set_null") (param i32) (table.set $e (local.get 0) (ref.null extern)))
)"#;
    w
}

struct Big {
    store: Store,
    instance: Instance,
}

impl Big {
    fn new(engine: &Engine, module: &Module) -> Big {
        let mut store = Store::new(engine);
        let instance = Instance::new(&mut store, module, &[]).unwrap();
        Big { store, instance }
    }

    fn run(&mut self, name: &str, args: &[i32]) -> Result<Vec<Val>, TrapKind> {
        let args: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
        let f = self.instance.get_func(name).unwrap_or_else(|| panic!("no export {name}"));
        f.call(&mut self.store, &args).map_err(|t| t.trap_kind().expect("a Wasm trap"))
    }

    fn i32(&mut self, name: &str, args: &[i32]) -> Result<i32, TrapKind> {
        self.run(name, args).map(|v| match v[..] {
            [Val::I32(x)] => x,
            ref other => panic!("{name}: {other:?}"),
        })
    }

    fn call(&mut self, i: usize) -> Result<i32, TrapKind> {
        self.i32("call", &[i as i32])
    }

    fn table(&self) -> Table {
        match self.instance.export("t") {
            Some(Extern::Table(t)) => t,
            other => panic!("export t: {other:?}"),
        }
    }
}

fn setup() -> (Engine, Module) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(big_module()).unwrap()).unwrap();
    (engine, module)
}

#[test]
fn call_indirect_through_a_lazy_table() {
    let (engine, module) = setup();
    let mut b = Big::new(&engine, &module);
    // Every element, twice: first through the lazy path, then the stored word.
    for _ in 0..2 {
        for i in 0..LEN {
            assert_eq!(b.call(i), expected(i), "element {i}");
        }
    }
    assert_eq!(b.call(LEN), Err(TrapKind::TableOutOfBounds));
    assert_eq!(b.call(usize::MAX >> 33), Err(TrapKind::TableOutOfBounds));
    // A second instance of the module has its own functions and state.
    let mut b2 = Big::new(&engine, &module);
    b.run("set_null", &[11]).unwrap();
    assert_eq!(b.call(11), Err(TrapKind::IndirectCallToNull));
    assert_eq!(b2.call(11), Ok(11));
}

#[test]
fn table_get_and_set_on_a_lazy_table() {
    let (engine, module) = setup();
    let mut b = Big::new(&engine, &module);
    for i in [0, 3, OTHER, 17, 9_999] {
        assert_eq!(b.i32("is_null", &[i as i32]), Ok(is_null(i) as i32), "element {i}");
    }
    assert_eq!(b.i32("is_null", &[LEN as i32]), Err(TrapKind::TableOutOfBounds));
    // Null written over a function, a function over null, and a copy of a value read lazily.
    b.run("set_null", &[20]).unwrap();
    assert_eq!(b.i32("is_null", &[20]), Ok(1));
    assert_eq!(b.call(20), Err(TrapKind::IndirectCallToNull));
    b.run("set_from", &[24, 1_234]).unwrap();
    assert_eq!(b.call(24), Ok(234));
    b.run("set_from", &[30, 3]).unwrap();
    assert_eq!(b.call(30), Err(TrapKind::IndirectCallToNull));
    b.run("set_from", &[31, OTHER as i32]).unwrap();
    assert_eq!(b.call(31), Err(TrapKind::BadSignature));
    // Into a table without segments: its elements are null until written.
    assert_eq!(b.i32("is_null2", &[0]), Ok(1));
    assert_eq!(b.i32("call2", &[0]), Err(TrapKind::IndirectCallToNull));
    assert_eq!(b.i32("call2", &[0]), Err(TrapKind::IndirectCallToNull));
    b.run("set2_from", &[1, 4_321]).unwrap();
    assert_eq!(b.i32("call2", &[1]), Ok(321));
    assert_eq!(b.i32("is_null2", &[1]), Ok(0));
    // Externref tables are untouched by all this.
    assert_eq!(b.i32("ext_is_null", &[3]), Ok(1));
    b.run("ext_set_null", &[3]).unwrap();
    assert_eq!(b.i32("ext_is_null", &[3]), Ok(1));
}

#[test]
fn bulk_operations_on_lazy_ranges() {
    let (engine, module) = setup();
    let mut b = Big::new(&engine, &module);
    // Overlapping copy within the table, from elements never touched.
    b.run("copy", &[105, 100, 10]).unwrap();
    for i in 105..115 {
        assert_eq!(b.call(i), expected(i - 5), "copied element {i}");
    }
    for i in 100..105 {
        assert_eq!(b.call(i), expected(i), "source element {i}");
    }
    // Copy to the other table: values, nulls and the wrong signature arrive as they are.
    b.run("copy_to2", &[0, 2_000, 20]).unwrap();
    for j in 0..20 {
        assert_eq!(b.i32("call2", &[j as i32]), expected(2_000 + j), "copied element {j}");
        assert_eq!(b.i32("is_null2", &[j as i32]), Ok(is_null(2_000 + j) as i32));
    }
    b.run("copy_to2", &[20, OTHER as i32, 1]).unwrap();
    assert_eq!(b.i32("call2", &[20]), Err(TrapKind::BadSignature));
    assert_eq!(b.run("copy_to2", &[90, 0, 11]), Err(TrapKind::TableOutOfBounds));
    assert_eq!(b.i32("call2", &[90]), Err(TrapKind::IndirectCallToNull), "nothing written");
    assert_eq!(b.run("copy", &[0, LEN as i32 - 5, 6]), Err(TrapKind::TableOutOfBounds));
    assert_eq!(b.call(0), Ok(0));

    // Fill with a function, with null; out of bounds writes nothing.
    b.run("fill_from", &[3_000, 42, 50]).unwrap();
    for i in 3_000..3_050 {
        assert_eq!(b.call(i), Ok(42));
    }
    assert_eq!(b.call(3_050), expected(3_050));
    b.run("fill_null", &[4_000, 30]).unwrap();
    for i in 4_000..4_030 {
        assert_eq!(b.call(i), Err(TrapKind::IndirectCallToNull));
        assert_eq!(b.i32("is_null", &[i as i32]), Ok(1));
    }
    assert_eq!(b.call(4_030), expected(4_030));
    assert_eq!(b.run("fill_null", &[LEN as i32 - 1, 2]), Err(TrapKind::TableOutOfBounds));
    assert_eq!(b.call(LEN - 1), expected(LEN - 1));

    // table.init from the passive segment over lazy elements.
    b.run("init", &[6_000, 0, 3]).unwrap();
    assert_eq!(b.call(6_000), Ok(7));
    assert_eq!(b.call(6_001), Err(TrapKind::IndirectCallToNull));
    assert_eq!(b.call(6_002), Ok(8));
    assert_eq!(b.call(6_003), expected(6_003));
    assert_eq!(b.run("init", &[6_100, 1, 3]), Err(TrapKind::TableOutOfBounds));
    assert_eq!(b.call(6_100), expected(6_100));
    b.run("drop", &[]).unwrap();
    assert_eq!(b.run("init", &[6_100, 0, 0]), Ok(vec![]));
    assert_eq!(b.run("init", &[6_100, 0, 1]), Err(TrapKind::TableOutOfBounds));
}

#[test]
fn growth_past_the_image() {
    let (engine, module) = setup();
    let mut b = Big::new(&engine, &module);
    assert_eq!(b.i32("grow_null", &[100]), Ok(LEN as i32));
    assert_eq!(b.i32("size", &[]), Ok(LEN as i32 + 100));
    for i in LEN..LEN + 100 {
        assert_eq!(b.call(i), Err(TrapKind::IndirectCallToNull));
        assert_eq!(b.i32("is_null", &[i as i32]), Ok(1));
    }
    assert_eq!(b.i32("grow_f3", &[10]), Ok(LEN as i32 + 100));
    assert_eq!(b.call(LEN + 105), Ok(3));
    assert_eq!(b.i32("grow_f3", &[20_000]), Ok(-1));
    // The elements before the growth still resolve (the words moved with the vector).
    for i in (0..LEN).step_by(97) {
        assert_eq!(b.call(i), expected(i), "element {i}");
    }
    let t = b.table();
    assert_eq!(t.size(), LEN as u64 + 110);
    assert_eq!(t.get(LEN as u64 + 50), Some(Val::FuncRef(0)));
}

#[test]
fn host_reads_an_exported_lazy_table() {
    let (engine, module) = setup();
    let mut b = Big::new(&engine, &module);
    let t = b.table();
    assert_eq!(t.size(), LEN as u64);
    let word = |i: u64| match t.get(i) {
        Some(Val::FuncRef(p)) => p,
        other => panic!("element {i}: {other:?}"),
    };
    // The same function behind two elements is the same funcref; null is 0.
    assert_ne!(word(1), 0);
    assert_eq!(word(1), word(1 + FUNCS as u64));
    assert_ne!(word(1), word(2));
    assert_eq!(word(3), 0);
    assert_eq!(t.get(LEN as u64), None);
    // What Wasm writes, the host sees, and the other way round for what the host read first.
    b.run("set_null", &[1]).unwrap();
    assert_eq!(word(1), 0);
    assert_eq!(word(2_002), word(2));
    b.run("set_from", &[50, 2_002]).unwrap();
    assert_eq!(word(50), word(2));
    assert_eq!(b.call(2_002), Ok(2));

    // From several threads at once, on elements nobody has touched yet.
    let reads: Vec<Vec<usize>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let t = t.clone();
                s.spawn(move || {
                    (7_000..8_000u64)
                        .map(|i| match t.get(i) {
                            Some(Val::FuncRef(p)) => p,
                            other => panic!("{other:?}"),
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(reads.windows(2).all(|w| w[0] == w[1]));
    for (k, i) in (7_000..8_000).enumerate() {
        assert_eq!(reads[0][k] == 0, is_null(i), "element {i}");
        assert_eq!(b.call(i), expected(i));
    }
}

#[test]
fn host_functions_call_through_a_lazy_table() {
    // What WALI does for signal handlers and pthread start routines: `Caller::table_func`.
    let wat = r#"(module
        (import "host" "call_elem" (func $call_elem (param i32) (result i32)))
        (table 10 funcref)
        (elem (i32.const 2) func $a $b)
        (func $a (result i32) (i32.const 11))
        (func $b (result i32) (i32.const 22))
        (func (export "via_host") (param i32) (result i32) (call $call_elem (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let host = Func::new_with_caller(ty, |vmctx, args| {
        let caller = unsafe { cwali_rt::Caller::from_vmctx(vmctx) }.unwrap();
        let [Val::I32(i)] = args else { unreachable!() };
        Ok(vec![match caller.table_func(0, *i as u32) {
            Some((f, _)) => caller.call(&f, &[])?[0],
            None => Val::I32(-1),
        }])
    });
    let instance = Instance::new(&mut store, &module, &[Extern::Func(host)]).unwrap();
    let f = instance.get_func("via_host").unwrap();
    for (i, want) in [(2, 11), (3, 22), (0, -1), (4, -1)] {
        assert_eq!(f.call(&mut store, &[Val::I32(i)]).unwrap(), vec![Val::I32(want)], "element {i}");
    }
}

#[test]
fn an_importer_applies_its_segments_to_a_lazy_table() {
    let exporter = r#"(module
        (type $ret (func (result i32)))
        (table $t (export "t") 10 funcref)
        (elem (i32.const 0) func $a $b $c)
        (func $a (result i32) (i32.const 1))
        (func $b (result i32) (i32.const 2))
        (func $c (result i32) (i32.const 3))
        (func (export "call") (param i32) (result i32) (call_indirect (type $ret) (local.get 0))))"#;
    let importer = r#"(module
        (type $ret (func (result i32)))
        (import "m" "t" (table $t 10 funcref))
        (elem (i32.const 1) func $x)
        (elem (i32.const 4) func $y $x)
        (func $x (result i32) (i32.const 100))
        (func $y (result i32) (i32.const 200))
        (func (export "call") (param i32) (result i32) (call_indirect (type $ret) (local.get 0))))"#;
    // Its second segment does not fit: instantiation traps after the first one was written.
    let failing = r#"(module
        (import "m" "t" (table $t 10 funcref))
        (elem (i32.const 7) func $z)
        (elem (i32.const 9) func $z $z)
        (func $z (result i32) (i32.const 300)))"#;
    let engine = Engine::default();
    let compile = |w: &str| Module::new(&engine, &wat::parse_str(w).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let a = Instance::new(&mut store, &compile(exporter), &[]).unwrap();
    let table = a.export("t").unwrap();
    let b = Instance::new(&mut store, &compile(importer), std::slice::from_ref(&table)).unwrap();
    let err = Instance::new(&mut store, &compile(failing), std::slice::from_ref(&table)).err().unwrap();
    match err {
        cwali_rt::Error::Trap(t) => assert_eq!(t.trap_kind(), Some(TrapKind::TableOutOfBounds)),
        other => panic!("{other}"),
    }
    let want = [Ok(1), Ok(100), Ok(3), Err(TrapKind::IndirectCallToNull), Ok(200), Ok(100)];
    let want = want.into_iter().chain([Err(TrapKind::IndirectCallToNull), Ok(300)]);
    for inst in [&a, &b] {
        let f = inst.get_func("call").unwrap();
        for (i, want) in want.clone().enumerate() {
            let got = f.call(&mut store, &[Val::I32(i as i32)]).map_err(|t| t.trap_kind().unwrap());
            assert_eq!(got, want.map(|v| vec![Val::I32(v)]), "element {i}");
        }
    }
    let Extern::Table(t) = table else { unreachable!() };
    assert_eq!(t.get(9), Some(Val::FuncRef(0)), "the failing segment wrote nothing");
}

#[test]
fn non_constant_offsets_and_items_initialise_eagerly() {
    let wat = r#"(module
        (type $ret (func (result i32)))
        (import "env" "base" (global $base i32))
        (import "env" "gf" (global $gf funcref))
        (table $t (export "t") 20 funcref)
        (table $u 20 funcref)
        (elem (table $t) (global.get $base) func $a $b)
        (elem (table $t) (i32.const 0) func $b)
        (elem (table $u) (i32.const 3) funcref (global.get $gf) (ref.null func) (ref.func $a))
        (func $a (result i32) (i32.const 1))
        (func $b (result i32) (i32.const 2))
        (func (export "call") (param i32) (result i32) (call_indirect $t (type $ret) (local.get 0)))
        (func (export "call_u") (param i32) (result i32) (call_indirect $u (type $ret) (local.get 0))))"#;
    // A function of another instance, as a funcref value for the global.
    let helper = r#"(module (table (export "t") 1 funcref) (elem (i32.const 0) $h)
        (func $h (result i32) (i32.const 7)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let helper = Module::new(&engine, &wat::parse_str(helper).unwrap()).unwrap();
    let base_ty = GlobalType { content_type: ValType::I32, mutable: false, shared: false };
    let gf_ty = GlobalType { content_type: ValType::Ref(RefType::FUNCREF), mutable: false, shared: false };
    let imports = |store: &mut Store, base: i32| {
        let h = Instance::new(store, &helper, &[]).unwrap();
        let Some(Extern::Table(t)) = h.export("t") else { panic!("no table") };
        let h_ref = t.get(0).unwrap();
        assert!(matches!(h_ref, Val::FuncRef(p) if p != 0));
        let base = cwali_rt::Global::new(store, base_ty, Val::I32(base)).unwrap();
        let gf = cwali_rt::Global::new(store, gf_ty, h_ref).unwrap();
        [Extern::Global(base), Extern::Global(gf)]
    };
    for base in [0, 5, 18] {
        let mut store = Store::new(&engine);
        let imports = imports(&mut store, base);
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        let mut call = |name: &str, i: i32| {
            let f = instance.get_func(name).unwrap();
            f.call(&mut store, &[Val::I32(i)]).map(|v| v[0]).map_err(|t| t.trap_kind().unwrap())
        };
        for i in 0..20 {
            // The constant segment comes second: it wins at element 0.
            let want = match i {
                0 => Ok(2),
                _ if i == base => Ok(1),
                _ if i == base + 1 => Ok(2),
                _ => Err(TrapKind::IndirectCallToNull),
            };
            assert_eq!(call("call", i), want.map(Val::I32), "base {base}, element {i}");
        }
        assert_eq!(call("call_u", 3), Ok(Val::I32(7)));
        assert_eq!(call("call_u", 4), Err(TrapKind::IndirectCallToNull));
        assert_eq!(call("call_u", 5), Ok(Val::I32(1)));
        assert_eq!(call("call_u", 6), Err(TrapKind::IndirectCallToNull));
    }
    // Out of bounds through the global: the segment traps at instantiation.
    let mut store = Store::new(&engine);
    let imports = imports(&mut store, 19);
    match Instance::new(&mut store, &module, &imports) {
        Err(cwali_rt::Error::Trap(t)) => assert_eq!(t.trap_kind(), Some(TrapKind::TableOutOfBounds)),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("instantiated with an out-of-bounds segment"),
    }
}

#[test]
fn out_of_bounds_constant_segment_keeps_earlier_writes() {
    // Exported table written by a good segment, then a constant one that does not fit: the
    // module falls back to applying segments one by one, and the importer sees the first write.
    let wat = r#"(module
        (import "m" "t" (table 5 funcref))
        (table $own 5 funcref)
        (elem (table 0) (i32.const 1) func $f)
        (elem (table $own) (i32.const 4) func $f $f)
        (func $f (result i32) (i32.const 9)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let ty = TableType { element_type: RefType::FUNCREF, table64: false, initial: 5, maximum: None, shared: false };
    let table = Table::new(&mut store, ty, Val::FuncRef(0)).unwrap();
    let err = Instance::new(&mut store, &module, &[Extern::Table(table.clone())]).err().unwrap();
    assert!(matches!(&err, cwali_rt::Error::Trap(t) if t.trap_kind() == Some(TrapKind::TableOutOfBounds)), "{err}");
    assert!(matches!(table.get(1), Some(Val::FuncRef(p)) if p != 0));
    assert_eq!(table.get(0), Some(Val::FuncRef(0)));
}

#[test]
fn null_calls_trap_in_every_bounds_mode() {
    // Null is found by the type-id load faulting on the sentinel, whatever the memory checks.
    let wat = r#"(module
        (type $ret (func (result i32)))
        (type $two (func (param i32 i32) (result i32)))
        (import "m" "host" (table $h 4 funcref))
        (table $t 4 funcref)
        (elem (table $t) (i32.const 0) func $a)
        (func $a (result i32) (i32.const 1))
        (func (export "call") (param i32) (result i32) (call_indirect $t (type $ret) (local.get 0)))
        (func (export "call_two") (param i32) (result i32)
          (call_indirect $t (type $two) (i32.const 0) (i32.const 0) (local.get 0)))
        (func (export "call_h") (param i32) (result i32) (call_indirect $h (type $ret) (local.get 0)))
        (func (export "set_h") (param i32 i32) (table.set $h (local.get 0) (table.get $t (local.get 1)))))"#;
    for mode in [cwali_rt::BoundsChecks::Guard, cwali_rt::BoundsChecks::Explicit] {
        let engine = Engine::new(cwali_rt::Config { bounds_checks: mode, ..cwali_rt::Config::default() });
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let ty = TableType { element_type: RefType::FUNCREF, table64: false, initial: 4, maximum: None, shared: false };
        let host = Table::new(&mut store, ty, Val::FuncRef(0)).unwrap();
        let instance = Instance::new(&mut store, &module, &[Extern::Table(host.clone())]).unwrap();
        let mut run = |name: &str, args: &[i32]| {
            let args: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
            instance.get_func(name).unwrap().call(&mut store, &args).map_err(|t| t.trap_kind().unwrap())
        };
        assert_eq!(run("call", &[0]), Ok(vec![Val::I32(1)]));
        // A null element is a null call whatever the expected type.
        for _ in 0..2 {
            assert_eq!(run("call", &[1]), Err(TrapKind::IndirectCallToNull), "{mode:?}");
            assert_eq!(run("call_two", &[1]), Err(TrapKind::IndirectCallToNull), "{mode:?}");
        }
        assert_eq!(run("call_two", &[0]), Err(TrapKind::BadSignature), "{mode:?}");
        // A host-made table: null until written, then what was written, then null again.
        assert_eq!(run("call_h", &[2]), Err(TrapKind::IndirectCallToNull));
        run("set_h", &[2, 0]).unwrap();
        assert_eq!(run("call_h", &[2]), Ok(vec![Val::I32(1)]));
        assert!(matches!(host.get(2), Some(Val::FuncRef(p)) if p != 0));
        run("set_h", &[2, 3]).unwrap();
        assert_eq!(run("call_h", &[2]), Err(TrapKind::IndirectCallToNull));
        assert_eq!(host.get(2), Some(Val::FuncRef(0)));
    }
}
