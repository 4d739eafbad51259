//! How operations are named: as progenitor names them (to find each one in
//! its output) and as constants of the operation table.

/// The name progenitor gives an operation (its `OperationInfo`'s
/// `operation_id`, the builder's method): progenitor 0.15.1's `sanitize`
/// to snake case. `rewrite` finds each operation's table entry by it.
pub(crate) fn progenitor_name(id: &str) -> String {
    use heck::ToSnakeCase as _;
    let out = match id {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => id
            .replace('\'', "")
            .replace(|c: char| !unicode_ident::is_xid_continue(c), "-")
            .to_snake_case(),
    };
    let out = match out.chars().next() {
        None => "x".to_owned(),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("_{out}"),
    };
    // typify's `accept_as_ident`: Rust's keywords (and `gen`, `_`) get a
    // trailing `_`.
    if out != "gen" && syn::parse_str::<syn::Ident>(&out).is_ok() {
        out
    } else {
        format!("{out}_")
    }
}

/// `SEND_MESSAGE` for `send_message`: upper case, any other character
/// than a letter or digit as `_`, a leading digit after `_`, and a number
/// after a name already taken.
pub(crate) fn const_name(id: &str, taken: &std::collections::BTreeSet<String>) -> String {
    let mut name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert(0, '_');
    }
    if name.chars().all(|c| c == '_') {
        name.push_str("OPERATION");
    }
    let mut unique = name.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{name}_{n}");
        n += 1;
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitor_names_are_matched() {
        for (id, name) in [
            ("getThing", "get_thing"),
            ("documents-list", "documents_list"),
            ("read_items_items__get", "read_items_items_get"),
            ("2fa", "_2fa"),
            ("type", "type_"),
            ("gen", "gen_"),
        ] {
            assert_eq!(progenitor_name(id), name, "{id}");
        }
    }
}
