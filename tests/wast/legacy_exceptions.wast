;; The legacy exception instructions (try/catch/catch_all/rethrow/delegate), which clang 22
;; emits by default for C++. The spec suite has no scripts for them (Wasmtime 48 does not
;; implement them), so these are ours, written from the legacy proposal's semantics.

(module $m
  (tag $e0)
  (tag $e1 (param i32))
  (tag $e2 (param i32 i64))
  (tag $ef (param f64))
  (tag (export "shared") (param i32))

  (func $throw-e1 (param i32) (local.get 0) (throw $e1))
  (func $throw-e0 (throw $e0))

  ;; catch with payload
  (func (export "catch-e1") (param i32) (result i32)
    try (result i32)
      (call $throw-e1 (local.get 0))
      (i32.const 0)
    catch $e1
      (i32.const 1)
      (i32.add)
    end)

  ;; no throw: the body's result
  (func (export "no-throw") (result i32)
    try (result i32)
      (i32.const 7)
    catch $e1
    catch_all
      (i32.const 9)
    end)

  ;; clauses in order, catch_all last
  (func (export "select-clause") (param i32) (result i32)
    try (result i32)
      (block
        (br_if 0 (i32.eqz (local.get 0)))
        (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0)))
        (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e2 (i32.const 20) (i64.const 22))))
        (throw $ef (f64.const 1.5)))
      (i32.const 100)
    catch $e0
      (i32.const 101)
    catch $e2
      (drop)
    catch_all
      (i32.const 103)
    end)

  ;; an uncaught tag passes a try without a matching clause
  (func (export "pass-through") (result i32)
    try (result i32)
      try (result i32)
        (call $throw-e0)
        (i32.const 0)
      catch $e1
      end
    catch $e0
      (i32.const 2)
    end)

  ;; rethrow from a catch body to the outer try, payload intact
  (func (export "rethrow") (param i32) (result i32)
    try (result i32)
      try (result i32)
        (call $throw-e1 (local.get 0))
        (i32.const 0)
      catch $e1
        (drop)
        (rethrow 0)
      end
    catch $e1
    end)

  ;; rethrow names an outer catch (label 1 from inside a nested try's catch_all)
  (func (export "rethrow-outer") (param i32) (result i32)
    try (result i32)
      try (result i32)
        (call $throw-e1 (local.get 0))
        (i32.const 0)
      catch $e1
        (drop)
        try (result i32)
          (throw $e0)
        catch_all
          (rethrow 1)
        end
      end
    catch $e1
      (i32.const 1000)
      (i32.add)
    catch $e0
      (i32.const -1)
    end)

  ;; an exception thrown in a catch body is not caught by the same try
  (func (export "throw-in-catch") (result i32)
    try (result i32)
      try (result i32)
        (throw $e0)
      catch $e0
        (throw $e1 (i32.const 5))
      catch $e1
        (drop)
        (i32.const -1)
      end
    catch $e1
    end)

  ;; delegate to an enclosing try's handlers, skipping the try in between
  (func (export "delegate-outer") (result i32)
    try (result i32)
      try (result i32)
        try
          (throw $e1 (i32.const 3))
        delegate 1
        (i32.const 0)
      catch $e1
        (drop)
        (i32.const -1)
      end
    catch $e1
      (i32.const 40)
      (i32.add)
    end)

  ;; delegate 0: the enclosing try catches
  (func (export "delegate-0") (result i32)
    try (result i32)
      try
        (call $throw-e0)
      delegate 0
      (i32.const 0)
    catch $e0
      (i32.const 8)
    end)

  ;; delegate to the function level: leaves the function
  (func (export "delegate-out") (result i32)
    try (result i32)
      (block
        try
          (throw $e0)
        delegate 1)
      (i32.const 0)
    catch_all
      (i32.const 1)
    end)

  ;; catch bodies see locals as the throw left them
  (func (export "locals") (result i32) (local i32)
    try
      (local.set 0 (i32.const 41))
      (call $throw-e0)
      (local.set 0 (i32.const 0))
    catch $e0
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    end
    (local.get 0))

  ;; in a loop: many throws
  (func (export "loop") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        try
          (call $throw-e1 (local.get 0))
        catch $e1
          (local.get 1)
          (i32.add)
          (local.set 1)
        end
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get 1))

  ;; legacy try and try_table nest in either order
  (func (export "mixed") (result i32)
    (block $h (result i32)
      (try_table (catch $e1 $h)
        try
          (throw $e1 (i32.const 12))
        catch $e0
        end)
      (i32.const 0)))

  (func (export "mixed-2") (result i32)
    try (result i32)
      (block $h
        (try_table (catch $e0 $h)
          (throw $e1 (i32.const 13))))
      (i32.const 0)
    catch $e1
    end)

  ;; uncaught
  (func (export "uncaught") (param i32)
    try
      (call $throw-e1 (local.get 0))
    catch $e0
    end)

  ;; delegate to the function's label: straight out of the function
  (func (export "delegate-fn")
    try
      (throw $e0)
    delegate 0)

  (func (export "rethrow-uncaught")
    try
      (throw $e0)
    catch_all
      (rethrow 0)
    end)

  ;; traps are not exceptions
  (func (export "trap") (result i32)
    try (result i32)
      (unreachable)
    catch_all
      (i32.const 1)
    end)
)

(assert_return (invoke "catch-e1" (i32.const 41)) (i32.const 42))
(assert_return (invoke "no-throw") (i32.const 7))
(assert_return (invoke "select-clause" (i32.const 0)) (i32.const 100))
(assert_return (invoke "select-clause" (i32.const 1)) (i32.const 101))
(assert_return (invoke "select-clause" (i32.const 2)) (i32.const 20))
(assert_return (invoke "select-clause" (i32.const 3)) (i32.const 103))
(assert_return (invoke "pass-through") (i32.const 2))
(assert_return (invoke "rethrow" (i32.const 6)) (i32.const 6))
(assert_return (invoke "rethrow-outer" (i32.const 6)) (i32.const 1006))
(assert_return (invoke "throw-in-catch") (i32.const 5))
(assert_return (invoke "delegate-outer") (i32.const 43))
(assert_return (invoke "delegate-0") (i32.const 8))
(assert_return (invoke "delegate-out") (i32.const 1))
(assert_return (invoke "locals") (i32.const 42))
(assert_return (invoke "loop" (i32.const 0)) (i32.const 0))
(assert_return (invoke "loop" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "mixed") (i32.const 12))
(assert_return (invoke "mixed-2") (i32.const 13))
(assert_exception (invoke "uncaught" (i32.const 1)))
(assert_exception (invoke "rethrow-uncaught"))
(assert_exception (invoke "delegate-fn"))
(assert_trap (invoke "trap") "unreachable")

(register "m" $m)

;; Across instances: the imported tag is the same tag.
(module $n
  (import "m" "shared" (tag $s (param i32)))
  (tag $own (param i32))
  (func $thrower (export "throw-shared") (param i32) (throw $s (local.get 0)))
  (func (export "throw-own") (param i32) (throw $own (local.get 0)))
)
(register "n" $n)

(module
  (import "m" "shared" (tag $s (param i32)))
  (import "n" "throw-shared" (func $throw-shared (param i32)))
  (import "n" "throw-own" (func $throw-own (param i32)))
  (tag $mine (param i32))
  (func (export "cross") (param i32) (result i32)
    try (result i32)
      (call $throw-shared (local.get 0))
      (i32.const 0)
    catch $s
    end)
  ;; a tag of the same type from another module is another tag
  (func (export "other-tag") (result i32)
    try (result i32)
      try (result i32)
        (call $throw-own (i32.const 1))
        (i32.const 0)
      catch $mine
      end
    catch_all
      (i32.const 77)
    end)
)
(assert_return (invoke "cross" (i32.const 55)) (i32.const 55))
(assert_return (invoke "other-tag") (i32.const 77))

(assert_invalid
  (module (tag $e) (func try catch $e end rethrow 0))
  "")
