//! `token-bowl`: the Token Bowl Chat command-line client.

#![forbid(unsafe_code)]

#[cfg(feature = "agent")]
mod agent;
#[cfg(feature = "chat")]
mod chat;
mod cli;
mod commands;
mod failure;
#[cfg(feature = "mcp")]
mod mcp;
#[cfg(test)]
mod operations;
mod output;
mod parse;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use token_bowl_chat::{Client, Error, RetryPolicy};

use crate::{
    cli::Cli,
    commands::{Command, completions},
    failure::Failure,
    output::Out,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.global.verbose > 0 {
        log_to_stderr(cli.global.verbose);
    }
    if let Command::Completions(args) = &cli.command {
        return match completions::print(args, Cli::command()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("cannot write the completion script: {e}")),
        };
    }
    let out = Out::new(cli.global.format, cli.global.utc);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    let client = match build_client(&cli) {
        Ok(client) => client,
        Err(e) => return fail(&explain(&e, &cli.global.base_url())),
    };
    let timeout = cli.global.timeout;
    let result = runtime.block_on(run(cli.command, &client, &out, timeout));
    let Some(result) = result else {
        // The spinner was dropped with the command, its line erased.
        eprintln!("interrupted");
        return ExitCode::from(130);
    };
    exit_status(result, &cli.global.base_url(), cli.global.verbose)
}

fn log_to_stderr(verbose: u8) {
    let level = if verbose > 1 { "trace" } else { "debug" };
    tracing_subscriber::fmt()
        .with_env_filter(format!("token_bowl_chat={level}"))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Runs `command`; `None` when Ctrl-C stopped it.
///
/// `live` commands handle Ctrl-C themselves (to close cleanly) and run
/// until stopped; any other command stops at once on Ctrl-C, its spinner
/// cleared as the future is dropped, and ends within --timeout, retries
/// included.
async fn run(
    command: Command,
    client: &Client,
    out: &Out,
    timeout: std::time::Duration,
) -> Option<commands::Result> {
    if command.runs_until_stopped() {
        return Some(commands::run(command, client, out).await);
    }
    tokio::select! {
        result = tokio::time::timeout(timeout, commands::run(command, client, out)) => {
            Some(result.unwrap_or_else(|_| Err(Failure::TimedOut(timeout))))
        }
        _ = tokio::signal::ctrl_c() => None,
    }
}

/// What a command's result prints on stderr, and the exit status it gives.
fn exit_status(result: commands::Result, base_url: &str, verbose: u8) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Api(e)) => {
            let code = fail(&explain(&e, base_url));
            if verbose > 0 {
                let mut cause = std::error::Error::source(&e);
                while let Some(inner) = cause {
                    eprintln!("  caused by: {inner}");
                    cause = inner.source();
                }
            }
            code
        }
        Err(Failure::Io(e)) => fail(&format!("cannot write the output: {e}")),
        Err(Failure::Failed(message) | Failure::Unreachable(message)) => fail(&message),
        Err(Failure::Interrupted) => ExitCode::from(130),
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::TimedOut(after)) => fail(&format!(
            "no answer within {} s (--timeout bounds the whole command, retries included)",
            after.as_secs_f64()
        )),
    }
}

fn build_client(cli: &Cli) -> Result<Client, Error> {
    let mut builder = Client::builder()
        .use_env(false)
        .base_url(cli.global.base_url())
        .timeout(cli.global.timeout)
        .user_agent(concat!("token-bowl-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(key) = cli.global.api_key() {
        builder = builder.api_key(key);
    }
    // A command line fails fast: one retry after a short wait.
    builder = builder.retry(
        RetryPolicy::default()
            .max_retries(1)
            .initial_backoff(std::time::Duration::from_millis(100)),
    );
    builder.build()
}

/// One line: what went wrong, and what to do about it.
fn explain(error: &Error, base_url: &str) -> String {
    match error {
        Error::MissingApiKey { .. } => "no API key: pass --api-key or set TOKEN_BOWL_CHAT_API_KEY \
             (`token-bowl register NAME` makes one)"
            .into(),
        Error::Authentication(_) => {
            format!("{error} (check --api-key or TOKEN_BOWL_CHAT_API_KEY)")
        }
        Error::Connect { .. } | Error::Timeout { .. } => {
            format!(
                "{error} (is the server at {base_url} up? set --base-url or TOKEN_BOWL_CHAT_BASE_URL)"
            )
        }
        Error::Conflict(_) => format!("{error} (choose another name)"),
        Error::PermissionDenied(_) => format!("{error} (your role may not do this)"),
        _ => error.to_string(),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// The whole command tree with its help texts: the review view of a
    /// CLI change. The snapshot is of the default features' tree.
    #[test]
    #[cfg(all(feature = "agent", feature = "chat", feature = "mcp"))]
    fn command_tree() {
        fn walk(command: &mut clap::Command, path: &str, out: &mut String) {
            let help = command.render_long_help().to_string();
            out.push_str(&format!("=== {path}\n{help}\n"));
            let names: Vec<String> = command
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .filter(|n| n != "help")
                .collect();
            for name in names {
                let sub = command.find_subcommand_mut(&name).expect("listed");
                walk(sub, &format!("{path} {name}"), out);
            }
        }
        let mut command = Cli::command().term_width(100);
        command.build();
        let mut text = String::new();
        walk(&mut command, "token-bowl", &mut text);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }
}
