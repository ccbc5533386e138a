//! The bulk sync benchmark (`iconik sync`, issue 24): a tree of many
//! small files in folders plus one large sparse file, up and down through
//! the real `iconik` binary against an emulator process, with the figures
//! BENCHMARKS.md asks for: files per second next to `iconik upload` of the
//! same files in one call, API calls per new file, 429s, peak memory
//! (the same run on a tenth of the files), a `kill -9` at a random point
//! and the resumed run, and two processes sharing the limit through Redis.
//!
//! Every command is a child process whose peak RSS (`VmHWM`) is read from
//! `/proc` while it runs; every emulator is a fresh `__emulator` child of
//! this binary, so neither's memory is the other's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::emulator::{ChildEmulator, EmuSettings, EmuStats};
use crate::procfs::{self, load_average};

/// What to run.
#[derive(Debug, Clone)]
pub struct SyncBench {
    /// Small files in the tree.
    pub files: usize,
    /// Folders they are spread over.
    pub folders: usize,
    /// Bytes per small file.
    pub size: usize,
    /// Bytes of the large (sparse) file; 0 for none.
    pub big: u64,
    /// `-j` of every command.
    pub jobs: usize,
    /// Where trees, journals and downloads go.
    pub dir: PathBuf,
    /// iconik's limits (50/1 s, 1000/20 s) on the emulator and in the
    /// commands; off: no limits anywhere.
    pub limits: bool,
    /// The `iconik` binary.
    pub iconik: PathBuf,
    /// This binary (for `__emulator`).
    pub exe: PathBuf,
    /// Sections to leave out: `baseline`, `memory`, `kill`, `redis`.
    pub skip: Vec<String>,
    /// RNG seed for the kill point.
    pub seed: u64,
}

/// One command's run.
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    elapsed: Duration,
    peak_kib: u64,
}

impl Run {
    fn report(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or(Value::Null)
    }

    fn ok(&self, what: &str) -> Result<(), String> {
        if self.code == Some(0) {
            Ok(())
        } else {
            Err(format!(
                "{what} exited {:?}: {}",
                self.code,
                self.stderr
                    .lines()
                    .rev()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(" / ")
            ))
        }
    }
}

/// Waits for `child`, reading its peak RSS every 20 ms.
fn watch(mut child: Child) -> Result<Run, String> {
    let started = Instant::now();
    let pid = child.id();
    let mut peak = 0;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let readers = (
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(o) = out.as_mut() {
                let _ = o.read_to_string(&mut s);
            }
            s
        }),
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = err.as_mut() {
                let _ = e.read_to_string(&mut s);
            }
            s
        }),
    );
    let status = loop {
        if let Some(kib) = procfs::peak_rss_kib(Some(pid)) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Run {
        elapsed: started.elapsed(),
        stdout: readers.0.join().unwrap_or_default(),
        stderr: readers.1.join().unwrap_or_default(),
        code: status.code(),
        peak_kib: peak,
    })
}

impl SyncBench {
    fn emulator(&self, limits: bool) -> Result<ChildEmulator, String> {
        let settings = EmuSettings {
            limits: if limits {
                vec!["50/1s".into(), "1000/20s".into()]
            } else {
                Vec::new()
            },
            ..EmuSettings::default()
        };
        ChildEmulator::start(&self.exe, &settings)
    }

    /// Waits until the calls made so far (the set-up's, the previous
    /// command's) have left the emulator's rate-limit windows (the longest
    /// is 20 s): they count there but not in the stats of the next run, and
    /// a new process's pacer cannot know of them.
    fn settle(&self, limits: bool) {
        if limits {
            std::thread::sleep(Duration::from_secs(21));
        }
    }

    /// `iconik ARGS` against `emu`, not waited for.
    fn spawn(&self, emu: &ChildEmulator, args: &[String], limits: bool) -> Result<Child, String> {
        let mut cmd = Command::new(&self.iconik);
        cmd.env("ICONIK_BASE_URL", &emu.base_url)
            .env("ICONIK_APP_ID", &emu.app_id)
            .env("ICONIK_AUTH_TOKEN", &emu.auth_token)
            .env("ICONIK_CONFIG", self.dir.join("no-config.toml"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !limits {
            cmd.arg("--no-rate-limit");
        }
        cmd.spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.iconik.display()))
    }

    fn iconik(&self, emu: &ChildEmulator, args: &[String], limits: bool) -> Result<Run, String> {
        watch(self.spawn(emu, args, limits)?)
    }

    /// A new collection on `emu`.
    fn collection(&self, emu: &ChildEmulator, title: &str) -> Result<String, String> {
        let client = iconik_sync::Client::builder()
            .app_id(&emu.app_id)
            .auth_token(&emu.auth_token)
            .base_url(&emu.base_url)
            .build()
            .map_err(|e| e.to_string())?;
        let v: Value = client
            .request(iconik_sync::Method::Post, "assets", "/v1/collections/")
            .json(&serde_json::json!({ "title": title }))
            .send::<Value>()
            .map_err(|e| e.to_string())?
            .into_data();
        v["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no collection id".into())
    }

    /// Runs every section; returns the Markdown report.
    ///
    /// # Errors
    /// A command that failed, a tree that came back different, a resumed
    /// run that duplicated or resent.
    pub fn run(&self) -> Result<String, String> {
        let mut md = String::new();
        let small = self.dir.join("tree");
        let built = Instant::now();
        let (sizes, md5s) = build_tree(&small, self.files, self.folders, self.size, self.big)?;
        let _ = writeln!(
            md,
            "### Bulk sync: {} files of {} B in {} folders{} (-j {}, limits {})\n\n\
             Tree built in {:.1} s. Load average before: {}\n",
            self.files,
            self.size,
            self.folders,
            if self.big > 0 {
                format!(" + one sparse file of {} MiB", self.big >> 20)
            } else {
                String::new()
            },
            self.jobs,
            if self.limits { "iconik's" } else { "off" },
            built.elapsed().as_secs_f64(),
            load_average()
        );
        let _ = writeln!(md, "| run | files | elapsed s | files/s | MiB/s | API calls | API calls per new file | 429s | peak RSS MiB |");
        let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");

        // up, the whole tree, with a journal
        let mut emu = self.emulator(self.limits)?;
        let target = self.collection(&emu, "Bench")?;
        self.settle(self.limits);
        emu.reset();
        let journal = self.dir.join("up.journal");
        let _ = std::fs::remove_file(&journal);
        let up = self.iconik(
            &emu,
            &self.sync_up(&small, &target, Some(&journal), &[]),
            self.limits,
        )?;
        up.ok("iconik sync (up)")?;
        let stats = emu.stats().unwrap_or_default();
        row(&mut md, "sync up (whole tree)", &up, &stats);

        // down, into an empty folder: the tree must come back identical
        self.settle(self.limits);
        emu.reset();
        let down_dir = self.dir.join("down");
        let _ = std::fs::remove_dir_all(&down_dir);
        let args = strings(&["sync", "--from-collection", &target]);
        let mut args = args;
        args.push(path(&down_dir));
        args.extend(strings(&["-j", &self.jobs.to_string()]));
        let down = self.iconik(&emu, &args, self.limits)?;
        down.ok("iconik sync (down)")?;
        let stats = emu.stats().unwrap_or_default();
        row(&mut md, "sync down (whole tree)", &down, &stats);
        compare_tree(&down_dir, &sizes, &md5s)?;
        drop(emu);

        if !self.skip.iter().any(|s| s == "baseline") {
            self.baseline(&mut md, &small)?;
        }
        if !self.skip.iter().any(|s| s == "memory") {
            self.memory(&mut md, up.peak_kib)?;
        }
        let _ = writeln!(md);
        if !self.skip.iter().any(|s| s == "kill") {
            self.kill(&mut md)?;
        }
        if !self.skip.iter().any(|s| s == "redis") {
            self.redis(&mut md)?;
        }
        let _ = writeln!(md, "\nLoad average after: {}", load_average());
        Ok(md)
    }

    fn sync_up(
        &self,
        local: &Path,
        target: &str,
        journal: Option<&Path>,
        extra: &[&str],
    ) -> Vec<String> {
        let mut args = vec!["sync".to_owned(), path(local)];
        args.extend(strings(&[
            "--to-collection",
            target,
            "-j",
            &self.jobs.to_string(),
        ]));
        if let Some(j) = journal {
            args.push("--journal".into());
            args.push(path(j));
        }
        args.extend(strings(extra));
        args
    }

    /// `iconik sync` of the small files only next to `iconik upload` of
    /// the same files in one call, each on a fresh emulator.
    fn baseline(&self, md: &mut String, small: &Path) -> Result<(), String> {
        let mut emu = self.emulator(self.limits)?;
        let target = self.collection(&emu, "Small")?;
        self.settle(self.limits);
        emu.reset();
        let sync = self.iconik(
            &emu,
            &self.sync_up(small, &target, None, &["--exclude", "big/"]),
            self.limits,
        )?;
        sync.ok("iconik sync (small files)")?;
        row(
            md,
            "sync up (small files)",
            &sync,
            &emu.stats().unwrap_or_default(),
        );
        drop(emu);

        let mut emu = self.emulator(self.limits)?;
        let target = self.collection(&emu, "Upload")?;
        self.settle(self.limits);
        emu.reset();
        let mut args = strings(&[
            "upload",
            "-j",
            &self.jobs.to_string(),
            "--collection-id",
            &target,
        ]);
        args.extend(small_files(small)?.iter().map(|p| path(p)));
        let upload = self.iconik(&emu, &args, self.limits)?;
        upload.ok("iconik upload")?;
        let files = self.files as u64;
        let stats = emu.stats().unwrap_or_default();
        let api = stats.requests - stats.by_operation.get("storage").copied().unwrap_or(0);
        let _ = writeln!(
            md,
            "| `iconik upload` (same small files, one call) | {files} | {:.1} | {:.1} | {:.2} | {api} | {:.2} | {} | {:.0} |",
            upload.elapsed.as_secs_f64(),
            files as f64 / upload.elapsed.as_secs_f64(),
            (files * self.size as u64) as f64 / upload.elapsed.as_secs_f64() / 1048576.0,
            api as f64 / files as f64,
            stats.rate_limited,
            upload.peak_kib as f64 / 1024.0
        );
        Ok(())
    }

    /// The same whole-tree sync with a tenth of the files: peak memory
    /// should not follow the file count.
    fn memory(&self, md: &mut String, full_peak_kib: u64) -> Result<(), String> {
        let tenth = self.dir.join("tenth");
        build_tree(
            &tenth,
            (self.files / 10).max(1),
            (self.folders / 10).max(1),
            self.size,
            self.big,
        )?;
        let mut emu = self.emulator(self.limits)?;
        let target = self.collection(&emu, "Tenth")?;
        self.settle(self.limits);
        emu.reset();
        let run = self.iconik(&emu, &self.sync_up(&tenth, &target, None, &[]), self.limits)?;
        run.ok("iconik sync (a tenth)")?;
        row(
            md,
            "sync up (a tenth of the files)",
            &run,
            &emu.stats().unwrap_or_default(),
        );
        let _ = writeln!(
            md,
            "\nPeak RSS: {:.0} MiB for {} files, {:.0} MiB for {} (same large file).",
            full_peak_kib as f64 / 1024.0,
            self.files,
            run.peak_kib as f64 / 1024.0,
            (self.files / 10).max(1)
        );
        Ok(())
    }

    /// `kill -9` after a random number of finished files (plus up to
    /// 200 ms), then the same command again: the result must equal an
    /// uninterrupted run and no finished file may be sent again.
    fn kill(&self, md: &mut String) -> Result<(), String> {
        let n = (self.files / 10).max(20);
        let tree = self.dir.join("kill");
        let (sizes, md5s) = build_tree(&tree, n, (self.folders / 10).max(2), self.size, 0)?;
        let mut rng = fastrand_seeded(self.seed);
        let kill_after = 1 + (rng() % (n as u64 - 1)) as usize;
        let extra_ms = rng() % 200;
        let mut emu = self.emulator(self.limits)?;
        let target = self.collection(&emu, "Kill")?;
        let journal = self.dir.join("kill.journal");
        let _ = std::fs::remove_file(&journal);
        let args = self.sync_up(&tree, &target, Some(&journal), &[]);
        let mut child = self.spawn(&emu, &args, self.limits)?;
        let started = Instant::now();
        while done_records(&journal).0 < kill_after {
            if child.try_wait().map_err(|e| e.to_string())?.is_some() {
                return Err("the run ended before the kill point".into());
            }
            if started.elapsed() > Duration::from_secs(3600) {
                return Err("the kill point was never reached".into());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(extra_ms));
        child.kill().map_err(|e| e.to_string())?; // SIGKILL
        let _ = child.wait();
        let killed_at = started.elapsed();
        std::thread::sleep(Duration::from_millis(300));
        let (finished, finished_paths) = done_records(&journal);
        let unfinished: u64 = sizes
            .iter()
            .filter(|(p, _)| !finished_paths.contains(*p))
            .map(|(_, s)| *s)
            .sum();
        self.settle(self.limits);
        emu.reset();
        let again = self.iconik(&emu, &args, self.limits)?;
        again.ok("iconik sync (resumed)")?;
        let stats = emu.stats().unwrap_or_default();
        let resent_ok = stats.storage_bytes_in <= unfinished;
        // the result: down into an empty folder equals the tree
        let check = self.dir.join("kill-down");
        let _ = std::fs::remove_dir_all(&check);
        let mut down = strings(&["sync", "--from-collection", &target]);
        down.push(path(&check));
        self.iconik(&emu, &down, self.limits)?
            .ok("iconik sync (check)")?;
        let same = compare_tree(&check, &sizes, &md5s);
        let collections = stats.creations.get("collections").copied().unwrap_or(0);
        let _ = writeln!(
            md,
            "Kill -9: {n} files, killed after {finished} finished files ({:.1} s in, target {kill_after} + {extra_ms} ms). \
             Resumed run: {} files uploaded, {} skipped as done, {} collections created, \
             storage bytes received {} (files not finished at the kill: {} B) -> {}; \
             result equal to an uninterrupted run (one asset per file, no duplicate): {}.\n",
            killed_at.as_secs_f64(),
            again.report()["transferred"]["files"],
            again.report()["skipped"]["files"],
            collections,
            stats.storage_bytes_in,
            unfinished,
            if resent_ok { "no finished file sent again" } else { "FINISHED FILES SENT AGAIN" },
            match &same {
                Ok(()) => "yes".to_owned(),
                Err(e) => format!("NO ({e})"),
            }
        );
        same?;
        if !resent_ok {
            return Err("the resumed run sent bytes of finished files".into());
        }
        Ok(())
    }

    /// Two processes syncing disjoint trees into one account at once,
    /// through one Redis, under iconik's limits; and without Redis.
    fn redis(&self, md: &mut String) -> Result<(), String> {
        let per = (self.files / 20).max(10);
        let (a, b) = (self.dir.join("redis-a"), self.dir.join("redis-b"));
        build_tree(&a, per, 5, self.size, 0)?;
        build_tree(&b, per, 5, self.size, 0)?;
        let server = crate::runner::fleet::RedisProcess::start()?;
        let _ = writeln!(md, "| two processes, {per} files each, iconik's limits | elapsed s | 429s | API calls | most requests in any 1 s / 20 s |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for shared in [true, false] {
            let mut emu = self.emulator(true)?;
            let (ta, tb) = (self.collection(&emu, "A")?, self.collection(&emu, "B")?);
            self.settle(true);
            emu.reset();
            let redis = server.url();
            let extra: Vec<&str> = if shared {
                vec!["--redis", &redis]
            } else {
                Vec::new()
            };
            let started = Instant::now();
            let pa = self.spawn(&emu, &self.sync_up(&a, &ta, None, &extra), true)?;
            let pb = self.spawn(&emu, &self.sync_up(&b, &tb, None, &extra), true)?;
            let (ra, rb) = (watch(pa)?, watch(pb)?);
            ra.ok("iconik sync (A)")?;
            rb.ok("iconik sync (B)")?;
            let stats = emu.stats().unwrap_or_default();
            let windows: Vec<String> = stats
                .max_in_window
                .iter()
                .map(|(limit, ms, most)| format!("{most}/{limit} per {} ms", ms))
                .collect();
            let _ = writeln!(
                md,
                "| {} | {:.1} | {} | {} | {} |",
                if shared {
                    "through Redis (`--redis`)"
                } else {
                    "each on its own (no Redis)"
                },
                started.elapsed().as_secs_f64(),
                stats.rate_limited,
                stats.requests,
                windows.join(", ")
            );
        }
        Ok(())
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// One table row for a sync run.
fn row(md: &mut String, what: &str, run: &Run, stats: &EmuStats) {
    let r = run.report();
    let files = r["transferred"]["files"].as_u64().unwrap_or(0);
    let bytes = r["transferred"]["bytes"].as_u64().unwrap_or(0);
    let secs = run.elapsed.as_secs_f64();
    let api = stats.requests - stats.by_operation.get("storage").copied().unwrap_or(0);
    let _ = writeln!(
        md,
        "| {what} | {files} | {secs:.1} | {:.1} | {:.2} | {api} | {:.2} | {} | {:.0} |",
        files as f64 / secs,
        bytes as f64 / secs / 1048576.0,
        api as f64 / files.max(1) as f64,
        stats.rate_limited,
        run.peak_kib as f64 / 1024.0
    );
}

/// Writes `n` files of `size` unique bytes over `folders` folders
/// (`d000/f00000.bin`) and, when `big` > 0, `big/big.bin` as a sparse file
/// of `big` bytes; returns relative path -> size and -> MD5 (small files).
#[allow(clippy::type_complexity)]
fn build_tree(
    root: &Path,
    n: usize,
    folders: usize,
    size: usize,
    big: u64,
) -> Result<(BTreeMap<String, u64>, BTreeMap<String, String>), String> {
    let _ = std::fs::remove_dir_all(root);
    let (mut sizes, mut md5s) = (BTreeMap::new(), BTreeMap::new());
    for i in 0..n {
        let rel = format!("d{:03}/f{i:05}.bin", i % folders.max(1));
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap_or(root)).map_err(|e| e.to_string())?;
        let mut bytes = vec![0u8; size];
        let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for b in bytes.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
        md5s.insert(
            rel.clone(),
            iconik_sync::checksum::md5_reader(&bytes[..]).map_err(|e| e.to_string())?,
        );
        sizes.insert(rel, size as u64);
    }
    if big > 0 {
        let path = root.join("big/big.bin");
        std::fs::create_dir_all(root.join("big")).map_err(|e| e.to_string())?;
        let f = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        f.set_len(big).map_err(|e| e.to_string())?; // sparse: zeros, no blocks
        sizes.insert("big/big.bin".into(), big);
    }
    Ok((sizes, md5s))
}

/// Every small file of a tree built by [`build_tree`].
fn small_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).map_err(|e| e.to_string())? {
        let dir = dir.map_err(|e| e.to_string())?.path();
        if dir.file_name().is_some_and(|n| n == "big") || !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            out.push(f.map_err(|e| e.to_string())?.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Checks that `root` holds exactly the files of `sizes`, the small ones
/// with their MD5.
fn compare_tree(
    root: &Path,
    sizes: &BTreeMap<String, u64>,
    md5s: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut found = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(root)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .into_owned();
            let want = sizes
                .get(&rel)
                .ok_or_else(|| format!("unexpected file {rel}"))?;
            let len = std::fs::metadata(&p).map_err(|e| e.to_string())?.len();
            if len != *want {
                return Err(format!("{rel}: {len} bytes, expected {want}"));
            }
            if let Some(md5) = md5s.get(&rel) {
                let got = iconik_sync::checksum::md5_file(&p).map_err(|e| e.to_string())?;
                if &got != md5 {
                    return Err(format!("{rel}: MD5 {got}, expected {md5}"));
                }
            }
            found += 1;
        }
    }
    if found != sizes.len() {
        return Err(format!("{found} files, expected {}", sizes.len()));
    }
    Ok(())
}

/// Finished (transferred) files in a journal: the count, and their paths.
fn done_records(journal: &Path) -> (usize, std::collections::HashSet<String>) {
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    let paths: std::collections::HashSet<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["kind"] == "done" && v["ended"] == "transferred")
        .filter_map(|v| v["path"].as_str().map(str::to_owned))
        .collect();
    (paths.len(), paths)
}

/// A tiny seeded generator (xorshift), for the kill point.
fn fastrand_seeded(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}
