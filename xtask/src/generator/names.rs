//! Names the generator needs to match and to be unique: each path
//! parameter the name its template gives it, each operation its own
//! operationId.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::document::{
    METHODS, note, note_all, op_pointer, operations_with_keys, operations_with_keys_mut, word_chars,
};

/// progenitor refuses a document in which two operations share an
/// `operationId` (FastAPI only warns; a `generate_unique_id_function` that
/// returns the function name makes them easily). Every operation of a
/// shared id is renamed after its path (`list_all` on `/users` and on
/// `/teams` → `list_all_users`, `list_all_teams`), and the method too when
/// the path alone is not enough.
pub fn unique_operation_ids(doc: &mut Value) {
    let ops = operations_with_keys(doc);
    let mut by_id: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, method, op) in &ops {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            by_id
                .entry(id.to_owned())
                .or_default()
                .push((path.clone(), method.clone()));
        }
    }
    let taken: BTreeSet<String> = by_id.keys().cloned().collect();
    let mut renames = Vec::new();
    for (id, sites) in by_id.into_iter().filter(|(_, sites)| sites.len() > 1) {
        let by_path: BTreeSet<String> = sites.iter().map(|(p, _)| slug(p)).collect();
        let path_enough = by_path.len() == sites.len();
        for (path, method) in sites {
            let mut new = if path_enough {
                format!("{id}_{}", slug(&path))
            } else {
                format!("{id}_{}_{method}", slug(&path))
            };
            while taken.contains(&new) {
                new.push('_');
            }
            renames.push((path, method, id.clone(), new));
        }
    }
    for (path, method, old, new) in renames {
        if let Some(op) = doc.pointer_mut(&op_pointer(&path, &method, "")) {
            op["operationId"] = json!(new);
        }
        note(
            doc,
            format!(
                "renamed {} {path} from `{old}` to `{new}`: the operationId is shared",
                method.to_uppercase()
            ),
        );
    }
}

/// A path's fixed segments, lower case, joined by `_` (`root` for `/`).
fn slug(path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|seg| !seg.is_empty() && !seg.starts_with('{'))
        .map(|seg| word_chars(seg).to_lowercase())
        .collect();
    if words.is_empty() {
        "root".to_owned()
    } else {
        words.join("_")
    }
}

/// Lower case, letters and digits only: `workflowId`, `workflow_id` and
/// `Workflow-ID` are one name.
pub fn loose(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The `{names}` of a path template, in order.
fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// A path parameter must carry the name its template uses, or the
/// generator panics (`missing path name mapping`, `x missing from path`).
/// A declared one whose name differs is renamed to the template's when the
/// match is unique: by the same name in another case or spelling
/// (`workflowId` for `{workflow_id}`), else by position among those left.
/// A template name with no parameter left gets a required string
/// parameter; a declared one with no place in the template goes.
/// Path-level parameters are first moved into each operation.
pub fn path_parameters_match_the_template(doc: &mut Value) {
    let mut notes = Vec::new();
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
    {
        if let Some(Value::Array(shared)) = item.remove("parameters") {
            for (_, op) in item
                .iter_mut()
                .filter(|(k, _)| METHODS.contains(&k.as_str()))
            {
                inherit(op, &shared);
            }
        }
    }
    for (path, method, op) in operations_with_keys_mut(doc) {
        let what = format!("{} {path}", method.to_uppercase());
        match_template(op, &template_names(path), &what, &mut notes);
    }
    note_all(doc, notes);
}

/// Adds the path-level parameters an operation does not declare itself.
fn inherit(op: &mut Value, shared: &[Value]) {
    let Some(params) = op
        .as_object_mut()
        .map(|op| op.entry("parameters").or_insert_with(|| json!([])))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for param in shared {
        let same = |p: &Value| p.get("name") == param.get("name") && p.get("in") == param.get("in");
        if !params.iter().any(same) {
            params.push(param.clone());
        }
    }
}

fn is_path(p: &Value) -> bool {
    p.get("in").and_then(Value::as_str) == Some("path")
}

fn name_of(p: &Value) -> String {
    p.get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// Renames, adds or drops an operation's path parameters so they are the
/// template's.
fn match_template(
    op: &mut Map<String, Value>,
    template: &[String],
    what: &str,
    notes: &mut Vec<String>,
) {
    let empty = Vec::new();
    let declared = op
        .get("parameters")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let path_names: Vec<String> = declared
        .iter()
        .filter(|p| is_path(p))
        .map(name_of)
        .collect();
    if path_names.len() == template.len() && template.iter().all(|n| path_names.contains(n)) {
        return;
    }
    let Some(params) = op
        .entry("parameters")
        .or_insert_with(|| json!([]))
        .as_array_mut()
    else {
        return;
    };
    let mut unmatched = Unmatched {
        names: template
            .iter()
            .filter(|name| !path_names.contains(name))
            .collect(),
        params: (0..params.len())
            .filter(|&i| is_path(&params[i]) && !template.contains(&name_of(&params[i])))
            .collect(),
    };
    unmatched.rename_same_spelling(params, template, what, notes);
    // By position, when as many are left on both sides.
    if unmatched.names.len() == unmatched.params.len() {
        for (name, &i) in unmatched.names.iter().zip(&unmatched.params) {
            notes.push(format!(
                "renamed path parameter `{}` of {what} to `{name}`, the name its path gives that place",
                name_of(&params[i])
            ));
            params[i]["name"] = json!(name);
        }
        return;
    }
    unmatched.add_and_drop(params, what, notes);
}

/// The template's names without a parameter, and the path parameters
/// (by index) without a place in the template.
struct Unmatched<'a> {
    names: Vec<&'a String>,
    params: Vec<usize>,
}

impl Unmatched<'_> {
    /// Same name, other spelling, when exactly one of each matches.
    fn rename_same_spelling(
        &mut self,
        params: &mut [Value],
        template: &[String],
        what: &str,
        notes: &mut Vec<String>,
    ) {
        let unmatched_params = &mut self.params;
        self.names.retain(|name| {
            let same: Vec<usize> = unmatched_params
                .iter()
                .copied()
                .filter(|&i| loose(&name_of(&params[i])) == loose(name))
                .collect();
            let spellings = template.iter().filter(|n| loose(n) == loose(name)).count();
            let [i] = same[..] else { return true };
            if spellings != 1 {
                return true;
            }
            notes.push(format!(
                "renamed path parameter `{}` of {what} to `{name}`, as its path names it",
                name_of(&params[i])
            ));
            params[i]["name"] = json!(name);
            unmatched_params.retain(|&j| j != i);
            false
        });
    }

    /// A template name left gets a string parameter; a parameter left goes.
    fn add_and_drop(self, params: &mut Vec<Value>, what: &str, notes: &mut Vec<String>) {
        for name in self.names {
            notes.push(format!(
                "added path parameter `{name}` to {what}: its path names it but the document declares none (a string)"
            ));
            params.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
        let extra: BTreeSet<usize> = self.params.into_iter().collect();
        let mut index = 0;
        params.retain(|p| {
            let keep = !extra.contains(&index);
            index += 1;
            if !keep {
                notes.push(format!(
                    "dropped path parameter `{}` of {what}: its path has no place for it",
                    name_of(p)
                ));
            }
            keep
        });
    }
}
