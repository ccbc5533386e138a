//! Running one build and measuring it: wall time, the peak RSS of its
//! largest process (GNU time's `%M`: Linux reports the largest of a waited
//! process and all its waited descendants, here the heaviest rustc), and the
//! peak RSS of the whole process tree, sampled from `/proc` every 100 ms.
//! Temporary directories live under the system's temp folder, never in the
//! repository, and are removed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A directory removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A new empty directory `<base>/iconik-bench-<label>-<pid>-<n>`.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn new(base: &Path, label: &str) -> Result<TempDir, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = base.join(format!("iconik-bench-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempDir { path })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A command to measure (built into a [`Command`] by [`run`]).
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The program (`cargo`).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Invocation {
    /// `cargo <args>` in `cwd`.
    pub fn cargo(cwd: &Path, args: &[&str]) -> Invocation {
        Invocation {
            program: std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            cwd: cwd.to_owned(),
            env: Vec::new(),
        }
    }

    /// Adds an environment variable.
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Invocation {
        self.env
            .push((k.to_owned(), v.as_ref().to_string_lossy().into_owned()));
        self
    }

    /// The command as a person would type it (for error messages).
    pub fn shown(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What one measured command did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timed {
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Peak RSS of its largest process, KiB (GNU time's `%M`).
    pub max_rss_kib: Option<u64>,
    /// Peak of the summed RSS of the whole process tree, KiB (sampled).
    pub tree_rss_kib: Option<u64>,
    /// `None` when it succeeded, else the reason and the end of its output.
    pub error: Option<String>,
}

/// GNU time, when installed (Debian's package `time`).
fn gnu_time() -> Option<&'static str> {
    let p = "/usr/bin/time";
    Path::new(p).exists().then_some(p)
}

/// Parses GNU time's `-f "%e %M"` output (the last line that fits).
pub fn parse_time_output(text: &str) -> Option<(f64, u64)> {
    text.lines().rev().find_map(|l| {
        let mut it = l.split_whitespace();
        let wall = it.next()?.parse().ok()?;
        let rss = it.next()?.parse().ok()?;
        it.next().is_none().then_some((wall, rss))
    })
}

/// Runs `inv` to completion, its output into `log` (never a pipe that could
/// fill up), and measures it.
pub fn run(inv: &Invocation, log: &Path) -> Timed {
    let time_file = log.with_extension("time");
    let mut cmd = match gnu_time() {
        Some(t) => {
            let mut c = Command::new(t);
            c.arg("-f").arg("%e %M").arg("-o").arg(&time_file);
            c.arg(&inv.program);
            c
        }
        None => Command::new(&inv.program),
    };
    cmd.args(&inv.args)
        .current_dir(&inv.cwd)
        .stdin(Stdio::null());
    for (k, v) in &inv.env {
        cmd.env(k, v);
    }
    let (out, err) = match std::fs::File::create(log).and_then(|f| Ok((f.try_clone()?, f))) {
        Ok(pair) => pair,
        Err(e) => return failed(format!("{}: {e}", log.display())),
    };
    cmd.stdout(out).stderr(err);
    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot run {}: {e}", inv.shown())),
    };
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, peak, root) = (done.clone(), peak.clone(), child.id());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(tree_rss_kib(root), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let status = child.wait();
    let wall_s = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let max_rss_kib = std::fs::read_to_string(&time_file)
        .ok()
        .and_then(|t| parse_time_output(&t))
        .map(|(_, rss)| rss);
    let error = match status {
        Ok(s) if s.success() => None,
        Ok(s) => Some(format!(
            "`{}` exited with {s}: {}",
            inv.shown(),
            tail(log, 12)
        )),
        Err(e) => Some(format!("waiting for `{}`: {e}", inv.shown())),
    };
    let tree = peak.load(Ordering::Relaxed);
    Timed {
        wall_s,
        max_rss_kib,
        tree_rss_kib: (tree > 0).then_some(tree),
        error,
    }
}

fn failed(why: String) -> Timed {
    Timed {
        error: Some(why),
        ..Timed::default()
    }
}

/// The last `n` lines of a file, on one line.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join(" / ")
}

/// The summed RSS (KiB) of `root` and all its descendants now, from
/// `/proc/<pid>/stat` (parent links) and `/proc/<pid>/statm` (resident pages).
fn tree_rss_kib(root: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut parent = std::collections::HashMap::new();
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // fields after the command name: state, ppid, ...
        let ppid = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pp) = ppid {
            parent.insert(pid, pp);
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parent.get(&pid) {
                Some(&pp) if pp != 0 && pp != pid => pid = pp,
                _ => return false,
            }
        }
        false
    };
    let page_kib = 4; // Linux on x86-64 and aarch64 default pages
    parent
        .keys()
        .filter(|&&pid| in_tree(pid))
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/statm")).ok())
        .filter_map(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| pages * page_kib)
        .sum()
}

/// Total bytes and number of files under `dir` (symlinks not followed).
pub fn dir_size(dir: &Path) -> (u64, u64) {
    let (mut bytes, mut files) = (0, 0);
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = e.path().symlink_metadata() else {
                continue;
            };
            if m.is_dir() {
                todo.push(e.path());
            } else if m.is_file() {
                bytes += m.len();
                files += 1;
            }
        }
    }
    (bytes, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gnu_time() {
        assert_eq!(
            parse_time_output("93.51 3812345\n"),
            Some((93.51, 3_812_345))
        );
        assert_eq!(
            parse_time_output("Command exited with non-zero status 101\n2.00 1234\n"),
            Some((2.0, 1234))
        );
        assert_eq!(parse_time_output("garbage"), None);
    }

    #[test]
    fn measures_a_small_command_and_cleans_up() {
        let tmp = TempDir::new(&std::env::temp_dir(), "selftest").unwrap();
        let path = tmp.path().to_owned();
        std::fs::write(path.join("a"), b"12345").unwrap();
        std::fs::create_dir(path.join("d")).unwrap();
        std::fs::write(path.join("d/b"), b"123").unwrap();
        assert_eq!(dir_size(&path), (8, 2));
        let inv = Invocation {
            program: "sh".into(),
            args: vec!["-c".into(), "echo hi; exit 3".into()],
            cwd: path.clone(),
            env: vec![],
        };
        let t = run(&inv, &path.join("log"));
        let err = t.error.unwrap_or_default();
        assert!(err.contains("hi"), "{err}");
        drop(tmp);
        assert!(!path.exists());
    }
}
