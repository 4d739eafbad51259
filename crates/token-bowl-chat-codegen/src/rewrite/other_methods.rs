//! **Other methods.** `reqwest::Client` has a shortcut for GET, POST, PUT,
//! PATCH, DELETE and HEAD only; progenitor calls one by the method's name
//! whatever it is (`client.options(url)`, which does not compile). An
//! OPTIONS or TRACE operation is sent with
//! `client.request(reqwest::Method::OPTIONS, url)`.

use syn::{
    parse_quote,
    visit_mut::{self, VisitMut},
};

/// The pass: `<x>.client.options(url)` becomes
/// `<x>.client.request(::reqwest::Method::OPTIONS, url)`, and the same for
/// `trace`.
pub(super) struct OtherMethods;

/// The methods `reqwest::Client` has no shortcut for, as progenitor calls
/// them, with their `reqwest::Method` constant.
const NO_SHORTCUT: &[(&str, &str)] = &[("options", "OPTIONS"), ("trace", "TRACE")];

impl VisitMut for OtherMethods {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let on_reqwest_client = matches!(&*call.receiver, syn::Expr::Field(field)
            if matches!(&field.member, syn::Member::Named(name) if name == "client"));
        if !on_reqwest_client || call.args.len() != 1 {
            return;
        }
        let Some(&(_, constant)) = NO_SHORTCUT.iter().find(|(m, _)| call.method == *m) else {
            return;
        };
        let method = syn::Ident::new(constant, call.method.span());
        let url = &call.args[0];
        call.method = parse_quote!(request);
        call.args = parse_quote!(::reqwest::Method::#method, #url);
    }
}

#[cfg(test)]
mod tests {
    use crate::generate;

    #[test]
    fn options_and_trace_are_sent_with_request() {
        let spec = r#"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/p": {
            "options": {"operationId": "preflight", "responses": {"200": {"description": "ok"}}},
            "trace": {"operationId": "trace_it", "responses": {"200": {"description": "ok"}}},
            "head": {"operationId": "peek", "responses": {"200": {"description": "ok"}}}}}
        }"#;
        let client = generate(spec).unwrap().client;
        let flat: String = client.split_whitespace().collect();
        assert!(
            flat.contains("client.request(::reqwest::Method::OPTIONS,url)"),
            "{client}"
        );
        assert!(
            flat.contains("client.request(::reqwest::Method::TRACE,url)"),
            "{client}"
        );
        // HEAD has its shortcut.
        assert!(flat.contains("client.head(url)"), "{client}");
        assert!(
            !flat.contains(".options(") && !flat.contains(".trace("),
            "{client}"
        );
    }
}
