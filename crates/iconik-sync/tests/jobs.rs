//! `client.jobs()`: each operation sends the documented method, path,
//! query and body; abort/pause/resume/restart go through
//! `PUT /v1/jobs/state/`.

mod common;
use common::*;
use iconik_sync::models::jobs as m;
use iconik_sync::page::Style;
use iconik_sync::{Method, Paginator};
use mockito::Matcher;
use serde_json::json;

#[test]
fn post_jobs_posts_required_and_set_fields() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "jobs", "/v1/jobs/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({
            "status": "STARTED", "title": "Copy", "type": "CUSTOM",
            "object_type": "assets", "object_id": "a1",
            "related_objects": [{"object_id": "a1", "object_type": "assets"}]
        })))
        .with_status(201)
        .with_body(fixture("jobs_job.json"))
        .create();
    let job = h
        .client
        .jobs()
        .post_jobs(
            &m::Job::new(m::JobStatus::Started, "Copy", m::JobType::Custom)
                .object_type("assets")
                .object_id("a1")
                .related_objects(vec![m::RelatedObject::new("a1", "assets")]),
        )
        .send()
        .unwrap();
    assert_eq!(job.id.as_deref(), Some("j1"));
    mock.assert();
    h.finish();
}

#[test]
fn get_job_decodes_a_job() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "jobs", "/v1/jobs/j1/")
        .with_body(fixture("jobs_job.json"))
        .create();
    let job = h.client.jobs().get_job("j1").send().unwrap().into_data();
    assert_eq!(job.status, m::JobStatus::Started);
    assert_eq!(job.type_, m::JobType::Transcode);
    assert_eq!(job.progress, Some(40));
    assert_eq!(job.parent_id, None);
    let steps = job.steps.as_ref().unwrap();
    assert_eq!(steps[0].status, m::JobStepStatus::Done);
    assert_eq!(
        steps[1].status,
        m::JobStepStatus::Other("TELEPORTING".into())
    );
    assert_eq!(job.related_objects.as_ref().unwrap()[0].object_id, "a1");
    assert_eq!(job.extra["worker"], "w-7");
    mock.assert();
    h.finish();
}

#[test]
fn job_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("jobs_job.json")).unwrap();
    let job: m::Job = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&job).unwrap();
    assert_eq!(back["worker"], "w-7");
    assert_eq!(back["steps"][1]["status"], "TELEPORTING");
    // the typed action context: what was set comes back, a null stays unset
    assert_eq!(back["action_context"]["abort"]["bulk"], false);
    assert!(raw["action_context"]["abort"]["url"].is_null());
    assert!(back["action_context"]["abort"].get("url").is_none());
    assert!(back.get("error_message").is_none());
}

#[test]
fn patch_job_patches_with_merge_metadata() {
    // the body type makes status, title and type required: a patch sends them
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "jobs", "/v1/jobs/j1/")
        .match_query(exact_query(&[("merge_metadata", "true")]))
        .match_body(json_body(json!({
            "status": "FINISHED", "title": "Copy", "type": "COPY", "progress": 100
        })))
        .with_body(fixture("jobs_job.json"))
        .create();
    h.client
        .jobs()
        .patch_job("j1", &m::Job::new("FINISHED", "Copy", "COPY").progress(100))
        .merge_metadata("true") // the spec types it as a string
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn get_jobs_sends_filters_and_returns_one_page() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[
            ("status", "FAILED,ABORTED"),
            ("metadata.automation_id", "auto-1"),
            ("search_after", r#"["2024-03-01T00:00:00","j0"]"#),
            ("per_page", "2"),
        ]))
        .with_body(fixture("jobs_page1.json"))
        .create();
    let page = h
        .client
        .jobs()
        .get_jobs()
        .status("FAILED,ABORTED")
        .metadata_automation_id("auto-1")
        .search_after(r#"["2024-03-01T00:00:00","j0"]"#)
        .per_page(2)
        .send()
        .unwrap();
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1].type_, m::JobType::Other("BRAND_NEW_TYPE".into()));
    assert_eq!(page.search_after.as_ref().unwrap()[1], "j2");
    assert!(page.facets.is_some());
    mock.assert();
    h.finish();
}

#[test]
fn get_jobs_items_walk_page_numbers() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "1")]))
        .with_body(fixture("jobs_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .with_body(fixture("jobs_page2.json"))
        .create();
    let ids: Vec<String> = h
        .client
        .jobs()
        .get_jobs()
        .per_page(2)
        .items()
        .map(|j| j.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["j1", "j2", "j3"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn a_search_after_walk_sends_each_pages_cursor_in_the_query() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[("per_page", "2")]))
        .with_body(fixture("jobs_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("search_after", r#"["2024-03-01T00:00:02","j2"]"#),
        ]))
        .with_body(fixture("jobs_page2.json"))
        .create();
    let p3 = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("search_after", r#"["2024-03-01T00:00:03","j3"]"#),
        ]))
        .with_body(r#"{"objects": [], "search_after": null}"#)
        .create();
    let request = h
        .client
        .jobs()
        .get_jobs()
        .per_page(2)
        .into_request()
        .into_builder();
    let ids: Vec<String> = Paginator::<m::JobElastic>::new(request, Style::SearchAfter)
        .map(|j| j.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["j1", "j2", "j3"]);
    p1.assert();
    p2.assert();
    p3.assert();
    h.finish();
}

fn state_change(action: &str) {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "jobs", "/v1/jobs/state/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"action": action, "job_ids": ["j1"]})))
        .with_body("")
        .create();
    let answer = h
        .client
        .jobs()
        .put_jobs_state(&m::JobsState::new(action, vec!["j1".to_string()]))
        .send()
        .unwrap();
    assert!(answer.data.is_null());
    mock.assert();
    h.finish();
}

#[test]
fn put_jobs_state_aborts_pauses_resumes_and_restarts() {
    for action in ["ABORT", "PAUSE", "RESUME", "RESTART"] {
        state_change(action);
    }
    assert_eq!(m::JobsStateAction::from("ABORT"), m::JobsStateAction::Abort);
}
