//! What this project changes in progenitor's output, as syntax-tree edits
//! on the generated file. Both are things the generator's settings cannot
//! say:
//!
//! - **Forward-compatible enums.** Every string enum gets a last
//!   `Unknown(String)` variant (`#[serde(untagged)]`), so a value a newer
//!   server adds decodes, keeps its text and serialises back unchanged. The
//!   enum loses `Copy`, and its `Display`/`FromStr`/conversions are replaced
//!   by ones that cannot fail.
//! - **Lenient ids.** The normaliser marks ids the server may send as `""`
//!   with `format: uuid-or-empty`; the generator maps that format to the
//!   marker [`LENIENT_UUID_MARKER`], which becomes `Option<Uuid>` here, with
//!   a deserializer that reads `""` (and `null`, and a missing field) as
//!   `None`.
//! - **Mock bodies by value.** progenitor's httpmock helpers pass a body to
//!   `json_body_obj`, which takes `&T` of a deserialisable `T`; a helper
//!   whose body is a scalar (`i64`) or an optional reference
//!   (`Option<&Item>`) does not compile. Those helpers serialise the body
//!   with `serde_json` instead; helpers taking `&T` stay as generated.
//! - **Mock query lists.** A helper for an array query parameter calls
//!   `value.to_string()` on the `Vec`; it matches each element instead
//!   (`?tags=a&tags=b`, as the client sends them).
//! - **No `api-version` header.** progenitor sends the document's version
//!   in an `api-version` header with every request (a Dropshot convention).
//!   A FastAPI server ignores it, so it is left out; an operation without
//!   header parameters then builds no header map at all. That spares every
//!   call a map allocation, a merge into the request's headers and a
//!   header on the wire.
//! - **Headers moved, not copied.** progenitor's
//!   `ResponseValue::from_response` copies the response's headers before it
//!   reads the body; the generated code calls the API crate's
//!   `crate::response_value` instead, which moves them.
//! - **Attempts.** Each `send()` checks its arguments once, then builds,
//!   sends and reads the request inside
//!   `crate::send::attempts(client, &crate::operations::X, async || ..)`,
//!   which makes an attempt again when the client's retry rule says so:
//!   nothing is copied up front, the request is built anew. Its
//!   `OperationInfo` carries the document's operation id (progenitor's is
//!   the snake-case one), so the operation table finds it. An error answer
//!   is read by `crate::send::error_value` (the documented error body, or
//!   `UnexpectedResponse` with the body it came with), an unlisted status
//!   by `crate::send::unexpected`, both inside the attempt. A raw body
//!   (`reqwest::Body`, perhaps a stream) is sent once, in
//!   `crate::send::once`.

use proc_macro2::{Span, TokenStream};
use syn::{
    Attribute, Fields, Ident, Item, ItemEnum, LitStr, Type, parse_quote,
    visit::Visit as _,
    visit_mut::{self, VisitMut},
};

/// The type path the generator gives `format: uuid-or-empty` strings.
pub const LENIENT_UUID_MARKER: &str = "__LenientUuid";

/// progenitor's name of each operation (its `OperationInfo`'s
/// `operation_id`), to the document's id and the operation's constant in
/// the API crate's `operations`.
pub type Operations<'a> = std::collections::BTreeMap<String, (&'a str, &'a str)>;

/// Applies every rewrite to the generated file; `operations` is given for
/// the client (not the mock helpers), whose `send()`s become attempts.
pub fn rewrite(file: &mut syn::File, operations: Option<&Operations<'_>>) -> Result<(), String> {
    rewrite_items(&mut file.items);
    LenientIds.visit_file_mut(file);
    MockBodies::default().visit_file_mut(file);
    NoApiVersionHeader.visit_file_mut(file);
    MovedHeaders.visit_file_mut(file);
    if let Some(operations) = operations {
        let mut attempts = Attempts {
            operations,
            error: None,
        };
        attempts.visit_file_mut(file);
        if let Some(error) = attempts.error {
            return Err(error);
        }
    }
    Ok(())
}

/// See the module docs: each `send()` becomes attempts.
struct Attempts<'a> {
    operations: &'a Operations<'a>,
    error: Option<String>,
}

/// The `operation_id` literal of `let info = OperationInfo { .. };`.
fn operation_info(stmt: &mut syn::Stmt) -> Option<&mut LitStr> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Expr::Struct(info) = &mut *local.init.as_mut()?.expr else {
        return None;
    };
    if !info.path.is_ident("OperationInfo") {
        return None;
    }
    info.fields
        .iter_mut()
        .find_map(|field| match (&field.member, &mut field.expr) {
            (
                syn::Member::Named(name),
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(id),
                    ..
                }),
            ) if name == "operation_id" => Some(id),
            _ => None,
        })
}

/// `let url = ...;`: where building the request starts.
fn is_url_let(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "url"))
}

/// Token text without spaces, to compare small expressions.
fn flat(tokens: &impl quote::ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

/// The error arms read inside the attempt (see the module docs).
struct ErrorArms;

impl VisitMut for ErrorArms {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if !matches!(expr, syn::Expr::Call(_)) {
            return;
        }
        match flat(expr).as_str() {
            "Err(Error::ErrorResponse(crate::response_value(response).await?))" => {
                *expr = parse_quote!(Err(crate::send::error_value(response).await));
            }
            "Err(Error::UnexpectedResponse(response))" => {
                *expr = parse_quote!(Err(crate::send::unexpected(response).await));
            }
            _ => {}
        }
    }
}

/// The names a pattern binds, each once, in order.
#[derive(Default)]
struct BoundNames(Vec<Ident>);

impl<'ast> syn::visit::Visit<'ast> for BoundNames {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        if !self.0.contains(&pat.ident) {
            self.0.push(pat.ident.clone());
        }
        syn::visit::visit_pat_ident(self, pat);
    }
}

/// Whether the statements send a raw body (`.body(body)`).
fn sends_raw_body(stmts: &[syn::Stmt]) -> bool {
    stmts.iter().any(|stmt| flat(stmt).contains(".body(body)"))
}

impl VisitMut for Attempts<'_> {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident != "send" || f.sig.asyncness.is_none() {
            return;
        }
        let Some(info) = f.block.stmts.iter_mut().find_map(operation_info) else {
            return;
        };
        let name = info.value();
        let Some(&(id, constant)) = self.operations.get(&name) else {
            self.error.get_or_insert_with(|| {
                format!("operation `{name}` has no entry in the operation table")
            });
            return;
        };
        *info = LitStr::new(id, info.span());
        let Some(start) = f.block.stmts.iter().position(is_url_let) else {
            self.error
                .get_or_insert_with(|| format!("operation `{id}`: its `send()` builds no URL"));
            return;
        };
        let mut body: Vec<syn::Stmt> = f.block.stmts.split_off(start);
        for stmt in &mut body {
            ErrorArms.visit_stmt_mut(stmt);
        }
        let constant = Ident::new(constant, Span::call_site());
        let run: syn::Expr = if sends_raw_body(&body) {
            parse_quote! {
                crate::send::once(&crate::operations::#constant, move || async move { #(#body)* }).await
            }
        } else {
            // Each attempt borrows the checked arguments: a closure that
            // copies references into each attempt's future.
            let mut names = BoundNames::default();
            for stmt in &f.block.stmts {
                if let syn::Stmt::Local(local) = stmt {
                    names.visit_pat(&local.pat);
                }
            }
            let borrowed = names.0.iter().filter(|name| *name != "client");
            parse_quote! {{
                #(let #borrowed = &#borrowed;)*
                crate::send::attempts(
                    client,
                    &crate::operations::#constant,
                    move || async move { #(#body)* },
                )
                .await
            }}
        };
        f.block.stmts.push(syn::Stmt::Expr(run, None));
    }
}

/// See the module docs: `ResponseValue::from_response(..)` becomes
/// `crate::response_value(..)`.
struct MovedHeaders;

impl VisitMut for MovedHeaders {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        visit_mut::visit_expr_call_mut(self, call);
        if let syn::Expr::Path(p) = &*call.func
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && p.path.segments[0].ident == "ResponseValue"
            && p.path.segments[1].ident == "from_response"
        {
            *call.func = parse_quote!(crate::response_value);
        }
    }
}

/// See the module docs: drops `header_map.append("api-version", ...)`, and
/// the map itself where nothing else goes into it.
struct NoApiVersionHeader;

/// `header_map.append(HeaderName::from_static("api-version"), ...)`.
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("header_map"))
        && call.args.first().is_some_and(|name| {
            quote::ToTokens::to_token_stream(name)
                .to_string()
                .contains("\"api-version\"")
        })
}

/// `let mut header_map = ...;`
fn is_header_map_let(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map"))
}

/// Replaces `<receiver>.headers(header_map)` with `<receiver>`.
struct DropHeadersCall;

impl VisitMut for DropHeadersCall {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident("header_map"))
        {
            let taken = std::mem::replace(expr, syn::Expr::Verbatim(TokenStream::new()));
            if let syn::Expr::MethodCall(call) = taken {
                *expr = *call.receiver;
            }
        }
    }
}

/// Counts the uses of `header_map` other than `.headers(header_map)`.
#[derive(Default)]
struct OtherMapUses(usize);

impl VisitMut for OtherMapUses {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        match expr {
            syn::Expr::MethodCall(call)
                if call.method == "headers"
                    && call.args.len() == 1
                    && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident("header_map")) =>
            {
                self.visit_expr_mut(&mut call.receiver);
            }
            syn::Expr::Path(p) if p.path.is_ident("header_map") => self.0 += 1,
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }
}

impl VisitMut for NoApiVersionHeader {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        if block.stmts.len() == before {
            return;
        }
        // Anything else that fills the map (a header parameter) keeps it.
        let mut uses = OtherMapUses::default();
        for stmt in block.stmts.iter_mut().filter(|s| !is_header_map_let(s)) {
            uses.visit_stmt_mut(stmt);
        }
        if uses.0 > 0 {
            return;
        }
        block.stmts.retain(|stmt| !is_header_map_let(stmt));
        for stmt in &mut block.stmts {
            DropHeadersCall.visit_stmt_mut(stmt);
        }
    }
}

/// See the module docs: `json_body_obj(value)` where `value` is not a
/// reference becomes `json_body(serde_json::to_value(value)...)`.
#[derive(Default)]
struct MockBodies {
    by_value: bool,
    list_value: bool,
}

/// Whether a type names `Vec` anywhere (`&Vec<T>`, `Option<&Vec<T>>`).
fn mentions_vec(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == "Vec",
        proc_macro2::TokenTree::Group(g) => mentions_vec(&g.stream()),
        _ => false,
    })
}

impl VisitMut for MockBodies {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        let outer = self.by_value;
        self.by_value = f.sig.inputs.iter().any(|input| {
            matches!(input, syn::FnArg::Typed(arg)
                if matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "value")
                    && !matches!(&*arg.ty, Type::Reference(_)))
        });
        let outer_list = self.list_value;
        self.list_value = f.sig.inputs.iter().any(|input| {
            matches!(input, syn::FnArg::Typed(arg)
                if matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "value")
                    && mentions_vec(&quote::ToTokens::to_token_stream(&*arg.ty)))
        }) || f
            .sig
            .generics
            .where_clause
            .as_ref()
            .is_some_and(|w| mentions_vec(&quote::ToTokens::to_token_stream(w)));
        visit_mut::visit_impl_item_fn_mut(self, f);
        self.by_value = outer;
        self.list_value = outer_list;
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if !self.list_value {
            return;
        }
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let to_string_of_value = |e: &syn::Expr| {
            matches!(e, syn::Expr::MethodCall(m)
                if m.method == "to_string"
                    && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("value")))
        };
        if call.method == "query_param" && call.args.len() == 2 && to_string_of_value(&call.args[1])
        {
            let receiver = &call.receiver;
            let name = &call.args[0];
            *expr = parse_quote! {
                value.iter().fold(#receiver, |mock, item| mock.query_param(#name, item.to_string()))
            };
        }
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        visit_mut::visit_expr_method_call_mut(self, call);
        if self.by_value && call.method == "json_body_obj" && call.args.len() == 1 {
            let arg = &call.args[0];
            call.method = Ident::new("json_body", call.method.span());
            call.args = parse_quote! {
                ::serde_json::to_value(#arg).expect("a mock body serialises to JSON")
            };
        }
    }
}

/// A string enum made open: its name, its catch-all variant, and its
/// variants with their wire names.
type OpenEnum = (Ident, Ident, Vec<(Ident, String)>);

fn rewrite_items(items: &mut Vec<Item>) {
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

struct LenientIds;

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
        // Only serde structs carry `serde` attributes (builders do not).
        if lenient && !matches!(field.vis, syn::Visibility::Inherited) {
            // A required nullable field comes with its own deserializer
            // (`Option::deserialize`); the lenient one replaces it.
            without_deserialize_with(&mut field.attrs);
            if !has_serde_default(&field.attrs) {
                field.attrs.push(parse_quote!(#[serde(default)]));
            }
            field
                .attrs
                .push(parse_quote!(#[serde(deserialize_with = "crate::lenient::uuid_or_empty")]));
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
    use super::*;

    fn rewritten(code: TokenStream) -> String {
        let mut file: syn::File = syn::parse2(code).unwrap();
        rewrite(&mut file, None).unwrap();
        prettyplease::unparse(&file)
    }

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
            out.contains("#[derive(Clone, Copy)]\n    pub enum Tagged"),
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
