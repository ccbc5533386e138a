//! `iconik upload` and `iconik download`, the real binary against an
//! emulator started in this process.

mod common;

use common::{against, stderr, stdout, temp_dir};
use iconik_emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

const MIB: usize = 1024 * 1024;

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new()).expect("emulator")
}

/// `size` bytes that differ from file to file (`seed`).
fn contents(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i % 251) as u8 ^ seed.wrapping_mul(37))
        .collect()
}

#[test]
fn two_files_with_j2_then_one_back_with_identical_bytes() {
    let emu = emulator();
    let dir = temp_dir();
    let (a, b) = (dir.join("a.bin"), dir.join("b.bin"));
    let (bytes_a, bytes_b) = (contents(6 * MIB + 5, 1), contents(MIB, 2));
    std::fs::write(&a, &bytes_a).unwrap();
    std::fs::write(&b, &bytes_b).unwrap();

    let out = against(&emu)
        .arg("upload")
        .arg(&a)
        .arg(&b)
        .args(["-j", "2", "--title", "CLI upload"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");

    // the summary: one object per file, in the order given
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files = summary.as_array().unwrap();
    assert_eq!(files.len(), 2, "{summary}");
    for (entry, (path, bytes)) in files.iter().zip([(&a, &bytes_a), (&b, &bytes_b)]) {
        assert_eq!(entry["path"], path.display().to_string());
        assert_eq!(entry["size"].as_u64(), Some(bytes.len() as u64));
        assert_eq!(entry["storage_method"], "S3", "the default storage");
        assert!(entry["elapsed"].as_f64().is_some(), "{entry}");
        let md5 = entry["md5"].as_str().unwrap();
        let stored = emu
            .uploads()
            .into_iter()
            .find(|u| u.md5_hex() == md5)
            .unwrap_or_else(|| panic!("no stored object with md5 {md5}"));
        assert_eq!(&stored.bytes, bytes);
    }
    assert_ne!(files[0]["asset_id"], files[1]["asset_id"]);
    assert_eq!(emu.uploads().len(), 2);

    // stderr is not a terminal here: plain progress lines, the last of
    // each file at 100%, and never the token
    for path in [&a, &b] {
        let size = std::fs::metadata(path).unwrap().len();
        let last = format!("{}: {size}/{size} bytes (100%)", path.display());
        assert_eq!(err.matches(&last).count(), 1, "one {last:?} in {err}");
    }
    assert!(!err.contains(emu.auth_token()));

    // the bigger one back, byte for byte
    let dest = dir.join("a.down");
    let out = against(&emu)
        .arg("download")
        .args([
            files[0]["asset_id"].as_str().unwrap(),
            files[0]["file_id"].as_str().unwrap(),
        ])
        .arg(&dest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes_a);
    let down: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(down["size"].as_u64(), Some(bytes_a.len() as u64));
    assert_eq!(down["md5"], files[0]["md5"]);
    assert_eq!(down["checksum_verified"], true);
    assert_eq!(down["path"], dest.display().to_string());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ndjson_summary_and_a_chosen_storage() {
    let emu = emulator();
    let storages: Value = serde_json::from_str(&stdout(
        &against(&emu)
            .args(["api", "GET", "files/v1/storages/"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    let gcs = storages["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["method"] == "GCS")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = temp_dir();
    let file = dir.join("g.bin");
    std::fs::write(&file, contents(300 * 1024, 3)).unwrap();
    let out = against(&emu)
        .arg("upload")
        .arg(&file)
        .args(["--storage-id", &gcs, "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let entry: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(entry["storage_method"], "GCS");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2_before_anything_is_sent() {
    let emu = emulator();
    let dir = temp_dir();
    let file = dir.join("x.bin");
    std::fs::write(&file, b"x").unwrap();
    let missing = dir.join("missing.bin");
    let cases: Vec<Vec<String>> = vec![
        // a file that does not exist
        vec!["upload".into(), missing.display().to_string()],
        // a directory
        vec!["upload".into(), dir.display().to_string()],
        // both targets
        vec![
            "upload".into(),
            file.display().to_string(),
            "--asset-id".into(),
            "a".into(),
            "--collection-id".into(),
            "c".into(),
        ],
        // one asset for two files
        vec![
            "upload".into(),
            file.display().to_string(),
            file.display().to_string(),
            "--asset-id".into(),
            "a".into(),
        ],
        // -j 0
        vec![
            "upload".into(),
            file.display().to_string(),
            "-j".into(),
            "0".into(),
        ],
        // download over an existing file, without --force
        vec![
            "download".into(),
            "a".into(),
            "f".into(),
            file.display().to_string(),
        ],
    ];
    for args in cases {
        let out = against(&emu).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    assert!(emu.uploads().is_empty());
    assert_eq!(emu.stats().requests, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_file_record_is_not_found_exit_7() {
    let emu = emulator();
    let dir = temp_dir();
    let out = against(&emu)
        .args([
            "download",
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-000000000001",
        ])
        .arg(dir.join("nothing.bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    assert!(!dir.join("nothing.bin").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn download_into_a_directory_writes_the_original_name_made_safe_and_never_overwrites() {
    let emu = emulator();
    let dir = temp_dir();
    let source = dir.join("clip.bin");
    let bytes = contents(300_000, 7);
    std::fs::write(&source, &bytes).unwrap();
    let out = against(&emu).arg("upload").arg(&source).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let (asset, file) = (
        summary[0]["asset_id"].as_str().unwrap().to_owned(),
        summary[0]["file_id"].as_str().unwrap().to_owned(),
    );
    let into = dir.join("into");
    std::fs::create_dir(&into).unwrap();
    let download = || {
        against(&emu)
            .args(["download", &asset, &file])
            .arg(&into)
            .output()
            .unwrap()
    };

    // the name it was uploaded under
    let out = download();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(into.join("clip.bin")).unwrap(), bytes);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        report["path"].as_str().unwrap(),
        into.join("clip.bin").display().to_string()
    );

    // a second time: refused, the file untouched, nothing fetched from storage
    std::fs::write(into.join("clip.bin"), b"mine").unwrap();
    let out = download();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(into.join("clip.bin")).unwrap(), b"mine");
    let out = against(&emu)
        .args(["download", &asset, &file, "--force"])
        .arg(&into)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(into.join("clip.bin")).unwrap(), bytes);

    // a hostile name: separators, `..`, control characters
    let client = iconik_sync::Client::builder()
        .base_url(emu.base_url())
        .app_id(emu.app_id())
        .auth_token(emu.auth_token())
        .build()
        .unwrap();
    for (name, safe) in [
        ("../../escape\u{1b}]0;x\u{7}.bin", ".._.._escape_]0;x_.bin"),
        ("..", file.as_str()),
        ("a/b\\c.bin", "a_b_c.bin"),
    ] {
        client
            .request(
                iconik_sync::Method::Patch,
                "files",
                "/v1/assets/{asset_id}/files/{file_id}/",
            )
            .path_param(&asset)
            .path_param(&file)
            .json(&serde_json::json!({ "original_name": name }))
            .send::<Value>()
            .unwrap();
        let out = download();
        assert_eq!(out.status.code(), Some(0), "{name:?}: {}", stderr(&out));
        assert_eq!(std::fs::read(into.join(safe)).unwrap(), bytes, "{name:?}");
    }
    // nothing was written outside the directory
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["clip.bin", "into"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
