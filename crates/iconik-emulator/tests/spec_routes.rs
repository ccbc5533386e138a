//! Routing, validation and generic state from `api-data/`, over real TCP.

mod common;

use common::{build, connect, exchange, Client, Got};
use iconik_emulator::*;
use serde_json::json;

fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig::new().no_rate_limit()).expect("start");
    let c = Client::new(&emu);
    (emu, c)
}

#[test]
fn bodies_are_validated_against_the_spec() {
    let (emu, c) = start();
    let r = c.post("/API/assets/v1/assets/", &json!({"title": 5}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"errors": {"title": "Not a valid string."}})
    );
    let r = c.post(
        "/API/assets/v1/assets/",
        &json!({"title": "t", "status": "SOMETIMES", "is_online": "yes"}),
    );
    assert_eq!(r.status, 400);
    let e = r.json();
    assert!(e["errors"]["status"]
        .as_str()
        .unwrap()
        .starts_with("Must be one of: "));
    assert_eq!(e["errors"]["is_online"], "Not a valid boolean.");
    // Nothing was stored.
    assert_eq!(c.get("/API/assets/v1/assets/").json()["total"], 0);
    assert!(emu.stats().creations.is_empty());
    // PATCH does not require the required fields.
    let id = c
        .post("/API/assets/v1/assets/", &json!({"title": "t"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.call(
        "PATCH",
        &format!("/API/assets/v1/assets/{id}/"),
        Some(&json!({"description": "d"})),
    );
    assert_eq!(r.status, 200);
    // ...but checks the types of what it gets.
    let r = c.call(
        "PATCH",
        &format!("/API/assets/v1/assets/{id}/"),
        Some(&json!({"title": null})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"]["title"], "Field may not be null.");
    // Unknown query parameters are ignored.
    assert_eq!(c.get("/API/assets/v1/assets/?bogus=1&x").status, 200);
}

#[test]
fn unknown_paths_are_404_wrong_methods_405_malformed_ids_404() {
    let (_emu, c) = start();
    let r = c.get("/API/users/v1/nothing/");
    assert_eq!(r.status, 404);
    assert!(r.json()["errors"][0].is_string());
    let r = c.call("DELETE", "/API/users/v1/users/", None);
    assert_eq!(r.status, 405);
    assert!(r.json()["errors"][0].is_string());
    let r = c.get("/API/assets/v1/assets/not-a-uuid/");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), json!({"errors": ["Asset not found"]}));
    // A literal path beside an id path is not taken for an id.
    assert_eq!(c.get("/API/assets/v1/assets/recent/").status, 200);
}

#[test]
fn generic_resources_are_stateful() {
    let (emu, c) = start();
    let r = c.post(
        "/API/users/v1/users/",
        &json!({"email": "a@example.com", "type": "STANDARD", "first_name": "Ada"}),
    );
    assert_eq!(r.status, 201);
    let user = r.json();
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(user["first_name"], "Ada");
    assert!(user["date_created"].is_string());
    let path = format!("/API/users/v1/users/{id}/");
    assert_eq!(c.get(&path).json()["email"], "a@example.com");
    let r = c.call("PATCH", &path, Some(&json!({"last_name": "Lovelace"})));
    assert_eq!(r.status, 200);
    let got = c.get(&path).json();
    assert_eq!(got["last_name"], "Lovelace");
    assert_eq!(got["first_name"], "Ada");
    for i in 0..3 {
        c.post(
            "/API/users/v1/users/",
            &json!({"email": format!("u{i}@example.com"), "type": "POWER"}),
        );
    }
    let page = c.get("/API/users/v1/users/?per_page=3").json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["objects"].as_array().unwrap().len(), 3);
    assert!(page["next_url"].as_str().unwrap().contains("page=2"));
    assert_eq!(c.call("DELETE", &path, None).status, 204);
    assert_eq!(c.get(&path).status, 404);
    assert_eq!(c.get("/API/users/v1/users/").json()["total"], 3);
    assert_eq!(emu.stats().creations.get("users"), Some(&4));
    // Another kind of resource keeps its own table.
    assert_eq!(c.get("/API/users/v1/groups/").json()["total"], 0);
}

#[test]
fn operations_without_credentials_and_examples() {
    let (_emu, c) = start();
    // Login takes no credentials.
    let body = br#"{"email": "a@example.com", "password": "p"}"#;
    let mut conn = connect(&c.base);
    let Got::Ok(r) = exchange(
        &mut conn,
        &build("POST", "/API/auth/v1/auth/simple/login/", &[], Some(body)),
        false,
    ) else {
        panic!("no answer")
    };
    assert_eq!(r.status, 201);
    assert!(r.json().is_object());
    // A non-CRUD operation answers an example that echoes the request.
    let r = c.post(
        "/API/auth/v1/auth/simple/login/",
        &json!({"email": "b@example.com", "password": "p", "app_name": "mine"}),
    );
    assert_eq!(r.status, 201);
    // Without credentials, ordinary operations still answer 401.
    let mut conn = connect(&c.base);
    let Got::Ok(r) = exchange(
        &mut conn,
        &build("GET", "/API/users/v1/users/", &[], None),
        false,
    ) else {
        panic!("no answer")
    };
    assert_eq!(r.status, 401);
}

#[test]
fn resources_of_core_services_without_special_semantics_are_generic_crud() {
    let (_emu, c) = start();
    // Transcoders live in the files service, whose module does not serve them.
    let r = c.post(
        "/API/files/v1/transcoders/",
        &json!({"name": "ff", "type": "FFMPEG", "settings": {"threads": 2}}),
    );
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let path = format!("/API/files/v1/transcoders/{id}/");
    assert_eq!(c.get(&path).json()["settings"], json!({"threads": 2}));
    let r = c.call("PATCH", &path, Some(&json!({"type": "NOPE"})));
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["type"].is_string());
    let r = c.call("PATCH", &path, Some(&json!({"name": "ffmpeg"})));
    assert_eq!(r.json()["name"], "ffmpeg");
    let list = c.get("/API/files/v1/transcoders/").json();
    assert_eq!(list["objects"][0]["name"], "ffmpeg");
    assert_eq!(c.call("DELETE", &path, None).status, 204);
    assert_eq!(c.get(&path).status, 404);
    // A malformed id never reaches the table.
    assert_eq!(c.get("/API/files/v1/transcoders/nope/").status, 404);
}
