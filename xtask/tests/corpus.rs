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
    // `next/` holds the documents that did not compile when they came.
    let next = std::fs::read_dir(dir.join("next")).into_iter().flatten();
    let mut specs: Vec<_> = entries
        .chain(next)
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

/// Fails when the codegen's attempts rewrite met an argument shape it does
/// not handle in any of `done` (it names the operation, which regen then
/// skips): each `send()` of every document becomes attempts.
fn assert_every_send_is_rewritten(done: &[Regenerated]) {
    let mut unhandled = String::new();
    for r in done {
        for s in skipped(&r.doc) {
            let reason = s["reason"].as_str().unwrap_or_default();
            if reason.contains("cannot rewrite its `send()`") {
                writeln!(
                    unhandled,
                    "{}: {} {}: {reason}",
                    r.name, s["method"], s["path"]
                )
                .unwrap();
            }
        }
        let sends = r.client.matches("pub async fn send(").count();
        let attempts = r.client.matches("crate::send::attempts(").count()
            + r.client.matches("crate::send::once(").count();
        if sends != attempts {
            writeln!(
                unhandled,
                "{}: {sends} send()s, {attempts} rewritten",
                r.name
            )
            .unwrap();
        }
    }
    assert!(
        unhandled.is_empty(),
        "the attempts rewrite does not handle:\n{unhandled}"
    );
}

fn skipped(doc: &Value) -> Vec<&Value> {
    doc.get(xtask::document::SKIPPED)
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
    assert_every_send_is_rewritten(&done);
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
    assert_every_send_is_rewritten(&done);
    let started = Instant::now();
    xtask::regenerate(&largest.1, &largest.0, None).unwrap();
    println!(
        "largest: {} ({} KB) regenerated in {:.1?} (this build's profile)",
        largest.0,
        largest.1.len() / 1024,
        started.elapsed()
    );
}

/// The check above fails on an operation the attempts rewrite cannot
/// handle: a header argument named `header_map`, which the generated code
/// shadows with its own local (the operation is skipped, and named).
#[test]
#[should_panic(expected = "the attempts rewrite does not handle")]
fn the_attempts_check_fails_on_an_argument_the_rewrite_cannot_handle() {
    let doc = serde_json::json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a",
            "parameters": [{"name": "header_map", "in": "header", "required": false,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}},
          "/b": {"get": {"operationId": "b", "responses": {"200": {"description": "ok"}}}}}
    });
    let r = regenerate("header_map", &doc.to_string()).unwrap();
    assert_eq!(operations(&r.doc), 1, "only the operation is skipped");
    assert_every_send_is_rewritten(&[r]);
}

/// The corpus app of values other APIs send (`real_world_values.py`)
/// keeps its own types by default; the Token Bowl rules, asked for, would
/// read its ids as UUIDs and its totals as unsigned (and its answers would
/// no longer decode: the ignored test calls it).
#[test]
fn another_apis_values_keep_their_types_unless_the_token_bowl_rules_are_asked_for() {
    let (_, text) = corpus()
        .into_iter()
        .find(|(name, _)| name == "real_world_values")
        .expect("the corpus has real_world_values");
    let account = |rules| {
        let (doc, _) = xtask::process_with(&text, "real_world_values", rules).unwrap();
        doc["components"]["schemas"]["Account"]["properties"].clone()
    };
    let own = account(None);
    for field in ["user_id", "total", "unread_count", "token", "created_at"] {
        assert!(
            own[field].get("format").is_none(),
            "{field}: {}",
            own[field]
        );
    }
    let token_bowl = account(Some(&xtask::rules::TOKEN_BOWL));
    assert_eq!(token_bowl["user_id"]["format"], "uuid-or-empty");
    assert_eq!(token_bowl["total"]["format"], "uint64");
    assert_eq!(token_bowl["token"]["format"], "password");
    assert_eq!(token_bowl["created_at"]["format"], "date-time");
    // A required nullable id under those rules: one deserializer, not
    // typify's beside the lenient one (which did not compile).
    let (doc, _) =
        xtask::process_with(&text, "real_world_values", Some(&xtask::rules::TOKEN_BOWL)).unwrap();
    let client = token_bowl_chat_codegen::generate(&xtask::render(&doc))
        .unwrap()
        .client;
    let at = client.find("pub owner_id:").expect("an owner_id field");
    let attrs = &client[client[..at].rfind(",\n").unwrap_or(0)..at];
    assert_eq!(attrs.matches("deserialize_with").count(), 1, "{attrs}");
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
fn scratch_workspace(dir: &Path, done: &[Regenerated], served: &[String]) {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let codegen = root
        .join("crates/token-bowl-chat-codegen")
        .canonicalize()
        .unwrap();
    let mut workspace = String::from("[workspace]\nresolver = \"3\"\nmembers = [\n  \"decode\",\n");
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
        let name = crate_name(&r.name);
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
        let mut lib = lib.to_owned();
        if served.contains(&r.name) {
            lib.push_str("\n/// Calls every operation (the corpus test's decode check).\npub mod decode_check;\n");
            std::fs::write(
                crate_dir.join("src/decode_check.rs"),
                calls::module(&r.client, &r.doc),
            )
            .unwrap();
        }
        std::fs::write(crate_dir.join("src/lib.rs"), lib).unwrap();
        // Its other modules, as they are.
        for entry in std::fs::read_dir(root.join("src")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("lib.rs") {
                std::fs::copy(&path, crate_dir.join("src").join(path.file_name().unwrap()))
                    .unwrap();
            }
        }
        std::fs::write(crate_dir.join("openapi.json"), &r.text).unwrap();
    }
    // `decode NAME URL`: the decode check of one served crate.
    let decode = dir.join("decode");
    std::fs::create_dir_all(decode.join("src")).unwrap();
    let mut manifest = String::from(
        "[package]\nname = \"decode\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
         tokio = { workspace = true }\n",
    );
    let mut arms = String::new();
    for name in served {
        let krate = crate_name(name);
        writeln!(manifest, "{krate} = {{ path = \"../{name}\" }}").unwrap();
        writeln!(
            arms,
            "        {name:?} => {}::decode_check::run(&url).await,",
            krate.replace('-', "_")
        )
        .unwrap();
    }
    std::fs::write(decode.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        decode.join("src/main.rs"),
        format!(
            "#![allow(unreachable_code, reason = \"no crate may be served\")]\n\
             #[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n    \
             let mut args = std::env::args().skip(1);\n    \
             let (name, url) = (args.next().unwrap(), args.next().unwrap());\n    \
             let lines: Vec<String> = match name.as_str() {{\n{arms}        other => panic!(\"no crate {{other}}\"),\n    }};\n    \
             for line in lines {{\n        println!(\"{{line}}\");\n    }}\n}}\n"
        ),
    )
    .unwrap();
}

/// The package name of a document's crate: lower case, each run of other
/// characters one `-` (a crate name must be snake case once `-` is `_`).
fn crate_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!("corpus-{}", words.join("-"))
}

/// Regenerates every corpus document in a scratch copy of the API package
/// and builds them all (one workspace, so the dependencies build once), with
/// the `mock` feature, so the generated httpmock helpers compile too.
#[test]
#[ignore = "builds every corpus document as a crate (minutes); .ci/run runs it"]
fn every_corpus_document_compiles_as_the_generated_crate() {
    // `TOKEN_BOWL_CORPUS_ONLY=a,b` builds only the documents named.
    let only = std::env::var("TOKEN_BOWL_CORPUS_ONLY").ok();
    let wanted = |(name, _): &(String, String)| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|o| o == name))
    };
    let mut done = regenerate_each(corpus().into_iter().filter(wanted).collect());
    let served: Vec<String> = done.iter().map(|r| r.name.clone()).collect();
    done.extend(regenerate_each(
        foreign()
            .unwrap_or_default()
            .into_iter()
            .filter(wanted)
            .collect(),
    ));
    let dir = workspace_root().join("target/corpus");
    let _ = std::fs::remove_dir_all(dir.join("workspace"));
    scratch_workspace(&dir.join("workspace"), &done, &served);
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
        // Generated code must build without a warning: a user's own crate
        // shows them (unreachable arms, useless comparisons).
        .env("RUSTFLAGS", "-D warnings")
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
    answers_decode(&dir.join("target/debug/decode"), &served);
}

/// The Python that runs the corpus apps (with FastAPI and uvicorn): from
/// `TOKEN_BOWL_CORPUS_PYTHON` (pydantic v2 apps) and
/// `TOKEN_BOWL_CORPUS_PYTHON_V1` (`apps_v1/`), as `.ci/run` sets them.
fn python(v1: bool) -> Option<PathBuf> {
    let var = if v1 {
        "TOKEN_BOWL_CORPUS_PYTHON_V1"
    } else {
        "TOKEN_BOWL_CORPUS_PYTHON"
    };
    std::env::var_os(var).map(PathBuf::from)
}

/// Runs each corpus app under uvicorn on loopback and calls every operation
/// with its generated client: every answer must decode, a success into its
/// type and an error into the error type.
fn answers_decode(decode: &Path, served: &[String]) {
    if served.is_empty() {
        return;
    }
    if python(false).is_none() || python(true).is_none() {
        assert!(
            std::env::var_os("TOKEN_BOWL_REQUIRE_CORPUS_SERVERS").is_none(),
            "TOKEN_BOWL_CORPUS_PYTHON and TOKEN_BOWL_CORPUS_PYTHON_V1 are unset"
        );
        eprintln!("note: no corpus Python set; the answers are not checked");
        return;
    }
    let mut failures = String::new();
    let mut totals = [0usize; 4];
    for name in served {
        let v1 = corpus_dir()
            .join("apps_v1")
            .join(format!("{name}.py"))
            .exists();
        let apps = corpus_dir().join(if v1 { "apps_v1" } else { "apps" });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Command::new(python(v1).unwrap())
            .args(["-m", "uvicorn", &format!("{name}:app"), "--app-dir"])
            .arg(&apps)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--log-level",
                "warning",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("uvicorn starts");
        let up = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        let output = up.then(|| {
            Command::new(decode)
                .args([name.as_str(), &format!("http://127.0.0.1:{port}")])
                .output()
                .expect("the decode check runs")
        });
        let _ = server.kill();
        let _ = server.wait();
        let Some(output) = output else {
            writeln!(failures, "{name}: the app did not start").unwrap();
            continue;
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            writeln!(
                failures,
                "{name}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .unwrap();
        }
        for line in stdout.lines() {
            println!("{name}: {line}");
            let kind = ["ok", "error", "input", "fail"]
                .iter()
                .position(|k| line.starts_with(&format!("{k} ")))
                .unwrap_or(3);
            totals[kind] += 1;
            if kind == 3 {
                writeln!(failures, "{name}: {line}").unwrap();
            }
        }
    }
    println!(
        "answers: {} decoded, {} error answers decoded, {} not called (no example input), {} failed",
        totals[0], totals[1], totals[2], totals[3]
    );
    assert!(
        failures.is_empty(),
        "answers that do not decode:\n{failures}"
    );
    assert!(
        totals[0] > totals[1] + totals[2],
        "too few successful calls: {totals:?}"
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

    pub(super) fn ok(answer: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": answer}}})
    }

    /// What the generator says of the document after only the 3.1 → 3.0
    /// conversion (which must fail).
    pub(super) fn raw_error(d: &Value) -> String {
        let mut raw = d.clone();
        if let Err(e) = xtask::convert::to_openapi_30(&mut raw) {
            return format!("{e:#}");
        }
        match token_bowl_chat_codegen::generate(&raw.to_string()) {
            Ok(_) => panic!("the fixture does not make the generator fail"),
            Err(e) => e.to_string(),
        }
    }

    /// Asserts the raw document fails to generate with `failure` in the
    /// message, and that the regen pipeline's output generates. Returns the
    /// normalised document.
    pub(super) fn fails_raw_then_generates(d: Value, failure: &str) -> Value {
        let raw_error = raw_error(&d);
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
        let notes = d[xtask::document::NOTES].to_string();
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
        let skipped = d[xtask::document::SKIPPED].to_string();
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
        let notes = d[xtask::document::NOTES].to_string();
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
    fn an_error_status_with_only_an_example_leaves_no_unreachable_arm() {
        // conveyordata/data-product-portal: FastAPI's `responses={404:
        // {"content": {"application/json": {"example": ...}}}}`. Merged into
        // the 4XX body, it kept its example and with it a `404` arm after
        // `400..=499` (an `unreachable pattern` warning per operation).
        let d = doc(
            json!({"/roles/{id}": {"delete": {"operationId": "remove_role",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
                "200": ok(json!({})),
                "404": {"description": "Role not found",
                        "content": {"application/json": {"example": {"detail": "Role not found"}}}},
                "422": ok(json!({"$ref": "#/components/schemas/Problem"}))}}}}),
        );
        let (normalised, _) = xtask::process(&d.to_string(), "fixture").unwrap();
        let responses = &normalised["paths"]["/roles/{id}"]["delete"]["responses"];
        assert!(responses.get("404").is_none(), "{responses}");
        // The answer of any value is tried last, after the typed bodies.
        let errors = &responses["4XX"]["content"]["application/json"]["schema"]["anyOf"];
        assert_eq!(
            errors.as_array().unwrap().last(),
            Some(&json!({})),
            "{errors}"
        );
        let client = token_bowl_chat_codegen::generate(&xtask::render(&normalised))
            .unwrap()
            .client;
        assert!(client.contains("400u16..=499u16 =>"), "the range stays");
        assert!(!client.contains("404u16 =>"), "no arm the range covers");
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
            normalised[xtask::document::NOTES]
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

    use super::fixtures::{fails_raw_then_generates, ok, raw_error};

    fn doc(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
               "components": {"schemas": schemas}})
    }

    fn get(id: &str, answer: Value) -> Value {
        json!({"get": {"operationId": id, "responses": {"200": ok(answer)}}})
    }

    fn notes(d: &Value) -> String {
        let lines = d[xtask::document::NOTES]
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
        let d = fails_raw_then_generates(
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
        let d = fails_raw_then_generates(
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
    fn a_form_without_json_is_sent_as_a_form() {
        // zylon-ai/private-gpt: a form offered as form and as multipart,
        // with no file among its fields; a login form with an `encoding`.
        let form = json!({"schema": {"$ref": "#/components/schemas/Skill"}});
        let d = fails_raw_then_generates(
            doc(
                json!({
                    "/skills": {"post": {"operationId": "create_skill",
                        "requestBody": {"required": true, "content": {
                            "application/x-www-form-urlencoded": form.clone(),
                            "multipart/form-data": {"examples": {}}}},
                        "responses": {"200": ok(json!({"type": "integer"}))}}},
                    "/token": {"post": {"operationId": "login",
                        "requestBody": {"required": true, "content": {
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Login"},
                                "encoding": {"scope": {"style": "form"}}}}},
                        "responses": {"200": ok(json!({"type": "string"}))}}}
                }),
                json!({
                    "Skill": {"type": "object", "required": ["title"], "properties": {
                        "title": {"type": "string", "minLength": 1},
                        "loading": {"type": "string", "enum": ["eager", "lazy"], "default": "lazy"},
                        "readonly": {"type": "boolean", "default": false}}},
                    "Login": {"type": "object", "required": ["username", "password"], "properties": {
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                        "scope": {"type": "string", "default": ""},
                        "client_id": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
                }),
            ),
            "more media types than expected",
        );
        for path in ["/skills", "/token"] {
            let content = &d["paths"][path]["post"]["requestBody"]["content"];
            assert_eq!(
                content.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["application/x-www-form-urlencoded"],
                "{path}"
            );
            assert!(
                content[xtask::document::FORM_MEDIA]
                    .get("encoding")
                    .is_none()
            );
        }
        let notes = notes(&d);
        assert!(notes.contains("POST /skills takes its body as application/x-www-form-urlencoded only (not multipart/form-data)"), "{notes}");
        assert!(
            notes.contains("POST /token takes its body without its `encoding`"),
            "{notes}"
        );
        let client = token_bowl_chat_codegen::generate(&xtask::render(&d))
            .unwrap()
            .client;
        assert_eq!(
            client.matches(".form_urlencoded(&body)").count(),
            2,
            "both are sent as forms"
        );
    }

    #[test]
    fn media_type_names_that_make_one_rust_name_stay_strings() {
        let d = fails_raw_then_generates(
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
        let d = fails_raw_then_generates(
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
        let d = fails_raw_then_generates(
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
    fn an_operation_the_generator_fails_on_is_skipped_not_the_document() {
        // No repair covers an object in a header: progenitor panics on it.
        let d = doc(
            json!({"/ok": get("ok", json!({"type": "integer"})),
                   "/x": {"get": {"operationId": "x", "parameters": [{"name": "h", "in": "header", "required": true,
                        "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}],
                        "responses": {"200": ok(json!({"type": "integer"}))}}}}),
            json!({}),
        );
        assert!(
            raw_error(&d).contains("operation `x` (GET /x)"),
            "{}",
            raw_error(&d)
        );
        let r = xtask::regenerate(&d.to_string(), "fixture", None).unwrap();
        assert!(r.doc["paths"].get("/x").is_none() && r.doc["paths"].get("/ok").is_some());
        let skipped = r.doc[xtask::document::SKIPPED].to_string();
        assert!(
            skipped.contains("the generator fails on it: progenitor panicked"),
            "{skipped}"
        );
        assert!(
            r.warnings
                .iter()
                .any(|w| w.starts_with("skipped GET /x: the generator fails on it")),
            "{:?}",
            r.warnings
        );
        assert!(r.generated.client.contains("pub fn ok("));
        // The written document regenerates as it is.
        let again = xtask::regenerate(&r.text, "fixture", None).unwrap();
        assert_eq!(again.doc, r.doc);
    }

    #[test]
    fn a_schema_the_generator_fails_on_loses_its_defaults_then_its_type() {
        // Neither is repaired: an `int8` default out of range, and an
        // integer enum of a fraction. The generator names each schema.
        let d = doc(
            json!({"/a": get("a", json!({"$ref": "#/components/schemas/Sized"})),
                   "/b": get("b", json!({"$ref": "#/components/schemas/Odd"})),
                   "/c": get("c", json!({"$ref": "#/components/schemas/Fine"}))}),
            json!({"Sized": {"type": "object", "properties": {"a": {"type": "integer", "format": "int8", "default": 1000}}},
                   "Odd": {"type": "integer", "enum": [1.5]},
                   "Fine": {"type": "string"}}),
        );
        let raw = raw_error(&d);
        assert!(
            raw.contains("schema `Sized`") && raw.contains("schema `Odd`"),
            "{raw}"
        );
        assert!(!raw.contains("schema `Fine`"), "{raw}");
        let r = xtask::regenerate(&d.to_string(), "fixture", None).unwrap();
        let schemas = &r.doc["components"]["schemas"];
        assert_eq!(
            schemas["Sized"]["properties"]["a"],
            json!({"type": "integer", "format": "int8"}),
            "the type stays, the default goes"
        );
        assert_eq!(schemas["Odd"], json!({}), "any JSON value");
        assert_eq!(schemas["Fine"], json!({"type": "string"}));
        for id in ["a", "b", "c"] {
            assert!(
                r.generated.client.contains(&format!("pub fn {id}(")),
                "{id}"
            );
        }
        let notes = notes(&r.doc);
        assert!(
            notes.contains("schema Sized: dropped its defaults, which the generator fails on"),
            "{notes}"
        );
        assert!(
            notes.contains("schema Odd is any JSON value: the generator fails on it"),
            "{notes}"
        );
        assert_eq!(
            r.warnings
                .iter()
                .filter(|w| w.starts_with("schema "))
                .count(),
            2,
            "{:?}",
            r.warnings
        );
        let again = xtask::regenerate(&r.text, "fixture", None).unwrap();
        assert_eq!(again.doc, r.doc);
    }

    #[test]
    fn an_empty_info_gets_placeholders() {
        let d = json!({"openapi": "3.0.2", "info": {}, "paths": {"/x": get("x", json!({"type": "integer"}))}});
        let d = fails_raw_then_generates(d, "missing field `title`");
        assert_eq!(d["info"], json!({"title": "untitled", "version": "0.0.0"}));
        assert!(notes(&d).contains("filled `title` as \"untitled\" and `version` as \"0.0.0\""));
    }
}

/// A client program that calls every operation of a generated crate and
/// says, per operation, whether the answer decoded. The calls are read
/// from the generated code (the builder of each operation: its required
/// fields and their types); each input is an example made from the
/// document's schema.
mod calls {
    use std::fmt::Write as _;

    use quote::ToTokens;
    use serde_json::{Value, json};

    /// One operation's builder as the generated code declares it.
    struct Builder {
        /// The `Client` method that starts it.
        method: String,
        /// `GET`, `/path`.
        verb: String,
        path: String,
        /// Required fields (and the body), with their Rust types.
        inputs: Vec<(String, String)>,
    }

    use xtask::generator::names::loose;

    fn builders(client: &str) -> Vec<Builder> {
        let file: syn::File = syn::parse_str(client).expect("the generated client parses");
        let mut starts = std::collections::BTreeMap::new();
        let mut found = Vec::new();
        for item in &file.items {
            match item {
                syn::Item::Impl(imp) if imp.self_ty.to_token_stream().to_string() == "Client" => {
                    for f in imp.items.iter().filter_map(|i| match i {
                        syn::ImplItem::Fn(f) => Some(f),
                        _ => None,
                    }) {
                        if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                            let ty = ty.to_token_stream().to_string();
                            if let Some(name) = ty.strip_prefix("builder :: ") {
                                let name = name.split(' ').next().unwrap().to_owned();
                                starts.insert(name, f.sig.ident.to_string());
                            }
                        }
                    }
                }
                syn::Item::Mod(m) if m.ident == "builder" => {
                    for item in m.content.iter().flat_map(|(_, items)| items) {
                        if let syn::Item::Impl(imp) = item
                            && imp.trait_.is_none()
                        {
                            found.extend(builder(imp));
                        }
                    }
                }
                _ => {}
            }
        }
        found
            .into_iter()
            .filter_map(|(name, mut b)| {
                b.method = starts.get(&name)?.clone();
                Some(b)
            })
            .collect()
    }

    fn builder(imp: &syn::ItemImpl) -> Option<(String, Builder)> {
        let syn::Type::Path(ty) = &*imp.self_ty else {
            return None;
        };
        let name = ty.path.segments.last()?.ident.to_string();
        let fns: Vec<&syn::ImplItemFn> = imp
            .items
            .iter()
            .filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(f),
                _ => None,
            })
            .collect();
        let new = fns.iter().find(|f| f.sig.ident == "new")?;
        let new_body = new.block.to_token_stream().to_string();
        let send = fns.iter().find(|f| f.sig.ident == "send")?;
        let doc = send
            .attrs
            .iter()
            .find(|a| a.path().is_ident("doc"))?
            .to_token_stream()
            .to_string();
        // `Sends a `GET` request to `/path``
        let mut ticks = doc.split('`').skip(1).step_by(2);
        let (verb, path) = (ticks.next()?.to_owned(), ticks.next()?.to_owned());
        let mut inputs = Vec::new();
        for f in &fns {
            let field = f.sig.ident.to_string();
            let required = new_body.contains(&format!("{field} : Err ("));
            if !(required || field == "body") {
                continue;
            }
            let Some(clause) = &f.sig.generics.where_clause else {
                continue;
            };
            let Some(syn::WherePredicate::Type(bound)) = clause.predicates.first() else {
                continue;
            };
            let bound = bound.bounds.to_token_stream().to_string();
            let Some(ty) = bound
                .strip_prefix("std :: convert :: TryInto < ")
                .and_then(|t| t.strip_suffix(" >"))
            else {
                continue;
            };
            inputs.push((field, ty.to_owned()));
        }
        Some((
            name,
            Builder {
                method: String::new(),
                verb,
                path,
                inputs,
            },
        ))
    }

    /// An example instance of `schema`: what the document suggests
    /// (`example`, `default`, an enum's first value), else the smallest
    /// value its constraints allow.
    pub fn example(schema: &Value, doc: &Value, depth: usize) -> Value {
        let Some(map) = schema.as_object() else {
            return json!("x");
        };
        if depth > 8 {
            return Value::Null;
        }
        if let Some(target) = map.get("$ref").and_then(Value::as_str) {
            let name = target.trim_start_matches("#/components/schemas/");
            return example(&doc["components"]["schemas"][name], doc, depth + 1);
        }
        for key in ["example", "default"] {
            if let Some(value) = map.get(key) {
                return value.clone();
            }
        }
        if let Some(first) = map
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|v| v.iter().find(|v| !v.is_null()))
        {
            return first.clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(first) = map
                .get(key)
                .and_then(Value::as_array)
                .and_then(|v| v.first())
            {
                return example(first, doc, depth + 1);
            }
        }
        if let Some(all) = map.get("allOf").and_then(Value::as_array) {
            let mut merged = serde_json::Map::new();
            for part in all {
                match example(part, doc, depth + 1) {
                    Value::Object(fields) => merged.extend(fields),
                    other if all.len() == 1 => return other,
                    _ => {}
                }
            }
            return Value::Object(merged);
        }
        match map.get("type").and_then(Value::as_str) {
            Some("string") => match map.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2024-05-06T07:08:09Z"),
                Some("date") => json!("2024-05-06"),
                Some("uuid") => json!("6f1c1a4e-2b3d-4c5e-8f70-9a1b2c3d4e5f"),
                Some("email") => json!("someone@example.com"),
                Some("uri") => json!("https://example.com/"),
                // A pattern of one literal (`^password$`, FastAPI's
                // `Form(pattern=...)` for a fixed grant type): that text.
                _ if let Some(literal) = map
                    .get("pattern")
                    .and_then(Value::as_str)
                    .and_then(|p| p.strip_prefix('^')?.strip_suffix('$'))
                    .filter(|p| {
                        p.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    }) =>
                {
                    json!(literal)
                }
                _ => {
                    let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(1);
                    json!("a".repeat(min.max(1) as usize))
                }
            },
            Some("integer") => json!(
                map.get("minimum")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
                    .max(1)
            ),
            Some("number") => json!(map.get("minimum").and_then(Value::as_f64).unwrap_or(1.5)),
            Some("boolean") => json!(true),
            Some("array") => {
                let n = map
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
                    .max(1);
                let item = example(map.get("items").unwrap_or(&json!({})), doc, depth + 1);
                Value::Array(vec![item; n as usize])
            }
            Some("object") | None if map.contains_key("properties") => {
                let props = map["properties"].as_object().cloned().unwrap_or_default();
                let required: Vec<&str> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                props
                    .iter()
                    .filter(|(name, _)| required.contains(&name.as_str()))
                    .map(|(name, s)| (name.clone(), example(s, doc, depth + 1)))
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            }
            Some("object") => json!({}),
            _ => json!("x"),
        }
    }

    /// The operation of the document at `verb path`.
    fn operation<'a>(doc: &'a Value, verb: &str, path: &str) -> Option<&'a Value> {
        doc["paths"].get(path)?.get(verb.to_lowercase())
    }

    /// The schema of a builder input: the body, or the parameter of that
    /// name.
    fn input_schema<'a>(op: &'a Value, field: &str) -> Option<&'a Value> {
        if field == "body" {
            let content = op.pointer("/requestBody/content")?.as_object()?;
            return content.values().next()?.get("schema");
        }
        op.get("parameters")?
            .as_array()?
            .iter()
            .find(|p| p["name"].as_str().is_some_and(|n| loose(n) == loose(field)))?
            .get("schema")
    }

    /// Source of a module `decode_check` with `pub async fn run(base)`:
    /// one line per operation, `ok`, `error` (an error answer that
    /// decoded), `input` (no example fits the generated type: not
    /// called) or `fail`, then the operation and what happened.
    pub fn module(client: &str, doc: &Value) -> String {
        let mut code = String::from(
            "#![allow(unused_imports, unused_mut, unused_labels, clippy::all)]\n\
             use crate::types;\n\n\
             pub async fn run(base: &str) -> ::std::vec::Vec<::std::string::String> {\n\
             let key = crate::ApiKey::new(\"corpus-test-key\").expect(\"a valid key\");\n\
             let client = crate::Client::with_api_key(base, key);\n\
             let mut out = ::std::vec::Vec::new();\n",
        );
        for b in builders(client) {
            let name = format!("{} {}", b.verb, b.path);
            let op = operation(doc, &b.verb, &b.path);
            writeln!(
                code,
                "'op: {{\n let name = {name:?};\n let b = client.{}();",
                b.method
            )
            .unwrap();
            for (field, ty) in &b.inputs {
                let schema = op
                    .and_then(|op| input_schema(op, field))
                    .cloned()
                    .unwrap_or(json!({}));
                let value = example(&schema, doc, 0).to_string();
                writeln!(
                    code,
                    " let b = match ::serde_json::from_str::<{ty}>({value:?}) {{\n  Ok(v) => b.{field}(v),\n  Err(e) => {{ out.push(format!(\"input {{name}}: {field}: {{e}}\")); break 'op; }}\n }};"
                )
                .unwrap();
            }
            code.push_str(
                " out.push(match b.send().await {\n  \
                 Ok(v) => format!(\"ok {name}: {}\", v.status()),\n  \
                 Err(crate::Error::ErrorResponse(v)) => format!(\"error {name}: {}\", v.status()),\n  \
                 Err(e) => format!(\"fail {name}: {e}\"),\n });\n}\n",
            );
        }
        code.push_str("out\n}\n");
        code
    }
}
