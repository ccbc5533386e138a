//! Exit codes and the one error type the command reports on stderr.

use std::fmt;

/// The documented exit codes (also in `iconik --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The call succeeded.
    Ok = 0,
    /// iconik answered with an error status (4xx/5xx other than 404).
    Api = 1,
    /// The command line was wrong: unknown command, missing argument, bad
    /// `k=v` pair, a body that is not JSON, a bad path parameter.
    Usage = 2,
    /// The request could not be completed: connection failure or timeout.
    Transport = 3,
    /// The configuration is unusable: no credentials, a bad base URL, an
    /// unreadable config file, an unknown profile, the emulator not starting.
    Config = 4,
    /// iconik answered 2xx but the body could not be used (not JSON, too large).
    Response = 5,
    /// Writing the output failed (other than a closed pipe).
    Io = 6,
    /// iconik answered 404: what was asked for does not exist (or the
    /// credentials may not see it).
    NotFound = 7,
}

/// The exit-code table as shown in `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  iconik answered with an error (HTTP 4xx/5xx but 404); its message is on stderr
  2  usage error (unknown command, missing or malformed argument or body)
  3  transport failure or timeout, --timeout included (nothing usable came back)
  4  configuration error (credentials, base URL, config file, profile)
  5  the answer was not usable (not JSON, over the size cap)
  6  writing the output failed
  7  not found: iconik answered 404 (the asset, file, ... does not exist)";

/// A failure: what to print on stderr and which code to exit with.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// The message (one or more lines, without the `iconik: ` prefix).
    pub message: String,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// A configuration error (exit 4).
    pub fn config(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Config,
            message: message.into(),
        }
    }

    /// An output error (exit 6).
    pub fn io(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Io,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<iconik_sync::Error> for Failure {
    fn from(e: iconik_sync::Error) -> Failure {
        use iconik_sync::Error as E;
        let exit = match &e {
            E::Api(api) if api.status == 404 => Exit::NotFound,
            E::Api(_) => Exit::Api,
            E::InvalidArgument(_) => Exit::Usage,
            E::Config(_) => Exit::Config,
            E::Transport { .. } | E::Timeout { .. } => Exit::Transport,
            E::Decode(_) | E::BodyTooLarge { .. } => Exit::Response,
            E::Io { .. } => Exit::Io,
            _ => Exit::Api,
        };
        Failure {
            exit,
            message: describe(&e),
        }
    }
}

/// The error's message, then iconik's body excerpt when it said nothing
/// parseable, then the chain of causes.
fn describe(e: &iconik_sync::Error) -> String {
    let mut out = e.to_string();
    if let iconik_sync::Error::Api(api) = e {
        if api.errors.is_empty() && api.field_errors.is_empty() && !api.body_excerpt.is_empty() {
            out.push_str("\n  body: ");
            out.push_str(api.body_excerpt.trim());
        }
        if let Some(wait) = api.retry_after {
            out.push_str(&format!("\n  retry after: {} s", wait.as_secs()));
        }
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        out.push_str("\n  caused by: ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_map_to_documented_codes() {
        let code = |e: iconik_sync::Error| Failure::from(e).exit as u8;
        assert_eq!(code(iconik_sync::Error::InvalidArgument("x".into())), 2);
        assert_eq!(code(iconik_sync::Error::Config("x".into())), 4);
        assert_eq!(
            code(iconik_sync::Error::Timeout {
                operation: "get_asset".into(),
                stage: "connect",
                may_have_reached_server: false,
                attempts: 1,
            }),
            3
        );
        assert_eq!(
            code(iconik_sync::Error::BodyTooLarge {
                operation: "get_asset".into(),
                limit: 1,
                attempts: 1,
            }),
            5
        );
    }
}
