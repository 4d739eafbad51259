//! The spec corpus: small FastAPI apps (`xtask/corpus/apps*/`) that use what
//! real apps use, and the OpenAPI documents FastAPI wrote for them
//! (`xtask/corpus/specs/`, made by `xtask/corpus/generate.sh`). These tests
//! read only the JSON.
//!
//! `cargo test` runs every document through the regen pipeline (convert,
//! normalise, generate). The ignored test, run by `.ci/run`, also builds each
//! one as the generated crate, in a scratch copy of this workspace's API
//! package.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every corpus document: (name, text), in name order.
fn corpus() -> Vec<(String, String)> {
    let mut specs: Vec<_> = std::fs::read_dir(corpus_dir().join("specs"))
        .expect("xtask/corpus/specs is committed")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    specs.sort();
    specs
}

/// What the regen pipeline made of one document.
struct Regenerated {
    name: String,
    doc: Value,
    text: String,
    warnings: Vec<String>,
    client: String,
}

/// The real-world documents in `../shared/specs/foreign/` (kept beside the
/// repository, never in it), in name order; `None` when the folder is
/// absent, which `.ci/run` (`TOKEN_BOWL_REQUIRE_SHARED=1`) makes a failure.
fn foreign() -> Option<Vec<(String, String)>> {
    let dir = workspace_root().join("../shared/specs/foreign");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert!(
            std::env::var_os("TOKEN_BOWL_REQUIRE_SHARED").is_none(),
            "{} is absent",
            dir.display()
        );
        eprintln!("note: {} is absent; skipping", dir.display());
        return None;
    };
    let mut specs: Vec<_> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    specs.sort();
    Some(specs)
}

fn regenerate(name: &str, text: &str) -> Result<Regenerated, String> {
    let r = xtask::regenerate(text, name, None).map_err(|e| format!("{e:#}"))?;
    Ok(Regenerated {
        name: name.to_owned(),
        doc: r.doc,
        text: r.text,
        warnings: r.warnings,
        client: r.generated.client,
    })
}

fn regenerate_all() -> Vec<Regenerated> {
    regenerate_each(corpus())
}

fn regenerate_each(specs: Vec<(String, String)>) -> Vec<Regenerated> {
    let mut failures = String::new();
    let mut done = Vec::new();
    for (name, text) in specs {
        match regenerate(&name, &text) {
            Ok(r) => done.push(r),
            Err(e) => writeln!(failures, "{name}: {e}").unwrap(),
        }
    }
    assert!(
        failures.is_empty(),
        "documents that do not regenerate:\n{failures}"
    );
    done
}

fn operations(doc: &Value) -> usize {
    doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .map(|item| {
            item.keys()
                .filter(|k| {
                    [
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                    .contains(&k.as_str())
                })
                .count()
        })
        .sum()
}

fn skipped(doc: &Value) -> Vec<&Value> {
    doc.get(xtask::normalize::SKIPPED)
        .and_then(Value::as_array)
        .map(|list| list.iter().collect())
        .unwrap_or_default()
}

#[test]
fn the_corpus_has_at_least_fifteen_documents_from_both_pydantic_generations() {
    let corpus = corpus();
    assert!(corpus.len() >= 15, "only {} documents", corpus.len());
    let versions: Vec<_> = corpus
        .iter()
        .map(|(_, text)| {
            serde_json::from_str::<Value>(text).unwrap()["openapi"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        versions.iter().any(|v| v.starts_with("3.1")),
        "{versions:?}"
    );
    assert!(
        versions.iter().any(|v| v.starts_with("3.0")),
        "{versions:?}"
    );
}

#[test]
fn every_corpus_document_regenerates() {
    let done = regenerate_all();
    let mut report = String::from("document | operations | generated | skipped | warnings\n");
    let mut warnings = String::new();
    for r in &done {
        let skipped = skipped(&r.doc).len();
        let generated = operations(&r.doc);
        writeln!(
            report,
            "{} | {} | {generated} | {skipped} | {}",
            r.name,
            generated + skipped,
            r.warnings.len()
        )
        .unwrap();
        for warning in &r.warnings {
            writeln!(warnings, "{}: {warning}", r.name).unwrap();
        }
        assert!(generated > 0, "{}: no operation was generated", r.name);
        assert!(r.client.contains("pub struct Client"), "{}", r.name);
        // Regenerating the written document changes nothing.
        let (again, _) = xtask::process(&r.text, &r.name).unwrap();
        assert_eq!(again, r.doc, "{}: normalising twice differs", r.name);
    }
    // What regen did to each document, for review when the normaliser or
    // the corpus changes.
    insta::assert_snapshot!("corpus_report", format!("{report}\n{warnings}"));
}

/// Every real-world document regenerates, whatever the generator fails on
/// left out part by part; the report says what each lost, and how long the
/// largest took.
#[test]
fn every_real_world_document_regenerates() {
    let Some(specs) = foreign() else { return };
    let largest = specs
        .iter()
        .max_by_key(|(_, text)| text.len())
        .map(|(name, text)| (name.clone(), text.clone()))
        .unwrap();
    let done = regenerate_each(specs);
    for r in &done {
        let skipped = skipped(&r.doc);
        println!(
            "{}: {} operations generated, {} skipped, {} schemas",
            r.name,
            operations(&r.doc),
            skipped.len(),
            r.doc["components"]["schemas"]
                .as_object()
                .map_or(0, |s| s.len())
        );
        for s in &skipped {
            println!("  skipped {} {}: {}", s["method"], s["path"], s["reason"]);
        }
        for warning in &r.warnings {
            println!("  {warning}");
        }
        assert!(operations(&r.doc) > 0, "{}: no operation", r.name);
        let (again, _) = xtask::process(&r.text, &r.name).unwrap();
        if let Some(at) = first_difference(&again, &r.doc, String::new()) {
            panic!("{}: normalising twice differs at {at}", r.name);
        }
    }
    let started = Instant::now();
    xtask::regenerate(&largest.1, &largest.0, None).unwrap();
    println!(
        "largest: {} ({} KB) regenerated in {:.1?} (this build's profile)",
        largest.0,
        largest.1.len() / 1024,
        started.elapsed()
    );
}

/// Where two JSON values first differ, as a JSON pointer with both sides.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| {
            let (l, r) = (
                x.get(k).unwrap_or(&Value::Null),
                y.get(k).unwrap_or(&Value::Null),
            );
            first_difference(l, r, format!("{at}/{k}"))
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} then {b}")),
    }
}

/// The root manifest's sections, by header (`[package]`, `[dependencies]`...).
fn sections(manifest: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            out.push((line.trim().to_owned(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// A scratch workspace with one copy of this workspace's API package per
/// corpus document: the same manifest (name changed, no dev-dependencies),
/// `build.rs` and `src/`, and the document as `openapi.json`, written by
/// the regen pipeline. The generator crate is this workspace's own.
fn scratch_workspace(dir: &Path, done: &[Regenerated]) {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let codegen = root
        .join("crates/token-bowl-chat-codegen")
        .canonicalize()
        .unwrap();
    let mut workspace = String::from("[workspace]\nresolver = \"3\"\nmembers = [\n");
    for r in done {
        writeln!(workspace, "  \"{}\",", r.name).unwrap();
    }
    workspace.push_str("]\n\n");
    let mut package = String::new();
    for (header, body) in sections(&manifest) {
        match header.as_str() {
            "[workspace.package]" | "[workspace.lints.clippy]" => {
                writeln!(workspace, "{header}\n{body}").unwrap();
            }
            "[workspace.dependencies]" => {
                let body: String = body
                    .lines()
                    .filter(|l| !l.starts_with("token-bowl-chat-api"))
                    .map(|l| {
                        if l.starts_with("token-bowl-chat-codegen") {
                            format!(
                                "token-bowl-chat-codegen = {{ path = {:?} }}\n",
                                codegen.display().to_string()
                            )
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                writeln!(workspace, "{header}\n{body}").unwrap();
            }
            "[package]" => {
                let body = body
                    .lines()
                    .filter(|l| !l.starts_with("include") && !l.starts_with("readme"))
                    .map(|l| format!("{l}\n"))
                    .collect::<String>();
                writeln!(package, "{header}\n{body}").unwrap();
            }
            "[dev-dependencies]" | "[workspace]" | "[profile.release]" => {}
            _ if header.starts_with("[package") || !header.starts_with("[workspace") => {
                writeln!(package, "{header}\n{body}").unwrap();
            }
            _ => {}
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("Cargo.toml"), workspace).unwrap();
    // The same versions as this workspace: the copied lock file.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for r in done {
        let crate_dir = dir.join(&r.name);
        std::fs::create_dir_all(crate_dir.join("src")).unwrap();
        let name: String = r
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let name = format!("corpus-{name}");
        let package = package.replacen(
            "name = \"token-bowl-chat-api\"",
            &format!("name = \"{name}\""),
            1,
        );
        std::fs::write(crate_dir.join("Cargo.toml"), package).unwrap();
        std::fs::copy(root.join("build.rs"), crate_dir.join("build.rs")).unwrap();
        // The hand-written half, without its tests (they are about the
        // Token Bowl server's own types).
        let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
        let lib = match lib.find("#[cfg(test)]\nmod tests") {
            Some(at) => &lib[..at],
            None => &lib,
        };
        std::fs::write(crate_dir.join("src/lib.rs"), lib).unwrap();
        std::fs::write(crate_dir.join("openapi.json"), &r.text).unwrap();
    }
}

/// Regenerates every corpus document in a scratch copy of the API package
/// and builds them all (one workspace, so the dependencies build once), with
/// the `mock` feature, so the generated httpmock helpers compile too.
#[test]
#[ignore = "builds every corpus document as a crate (minutes); .ci/run runs it"]
fn every_corpus_document_compiles_as_the_generated_crate() {
    let mut done = regenerate_all();
    done.extend(regenerate_each(foreign().unwrap_or_default()));
    let dir = workspace_root().join("target/corpus");
    let _ = std::fs::remove_dir_all(dir.join("workspace"));
    scratch_workspace(&dir.join("workspace"), &done);
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir.join("workspace"))
        .args([
            "build",
            "--workspace",
            "--all-features",
            "--message-format=short",
        ])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the corpus does not build:\n{stderr}"
    );
    println!(
        "{} corpus crates built in {:.1?}",
        done.len(),
        started.elapsed()
    );
}

/// The smallest documents that made the generator fail, each found by the
/// corpus: unnormalised, progenitor refuses (or panics on) it; after the
/// regen pipeline it generates.
mod fixtures {
    use serde_json::{Value, json};

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
               "components": {"schemas": {"Problem": {"type": "object",
                   "properties": {"detail": {"type": "string"}}, "required": ["detail"]}}}})
    }

    fn ok(answer: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": answer}}})
    }

    /// Asserts the raw document fails to generate (after only the 3.1 → 3.0
    /// conversion) with `failure` in the message, and that the regen
    /// pipeline's output generates. Returns the normalised document.
    fn fails_raw_then_generates(d: Value, failure: &str) -> Value {
        let mut raw = d.clone();
        xtask::convert::to_openapi_30(&mut raw).unwrap();
        let raw_error = match token_bowl_chat_codegen::generate(&raw.to_string()) {
            Ok(_) => panic!("the fixture does not make the generator fail"),
            Err(e) => e.to_string(),
        };
        assert!(raw_error.contains(failure), "{raw_error}");
        let (normalised, _) = xtask::process(&d.to_string(), "fixture").unwrap();
        if let Err(e) = token_bowl_chat_codegen::generate(&xtask::render(&normalised)) {
            panic!("still fails after normalising: {e}");
        }
        normalised
    }

    #[test]
    fn a_shared_operation_id_is_renamed_after_the_path() {
        let get = |id: &str| json!({"get": {"operationId": id, "responses": {"200": ok(json!({"type": "integer"}))}}});
        let d = fails_raw_then_generates(
            doc(json!({"/users": get("list_all"), "/teams": get("list_all")})),
            "duplicate operation ID",
        );
        assert_eq!(d["paths"]["/users"]["get"]["operationId"], "list_all_users");
        assert_eq!(d["paths"]["/teams"]["get"]["operationId"], "list_all_teams");
        let notes = d[xtask::normalize::NOTES].to_string();
        assert!(
            notes.contains("renamed GET /users from `list_all` to `list_all_users`"),
            "{notes}"
        );
    }

    #[test]
    fn cookie_parameters_are_dropped_or_their_operation_skipped() {
        let cookie = |required: bool| json!({"name": "session", "in": "cookie", "required": required, "schema": {"type": "string"}});
        let d = fails_raw_then_generates(
            doc(json!({
                "/a": {"get": {"operationId": "a", "parameters": [cookie(false), {"name": "q", "in": "query", "schema": {"type": "string"}}],
                               "responses": {"200": ok(json!({"type": "integer"}))}}},
                "/b": {"get": {"operationId": "b", "parameters": [cookie(true)],
                               "responses": {"200": ok(json!({"type": "integer"}))}}}
            })),
            "cookie parameters are not supported",
        );
        let params = &d["paths"]["/a"]["get"]["parameters"];
        assert_eq!(
            params.as_array().unwrap().len(),
            1,
            "only the cookie goes: {params}"
        );
        assert!(
            d["paths"].get("/b").is_none(),
            "a required cookie skips the operation"
        );
        let skipped = d[xtask::normalize::SKIPPED].to_string();
        assert!(
            skipped.contains("required cookie parameter `session`"),
            "{skipped}"
        );
    }

    #[test]
    fn an_answer_without_a_body_beside_json_ones_is_dropped() {
        // FastAPI writes `responses={404: {"description": ...}}` and a
        // bodiless `202` exactly like this.
        let d = fails_raw_then_generates(
            doc(json!({"/x": {"get": {"operationId": "x", "responses": {
                "200": ok(json!({"type": "integer"})),
                "202": {"description": "accepted, no body"},
                "404": {"description": "not found"}}}}})),
            "response_types.len() <= 1",
        );
        let responses = &d["paths"]["/x"]["get"]["responses"];
        assert!(
            responses.get("202").is_none() && responses.get("404").is_none(),
            "{responses}"
        );
        assert!(responses.get("200").is_some() && responses.get("4XX").is_some());
        let notes = d[xtask::normalize::NOTES].to_string();
        assert!(
            notes.contains("dropped the 202 answer of GET /x"),
            "{notes}"
        );
    }

    #[test]
    fn a_typed_error_beside_the_shared_one_becomes_one_error_type() {
        let problem = json!({"$ref": "#/components/schemas/Problem"});
        let d = fails_raw_then_generates(
            doc(json!({"/x": {"post": {"operationId": "x", "responses": {
                "201": ok(json!({"type": "integer"})),
                "404": ok(problem.clone()),
                "409": ok(problem.clone()),
                "422": ok(json!({"type": "object"}))}}}})),
            "response_types.len() <= 1",
        );
        let responses = &d["paths"]["/x"]["post"]["responses"];
        let schema = &responses["4XX"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["anyOf"][0], problem,
            "the specific body is tried first: {schema}"
        );
        assert_eq!(schema["anyOf"][1]["$ref"], "#/components/schemas/ErrorBody");
        assert!(
            responses.get("404").is_none() && responses.get("409").is_none(),
            "statuses the 4XX covers with the same body go: {responses}"
        );
    }

    #[test]
    fn a_list_in_a_header_takes_one_value() {
        // This one generates but does not compile: the client formats a
        // header with `Display`, which a `Vec` has not (the corpus build
        // found it). The builder's field shows the type.
        let d = doc(json!({"/x": {"get": {"operationId": "x", "parameters": [
            {"name": "x-token", "in": "header", "required": true,
             "schema": {"type": "array", "items": {"type": "string"}}}],
            "responses": {"200": ok(json!({"type": "integer"}))}}}}));
        let field = |client: &str| {
            let at = client
                .find("x_token: Result<")
                .expect("a builder field for the header");
            client[at..].lines().next().unwrap().to_owned()
        };
        let mut raw = d.clone();
        xtask::convert::to_openapi_30(&mut raw).unwrap();
        let raw = token_bowl_chat_codegen::generate(&raw.to_string())
            .unwrap()
            .client;
        assert!(field(&raw).contains("Vec<"), "{}", field(&raw));
        let (normalised, _) = xtask::process(&d.to_string(), "fixture").unwrap();
        let client = token_bowl_chat_codegen::generate(&xtask::render(&normalised))
            .unwrap()
            .client;
        assert!(
            field(&client).contains("Result<::std::string::String"),
            "{}",
            field(&client)
        );
        assert!(
            normalised[xtask::normalize::NOTES]
                .to_string()
                .contains("header `x-token` of GET /x takes one value")
        );
    }
}

/// One reduced fixture per class of real-world document that stopped the
/// regen (`../shared/specs/foreign/` and documents like them): the raw
/// document fails, the normalised one generates.
mod real_world {
    use serde_json::{Value, json};

    fn doc(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
               "components": {"schemas": schemas}})
    }

    fn ok(answer: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": answer}}})
    }

    fn raw_error(d: &Value) -> String {
        let mut raw = d.clone();
        if let Err(e) = xtask::convert::to_openapi_30(&mut raw) {
            return format!("{e:#}");
        }
        match token_bowl_chat_codegen::generate(&raw.to_string()) {
            Ok(_) => panic!("the fixture does not make the generator fail"),
            Err(e) => e.to_string(),
        }
    }

    /// Asserts the raw document fails with `failure` in the message and the
    /// regen pipeline's output generates. Returns it and its warnings.
    fn fails_raw_then_generates(d: Value, failure: &str) -> (Value, String) {
        let raw = raw_error(&d);
        assert!(raw.contains(failure), "{raw}");
        let (normalised, warnings) = xtask::process(&d.to_string(), "fixture").unwrap();
        if let Err(e) = token_bowl_chat_codegen::generate(&xtask::render(&normalised)) {
            panic!("still fails after normalising: {e}");
        }
        (normalised, warnings.join("\n"))
    }

    fn get(id: &str, answer: Value) -> Value {
        json!({"get": {"operationId": id, "responses": {"200": ok(answer)}}})
    }

    fn notes(d: &Value) -> String {
        let lines = d[xtask::normalize::NOTES]
            .as_array()
            .cloned()
            .unwrap_or_default();
        lines
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_path_parameter_under_another_name_takes_the_templates() {
        // keephq/keep: `{workflow_id}` in the path, no parameter for it.
        let (d, _) = fails_raw_then_generates(
            doc(
                json!({
                    "/workflows/{workflow_id}/runs/{run_id}": {"get": {"operationId": "get_run",
                        "parameters": [{"name": "Run_Id", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "responses": {"200": ok(json!({"type": "integer"}))}}},
                    "/teams/{team}/members/{member}": {"get": {"operationId": "get_member",
                        "parameters": [
                            {"name": "teamName", "in": "path", "required": true, "schema": {"type": "string"}},
                            {"name": "memberId", "in": "path", "required": true, "schema": {"type": "integer"}}],
                        "responses": {"200": ok(json!({"type": "integer"}))}}}
                }),
                json!({}),
            ),
            "missing path name mapping",
        );
        let names = |path: &str| -> Vec<String> {
            d["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{}:{}",
                        p["name"].as_str().unwrap(),
                        p["schema"]["type"].as_str().unwrap()
                    )
                })
                .collect()
        };
        // Same name in another spelling; the one the document forgot, added.
        assert_eq!(
            names("/workflows/{workflow_id}/runs/{run_id}"),
            ["run_id:string", "workflow_id:string"]
        );
        // By position, types kept.
        assert_eq!(
            names("/teams/{team}/members/{member}"),
            ["team:string", "member:integer"]
        );
        let notes = notes(&d);
        assert!(notes.contains("renamed path parameter `Run_Id` of GET /workflows/{workflow_id}/runs/{run_id} to `run_id`"), "{notes}");
        assert!(
            notes.contains("added path parameter `workflow_id`"),
            "{notes}"
        );
        assert!(notes.contains("renamed path parameter `memberId` of GET /teams/{team}/members/{member} to `member`"), "{notes}");
    }

    #[test]
    fn a_body_in_several_media_types_is_taken_as_json() {
        let body = |id: &str, content: Value| {
            json!({"post": {"operationId": id, "requestBody": {"required": true, "content": content},
                    "responses": {"200": ok(json!({"type": "integer"}))}}})
        };
        let object = json!({"schema": {"type": "object", "properties": {"a": {"type": "string"}}}});
        let (d, _) = fails_raw_then_generates(
            doc(
                json!({"/form": body("form", json!({
                    "application/x-www-form-urlencoded": object.clone(),
                    "application/json": object.clone()})),
                "/patch": body("patch", json!({
                    "application/merge-patch+json": object.clone(),
                    "application/json-patch+json": object.clone()}))}),
                json!({}),
            ),
            "more media types than expected",
        );
        let kinds = |path: &str| -> Vec<String> {
            d["paths"][path]["post"]["requestBody"]["content"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(kinds("/form"), ["application/json"]);
        // The generator sends JSON bodies as `application/json` only.
        assert_eq!(kinds("/patch"), ["application/json"], "the first JSON one");
        let notes = notes(&d);
        assert!(notes.contains("POST /form takes its body as application/json only (not application/x-www-form-urlencoded)"), "{notes}");
        assert!(notes.contains("POST /patch takes its body as application/json-patch+json only (not application/merge-patch+json), sent as application/json"), "{notes}");
    }

    #[test]
    fn media_type_names_that_make_one_rust_name_stay_strings() {
        let (d, _) = fails_raw_then_generates(
            doc(
                json!({"/x": get("x", json!({"$ref": "#/components/schemas/Format"}))}),
                json!({"Format": {"type": "string", "enum": ["application/vnd.zarr", "application/vnd+zarr", "text/csv"]}}),
            ),
            "Failed to make unique variant names",
        );
        assert_eq!(
            d["components"]["schemas"]["Format"],
            json!({"type": "string"})
        );
        assert!(notes(&d).contains("schema Format: the enum values \"application/vnd.zarr\" and \"application/vnd+zarr\" make the same Rust name"), "{}", notes(&d));
    }

    #[test]
    fn an_untyped_enum_of_strings_and_numbers_is_a_string_or_number() {
        let (d, _) = fails_raw_then_generates(
            doc(
                json!({"/x": get("x", json!({"$ref": "#/components/schemas/Level"}))}),
                json!({"Level": {"enum": ["low", 1, 2.5, null]}, "Any": {"enum": [true, "x"]}}),
            ),
            "multiple implied types for an un-typed enum",
        );
        let schemas = &d["components"]["schemas"];
        assert_eq!(
            schemas["Level"],
            json!({"anyOf": [{"type": "string"}, {"type": "number"}], "nullable": true})
        );
        assert_eq!(schemas["Any"], json!({}));
        let client = token_bowl_chat_codegen::generate(&xtask::render(&d))
            .unwrap()
            .client;
        assert!(client.contains("pub enum Level"), "a string-or-number enum");
    }

    #[test]
    fn a_default_that_does_not_fit_its_schema_goes() {
        // SciPhi-AI/R2R: `"default": {}` on a list.
        let (d, _) = fails_raw_then_generates(
            doc(
                json!({"/x": get("x", json!({"$ref": "#/components/schemas/S"}))}),
                json!({"S": {"type": "object", "properties": {
                    "chunks": {"type": "array", "items": {"type": "string"}, "default": {}},
                    "limit": {"type": "integer", "default": "ten"},
                    "level": {"$ref": "#/components/schemas/Level", "default": "high"},
                    "fine": {"$ref": "#/components/schemas/Level", "default": "low"},
                    "weights": {"type": "object", "additionalProperties": {"type": "integer"}, "default": {"a": 1}}}},
                    "Level": {"type": "string", "enum": ["low", "mid"]}}),
            ),
            "value does not conform to the given schema",
        );
        let props = &d["components"]["schemas"]["S"]["properties"];
        for gone in ["chunks", "limit", "level"] {
            assert!(
                props[gone].get("default").is_none(),
                "{gone}: {}",
                props[gone]
            );
        }
        assert_eq!(props["fine"]["default"], "low", "a default that fits stays");
        assert_eq!(props["weights"]["default"], json!({"a": 1}));
        let notes = notes(&d);
        assert!(
            notes.contains("schema S.chunks: dropped the default {}"),
            "{notes}"
        );
        assert!(
            notes.contains("schema S.level: dropped the default \"high\""),
            "{notes}"
        );
    }

    #[test]
    fn an_empty_info_gets_placeholders() {
        let d = json!({"openapi": "3.0.2", "info": {}, "paths": {"/x": get("x", json!({"type": "integer"}))}});
        let (d, _) = fails_raw_then_generates(d, "missing field `title`");
        assert_eq!(d["info"], json!({"title": "untitled", "version": "0.0.0"}));
        assert!(notes(&d).contains("filled `title` as \"untitled\" and `version` as \"0.0.0\""));
    }
}
