//! Help for people: help text is never redacted, typos get at most three
//! suggestions, closest first.

mod common;

use common::{iconik, stderr, stdout};

#[test]
fn help_is_never_redacted_whatever_the_token() {
    // the emulator's token, and one that is a word of the help itself
    for token in ["demo", "assets", "operation"] {
        for args in [
            &["--help"][..],
            &["assets", "--help"],
            &["assets", "get-asset", "--help"],
            &["upload", "--help"],
        ] {
            let out = iconik()
                .env("ICONIK_AUTH_TOKEN", token)
                .args(args)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            let text = stdout(&out);
            assert!(!text.contains("[redacted]s"), "{token} {args:?}: {text}");
            assert!(!text.contains("([redacted]"), "{token} {args:?}: {text}");
        }
    }
    let top = stdout(
        &iconik()
            .env("ICONIK_AUTH_TOKEN", "operation")
            .arg("--help")
            .output()
            .unwrap(),
    );
    assert!(top.contains("every operation"), "{top}");
}

#[test]
fn a_short_token_is_not_a_pattern_but_a_long_one_is_redacted_in_errors() {
    // a 4-character token would turn every "demo" into [redacted]
    let out = iconik()
        .env("ICONIK_AUTH_TOKEN", "demo")
        .args(["assets", "get-asset", "demo-id", "extra"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'extra'"), "{}", stderr(&out));
    let out = iconik()
        .env("ICONIK_AUTH_TOKEN", "long-s3cret")
        .args(["assets", "get-asset", "x", "long-s3cret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("long-s3cret"), "{}", stderr(&out));
}

#[test]
fn typos_get_at_most_three_suggestions_closest_first() {
    let out = iconik()
        .args(["assets", "get-assett", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let suggested: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.contains("did you mean"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(str::trim)
        .collect();
    assert_eq!(suggested, ["get-asset", "get-assets"], "{err}");
    assert!(err.contains("iconik assets --help"), "{err}");

    let out = iconik().args(["asets", "get-asset"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean 'assets'?"),
        "{}",
        stderr(&out)
    );

    // nothing close: no list of every command
    let out = iconik().args(["assets", "zzzzzzzz"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    assert!(stderr(&out).lines().count() < 5, "{}", stderr(&out));
}

#[test]
fn operation_help_says_what_it_does_then_how_to_call_it() {
    let out = iconik()
        .args(["assets", "post-assets", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    // one line saying what it does, first
    assert_eq!(lines[0], "Creates an asset.", "{text}");
    assert_eq!(
        lines[2], "Usage: iconik assets post-assets [OPTIONS]",
        "{text}"
    );
    // one example, then typed parameters, then the body's fields
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in\n{text}"))
    };
    let example = at("Example:\n  iconik assets post-assets -f title=TITLE\n");
    let query = at("Query parameters (-q NAME=VALUE; * required):\n");
    let body = at("Fields of AssetCreateSchema (* required):\n");
    let options = at("Options:");
    assert!(example < query && query < body && body < options, "{text}");
    assert!(
        text.contains("  apply_default_acls          boolean\n"),
        "{text}"
    );
    assert!(
        text.contains("  apply_acl_template_id       string (uuid)\n"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["title*", "string"]),
        "{text}"
    );
    assert!(
        text.contains("HTTP:       POST /API/assets/v1/assets/"),
        "{text}"
    );
    // required markers on query parameters and headers
    let out = iconik()
        .args(["files", "get-asset-file-multipart-url", "--help"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("  upload_id*       string\n"), "{text}");
    assert!(text.contains("  max_part_number  integer\n"), "{text}");
    assert!(
        text.contains("<ASSET_ID>  {asset_id} in the path: string, required"),
        "{text}"
    );
    // the service's list shows what each operation does
    let list = stdout(&iconik().args(["assets", "--help"]).output().unwrap());
    assert!(list.contains("Gets an asset."), "{list}");
    // the top-level help lists the exit codes, 7 included
    let top = stdout(&iconik().arg("--help").output().unwrap());
    assert!(top.contains("7  not found"), "{top}");
}

#[test]
fn a_mistyped_option_gets_a_close_one() {
    let out = iconik()
        .args(["assets", "get-assets", "--paginat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("'--paginat'"), "{err}");
    assert!(err.contains("'--paginate'"), "{err}");
    assert!(err.matches("tip:").count() == 1, "{err}");
    // a global option, after the command
    let out = iconik()
        .args(["assets", "get-assets", "--tiemout", "5"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("--timeout"), "{}", stderr(&out));
}
