//! **Lenient ids.** The normaliser marks ids the server may send as `""`
//! with `format: uuid-or-empty`; the generator maps that format to the
//! marker [`LENIENT_UUID_MARKER`], which becomes `Option<Uuid>` here, with
//! a deserializer that reads `""` (and `null`, and a missing field) as
//! `None`.

use proc_macro2::{Span, TokenStream};
use syn::{
    Attribute, LitStr, Type, parse_quote,
    visit_mut::{self, VisitMut},
};

use crate::api_paths::LENIENT_UUID_OR_EMPTY;

/// The type path the generator gives `format: uuid-or-empty` strings.
pub const LENIENT_UUID_MARKER: &str = "__LenientUuid";

/// The pass: marker types become `Option<Uuid>` read leniently.
pub(super) struct LenientIds;

fn is_marker(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident(LENIENT_UUID_MARKER))
}

/// `T` when `ty` is `Option<T>` (any path spelling of `Option`).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn has_serde_default(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("default") {
                    found = true;
                }
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            found
        })
}

/// Drops `deserialize_with = ".."` from `#[serde(..)]` attributes (and an
/// attribute left empty).
fn without_deserialize_with(attrs: &mut Vec<Attribute>) {
    attrs.retain_mut(|attr| {
        if !attr.path().is_ident("serde") {
            return true;
        }
        let syn::Meta::List(list) = &attr.meta else {
            return true;
        };
        let mut kept: Vec<Vec<proc_macro2::TokenTree>> = vec![Vec::new()];
        for token in list.tokens.clone() {
            match &token {
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ',' => kept.push(Vec::new()),
                _ => kept.last_mut().expect("never empty").push(token),
            }
        }
        let before = kept.len();
        kept.retain(|part| {
            !part.is_empty()
                && !matches!(part.first(), Some(proc_macro2::TokenTree::Ident(i)) if i == "deserialize_with")
        });
        if kept.len() == before {
            return true;
        }
        if kept.is_empty() {
            return false;
        }
        let parts = kept
            .into_iter()
            .map(|part| part.into_iter().collect::<TokenStream>());
        *attr = parse_quote!(#[serde(#(#parts),*)]);
        true
    });
}

impl VisitMut for LenientIds {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        let lenient = is_marker(&field.ty) || option_inner(&field.ty).is_some_and(is_marker);
        if lenient && super::is_serde_field(field) {
            // A required nullable field comes with its own deserializer
            // (`Option::deserialize`); the lenient one replaces it.
            without_deserialize_with(&mut field.attrs);
            if !has_serde_default(&field.attrs) {
                field.attrs.push(parse_quote!(#[serde(default)]));
            }
            let with = LitStr::new(LENIENT_UUID_OR_EMPTY, Span::call_site());
            field
                .attrs
                .push(parse_quote!(#[serde(deserialize_with = #with)]));
        }
        visit_mut::visit_field_mut(self, field);
    }

    fn visit_type_mut(&mut self, ty: &mut Type) {
        if option_inner(ty).is_some_and(is_marker) || is_marker(ty) {
            *ty = parse_quote!(::std::option::Option<::uuid::Uuid>);
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

#[cfg(test)]
mod tests {
    use super::LENIENT_UUID_MARKER;
    use crate::rewrite::rewritten;

    #[test]
    fn a_required_nullable_id_keeps_one_deserializer() {
        // typify's own for a required `Option`, beside `rename`.
        let out = rewritten(quote::quote! {
            pub struct Run {
                #[serde(rename = "ownerId", deserialize_with = "::std::option::Option::deserialize")]
                pub owner_id: ::std::option::Option<__LenientUuid>,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub parent_id: ::std::option::Option<__LenientUuid>,
            }
        });
        assert_eq!(out.matches("deserialize_with").count(), 2, "{out}");
        assert!(!out.contains("Option::deserialize"), "{out}");
        assert!(out.contains("rename = \"ownerId\""), "{out}");
    }

    #[test]
    fn lenient_ids_become_optional_uuids_with_their_deserializer() {
        let out = rewritten(quote::quote! {
            pub struct Bot {
                pub created_by_id: __LenientUuid,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub to_user_id: ::std::option::Option<__LenientUuid>,
            }
            pub struct Builder {
                created_by_id: ::std::result::Result<__LenientUuid, ::std::string::String>,
            }
        });
        assert!(!out.contains(LENIENT_UUID_MARKER), "{out}");
        assert_eq!(
            out.matches("crate::lenient::uuid_or_empty").count(),
            2,
            "{out}"
        );
        assert_eq!(out.matches("#[serde(default)]").count(), 1, "{out}");
        assert!(
            out.contains("::std::result::Result<\n        ::std::option::Option<::uuid::Uuid>,")
                || out.contains(
                    "::std::result::Result<::std::option::Option<::uuid::Uuid>, ::std::string::String>"
                ),
            "{out}"
        );
    }
}
