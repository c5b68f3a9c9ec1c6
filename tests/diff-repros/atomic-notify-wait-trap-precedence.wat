;; Divergence (trap kind only): memory.atomic.notify / memory.atomic.wait32/64 whose effective
;; address is both out of bounds and misaligned.
;;
;; Found by cwali-difffuzz: seed 27971 first, then 22 more seeds in about 560,000 modules (every
;; one of them disappears when notify/wait are removed). All four cwali configurations behave
;; the same.
;;
;;   (invoke "notify")  ;; address -1: ea = 0xffffffff + 4079 = 0x1_0000_0fee: OOB, ea % 4 = 2
;;     wasmtime: trap MemoryOutOfBounds ("out of bounds memory access")
;;     cwali:    trap UnalignedAtomic   ("unaligned atomic")
;;   (invoke "wait32")  ;; same effective address, same split
;;   (invoke "wait64")  ;; ea % 8 = 6
;;
;; The spec only says "trap" when either condition holds (threads proposal, exec of atomic
;; accesses: "if ea + N/8 > n, or ea is not divisible by N/8, then trap"), so both are
;; conformant; the difference is which message wins. Wasmtime is not uniform either: for the
;; atomic loads, stores and RMWs it checks alignment first, exactly like cwali
;; (`load` below: both engines report "unaligned atomic"), but for notify and wait (libcalls)
;; it checks bounds first. Matching Wasmtime would mean checking bounds before alignment in
;; cwali's notify/wait only.
;;
;; Run: cargo run -p cwali-tests --bin cwali-difffuzz -- --wasm tests/diff-repros/atomic-notify-wait-trap-precedence.wat
;; Every export takes no argument: the address is always -1.
(module
  (memory 1 1 shared)
  (func (export "notify") (result i32)
    (memory.atomic.notify offset=4079 (i32.const -1) (i32.const 0)))
  (func (export "wait32") (result i32)
    (memory.atomic.wait32 offset=4079 (i32.const -1) (i32.const 0) (i64.const 0)))
  (func (export "wait64") (result i32)
    (memory.atomic.wait64 offset=4079 (i32.const -1) (i64.const 0) (i64.const 0)))
  ;; For contrast: both engines report "unaligned atomic" here.
  (func (export "load") (result i32)
    (i32.atomic.load offset=4079 (i32.const -1))))
