//! The sample data of `EmulatorConfig::seed_data` (the `SAMPLE_*` ids).

use super::*;

/// Id of the `s3-files` storage (method `S3`, purpose `FILES`, the default
/// files storage), present in every emulator; the sample files live on it.
pub const SAMPLE_STORAGE_ID: &str = "5a3c0000-0000-4000-8000-000000000001";
/// The storages every emulator starts with, one per storage method iconik
/// hands out, all purpose `FILES`: `(name, method, id)`. `s3-files` is the
/// default, so an upload works against a fresh emulator.
pub const SEED_STORAGES: [(&str, &str, &str); 5] = [
    ("s3-files", "S3", SAMPLE_STORAGE_ID),
    ("gcs-files", "GCS", "5a3c0000-0000-4000-8000-000000000002"),
    (
        "azure-files",
        "AZURE",
        "5a3c0000-0000-4000-8000-000000000003",
    ),
    ("b2-files", "B2", "5a3c0000-0000-4000-8000-000000000004"),
    ("file-files", "FILE", "5a3c0000-0000-4000-8000-000000000005"),
];
/// Id of the sample collection (`seed_data`) holding the three sample assets.
pub const SAMPLE_COLLECTION_ID: &str = "c0110000-0000-4000-8000-000000000001";
/// Ids of the three sample assets (`seed_data`).
pub const SAMPLE_ASSET_IDS: [&str; 3] = [
    "a55e7000-0000-4000-8000-000000000001",
    "a55e7000-0000-4000-8000-000000000002",
    "a55e7000-0000-4000-8000-000000000003",
];
/// Titles of the three sample assets.
pub const SAMPLE_ASSET_TITLES: [&str; 3] = ["Sample clip 1", "Sample clip 2", "Sample clip 3"];
/// Ids of the sample assets' `ORIGINAL` formats.
pub const SAMPLE_FORMAT_IDS: [&str; 3] = [
    "f0a70000-0000-4000-8000-000000000001",
    "f0a70000-0000-4000-8000-000000000002",
    "f0a70000-0000-4000-8000-000000000003",
];
/// Ids of the sample assets' file sets.
pub const SAMPLE_FILE_SET_IDS: [&str; 3] = [
    "f5e70000-0000-4000-8000-000000000001",
    "f5e70000-0000-4000-8000-000000000002",
    "f5e70000-0000-4000-8000-000000000003",
];
/// Ids of the sample assets' files (stored in fake storage under `files/{id}`).
pub const SAMPLE_FILE_IDS: [&str; 3] = [
    "f11e0000-0000-4000-8000-000000000001",
    "f11e0000-0000-4000-8000-000000000002",
    "f11e0000-0000-4000-8000-000000000003",
];
/// Content of the sample files.
pub const SAMPLE_CONTENTS: [&[u8]; 3] = [
    b"iconik emulator sample clip 1\n",
    b"iconik emulator sample clip 2\n",
    b"iconik emulator sample clip 3\n",
];
/// MD5 (hex) of [`SAMPLE_CONTENTS`], the sample files' `checksum` field.
pub const SAMPLE_MD5S: [&str; 3] = [
    "29a16956488db044ef0445151a625709",
    "1ce885baf18b10dd535dff218151457d",
    "04403df14595f00e5ebdcfb2f78ae7b0",
];
/// Id of the sample metadata view, holding the two [`SAMPLE_FIELD_NAMES`].
pub const SAMPLE_VIEW_ID: &str = "7e1e0000-0000-4000-8000-000000000001";
/// Names of the two sample metadata fields (`string` and `integer`).
pub const SAMPLE_FIELD_NAMES: [&str; 2] = ["emulator_description", "emulator_rating"];

impl Store {
    pub(super) fn seed(&mut self) {
        let mut fields = Vec::new();
        for (name, ty, label) in [
            (SAMPLE_FIELD_NAMES[0], "string", "Description"),
            (SAMPLE_FIELD_NAMES[1], "integer", "Rating"),
        ] {
            let now = now_iso();
            let f = json!({
                "name": name, "label": label, "field_type": ty, "multi": false,
                "required": false, "read_only": false, "options": [],
                "date_created": now, "date_modified": now,
            });
            fields.push(f.clone());
            self.insert_raw(K::Fields, name.to_string(), f);
        }
        if let Value::Object(m) = json!({
            "id": SAMPLE_VIEW_ID, "name": "Emulator sample view",
            "description": "Two sample fields", "view_fields": fields,
        }) {
            self.insert(K::Views, m, vec![]);
        }
        if let Value::Object(m) = json!({"id": SAMPLE_COLLECTION_ID, "title": "Sample collection"})
        {
            let _ = self.create_collection(m);
        }
        for i in 0..3 {
            let asset = json!({"id": SAMPLE_ASSET_IDS[i], "title": SAMPLE_ASSET_TITLES[i]});
            let Value::Object(m) = asset else { continue };
            if self.create_asset(m).is_err() {
                continue;
            }
            let a = SAMPLE_ASSET_IDS[i];
            let fmt =
                json!({"id": SAMPLE_FORMAT_IDS[i], "name": "ORIGINAL", "storage_methods": ["S3"]});
            let fs = json!({
                "id": SAMPLE_FILE_SET_IDS[i], "name": "ORIGINAL", "format_id": SAMPLE_FORMAT_IDS[i],
                "storage_id": SAMPLE_STORAGE_ID, "base_dir": "/", "component_ids": [],
            });
            let file = json!({
                "id": SAMPLE_FILE_IDS[i], "original_name": format!("sample_clip_{}.mp4", i + 1),
                "name": format!("sample_clip_{}.mp4", i + 1), "directory_path": "",
                "type": "FILE", "status": "CLOSED", "size": SAMPLE_CONTENTS[i].len(),
                "checksum": SAMPLE_MD5S[i], "format_id": SAMPLE_FORMAT_IDS[i],
                "file_set_id": SAMPLE_FILE_SET_IDS[i], "storage_id": SAMPLE_STORAGE_ID,
            });
            for (k, v) in [(K::Formats, fmt), (K::FileSets, fs), (K::Files, file)] {
                if let Value::Object(m) = v {
                    let d = child_defaults(k);
                    let _ = self.create_child(k, a, m, d);
                }
            }
            self.add_content(SAMPLE_COLLECTION_ID, "assets", a);
        }
    }
}
