//! Process memory housekeeping for the worker.
//!
//! glibc keeps memory freed by the addon, RocksDB and Node's own C++ in its arenas; after a burst
//! (restoring 10 000 things, a full collection, a stat-log write) much of it stays resident.
//! `malloc_trim(0)` hands the free pages of every arena back to the kernel.

use napi_derive::napi;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    /// glibc: releases free memory at the top of the heap and free whole pages in every arena.
    fn malloc_trim(pad: usize) -> std::os::raw::c_int;
}

/// Returns free allocator pages to the operating system (glibc `malloc_trim(0)`). Returns `true`
/// when some memory was released, `false` when none was or on a libc without `malloc_trim`
/// (musl, macOS): then it does nothing.
#[napi]
pub fn malloc_trim_now() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only walks the allocator's own arenas under their locks; it takes
        // no pointers from us and is safe to call from any thread at any time.
        unsafe { malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
