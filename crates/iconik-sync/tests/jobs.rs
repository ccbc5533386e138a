//! `client.jobs()`: every method sends the documented method, path, query
//! and body; cancel/pause/resume/restart go through `PUT /v1/jobs/state/`.

mod common;
use common::*;
use iconik_sync::models::*;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::json;

#[test]
fn create_posts_required_and_set_fields() {
    let mut h = harness();
    let m = h
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
        .create(
            &JobCreate::new(JobStatus::Started, "Copy", JobType::Custom)
                .object_type("assets")
                .object_id("a1")
                .related_objects(vec![RelatedObject::new("a1", "assets")]),
        )
        .unwrap();
    assert_eq!(job.id.as_deref(), Some("j1"));
    m.assert();
    h.finish();
}

#[test]
fn get_decodes_a_job() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "jobs", "/v1/jobs/j1/")
        .with_body(fixture("jobs_job.json"))
        .create();
    let job = h.client.jobs().get("j1").unwrap().into_data();
    assert_eq!(job.status, Some(JobStatus::Started));
    assert_eq!(job.r#type, Some(JobType::Transcode));
    assert_eq!(job.progress, Some(40));
    assert_eq!(job.parent_id, None);
    let steps = job.steps.as_ref().unwrap();
    assert_eq!(steps[0].status, Some(JobStepStatus::Done));
    assert_eq!(
        steps[1].status,
        Some(JobStepStatus::Other("TELEPORTING".into()))
    );
    assert_eq!(job.related_objects.as_ref().unwrap()[0].object_id, "a1");
    assert_eq!(job.extra["worker"], "w-7");
    m.assert();
    h.finish();
}

#[test]
fn job_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("jobs_job.json")).unwrap();
    let job: Job = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&job).unwrap();
    assert_eq!(back["worker"], "w-7");
    assert_eq!(back["steps"][1]["status"], "TELEPORTING");
    assert_eq!(back["action_context"], raw["action_context"]);
    assert!(back.get("error_message").is_none());
}

#[test]
fn update_patches_with_merge_metadata() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "jobs", "/v1/jobs/j1/")
        .match_query(exact_query(&[("merge_metadata", "true")]))
        .match_body(json_body(json!({"status": "FINISHED", "progress": 100})))
        .with_body(fixture("jobs_job.json"))
        .create();
    h.client
        .jobs()
        .update(
            "j1",
            &Job::default().status(JobStatus::Finished).progress(100),
            &JobUpdateParams::default().merge_metadata(true),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn list_sends_filters_and_returns_one_page() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "jobs", "/v1/jobs/")
        .match_query(exact_query(&[
            ("status", "FAILED"),
            ("status", "ABORTED"),
            ("metadata.automation_id", "auto-1"),
            ("search_after", r#"["2024-03-01T00:00:00","j0"]"#),
            ("per_page", "2"),
        ]))
        .with_body(fixture("jobs_page1.json"))
        .create();
    let page = h
        .client
        .jobs()
        .list(
            &JobListParams::default()
                .status(vec!["FAILED".to_string(), "ABORTED".to_string()])
                .metadata_automation_id("auto-1")
                .search_after(r#"["2024-03-01T00:00:00","j0"]"#)
                .per_page(2u32),
        )
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert_eq!(
        page.objects[1].r#type,
        Some(JobType::Other("BRAND_NEW_TYPE".into()))
    );
    assert_eq!(page.extra["search_after"][1], "j2");
    assert!(page.extra.contains_key("facets"));
    m.assert();
    h.finish();
}

#[test]
fn list_all_walks_page_numbers() {
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
        .list_all(&JobListParams::default().per_page(2u32))
        .map(|j| j.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["j1", "j2", "j3"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn list_all_after_sends_each_pages_search_after_in_the_query() {
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
    let ids: Vec<String> = h
        .client
        .jobs()
        .list_all_after(&JobListParams::default().per_page(2u32))
        .map(|j| j.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["j1", "j2", "j3"]);
    p1.assert();
    p2.assert();
    p3.assert();
    h.finish();
}

fn state_change(action: &str, call: impl FnOnce(&iconik_sync::Client)) {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "jobs", "/v1/jobs/state/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"action": action, "job_ids": ["j1"]})))
        .with_body("")
        .create();
    call(&h.client);
    m.assert();
    h.finish();
}

#[test]
fn cancel_aborts_through_the_state_endpoint() {
    state_change("ABORT", |c| {
        c.jobs().cancel("j1").unwrap();
    });
}

#[test]
fn pause_pauses() {
    state_change("PAUSE", |c| {
        c.jobs().pause("j1").unwrap();
    });
}

#[test]
fn resume_resumes() {
    state_change("RESUME", |c| {
        c.jobs().resume("j1").unwrap();
    });
}

#[test]
fn restart_restarts() {
    state_change("RESTART", |c| {
        c.jobs().restart("j1").unwrap();
    });
}
