//! Every paged answer of the S3 multipart flow is read to its end, with a
//! bound: part URLs (`…/multipart_url/part/`, `per_page`/`page` as the
//! spec declares) and S3's ListParts on resume (at most 1,000 parts per
//! answer on S3; fewer here, to keep the files small); `…/multipart_url/`
//! is asked with the `type` the spec declares.

mod transfer_support;

use std::sync::{Arc, Mutex};

use iconik_sync::transfer::UploadState;
use transfer_support::{data, temp_file, Action, Fake, Fault, Seen};

const MIB: usize = 1024 * 1024;

fn api_calls(fake: &Fake, path_ends: &str) -> Vec<Seen> {
    fake.seen()
        .into_iter()
        .filter(|s| s.path.ends_with(path_ends))
        .collect()
}

#[test]
fn part_urls_are_read_page_by_page_when_iconik_pages_them() {
    let fake = Fake::new("S3");
    fake.state.lock().unwrap().part_urls_per_page = Some(1);
    let bytes = data(11 * MIB, 1);
    let path = temp_file("s3-part-pages", "a.mov", &bytes);
    let report = fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap();
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let pages: Vec<String> = api_calls(&fake, "/multipart_url/part/")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    for (i, q) in pages.iter().enumerate() {
        assert!(q.contains("parts_num=3"), "{q}");
        assert!(q.contains("per_page=3"), "{q}");
        assert!(q.contains(&format!("page={}", i + 1)), "{q}");
    }
}

#[test]
fn part_urls_stop_at_a_page_that_brings_nothing_new() {
    // iconik's 2nd page is empty, or repeats the 1st: the listing ends
    // there (bounded), and the missing part is named
    for second in [
        r#"{"objects": []}"#.to_owned(),
        format!(
            r#"{{"objects": [{{"number": 1, "url": "{}/storage/s3/x"}}]}}"#,
            "http://127.0.0.1:9"
        ),
    ] {
        let fake = Fake::new("S3");
        fake.state.lock().unwrap().part_urls_per_page = Some(1);
        fake.fault(Fault {
            method: "GET",
            path_has: "/multipart_url/part/",
            query_has: Some("page=2"),
            nth: 1,
            action: Action::Answer(200, vec![], second),
        });
        let path = temp_file("s3-part-pages-stop", "b.mov", &data(11 * MIB, 2));
        let e = fake
            .client()
            .upload(&path)
            .part_size(5 * MIB as u64)
            .send()
            .unwrap_err();
        assert!(e.to_string().contains("no URL for part 2 of 3"), "{e}");
        assert_eq!(api_calls(&fake, "/multipart_url/part/").len(), 2);
    }
}

/// Stores 5 of 6 parts, fails on the 6th, and resumes: the resumed call
/// must know all 5 stored parts from ListParts, in pages of 2.
fn resume_reads_every_list_page(url_per_page: bool) -> Fake {
    let fake = Fake::new("S3");
    {
        let mut st = fake.state.lock().unwrap();
        st.list_parts_page = 2;
        st.list_parts_url_per_page = url_per_page;
    }
    let bytes = data(26 * MIB, 3);
    let path = temp_file(&format!("s3-list-pages-{url_per_page}"), "c.mov", &bytes);
    let upload = |c: &iconik_sync::Client| c.upload(&path).part_size(5 * MIB as u64).parallelism(1);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=6&"),
        nth: 1,
        action: Action::Status(403),
    });
    let client = fake.client();
    let state = Arc::new(Mutex::new(UploadState::default()));
    assert!(upload(&client).resume(&state).send().is_err());
    assert_eq!(state.lock().unwrap().parts_done(), 5);
    // as if in another process: only what the storage says counts
    let saved = serde_json::to_string(&*state.lock().unwrap()).unwrap();
    let state = Arc::new(Mutex::new(
        serde_json::from_str::<UploadState>(&saved).unwrap(),
    ));
    let report = upload(&client).resume(&state).send().unwrap();
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let st = fake.state.lock().unwrap();
    for ((_, n), times) in &st.part_puts {
        assert_eq!(*times, 1, "part {n} was sent {times} times");
    }
    assert_eq!(st.part_puts.len(), 6);
    drop(st);
    fake
}

#[test]
fn an_s3_resume_reads_every_list_parts_page_iconik_hands_out() {
    let fake = resume_reads_every_list_page(true);
    let lists: Vec<Seen> = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.method == "GET" && s.path.starts_with("/storage/s3/"))
        .collect();
    assert_eq!(lists.len(), 3, "three pages of two parts");
    assert!(lists[2].query.contains("part-number-marker=4"));
}

#[test]
fn an_s3_resume_continues_list_parts_after_the_last_url_given() {
    let fake = resume_reads_every_list_page(false);
    let markers: Vec<String> = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.method == "GET" && s.path.starts_with("/storage/s3/"))
        .map(|s| {
            s.query
                .split('&')
                .find(|kv| kv.starts_with("part-number-marker="))
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        markers,
        ["", "part-number-marker=2", "part-number-marker=4"]
    );
}

#[test]
fn multipart_urls_are_asked_with_the_type_the_spec_declares() {
    let fake = resume_reads_every_list_page(true);
    let types: Vec<String> = api_calls(&fake, "/multipart_url/")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert!(
        types[0].contains("type=list_parts_url") && types[0].contains("max_part_number=6"),
        "{types:?}"
    );
    assert!(types[1].contains("type=complete_url"), "{types:?}");
    assert_eq!(types.len(), 2);

    // an upload that fails is aborted through the abort URL
    let fake = Fake::new("S3");
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=2&"),
        nth: 1,
        action: Action::Status(403),
    });
    let path = temp_file("s3-abort-type", "d.mov", &data(11 * MIB, 4));
    assert!(fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .send()
        .is_err());
    let types: Vec<String> = api_calls(&fake, "/multipart_url/")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(types.len(), 1);
    assert!(types[0].contains("type=abort_url"), "{types:?}");
}
