//! `completions`: a shell completion script, made without a server.

use clap::Args;

use crate::output;

#[derive(Debug, Args)]
pub struct Completions {
    /// The shell
    shell: clap_complete::Shell,
}

/// Writes the completion script of `command` (the whole command tree) for
/// the chosen shell to stdout.
pub fn print(args: &Completions, mut command: clap::Command) -> std::io::Result<()> {
    let shell = args.shell;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "token-bowl", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete names the branches of a hyphenated binary
        // `token__subcmd__bowl__...` but looks them up as
        // `token__bowl__...`, so only the first word completed.
        script = script.replace("token__subcmd__bowl", "token__bowl");
    }
    output::write_stdout(&script)
}
