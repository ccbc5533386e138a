//! Golden test: the committed generated files are exactly what the
//! generator writes from `api-data/` and `overrides.toml` now.

#[test]
fn committed_output_matches_the_generator() {
    let root = iconik_codegen::workspace_root();
    let files = iconik_codegen::generate(&root).expect("the generator runs");
    assert!(files.len() > 30, "{} files", files.len());
    let mut stale = Vec::new();
    for (path, expected) in &files {
        let actual = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        if actual != *expected {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files differ from the generator's output; run `cargo run -p iconik-codegen`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_generator_is_deterministic() {
    let root = iconik_codegen::workspace_root();
    let a = iconik_codegen::generate(&root).unwrap();
    let b = iconik_codegen::generate(&root).unwrap();
    assert!(a == b);
}
