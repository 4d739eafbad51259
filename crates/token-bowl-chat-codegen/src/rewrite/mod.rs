//! What this project changes in progenitor's output, as syntax-tree edits
//! on the generated file: things the generator's settings cannot say. One
//! pass a module, run in this order by [`rewrite`]:
//!
//! 1. [`open_enums`]: every string enum gets an `Unknown(String)` variant.
//! 2. [`non_exhaustive`]: the generated types are `#[non_exhaustive]`, so
//!    a server that only adds is a minor release.
//! 3. [`sealed_mock`]: the mock feature's `MockServerExt` is sealed, so a
//!    new operation (a new method) is a minor release too.
//! 4. [`lenient_ids`]: ids the server may send as `""` become
//!    `Option<Uuid>`.
//! 5. [`fast_times`]: `DateTime<Utc>` fields are read by chrono's RFC 3339
//!    parser first.
//! 6. [`mock_bodies`]: mock helpers serialise a body passed by value.
//! 7. [`mock_query_values`]: mock helpers match a query value as the
//!    client sends it (a list repeats the key; a union has no `Display`).
//! 8. [`no_api_version`]: no `api-version` header on requests.
//! 9. [`moved_headers`]: answers are read by `crate::response_value`,
//!    which moves the headers (a form `attempts` replaces in turn).
//! 10. [`other_methods`]: OPTIONS and TRACE are sent with
//!     `request(Method::X, url)` (`reqwest::Client` has no shortcut).
//! 11. [`attempts`]: each `send()` becomes attempts under the retry rule
//!     (the client only; it needs the operation table). It reads the
//!     answers as `moved_headers` leaves them, so it runs last: a JSON
//!     answer is read whole in the attempt and decoded after the
//!     attempts, an error body inside the attempt.
//!
//! The paths these passes name in the API crate are in
//! [`API_PATHS`](crate::api_paths::API_PATHS).
//!
//! To add a pass: a module here with the pass and its tests, a line in
//! [`rewrite`] and in the list above, and any new `crate::` path it emits
//! in [`api_paths`](crate::api_paths).

mod attempts;
mod fast_times;
mod lenient_ids;
mod mock_bodies;
mod mock_query_values;
mod moved_headers;
mod no_api_version;
mod non_exhaustive;
mod open_enums;
mod other_methods;
mod sealed_mock;

use syn::visit_mut::VisitMut as _;

pub use lenient_ids::LENIENT_UUID_MARKER;

/// progenitor's name of each operation (its `OperationInfo`'s
/// `operation_id`), to the document's id and the operation's constant in
/// the API crate's `operations`.
pub type Operations<'a> = std::collections::BTreeMap<String, (&'a str, &'a str)>;

/// Applies every rewrite to the generated file; `operations` is given for
/// the client (not the mock helpers), whose `send()`s become attempts.
/// An error names each operation (progenitor's name) a pass could not
/// rewrite, and why.
pub fn rewrite(
    file: &mut syn::File,
    operations: Option<&Operations<'_>>,
) -> Result<(), Vec<(String, String)>> {
    open_enums::rewrite_items(&mut file.items);
    non_exhaustive::rewrite_items(&mut file.items);
    sealed_mock::rewrite_items(&mut file.items);
    lenient_ids::LenientIds.visit_file_mut(file);
    fast_times::FastTimes.visit_file_mut(file);
    mock_bodies::MockBodies::default().visit_file_mut(file);
    mock_query_values::MockQueryValues.visit_file_mut(file);
    no_api_version::NoApiVersionHeader.visit_file_mut(file);
    moved_headers::MovedHeaders.visit_file_mut(file);
    other_methods::OtherMethods.visit_file_mut(file);
    if let Some(operations) = operations {
        let mut attempts = attempts::Attempts {
            operations,
            errors: Vec::new(),
        };
        attempts.visit_file_mut(file);
        if !attempts.errors.is_empty() {
            return Err(attempts.errors);
        }
    }
    Ok(())
}

/// Whether `field` belongs to one of the generated serde structs, whose
/// fields are public (the builders' are private and carry no `serde`
/// attributes).
fn is_serde_field(field: &syn::Field) -> bool {
    !matches!(field.vis, syn::Visibility::Inherited)
}

/// `code` with every rewrite applied (no operation table), as text.
#[cfg(test)]
fn rewritten(code: proc_macro2::TokenStream) -> String {
    let mut file: syn::File = syn::parse2(code).unwrap();
    rewrite(&mut file, None).unwrap();
    prettyplease::unparse(&file)
}

/// The `send()` of `builder` in generated `client`, without white space.
#[cfg(test)]
fn send_of(client: &str, builder: &str) -> String {
    let from = client.find(&format!("impl<'a> {builder}<'a>")).unwrap();
    let at = from + client[from..].find("pub async fn send").unwrap();
    let text = &client[at..at + client[at..].find("\n        }\n").unwrap()];
    text.split_whitespace().collect::<String>()
}
