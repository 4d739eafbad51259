//! **Forward-compatible enums.** Every string enum gets a last
//! `Unknown(String)` variant (`#[serde(untagged)]`), so a value a newer
//! server adds decodes, keeps its text and serialises back unchanged. The
//! enum loses `Copy`, and its `Display`/`FromStr`/conversions are replaced
//! by ones that cannot fail.

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, Fields, Ident, Item, ItemEnum, LitStr, Type, parse_quote};

/// A string enum made open: its name, its catch-all variant, and its
/// variants with their wire names.
type OpenEnum = (Ident, Ident, Vec<(Ident, String)>);

/// The pass: opens the string enums of `items` (and of the modules among
/// them).
pub(super) fn rewrite_items(items: &mut Vec<Item>) {
    let mut enums: Vec<OpenEnum> = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    rewrite_items(inner);
                }
            }
            Item::Enum(e) => {
                if let Some(variants) = string_enum_variants(e) {
                    let catch_all = open_enum(e);
                    enums.push((e.ident.clone(), catch_all, variants));
                }
            }
            _ => {}
        }
    }
    if enums.is_empty() {
        return;
    }
    // The generated conversions assume a closed set; drop them.
    items.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let Some((_, trait_path, _)) = &imp.trait_ else {
            return true;
        };
        let trait_name = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let for_enum = matches!(&*imp.self_ty, Type::Path(p)
            if p.qself.is_none() && enums.iter().any(|(name, ..)| p.path.is_ident(name)));
        !(for_enum && matches!(trait_name.as_str(), "Display" | "FromStr" | "TryFrom"))
    });
    for (name, catch_all, variants) in &enums {
        items.extend(open_enum_impls(name, catch_all, variants));
    }
}

/// The variants of an enum whose variants are all units renamed to a
/// string, with their wire names.
fn string_enum_variants(e: &ItemEnum) -> Option<Vec<(Ident, String)>> {
    if e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|v| match v.fields {
            Fields::Unit => serde_rename(&v.attrs).map(|wire| (v.ident.clone(), wire)),
            _ => None,
        })
        .collect()
}

fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<LitStr>()?.value());
            }
            Ok(())
        });
    }
    rename
}

/// The name of the catch-all variant: `Unknown`, unless the enum already
/// has a variant of that name (a value `unknown`).
fn catch_all_name(e: &ItemEnum) -> Ident {
    let taken = |name: &str| e.variants.iter().any(|v| v.ident == name);
    let name = ["Unknown", "UnknownValue", "Unrecognised"]
        .into_iter()
        .find(|n| !taken(n))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            (2..)
                .map(|i| format!("Unknown{i}"))
                .find(|n| !taken(n))
                .expect("a free name")
        });
    Ident::new(&name, Span::call_site())
}

fn open_enum(e: &mut ItemEnum) -> Ident {
    for attr in &mut e.attrs {
        if attr.path().is_ident("derive") {
            let derives: Vec<syn::Path> = attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .map(|list| list.into_iter().filter(|p| !p.is_ident("Copy")).collect())
                .unwrap_or_default();
            if !derives.is_empty() {
                *attr = parse_quote!(#[derive(#(#derives),*)]);
            }
        }
    }
    let catch_all = catch_all_name(e);
    e.variants.push(parse_quote! {
        /// A value this version does not know (sent by a newer server), kept
        /// as it was sent.
        #[serde(untagged)]
        #catch_all(::std::string::String)
    });
    catch_all
}

fn open_enum_impls(name: &Ident, catch_all: &Ident, variants: &[(Ident, String)]) -> Vec<Item> {
    let idents: Vec<&Ident> = variants.iter().map(|(i, _)| i).collect();
    let wires: Vec<LitStr> = variants
        .iter()
        .map(|(_, w)| LitStr::new(w, Span::call_site()))
        .collect();
    let code: TokenStream = quote::quote! {
        impl #name {
            /// The value as the server writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#catch_all(value) => value.as_str(),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#idents,)*
                    other => Self::#catch_all(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#catch_all(_) => Self::#catch_all(value),
                    known => known,
                }
            }
        }
    };
    let file: syn::File = syn::parse2(code).expect("the enum impls parse");
    file.items
}

#[cfg(test)]
mod tests {
    use crate::rewrite::rewritten;

    #[test]
    fn string_enums_get_an_unknown_variant_and_lose_copy() {
        let out = rewritten(quote::quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Role {
                    #[serde(rename = "admin")]
                    Admin,
                }
                impl ::std::fmt::Display for Role {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { todo!() }
                }
                impl ::std::convert::TryFrom<&str> for Role {
                    type Error = ();
                    fn try_from(value: &str) -> Result<Self, ()> { todo!() }
                }
                #[derive(Clone, Copy)]
                pub enum Tagged { A(u8) }
            }
        });
        assert!(out.contains("Unknown(::std::string::String)"), "{out}");
        assert!(out.contains("#[serde(untagged)]"), "{out}");
        assert!(!out.contains("todo!()"), "old impls dropped: {out}");
        assert!(out.contains("\"admin\" => Self::Admin"), "{out}");
        assert!(
            out.contains("#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]"),
            "{out}"
        );
        assert!(
            out.contains("#[derive(Clone, Copy)]\n    #[non_exhaustive]\n    pub enum Tagged"),
            "{out}"
        );
    }

    #[test]
    fn an_enum_with_a_value_unknown_gets_another_catch_all() {
        let out = rewritten(quote::quote! {
            #[derive(::serde::Deserialize, Clone, Copy)]
            pub enum State {
                #[serde(rename = "ok")]
                Ok,
                #[serde(rename = "unknown")]
                Unknown,
            }
        });
        assert!(out.contains("UnknownValue(::std::string::String)"), "{out}");
        assert!(out.contains("\"unknown\" => Self::Unknown,"), "{out}");
        assert!(
            out.contains("other => Self::UnknownValue(other.to_owned())"),
            "{out}"
        );
    }
}
