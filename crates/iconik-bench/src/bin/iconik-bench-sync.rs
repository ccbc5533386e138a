//! `iconik-bench-sync`: the bulk sync figures for BENCHMARKS.md (issue 24).
//!
//! ```text
//! cargo build --release -p iconik-cli -p iconik-bench
//! target/release/iconik-bench-sync [options]
//!   --files N       small files (default 10000)
//!   --folders N     folders they are spread over (default 100)
//!   --size BYTES    bytes per small file (default 4096)
//!   --big-mib N     the large sparse file, MiB (default 2048; 0: none)
//!   -j N            files at once, every command (default 8)
//!   --no-limits     no rate limits (emulator and commands); default: iconik's
//!   --dir DIR       work folder (default target/bench-sync)
//!   --iconik PATH   the iconik binary (default: next to this one)
//!   --skip LIST     leave out sections: baseline,memory,kill,redis
//!   --seed N        seed of the kill point (default: the time)
//!   --quick         --files 400 --folders 8 --big-mib 64
//! ```
//!
//! Prints a Markdown report on stdout; exits 1 when a check fails (a tree
//! that came back different, a resumed run that duplicated or resent).
#![forbid(unsafe_code)]

use std::path::PathBuf;

use iconik_bench::sync::SyncBench;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__emulator") {
        if let Err(e) = iconik_bench::emulator::serve_child(&args[1..]) {
            eprintln!("iconik-bench-sync: {e}");
            std::process::exit(2);
        }
        return;
    }
    let bench = match parse(&args) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("iconik-bench-sync: {e}");
            std::process::exit(2);
        }
    };
    match bench.run() {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("iconik-bench-sync: check failed: {e}");
            std::process::exit(1);
        }
    }
}

fn parse(args: &[String]) -> Result<SyncBench, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let sibling = exe.with_file_name("iconik");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut b = SyncBench {
        files: 10_000,
        folders: 100,
        size: 4096,
        big: 2048 << 20,
        jobs: 8,
        dir: PathBuf::from("target/bench-sync"),
        limits: true,
        iconik: sibling,
        exe,
        skip: Vec::new(),
        seed,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        let num = |v: String| v.parse::<u64>().map_err(|_| format!("{a}: not a number"));
        match a.as_str() {
            "--files" => b.files = num(val()?)? as usize,
            "--folders" => b.folders = num(val()?)?.max(1) as usize,
            "--size" => b.size = num(val()?)? as usize,
            "--big-mib" => b.big = num(val()?)? << 20,
            "-j" => b.jobs = num(val()?)?.clamp(1, 64) as usize,
            "--no-limits" => b.limits = false,
            "--dir" => b.dir = PathBuf::from(val()?),
            "--iconik" => b.iconik = PathBuf::from(val()?),
            "--skip" => b.skip = val()?.split(',').map(str::to_owned).collect(),
            "--seed" => b.seed = num(val()?)?,
            "--quick" => {
                b.files = 400;
                b.folders = 8;
                b.big = 64 << 20;
            }
            "-h" | "--help" => return Err("see the usage in the source's header".into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !b.iconik.exists() {
        return Err(format!(
            "no iconik binary at {} (cargo build --release -p iconik-cli, or --iconik PATH)",
            b.iconik.display()
        ));
    }
    std::fs::create_dir_all(&b.dir).map_err(|e| format!("{}: {e}", b.dir.display()))?;
    Ok(b)
}
