//! `cargo xtask`: maintainer tasks.
//!
//! ```text
//! cargo xtask regen [--from FILE|URL] [--rules NAME] [--check]
//! cargo xtask diff [--rules NAME] OLD NEW
//! cargo xtask grow-spec IN OUT
//! ```

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::Instant,
};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use xtask::{load, process_with, regenerate, rules::Rules, surface::Surface};

const USAGE: &str = "\
usage:
  cargo xtask regen [--from FILE|URL] [--rules NAME] [--check]
      Load the server's spec (default: the committed openapi.json), convert it
      to OpenAPI 3.0.3, normalise it, write openapi.json and refresh the insta
      snapshots. --check changes nothing and fails when anything is stale.
  cargo xtask diff [--rules NAME] OLD NEW
      Print the API-surface difference between two specs (files or URLs).
  cargo xtask grow-spec IN OUT
      Write to OUT a newer server's variant of the Token Bowl spec IN (the
      server's own or openapi.json): a new role and message type, a new
      optional message field, a new operation. .ci/run regenerates from it
      in a scratch copy and runs the tests there.

  --rules NAME  what the normaliser assumes about the server beyond its
      document (xtask/src/rules.rs): `token-bowl` or `none`. By default a
      document titled \"Token Bowl Chat Server\" gets `token-bowl` and any
      other `none`, which keeps the document's own types.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let mut args = args.into_iter();
    let task = args.next();
    let mut from = None;
    let mut check = false;
    let mut rules = None;
    let mut specs = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--from" => from = Some(args.next().context("--from needs a FILE or URL")?),
            "--check" => check = true,
            "--rules" => {
                let name = args.next().context("--rules needs a NAME")?;
                let names: Vec<&str> = xtask::rules::ALL.iter().map(|r| r.name).collect();
                rules = Some(Rules::named(&name).with_context(|| {
                    format!("unknown rules `{name}`: known are {}", names.join(", "))
                })?);
            }
            other if other.starts_with("--") => bail!("unknown argument `{other}`\n{USAGE}"),
            _ => specs.push(arg),
        }
    }
    match task.as_deref() {
        Some("regen") => {
            if let Some(extra) = specs.first() {
                bail!("unknown argument `{extra}`\n{USAGE}");
            }
            regen(from.as_deref(), rules, check)
        }
        Some("diff") => {
            let [old, new] = <[String; 2]>::try_from(specs)
                .map_err(|_| anyhow::anyhow!("diff takes two specs\n{USAGE}"))?;
            let old = Surface::of(&processed(&old, rules)?);
            let new = Surface::of(&processed(&new, rules)?);
            print_changes(&xtask::surface::diff(&old, &new));
            Ok(())
        }
        Some("grow-spec") => {
            let [input, output] = <[String; 2]>::try_from(specs)
                .map_err(|_| anyhow::anyhow!("grow-spec takes IN and OUT\n{USAGE}"))?;
            grow_spec(&input, &output)
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n{USAGE}"),
        None => bail!("no task given\n{USAGE}"),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn processed(source: &str, rules: Option<&Rules>) -> Result<Value> {
    let (doc, warnings) = process_with(&load(source)?, source, rules)?;
    report(source, rules, &doc, &warnings);
    Ok(doc)
}

fn report(source: &str, rules: Option<&Rules>, doc: &Value, warnings: &[String]) {
    match rules {
        Some(rules) => eprintln!("{source}: the `{}` rules (--rules)", rules.name),
        None => eprintln!(
            "{source}: the `{}` rules (by its title; --rules chooses others)",
            Rules::for_document(doc).name
        ),
    }
    for warning in warnings {
        eprintln!("warning: {source}: {warning}");
    }
}

fn grow_spec(input: &str, output: &str) -> Result<()> {
    let mut doc: Value = serde_json::from_str(&load(input)?)
        .with_context(|| format!("{input} is not valid JSON"))?;
    let added = xtask::grow::grow(&mut doc).with_context(|| format!("cannot grow {input}"))?;
    std::fs::write(output, xtask::render(&doc))
        .with_context(|| format!("cannot write {output}"))?;
    for line in added {
        eprintln!("{output}: added {line}");
    }
    Ok(())
}

fn print_changes(lines: &[String]) {
    if lines.is_empty() {
        println!("API surface: no change");
    }
    for line in lines {
        println!("{line}");
    }
}

fn regen(from: Option<&str>, rules: Option<&Rules>, check: bool) -> Result<()> {
    let started = Instant::now();
    let target = root().join("openapi.json");
    let committed = std::fs::read_to_string(&target).unwrap_or_default();
    let source = from.map_or_else(|| target.display().to_string(), str::to_owned);
    // Generate first: what the generator fails on is left out (and
    // reported) part by part; a document it cannot read at all stops here,
    // before anything is written and before any snapshot is compared.
    let generating = Instant::now();
    let regenerated = regenerate(&load(&source)?, &source, rules)?;
    report(&source, rules, &regenerated.doc, &regenerated.warnings);
    eprintln!(
        "{source}: normalised and generated in {:.1?}",
        generating.elapsed()
    );
    let (doc, text) = (regenerated.doc, regenerated.text);

    let before: Value = serde_json::from_str(&committed).unwrap_or(Value::Null);
    print_changes(&xtask::surface::diff(
        &Surface::of(&before),
        &Surface::of(&doc),
    ));

    let mut again = match from {
        Some(from) => format!("cargo xtask regen --from {from}"),
        None => "cargo xtask regen".to_owned(),
    };
    if let Some(rules) = rules {
        again.push_str(&format!(" --rules {}", rules.name));
    }
    if check {
        if text != committed {
            bail!("openapi.json is out of date: run `{again}`");
        }
        run_snapshots(false).map_err(|e| anyhow::anyhow!("{e}: run `{again}`"))?;
        println!(
            "openapi.json and snapshots are up to date ({:.1?})",
            started.elapsed()
        );
        return Ok(());
    }
    if text != committed {
        std::fs::write(&target, &text)
            .with_context(|| format!("cannot write {}", target.display()))?;
        println!("wrote {}", target.display());
    }
    run_snapshots(true)?;
    println!("regenerated in {:.1?}", started.elapsed());
    Ok(())
}

/// Runs the snapshot tests: accepting new snapshots, or failing on a stale one.
fn run_snapshots(accept: bool) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root())
        .args([
            "test",
            "--quiet",
            "--package",
            "xtask",
            "--test",
            "snapshots",
        ])
        .env("INSTA_UPDATE", if accept { "always" } else { "no" });
    if accept {
        command.env("INSTA_FORCE_PASS", "1");
    }
    let status = command.status().context("cannot run cargo test")?;
    if !status.success() {
        bail!("the API-surface or generated-code snapshot is stale");
    }
    Ok(())
}
