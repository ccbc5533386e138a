//! `iconik-bench-transfer`: transfer figures for BENCHMARKS.md.
//!
//! ```text
//! iconik-bench-transfer rss [SIZE_MIB] [PART_MIB] [PARALLELISM]
//!     upload a sparse file of SIZE_MIB (default 1024) through iconik-sync
//!     to a fake S3 storage in a child process; print this process's peak
//!     RSS against part_size x parallelism + 32 MiB
//! iconik-bench-transfer throughput [SIZE_MIB] [RUNS] [PART_MIB]
//!     interleaved runs: a plain ureq PUT/GET loop vs iconik-sync upload
//!     (parallelism 1 and 4) and download of the same file
//! ```
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::time::Instant;

use iconik_bench::transfer::{self, Child};

const MIB: u64 = 1024 * 1024;

fn arg(args: &[String], i: usize, default: u64) -> u64 {
    args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("fake") => fake(&args),
        Some("rss") => rss(&args),
        Some("throughput") => throughput(&args),
        _ => Err("usage: iconik-bench-transfer rss|throughput [...] (see the source)".into()),
    };
    if let Err(e) = result {
        eprintln!("iconik-bench-transfer: {e}");
        std::process::exit(2);
    }
}

fn fake(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.get(1).ok_or("fake needs a directory")?);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    println!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    transfer::serve(listener, dir).map_err(|e| e.to_string())
}

fn workdir(tag: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("iconik-bench-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn rss(args: &[String]) -> Result<(), String> {
    let size = arg(args, 1, 1024) * MIB;
    let part = arg(args, 2, 16) * MIB;
    let parallelism = arg(args, 3, 4) as usize;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = workdir("rss")?;
    let path = dir.join("sparse.bin");
    transfer::sparse_file(&path, size).map_err(|e| e.to_string())?;
    let fake = Child::start(&exe, dir.join("storage")).map_err(|e| e.to_string())?;
    let client = transfer::client(&fake.base_url).map_err(|e| e.to_string())?;
    let before = iconik_bench::procfs::peak_rss_kib(None).unwrap_or(0);
    let started = Instant::now();
    let report = client
        .upload(&path)
        .part_size(part)
        .parallelism(parallelism)
        .send()
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    let peak = iconik_bench::procfs::peak_rss_kib(None).unwrap_or(0);
    let bound = (part * parallelism as u64 + 32 * MIB) / 1024;
    println!(
        "upload of {} MiB sparse file: {} parts, md5 {} (checked by the fake at close), {:.1} s, {:.0} MiB/s",
        size / MIB,
        report.parts,
        report.md5,
        secs,
        size as f64 / MIB as f64 / secs
    );
    println!(
        "peak RSS {} MiB (before the upload {} MiB); bound part_size x parallelism + 32 MiB = {} MiB: {}",
        peak / 1024,
        before / 1024,
        bound / 1024,
        if peak <= bound { "under" } else { "OVER" }
    );
    drop(fake);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn throughput(args: &[String]) -> Result<(), String> {
    let size = arg(args, 1, 256) * MIB;
    let runs = arg(args, 2, 3);
    let part = arg(args, 3, 16) * MIB;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = workdir("throughput")?;
    let path = dir.join("random.bin");
    transfer::random_file(&path, size).map_err(|e| e.to_string())?;
    let fake = Child::start(&exe, dir.join("storage")).map_err(|e| e.to_string())?;
    let client = transfer::client(&fake.base_url).map_err(|e| e.to_string())?;
    let mib = size as f64 / MIB as f64;
    let names = [
        "raw PUT loop",
        "raw PUT loop + MD5",
        "upload, parallelism 1",
        "upload, parallelism 4",
        "raw GET",
        "raw GET + MD5",
        "download",
    ];
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for run in 0..runs {
        for (md5, up_row, down_row) in [(false, 0, 4), (true, 1, 5)] {
            let (up, down) =
                transfer::raw_loop(&fake.base_url, &path, part, &dir.join("raw.out"), md5)
                    .map_err(|e| e.to_string())?;
            rows[up_row].push(mib / up);
            rows[down_row].push(mib / down);
        }
        let mut last = None;
        for (row, parallelism) in [(2usize, 1usize), (3, 4)] {
            let started = Instant::now();
            let report = client
                .upload(&path)
                .part_size(part)
                .parallelism(parallelism)
                .send()
                .map_err(|e| e.to_string())?;
            rows[row].push(mib / started.elapsed().as_secs_f64());
            last = Some(report);
        }
        let report = last.expect("uploaded");
        let dest = dir.join("down.out");
        let started = Instant::now();
        client
            .download(&report.asset_id, &report.file_id, &dest)
            .send()
            .map_err(|e| e.to_string())?;
        rows[6].push(mib / started.elapsed().as_secs_f64());
        eprintln!("run {} of {runs} done", run + 1);
    }
    println!(
        "{} MiB file, {} MiB parts, {runs} interleaved runs (MiB/s, median [min-max])",
        size / MIB,
        part / MIB
    );
    println!();
    println!("| transfer | MiB/s | vs raw | vs raw + MD5 |");
    println!("|---|---|---|---|");
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    for (i, values) in rows.iter().enumerate() {
        let m = median(values);
        let lo = values.iter().copied().fold(f64::MAX, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        let (raw, raw_md5) = if i < 4 {
            (median(&rows[0]), median(&rows[1]))
        } else {
            (median(&rows[4]), median(&rows[5]))
        };
        println!(
            "| {} | {m:.0} [{lo:.0}-{hi:.0}] | {:.2}x | {:.2}x |",
            names[i],
            m / raw,
            m / raw_md5
        );
    }
    drop(fake);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
