//! What every command shares: the global options, the settings and the
//! client, how failures are explained, and how answers are printed.
//!
//! A built-in command gets a `&mut Session` and calls
//! [`Session::connect`] for a client, [`Session::print`] for its answer
//! and returns a [`Failure`] (from a library error through
//! [`Session::fail`], which adds what a person needs to act on it).

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::ArgMatches;
use iconik_sync::{Client, ClientBuilder, RateLimitConfig};
use serde_json::Value;

use crate::config::{self, Flags, Settings};
use crate::emulator;
use crate::exit::Failure;
use crate::output::{self, Format};
use crate::stderr;
use crate::table::Kind;

/// Reads environment variables (injectable for tests).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Retries after a failed attempt unless `--retries` says otherwise: three
/// attempts in all, as the AWS CLI's standard mode, so an unreachable
/// host fails within a few seconds (backoff 1 s, then 2 s, each with
/// jitter) instead of the library's patient default.
pub const DEFAULT_RETRIES: u32 = 2;

/// Global options, read from the innermost command's matches (globals are
/// propagated there wherever they were written).
pub struct Globals {
    /// `--base-url`, `--app-id`, `--auth-token`, `--profile`.
    pub flags: Flags,
    /// `--output`.
    pub output: Option<Format>,
    /// `--no-rate-limit`.
    pub no_rate_limit: bool,
    /// `--emulator`.
    pub emulator: bool,
    /// `--timeout`, in seconds.
    pub timeout: Option<u64>,
    /// `--retries`.
    pub retries: Option<u32>,
    /// `-v` given this many times.
    pub verbose: u8,
}

impl Globals {
    /// Reads the global options from `m` (the innermost matches).
    pub fn read(m: &ArgMatches) -> Globals {
        let s = |id: &str| m.get_one::<String>(id).cloned();
        Globals {
            flags: Flags {
                base_url: s("base_url"),
                app_id: s("app_id"),
                auth_token: s("auth_token"),
                profile: s("profile"),
            },
            output: s("output").as_deref().and_then(Format::parse),
            no_rate_limit: m.get_flag("no_rate_limit"),
            emulator: m.get_flag("emulator"),
            timeout: m.get_one::<u64>("timeout").copied(),
            retries: m.get_one::<u32>("retries").copied(),
            verbose: m.get_count("verbose"),
        }
    }
}

/// A client, and the in-process emulator it talks to (kept alive).
pub struct Connection {
    /// The client for the settings in effect.
    pub client: Client,
    _emulator: emulator::Running,
}

/// The state of one command run.
pub struct Session<'a> {
    /// The global options.
    pub globals: Globals,
    env: Env<'a>,
    started: Instant,
    /// The base URL and where it came from, once settings are resolved.
    base_url: Option<(String, String)>,
    /// The App-ID in use, once connected (shown by `-vv`).
    pub app_id: Option<String>,
    /// Headers given with `-H` (shown by `-vv`, secrets redacted).
    pub headers: Vec<(String, String)>,
}

impl<'a> Session<'a> {
    /// A session for the parsed global options.
    pub fn new(globals: Globals, env: Env<'a>) -> Session<'a> {
        stderr::set_verbosity(globals.verbose);
        Session {
            globals,
            env,
            started: Instant::now(),
            base_url: None,
            app_id: None,
            headers: Vec::new(),
        }
    }

    /// Resolves the settings; with `--emulator`, starts it and points
    /// them at it. The token becomes a secret for everything on stderr.
    ///
    /// # Errors
    /// A configuration failure (config file, profile, emulator).
    pub fn settings(&mut self) -> Result<(Settings, emulator::Running), Failure> {
        let mut settings = config::resolve(&self.globals.flags, self.env)?;
        for warning in &settings.warnings {
            stderr::note(&format!("iconik: warning: {warning}"));
        }
        stderr::add_secret(settings.token());
        let running = if self.globals.emulator {
            emulator::start(&mut settings)?
        } else {
            emulator::Running::none()
        };
        stderr::add_secret(settings.token());
        if let Some(url) = &settings.base_url.value {
            self.base_url = Some((url.clone(), settings.base_url.source.to_string()));
        }
        Ok((settings, running))
    }

    /// The client for the settings in effect.
    ///
    /// # Errors
    /// A configuration failure: no credentials, a bad base URL.
    pub fn connect(&mut self) -> Result<Connection, Failure> {
        self.connect_with(|builder| builder)
    }

    /// [`connect`](Self::connect), with `configure` applied to the
    /// client's builder last (`iconik sync --redis` adds a limiter).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn connect_with(
        &mut self,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Result<Connection, Failure> {
        let (s, running) = self.settings()?;
        let missing = |what: &str, flag: &str, var: &str, key: &str| {
            Failure::config(format!(
                "no {what}: pass {flag}, set {var}, or add {key} to a profile (see `iconik config`)"
            ))
        };
        let app_id = s
            .app_id
            .value
            .clone()
            .ok_or_else(|| missing("App-ID", "--app-id", "ICONIK_APP_ID", "app_id"))?;
        let token = s.auth_token.value.clone().ok_or_else(|| {
            missing(
                "Auth-Token",
                "--auth-token",
                "ICONIK_AUTH_TOKEN",
                "auth_token",
            )
        })?;
        self.app_id = Some(app_id.clone());
        let mut builder = Client::builder()
            .app_id(app_id)
            .auth_token(token)
            .user_agent(user_agent());
        if let Some(base) = &s.base_url.value {
            builder = builder.base_url(base.clone());
        }
        let g = &self.globals;
        let limits = match (g.no_rate_limit, g.retries) {
            (true, None) => RateLimitConfig::disabled(),
            (true, Some(n)) => RateLimitConfig::disabled().max_retries(n),
            (false, n) => RateLimitConfig::default().max_retries(n.unwrap_or(DEFAULT_RETRIES)),
        };
        builder = builder.rate_limit(limits);
        if let Some(secs) = g.timeout {
            // no attempt can outlast the whole command
            builder = builder.timeout(Duration::from_secs(secs));
        }
        stderr::install_logger();
        let client = configure(builder).build().map_err(|e| self.fail(e))?;
        Ok(Connection {
            client,
            _emulator: running,
        })
    }

    /// A library error as a failure, with a hint where a person can act:
    /// an address that could not be reached names the URL, where it came
    /// from, how often it was tried, and `--retries`.
    pub fn fail(&self, e: iconik_sync::Error) -> Failure {
        let unreachable = matches!(
            e,
            iconik_sync::Error::Transport { .. } | iconik_sync::Error::Timeout { .. }
        ) && !e.may_have_reached_server();
        let mut failure = Failure::from(e);
        if unreachable {
            let retries = self
                .globals
                .retries
                .unwrap_or(if self.globals.no_rate_limit {
                    0
                } else {
                    DEFAULT_RETRIES
                });
            if let Some((url, source)) = &self.base_url {
                failure.message.push_str(&format!(
                    "\n  could not reach {url} (base URL from {source}) in {:.1} s",
                    self.started.elapsed().as_secs_f64()
                ));
            }
            failure.message.push_str(&format!(
                "\n  hint: check the address (--base-url, ICONIK_BASE_URL, the profile); \
                 --retries N sets how often a failed attempt is tried again (now {retries}), \
                 --timeout S bounds the whole command"
            ));
        }
        failure
    }

    /// Prints one answer on stdout in the chosen format: pretty JSON on a
    /// terminal, compact when piped; a table fitted to the terminal.
    ///
    /// # Errors
    /// An output failure (other than a closed pipe).
    pub fn print(&self, value: &Value, kind: Kind) -> Result<(), Failure> {
        let format = self.globals.output.unwrap_or(Format::Json);
        let pretty = io::stdout().is_terminal();
        let width = terminal_width();
        write_out(|w| output::write_value(w, value, format, pretty, (kind, width)))
    }
}

/// The `User-Agent` the command sends.
pub fn user_agent() -> &'static str {
    concat!("iconik-cli/", env!("CARGO_PKG_VERSION"))
}

/// stdout's width when it is a terminal.
pub fn terminal_width() -> Option<usize> {
    let term = console::Term::stdout();
    if !term.is_term() {
        return None;
    }
    term.size_checked().map(|(_, cols)| cols as usize)
}

/// Writes through a buffered stdout; a closed pipe (`| head`) ends quietly.
///
/// # Errors
/// An output failure for any other write error.
pub fn write_out(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let mut out = BufWriter::new(io::stdout().lock());
    io_result(f(&mut out).and_then(|()| out.flush()))
}

/// A write's result as the command's: a closed pipe is not a failure.
///
/// # Errors
/// An output failure for any write error but a closed pipe.
pub fn io_result(r: io::Result<()>) -> Result<(), Failure> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::io(format!("writing the output: {e}"))),
    }
}

/// Tokens from `--auth-token` and `ICONIK_AUTH_TOKEN`, known before
/// parsing so that even a usage error cannot echo them.
pub fn tokens_in(args: &[OsString], env: Env<'_>) -> Vec<String> {
    let mut out: Vec<String> = env("ICONIK_AUTH_TOKEN").into_iter().collect();
    let mut iter = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = iter.next() {
        if arg == "--auth-token" {
            out.extend(iter.next());
        } else if let Some(v) = arg.strip_prefix("--auth-token=") {
            out.push(v.to_owned());
        }
    }
    out
}
