//! **Mock query lists.** A helper for an array query parameter calls
//! `value.to_string()` on the `Vec`; it matches each element instead
//! (`?tags=a&tags=b`, as the client sends them).

use proc_macro2::TokenStream;
use syn::{
    parse_quote,
    visit_mut::{self, VisitMut},
};

/// The pass: `query_param(name, value.to_string())` in a helper whose
/// `value` is a list becomes one `query_param` per item.
#[derive(Default)]
pub(super) struct MockQueryLists {
    /// Whether the helper being visited takes a list as `value`.
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

impl VisitMut for MockQueryLists {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
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
}
