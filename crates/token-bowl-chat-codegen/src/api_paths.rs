//! The paths into the API crate that the generated code names: what
//! `token-bowl-chat-api` must define for its generated client to compile.
//!
//! The settings name [`CLIENT_STATE`] and [`SECRET`]; the rewrite after
//! generation names the others. [`API_PATHS`] lists them all, each with
//! what it must be; the API crate has a test that each one exists there and
//! that its generated code names no other `crate::` path. Beside these, the
//! operation table (`Generated::operations`) names `super::Operation`, and
//! the mock helpers glob-import the crate (`use crate::*`).

/// One path the generated code names in the API crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiPath {
    /// The path as the generated code writes it.
    pub path: &'static str,
    /// What the API crate must define there.
    pub must_be: &'static str,
}

/// The client's inner type (progenitor's `inner_type` setting).
pub const CLIENT_STATE: &str = "crate::ClientState";
/// The type of a secret string (format `password`).
pub const SECRET: &str = "crate::Secret";
/// The operation table's module, one constant per operation.
pub const OPERATIONS: &str = "crate::operations";
/// Reads a success answer, moving its headers: the form the
/// `moved_headers` pass gives progenitor's `ResponseValue::from_response`.
/// The `attempts` pass replaces each one (`SEND_ANSWER`, `SEND_DECODED`,
/// `SEND_ERROR_VALUE`), so the generated code does not name it and the API
/// crate does not define it.
pub const RESPONSE_VALUE: &str = "crate::response_value";
/// Runs a `send()`'s attempts under the client's retry rule.
pub const SEND_ATTEMPTS: &str = "crate::send::attempts";
/// Builds one attempt's request, out of line.
pub const SEND_BUILD: &str = "crate::send::build";
/// Sends one attempt's request (API key, executor, reqwest).
pub const SEND_EXECUTE: &str = "crate::send::execute";
/// Reads a JSON answer's body whole, to be decoded after the attempts.
pub const SEND_ANSWER: &str = "crate::send::answer";
/// Decodes the attempts' answer, once, out of line.
pub const SEND_DECODED: &str = "crate::send::decoded";
/// An answer's status code, and the answer (taken by value).
pub const SEND_STATUS: &str = "crate::send::status";
/// Runs a `send()` with a raw body once.
pub const SEND_ONCE: &str = "crate::send::once";
/// Reads an error answer an operation documents.
pub const SEND_ERROR_VALUE: &str = "crate::send::error_value";
/// Reads an answer of a status an operation does not list.
pub const SEND_UNEXPECTED: &str = "crate::send::unexpected";
/// The query pairs the client sends for one parameter (mock helpers).
pub const MOCK_QUERY_PAIRS: &str = "crate::mock_query::pairs";
/// Deserializes a lenient id (format `uuid-or-empty`).
pub const LENIENT_UUID_OR_EMPTY: &str = "crate::lenient::uuid_or_empty";
/// Deserializes a `DateTime<Utc>` (RFC 3339 parser first).
pub const LENIENT_DATE_TIME: &str = "crate::lenient::date_time";

/// Every path the generated code names in the API crate, with what it must
/// be there.
pub const API_PATHS: &[ApiPath] = &[
    ApiPath {
        path: CLIENT_STATE,
        must_be: "the type `Client` holds: `Client::new(baseurl, ClientState)`, \
                  `ClientHooks<ClientState>` implemented by hand",
    },
    ApiPath {
        path: SECRET,
        must_be: "a type that (de)serialises as a string and implements `Display`, \
                  for fields of format `password`",
    },
    ApiPath {
        path: OPERATIONS,
        must_be: "the generated operation table, included at the crate root: \
                  `crate::operations::X: Operation` for each operation",
    },
    ApiPath {
        path: SEND_ATTEMPTS,
        must_be: "`async fn(&Client, &'static Operation, impl Fn() -> Fut) \
                  -> Result<ResponseValue<T>, Error<E>>`",
    },
    ApiPath {
        path: SEND_BUILD,
        must_be: "`fn(impl FnOnce() -> Result<(reqwest::Request, OperationInfo), Error<E>>) \
                  -> Result<(reqwest::Request, OperationInfo), Error<E>>`, not inlined",
    },
    ApiPath {
        path: SEND_ANSWER,
        must_be: "`async fn(reqwest::Response) -> Result<ResponseValue<bytes::Bytes>, Error<E>>`",
    },
    ApiPath {
        path: SEND_DECODED,
        must_be: "`fn(Result<ResponseValue<bytes::Bytes>, Error<E>>) \
                  -> Result<ResponseValue<T>, Error<E>>` for `T: DeserializeOwned + Debug`",
    },
    ApiPath {
        path: SEND_EXECUTE,
        must_be: "`fn(&Client, reqwest::Request, &OperationInfo) \\
                  -> Result<impl Future<Output = reqwest::Result<reqwest::Response>>, Error<E>>`",
    },
    ApiPath {
        path: SEND_STATUS,
        must_be: "`fn(reqwest::Response) -> (u16, reqwest::Response)`",
    },
    ApiPath {
        path: SEND_ONCE,
        must_be: "`async fn(&'static Operation, impl FnOnce() -> Fut) \
                  -> Result<ResponseValue<T>, Error<E>>`",
    },
    ApiPath {
        path: SEND_ERROR_VALUE,
        must_be: "`async fn(reqwest::Response) -> Error<E>` for `E: DeserializeOwned`",
    },
    ApiPath {
        path: SEND_UNEXPECTED,
        must_be: "`async fn(reqwest::Response) -> Error<E>`",
    },
    ApiPath {
        path: MOCK_QUERY_PAIRS,
        must_be: "with the `mock` feature, `fn(&str, &T) -> Vec<(String, String)>` for \
                  `T: Serialize + ?Sized`: the query pairs the client sends for one parameter",
    },
    ApiPath {
        path: LENIENT_UUID_OR_EMPTY,
        must_be: "a serde `deserialize_with` function to `Option<uuid::Uuid>` \
                  that reads `\"\"`, `null` and a missing field as `None`",
    },
    ApiPath {
        path: LENIENT_DATE_TIME,
        must_be: "a serde `deserialize_with` function to `chrono::DateTime<Utc>` that \
                  accepts what chrono's own deserializer accepts",
    },
];

/// The `crate::` paths `code` names, each once (`crate::send::attempts`,
/// `crate::operations::SEND_MESSAGE`); a glob (`crate::*`) is none.
pub fn crate_paths(code: &str) -> std::collections::BTreeSet<&str> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut paths = std::collections::BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| is_ident(c) || c == ':') {
            continue;
        }
        let rest = &code[at..];
        let end = rest
            .find(|c: char| !is_ident(c) && c != ':')
            .unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(':');
        if path != "crate" {
            paths.insert(path);
        }
    }
    paths
}

/// The entry of [`API_PATHS`] that `path` (from [`crate_paths`]) names:
/// the entry itself or an item under it (`crate::operations::X`).
pub fn listed(path: &str) -> Option<&'static ApiPath> {
    API_PATHS.iter().find(|entry| {
        path.strip_prefix(entry.path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// `path` as a syntax path, for the rewrite to emit.
pub(crate) fn syn_path(path: &str) -> syn::Path {
    syn::parse_str(path).expect("every API path parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_path_parses_and_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for entry in API_PATHS {
            assert!(entry.path.starts_with("crate::"), "{}", entry.path);
            assert!(
                syn::parse_str::<syn::Path>(entry.path).is_ok(),
                "{}",
                entry.path
            );
            assert!(!entry.must_be.is_empty(), "{}", entry.path);
            assert!(seen.insert(entry.path), "{} twice", entry.path);
        }
    }

    #[test]
    fn crate_paths_are_read_whole_and_globs_skipped() {
        let code = "use crate::*; x: crate::Secret, y = crate::send::once(&crate::operations::A);\n\
                    ::other::crate::No; my_crate::no";
        let paths: Vec<&str> = crate_paths(code).into_iter().collect();
        assert_eq!(
            paths,
            ["crate::Secret", "crate::operations::A", "crate::send::once"]
        );
        assert_eq!(
            listed("crate::operations::A").map(|e| e.path),
            Some(OPERATIONS)
        );
        assert_eq!(listed("crate::Secret").map(|e| e.path), Some(SECRET));
        assert!(listed("crate::SecretKey").is_none());
        assert!(listed("crate::send").is_none());
    }

    /// One operation of each kind the rewrite knows: a secret, a lenient
    /// id and a time in a JSON answer, a documented error, a query parameter
    /// (its mock helper), and a raw body.
    const EVERY_KIND: &str = r##"{
      "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
      "paths": {
        "/bots/{id}": {"get": {"operationId": "get_bot",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                         {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}}],
          "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bot"}}}},
            "404": {"description": "no", "content": {"application/json": {"schema": {"type": "string"}}}}}}},
        "/upload": {"post": {"operationId": "upload",
          "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
          "responses": {"204": {"description": "ok"}}}}},
      "components": {"schemas": {"Bot": {"type": "object", "required": ["api_key", "owner_id", "created_at"],
        "properties": {"api_key": {"type": "string", "format": "password"},
                       "owner_id": {"type": "string", "format": "uuid-or-empty"},
                       "created_at": {"type": "string", "format": "date-time"}}}}}
    }"##;

    #[test]
    fn the_generated_code_names_exactly_the_listed_paths() {
        let generated = crate::generate(EVERY_KIND).unwrap();
        let mut used = std::collections::BTreeSet::new();
        for code in [&generated.client, &generated.mock, &generated.operations] {
            for path in crate_paths(code) {
                let entry = listed(path)
                    .unwrap_or_else(|| panic!("`{path}` is generated but not in API_PATHS"));
                used.insert(entry.path);
            }
        }
        let all: std::collections::BTreeSet<&str> = API_PATHS.iter().map(|e| e.path).collect();
        assert_eq!(used, all, "API_PATHS lists paths no generated code names");
    }
}
