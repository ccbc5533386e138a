//! A static nginx on loopback: a fast server nobody here wrote, for the
//! floor scenario.
//!
//! nginx from the system packages (Debian: `apt-get install nginx`) is
//! started on a free `127.0.0.1` port with a generated configuration:
//! one process (`master_process off`, so its CPU is one process's), no
//! access log, keep-alive connections never closed by request count, and
//! one location, the asset path, answering with a static JSON body (the
//! emulator's sample asset, byte for byte).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iconik_emulator::{Emulator, EmulatorConfig};

/// Where Debian puts nginx when it is not on `PATH`.
const SBIN: &str = "/usr/sbin/nginx";

/// How long nginx gets to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running nginx; stopped and its directory removed on drop.
#[derive(Debug)]
pub struct Nginx {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// `nginx -v`, e.g. `nginx/1.22.1`.
    pub version: String,
}

/// The nginx binary, or a message saying how to install it.
pub fn binary() -> Result<PathBuf, String> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("nginx"))
            .find(|p| p.is_file())
    });
    on_path
        .or_else(|| Path::new(SBIN).is_file().then(|| PathBuf::from(SBIN)))
        .ok_or_else(|| {
            "nginx is not installed (not on PATH, not in /usr/sbin); on Debian: \
             `apt-get update && apt-get install -y nginx` as root"
                .to_owned()
        })
}

/// The emulator's sample asset `asset_id` as it serves it: the body nginx
/// will answer with.
pub fn sample_asset_body(asset_id: &str) -> Result<Vec<u8>, String> {
    let emu = Emulator::start(EmulatorConfig::new().seed_data(true).no_rate_limit())
        .map_err(|e| format!("cannot start the emulator for the sample body: {e}"))?;
    let url = format!("{}/API/assets/v1/assets/{asset_id}/", emu.base_url());
    let mut response = ureq::get(&url)
        .header("App-ID", emu.app_id())
        .header("Auth-Token", emu.auth_token())
        .call()
        .map_err(|e| format!("cannot fetch the sample asset: {e}"))?;
    response
        .body_mut()
        .read_to_vec()
        .map_err(|e| format!("cannot read the sample asset: {e}"))
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn config(dir: &Path, port: u16, asset_id: &str) -> String {
    let d = dir.display();
    format!(
        "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 600s;
    server {{
        listen 127.0.0.1:{port};
        location = /API/assets/v1/assets/{asset_id}/ {{
            default_type application/json;
            root {d};
            rewrite ^ /asset.json break;
        }}
    }}
}}
"
    )
}

impl Nginx {
    /// Starts nginx serving `body` at the asset path of `asset_id`.
    ///
    /// # Errors
    /// A message: nginx missing (with the install command), or why it did
    /// not start (the tail of its error log).
    pub fn start(asset_id: &str, body: &[u8]) -> Result<Nginx, String> {
        if !asset_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!("asset id {asset_id:?} cannot be a static path"));
        }
        let bin = binary()?;
        let version = Command::new(&bin)
            .arg("-v")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_owned())
            .unwrap_or_default();
        let version = version
            .strip_prefix("nginx version: ")
            .unwrap_or(&version)
            .to_owned();
        let dir = std::env::temp_dir().join(format!("iconik-bench-nginx-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tmp")).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(dir.join("asset.json"), body).map_err(|e| e.to_string())?;
        let port = free_port()?;
        std::fs::write(dir.join("nginx.conf"), config(&dir, port, asset_id))
            .map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut nginx = Nginx {
            child,
            dir,
            base_url: format!("http://127.0.0.1:{port}"),
            version,
        };
        let started = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(nginx);
            }
            let exited = nginx.child.try_wait().ok().flatten();
            if exited.is_some() || started.elapsed() > START_TIMEOUT {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(3).collect();
                return Err(format!(
                    "nginx did not start listening on 127.0.0.1:{port} ({}): {}",
                    exited.map_or("timed out".to_owned(), |s| s.to_string()),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// User + system CPU seconds nginx has used so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        crate::procfs::cpu_seconds(Some(self.child.id()))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_serves_only_the_asset_path_on_loopback() {
        let c = config(Path::new("/tmp/x"), 18080, "a-1");
        assert!(c.contains("listen 127.0.0.1:18080;"));
        assert!(c.contains("location = /API/assets/v1/assets/a-1/ {"));
        assert!(c.contains("root /tmp/x;"));
        assert!(c.contains("rewrite ^ /asset.json break;"));
        assert!(c.contains("master_process off;") && c.contains("access_log off;"));
        assert_eq!(c.matches("location").count(), 1);
    }

    #[test]
    fn an_asset_id_that_is_not_a_plain_path_segment_is_refused() {
        for bad in ["../etc", "a b", "a;b", "a/b", "{x}"] {
            let err = Nginx::start(bad, b"{}").unwrap_err();
            assert!(err.contains("cannot be a static path"), "{bad}: {err}");
        }
    }
}
