//! Running a command line: parse, dispatch to a built-in or an
//! operation, send, print.

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::ArgMatches;
use iconik_sync::api::{OperationInfo, OPERATIONS};
use iconik_sync::page::Style;
use iconik_sync::{Auth, Paginator, RequestBuilder, Response};
use serde_json::Value;

use crate::cli::{self, command_name, BUILTINS, PATH_ARG_PREFIX};
use crate::exit::{Exit, Failure};
use crate::output::{self, Format, ItemSink};
use crate::session::{self, io_result, write_out, Env, Globals, Session};
use crate::table::{Kind, Table};
use crate::{deadline, request, stderr, suggest};

/// Parses `args`, runs the command and returns its exit code. Everything
/// printed on stderr goes through [`stderr`]: secrets redacted, control
/// characters made visible.
pub fn main(args: Vec<OsString>, env: Env<'_>) -> Exit {
    for token in session::tokens_in(&args, env) {
        stderr::add_secret(&token);
    }
    let matches = match cli::build_for(&args).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return parse_error(e, &args),
    };
    let leaf = leaf(&matches);
    let globals = Globals::read(leaf);
    let _watchdog = globals
        .timeout
        .map(|secs| deadline::start(Duration::from_secs(secs)));
    let mut session = Session::new(globals, env);
    match execute(&matches, &mut session) {
        Ok(()) => Exit::Ok,
        Err(f) => {
            stderr::note(&format!("iconik: error: {}", f.message));
            f.exit
        }
    }
}

/// Help, version, typos and usage errors. Help text is printed as it is
/// (never redacted: it holds no secret, and a short token would mangle
/// it); errors echo arguments, so they are redacted.
fn parse_error(e: clap::Error, args: &[OsString]) -> Exit {
    match e.kind() {
        ErrorKind::DisplayHelp => {
            // help for one operation also lists its body fields
            let e = cli::build_with_body_fields(args)
                .try_get_matches_from(args)
                .err()
                .unwrap_or(e);
            print_help(&e.render().to_string());
            Exit::Ok
        }
        ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            if e.exit_code() == 0 =>
        {
            print_help(&e.render().to_string());
            Exit::Ok
        }
        ErrorKind::InvalidSubcommand => match typo(&e) {
            Some((parent, word, names)) => {
                let names = names.iter().map(String::as_str);
                let text = suggest::message(&parent, &word, &suggest::similar(&word, names));
                stderr::note(text.trim_end());
                Exit::Usage
            }
            None => usage_error(&e),
        },
        ErrorKind::UnknownArgument => match option_typo(&e, args) {
            Some(tip) => {
                let text = e.render().to_string();
                let text = match text.split_once("\n\nUsage:") {
                    Some((head, rest)) => format!("{head}\n\n{tip}\n\nUsage:{rest}"),
                    None => format!("{text}\n{tip}"),
                };
                stderr::note(text.trim_end());
                Exit::Usage
            }
            None => usage_error(&e),
        },
        _ => usage_error(&e),
    }
}

/// For an unknown `--option` that clap gave no tip for: up to three of
/// the options of the command it was given to, closest first.
fn option_typo(e: &clap::Error, args: &[OsString]) -> Option<String> {
    let word = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) if s.starts_with("--") => s.clone(),
        _ => return None,
    };
    if e.get(ContextKind::SuggestedArg).is_some() {
        return None;
    }
    let word = word.split('=').next().unwrap_or(&word).to_owned();
    // the command it was given to: follow the words that name commands
    let mut cmd = cli::build_for(args);
    cmd.build();
    let mut current = &cmd;
    for arg in args.iter().skip(1).filter_map(|a| a.to_str()) {
        if let Some(sub) = current.find_subcommand(arg) {
            current = sub;
        }
    }
    let longs: Vec<String> = current
        .get_arguments()
        .filter_map(|a| a.get_long())
        .map(|l| format!("--{l}"))
        .collect();
    let close = suggest::similar(&word, longs.iter().map(String::as_str));
    match close.as_slice() {
        [] => None,
        [one] => Some(format!("  tip: did you mean '{one}'?")),
        many => Some(format!("  tip: did you mean one of {}?", many.join(", "))),
    }
}

/// Any other parse outcome, as clap renders it (redacted on stderr).
fn usage_error(e: &clap::Error) -> Exit {
    let text = e.render().to_string();
    if e.use_stderr() {
        stderr::note(text.trim_end());
    } else {
        print_help(&text);
    }
    if e.exit_code() == 0 {
        Exit::Ok
    } else {
        Exit::Usage
    }
}

fn print_help(text: &str) {
    let _ = write!(io::stdout().lock(), "{text}");
}

/// For an unknown command: the parent (`iconik` or `iconik assets`), the
/// unknown word, and the names it could have meant.
fn typo(e: &clap::Error) -> Option<(String, String, Vec<String>)> {
    let word = match e.get(ContextKind::InvalidSubcommand) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => return None,
    };
    // the usage line names the command the word was given to
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => String::new(),
    };
    let service = usage
        .split_whitespace()
        .skip_while(|w| *w != "iconik")
        .nth(1)
        .filter(|w| !w.starts_with(['[', '<', '-']))
        .map(str::to_owned);
    Some(match service {
        Some(slug) => {
            let mut names = Vec::new();
            for op in OPERATIONS.iter().filter(|o| o.url_service == slug) {
                names.push(command_name(op.name));
                names.extend(op.alias.map(command_name));
            }
            (format!("iconik {slug}"), word, names)
        }
        None => (
            "iconik".to_owned(),
            word,
            cli::top_level_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
    })
}

fn leaf(m: &ArgMatches) -> &ArgMatches {
    let mut m = m;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m
}

fn execute(matches: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given (see iconik --help)"));
    };
    if let Some(builtin) = BUILTINS.iter().find(|b| b.name == name) {
        return (builtin.run)(sub, session);
    }
    let Some((op_name, op_matches)) = sub.subcommand() else {
        return Err(Failure::usage(format!("iconik {name} needs an operation")));
    };
    let op = OPERATIONS
        .iter()
        .find(|o| o.url_service == name && command_name(o.name) == op_name)
        .ok_or_else(|| Failure::usage(format!("unknown operation {name} {op_name}")))?;
    run_operation(op, op_matches, session)
}

/// `iconik config`.
pub fn config(_m: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    let (settings, _emulator) = session.settings()?;
    let report = settings.report(!session.globals.no_rate_limit);
    let pretty = io::stdout().is_terminal();
    match session.globals.output.unwrap_or(Format::Json) {
        // a table of settings, not of items
        Format::Table => {
            write_out(|w| w.write_all(crate::term::visible(&settings.table()).as_bytes()))
        }
        format => {
            write_out(|w| output::write_value(w, &report, format, pretty, (Kind::Auto, None)))
        }
    }
}

/// `iconik api METHOD PATH`.
pub fn api(sub: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    let method = sub
        .get_one::<String>("method")
        .and_then(|m| request::method(m))
        .ok_or_else(|| Failure::usage("unknown METHOD"))?;
    let path = sub
        .get_one::<String>("path")
        .ok_or_else(|| Failure::usage("api needs a PATH"))?;
    let raw = request::raw_path(path)?;
    let parts = request::parts(sub, method)?;
    session.headers = parts.headers.clone();
    let conn = session.connect()?;
    let mut req = conn
        .client
        .request(method, raw.service, raw.template)
        .name(format!("{method} {}", raw.display))
        .path_params(&raw.segments);
    for (k, v) in raw.query {
        req = req.query(k, v);
    }
    let req = parts.apply(req);
    if sub.get_flag("paginate") {
        let style = cli::page_style(sub.get_one::<String>("page_style").map(String::as_str));
        paginate(req, style, sub, session)
    } else {
        send_one(req, session)
    }
}

fn run_operation(
    op: &'static OperationInfo,
    m: &ArgMatches,
    session: &mut Session<'_>,
) -> Result<(), Failure> {
    let parts = request::parts(m, op.method)?;
    if let (Some(ct), Some(_)) = (op.content_type, &parts.body) {
        if !ct.contains("json") {
            return Err(Failure::usage(format!(
                "the body of {} is {ct}; this command sends JSON bodies only \
                 (`iconik api` sends JSON to any path)",
                op.name
            )));
        }
    }
    request::check_declared(op, &parts)?;
    warn_undeclared_query(op, &parts);
    session.headers = parts.headers.clone();
    let mut path_values = Vec::with_capacity(op.path_params.len());
    for p in op.path_params {
        let value = m
            .get_one::<String>(&format!("{PATH_ARG_PREFIX}{p}"))
            .ok_or_else(|| {
                Failure::usage(format!("missing path parameter {}", p.to_uppercase()))
            })?;
        path_values.push(value.clone());
    }
    let conn = session.connect()?;
    let req = conn
        .client
        .request(op.method, op.url_service, op.path)
        .name(op.name)
        .auth(op.auth)
        .path_params(&path_values);
    let req = parts.apply(req);
    match op.pagination {
        Some(style) if m.get_flag("paginate") => paginate(req, style, m, session),
        _ => send_one(req, session),
    }
}

/// `--paginate`: every item of every page, as NDJSON, one array
/// (`--json-array` or `--output json`) or a table, up to `--max-items`.
fn paginate(
    req: RequestBuilder,
    style: Style,
    m: &ArgMatches,
    session: &Session<'_>,
) -> Result<(), Failure> {
    let json_array = m.get_flag("json_array");
    let max_items = m.get_one::<u64>("max_items").copied();
    let format = match (session.globals.output, json_array) {
        (None | Some(Format::Json), true) => Format::Json,
        (Some(other), true) => {
            return Err(Failure::usage(format!(
                "--json-array cannot be combined with --output {}",
                if other == Format::Table {
                    "table"
                } else {
                    "ndjson"
                }
            )))
        }
        (None, false) => Format::Ndjson,
        (Some(f), false) => f,
    };
    describe(&req, session);
    stderr::verbose(1, &format!("> paginating by {}", cli::style_name(style)));
    let pages = Paginator::<Value>::new(req, style);
    let stdout = io::stdout();
    let pretty = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    let mut sink = match format {
        Format::Ndjson => ItemSink::Ndjson(&mut out),
        Format::Json => ItemSink::Array {
            out: &mut out,
            pretty,
            count: 0,
        },
        Format::Table => {
            ItemSink::Table(&mut out, Table::new(Kind::Auto), session::terminal_width())
        }
    };
    let mut count = 0u64;
    for item in pages {
        let item = item.map_err(|e| session.fail(e))?;
        if let Err(e) = sink.push(&item) {
            return io_result(Err(e));
        }
        count += 1;
        // stop before the paginator fetches a page that is not needed
        if max_items.is_some_and(|max| count >= max) {
            break;
        }
    }
    stderr::verbose(1, &format!("< {count} item(s)"));
    io_result(sink.finish())
}

/// Warns (stderr, exit code unchanged) about query keys the operation does
/// not declare: usually a typo.
fn warn_undeclared_query(op: &OperationInfo, parts: &request::Parts) {
    if op.query_params.iter().any(|q| q.contains('<')) {
        return;
    }
    for (k, _) in &parts.query {
        if !op.query_params.contains(&k.as_str()) {
            let close = suggest::similar(k, op.query_params.iter().copied());
            stderr::note(&format!(
                "iconik: warning: {k:?} is not a declared query parameter of {}{}",
                op.name,
                match close.as_slice() {
                    [] if op.query_params.is_empty() => " (it declares none)".to_owned(),
                    [] => format!(" (declared: {})", op.query_params.join(", ")),
                    close => format!(" (did you mean {}?)", close.join(", ")),
                }
            ));
        }
    }
}

fn send_one(req: RequestBuilder, session: &Session<'_>) -> Result<(), Failure> {
    describe(&req, session);
    let response = req.send::<Value>().map_err(|e| {
        if let iconik_sync::Error::Api(api) = &e {
            response_head(api.status, api.headers.iter());
        }
        session.fail(e)
    })?;
    stderr::verbose(
        1,
        &format!(
            "< HTTP {} ({} attempt(s), {} ms)",
            response.http_status(),
            response.attempts(),
            response.elapsed().as_millis()
        ),
    );
    heads_of(&response);
    session.print(response.data(), Kind::Auto)
}

/// `-vv`: a response's head.
fn heads_of(response: &Response<Value>) {
    response_head(response.http_status(), response.headers().iter());
}

/// `-vv`: the status line and every header (secrets redacted).
fn response_head<'h>(status: u16, headers: impl Iterator<Item = (&'h str, &'h str)>) {
    if stderr::verbosity() < 2 {
        return;
    }
    let mut text = format!("< HTTP {status}");
    for (k, v) in headers {
        text.push_str(&format!("\n< {k}: {}", header_value(k, v)));
    }
    stderr::note(&text);
}

/// A header's value as `-vv` shows it: credentials never (any header
/// whose name speaks of a token, a key, a secret, a password, a cookie or
/// authorization).
fn header_value<'v>(name: &str, value: &'v str) -> &'v str {
    const SECRET: [&str; 6] = [
        "token",
        "authorization",
        "cookie",
        "secret",
        "password",
        "key",
    ];
    let name = name.to_ascii_lowercase();
    if SECRET.iter().any(|s| name.contains(s)) {
        "[redacted]"
    } else {
        value
    }
}

/// `-v`: the request line; `-vv`: its head too (the token redacted).
fn describe(req: &RequestBuilder, session: &Session<'_>) {
    if stderr::verbosity() == 0 {
        return;
    }
    let op = req.operation();
    let path = op
        .render_path()
        .unwrap_or_else(|_| op.template().to_owned());
    let query: Vec<String> = op.query().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    stderr::note(&format!(
        "> {} {}/API/{}{path}{query}",
        op.method(),
        req.client().base_url(),
        op.service()
    ));
    if stderr::verbosity() < 2 {
        return;
    }
    let mut head = vec!["> Accept: application/json".to_owned()];
    if op.auth() != Auth::None {
        head.push(format!(
            "> App-ID: {}",
            session.app_id.as_deref().unwrap_or("-")
        ));
    }
    if op.auth() == Auth::AppIdAndToken {
        head.push("> Auth-Token: [redacted]".to_owned());
    }
    for (k, v) in &session.headers {
        head.push(format!("> {k}: {}", header_value(k, v)));
    }
    head.push(format!("> User-Agent: {}", session::user_agent()));
    if let Some(body) = op.body() {
        head.push(format!("> Content-Type: {}", op.content_type()));
        head.push(format!("> Content-Length: {}", body.len()));
    }
    stderr::note(&head.join("\n"));
}
