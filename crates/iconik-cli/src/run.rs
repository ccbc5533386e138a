//! Running a parsed command line: settings, client, request, output.

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use clap::ArgMatches;
use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_sync::api::{OperationInfo, OPERATIONS};
use iconik_sync::page::Style;
use iconik_sync::{Client, Paginator, RequestBuilder};
use serde_json::Value;

use crate::cli::{self, command_name, PATH_ARG_PREFIX};
use crate::config::{self, Flags, Settings};
use crate::exit::{redact, Exit, Failure};
use crate::output::{self, Format, ItemSink, Table};
use crate::request;
use crate::transfer;

/// Reads environment variables (injectable for tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Secrets to keep off stderr, and whether to narrate requests.
struct Ctx {
    secrets: Vec<String>,
    verbose: bool,
}

impl Ctx {
    fn redact(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_owned(), |acc, s| redact(&acc, s))
    }

    /// One line on stderr, secrets removed.
    fn note(&self, text: &str) {
        let _ = writeln!(io::stderr().lock(), "{}", self.redact(text));
    }

    fn verbose(&self, text: &str) {
        if self.verbose {
            self.note(text);
        }
    }
}

/// Parses `args`, runs the command and returns its exit code. Everything
/// printed on stderr goes through redaction of every token known.
pub fn main(args: Vec<OsString>, env: Env<'_>) -> Exit {
    let mut ctx = Ctx {
        secrets: tokens_in(&args, env),
        verbose: false,
    };
    let matches = match cli::build_for(&args).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            // help for one operation also lists its body fields
            let e = if e.kind() == clap::error::ErrorKind::DisplayHelp {
                cli::build_with_body_fields(&args)
                    .try_get_matches_from(&args)
                    .err()
                    .unwrap_or(e)
            } else {
                e
            };
            let text = ctx.redact(&e.render().to_string());
            if e.use_stderr() {
                let _ = write!(io::stderr().lock(), "{text}");
            } else {
                let _ = write!(io::stdout().lock(), "{text}");
            }
            return if e.exit_code() == 0 {
                Exit::Ok
            } else {
                Exit::Usage
            };
        }
    };
    match execute(&matches, env, &mut ctx) {
        Ok(()) => Exit::Ok,
        Err(f) => {
            ctx.note(&format!("iconik: error: {}", f.message));
            f.exit
        }
    }
}

/// Tokens from `--auth-token` and `ICONIK_AUTH_TOKEN`, known before parsing
/// so that even a usage error cannot echo them.
fn tokens_in(args: &[OsString], env: Env<'_>) -> Vec<String> {
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

/// Global options, read from the innermost command's matches (globals are
/// propagated there wherever they were written).
struct Globals {
    flags: Flags,
    output: Option<Format>,
    no_rate_limit: bool,
    emulator: bool,
    timeout: Option<u64>,
}

impl Globals {
    fn read(m: &ArgMatches) -> Globals {
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
        }
    }
}

fn leaf(m: &ArgMatches) -> &ArgMatches {
    let mut m = m;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m
}

fn execute(matches: &ArgMatches, env: Env<'_>, ctx: &mut Ctx) -> Result<(), Failure> {
    let g = Globals::read(leaf(matches));
    ctx.verbose = leaf(matches).get_flag("verbose");
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given (see iconik --help)"));
    };
    match name {
        "completions" => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .ok_or_else(|| Failure::usage("completions needs a shell"))?;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cli::for_completions(), "iconik", &mut out);
            write_out(|w| w.write_all(&out))
        }
        "config" => {
            let (settings, _emulator) = settings(&g, env, ctx)?;
            let report = settings.report(!g.no_rate_limit);
            let pretty = io::stdout().is_terminal();
            match g.output.unwrap_or(Format::Json) {
                // a table of settings, not of items
                Format::Table => write_out(|w| w.write_all(settings.table().as_bytes())),
                format => write_out(|w| output::write_value(w, &report, format, pretty)),
            }
        }
        "api" => {
            let method = sub
                .get_one::<String>("method")
                .and_then(|m| request::method(m))
                .ok_or_else(|| Failure::usage("unknown METHOD"))?;
            let path = sub
                .get_one::<String>("path")
                .ok_or_else(|| Failure::usage("api needs a PATH"))?;
            let raw = request::raw_path(path)?;
            let parts = request::parts(sub, method)?;
            let (client, _emulator) = connect(&g, env, ctx)?;
            let mut req = client
                .request(method, raw.service, raw.template)
                .name(format!("{method} {}", raw.display))
                .path_params(&raw.segments);
            for (k, v) in raw.query {
                req = req.query(k, v);
            }
            let req = parts.apply(req);
            if sub.get_flag("paginate") {
                let style =
                    cli::page_style(sub.get_one::<String>("page_style").map(String::as_str));
                paginate(req, style, sub, &g, ctx)
            } else {
                send_one(req, &g, ctx)
            }
        }
        "upload" => {
            transfer::check_upload(sub)?;
            let (client, _emulator) = connect(&g, env, ctx)?;
            let ctx: &Ctx = ctx;
            let note = |text: &str| ctx.note(text);
            let outcome = transfer::upload(&client, sub, &note);
            let summary = redact_value(ctx, outcome.summary);
            print_summary(&summary, &g)?;
            outcome.failure.map_or(Ok(()), Err)
        }
        "download" => {
            let (client, _emulator) = connect(&g, env, ctx)?;
            let summary = transfer::download(&client, sub)?;
            print_summary(&summary, &g)
        }
        slug => {
            let Some((op_name, op_matches)) = sub.subcommand() else {
                return Err(Failure::usage(format!("iconik {slug} needs an operation")));
            };
            let op = OPERATIONS
                .iter()
                .find(|o| o.url_service == slug && command_name(o.name) == op_name)
                .ok_or_else(|| Failure::usage(format!("unknown operation {slug} {op_name}")))?;
            run_operation(op, op_matches, &g, env, ctx)
        }
    }
}

fn run_operation(
    op: &'static OperationInfo,
    m: &ArgMatches,
    g: &Globals,
    env: Env<'_>,
    ctx: &mut Ctx,
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
    warn_undeclared_query(op, &parts, ctx);
    let mut path_values = Vec::with_capacity(op.path_params.len());
    for p in op.path_params {
        let value = m
            .get_one::<String>(&format!("{PATH_ARG_PREFIX}{p}"))
            .ok_or_else(|| {
                Failure::usage(format!("missing path parameter {}", p.to_uppercase()))
            })?;
        path_values.push(value.clone());
    }
    let (client, _emulator) = connect(g, env, ctx)?;
    let req = client
        .request(op.method, op.url_service, op.path)
        .name(op.name)
        .auth(op.auth)
        .path_params(&path_values);
    let req = parts.apply(req);
    match op.pagination {
        Some(style) if m.get_flag("paginate") => paginate(req, style, m, g, ctx),
        _ => send_one(req, g, ctx),
    }
}

/// `--paginate`: every item of every page, as NDJSON, one array
/// (`--json-array` or `--output json`) or a table, up to `--max-items`.
fn paginate(
    req: RequestBuilder,
    style: Style,
    m: &ArgMatches,
    g: &Globals,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let json_array = m.get_flag("json_array");
    let max_items = m.get_one::<u64>("max_items").copied();
    let format = match (g.output, json_array) {
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
    describe(&req, ctx);
    ctx.verbose(&format!("> paginating by {}", cli::style_name(style)));
    paginate_items(Paginator::<Value>::new(req, style), format, max_items, ctx)
}

/// Warns (stderr, exit code unchanged) about query keys the operation does
/// not declare: usually a typo.
fn warn_undeclared_query(op: &OperationInfo, parts: &request::Parts, ctx: &Ctx) {
    if op.query_params.iter().any(|q| q.contains('<')) {
        return;
    }
    for (k, _) in &parts.query {
        if !op.query_params.contains(&k.as_str()) {
            ctx.note(&format!(
                "iconik: warning: {k:?} is not a declared query parameter of {} (declared: {})",
                op.name,
                if op.query_params.is_empty() {
                    "none".to_owned()
                } else {
                    op.query_params.join(", ")
                }
            ));
        }
    }
}

fn send_one(req: RequestBuilder, g: &Globals, ctx: &Ctx) -> Result<(), Failure> {
    describe(&req, ctx);
    let response = req.send::<Value>()?;
    ctx.verbose(&format!(
        "< HTTP {} ({} attempt(s), {} ms)",
        response.http_status(),
        response.attempts(),
        response.elapsed().as_millis()
    ));
    if let Some(left) = response.headers().get("RateLimit-Remaining") {
        ctx.verbose(&format!("< RateLimit-Remaining: {left}"));
    }
    let format = g.output.unwrap_or(Format::Json);
    let pretty = io::stdout().is_terminal();
    write_out(|w| output::write_value(w, response.data(), format, pretty))
}

fn paginate_items(
    pages: Paginator<Value>,
    format: Format,
    max_items: Option<u64>,
    ctx: &Ctx,
) -> Result<(), Failure> {
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
        Format::Table => ItemSink::Table(&mut out, Table::default()),
    };
    let mut count = 0u64;
    for item in pages {
        if let Err(e) = sink.push(&item?) {
            return io_result(Err(e));
        }
        count += 1;
        // stop before the paginator fetches a page that is not needed
        if max_items.is_some_and(|max| count >= max) {
            break;
        }
    }
    ctx.verbose(&format!("< {count} item(s)"));
    io_result(sink.finish())
}

/// A transfer's JSON summary on stdout: pretty JSON on a terminal, compact
/// when piped, or `--output ndjson` (one object per line).
fn print_summary(summary: &Value, g: &Globals) -> Result<(), Failure> {
    let pretty = io::stdout().is_terminal();
    let format = g.output.unwrap_or(Format::Json);
    write_out(|w| output::write_value(w, summary, format, pretty))
}

/// `value` with every known token replaced (error texts in summaries).
fn redact_value(ctx: &Ctx, value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(ctx.redact(&s)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact_value(ctx, v)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, redact_value(ctx, v)))
                .collect(),
        ),
        other => other,
    }
}

/// Writes through a buffered stdout; a closed pipe (`| head`) ends quietly.
fn write_out(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let mut out = BufWriter::new(io::stdout().lock());
    io_result(f(&mut out).and_then(|()| out.flush()))
}

fn io_result(r: io::Result<()>) -> Result<(), Failure> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::io(format!("writing the output: {e}"))),
    }
}

/// `--verbose`: the request line and credential headers (token redacted).
fn describe(req: &RequestBuilder, ctx: &Ctx) {
    if !ctx.verbose {
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
    ctx.note(&format!(
        "> {} {}/API/{}{path}{query}",
        op.method(),
        req.client().base_url(),
        op.service()
    ));
    ctx.note("> Auth-Token: [redacted]");
    if let Some(body) = op.body() {
        ctx.note(&format!("> body: {} bytes of JSON", body.len()));
    }
}

/// Resolves the settings; with `--emulator`, starts it and points them at it.
fn settings(
    g: &Globals,
    env: Env<'_>,
    ctx: &mut Ctx,
) -> Result<(Settings, Option<Emulator>), Failure> {
    let mut settings = config::resolve(&g.flags, env)?;
    for warning in &settings.warnings {
        ctx.note(&format!("iconik: warning: {warning}"));
    }
    if !settings.token().is_empty() {
        ctx.secrets.push(settings.token().to_owned());
    }
    let emulator = if g.emulator {
        let emu = Emulator::start(EmulatorConfig::new().seed_data(true))
            .map_err(|e| Failure::config(format!("cannot start the emulator: {e}")))?;
        settings.use_emulator(emu.base_url(), emu.app_id(), emu.auth_token());
        ctx.verbose(&format!("> emulator listening on {}", emu.base_url()));
        Some(emu)
    } else {
        None
    };
    Ok((settings, emulator))
}

/// The client for the settings in effect (and the emulator, kept alive).
fn connect(
    g: &Globals,
    env: Env<'_>,
    ctx: &mut Ctx,
) -> Result<(Client, Option<Emulator>), Failure> {
    let (s, emulator) = settings(g, env, ctx)?;
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
    let mut builder = Client::builder()
        .app_id(app_id)
        .auth_token(token)
        .user_agent(concat!("iconik-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(base) = &s.base_url.value {
        builder = builder.base_url(base.clone());
    }
    if g.no_rate_limit {
        builder = builder.disable_rate_limit_handling();
    }
    if let Some(secs) = g.timeout {
        builder = builder.timeout(Duration::from_secs(secs));
    }
    let client = builder.build()?;
    Ok((client, emulator))
}
