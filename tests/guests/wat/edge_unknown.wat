;; Unknown imports (WALI-ABI.md §4): instantiation succeeds; an unknown `SYS_*` returning i64 answers
;; -ENOSYS (-38) whatever its parameters; an unknown non-syscall import (`wali.foo`), an unknown
;; `SYS_*` with a non-i64 result and an `undefined.syscall0` tripwire trap only when called.
;; Prints two results, then "calling foo" and calls wali.foo, which must end the process.
(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_nonexistent" (func $nonexistent (param i32) (result i64)))
  (import "wali" "SYS_nonexistent_too" (func $nonexistent_too (param i64 i32 i64) (result i64)))
  (import "wali" "SYS_weird_result" (func $weird (result i32)))
  (import "undefined" "syscall0" (func $syscall0 (param i32) (result i64)))
  (import "wali" "foo" (func $foo (param i32) (result i32)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 16) "nonexistent=")       ;; 16, len 12
  (data (i32.const 32) "nonexistent_too=")   ;; 32, len 16
  (data (i32.const 64) "calling foo\n")      ;; 64, len 12
  (data (i32.const 80) "foo returned\n")     ;; 80, len 13

  (func $say (param $lab i32) (param $len i32) (param $v i64)
    (local $pos i32) (local $u i64) (local $neg i32)
    (drop (call $write (i32.const 1) (local.get $lab) (local.get $len)))
    (i32.store8 (i32.const 1099) (i32.const 10))
    (local.set $pos (i32.const 1099))
    (local.set $neg (i64.lt_s (local.get $v) (i64.const 0)))
    (local.set $u (select (i64.sub (i64.const 0) (local.get $v)) (local.get $v) (local.get $neg)))
    (loop $digits
      (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
      (i32.store8 (local.get $pos)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 10)))))
      (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $u) (i64.const 0))))
    (if (local.get $neg)
      (then
        (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
        (i32.store8 (local.get $pos) (i32.const 45))))
    (drop (call $write (i32.const 1) (local.get $pos) (i32.sub (i32.const 1100) (local.get $pos)))))

  (func (export "_start")
    (call $say (i32.const 16) (i32.const 12) (call $nonexistent (i32.const 7)))
    (call $say (i32.const 32) (i32.const 16)
      (call $nonexistent_too (i64.const -1) (i32.const 0) (i64.const 0x123456789)))
    (drop (call $write (i32.const 1) (i32.const 64) (i32.const 12)))
    (drop (call $foo (i32.const 1)))
    (drop (call $write (i32.const 1) (i32.const 80) (i32.const 13))))

  ;; never called: their presence alone must not stop instantiation
  (func (export "unused") (result i64)
    (i64.add (i64.extend_i32_s (call $weird)) (call $syscall0 (i32.const 0))))
)
