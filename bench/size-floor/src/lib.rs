//! peer-core's connection machine and files machine, with every input reachable and every
//! output kept, and nothing else: no JS bindings, no driver, no input or output encoding.
//! The exports read their inputs from raw memory only so that the linker keeps every
//! path of `apply` and `handle_frame`; the module is measured, never instantiated.
use core::ptr;
use peer_core::files::{FileFrame, Files};
use peer_core::{Backoff, Core, Input, Instant};
use signaling_protocol::PeerInfo;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

type Message = Vec<u8>;

unsafe extern "C" {
    fn output(at: *const u8);
    fn file_output(at: *const u8);
    fn wake_at(millis: u64);
}

/// # Safety
/// Never called: `args` would have to hold the arguments of `Core::new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn core_new(args: *const u8) -> *mut Core<Message> {
    type Args = (PeerInfo, Vec<PeerInfo>, u32, Option<Backoff>);
    let (me, roster, first_session, backoff) = unsafe { ptr::read(args.cast::<Args>()) };
    Box::into_raw(Box::new(Core::new(me, roster, first_session, backoff)))
}

/// # Safety
/// Never called: `core` and `input` would have to be a live core and an `Input`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn core_apply(core: *mut Core<Message>, input: *const u8, now: u64) {
    let core = unsafe { &mut *core };
    core.apply(unsafe { ptr::read(input.cast::<Input<Message>>()) }, Instant::from_millis(now));
    core.handle_timeout(Instant::from_millis(now));
    while let Some(next) = core.poll_output() {
        unsafe { output(ptr::from_ref(&next).cast()) }
    }
    if let Some(at) = core.poll_timeout() {
        unsafe { wake_at(at.as_millis()) }
    }
}

/// # Safety
/// Never called: `files` and `frame` would have to be live files and a `FileFrame`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn files_frame(
    files: *mut Files<Message>,
    frame: *const u8,
    now: u64,
) -> bool {
    let files = unsafe { &mut *files };
    let frame = unsafe { ptr::read(frame.cast::<FileFrame<Message>>()) };
    let accepted = files.handle_frame(frame, Instant::from_millis(now)).is_ok();
    files.handle_timeout(Instant::from_millis(now));
    while let Some(next) = files.poll_output() {
        unsafe { file_output(ptr::from_ref(&next).cast()) }
    }
    accepted
}

/// A files machine (never called).
#[unsafe(no_mangle)]
pub extern "C" fn files_new() -> *mut Files<Message> {
    Box::into_raw(Box::new(Files::new()))
}
