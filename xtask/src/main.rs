//! `cargo xtask`: maintainer tasks.
//!
//! ```text
//! cargo xtask regen [--from FILE|URL] [--rules NAME] [--check]
//! cargo xtask diff [--rules NAME] OLD NEW
//! cargo xtask grow-spec IN OUT
//! cargo xtask semver-variants DIR
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
      Both end with `semver: patch|minor|major`, the version the change
      needs, after the reasons for a major.
  cargo xtask diff [--rules NAME] OLD NEW
      Print the API-surface difference between two specs (files or URLs),
      then the semver verdict as regen does.
  cargo xtask grow-spec IN OUT
      Write to OUT a newer server's variant of the Token Bowl spec IN (the
      server's own or openapi.json): a new role and message type, a new
      optional message field, a new operation. .ci/run regenerates from it
      in a scratch copy and runs the tests there.
  cargo xtask semver-variants DIR
      Write patch.json, minor.json and major.json to DIR: the committed
      openapi.json, a variant that only adds and one that breaks (GET /logos
      removed, `logo` of UserRegistration required). .ci/semver builds each
      and checks the verdict with cargo-semver-checks.

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
            let (old, new) = (processed(&old, rules)?, processed(&new, rules)?);
            print_changes(&xtask::surface::diff(
                &Surface::of(&old),
                &Surface::of(&new),
            ));
            print_lines(&xtask::semver::verdict(&old, &new).lines());
            Ok(())
        }
        Some("semver-variants") => {
            let [dir] = <[String; 1]>::try_from(specs)
                .map_err(|_| anyhow::anyhow!("semver-variants takes DIR\n{USAGE}"))?;
            semver_variants(Path::new(&dir))
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
    // The version the change needs: printed last, whatever follows.
    let verdict = xtask::semver::verdict(&before, &doc).lines();

    let mut again = match from {
        Some(from) => format!("cargo xtask regen --from {from}"),
        None => "cargo xtask regen".to_owned(),
    };
    if let Some(rules) = rules {
        again.push_str(&format!(" --rules {}", rules.name));
    }
    if check {
        let stale = up_to_date(&text, &committed, &again, started);
        print_lines(&verdict);
        return stale;
    }
    if text != committed {
        std::fs::write(&target, &text)
            .with_context(|| format!("cannot write {}", target.display()))?;
        println!("wrote {}", target.display());
    }
    run_snapshots(true)?;
    println!("regenerated in {:.1?}", started.elapsed());
    print_lines(&verdict);
    Ok(())
}

/// `--check`: fails when `openapi.json` (`committed`, against the
/// regenerated `text`) or a snapshot is stale, naming the command to run.
fn up_to_date(text: &str, committed: &str, again: &str, started: Instant) -> Result<()> {
    if text != committed {
        bail!("openapi.json is out of date: run `{again}`");
    }
    run_snapshots(false).map_err(|e| anyhow::anyhow!("{e}: run `{again}`"))?;
    println!(
        "openapi.json and snapshots are up to date ({:.1?})",
        started.elapsed()
    );
    Ok(())
}

/// Writes the three variants of the committed `openapi.json` that the
/// semver check compares (`.ci/semver`): `patch.json`, `minor.json` and
/// `major.json`, each with the verdict it must get.
fn semver_variants(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(root().join("openapi.json"))
        .context("cannot read the committed openapi.json")?;
    let doc: Value = serde_json::from_str(&text).context("openapi.json is not valid JSON")?;
    std::fs::create_dir_all(dir)?;
    for (level, variant) in xtask::semver::variants(&doc)? {
        let path = dir.join(format!("{level}.json"));
        std::fs::write(&path, xtask::render(&variant))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}: semver {level}", path.display());
    }
    Ok(())
}

fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
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
