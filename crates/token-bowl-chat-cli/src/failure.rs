//! Why a command failed, and the exit status each failure gives.

use std::io;

use token_bowl_chat::Error;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    Api(Error),
    Io(io::Error),
    /// A bad argument: exit status 2.
    Usage(String),
    /// Any other failure, said in one line: exit status 1.
    Failed(String),
    /// The command did not finish within --timeout.
    TimedOut(std::time::Duration),
    /// A live command could not make its first connection.
    Unreachable(String),
    /// Stopped by Ctrl-C: exit status 130, nothing printed.
    Interrupted,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            // Checked before any I/O: a usage error, like clap's.
            Error::InvalidArgument { field, reason } => {
                Self::Usage(format!("invalid {}: {reason}", argument_name(field)))
            }
            other => Self::Api(other),
        }
    }
}

/// The command-line name of an SDK field.
fn argument_name(field: &str) -> String {
    match field {
        "content" => "message text".into(),
        "to_username" => "--to".into(),
        "webhook_url" => "--webhook".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}
