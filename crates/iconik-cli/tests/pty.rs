//! What only shows on a terminal: the real binary in a pseudo-terminal of
//! a chosen width (progress bars, tables, pretty JSON).
#![cfg(unix)]

mod common;

use std::time::Duration;

use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig};

/// Runs `iconik ARGS` in a pseudo-terminal `cols` wide (its size set with
/// `stty` before the binary starts), with `env`; returns everything the
/// terminal received and the exit code.
fn in_terminal(cols: u16, env: &[(&str, String)], args: &[&str]) -> (String, i32) {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("stty cols {cols} rows 40 && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin!("iconik"))
        .args(args);
    for var in ["ICONIK_BASE_URL", "ICONIK_APP_ID", "ICONIK_AUTH_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.env("ICONIK_CONFIG", "/nonexistent/iconik/config.toml")
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut session = expectrl::Session::spawn(cmd).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let found = session.expect(expectrl::Eof).expect("the command ends");
    let mut bytes = found.before().to_vec();
    for m in found.matches() {
        bytes.extend_from_slice(m);
    }
    let code = match session.get_process().wait() {
        Ok(expectrl::WaitStatus::Exited(_, code)) => code,
        other => panic!("{other:?}"),
    };
    (String::from_utf8_lossy(&bytes).into_owned(), code)
}

/// The lines a terminal showed: split at line feeds and carriage returns,
/// escape sequences removed.
fn screen_lines(raw: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
        .split(['\n', '\r'])
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

fn env_for(emu: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("ICONIK_BASE_URL", emu.base_url()),
        ("ICONIK_APP_ID", emu.app_id().to_owned()),
        ("ICONIK_AUTH_TOKEN", emu.auth_token().to_owned()),
    ]
}

#[test]
fn bars_fit_a_narrow_terminal_and_say_what_follows_the_last_byte() {
    // every request takes 300 ms: closing the file shows on the bar
    let emu = Emulator::start(
        EmulatorConfig::new().faults(FaultConfig::default().latency(Duration::from_millis(300))),
    )
    .expect("emulator");
    let dir = common::temp_dir();
    let deep = dir.join("a-directory-with-a-long-name/another-level-of-rushes");
    std::fs::create_dir_all(&deep).unwrap();
    let file = deep.join("interview-take-2.bin");
    std::fs::write(&file, vec![7u8; 3 * 1024 * 1024]).unwrap();
    let path = file.display().to_string();
    let (raw, code) = in_terminal(60, &env_for(&emu), &["upload", &path]);
    assert_eq!(code, 0, "{raw}");
    let lines = screen_lines(&raw);
    let progress: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("interview-take-2.bin") && !l.contains("\"path\""))
        .collect();
    assert!(!progress.is_empty(), "{raw:?}");
    for line in &progress {
        assert!(
            line.chars().count() <= 60,
            "{} columns: {line:?} in {raw:?}",
            line.chars().count()
        );
    }
    // the path is shortened in the middle, the file name kept
    assert!(progress.iter().all(|l| l.contains('…')), "{progress:?}");
    let said = lines.join("\n");
    assert!(said.contains("closing the file in iconik"), "{said}");
    assert!(said.contains("done in"), "{said}");
    // the summary on the terminal is pretty JSON
    assert!(raw.contains("\"asset_id\": "), "{raw}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pretty_json_on_a_terminal_carries_no_control_characters() {
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_body(
            serde_json::json!({"id": "a1", "title": "\u{9b}31mred\u{1b}]0;pwned\u{7}\u{7f}"})
                .to_string(),
        )
        .create();
    let env = [
        ("ICONIK_BASE_URL", server.url()),
        ("ICONIK_APP_ID", "app".to_owned()),
        ("ICONIK_AUTH_TOKEN", "token-12345".to_owned()),
    ];
    let (raw, code) = in_terminal(80, &env, &["assets", "get-asset", "a1"]);
    assert_eq!(code, 0, "{raw}");
    assert!(
        raw.contains("\"title\": \"\\u009b31mred\\u001b]0;pwned\\u0007\\u007f\""),
        "{raw}"
    );
    for bad in ['\u{9b}', '\u{7}', '\u{7f}'] {
        assert!(!raw.contains(bad), "{bad:?} in {raw:?}");
    }
    // and the table shortens the title to the width, never the id
    let (raw, code) = in_terminal(30, &env, &["assets", "get-asset", "a1", "-o", "table"]);
    assert_eq!(code, 0, "{raw}");
    let lines = screen_lines(&raw);
    assert!(lines.iter().any(|l| l.starts_with("a1  ")), "{lines:?}");
    assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
    assert!(!raw.contains('\u{9b}'), "{raw:?}");
}
