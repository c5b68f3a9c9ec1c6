;; Guest pointers at and beyond the end of linear memory (WALI-ABI.md §8.1): a range that runs past the
;; end, one that starts exactly at the end with length 0, a pointer near 4 GiB, one whose end wraps
;; around 2^32, and path strings with no NUL before the end of memory all give -EFAULT (14) without
;; harming the process; after memory.grow the same addresses are valid.
;; Prints "label=result" lines, then the bytes written by the successful calls, then "alive".
(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_read" (func $read (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_open" (func $open (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_access" (func $access (param i32 i32) (result i64)))
  (import "wali" "SYS_stat" (func $stat (param i32 i32) (result i64)))
  (import "wali" "SYS_faccessat" (func $faccessat (param i32 i32 i32 i32) (result i64)))
  (import "wali" "SYS_writev" (func $writev (param i32 i32 i32) (result i64)))
  (memory (export "memory") 1 2 shared)

  ;; labels
  (data (i32.const 16) "past_end=")            ;; 16, len 9
  (data (i32.const 32) "at_end_len0=")         ;; 32, len 12
  (data (i32.const 48) "high_ptr=")            ;; 48, len 9
  (data (i32.const 64) "wrapping=")            ;; 64, len 9
  (data (i32.const 80) "read_past_end=")       ;; 80, len 14
  (data (i32.const 96) "open_unterminated=")   ;; 96, len 18
  (data (i32.const 128) "access_unterminated=");; 128, len 20
  (data (i32.const 160) "stat_unterminated=")  ;; 160, len 18
  (data (i32.const 192) "faccessat_unterminated=") ;; 192, len 23
  (data (i32.const 224) "last4=")              ;; 224, len 6
  (data (i32.const 240) "grow=")               ;; 240, len 5
  (data (i32.const 256) "across_old_end=")     ;; 256, len 15
  (data (i32.const 288) "open_now_terminated=");; 288, len 20
  (data (i32.const 320) "past_new_end=")       ;; 320, len 13
  (data (i32.const 336) "alive\n")             ;; 336, len 6
  (data (i32.const 352) "\n")                  ;; 352, len 1
  (data (i32.const 368) "stat_ok=")            ;; 368, len 8
  (data (i32.const 384) "/\00")                ;; 384
  (data (i32.const 400) "iov_array_past_end=") ;; 400, len 19
  (data (i32.const 432) "iov_base_past_end=")  ;; 432, len 18
  ;; an iovec {base 65530, len 10}: its data runs past the end
  (data (i32.const 2048) "\fa\ff\00\00\0a\00\00\00")
  ;; the last 16 bytes of the first page: no NUL up to the end of memory
  (data (i32.const 65520) "AAAAAAAAAAAAAAAA")

  ;; write(1, label, len); then the decimal value and "\n"
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
    ;; starts 4 bytes before the end, 8 long
    (call $say (i32.const 16) (i32.const 9) (call $write (i32.const 1) (i32.const 65532) (i32.const 8)))
    ;; exactly at the end, length 0: an empty range inside memory
    (call $say (i32.const 32) (i32.const 12) (call $write (i32.const 1) (i32.const 65536) (i32.const 0)))
    (call $say (i32.const 48) (i32.const 9) (call $write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 16)))
    ;; ptr + len wraps around 2^32
    (call $say (i32.const 64) (i32.const 9) (call $write (i32.const 1) (i32.const 0xFFFFFFFF) (i32.const 2)))
    (call $say (i32.const 80) (i32.const 14) (call $read (i32.const 0) (i32.const 65532) (i32.const 8)))
    ;; an iovec array that runs past the end, and an iovec whose data does
    (call $say (i32.const 400) (i32.const 19) (call $writev (i32.const 1) (i32.const 65532) (i32.const 1)))
    (call $say (i32.const 432) (i32.const 18) (call $writev (i32.const 1) (i32.const 2048) (i32.const 1)))
    ;; strings without a NUL before the end of memory
    (call $say (i32.const 96) (i32.const 18) (call $open (i32.const 65520) (i32.const 0) (i32.const 0)))
    (call $say (i32.const 128) (i32.const 20) (call $access (i32.const 65520) (i32.const 0)))
    (call $say (i32.const 160) (i32.const 18) (call $stat (i32.const 65520) (i32.const 2048)))
    (call $say (i32.const 192) (i32.const 23)
      (call $faccessat (i32.const -100) (i32.const 65520) (i32.const 0) (i32.const 0)))
    ;; the process is fine: a valid stat and the last 4 bytes of memory
    (call $say (i32.const 368) (i32.const 8) (call $stat (i32.const 384) (i32.const 2048)))
    (call $say (i32.const 224) (i32.const 6) (call $write (i32.const 1) (i32.const 65532) (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 352) (i32.const 1)))
    ;; grow by one page: the old end is now inside memory
    (call $say (i32.const 240) (i32.const 5) (i64.extend_i32_s (memory.grow (i32.const 1))))
    (i32.store (i32.const 65536) (i32.const 0x42424242)) ;; "BBBB"
    (i32.store8 (i32.const 65540) (i32.const 10))
    (call $say (i32.const 256) (i32.const 15) (call $write (i32.const 1) (i32.const 65532) (i32.const 9)))
    ;; the path now ends in the new page's zeros: "AAAA...BBBB\n" does not exist
    (call $say (i32.const 288) (i32.const 20) (call $open (i32.const 65520) (i32.const 0) (i32.const 0)))
    (call $say (i32.const 320) (i32.const 13) (call $write (i32.const 1) (i32.const 131068) (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 336) (i32.const 6))))
)
