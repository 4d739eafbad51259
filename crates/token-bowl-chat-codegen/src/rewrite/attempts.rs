//! **Attempts.** Each `send()` checks its arguments once, then builds,
//! sends and reads the request inside
//! `crate::send::attempts(client, &crate::operations::X, async || ..)`,
//! which makes an attempt again when the client's retry rule says so:
//! nothing is copied up front, the request is built anew. Its
//! `OperationInfo` carries the document's operation id (progenitor's is
//! the snake-case one), so the operation table finds it. An error answer
//! is read by `crate::send::error_value` (the documented error body, or
//! `UnexpectedResponse` with the body it came with), an unlisted status
//! by `crate::send::unexpected`, both inside the attempt. A raw body
//! (`reqwest::Body`, perhaps a stream) is sent once, in
//! `crate::send::once`.

use proc_macro2::Span;
use syn::{
    Ident, LitStr, parse_quote,
    visit::Visit as _,
    visit_mut::{self, VisitMut},
};

use super::Operations;
use crate::api_paths::{
    OPERATIONS, RESPONSE_VALUE, SEND_ATTEMPTS, SEND_ERROR_VALUE, SEND_ONCE, SEND_UNEXPECTED,
    syn_path,
};

/// The pass: each `send()` becomes attempts (see the module docs).
pub(super) struct Attempts<'a> {
    pub(super) operations: &'a Operations<'a>,
    /// The first operation that could not be rewritten.
    pub(super) error: Option<String>,
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
        // An error body as the `moved_headers` pass leaves it.
        let read = flat(expr);
        let reader =
            if read == format!("Err(Error::ErrorResponse({RESPONSE_VALUE}(response).await?))") {
                SEND_ERROR_VALUE
            } else if read == "Err(Error::UnexpectedResponse(response))" {
                SEND_UNEXPECTED
            } else {
                return;
            };
        let reader = syn_path(reader);
        *expr = parse_quote!(Err(#reader(response).await));
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
        let operations = syn_path(OPERATIONS);
        let run: syn::Expr = if sends_raw_body(&body) {
            let once = syn_path(SEND_ONCE);
            parse_quote! {
                #once(&#operations::#constant, move || async move { #(#body)* }).await
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
            let attempts = syn_path(SEND_ATTEMPTS);
            parse_quote! {{
                #(let #borrowed = &#borrowed;)*
                #attempts(
                    client,
                    &#operations::#constant,
                    move || async move { #(#body)* },
                )
                .await
            }}
        };
        f.block.stmts.push(syn::Stmt::Expr(run, None));
    }
}

#[cfg(test)]
mod tests {
    use crate::{generate, rewrite::send_of};

    #[test]
    fn each_send_is_attempts_named_by_the_document_id() {
        // A camelCase id (progenitor names it `get_thing`) and a raw body,
        // which cannot be sent twice.
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/thing/{id}": {"get": {"operationId": "getThing",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}},
                          "404": {"description": "no", "content": {"application/json": {"schema": {"type": "string"}}}}}}},
           "/upload": {"post": {"operationId": "upload",
            "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"204": {"description": "ok"}}}}}
        }"##;
        let client = generate(spec).unwrap().client;
        let send = |builder: &str| send_of(&client, builder);
        let get = send("GetThing");
        assert!(
            get.contains("letid=&id;crate::send::attempts(client,&crate::operations::GETTHING,move||asyncmove{leturl="),
            "{get}"
        );
        assert!(get.contains(r#"operation_id:"getThing""#), "{get}");
        assert!(
            get.contains("404u16=>Err(crate::send::error_value(response).await),"),
            "{get}"
        );
        assert!(
            get.contains("_=>Err(crate::send::unexpected(response).await)"),
            "{get}"
        );
        let upload = send("Upload");
        assert!(
            upload.contains("crate::send::once(&crate::operations::UPLOAD,move||asyncmove{"),
            "{upload}"
        );
        assert!(
            !client.contains("Error::ErrorResponse(crate::response_value"),
            "{client}"
        );
    }
}
