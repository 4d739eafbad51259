//! **Fast times.** A `DateTime<Utc>` field is read by
//! [`LENIENT_DATE_TIME`], which tries chrono's RFC 3339 parser (about 35 ns)
//! before its general one, which serde uses by default (about 200 ns, and
//! most of what a page of 50 messages costs over plain strings). It
//! accepts what the default accepts, with the same errors.

use proc_macro2::Span;
use syn::{
    LitStr, Type, parse_quote,
    visit_mut::{self, VisitMut},
};

use crate::api_paths::LENIENT_DATE_TIME;

/// The pass: `DateTime<Utc>` fields of serde structs get the fast reader.
pub(super) struct FastTimes;

/// Whether `ty` is chrono's `DateTime<Utc>` (any path spelling).
fn is_utc_date_time(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if last.ident != "DateTime" {
        return false;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => matches!(
            &args.args[0],
            syn::GenericArgument::Type(Type::Path(utc))
                if utc.path.segments.last().is_some_and(|s| s.ident == "Utc")
        ),
        _ => false,
    }
}

fn has_deserialize_with(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && quote::ToTokens::to_token_stream(&a.meta)
                .to_string()
                .contains("deserialize_with")
    })
}

impl VisitMut for FastTimes {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        if is_utc_date_time(&field.ty)
            && super::is_serde_field(field)
            && !has_deserialize_with(&field.attrs)
        {
            let with = LitStr::new(LENIENT_DATE_TIME, Span::call_site());
            field
                .attrs
                .push(parse_quote!(#[serde(deserialize_with = #with)]));
        }
        visit_mut::visit_field_mut(self, field);
    }
}

#[cfg(test)]
mod tests {
    use crate::rewrite::rewritten;

    #[test]
    fn utc_times_of_serde_structs_get_the_fast_reader() {
        let out = rewritten(quote::quote! {
            pub struct Message {
                pub timestamp: ::chrono::DateTime<::chrono::offset::Utc>,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub edited_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                pub local: ::chrono::DateTime<::chrono::FixedOffset>,
            }
            pub struct Builder {
                timestamp: ::std::result::Result<::chrono::DateTime<::chrono::offset::Utc>, ::std::string::String>,
            }
        });
        // The required one only: an optional one keeps serde's own (and
        // with it, a missing field is `None`).
        assert_eq!(
            out.matches("deserialize_with = \"crate::lenient::date_time\"")
                .count(),
            1,
            "{out}"
        );
    }
}
