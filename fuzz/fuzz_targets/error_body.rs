//! Any status and body through the executor's reading and the error
//! mapping: a value or a typed error, never a panic, and an error status
//! always kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_bowl_chat::fuzzing;

fuzz_target!(|data: &[u8]| {
    let [a, b, kind, body @ ..] = data else {
        return;
    };
    let status = 100 + u16::from_le_bytes([*a, *b]) % 500;
    let content_type = match kind % 3 {
        0 => "application/json",
        1 => "text/plain",
        _ => "text/html",
    };
    if let Err(error) = fuzzing::response(status, content_type, body) {
        let _ = format!("{error} {error:?}");
        if status >= 400 {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        }
    }
});
