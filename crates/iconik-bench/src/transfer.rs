//! Transfer benchmarks: a fake iconik + S3 storage that keeps objects on
//! disk (run as a child process, so its memory is not the client's), the
//! peak-RSS check of a large upload, and upload/download throughput
//! against a plain ureq PUT/GET loop to the same storage.
//!
//! The fake follows the transfer contract's S3 side only: default
//! storage, asset/format/file set/file records, multipart part URLs,
//! complete/abort, close (PATCH, refused with 400 when the checksum is
//! not the MD5 of the stored object), the file record, its download URL,
//! and the storage itself under `/storage/`.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::{json, Value};

/// Bytes moved per read/write in the fake.
const BUF: usize = 256 * 1024;

/// State of the fake: where objects and parts live.
struct Fake {
    dir: PathBuf,
    base: String,
    next: AtomicU64,
    /// file id -> (size, md5) of completed objects.
    objects: Mutex<HashMap<String, (u64, String)>>,
}

/// Serves the fake on `listener` until the process ends.
pub fn serve(listener: TcpListener, dir: PathBuf) -> io::Result<()> {
    std::fs::create_dir_all(&dir)?;
    let base = format!("http://{}", listener.local_addr()?);
    let fake = Arc::new(Fake {
        dir,
        base,
        next: AtomicU64::new(1),
        objects: Mutex::new(HashMap::new()),
    });
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let fake = fake.clone();
        std::thread::spawn(move || {
            let _ = connection(&fake, conn);
        });
    }
    Ok(())
}

struct Head {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn q(&self, key: &str) -> Option<&str> {
        self.query.split('&').find_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k == key).then_some(v)
        })
    }
}

fn connection(fake: &Fake, conn: TcpStream) -> io::Result<()> {
    conn.set_nodelay(true)?;
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::with_capacity(BUF, conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_owned();
        let target = parts.next().unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut head = Head {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers: Vec::new(),
        };
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                head.headers
                    .push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len: u64 = head
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = (&mut reader).take(len);
        route(fake, &head, &mut body, &mut out)?;
        // drain what the route did not read
        io::copy(&mut body, &mut io::sink())?;
    }
}

fn reply(
    out: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    out.write_all(text.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

fn json_reply(out: &mut TcpStream, status: u16, value: Value) -> io::Result<()> {
    reply(
        out,
        status,
        &[("Content-Type", "application/json".into())],
        value.to_string().as_bytes(),
    )
}

/// Copies `body` to `to`, returning (bytes, md5 hex).
fn sink_body(body: &mut impl Read, to: &mut impl Write) -> io::Result<(u64, String)> {
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; BUF];
    let mut n = 0u64;
    loop {
        let k = body.read(&mut buf)?;
        if k == 0 {
            break;
        }
        hasher.update(&buf[..k]);
        to.write_all(&buf[..k])?;
        n += k as u64;
    }
    Ok((n, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn route(fake: &Fake, head: &Head, body: &mut impl Read, out: &mut TcpStream) -> io::Result<()> {
    let seg: Vec<&str> = head.path.trim_matches('/').split('/').collect();
    let base = &fake.base;
    let id = || fake.next.fetch_add(1, Ordering::Relaxed);
    match (head.method.as_str(), &seg[..]) {
        ("GET", ["API", "files", "v1", "storages", "FILES", "default"]) => {
            json_reply(out, 200, json!({"id": "s3-bench", "method": "S3"}))
        }
        ("POST", ["API", "assets", "v1", "assets"])
        | ("POST", ["API", "files", "v1", "assets", _, "formats"])
        | ("POST", ["API", "files", "v1", "assets", _, "file_sets"]) => {
            json_reply(out, 201, json!({"id": format!("id-{}", id())}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "files"]) => {
            let f = format!("file-{}", id());
            json_reply(
                out,
                201,
                json!({"id": f, "storage_method": "S3",
                "upload_url": format!("{base}/storage/{f}?X-Amz-Signature=s"),
                "multipart_upload_url": format!("{base}/storage/{f}?uploads")}),
            )
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", f, "multipart_url", "part"]) => {
            let upload = head.q("upload_id").unwrap_or("");
            let n: u32 = head
                .q("parts_num")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let objects: Vec<Value> = (1..=n)
                .map(|i| json!({"number": i, "url": format!("{base}/storage/{f}?partNumber={i}&uploadId={upload}")}))
                .collect();
            json_reply(out, 200, json!({"objects": objects}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", f, "multipart_url"]) => {
            let upload = head.q("upload_id").unwrap_or("");
            let url = format!("{base}/storage/{f}?uploadId={upload}");
            json_reply(
                out,
                200,
                json!({"complete_url": url, "abort_url": url, "list_parts_url": [url]}),
            )
        }
        ("PATCH", ["API", "files", "v1", "assets", _, "files", f]) => {
            let mut text = Vec::new();
            body.read_to_end(&mut text)?;
            let sent: Value = serde_json::from_slice(&text).unwrap_or(Value::Null);
            let stored = fake.objects.lock().unwrap().get(*f).cloned();
            match stored {
                Some((size, md5)) if sent["checksum"] == md5.as_str() && sent["size"] == size => {
                    json_reply(out, 200, json!({"id": f}))
                }
                _ => json_reply(
                    out,
                    400,
                    json!({"errors": ["checksum or size differ from the stored object"]}),
                ),
            }
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", f]) => {
            let (size, md5) = fake
                .objects
                .lock()
                .unwrap()
                .get(*f)
                .cloned()
                .unwrap_or_default();
            json_reply(out, 200, json!({"id": f, "size": size, "checksum": md5}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", f, "download_url"]) => json_reply(
            out,
            200,
            json!({"url": format!("{base}/storage/{f}?X-Amz-Signature=s")}),
        ),
        (_, ["storage", f]) => storage(fake, head, f, body, out),
        _ => json_reply(out, 404, json!({"errors": ["no route"]})),
    }
}

fn storage(
    fake: &Fake,
    head: &Head,
    f: &str,
    body: &mut impl Read,
    out: &mut TcpStream,
) -> io::Result<()> {
    let object = fake.dir.join(f);
    match (head.method.as_str(), head.q("uploadId")) {
        ("POST", None) => {
            let upload = format!("up-{}", fake.next.fetch_add(1, Ordering::Relaxed));
            std::fs::create_dir_all(fake.dir.join(&upload))?;
            let xml = format!("<InitiateMultipartUploadResult><UploadId>{upload}</UploadId></InitiateMultipartUploadResult>");
            reply(out, 200, &[], xml.as_bytes())
        }
        ("PUT", None) => {
            let (size, md5) = sink_body(body, &mut File::create(&object)?)?;
            fake.objects
                .lock()
                .unwrap()
                .insert(f.to_owned(), (size, md5.clone()));
            reply(out, 200, &[("ETag", format!("\"{md5}\""))], b"")
        }
        ("PUT", Some(upload)) => {
            let n = head.q("partNumber").unwrap_or("0");
            let (_, md5) = sink_body(body, &mut File::create(fake.dir.join(upload).join(n))?)?;
            reply(out, 200, &[("ETag", format!("\"{md5}\""))], b"")
        }
        ("POST", Some(upload)) => {
            let mut text = String::new();
            body.read_to_string(&mut text)?;
            let mut file = File::create(&object)?;
            let mut hasher = Md5::new();
            let mut size = 0u64;
            let mut buf = vec![0u8; BUF];
            for part in text.split("<PartNumber>").skip(1) {
                let n = part.split('<').next().unwrap_or("0");
                let path = fake.dir.join(upload).join(n);
                let mut src = File::open(&path)?;
                loop {
                    let k = src.read(&mut buf)?;
                    if k == 0 {
                        break;
                    }
                    hasher.update(&buf[..k]);
                    file.write_all(&buf[..k])?;
                    size += k as u64;
                }
            }
            let _ = std::fs::remove_dir_all(fake.dir.join(upload));
            fake.objects
                .lock()
                .unwrap()
                .insert(f.to_owned(), (size, hex(&hasher.finalize())));
            reply(out, 200, &[], b"<CompleteMultipartUploadResult/>")
        }
        ("DELETE", Some(upload)) => {
            let _ = std::fs::remove_dir_all(fake.dir.join(upload));
            reply(out, 204, &[], b"")
        }
        ("GET", None) => {
            let mut file = File::open(&object)?;
            let total = file.metadata()?.len();
            let from: u64 = head
                .header("range")
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse().ok())
                .unwrap_or(0);
            file.seek(SeekFrom::Start(from))?;
            let (status, extra) = if from > 0 {
                (
                    206,
                    vec![(
                        "Content-Range",
                        format!("bytes {from}-{}/{total}", total - 1),
                    )],
                )
            } else {
                (200, Vec::new())
            };
            let mut text = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n",
                total - from
            );
            for (k, v) in extra {
                text.push_str(&format!("{k}: {v}\r\n"));
            }
            text.push_str("\r\n");
            out.write_all(text.as_bytes())?;
            io::copy(&mut file, out)?;
            out.flush()
        }
        _ => reply(out, 400, &[], b""),
    }
}

/// A fake running in a child process (this binary's `fake` subcommand).
pub struct Child {
    pub base_url: String,
    child: std::process::Child,
    pub dir: PathBuf,
}

impl Child {
    /// Starts `exe fake <dir>` and reads its base URL from its first line.
    pub fn start(exe: &Path, dir: PathBuf) -> io::Result<Child> {
        let mut child = std::process::Command::new(exe)
            .arg("fake")
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        Ok(Child {
            base_url: line.trim().to_owned(),
            child,
            dir,
        })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A client for the fake.
pub fn client(base_url: &str) -> iconik_sync::Result<iconik_sync::Client> {
    iconik_sync::Client::builder()
        .app_id("bench")
        .auth_token("bench")
        .base_url(base_url)
        .timeout(Duration::from_secs(300))
        .build()
}

/// A sparse file of `size` zero bytes.
pub fn sparse_file(path: &Path, size: u64) -> io::Result<()> {
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)?;
    file.set_len(size)
}

/// A file of `size` pseudo-random bytes (written, not sparse).
pub fn random_file(path: &Path, size: u64) -> io::Result<()> {
    let mut file = io::BufWriter::new(File::create(path)?);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut buf = vec![0u8; BUF];
    let mut left = size;
    while left > 0 {
        for chunk in buf.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bytes = state.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        let n = left.min(BUF as u64) as usize;
        file.write_all(&buf[..n])?;
        left -= n as u64;
    }
    file.flush()
}

/// The baseline: the same bytes PUT to the fake storage with plain ureq,
/// `part_size` at a time from a file, one request after another, then
/// GET back to a file; with `md5`, also hashing the bytes in the same
/// pass (what the client must do for iconik). Returns (upload seconds,
/// download seconds).
pub fn raw_loop(
    base_url: &str,
    path: &Path,
    part_size: u64,
    dest: &Path,
    md5: bool,
) -> io::Result<(f64, f64)> {
    let mut hasher = Md5::new();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let size = std::fs::metadata(path)?.len();
    let object = format!("raw-{}", std::process::id());
    let started = std::time::Instant::now();
    let answer = agent
        .post(&format!("{base_url}/storage/{object}?uploads"))
        .send_empty()
        .map_err(io::Error::other)?
        .into_body()
        .read_to_string()
        .map_err(io::Error::other)?;
    let upload = answer
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .to_owned();
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; part_size as usize];
    let mut number = 0;
    let mut complete = String::from("<CompleteMultipartUpload>");
    let mut offset = 0u64;
    while offset < size {
        number += 1;
        let len = part_size.min(size - offset) as usize;
        file.read_exact(&mut buf[..len])?;
        if md5 {
            hasher.update(&buf[..len]);
        }
        let etag = agent
            .put(&format!(
                "{base_url}/storage/{object}?partNumber={number}&uploadId={upload}"
            ))
            .send(&buf[..len])
            .map_err(io::Error::other)?
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        complete.push_str(&format!(
            "<Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag></Part>"
        ));
        offset += len as u64;
    }
    complete.push_str("</CompleteMultipartUpload>");
    agent
        .post(&format!("{base_url}/storage/{object}?uploadId={upload}"))
        .send(complete.as_bytes())
        .map_err(io::Error::other)?;
    let up = started.elapsed().as_secs_f64();

    let started = std::time::Instant::now();
    let response = agent
        .get(&format!("{base_url}/storage/{object}"))
        .call()
        .map_err(io::Error::other)?;
    let mut reader = response
        .into_body()
        .into_with_config()
        .limit(u64::MAX)
        .reader();
    let mut out = File::create(dest)?;
    if md5 {
        let mut hasher = Md5::new();
        let mut buf = vec![0u8; BUF];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
            hasher.update(&buf[..n]);
        }
        let _ = hasher.finalize();
    } else {
        io::copy(&mut reader, &mut out)?;
    }
    out.sync_all()?;
    let _ = hasher.finalize();
    Ok((up, started.elapsed().as_secs_f64()))
}
