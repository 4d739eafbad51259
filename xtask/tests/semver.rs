//! The semver verdict on three variants of the Token Bowl 2.0.1 document
//! (the committed, normalised `openapi.json`): the same, an additive and a
//! breaking one. `.ci/semver` checks the same three with
//! cargo-semver-checks on the built crates.

use serde_json::Value;
use xtask::semver::{Level, variants, verdict};

fn committed() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json"))
        .expect("openapi.json is committed");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_three_variants_get_patch_minor_and_major() {
    let doc = committed();
    let [patch, minor, major] = variants(&doc).unwrap();

    assert_eq!(patch.0, Level::Patch);
    let v = verdict(&doc, &patch.1);
    assert_eq!(v.lines(), ["semver: patch"], "{v:?}");

    assert_eq!(minor.0, Level::Minor);
    let v = verdict(&doc, &minor.1);
    assert_eq!(v.level, Level::Minor, "{v:?}");
    assert!(v.breaking.is_empty(), "{v:?}");
    // The names have a suffix where the committed document has grown
    // already (as in `.ci/run`'s grown copy).
    for (start, end) in [
        (
            "operation `GET /messages/{message_id}/reactions",
            "is added",
        ),
        ("`MessageResponse` has a new field `pinned", "`"),
        ("value \"moderator", "\" of `Role` is added"),
    ] {
        assert!(
            v.added
                .iter()
                .any(|a| a.starts_with(start) && a.ends_with(end)),
            "{start}…{end}: {v:?}"
        );
    }

    assert_eq!(major.0, Level::Major);
    let v = verdict(&doc, &major.1);
    assert_eq!(
        v.lines(),
        [
            "  operation `GET /logos` (`get_available_logos`) is removed",
            "  `logo` of `UserRegistration` is now required",
            "semver: major",
        ],
        "{v:?}"
    );
}

#[test]
fn a_variant_of_another_document_is_an_error() {
    let err = variants(&serde_json::json!({"paths": {}})).unwrap_err();
    assert!(err.to_string().contains("`Role`"), "{err}");
}

/// On a document that has grown already (a newer server's, or `.ci/run`'s
/// grown copy), the additive variant grows further under new names and is
/// still a minor.
#[test]
fn a_grown_document_still_gets_a_minor_variant() {
    let mut doc = committed();
    xtask::grow::grow(&mut doc).unwrap();
    let [_, minor, _] = variants(&doc).unwrap();
    let v = verdict(&doc, &minor.1);
    assert_eq!(v.level, Level::Minor, "{v:?}");
    assert!(v.added.iter().any(|a| a.contains("pinned_next")), "{v:?}");
}
