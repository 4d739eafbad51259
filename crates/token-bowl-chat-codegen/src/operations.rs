//! The operation table: one `Operation` constant per operation of the
//! document, with its method, path and whether it is public and
//! idempotent, written as the API crate's `operations` module.

use serde_json::Value;

use crate::{BANNER, names::const_name};

/// The source of [`secret_names`](crate::secret_names), written into the
/// generated operation table as it is.
const SECRET_NAMES_SOURCE: &str = include_str!("secret_names.rs");

/// The extension by which the normaliser marks an operation that is safe
/// to repeat although its method is not (a POST that only marks or
/// signals).
pub const IDEMPOTENT_EXTENSION: &str = "x-idempotent";

/// The operation table (see [`Generated::operations`]). Public: no
/// `security` of its own and none for the whole document, or an empty
/// one. Idempotent: GET, HEAD, OPTIONS, PUT and DELETE, and any operation
/// marked with [`IDEMPOTENT_EXTENSION`].
pub(crate) fn operations(table: &[TableEntry]) -> String {
    let mut consts = String::new();
    let mut all = String::new();
    for TableEntry {
        id,
        path,
        method,
        public,
        idempotent,
        name,
    } in table
    {
        consts.push_str(&format!(
            "    /// `{method} {path}`\n    pub const {name}: Operation = Operation {{\n        \
             id: {id:?},\n        method: {method:?},\n        path: {path:?},\n        \
             public: {public},\n        idempotent: {idempotent},\n    }};\n"
        ));
        all.push_str(&format!("    operations::{name},\n"));
    }
    format!(
        "{BANNER}\n\n/// One constant per operation of the API, named after its id.\n\
         pub mod operations {{\n    use super::Operation;\n\n{consts}}}\n\n\
         /// Every operation, sorted by id.\npub const OPERATIONS: &[Operation] = &[\n{all}];\n\n\
         {SECRET_NAMES_SOURCE}"
    )
}

/// One operation of the table.
pub(crate) struct TableEntry {
    /// The document's operation id.
    pub(crate) id: String,
    pub(crate) path: String,
    pub(crate) method: String,
    public: bool,
    idempotent: bool,
    /// The constant's name.
    pub(crate) name: String,
}

/// The operations of `spec`, sorted by id, with their constants' names.
pub(crate) fn operation_table(spec: &openapiv3::OpenAPI) -> Vec<TableEntry> {
    let global_security = spec.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut ops: Vec<(&str, &str, String, bool, bool)> = spec
        .operations()
        .filter_map(|(path, method, op)| {
            let id = op.operation_id.as_deref()?;
            let public = match &op.security {
                Some(requirements) => requirements.is_empty(),
                None => !global_security,
            };
            let idempotent = matches!(method, "get" | "head" | "options" | "put" | "delete")
                || op
                    .extensions
                    .get(IDEMPOTENT_EXTENSION)
                    .is_some_and(|v| v == &Value::Bool(true));
            Some((id, path, method.to_uppercase(), public, idempotent))
        })
        .collect();
    ops.sort_unstable();
    let mut names = std::collections::BTreeSet::new();
    ops.into_iter()
        .map(|(id, path, method, public, idempotent)| {
            let name = const_name(id, &names);
            names.insert(name.clone());
            TableEntry {
                id: id.to_owned(),
                path: path.to_owned(),
                method,
                public,
                idempotent,
                name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::generate;

    #[test]
    fn the_operation_table_names_each_operation_once() {
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "security": [{"key": []}],
          "paths": {
            "/a": {"get": {"operationId": "documents-list", "security": [],
                "responses": {"200": {"description": "ok"}}},
              "post": {"operationId": "documents_list", "x-idempotent": true,
                "responses": {"200": {"description": "ok"}}}},
            "/b/{id}": {"patch": {"operationId": "2fa", "parameters": [{"name": "id", "in": "path",
                "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}}}}
        }"##;
        let table = generate(spec).unwrap().operations;
        let flat: String = table.split_whitespace().collect();
        assert!(
            flat.contains(r#"pubconst_2FA:Operation=Operation{id:"2fa",method:"PATCH",path:"/b/{id}",public:false,idempotent:false,}"#),
            "{table}"
        );
        assert!(
            flat.contains(r#"pubconstDOCUMENTS_LIST:Operation=Operation{id:"documents-list",method:"GET",path:"/a",public:true,idempotent:true,}"#),
            "{table}"
        );
        assert!(
            flat.contains(r#"pubconstDOCUMENTS_LIST_2:Operation=Operation{id:"documents_list",method:"POST",path:"/a",public:false,idempotent:true,}"#),
            "{table}"
        );
        assert!(flat.contains("pubconstOPERATIONS:&[Operation]=&[operations::_2FA,operations::DOCUMENTS_LIST,operations::DOCUMENTS_LIST_2,];"), "{table}");
    }
}
