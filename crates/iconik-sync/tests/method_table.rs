//! The method table in METHODS.md (shown in the `api` module docs) is
//! generated from the surface lists; this test fails when it goes stale.

#[test]
fn methods_md_matches_the_surface_lists() {
    let expected = iconik_sync::api::methods_markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/METHODS.md");
    if std::env::var_os("UPDATE_METHODS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "METHODS.md is stale; regenerate it with\n  UPDATE_METHODS=1 cargo test -p iconik-sync --test method_table\n\nexpected:\n{expected}"
    );
}

#[test]
fn every_method_path_is_well_formed() {
    for m in iconik_sync::api::all_methods() {
        assert!(
            (m.path.starts_with("/v1/") || m.path.starts_with("/v2/")) && m.path.ends_with('/'),
            "{}.{}: {}",
            m.accessor,
            m.name,
            m.path
        );
    }
}

#[test]
fn method_names_are_unique_per_handler() {
    let all = iconik_sync::api::all_methods();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!(
                !(a.handler == b.handler && a.name == b.name),
                "{}.{} twice",
                a.accessor,
                a.name
            );
        }
    }
}
