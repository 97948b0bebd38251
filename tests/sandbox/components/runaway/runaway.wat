;; A hand-written guest that misbehaves on purpose (tests of the host's limits).
;; It answers `describe` and `warmup` properly; `spin` loops forever, `hog` grows its memory
;; until the host refuses, then aborts as an allocator would. Built from text, no toolchain.
(component
  (core module $m
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 4096))
    (data (i32.const 16) "{\"tools\":[{\"name\":\"spin\",\"description\":\"loops forever\",\"inputSchema\":{\"type\":\"object\"}},{\"name\":\"hog\",\"description\":\"grows memory until refused, then aborts\",\"inputSchema\":{\"type\":\"object\"}}],\"operations\":[]}")
    (data (i32.const 2048) "{\"ok\":true}")
    (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))
      (block $done
        (loop $grow
          (br_if $done (i32.le_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536))))
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
          (br $grow)))
      (local.get $p))
    (func $ret (param $ptr i32) (param $len i32) (result i32)
      (i32.store (i32.const 8) (local.get $ptr))
      (i32.store (i32.const 12) (local.get $len))
      (i32.const 8))
    (func (export "handle") (param $ptr i32) (param $len i32) (result i32)
      (local $c i32)
      ;; the host's requests start with {"kind": "...: byte 10 is d(escribe), e(xecute), w(armup)
      (local.set $c (i32.load8_u (i32.add (local.get $ptr) (i32.const 10))))
      (if (i32.eq (local.get $c) (i32.const 100))
        (then (return (call $ret (i32.const 16) (i32.const 208)))))
      (if (i32.ne (local.get $c) (i32.const 101))
        (then (return (call $ret (i32.const 2048) (i32.const 11)))))
      ;; execute: {"kind": "execute", "tool": "s(pin)... byte 29
      (if (i32.eq (i32.load8_u (i32.add (local.get $ptr) (i32.const 29))) (i32.const 115))
        (then (loop $forever (br $forever))))
      (loop $more
        (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
      unreachable)
  )
  (core instance $i (instantiate $m))
  (func (export "handle") (param "request" string) (result string)
    (canon lift (core func $i "handle") (memory (core memory $i "memory"))
      (realloc (core func $i "cabi_realloc"))))
)
