;; A known syscall imported with the wrong signature (WALI-ABI.md §4): `SYS_read` as (i32, i32) -> i64
;; instead of (i32, i32, i32) -> i64. Instantiation succeeds and the other imports work; calling it
;; traps naming the import. Prints "before", then calls it.
(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_read" (func $read (param i32 i32) (result i64)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 16) "before\n")
  (data (i32.const 32) "after\n")
  (func (export "_start")
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 7)))
    (drop (call $read (i32.const 0) (i32.const 64)))
    (drop (call $write (i32.const 1) (i32.const 32) (i32.const 6))))
)
