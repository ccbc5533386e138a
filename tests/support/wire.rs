//! The machinery of the generated `tests/operations.rs`: a loopback server
//! that records every request it gets, and the check each case runs (the
//! operation sent through the blocking client and through the async one,
//! compared with each other and with the operation table).

use std::collections::BTreeSet;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iconik_sync::api::{OperationInfo, ParamIn, OPERATIONS};
use iconik_sync::{Auth, Error};

/// What a case's async half returns.
pub type AsyncSend = Pin<Box<dyn Future<Output = iconik_async::Result<()>> + Send>>;
/// A case's blocking half.
type SyncCase = Box<dyn Fn(&iconik_sync::Client) -> iconik_sync::Result<()>>;
/// A case's async half.
type AsyncCase = Box<dyn Fn(iconik_async::Client) -> AsyncSend>;

/// One operation, built and sent by each client.
pub struct Case {
    index: usize,
    sync: SyncCase,
    asynch: AsyncCase,
}

impl Case {
    /// The case of operation `index` of `OPERATIONS`.
    pub fn new(
        index: usize,
        sync: impl Fn(&iconik_sync::Client) -> iconik_sync::Result<()> + 'static,
        asynch: impl Fn(iconik_async::Client) -> AsyncSend + 'static,
    ) -> Self {
        Case {
            index,
            sync: Box::new(sync),
            asynch: Box::new(asynch),
        }
    }
}

/// A request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Lowercased names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request with its multipart boundary (random per request)
    /// replaced by a fixed one, for comparing two sends.
    fn normalized(&self) -> Recorded {
        let mut r = self.clone();
        let boundary = self
            .header("content-type")
            .and_then(|ct| ct.split_once("boundary="))
            .map(|(_, b)| b.to_owned());
        if let Some(b) = boundary {
            for (_, v) in &mut r.headers {
                *v = v.replace(&b, "BOUNDARY");
            }
            r.body = String::from_utf8_lossy(&r.body)
                .replace(&b, "BOUNDARY")
                .into_bytes();
        }
        r.headers.sort();
        r
    }
}

/// The loopback server: records each request and answers with the status
/// set for the case (204 with no body, anything else with `{}`).
pub struct Recorder {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    status: Arc<Mutex<u16>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200));
        let (r, s) = (Arc::clone(&requests), Arc::clone(&status));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s) = (Arc::clone(&r), Arc::clone(&s));
                std::thread::spawn(move || serve(stream, &r, &s));
            }
        });
        Recorder {
            url,
            requests,
            status,
        }
    }

    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }

    /// Runs every case: each operation through both clients.
    pub fn check(cases: &[Case]) {
        let recorder = Recorder::start();
        let sync = iconik_sync::Client::builder()
            .app_id("app")
            .auth_token("token")
            .base_url(&recorder.url)
            .timeout(Duration::from_secs(10))
            .disable_rate_limit_handling()
            .build()
            .expect("client builds");
        let asynch = iconik_async::Client::from_sync(sync.clone(), 2);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        for case in cases {
            let info = &OPERATIONS[case.index];
            let what = format!("{}().{}", info.handler, info.name);
            *recorder.status.lock().unwrap() = info.success;
            recorder.take();
            answered(&what, "blocking", (case.sync)(&sync));
            let blocking = recorder.take();
            answered(
                &what,
                "async",
                runtime.block_on((case.asynch)(asynch.clone())),
            );
            let awaited = recorder.take();
            assert_eq!(
                blocking.len(),
                1,
                "{what}: blocking client sent {blocking:?}"
            );
            assert_eq!(awaited.len(), 1, "{what}: async client sent {awaited:?}");
            assert_eq!(
                blocking[0].normalized(),
                awaited[0].normalized(),
                "{what}: the two clients sent different requests"
            );
            conforms(&what, info, &blocking[0]);
        }
    }
}

/// The call reached the server and came back: an answer of the documented
/// status always counts, even when `{}` does not decode as the model.
fn answered(what: &str, client: &str, result: Result<(), Error>) {
    match result {
        Ok(()) | Err(Error::Decode(_)) => {}
        Err(e) => panic!("{what} ({client}): {e}"),
    }
}

/// The request is the operation's: method, path, query, headers, body type.
fn conforms(what: &str, info: &OperationInfo, r: &Recorded) {
    assert_eq!(r.method, info.method.as_str(), "{what}: method");
    let mut path = format!("/API/{}", info.url_service);
    let mut i = 0;
    for segment in info.path.split('/').skip(1) {
        path.push('/');
        if segment.starts_with('{') {
            let integer = info.params.iter().any(|p| {
                p.location == ParamIn::Path
                    && format!("{{{}}}", p.name) == segment
                    && p.ty == iconik_sync::api::ParamType::Integer
            });
            path.push_str(&if integer {
                format!("{}", 10 + i)
            } else {
                format!("p{i}")
            });
            i += 1;
        } else {
            path.push_str(segment);
        }
    }
    assert_eq!(r.path, path, "{what}: path (parameters in order)");
    let sent: BTreeSet<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
    let declared: BTreeSet<String> = info
        .params
        .iter()
        .filter(|p| p.location == ParamIn::Query)
        // `metadata.<field>` names a family; the case sets `metadata.field`
        .map(|p| p.name.replace("<field>", "field"))
        .collect();
    let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    assert_eq!(sent, declared, "{what}: query parameters");
    assert_eq!(
        sent.len(),
        r.query.len(),
        "{what}: a query parameter sent twice"
    );
    for p in info.params.iter().filter(|p| p.location == ParamIn::Header) {
        assert!(
            r.header(&p.name.to_ascii_lowercase()).is_some(),
            "{what}: header {} missing",
            p.name
        );
    }
    let (app_id, token) = (
        r.header("app-id").is_some(),
        r.header("auth-token").is_some(),
    );
    let expected = match info.auth {
        Auth::AppIdAndToken => (true, true),
        Auth::AppId => (true, false),
        _ => (false, false),
    };
    assert_eq!(
        (app_id, token),
        expected,
        "{what}: credentials for {:?}",
        info.auth
    );
    if let Some(declared) = info.content_type {
        if !r.body.is_empty() {
            let sent = r.header("content-type").unwrap_or_default();
            let family = |ct: &str| ct.split([';', '/']).next().unwrap_or_default().to_owned();
            let ok = match declared {
                ct if ct.starts_with("image/") => sent == "image/png",
                ct if ct.starts_with("multipart/form-data") => {
                    sent.starts_with("multipart/form-data; boundary=") && !sent.ends_with("+++")
                }
                ct => ct
                    .split(',')
                    .any(|c| family(c) == family(sent) && c.trim() == sent),
            };
            assert!(
                ok,
                "{what}: content type {sent:?}, the spec says {declared:?}"
            );
        }
    }
}

/// Every operation has a case.
pub fn covers(indices: &[usize]) {
    let have: BTreeSet<usize> = indices.iter().copied().collect();
    let missing: Vec<&str> = (0..OPERATIONS.len())
        .filter(|i| !have.contains(i))
        .map(|i| OPERATIONS[i].name)
        .collect();
    assert!(missing.is_empty(), "operations without a case: {missing:?}");
    assert_eq!(indices.len(), OPERATIONS.len(), "a case twice");
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Recorded>>, status: &Mutex<u16>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    requests.lock().unwrap().push(Recorded {
        method,
        path: path.to_owned(),
        query,
        headers,
        body,
    });
    let code = *status.lock().unwrap();
    let answer = if code == 204 { "" } else { "{}" };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {code} OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
