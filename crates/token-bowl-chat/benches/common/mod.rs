//! What the benches share: CPU clocks (Linux: getrusage and /proc) and the
//! bare `reqwest` + `serde_json` call they compare with.

#![allow(dead_code, reason = "each bench uses some of these")]

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

fn rusage(who: libc::c_int) -> (Duration, Duration) {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (time(usage.ru_utime), time(usage.ru_stime))
}

/// User + system CPU time of the whole process.
pub fn process_cpu() -> Duration {
    let (user, system) = rusage(libc::RUSAGE_SELF);
    user + system
}

/// User and system CPU time of the calling thread.
pub fn thread_user_system() -> (Duration, Duration) {
    rusage(libc::RUSAGE_THREAD)
}

/// `/proc/<pid>/task/<tid>` of the calling thread.
pub fn this_thread() -> PathBuf {
    // The link reads `<pid>/task/<tid>`, relative to /proc.
    Path::new("/proc").join(std::fs::read_link("/proc/thread-self").unwrap_or_default())
}

/// CPU time of the thread at `/proc/<pid>/task/<tid>` (nanoseconds, from
/// its schedstat); zero once the thread has ended.
pub fn cpu_of(task: &Path) -> Duration {
    let text = std::fs::read_to_string(task.join("schedstat")).unwrap_or_default();
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos)
}

/// CPU time the calling thread has used.
pub fn thread_cpu() -> Duration {
    cpu_of(Path::new("/proc/thread-self"))
}

/// A bare `reqwest` + `serde_json` call: the key, send, status check, the
/// whole body, decode.
pub async fn bare<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    key: &str,
) -> T {
    let response = request
        .header("x-api-key", key)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice::<T>(&bytes).unwrap()
}
