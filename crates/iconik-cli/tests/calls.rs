//! The real `iconik` binary against an emulator started in this process.

mod common;

use common::{against, iconik, stderr, stdout};
use iconik_emulator::{Emulator, EmulatorConfig, SAMPLE_ASSET_IDS, SAMPLE_ASSET_TITLES};
use iconik_sync::{Client, Method};
use serde_json::{json, Value};

fn seeded() -> Emulator {
    Emulator::start(EmulatorConfig::new().seed_data(true)).expect("emulator")
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .app_id(emu.app_id())
        .auth_token(emu.auth_token())
        .build()
        .expect("client")
}

/// Creates `n` assets titled `Paged N` and returns their ids.
fn create_assets(emu: &Emulator, n: usize) -> Vec<String> {
    let client = client(emu);
    (0..n)
        .map(|i| {
            let created = client
                .request(Method::Post, "assets", "/v1/assets/")
                .json(&json!({ "title": format!("Paged {i}") }))
                .send::<Value>()
                .expect("create asset")
                .into_data();
            created["id"].as_str().expect("id").to_owned()
        })
        .collect()
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn typed_call_gets_an_asset_as_compact_json() {
    let emu = seeded();
    let out = against(&emu)
        .args(["assets", "get-asset", SAMPLE_ASSET_IDS[0]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // piped: one compact document on one line
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let asset: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(asset["id"], SAMPLE_ASSET_IDS[0]);
    assert_eq!(asset["title"], SAMPLE_ASSET_TITLES[0]);
}

#[test]
fn typed_post_sends_fields_and_query_and_creates_the_asset() {
    let emu = seeded();
    let out = against(&emu)
        .args(["assets", "post-assets", "-f", "title=Made by the CLI"])
        .args(["-F", "is_online=false", "-q", "apply_default_acls=false"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let created: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(created["title"], "Made by the CLI");
    assert_eq!(emu.stats().creations.get("assets"), Some(&1));
    // read it back with the library
    let id = created["id"].as_str().unwrap();
    let stored = client(&emu)
        .request(Method::Get, "assets", "/v1/assets/{asset_id}/")
        .path_param(id)
        .send::<Value>()
        .unwrap()
        .into_data();
    assert_eq!(stored["title"], "Made by the CLI");
}

#[test]
fn raw_call_reaches_the_same_resource_by_every_path_spelling() {
    let emu = seeded();
    for path in [
        format!("/API/assets/v1/assets/{}/", SAMPLE_ASSET_IDS[1]),
        format!("assets/v1/assets/{}", SAMPLE_ASSET_IDS[1]),
    ] {
        let out = against(&emu).args(["api", "get", &path]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{path}: {}", stderr(&out));
        let asset: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(asset["title"], SAMPLE_ASSET_TITLES[1], "{path}");
    }
    // a raw POST with a body from stdin
    let out = against(&emu)
        .args(["api", "POST", "/API/assets/v1/assets/", "--body", "@-"])
        .write_stdin(r#"{"title": "raw"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()["title"],
        "raw"
    );
    // a dot segment is refused by the client before anything is sent
    let before = emu.stats().requests;
    let out = against(&emu)
        .args(["api", "GET", "/API/assets/v1/assets/../collections/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(emu.stats().requests, before);
}

#[test]
fn paginate_walks_three_pages_as_ndjson_array_and_bounded() {
    let emu = Emulator::start(EmulatorConfig::new()).unwrap();
    let ids = create_assets(&emu, 5);
    let before = emu.stats().requests;
    let out = against(&emu)
        .args(["assets", "get-assets", "--paginate", "-q", "per_page=2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let items = lines(&stdout(&out));
    let mut got: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want, "every asset once");
    assert_eq!(emu.stats().requests - before, 3, "three pages of 2, 2, 1");

    let out = against(&emu)
        .args(["assets", "get-assets", "--paginate", "--json-array"])
        .args(["-q", "per_page=2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let array: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(array.as_array().unwrap().len(), 5);

    let before = emu.stats().requests;
    let out = against(&emu)
        .args(["assets", "get-assets", "--paginate", "--max-items", "3"])
        .args(["-q", "per_page=2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&stdout(&out)).len(), 3);
    assert_eq!(
        emu.stats().requests - before,
        2,
        "no page fetched past the limit"
    );

    // the raw command paginates too
    let before = emu.stats().requests;
    let out = against(&emu)
        .args(["api", "GET", "assets/v1/assets/?per_page=2", "--paginate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&stdout(&out)).len(), 5);
    assert_eq!(emu.stats().requests - before, 3);
}

#[test]
fn table_output_shows_id_and_title() {
    let emu = seeded();
    let out = against(&emu)
        .args(["assets", "get-assets", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut rows = text.lines();
    let header = rows.next().unwrap();
    assert!(
        header.starts_with("ID ") && header.ends_with("TITLE"),
        "{header}"
    );
    for (id, title) in SAMPLE_ASSET_IDS.iter().zip(SAMPLE_ASSET_TITLES) {
        assert!(
            text.lines()
                .any(|r| r.starts_with(id) && r.ends_with(title)),
            "{id} {title} in\n{text}"
        );
    }
    // --paginate into a table too
    let out = against(&emu)
        .args(["assets", "get-assets", "--paginate", "-o", "table"])
        .args(["-q", "per_page=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), text);
}

#[test]
fn a_bad_token_exits_1_with_the_401_and_never_prints_the_token() {
    let emu = seeded();
    let token = "wrong-token-s3cret-4242";
    for by_flag in [false, true] {
        let mut cmd = iconik();
        cmd.env("ICONIK_BASE_URL", emu.base_url())
            .env("ICONIK_APP_ID", emu.app_id());
        if by_flag {
            cmd.args(["--auth-token", token]);
        } else {
            cmd.env("ICONIK_AUTH_TOKEN", token);
        }
        let out = cmd
            .args(["-v", "assets", "get-asset", SAMPLE_ASSET_IDS[0]])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("401"), "{err}");
        assert!(err.contains("get_asset"), "{err}");
        assert!(
            !err.contains(token) && !stdout(&out).contains(token),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(emu.stats().unauthorized, 2);
}

#[test]
fn not_found_exits_7_with_iconiks_message() {
    let emu = seeded();
    let out = against(&emu)
        .args([
            "assets",
            "get-asset",
            "00000000-0000-4000-8000-00000000dead",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let err = stderr(&out);
    assert!(
        err.starts_with("iconik: error: get_asset: HTTP 404"),
        "{err}"
    );
    // other API errors stay 1: a 400 for a body that is not an asset
    let out = against(&emu)
        .args(["assets", "post-assets", "-F", "title=7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 400"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let emu = seeded();
    let cases: &[&[&str]] = &[
        &["assets", "get-asset"],
        &["assets", "no-such-operation"],
        &["assets", "get-assets", "--query", "per_page"],
        &["assets", "post-assets", "--body", "{not json"],
        &["assets", "post-assets", "--body", "@/nonexistent/body.json"],
        &["assets", "get-assets", "--json-array"],
        &["api", "FETCH", "/API/assets/v1/assets/"],
        &["--output", "yaml", "assets", "get-assets"],
        // an image/* body cannot be sent as JSON
        &["users", "post-users-current-photo", "-f", "a=b"],
    ];
    for args in cases {
        let out = against(&emu).args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
    assert_eq!(emu.stats().requests, 0);
}

#[test]
fn usage_errors_that_echo_an_argument_redact_the_token() {
    let token = "s3cret-token-xyz";
    let out = iconik()
        .args(["assets", "get-asset", "id1", token, "--auth-token", token])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unexpected argument '[redacted]'"), "{err}");
    assert!(!err.contains(token), "{err}");
}

#[test]
fn transport_failures_exit_3() {
    // a port that was just free: nothing listens there
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = iconik()
        .args(["--base-url", &format!("http://127.0.0.1:{port}")])
        .args(["--app-id", "a", "--auth-token", "t0ken-value"])
        .args(["--no-rate-limit", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("transport error"), "{}", stderr(&out));
}

#[cfg(feature = "emulator")]
#[test]
fn emulator_flag_runs_in_process() {
    let out = iconik()
        .args(["--emulator", "assets", "get-assets", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let titles: Vec<Value> = lines(&stdout(&out))
        .into_iter()
        .map(|a| a["title"].clone())
        .collect();
    assert_eq!(titles, SAMPLE_ASSET_TITLES.map(Value::from));
}

#[cfg(not(feature = "emulator"))]
#[test]
fn without_the_emulator_feature_the_flag_says_how_to_get_it() {
    let out = iconik()
        .args(["--emulator", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--features emulator"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn completions_are_small_and_answered_by_the_binary() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = iconik().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        // the registration only: the binary answers each TAB
        assert!(script.contains("COMPLETE"), "{shell}: {script}");
        assert!(script.len() < 10_000, "{shell}: {} bytes", script.len());
    }
    // the bash script parses
    let out = iconik().args(["completions", "bash"]).output().unwrap();
    let script = common::temp_dir().join("iconik.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let _ = std::fs::remove_dir_all(script.parent().unwrap());

    // what the shell asks at a TAB, and what it gets
    let ask = |words: &[&str]| {
        let out = iconik()
            .env("COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
            .env("_CLAP_COMPLETE_COMP_TYPE", "9")
            .env("_CLAP_COMPLETE_SPACE", "true")
            .env("_CLAP_IFS", "\n")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{words:?}: {}", stderr(&out));
        stdout(&out)
    };
    let services = ask(&["iconik", "users-n"]);
    assert_eq!(services.trim(), "users-notifications", "{services}");
    let ops = ask(&["iconik", "files", "get-asset-f"]);
    let ops: Vec<&str> = ops.lines().collect();
    assert!(ops.contains(&"get-asset-files"), "{ops:?}");
    assert!(ops.iter().all(|o| o.starts_with("get-asset-f")), "{ops:?}");
    let flags = ask(&["iconik", "assets", "get-assets", "--pagi"]);
    assert_eq!(flags.trim(), "--paginate", "{flags}");
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // a megabyte of output, far past a pipe's buffer: writes hit a closed pipe
    let mut server = mockito::Server::new();
    let big: Vec<Value> = (0..20_000)
        .map(|i| json!({"id": format!("{i:036}"), "title": "x"}))
        .collect();
    server
        .mock("GET", "/API/assets/v1/assets/")
        .with_body(Value::Array(big).to_string())
        .create();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("iconik"))
        .args(["--base-url", &server.url(), "--app-id", "a"])
        .args(["--auth-token", "tok-12345", "assets", "get-assets"])
        .args(["-o", "ndjson"])
        .env("ICONIK_CONFIG", "/nonexistent/iconik.toml")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // the read end is dropped here
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
