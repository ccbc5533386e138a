//! Shell completion: the shell asks `iconik` itself (clap_complete's
//! dynamic completion), so the script a shell loads is a few lines
//! however many operations there are. Static scripts listing the 1002
//! operations were 1.6 to 5.8 MB and slowed every shell start.
//!
//! `iconik completions SHELL` prints the registration (the same as
//! `COMPLETE=SHELL iconik`); at each TAB the shell runs
//! `COMPLETE=SHELL iconik -- WORDS...`, which [`complete_if_asked`]
//! answers before anything else runs. Only the services named in WORDS
//! get their operations built, as for a normal run.

use std::ffi::OsString;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgMatches, Command};
use clap_complete::env::{Bash, Elvish, Fish, Powershell, Shells, Zsh};
use clap_complete::CompleteEnv;

use crate::exit::Failure;
use crate::session::{write_out, Session};

/// The variable the shells' scripts set.
const VAR: &str = "COMPLETE";

const SHELLS: Shells<'static> = Shells(&[&Bash, &Elvish, &Fish, &Powershell, &Zsh]);

/// `iconik completions`.
pub fn command() -> Command {
    Command::new("completions")
        .about("Print the shell code that makes TAB complete iconik's commands and options")
        .after_help(
            "The shell asks iconik itself at each TAB, so the code is a few lines. Load it at \
             shell start (it then always matches the installed iconik):\n  \
             bash: echo 'source <(iconik completions bash)' >> ~/.bashrc\n  \
             zsh:  echo 'source <(iconik completions zsh)' >> ~/.zshrc\n  \
             fish: echo 'iconik completions fish | source' >> ~/.config/fish/config.fish\n\
             `COMPLETE=bash iconik` prints the same code.",
        )
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(PossibleValuesParser::new(SHELLS.names())),
        )
}

/// Prints the registration code for the shell named.
///
/// # Errors
/// A usage failure for an unknown shell; an output failure.
pub fn run(m: &ArgMatches, _session: &mut Session<'_>) -> Result<(), Failure> {
    let name = m
        .get_one::<String>("shell")
        .ok_or_else(|| Failure::usage("completions needs a shell"))?;
    let shell = SHELLS
        .completer(name)
        .ok_or_else(|| Failure::usage(format!("unknown shell {name}")))?;
    let completer = std::env::args_os()
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "iconik".to_owned());
    let mut code = Vec::new();
    shell
        .write_registration(VAR, "iconik", "iconik", &completer, &mut code)
        .map_err(|e| Failure::io(format!("writing the completion code: {e}")))?;
    write_out(|w| w.write_all(&code))
}

/// Answers a shell's completion request (`COMPLETE=SHELL iconik -- ...`)
/// and returns true; false when this is not one.
pub fn complete_if_asked(args: &[OsString]) -> bool {
    if std::env::var_os(VAR).is_none_or(|v| v.is_empty() || v == "0") {
        return false;
    }
    let words = args.to_vec();
    let result = CompleteEnv::with_factory(move || crate::cli::build_for(&words))
        .var(VAR)
        .bin("iconik")
        .shells(SHELLS)
        .try_complete(
            args.iter().cloned(),
            std::env::current_dir().ok().as_deref(),
        );
    match result {
        Ok(done) => done,
        Err(e) => {
            let _ = e.print();
            true
        }
    }
}
