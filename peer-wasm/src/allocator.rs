//! The heap allocator in the browser: talc, in place of the dlmalloc std brings. It
//! makes the package 2.7 KB smaller (gzip; see docs/BENCHMARKS.md, "Browser package
//! size"), and it is built for WASM's one linear memory. A page runs the module on one
//! thread (no `atomics`), which talc's single-threaded cell relies on.

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
