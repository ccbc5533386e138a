//! The command tree: global options, the built-in commands ([`BUILTINS`]:
//! `api`, `upload`, `download`, `sync`, `config`, `completions`) and one command
//! per operation, built at run time from `iconik_sync::api::OPERATIONS`.

use std::collections::BTreeMap;
use std::ffi::OsString;

use clap::builder::PossibleValuesParser;
use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use iconik_sync::api::{OperationInfo, OPERATIONS};
use iconik_sync::page::Style;

use crate::exit::{Failure, EXIT_CODES_HELP};
use crate::schema::Schemas;
use crate::session::Session;

/// A built-in command: its definition and what runs it.
pub struct Builtin {
    /// The command's name (`upload`).
    pub name: &'static str,
    /// Its clap definition (named `name`).
    pub command: fn() -> Command,
    /// Runs it with its own matches.
    pub run: fn(&ArgMatches, &mut Session<'_>) -> Result<(), Failure>,
}

/// Every built-in command, in help order: the one place to add one (a new
/// module with a `command()` and a `run()`, and a line here).
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "api",
        command: api_command,
        run: crate::run::api,
    },
    Builtin {
        name: "upload",
        command: crate::transfer::upload_command,
        run: crate::transfer::run_upload,
    },
    Builtin {
        name: "download",
        command: crate::transfer::download_command,
        run: crate::transfer::run_download,
    },
    Builtin {
        name: "sync",
        command: crate::sync::command,
        run: crate::sync::run,
    },
    Builtin {
        name: "config",
        command: config_command,
        run: crate::run::config,
    },
    Builtin {
        name: "completions",
        command: crate::complete::command,
        run: crate::complete::run,
    },
];

/// Text after the top-level help: configuration and exit codes.
const MAIN_AFTER_HELP: &str = "\
Commands per service: `iconik <service> <operation> [PATH_PARAMS...]`, e.g.
  iconik assets get-asset 6f1f5b9e-...      iconik users get-users
  iconik assets get-assets --paginate --query per_page=100
`iconik <service> --help` lists a service's operations and what each does;
`iconik <service> <operation> --help` shows an example, its parameters with
their types, the body's fields and the HTTP request.
Files: `iconik upload FILE... [-j N]`, `iconik download ASSET_ID FILE_ID DEST|DIR`,
`iconik sync LOCAL --to-collection ID` (and `--from-collection ID LOCAL`).
Unreachable? Each attempt is retried twice (--retries N); --timeout S bounds
the whole command; -v shows each attempt, -vv the heads (never the token).

Configuration (first found wins):
  1. --base-url, --app-id, --auth-token
  2. the profile chosen with --profile NAME or ICONIK_PROFILE
  3. ICONIK_BASE_URL, ICONIK_APP_ID, ICONIK_AUTH_TOKEN
  4. the config file's default profile (`default_profile`, else [profiles.default])
  5. base URL https://app.iconik.io
The config file is ICONIK_CONFIG, else iconik/config.toml in the platform's
config directory (`iconik config` shows which, and what is in effect).

";

/// Path placeholders are stored under this prefix so they cannot clash with
/// option ids.
pub const PATH_ARG_PREFIX: &str = "path:";

/// The whole command tree (the binary builds [`build_for`] its arguments).
#[cfg(test)]
pub fn build() -> Command {
    tree(None, &|_| true)
}

/// The tree for parsing `args`: only the services named in `args` get their
/// operation commands (the rest are listed, without operations), so a call
/// builds tens of commands instead of 1002. clap matches command names
/// exactly, so a service that is used is always named verbatim in `args`.
pub fn build_for(args: &[OsString]) -> Command {
    tree(None, &|slug| names(args, slug))
}

/// [`build_for`] with each operation's body fields in its help, for
/// rendering `--help` (parsing the schemas costs a few milliseconds).
pub fn build_with_body_fields(args: &[OsString]) -> Command {
    tree(Schemas::load().as_ref(), &|slug| names(args, slug))
}

fn names(args: &[OsString], slug: &str) -> bool {
    args.iter().skip(1).any(|a| a.to_str() == Some(slug))
}

/// The names of the top-level commands: the built-ins and the services.
pub fn top_level_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = BUILTINS.iter().map(|b| b.name).collect();
    names.extend(by_service().into_keys());
    names
}

fn tree(schemas: Option<&Schemas>, wanted: &dyn Fn(&str) -> bool) -> Command {
    let mut cmd = Command::new("iconik")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The iconik API from the shell: every operation, raw calls, pagination, profiles")
        .after_help(format!("{MAIN_AFTER_HELP}{EXIT_CODES_HELP}"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    for builtin in BUILTINS {
        cmd = cmd.subcommand((builtin.command)());
    }
    for (slug, ops) in by_service() {
        cmd = cmd.subcommand(service_command(slug, &ops, schemas, wanted(slug)));
    }
    cmd
}

/// `iconik config`.
fn config_command() -> Command {
    Command::new("config")
        .about("Show the settings in effect and where each comes from (the token redacted)")
}

/// Options every command accepts, before or after the command name.
fn global_args() -> Vec<Arg> {
    let global = |a: Arg| a.global(true).help_heading("Global options");
    vec![
        global(
            Arg::new("base_url")
                .long("base-url")
                .value_name("URL")
                .help("API base URL [env: ICONIK_BASE_URL] [default: https://app.iconik.io]"),
        ),
        global(
            Arg::new("app_id")
                .long("app-id")
                .value_name("ID")
                .help("App-ID [env: ICONIK_APP_ID]"),
        ),
        global(
            Arg::new("auth_token")
                .long("auth-token")
                .value_name("TOKEN")
                .help("Auth-Token [env: ICONIK_AUTH_TOKEN]; prefer the variable or a profile: other users can see command lines"),
        ),
        global(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .help("Use this profile of the config file [env: ICONIK_PROFILE]"),
        ),
        global(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FORMAT")
                .value_parser(PossibleValuesParser::new(["json", "ndjson", "table"]))
                .help("json (pretty on a terminal, compact when piped), ndjson, or table (columns for the kind of answer, fitted to the terminal)"),
        ),
        global(
            Arg::new("no_rate_limit")
                .long("no-rate-limit")
                .action(ArgAction::SetTrue)
                .help("Send at once, without client-side pacing or retries (for private endpoints)"),
        ),
        global(
            Arg::new("emulator")
                .long("emulator")
                .action(ArgAction::SetTrue)
                .help(if cfg!(feature = "emulator") {
                    "Run against an in-process iconik emulator (demos, docs); its state ends with the command"
                } else {
                    "Run against an in-process iconik emulator (not in this build: cargo install --path crates/iconik-cli --features emulator)"
                }),
        ),
        global(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(value_parser!(u64).range(1..=604_800))
                .help("Bound the whole command: every attempt, retry, wait and page (exit 3 when it expires) [default: none; one attempt at most 60 s]"),
        ),
        global(
            Arg::new("retries")
                .long("retries")
                .value_name("N")
                .value_parser(value_parser!(u32).range(0..=100))
                .help("Retries after a connection failure, a timeout or a 502/503/504 (429s are waited out apart) [default: 2]"),
        ),
        global(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .help("On stderr: -v one line per attempt, retry and wait; -vv also the request and response heads (secrets redacted)"),
        ),
    ]
}

/// Options that shape a request: query, body, fields.
fn request_args() -> Vec<Arg> {
    vec![
        Arg::new("query")
            .short('q')
            .long("query")
            .value_name("KEY=VALUE")
            .action(ArgAction::Append)
            .help("Add a query parameter (repeatable)"),
        Arg::new("header")
            .short('H')
            .long("header")
            .value_name("NAME:VALUE")
            .action(ArgAction::Append)
            .help("Add a request header (repeatable), e.g. -H User-ID:6f1f..."),
        Arg::new("body")
            .short('b')
            .long("body")
            .value_name("JSON|@FILE|@-")
            .help("JSON request body: inline, @file.json, or @- for stdin"),
        Arg::new("field")
            .short('F')
            .long("field")
            .value_name("KEY=VALUE")
            .action(ArgAction::Append)
            .help("Set a body field, typed: numbers, true/false/null and JSON objects/arrays are parsed (repeatable; a.b=c nests; on GET, added to the query)"),
        Arg::new("raw_field")
            .short('f')
            .long("raw-field")
            .value_name("KEY=VALUE")
            .action(ArgAction::Append)
            .help("Set a body field to a string, as given (repeatable; a.b=c nests; on GET, added to the query)"),
    ]
}

/// `--paginate` and its companions, for list operations.
fn paginate_args() -> Vec<Arg> {
    vec![
        Arg::new("paginate")
            .long("paginate")
            .action(ArgAction::SetTrue)
            .help("Fetch every page; print one item per line (NDJSON)"),
        Arg::new("json_array")
            .long("json-array")
            .action(ArgAction::SetTrue)
            .requires("paginate")
            .help("With --paginate: print one JSON array of every item instead"),
        Arg::new("max_items")
            .long("max-items")
            .value_name("N")
            .value_parser(value_parser!(u64).range(1..))
            .requires("paginate")
            .help("With --paginate: stop after N items"),
    ]
}

/// `iconik api METHOD PATH`.
fn api_command() -> Command {
    Command::new("api")
        .about("Send a raw request: iconik api GET /API/assets/v1/assets/")
        .after_help(
            "PATH is /API/<service>/<path>, or <service>/<path>; a query string in PATH \
             is kept. The request goes through the same client as every other command \
             (pacing, retries, path validation).\n\nExamples:\n  \
             iconik api GET assets/v1/assets/ -q per_page=5\n  \
             iconik api GET files/v1/storages/ --paginate --page-style last-id\n  \
             iconik api POST /API/assets/v1/assets/ -f title=Demo",
        )
        .arg(
            Arg::new("method")
                .value_name("METHOD")
                .required(true)
                .ignore_case(true)
                .value_parser(PossibleValuesParser::new([
                    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
                ])),
        )
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .required(true)
                .help("/API/<service>/v1/... or <service>/v1/..."),
        )
        .args(request_args())
        .args(paginate_args())
        .arg(
            Arg::new("page_style")
                .long("page-style")
                .value_name("STYLE")
                .requires("paginate")
                .value_parser(PossibleValuesParser::new([
                    "page",
                    "last-id",
                    "scroll",
                    "search-after",
                ]))
                .help("With --paginate: how the list moves to its next page [default: page]"),
        )
}

/// The pagination style named by `--page-style`.
pub fn page_style(name: Option<&str>) -> Style {
    match name {
        Some("last-id") => Style::LastId,
        Some("scroll") => Style::Scroll,
        Some("search-after") => Style::SearchAfter,
        _ => Style::PageNumber,
    }
}

/// Operations grouped by URL slug, in table order.
fn by_service() -> BTreeMap<&'static str, Vec<&'static OperationInfo>> {
    let mut map: BTreeMap<&str, Vec<&OperationInfo>> = BTreeMap::new();
    for op in OPERATIONS {
        map.entry(op.url_service).or_default().push(op);
    }
    map
}

fn service_command(
    slug: &'static str,
    ops: &[&'static OperationInfo],
    schemas: Option<&Schemas>,
    with_operations: bool,
) -> Command {
    let service = ops.first().map(|o| o.service).unwrap_or(slug);
    let mut cmd = Command::new(slug)
        .about(format!(
            "{} operations of the {service} service (/API/{slug}/)",
            ops.len()
        ))
        .subcommand_required(true)
        .arg_required_else_help(true);
    if !with_operations {
        return cmd;
    }
    // an alias that is another operation's name (or an earlier alias)
    // would make that command unreachable: it is left out
    let mut taken: Vec<String> = ops.iter().map(|o| command_name(o.name)).collect();
    for op in ops {
        let alias = op.alias.map(command_name).filter(|a| !taken.contains(a));
        if let Some(a) = &alias {
            taken.push(a.clone());
        }
        cmd = cmd.subcommand(operation_command(op, alias, schemas));
    }
    cmd
}

/// The command name of an operation: its iconik CLI name with `-` for `_`.
pub fn command_name(name: &str) -> String {
    name.replace('_', "-")
}

fn operation_command(
    op: &'static OperationInfo,
    alias: Option<String>,
    schemas: Option<&Schemas>,
) -> Command {
    let mut cmd = Command::new(command_name(op.name))
        .about(op.description)
        .help_template(crate::help::TEMPLATE)
        .after_help(crate::help::operation_help(op, schemas));
    if let Some(alias) = alias {
        cmd = cmd.visible_alias(alias);
    }
    for p in op.path_params {
        cmd = cmd.arg(
            Arg::new(format!("{PATH_ARG_PREFIX}{p}"))
                .value_name(p.to_uppercase())
                .required(true)
                .help(crate::help::path_arg_help(op, p)),
        );
    }
    cmd = cmd.args(request_args());
    if op.pagination.is_some() {
        cmd = cmd.args(paginate_args());
    }
    cmd
}

/// A human name for a pagination style.
pub fn style_name(style: Style) -> &'static str {
    match style {
        Style::PageNumber => "page numbers",
        Style::LastId => "last_id cursor",
        Style::Scroll => "scroll_id cursor",
        Style::SearchAfter => "search_after cursor",
        _ => "cursor",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_valid_and_reaches_every_operation() {
        let cmd = build();
        cmd.clone().debug_assert();
        let mut reached = 0;
        for op in OPERATIONS {
            let service = cmd
                .find_subcommand(op.url_service)
                .unwrap_or_else(|| panic!("no service command {}", op.url_service));
            assert!(
                service.find_subcommand(command_name(op.name)).is_some(),
                "no command for {}",
                op.name
            );
            reached += 1;
        }
        assert_eq!(reached, OPERATIONS.len());
        assert!(reached >= 1000, "{reached} operations");
    }

    #[test]
    fn a_tree_built_for_the_arguments_parses_them_like_the_whole_tree() {
        let args: Vec<OsString> = ["iconik", "-v", "users-notifications", "get-notifications"]
            .iter()
            .map(OsString::from)
            .collect();
        let small = build_for(&args);
        let service = small.find_subcommand("users-notifications").unwrap();
        assert!(service.get_subcommands().count() > 0);
        let assets = small.find_subcommand("assets").unwrap();
        assert_eq!(assets.get_subcommands().count(), 0);
        let leaf = |m: &clap::ArgMatches| {
            let (s, sub) = m.subcommand().unwrap();
            (s.to_owned(), sub.subcommand_name().map(str::to_owned))
        };
        let m = small.try_get_matches_from(&args).unwrap();
        let full = build().try_get_matches_from(&args).unwrap();
        assert_eq!(leaf(&m), leaf(&full));
        assert_eq!(
            leaf(&m),
            (
                "users-notifications".into(),
                Some("get-notifications".into())
            )
        );
    }

    #[test]
    fn aliases_reach_their_operation() {
        let cmd = build();
        let m = cmd
            .try_get_matches_from([
                "iconik",
                "metadata",
                "get-asset-metadata",
                "assets",
                "a",
                "v",
            ])
            .unwrap();
        let (_, service) = m.subcommand().unwrap();
        assert_eq!(service.subcommand_name(), Some("get-object-metadata"));
    }
}
