//! The 3.1 → 3.0 converter and the normaliser on any bytes: no panic, and
//! what they accept normalises to a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((doc, _)) = xtask::process(text, "fuzz.json") {
        let mut again = doc.clone();
        let rules = xtask::rules::Rules::for_document(&again);
        xtask::normalize::normalize(&mut again, rules);
        assert_eq!(again, doc, "normalising is idempotent");
    }
});
