//! The naming rule and the method table (METHODS.md, shown in the `api`
//! module docs), checked against what the generator declared.

use std::collections::BTreeSet;

use iconik_sync::api::{all_methods, OPERATIONS};

#[test]
fn every_operation_is_a_method_named_after_its_cli_name() {
    assert_eq!(OPERATIONS.len(), 1002);
    let methods: BTreeSet<(&str, &str)> =
        all_methods().iter().map(|m| (m.accessor, m.name)).collect();
    for op in OPERATIONS {
        assert_eq!(op.handler, op.url_service.replace('-', "_"), "{}", op.name);
        assert!(
            methods.contains(&(op.handler, op.name)),
            "client.{}().{} is missing",
            op.handler,
            op.name
        );
        if let Some(alias) = op.alias {
            assert!(
                methods.contains(&(op.handler, alias)),
                "alias client.{}().{alias} is missing",
                op.handler
            );
        }
        if op.pagination.is_some() {
            let iter = format!("{}_iter", op.name);
            assert!(
                methods.contains(&(op.handler, iter.as_str())),
                "{iter} is missing"
            );
        }
    }
    // the hyphenated slug's handler
    assert!(methods.contains(&("users_notifications", "delete_notification")));
}

#[test]
fn the_table_is_ordered_by_service_then_name() {
    for pair in OPERATIONS.windows(2) {
        assert!(
            (pair[0].service, pair[0].name) < (pair[1].service, pair[1].name),
            "{} / {}",
            pair[0].name,
            pair[1].name
        );
    }
}

#[test]
fn methods_md_lists_every_operation_and_alias() {
    let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/METHODS.md")).unwrap();
    for op in OPERATIONS {
        let row = format!("| `{}()` | `{}`", op.handler, op.name);
        assert!(md.contains(&row), "METHODS.md lacks {row}");
    }
    for m in all_methods() {
        let listed = md.contains(&format!("`{}`", m.name))
            || md.contains(&format!("`{}().{}`", m.accessor, m.name));
        assert!(listed, "METHODS.md lacks {}.{}", m.accessor, m.name);
    }
}

#[test]
fn every_method_path_is_well_formed() {
    for m in all_methods() {
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
    let mut seen = BTreeSet::new();
    for m in all_methods() {
        assert!(
            seen.insert((m.handler, m.name)),
            "{}.{} twice",
            m.accessor,
            m.name
        );
    }
}
