;; Divergence: a function type with more than 8 results.
;;
;; Status: found by cwali-difffuzz (seed 127 and 83 more in the first 47,598 seeds, about 1 module
;; in 570); fixed in the tree while the fuzzer ran (the 07:09 UTC build agrees with Wasmtime).
;; Kept as a regression case.
;;
;; cwali refuses the module at compile time:
;;   compilation failed: Cranelift failed on wasm-function[0]: Unsupported("Too many return
;;   values to fit in registers. Use a StructReturn argument instead. (#9510)")
;; Wasmtime compiles it and `f` returns 1..9. Eight results work; nine integer or nine float
;; results fail. The type need not belong to a function: a type used only as a block type
;; (`$block` below) fails the same way, in the trampoline cwali compiles for every type
;; ("Cranelift failed on trampoline for type 1").
;;
;; Run: cargo run -p cwali-tests --bin cwali-difffuzz -- --wasm tests/diff-repros/many-results.wat
(module
  (type $block (func (result i64 i64 i64 i64 i64 i64 i64 i64 i64)))
  (func (export "f") (result i32 i32 i32 i32 i32 i32 i32 i32 i32)
    i32.const 1 i32.const 2 i32.const 3 i32.const 4 i32.const 5
    i32.const 6 i32.const 7 i32.const 8 i32.const 9)
  (func (export "g") (result i64)
    (block (type $block)
      i64.const 1 i64.const 2 i64.const 3 i64.const 4 i64.const 5
      i64.const 6 i64.const 7 i64.const 8 i64.const 9)
    drop drop drop drop drop drop drop drop))
