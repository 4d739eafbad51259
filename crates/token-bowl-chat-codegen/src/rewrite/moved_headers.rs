//! **Headers moved, not copied.** progenitor's
//! `ResponseValue::from_response` copies the response's headers before it
//! reads the body; this pass calls `crate::response_value` instead, a
//! form the `attempts` pass turns into the API crate's readers, which move
//! them (`crate::send::answer`, `crate::send::error_value`).

use syn::{
    parse_quote,
    visit_mut::{self, VisitMut},
};

use crate::api_paths::{RESPONSE_VALUE, syn_path};

/// See the module docs: `ResponseValue::from_response(..)` becomes
/// `crate::response_value(..)`.
pub(super) struct MovedHeaders;

impl VisitMut for MovedHeaders {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        visit_mut::visit_expr_call_mut(self, call);
        if let syn::Expr::Path(p) = &*call.func
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && p.path.segments[0].ident == "ResponseValue"
            && p.path.segments[1].ident == "from_response"
        {
            let path = syn_path(RESPONSE_VALUE);
            *call.func = parse_quote!(#path);
        }
    }
}
