;; A WALI-shaped program that traps in the way its first argument's length selects:
;; no argument: unreachable; "x": out-of-bounds load; "xx": divide by zero.
(module
  (import "wali" "__cl_get_argc" (func $argc (result i32)))
  (import "wali" "__cl_get_argv_len" (func $arglen (param i32) (result i32)))
  (memory (export "memory") 1 1 shared)
  (func $oob (result i32) (i32.load (i32.const 70000)))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "_start")
    (if (i32.lt_u (call $argc) (i32.const 2)) (then unreachable))
    (if (i32.eq (call $arglen (i32.const 1)) (i32.const 1)) (then (drop (call $oob))))
    (drop (call $div (i32.const 0)))))
