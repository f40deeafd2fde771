//! Ends the server when the client process is gone.
//!
//! LSP `initialize` `processId`: "The process Id of the parent process that started the server.
//! ... If the parent process is not alive then the server should exit (see exit notification)
//! its process." An editor that crashes cannot send `exit` and may leave our stdin open, so the
//! server polls the process every [`POLL`] and exits like a missing `exit` would: with code 0 if
//! `shutdown` came first, else 1.
//!
//! Must not know: LSP types (the handler stores the id; this only watches it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often the client process is checked.
pub const POLL: Duration = Duration::from_secs(2);

/// Waits until `pid` is set, then checks every [`POLL`] that the process lives; exits the whole
/// process once it does not.
pub async fn watch(pid: Arc<OnceLock<u32>>, shutdown: Arc<AtomicBool>) {
    let mut ticks = tokio::time::interval(POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(&pid) = pid.get() else { continue };
        if !is_alive(pid) {
            let code = if shutdown.load(Ordering::SeqCst) {
                0
            } else {
                1
            };
            tracing::error!("client process {pid} is gone: exiting with code {code}");
            super::stdio::restore_blocking();
            std::process::exit(code);
        }
    }
}

/// Whether process `pid` exists: `kill(pid, 0)` succeeds, or fails only because we may not
/// signal it (`EPERM`: it exists but belongs to someone else).
#[cfg(unix)]
pub fn is_alive(pid: u32) -> bool {
    use rustix::io::Errno;
    use rustix::process::{test_kill_process, Pid};
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        // 0 or out of range: not a process we can watch; never exit because of it.
        return true;
    };
    match test_kill_process(pid) {
        Ok(()) => true,
        Err(err) => err != Errno::SRCH,
    }
}

/// Elsewhere the server relies on `exit` and the end of stdin.
#[cfg(not(unix))]
pub fn is_alive(_pid: u32) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn this_process_lives_and_a_reaped_child_does_not() {
        assert!(is_alive(std::process::id()));
        assert!(is_alive(0), "pid 0 is never watched");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!is_alive(pid));
    }
}
