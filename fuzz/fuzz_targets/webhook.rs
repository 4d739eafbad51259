//! Any body (and one of a few content types) through the webhook
//! receiver's decoder: a message, or a 4xx with a reason, never a panic; a
//! body that decodes is a message whose JSON decodes the same again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_bowl_chat::fuzzing;

fuzz_target!(|data: &[u8]| {
    let [kind, body @ ..] = data else {
        return;
    };
    let content_type: Option<&[u8]> = match kind % 4 {
        0 => Some(b"application/json"),
        1 => Some(b"application/json; charset=utf-8"),
        2 => Some(b"text/plain"),
        _ => None,
    };
    match fuzzing::webhook_delivery(content_type, body) {
        Ok(message) => {
            let again = serde_json::to_vec(&message).unwrap();
            let decoded = fuzzing::webhook_delivery(Some(b"application/json"), &again).unwrap();
            assert_eq!(decoded, message);
        }
        Err((status, detail)) => {
            assert!(matches!(status, 400 | 415 | 422), "{status}");
            assert!(!detail.is_empty());
        }
    }
});
