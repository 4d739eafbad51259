//! **Attempts.** Each `send()` checks its arguments once, then builds,
//! sends and reads the request inside
//! `crate::send::attempts(client, &crate::operations::X, async || ..)`,
//! which makes an attempt again when the client's retry rule says so:
//! nothing is copied up front, the request is built anew. Its
//! `OperationInfo` carries the document's operation id (progenitor's is
//! the snake-case one), so the operation table finds it. An error answer
//! is read by `crate::send::error_value` (the documented error body, or
//! `UnexpectedResponse` with the body it came with), an unlisted status
//! by `crate::send::unexpected`, both inside the attempt. A JSON answer
//! is read whole inside the attempt too (`crate::send::answer`), and
//! decoded once, after the attempts (`crate::send::decoded`): the attempts
//! pass up its bytes, a few words, not the decoded value, so the stack
//! frame of their poll has no room for it at each level. The client's
//! hooks around the send (`pre`, `exec`, `post`) become one
//! `crate::send::execute`, which consumes the request before the attempt
//! waits, so the attempt's future does not keep it; the request is built
//! out of line (`crate::send::build`), so the stack frame of the attempt's
//! poll does not keep its builders either; the answer's status
//! is read by `crate::send::status`, which takes the answer by value for
//! the same reason. A raw body
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
    OPERATIONS, RESPONSE_VALUE, SEND_ANSWER, SEND_ATTEMPTS, SEND_BUILD, SEND_DECODED,
    SEND_ERROR_VALUE, SEND_EXECUTE, SEND_ONCE, SEND_STATUS, SEND_UNEXPECTED, syn_path,
};

/// The pass: each `send()` becomes attempts (see the module docs).
pub(super) struct Attempts<'a> {
    pub(super) operations: &'a Operations<'a>,
    /// Each operation (progenitor's name) that could not be rewritten, and
    /// why; its `send()` is left as it was.
    pub(super) errors: Vec<(String, String)>,
}

/// The builder's fields as `send()` takes them apart,
/// `let Self { client, a, b } = self;`: the client's name first (progenitor
/// calls it `_client` when an argument is called `client`), then the
/// arguments'.
fn fields(stmt: &syn::Stmt) -> Option<(Ident, Vec<Ident>)> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Struct(pat) = &local.pat else {
        return None;
    };
    if !pat.path.is_ident("Self") {
        return None;
    }
    let mut names = pat.fields.iter().map(|field| match &field.member {
        syn::Member::Named(name) => Some(name.clone()),
        syn::Member::Unnamed(_) => None,
    });
    let client = names.next()??;
    Some((client, names.collect::<Option<_>>()?))
}

/// The name progenitor gives a local of its own in an operation with these
/// arguments: `name`, with `_` before it until no argument has it.
fn generated_local(name: &str, arguments: &[Ident]) -> Ident {
    let mut name = name.to_owned();
    while arguments.iter().any(|a| a == name.as_str()) {
        name.insert(0, '_');
    }
    Ident::new(&name, Span::call_site())
}

/// The locals progenitor names without looking at the arguments: an
/// argument of one of these names is shadowed before it is read.
const FIXED_LOCALS: &[&str] = &["header_map"];

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

/// Whether `stmt` binds `name` (`let name = ...;`).
fn binds(stmt: &syn::Stmt, name: &Ident) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == *name))
}

/// Whether `stmt` checks an argument: `let a = a...;` (`a.map_err(..)?`,
/// `a.and_then(..).map_err(..)?`), which moves it.
fn checks_argument(stmt: &syn::Stmt, arguments: &[Ident]) -> Option<Ident> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(pat) = &local.pat else {
        return None;
    };
    let init = flat(&local.init.as_ref()?.expr);
    arguments
        .iter()
        .find(|a| **a == pat.ident && init.starts_with(&format!("{a}.")))
        .cloned()
}

/// Token text without spaces, to compare small expressions.
fn flat(tokens: &impl quote::ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

/// The error arms read inside the attempt (see the module docs); the
/// answer is the local `response` (`_response` beside an argument of that
/// name).
struct ErrorArms<'a> {
    response: &'a Ident,
}

impl VisitMut for ErrorArms<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if !matches!(expr, syn::Expr::Call(_)) {
            return;
        }
        // An error body as the `moved_headers` pass leaves it.
        let read = flat(expr);
        let response = self.response;
        let reader =
            if read == format!("Err(Error::ErrorResponse({RESPONSE_VALUE}({response}).await?))") {
                SEND_ERROR_VALUE
            } else if read == format!("Err(Error::UnexpectedResponse({response}))") {
                SEND_UNEXPECTED
            } else {
                return;
            };
        let reader = syn_path(reader);
        *expr = parse_quote!(Err(#reader(#response).await));
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

/// The hooks around the send, as progenitor writes them,
/// `c.pre(&mut request, &info).await?; let result = c.exec(request, &info).await;
/// c.post(&result, &info).await?; let response = result?;`, become one
/// `let response = crate::send::execute(c, request, &info)?.await?;`
/// (the locals named as the generator names them beside these arguments).
/// A hook that fails stops the attempt with its error either way, and
/// `post`, which the API crate does not implement, does nothing.
///
/// The statements before the hooks, which build the request, move into a
/// closure that `crate::send::build` calls out of line:
/// `let (request, info) = crate::send::build(move || -> Result<_, E> { ..
/// Ok((request, info)) })?;`. The request's builders then take no room in
/// the stack frame of the attempt's poll, which is on the stack while
/// reqwest and hyper run beneath it.
fn one_execute(
    stmts: &mut Vec<syn::Stmt>,
    client: &Ident,
    arguments: &[Ident],
    error: &syn::Type,
) -> Result<(), String> {
    let [request, result, response] =
        ["request", "result", "response"].map(|name| generated_local(name, arguments));
    // (The generator names this one `info` whatever the arguments.)
    let info = Ident::new("info", Span::call_site());
    let hooks = [
        format!("{client}.pre(&mut{request},&{info}).await?;"),
        format!("let{result}={client}.exec({request},&{info}).await;"),
        format!("{client}.post(&{result},&{info}).await?;"),
        format!("let{response}={result}?;"),
    ];
    let Some(at) = stmts
        .windows(hooks.len())
        .position(|w| w.iter().zip(&hooks).all(|(stmt, hook)| flat(stmt) == *hook))
    else {
        return Err(format!(
            "its `send()` does not call the hooks as `{}`",
            hooks.concat()
        ));
    };
    if let Some(waits) = stmts[..at]
        .iter()
        .find(|stmt| flat(stmt).contains(".await"))
    {
        return Err(format!(
            "its `send()` waits while it builds the request: `{}`",
            flat(waits)
        ));
    }
    let steps: Vec<syn::Stmt> = stmts.drain(..at).collect();
    let build = syn_path(SEND_BUILD);
    let built: syn::Stmt = parse_quote! {
        let (#request, #info) = #build(move || -> ::std::result::Result<_, #error> {
            #(#steps)*
            Ok((#request, #info))
        })?;
    };
    let execute = syn_path(SEND_EXECUTE);
    let send: syn::Stmt =
        parse_quote!(let #response = #execute(#client, #request, &#info)?.await?;);
    stmts.splice(..hooks.len(), [built, send]);
    status_by_value(stmts, &response, arguments);
    Ok(())
}

/// `match response.status().as_u16() { .. }` becomes
/// `let (status, response) = crate::send::status(response); match status { .. }`:
/// a borrowed local keeps its room in the attempt's future while the body
/// is read, a moved one does not.
fn status_by_value(stmts: &mut Vec<syn::Stmt>, response: &Ident, arguments: &[Ident]) {
    let Some(syn::Stmt::Expr(syn::Expr::Match(read), None)) = stmts.last_mut() else {
        return;
    };
    if flat(&read.expr) != format!("{response}.status().as_u16()") {
        return;
    }
    let status = generated_local("status", arguments);
    *read.expr = parse_quote!(#status);
    let split = syn_path(SEND_STATUS);
    let at = stmts.len() - 1;
    stmts.insert(
        at,
        parse_quote!(let (#status, #response) = #split(#response);),
    );
}

/// When every success arm of the attempt's final match reads JSON
/// (`crate::response_value(response).await`), those arms read the body
/// only (`crate::send::answer(response).await`), and it is decoded once,
/// after the attempts (`crate::send::decoded(..)`, see the module docs).
/// Returns whether it did that. An operation with another kind of success
/// (an empty answer, a stream) is left as it was.
fn late_decode(stmts: &mut [syn::Stmt], response: &Ident) -> bool {
    let Some(syn::Stmt::Expr(syn::Expr::Match(read), None)) = stmts.last_mut() else {
        return false;
    };
    let json = format!("{RESPONSE_VALUE}({response}).await");
    // An arm's body as it reads, without the braces of a block.
    let arm_body = |arm: &syn::Arm| {
        flat(&arm.body)
            .trim_start_matches('{')
            .trim_end_matches('}')
            .to_owned()
    };
    let mut any = false;
    for arm in &read.arms {
        let body = arm_body(arm);
        if body.starts_with("Err(") {
            continue;
        }
        if body != json {
            return false;
        }
        any = true;
    }
    if !any {
        return false;
    }
    let answer = syn_path(SEND_ANSWER);
    for arm in &mut read.arms {
        if arm_body(arm) == json {
            *arm.body = parse_quote!(#answer(#response).await);
        }
    }
    true
}

/// The error type of `-> Result<T, E>`.
fn error_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(path) = &**ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().nth(1)? {
        // (Through tokens: syn's `Clone` impls are not always built.)
        syn::GenericArgument::Type(error) => {
            syn::parse2(quote::ToTokens::to_token_stream(error)).ok()
        }
        _ => None,
    }
}

/// Whether the statements send a raw body (`.body(body)`).
fn sends_raw_body(stmts: &[syn::Stmt]) -> bool {
    stmts.iter().any(|stmt| flat(stmt).contains(".body(body)"))
}

/// Where a `send()` splits: the client's name, and the first statement
/// of building and sending the request (run in each attempt); before it,
/// the arguments are checked once. An error says why the statements are
/// not of the shape this pass knows.
fn split(stmts: &[syn::Stmt]) -> Result<(Ident, Vec<Ident>, usize), String> {
    let Some((client, arguments)) = stmts.first().and_then(fields) else {
        return Err("its `send()` does not start with `let Self { .. } = self;`".to_owned());
    };
    if let Some(fixed) = arguments
        .iter()
        .find(|a| FIXED_LOCALS.contains(&a.to_string().as_str()))
    {
        return Err(format!(
            "an argument is called `{fixed}`, a name the generator gives its own local"
        ));
    }
    let url = generated_local("url", &arguments);
    let Some(start) = stmts.iter().position(|stmt| binds(stmt, &url)) else {
        return Err(format!("its `send()` builds no URL (`let {url} = ..`)"));
    };
    if let Some(other) = stmts[1..start]
        .iter()
        .find(|stmt| checks_argument(stmt, &arguments).is_none())
    {
        return Err(format!(
            "its `send()` does before the URL what this pass does not know: `{}`",
            flat(other)
        ));
    }
    // Each argument is checked once, before the attempts, which borrow it.
    if let Some(again) = stmts[start..]
        .iter()
        .find_map(|stmt| checks_argument(stmt, &arguments))
    {
        return Err(format!(
            "argument `{again}` is checked after the URL is built, inside the attempt"
        ));
    }
    Ok((client, arguments, start))
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
            let why = "it has no entry in the operation table".to_owned();
            self.errors.push((name, why));
            return;
        };
        *info = LitStr::new(id, info.span());
        let (client, arguments, start) = match split(&f.block.stmts) {
            Ok(split) => split,
            Err(why) => {
                self.errors.push((name, why));
                return;
            }
        };
        let mut body: Vec<syn::Stmt> = f.block.stmts.split_off(start);
        let Some(error) = error_type(&f.sig.output) else {
            f.block.stmts.append(&mut body);
            let why = "its `send()` does not return `Result<_, Error<_>>`".to_owned();
            self.errors.push((name, why));
            return;
        };
        // (It changes `body` only when it succeeds.)
        if let Err(why) = one_execute(&mut body, &client, &arguments, &error) {
            f.block.stmts.append(&mut body);
            self.errors.push((name, why));
            return;
        }
        let response = generated_local("response", &arguments);
        for stmt in &mut body {
            ErrorArms {
                response: &response,
            }
            .visit_stmt_mut(stmt);
        }
        let decode_after = late_decode(&mut body, &response);
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
            let borrowed = names.0.iter().filter(|name| **name != client);
            let attempts = syn_path(SEND_ATTEMPTS);
            parse_quote! {{
                #(let #borrowed = &#borrowed;)*
                #attempts(
                    #client,
                    &#operations::#constant,
                    move || async move { #(#body)* },
                )
                .await
            }}
        };
        let run: syn::Expr = if decode_after {
            let decoded = syn_path(SEND_DECODED);
            parse_quote!(#decoded(#run))
        } else {
            run
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
            get.contains("letid=&id;crate::send::attempts(client,&crate::operations::GETTHING,move||asyncmove{let(request,info)=crate::send::build("),
            "{get}"
        );
        assert!(get.contains(r#"operation_id:"getThing""#), "{get}");
        // The hooks around the send are one call, which consumes the request.
        assert!(
            get.contains("letresponse=crate::send::execute(client,request,&info)?.await?;"),
            "{get}"
        );
        // The request is built out of line, in a closure.
        assert!(
            get.contains("let(request,info)=crate::send::build(move||->::std::result::Result<_,Error<::std::string::String>,>{leturl="),
            "{get}"
        );
        assert!(
            get.contains(
                r#"letinfo=OperationInfo{operation_id:"getThing",};Ok((request,info))})?;"#
            ),
            "{get}"
        );
        assert!(!client.contains(".pre(&mut"), "{client}");
        assert!(
            get.contains("let(status,response)=crate::send::status(response);matchstatus{"),
            "{get}"
        );
        assert!(
            get.contains("404u16=>Err(crate::send::error_value(response).await),"),
            "{get}"
        );
        // A JSON answer is read inside the attempt and decoded after them.
        assert!(
            get.contains("200u16=>crate::send::answer(response).await,"),
            "{get}"
        );
        assert!(
            get.contains("crate::send::decoded({letid=&id;crate::send::attempts("),
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
        // An empty answer is no JSON: nothing is decoded after the attempt.
        assert!(!upload.contains("crate::send::decoded("), "{upload}");
        assert!(
            upload.contains("Ok(ResponseValue::empty(response))"),
            "{upload}"
        );
        assert!(
            !client.contains("Error::ErrorResponse(crate::response_value"),
            "{client}"
        );
    }

    /// An operation whose arguments take the names of the generated code's
    /// locals (a raster-tile API has a query parameter `url` in 81 of its
    /// 93 operations).
    fn named_like_locals(header: &str) -> String {
        format!(
            r#"{{
          "openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
          "paths": {{"/tiles/{{client}}": {{"get": {{"operationId": "tile",
            "parameters": [
              {{"name": "client", "in": "path", "required": true, "schema": {{"type": "string"}}}},
              {{"name": "url", "in": "query", "required": true, "schema": {{"type": "string"}}}},
              {{"name": "request", "in": "query", "required": true, "schema": {{"type": "string"}}}},
              {{"name": "result", "in": "query", "required": false, "schema": {{"type": "integer"}}}},
              {{"name": "response", "in": "query", "required": false, "schema": {{"type": "string"}}}},
              {{"name": "info", "in": "query", "required": true, "schema": {{"type": "string"}}}},
              {{"name": "query", "in": "query", "required": false, "schema": {{"type": "string"}}}},
              {{"name": "{header}", "in": "header", "required": false, "schema": {{"type": "string"}}}}],
            "requestBody": {{"required": true, "content": {{"application/json": {{"schema": {{"type": "object",
              "properties": {{"a": {{"type": "string"}}}}}}}}}}}},
            "responses": {{"200": {{"description": "ok", "content": {{"application/json": {{"schema": {{"type": "integer"}}}}}}}}}}}}}}}}
        }}"#
        )
    }

    #[test]
    fn arguments_named_like_the_generated_locals_are_checked_once_then_borrowed() {
        let client = generate(&named_like_locals("x-trace")).unwrap().client;
        let send = send_of(&client, "Tile");
        // Every required argument is checked before the attempts, the
        // query `url` among them; the request's own URL is `_url`, built
        // in each attempt, and the client is `_client`.
        for checked in ["client", "url", "request", "info"] {
            let check = format!("let{checked}={checked}.map_err(Error::InvalidRequest)?;");
            let at = send
                .find(&check)
                .unwrap_or_else(|| panic!("{check}: {send}"));
            assert!(at < send.find("crate::send::attempts(").unwrap(), "{send}");
        }
        assert!(
            send.contains("crate::send::attempts(_client,&crate::operations::TILE,move||asyncmove{let(_request,info)=crate::send::build("),
            "{send}"
        );
        assert!(send.contains("{let_url=format!("), "{send}");
        // The answer, `_response` here, is read by the API crate's readers.
        assert!(
            send.contains("200u16=>crate::send::answer(_response).await,"),
            "{send}"
        );
        assert!(
            send.contains("_=>Err(crate::send::unexpected(_response).await)"),
            "{send}"
        );
        assert!(!send.contains("response_value"), "{send}");
        for borrowed in [
            "url", "request", "result", "response", "info", "query", "body",
        ] {
            assert!(
                send.contains(&format!("let{borrowed}=&{borrowed};")),
                "{send}"
            );
        }
        assert!(!send.contains("let_client=&_client;"), "{send}");
        assert!(
            send.contains("let_response=crate::send::execute(_client,_request,&info"),
            "{send}"
        );
    }

    #[test]
    fn an_argument_the_generator_shadows_names_its_operation() {
        let err = generate(&named_like_locals("header_map")).unwrap_err();
        assert_eq!(err.operations().len(), 1, "{err}");
        assert_eq!(err.operations()[0].name, "GET /tiles/{client}");
        assert!(
            err.operations()[0]
                .message
                .contains("an argument is called `header_map`"),
            "{err}"
        );
    }
}
