//! **Room to grow.** Every struct with named fields and every enum of the
//! `types` module is `#[non_exhaustive]`, so what a server only adds (an
//! optional field, an enum value) is a minor release for users: a user's
//! struct literal or exhaustive `match` would break on it, so neither is
//! allowed. Users build a type with its builder (`types::X::builder()`,
//! or `body_map` on a request), which a new optional field leaves
//! working, and match with a `_` arm. Builders (`types::builder`) and the
//! conversion error keep their shapes: their fields are private already.

use syn::{Fields, Item, parse_quote};

/// The pass: marks the types of the `types` module of `items`.
pub(super) fn rewrite_items(items: &mut [Item]) {
    for item in items {
        if let Item::Mod(module) = item
            && module.ident == "types"
            && let Some((_, inner)) = &mut module.content
        {
            mark(inner);
        }
    }
}

fn mark(items: &mut [Item]) {
    for item in items {
        let attrs = match item {
            Item::Struct(s) if matches!(s.fields, Fields::Named(_)) => &mut s.attrs,
            Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
            attrs.push(parse_quote!(#[non_exhaustive]));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::generate;

    #[test]
    fn types_are_non_exhaustive_and_builders_are_not() {
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/u": {"post": {"operationId": "register",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Role"}}}}}}}},
          "components": {"schemas": {
            "User": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Role": {"type": "string", "enum": ["admin", "member"]}}}
        }"##;
        let client = generate(spec).unwrap().client;
        let flat: String = client.split_whitespace().collect();
        assert!(flat.contains("#[non_exhaustive]pubstructUser{"), "{client}");
        assert!(flat.contains("#[non_exhaustive]pubenumRole{"), "{client}");
        let builders = &flat[flat.find("pubmodbuilder{").unwrap()..];
        assert!(!builders.contains("non_exhaustive"), "{client}");
    }
}
