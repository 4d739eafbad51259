//! What progenitor 0.15.1 (the generator) cannot read, made readable: the
//! README's "Any FastAPI document". Each pass keeps the document's meaning
//! as far as the generated client can carry it, and records what it changed
//! as a note or a skipped operation (which `regen` prints and the API
//! surface lists).
//!
//! - [`names`]: path parameters named as their template, unique operationIds;
//! - [`requests`]: one request media type, bodies and parameters the client
//!   cannot send;
//! - [`schemas`]: enums, defaults, patterns and types;
//! - [`responses`]: one kind of answer per outcome.
//!
//! `normalize::normalize` runs them, in order.

pub mod names;
pub mod requests;
pub mod responses;
pub mod schemas;

use serde_json::{Value, json};

use crate::document::note_all;

/// An `info` without `title` or `version` (older FastAPI apps with neither
/// set) gets placeholders: the generator requires both.
pub fn info_placeholders(doc: &mut Value) {
    let mut notes = Vec::new();
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let info = root.entry("info").or_insert_with(|| json!({}));
    if !info.is_object() {
        *info = json!({});
    }
    let mut filled = Vec::new();
    for (key, placeholder) in [("title", "untitled"), ("version", "0.0.0")] {
        if !info.get(key).is_some_and(Value::is_string) {
            info[key] = json!(placeholder);
            filled.push(format!("`{key}` as {placeholder:?}"));
        }
    }
    if !filled.is_empty() {
        notes.push(format!(
            "the document's info had no title or version: filled {}",
            filled.join(" and ")
        ));
    }
    note_all(doc, notes);
}
