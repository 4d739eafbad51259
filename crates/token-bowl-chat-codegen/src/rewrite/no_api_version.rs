//! **No `api-version` header.** progenitor sends the document's version
//! in an `api-version` header with every request (a Dropshot convention).
//! A FastAPI server ignores it, so it is left out; an operation without
//! header parameters then builds no header map at all. That spares every
//! call a map allocation, a merge into the request's headers and a
//! header on the wire.

use proc_macro2::TokenStream;
use syn::visit_mut::{self, VisitMut};

/// See the module docs: drops `header_map.append("api-version", ...)`, and
/// the map itself where nothing else goes into it.
pub(super) struct NoApiVersionHeader;

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

#[cfg(test)]
mod tests {
    use crate::{generate, rewrite::send_of};

    /// Also the test of the `moved_headers` pass.
    #[test]
    fn the_send_path_sends_no_api_version_header_and_moves_response_headers() {
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "7.1"},
          "paths": {"/plain": {"get": {"operationId": "plain",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}},
           "/traced": {"get": {"operationId": "traced",
            "parameters": [{"name": "x-trace", "in": "header", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}}}
        }"##;
        let client = generate(spec).unwrap().client;
        let send = |builder: &str| send_of(&client, builder);
        assert!(!client.contains("\"api-version\""), "{client}");
        let plain = send("Plain");
        assert!(!plain.contains("header_map"), "{plain}");
        assert!(
            plain.contains(".get(url).header(::reqwest::header::ACCEPT"),
            "{plain}"
        );
        let traced = send("Traced");
        assert!(traced.contains("header_map.append(\"x-trace\""), "{traced}");
        assert!(traced.contains(".headers(header_map)"), "{traced}");
        // Answers are read by the API crate's `send::answer`, which moves
        // the headers rather than copying them.
        assert!(
            plain.contains("200u16=>crate::send::answer(response).await"),
            "{plain}"
        );
        assert!(!client.contains("ResponseValue::from_response"), "{client}");
    }
}
