//! **A sealed mock trait.** The `mock` feature's `MockServerExt` has one
//! method per operation and is implemented for `httpmock::MockServer`
//! only. Were it open, a new operation (a server that only adds) would
//! break every other implementation of it, a major release (that is what
//! cargo-semver-checks reports as `trait_method_added`). It is sealed: its
//! supertrait `sealed::Sealed` lives in a private module, so no one else
//! can implement it and a new method is a minor change. Calling its
//! methods on a `MockServer` is unchanged.

use syn::{Item, parse_quote};

/// The trait progenitor's httpmock generator emits.
const TRAIT: &str = "MockServerExt";

/// The pass: seals `MockServerExt` when `items` has it (the mock file).
pub(super) fn rewrite_items(items: &mut Vec<Item>) {
    let Some(found) = items.iter_mut().find_map(|item| match item {
        Item::Trait(t) if t.ident == TRAIT => Some(t),
        _ => None,
    }) else {
        return;
    };
    if !found.supertraits.is_empty() {
        found.supertraits.push_punct(parse_quote!(+));
    }
    found.supertraits.push_value(parse_quote!(sealed::Sealed));
    found.colon_token.get_or_insert_with(Default::default);
    items.push(parse_quote! {
        mod sealed {
            /// Only `httpmock::MockServer` implements the mock trait.
            pub trait Sealed {}
            impl Sealed for ::httpmock::MockServer {}
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::generate;

    #[test]
    fn the_mock_trait_is_sealed_and_the_client_untouched() {
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/u": {"get": {"operationId": "list_users",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}}}
        }"##;
        let generated = generate(spec).unwrap();
        let flat: String = generated.mock.split_whitespace().collect();
        assert!(
            flat.contains("pubtraitMockServerExt:sealed::Sealed{"),
            "{}",
            generated.mock
        );
        assert!(
            flat.contains("modsealed{") && flat.contains("implSealedfor::httpmock::MockServer{}"),
            "{}",
            generated.mock
        );
        assert!(!generated.client.contains("Sealed"), "{}", generated.client);
    }
}
