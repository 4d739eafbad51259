//! Real-time publication payloads: any bytes decode to an event that
//! serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_bowl_chat::realtime;

fuzz_target!(|data: &[u8]| {
    let channel = if data.first().is_some_and(|b| b % 2 == 0) {
        "room:main"
    } else {
        "user:alice"
    };
    let event = realtime::decode(channel, data.get(1..).unwrap_or_default());
    serde_json::to_string(&event).expect("every event serialises");
});
