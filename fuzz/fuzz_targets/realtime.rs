//! Real-time publication payloads: any bytes decode to an event that
//! serialises, and the fast path decides exactly as the general one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_bowl_chat::realtime;

fuzz_target!(|data: &[u8]| {
    let channel = if data.first().is_some_and(|b| b % 2 == 0) {
        "room:main"
    } else {
        "user:alice"
    };
    let payload = data.get(1..).unwrap_or_default();
    let event = realtime::decode(channel, payload);
    serde_json::to_string(&event).expect("every event serialises");
    assert_eq!(
        event,
        token_bowl_chat::fuzzing::decode_via_value(channel, payload),
        "the direct decode agrees with the general one"
    );
});
