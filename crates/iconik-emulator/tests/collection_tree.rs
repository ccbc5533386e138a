//! The collection tree as a bulk sync uses it: sub-collections under a
//! parent, contents narrowed by type and `external_id`, assets created
//! straight into a collection, an asset's formats, file sets and files.

mod common;

use common::Client;
use iconik_emulator::*;
use serde_json::{json, Value};

fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig::new().no_rate_limit()).expect("start");
    let c = Client::new(&emu);
    (emu, c)
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

#[test]
fn sub_collections_are_listed_under_their_parent_with_their_ancestry() {
    let (_emu, c) = start();
    let root = c.post("/API/assets/v1/collections/", &json!({"title": "Rushes"}));
    assert_eq!(root.status, 201);
    let root = id(&root.json());
    let day = c
        .post(
            "/API/assets/v1/collections/",
            &json!({"title": "Day 1", "parent_id": root}),
        )
        .json();
    assert_eq!(day["parent_id"], root.as_str());
    assert_eq!(day["is_root"], false);
    let cam = c
        .post(
            "/API/assets/v1/collections/",
            &json!({"title": "Cam A", "parent_id": id(&day)}),
        )
        .json();
    assert_eq!(cam["parents"], json!([root, id(&day)]));
    let listed = c
        .get(&format!(
            "/API/assets/v1/collections/{root}/contents/?object_types=collections"
        ))
        .json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["objects"][0]["title"], "Day 1");
    assert_eq!(listed["objects"][0]["object_type"], "collections");
    let read = c
        .get(&format!("/API/assets/v1/collections/{}/", id(&cam)))
        .json();
    assert_eq!(read["parents"].as_array().unwrap().len(), 2);
}

#[test]
fn assets_go_straight_into_a_collection_and_are_found_by_external_id() {
    let (_emu, c) = start();
    let coll = id(&c
        .post("/API/assets/v1/collections/", &json!({"title": "Box"}))
        .json());
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = c.post(
            "/API/assets/v1/assets/?assign_to_collection=true",
            &json!({"title": format!("clip{i}.mov"), "type": "ASSET",
                    "external_id": format!("iconik-sync:{i}"), "collection_id": coll}),
        );
        assert_eq!(r.status, 201);
        let v = r.json();
        assert_eq!(v["in_collections"], json!([coll]));
        ids.push(id(&v));
    }
    let sub = c
        .post(
            "/API/assets/v1/collections/",
            &json!({"title": "Sub", "parent_id": coll}),
        )
        .json();
    let all = c
        .get(&format!("/API/assets/v1/collections/{coll}/contents/"))
        .json();
    assert_eq!(all["total"], 4);
    let assets = c
        .get(&format!(
            "/API/assets/v1/collections/{coll}/contents/?object_types=assets"
        ))
        .json();
    assert_eq!(assets["total"], 3);
    let one = c
        .get(&format!(
            "/API/assets/v1/collections/{coll}/contents/?external_id=iconik-sync:1"
        ))
        .json();
    assert_eq!(one["total"], 1);
    assert_eq!(one["objects"][0]["id"], ids[1].as_str());
    let none = c
        .get(&format!(
            "/API/assets/v1/collections/{coll}/contents/?external_id=nope"
        ))
        .json();
    assert_eq!(none["total"], 0);
    // deleted assets leave the listing
    assert_eq!(
        c.call(
            "DELETE",
            &format!("/API/assets/v1/assets/{}/", ids[0]),
            None
        )
        .status,
        204
    );
    let after = c
        .get(&format!(
            "/API/assets/v1/collections/{coll}/contents/?object_types=assets"
        ))
        .json();
    assert_eq!(after["total"], 2);
    assert_eq!(sub["object_type"], "collections");
}

#[test]
fn an_assets_formats_file_sets_and_files_can_be_read_and_pruned() {
    let (_emu, c) = start();
    let asset = id(&c
        .post("/API/assets/v1/assets/", &json!({"title": "a.mov"}))
        .json());
    let format = c
        .post(
            &format!("/API/files/v1/assets/{asset}/formats/"),
            &json!({"name": "ORIGINAL", "storage_methods": ["S3"]}),
        )
        .json();
    let set = c
        .post(
            &format!("/API/files/v1/assets/{asset}/file_sets/"),
            &json!({"format_id": id(&format), "base_dir": "/", "name": "a.mov",
                    "component_ids": []}),
        )
        .json();
    let file = c
        .post(
            &format!("/API/files/v1/assets/{asset}/files/"),
            &json!({"original_name": "a.mov", "directory_path": "", "type": "FILE",
                    "size": 4, "file_set_id": id(&set), "format_id": id(&format)}),
        )
        .json();
    assert_eq!(file["status"], "OPEN");
    let formats = c
        .get(&format!("/API/files/v1/assets/{asset}/formats/"))
        .json();
    assert_eq!(formats["objects"][0]["name"], "ORIGINAL");
    let sets = c
        .get(&format!("/API/files/v1/assets/{asset}/file_sets/"))
        .json();
    assert_eq!(sets["objects"][0]["format_id"], id(&format).as_str());
    let r = c.call(
        "DELETE",
        &format!("/API/files/v1/assets/{asset}/files/{}/", id(&file)),
        None,
    );
    assert_eq!(r.status, 204);
    let files = c
        .get(&format!("/API/files/v1/assets/{asset}/files/"))
        .json();
    assert_eq!(files["objects"].as_array().unwrap().len(), 0);
}
