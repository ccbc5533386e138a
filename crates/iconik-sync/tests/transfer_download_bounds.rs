//! Downloads are bounded by iconik's record, not by the storage's numbers:
//! never more bytes than the file's size, whatever `Content-Length` or
//! `Content-Range` say; the temporary file is never reached through a
//! symbolic link (or a hard link, or a FIFO) and is resumed only when it
//! is a regular file of its own; after a fatal error no temporary file is
//! left for a later call to resume.

mod transfer_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use iconik_sync::Error;
use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault};

const KIB: usize = 1024;

/// Far above what refusing takes on a loaded machine; reading an endless
/// body until the retry budget ran out took minutes.
const PROMPTLY: Duration = Duration::from_secs(10);

fn uploaded(fake: &Fake, tag: &str, bytes: &[u8]) -> (String, String, PathBuf) {
    let path = temp_file(tag, "src.bin", bytes);
    let report = fake.client().upload(&path).send().unwrap();
    (
        report.asset_id,
        report.file_id,
        path.with_file_name("dest.bin"),
    )
}

fn on_download(nth: usize, action: Action) -> Fault {
    Fault {
        method: "GET",
        path_has: "/storage/objects/",
        query_has: None,
        nth,
        action,
    }
}

fn assert_io_error(result: iconik_sync::Result<impl std::fmt::Debug>, what: &str) {
    let e = result.expect_err("the download must fail");
    assert!(
        matches!(&e, Error::Io { context, .. } if context.contains(what)),
        "expected an I/O error saying {what:?}, got {e:?}"
    );
}

#[test]
fn a_content_length_beyond_iconiks_size_is_refused_before_its_body_is_read() {
    // 1 MiB in iconik; the storage announces 1 GiB and never stops sending
    let fake = Fake::new("S3");
    let bytes = data(1024 * KIB, 1);
    let (asset, file, dest) = uploaded(&fake, "dl-huge-length", &bytes);
    fake.fault(on_download(1, Action::Endless(200, vec![], Some(1 << 30))));
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    let started = Instant::now();
    assert_io_error(
        download(&fake.client()).send(),
        "storage announced 1073741824 bytes (Content-Length) for a file iconik records as 1048576 bytes",
    );
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    assert!(
        !download(&fake.client()).temp_path().exists(),
        "no temporary file left"
    );
    assert!(!dest.exists());
}

#[test]
fn an_endless_chunked_body_is_cut_off_at_iconiks_size() {
    let fake = Fake::new("S3");
    let bytes = data(300 * KIB, 2);
    let (asset, file, dest) = uploaded(&fake, "dl-endless", &bytes);
    fake.fault(on_download(1, Action::Endless(200, vec![], None)));
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    let started = Instant::now();
    assert_io_error(
        download(&fake.client()).send(),
        "storage sent more than the 307200 bytes of the file",
    );
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    assert!(
        !download(&fake.client()).temp_path().exists(),
        "the garbage is not left to resume"
    );
    // the next call starts afresh and gets the file
    let report = download(&fake.client()).send().unwrap();
    assert_eq!(report.resumes, 0);
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}

#[test]
fn a_content_range_total_other_than_iconiks_size_is_refused() {
    let fake = Fake::new("S3");
    let bytes = data(200 * KIB, 3);
    let (asset, file, dest) = uploaded(&fake, "dl-range-total", &bytes);
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    // a temporary file from an earlier call: the download resumes with Range
    std::fs::write(download(&fake.client()).temp_path(), &bytes[..1000]).unwrap();
    let range = format!("bytes 1000-{}/{}", 1 << 30, (1u64 << 30) + 1);
    fake.fault(on_download(
        1,
        Action::Endless(206, vec![("Content-Range".into(), range)], None),
    ));
    assert_io_error(
        download(&fake.client()).send(),
        "(Content-Range) for a file iconik records as 204800 bytes",
    );
    assert!(!download(&fake.client()).temp_path().exists());
}

#[test]
fn a_record_without_a_size_is_not_downloaded_unbounded() {
    let fake = Fake::new("S3");
    let bytes = data(10 * KIB, 4);
    let (asset, file, dest) = uploaded(&fake, "dl-no-size", &bytes);
    fake.fault(Fault {
        method: "GET",
        path_has: "/files/",
        query_has: None,
        nth: 1,
        action: Action::DropJson("size"),
    });
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    assert_io_error(download(&fake.client()).send(), "has no size");
    assert!(!download(&fake.client()).temp_path().exists());
}

/// A file outside the download that the temp path is made to reach.
fn victim(dir: &Path) -> PathBuf {
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    victim
}

#[test]
fn a_temp_path_that_is_a_symlink_is_neither_followed_nor_resumed() {
    let fake = Fake::new("S3");
    let bytes = data(100 * KIB, 5);
    let (asset, file, dest) = uploaded(&fake, "dl-symlink", &bytes);
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    let victim = victim(dest.parent().unwrap());
    std::os::unix::fs::symlink(&victim, download(&fake.client()).temp_path()).unwrap();
    assert_io_error(download(&fake.client()).send(), "not a regular file");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(!dest.exists());
    // a dangling link is not followed to create its target either
    let gone = dest.with_file_name("not-there.txt");
    std::fs::remove_file(download(&fake.client()).temp_path()).unwrap();
    std::os::unix::fs::symlink(&gone, download(&fake.client()).temp_path()).unwrap();
    assert_io_error(download(&fake.client()).send(), "not a regular file");
    assert!(!gone.exists());
    let gets = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.path.starts_with("/storage/objects/"))
        .count();
    assert_eq!(gets, 0, "nothing was fetched");
}

#[test]
fn a_temp_path_that_is_a_hard_link_or_a_fifo_is_not_resumed() {
    let fake = Fake::new("S3");
    let bytes = data(100 * KIB, 6);
    let (asset, file, dest) = uploaded(&fake, "dl-hardlink", &bytes);
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    let victim = victim(dest.parent().unwrap());
    std::fs::hard_link(&victim, download(&fake.client()).temp_path()).unwrap();
    assert_io_error(download(&fake.client()).send(), "not a regular file");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");

    std::fs::remove_file(download(&fake.client()).temp_path()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(download(&fake.client()).temp_path())
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    let started = Instant::now();
    assert_io_error(download(&fake.client()).send(), "not a regular file");
    assert!(
        started.elapsed() < PROMPTLY,
        "a FIFO must not hang the call"
    );
}

#[test]
fn a_regular_temp_file_of_its_own_is_still_resumed() {
    let fake = Fake::new("S3");
    let bytes = data(400 * KIB, 7);
    let (asset, file, dest) = uploaded(&fake, "dl-own", &bytes);
    let download = |c: &iconik_sync::Client| c.download(&asset, &file, &dest);
    std::fs::write(download(&fake.client()).temp_path(), &bytes[..100 * KIB]).unwrap();
    let report = download(&fake.client()).send().unwrap();
    assert_eq!(report.resumes, 1);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}
