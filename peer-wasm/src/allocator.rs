//! The heap allocator in the browser: talc, in place of the dlmalloc std brings. It is
//! 5 KB smaller in the package (see docs/BENCHMARKS.md, "Browser package size") and no
//! slower where the message path allocates (frames, payload buffers). A WASM page has
//! one thread here (no `atomics`), which talc's single-threaded cell relies on.

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
