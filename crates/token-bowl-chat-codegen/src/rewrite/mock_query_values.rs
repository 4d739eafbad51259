//! **Mock query values.** A helper for a query parameter calls
//! `value.to_string()`, which a list or a union (FastAPI's filter
//! `anyOf: [string, array of strings, null]`) does not have. Every helper
//! matches instead the pairs the client sends for the value, written by
//! the client's own query serialiser (`crate::mock_query::pairs`): a list
//! repeats the key (`?tags=a&tags=b`, as FastAPI reads it), a union sends
//! the variant it holds.

use syn::{
    parse_quote,
    visit_mut::{self, VisitMut},
};

use crate::api_paths::{MOCK_QUERY_PAIRS, syn_path};

/// The pass: `when.query_param(name, value.to_string())` becomes one
/// `query_param` per pair the client sends for `value`.
pub(super) struct MockQueryValues;

impl VisitMut for MockQueryValues {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let to_string_of_value = |e: &syn::Expr| {
            matches!(e, syn::Expr::MethodCall(m)
                if m.method == "to_string"
                    && m.args.is_empty()
                    && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("value")))
        };
        if call.method == "query_param" && call.args.len() == 2 && to_string_of_value(&call.args[1])
        {
            let receiver = &call.receiver;
            let name = &call.args[0];
            let pairs = syn_path(MOCK_QUERY_PAIRS);
            *expr = parse_quote! {
                #pairs(#name, &value)
                    .into_iter()
                    .fold(#receiver, |when, (name, value)| when.query_param(name, value))
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::generate;

    #[test]
    fn a_union_or_a_list_in_a_query_is_matched_as_the_client_sends_it() {
        // FastAPI's filter (one value or a list) and a list of an enum or
        // "ALL": their types have no `Display`.
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/orders": {"get": {"operationId": "list_orders",
            "parameters": [
              {"name": "customer_id", "in": "query", "required": false,
               "schema": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
              {"name": "kinds", "in": "query", "required": false,
               "schema": {"type": "array", "items": {"anyOf": [
                 {"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["ALL"]}]}}},
              {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}}}}}
        }"##;
        let mock = generate(spec).unwrap().mock;
        let flat: String = mock.split_whitespace().collect();
        for name in ["customer_id", "kinds", "limit"] {
            assert!(
                flat.contains(&format!(
                    "crate::mock_query::pairs(\"{name}\",&value).into_iter().fold(self.0,|when,(name,value)|when.query_param(name,value)"
                )),
                "{name}: {mock}"
            );
        }
        assert!(!flat.contains("value.to_string()"), "{mock}");
    }
}
