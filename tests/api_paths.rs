//! The paths the generated code names in this crate, listed once in the
//! codegen crate (`API_PATHS`), agree with the crate both ways: each one is
//! defined here, and the generated code this crate compiles names no other
//! `crate::` path.

use std::path::{Path, PathBuf};

use token_bowl_chat_codegen::api_paths::{API_PATHS, crate_paths, listed};

/// The generated files, as the build script wrote them for this crate.
const GENERATED: [(&str, &str); 3] = [
    (
        "client.rs",
        include_str!(concat!(env!("OUT_DIR"), "/client.rs")),
    ),
    (
        "mock.rs",
        include_str!(concat!(env!("OUT_DIR"), "/mock.rs")),
    ),
    (
        "operations.rs",
        include_str!(concat!(env!("OUT_DIR"), "/operations.rs")),
    ),
];

#[test]
fn the_generated_code_names_only_listed_paths() {
    for (file, code) in GENERATED {
        for path in crate_paths(code) {
            assert!(
                listed(path).is_some(),
                "the generated {file} names `{path}`, which the codegen's API_PATHS does not list"
            );
        }
    }
}

#[test]
fn every_listed_path_is_defined_in_this_crate() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in API_PATHS {
        let segments: Vec<&str> = entry.path.split("::").skip(1).collect();
        assert!(
            defines(&src.join("lib.rs"), &src, &segments),
            "`{}` is not defined in token-bowl-chat-api; it must be {}",
            entry.path,
            entry.must_be
        );
    }
}

#[test]
fn the_lookup_finds_only_what_is_there() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = src.join("lib.rs");
    assert!(defines(&lib, &src, &["ClientState"]));
    assert!(defines(&lib, &src, &["operations", "SEND_MESSAGE"]));
    assert!(!defines(&lib, &src, &["NoSuchItem"]));
    assert!(!defines(&lib, &src, &["send", "no_such_fn"]));
    assert!(!defines(&lib, &src, &["no_such_module", "attempts"]));
}

/// Whether the module whose source is `file` (its submodules' files under
/// `dir`) defines the item `segments` names.
fn defines(file: &Path, dir: &Path, segments: &[&str]) -> bool {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let parsed =
        syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
    defines_in(parsed.items, dir, segments)
}

/// [`defines`] for the items of a module.
fn defines_in(items: Vec<syn::Item>, dir: &Path, segments: &[&str]) -> bool {
    let items = with_included(items);
    let Some((name, rest)) = segments.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return items
            .iter()
            .any(|item| names(item).iter().any(|n| n == name));
    }
    items.into_iter().any(|item| match item {
        syn::Item::Mod(module) if module.ident == name => match module.content {
            Some((_, inner)) => defines_in(inner, &dir.join(name), rest),
            None => [
                dir.join(format!("{name}.rs")),
                dir.join(name).join("mod.rs"),
            ]
            .iter()
            .find(|file| file.exists())
            .is_some_and(|file| defines(file, &dir.join(name), rest)),
        },
        _ => false,
    })
}

/// `items` with the generated files they `include!` from `OUT_DIR` in place.
fn with_included(items: Vec<syn::Item>) -> Vec<syn::Item> {
    let mut all = Vec::new();
    for item in items {
        let included = match &item {
            syn::Item::Macro(m) if m.mac.path.is_ident("include") => generated_file(&m.mac),
            _ => None,
        };
        match included {
            Some(file) => {
                let code = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
                let parsed = syn::parse_file(&code)
                    .unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
                all.extend(with_included(parsed.items));
            }
            None => all.push(item),
        }
    }
    all
}

/// The file of `include!(concat!(env!("OUT_DIR"), "/name.rs"))`.
fn generated_file(mac: &syn::Macro) -> Option<PathBuf> {
    let tokens = mac.tokens.to_string();
    if !tokens.contains("OUT_DIR") {
        return None;
    }
    let start = tokens.rfind("\"/")? + 2;
    let end = start + tokens[start..].find('"')?;
    Some(Path::new(env!("OUT_DIR")).join(&tokens[start..end]))
}

/// The names an item defines in its module (a `use` its leaves, renamed
/// or not; a glob none).
fn names(item: &syn::Item) -> Vec<String> {
    fn leaves(tree: &syn::UseTree, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => leaves(&p.tree, out),
            syn::UseTree::Name(n) => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| leaves(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Mod(i) => &i.ident,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        syn::Item::Use(u) => {
            let mut out = Vec::new();
            leaves(&u.tree, &mut out);
            return out;
        }
        _ => return Vec::new(),
    };
    vec![ident.to_string()]
}
