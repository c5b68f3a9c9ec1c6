;; Hostile guest: finds the memfd behind the copy-on-write image of its own memory (the module
;; has an active data segment, so it has one) among its file descriptors, and tries to shrink it
;; (every later read of the image would be a SIGBUS) and to write it (another instance's or a
;; forked child's memory). Both must fail with EPERM: the memfd is sealed.
;; Exit status: 0 sealed, 10 no memfd found, 11 ftruncate worked, 12 pwrite worked, 13 memory
;; changed.
(module
  (import "wali" "SYS_fcntl" (func $fcntl (param i32 i32 i64) (result i64)))
  (import "wali" "SYS_ftruncate" (func $ftruncate (param i32 i64) (result i64)))
  (import "wali" "SYS_pwrite64" (func $pwrite64 (param i32 i32 i32 i64) (result i64)))
  (import "wali" "SYS_exit_group" (func $exit_group (param i32) (result i64)))
  (memory (export "memory") 1 1)
  (data (i32.const 256) "wali")
  (func $exit (param i32) (drop (call $exit_group (local.get 0))) (unreachable))
  (func (export "_start")
    (local $fd i32) (local $found i32)
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        ;; F_GET_SEALS (1034): > 0 only for a memfd (others give -EINVAL).
        (if (i64.gt_s (call $fcntl (local.get $fd) (i32.const 1034) (i64.const 0)) (i64.const 0))
          (then (local.set $found (local.get $fd)) (br $done)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $fd) (i32.const 256)))))
    (if (i32.eqz (local.get $found)) (then (call $exit (i32.const 10))))
    (if (i64.ne (call $ftruncate (local.get $found) (i64.const 0)) (i64.const -1))
      (then (call $exit (i32.const 11))))
    (if (i64.ne (call $pwrite64 (local.get $found) (i32.const 0) (i32.const 4) (i64.const 256)) (i64.const -1))
      (then (call $exit (i32.const 12))))
    (if (i32.ne (i32.load (i32.const 256)) (i32.const 0x696c6177))
      (then (call $exit (i32.const 13))))
    (call $exit (i32.const 0))))
