//! **Mock bodies by value.** progenitor's httpmock helpers pass a body to
//! `json_body_obj`, which takes `&T` of a deserialisable `T`; a helper
//! whose body is a scalar (`i64`) or an optional reference
//! (`Option<&Item>`) does not compile. Those helpers serialise the body
//! with `serde_json` instead; helpers taking `&T` stay as generated.

use syn::{
    Ident, Type, parse_quote,
    visit_mut::{self, VisitMut},
};

/// The pass: `json_body_obj(value)` where `value` is not a reference
/// becomes `json_body(serde_json::to_value(value)...)`.
#[derive(Default)]
pub(super) struct MockBodies {
    /// Whether the helper being visited takes `value` other than by `&T`.
    by_value: bool,
}

impl VisitMut for MockBodies {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        let outer = self.by_value;
        self.by_value = f.sig.inputs.iter().any(|input| {
            matches!(input, syn::FnArg::Typed(arg)
                if matches!(&*arg.pat, syn::Pat::Ident(p) if p.ident == "value")
                    && !matches!(&*arg.ty, Type::Reference(_)))
        });
        visit_mut::visit_impl_item_fn_mut(self, f);
        self.by_value = outer;
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

#[cfg(test)]
mod tests {
    use crate::generate;

    /// Also a test of the `mock_query_values` pass.
    #[test]
    fn mock_helpers_take_scalar_bodies_and_match_each_item_of_a_query_list() {
        // FastAPI's `count: int = Body()` and `tags: list[str] = Query()`:
        // progenitor's helpers for them do not compile as generated.
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/count": {"post": {"operationId": "count",
            "parameters": [{"name": "tags", "in": "query", "required": false,
              "schema": {"type": "array", "items": {"type": "string"}}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "integer"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}},
           "/item": {"post": {"operationId": "item",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}}}},
          "components": {"schemas": {"Item": {"type": "object", "properties": {"n": {"type": "integer"}}}}}
        }"##;
        let mock = generate(spec).unwrap().mock;
        let helper = |name: &str, after: &str| {
            let from = mock.find(after).unwrap();
            let at = from + mock[from..].find(&format!("pub fn {name}")).unwrap();
            let text = &mock[at..at + mock[at..].find("\n        }\n").unwrap()];
            text.split_whitespace().collect::<String>()
        };
        let scalar = helper("body", "impl CountWhen");
        assert!(scalar.contains("value:i64"), "{scalar}");
        assert!(
            scalar.contains("json_body(::serde_json::to_value(value)"),
            "{scalar}"
        );
        let by_ref = helper("body", "impl ItemWhen");
        assert!(by_ref.contains("value:&types::Item"), "{by_ref}");
        assert!(
            by_ref.contains(".json_body_obj(value)"),
            "a reference stays as generated: {by_ref}"
        );
        let tags = helper("tags", "impl CountWhen");
        assert!(
            tags.contains("crate::mock_query::pairs(\"tags\",&value).into_iter().fold("),
            "{tags}"
        );
        assert!(
            !tags.contains("query_param(\"tags\",value.to_string())"),
            "{tags}"
        );
    }
}
