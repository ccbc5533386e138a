//! `cargo run -p iconik-codegen [-- --check]`: regenerate (or check) every
//! generated file of iconik-sync and iconik-async from `api-data/`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = iconik_codegen::workspace_root();
    let files = match iconik_codegen::generate(&root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("iconik-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (path, contents) in &files {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == *contents {
            continue;
        }
        stale += 1;
        if check {
            eprintln!("stale: {}", path.display());
        } else {
            if let Some(dir) = full.parent() {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    eprintln!("iconik-codegen: {}: {e}", dir.display());
                    return ExitCode::FAILURE;
                }
            }
            if let Err(e) = std::fs::write(&full, contents) {
                eprintln!("iconik-codegen: {}: {e}", full.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", path.display());
        }
    }
    println!("{} files, {stale} changed", files.len());
    if check && stale > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
