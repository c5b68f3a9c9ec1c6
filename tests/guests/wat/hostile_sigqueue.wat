;; Hostile guest: rt_sigqueueinfo to itself with a siginfo that claims to come from the kernel
;; (SIGSEGV with si_code SEGV_MAPERR, and SI_TKILL): the runtime's fault handler must never see
;; a forged fault. Both must fail with EPERM; a SIGUSR1 with SI_QUEUE (what sigqueue(3) sends)
;; is queued and, with its default action, ends the process by SIGUSR1.
;; Exit status: 11 forged fault accepted, 12 forged SI_TKILL accepted, 13 SI_QUEUE refused.
(module
  (import "wali" "SYS_getpid" (func $getpid (result i64)))
  (import "wali" "SYS_rt_sigqueueinfo" (func $sigqueueinfo (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_exit_group" (func $exit_group (param i32) (result i64)))
  (memory (export "memory") 1 1)
  (func $exit (param i32) (drop (call $exit_group (local.get 0))) (unreachable))
  ;; siginfo_t at 0: si_signo @0, si_errno @4, si_code @8, si_addr/si_pid @16.
  (func $queue (param $sig i32) (param $code i32) (result i64)
    (i32.store (i32.const 0) (local.get $sig))
    (i32.store (i32.const 8) (local.get $code))
    (i64.store (i32.const 16) (i64.const 0x1000))
    (call $sigqueueinfo (i32.wrap_i64 (call $getpid)) (local.get $sig) (i32.const 0)))
  (func (export "_start")
    ;; SIGSEGV (11), SEGV_MAPERR (1): -EPERM (-1).
    (if (i64.ne (call $queue (i32.const 11) (i32.const 1)) (i64.const -1)) (then (call $exit (i32.const 11))))
    ;; SIGSEGV, SI_TKILL (-6): -EPERM.
    (if (i64.ne (call $queue (i32.const 11) (i32.const -6)) (i64.const -1)) (then (call $exit (i32.const 12))))
    ;; SIGUSR1 (10), SI_QUEUE (-1): delivered; its default action ends the process.
    (if (i64.ne (call $queue (i32.const 10) (i32.const -1)) (i64.const 0)) (then (call $exit (i32.const 13))))
    (call $exit (i32.const 0))))
