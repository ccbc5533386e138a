//! Operations as data: what to send, independent of how it is sent.
//!
//! Typed methods (`client.assets().get(id)`) and the raw escape hatch
//! ([`Client::request`]) build the same [`Operation`] value through a
//! [`RequestBuilder`]; [`RequestBuilder::send`] hands it to the one
//! transport function.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::body::{form_text, push_query_value};
pub(crate) use crate::body::{Payload, SharedBytes};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::response::Response;

/// HTTP methods iconik uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    ///
    /// ```
    /// assert_eq!(iconik_sync::Method::Patch.as_str(), "PATCH");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// GET, HEAD, PUT and DELETE: sending them twice has the effect of
    /// sending them once, so they may be retried after they reached iconik.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The credentials an operation sends, as iconik's spec declares per
/// operation: most take both headers; the login, SAML, registration and
/// password-reset flows take none (or the App-ID alone), so a client's
/// token never travels with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Auth {
    /// `App-ID` and `Auth-Token` (the default).
    #[default]
    AppIdAndToken,
    /// `App-ID` only.
    AppId,
    /// No credential header.
    None,
}

/// One iconik operation, fully described: method, service, path template
/// and its parameters, query, JSON body, extra headers and timeout.
///
/// Built with a [`RequestBuilder`]; inspect it with the accessors.
#[derive(Clone)]
pub struct Operation {
    pub(crate) name: Cow<'static, str>,
    pub(crate) method: Method,
    pub(crate) service: Cow<'static, str>,
    pub(crate) template: Cow<'static, str>,
    pub(crate) path_params: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    /// A non-JSON body (bytes, a file or a reader) with its content type;
    /// when set it is sent instead of `body`.
    pub(crate) payload: Option<Payload>,
    /// The media type of an in-memory `body`; `None` means JSON.
    pub(crate) content_type: Option<Cow<'static, str>>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    /// Safe to resend after it may have reached iconik although its
    /// method is not idempotent (a read sent as POST, e.g. a search).
    pub(crate) retry_safe: bool,
    /// Which credentials go with it (API operations only).
    pub(crate) auth: Auth,
    /// A read whose 404 means "no values yet": the JSON that stands in
    /// for it when the client is so configured.
    pub(crate) empty_on_404: Option<&'static str>,
    /// Where the request goes: iconik's API, or a storage URL iconik
    /// handed out.
    pub(crate) target: Target,
    /// A problem found while building (e.g. a body that would not
    /// serialise), reported by `send` before anything is sent.
    pub(crate) build_error: Option<String>,
}

/// Where an operation is sent. The one place that decides what an
/// external request leaves out: [`Target::Storage`] operations go through
/// the same transport but never carry iconik's credentials or the
/// client's default headers, are not paced by (or counted against) the
/// API's rate limiter, are never cached, and are logged and reported
/// without their URL's query (signed URLs carry secrets there).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `{base_url}/API/{service}{path}` with iconik's credentials.
    Api,
    /// An absolute URL on a storage (S3, GCS, Azure, B2, iconik's ISG).
    /// `retry_safe`: sending it again has no further effect even when the
    /// method is POST (a B2 part, an S3 multipart start left unused).
    Storage { url: String, retry_safe: bool },
}

impl Operation {
    /// A new operation with no parameters.
    pub fn new(
        method: Method,
        service: impl Into<Cow<'static, str>>,
        template: impl Into<Cow<'static, str>>,
    ) -> Self {
        let template = template.into();
        Operation {
            name: template.clone(),
            method,
            service: service.into(),
            template,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            payload: None,
            content_type: None,
            headers: Vec::new(),
            timeout: None,
            retry_safe: false,
            auth: Auth::AppIdAndToken,
            empty_on_404: None,
            target: Target::Api,
            build_error: None,
        }
    }

    /// An operation on a storage URL iconik handed out (see [`Target`]).
    pub(crate) fn storage(
        method: Method,
        name: impl Into<Cow<'static, str>>,
        url: impl Into<String>,
    ) -> Self {
        let mut op = Operation::new(method, "storage", "/");
        op.name = name.into();
        op.target = Target::Storage {
            url: url.into(),
            retry_safe: method.is_idempotent(),
        };
        op
    }

    /// Marks a storage request as safe to send again although its method
    /// is not idempotent.
    pub(crate) fn retry_safe(mut self) -> Self {
        if let Target::Storage { retry_safe, .. } = &mut self.target {
            *retry_safe = true;
        }
        self
    }

    /// Marks a storage request as never to be sent again by the transport
    /// (its caller decides, e.g. a GCS chunk after asking the session).
    pub(crate) fn no_retry(mut self) -> Self {
        if let Target::Storage { retry_safe, .. } = &mut self.target {
            *retry_safe = false;
        }
        self
    }

    /// True for requests to a storage URL rather than iconik's API.
    pub fn is_storage(&self) -> bool {
        matches!(self.target, Target::Storage { .. })
    }

    /// The operation's name as used in logs and errors.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// The service slug, e.g. `assets`.
    pub fn service(&self) -> &str {
        &self.service
    }
    /// The path template, e.g. `/v1/assets/{asset_id}/`.
    pub fn template(&self) -> &str {
        &self.template
    }
    /// Path parameters, in placeholder order (unencoded).
    pub fn path_params(&self) -> &[String] {
        &self.path_params
    }
    /// Query pairs (unencoded), excluding the client's default query.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }
    /// The serialised body, if any.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }
    /// The body's media type (`application/json` unless set otherwise).
    pub fn content_type(&self) -> &str {
        self.content_type.as_deref().unwrap_or("application/json")
    }
    /// The per-request timeout override, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
    /// True when the operation declared itself safe to resend although
    /// its method is not idempotent (see [`RequestBuilder::retry_safe`]).
    pub fn is_retry_safe(&self) -> bool {
        self.retry_safe
    }
    /// The credentials sent with it.
    pub fn auth(&self) -> Auth {
        self.auth
    }
    /// How the retry decision treats this operation.
    pub fn retry_class(&self) -> crate::retry::RetryClass {
        crate::retry::RetryClass::of(self.method, self.retry_safe)
    }

    /// The path with parameters validated and encoded, e.g. `/v1/assets/a%2Fb/`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad parameter or a template that does
    /// not start and end with `/`.
    pub fn render_path(&self) -> Result<String> {
        if let Some(problem) = &self.build_error {
            return Err(Error::InvalidArgument(problem.clone()));
        }
        if !(self.template.starts_with('/') && self.template.ends_with('/')) {
            return Err(Error::invalid(format!(
                "path template {:?} must start and end with '/'",
                self.template
            )));
        }
        let service_ok = !self.service.is_empty()
            && self
                .service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !service_ok {
            return Err(Error::invalid(format!(
                "invalid service name {:?}",
                self.service
            )));
        }
        crate::path::render(&self.template, &self.path_params)
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("service", &self.service)
            .field("template", &self.template)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("payload", &self.payload.as_ref().map(Payload::describe))
            // a storage URL's query is a signature: never printed
            .field("storage", &self.is_storage())
            .field("content_type", &self.content_type())
            // header values may hold secrets: names only
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("retry_safe", &self.retry_safe)
            .finish()
    }
}

/// Builds an [`Operation`] and sends it: the raw escape hatch for any of
/// iconik's operations, on the same request path as the typed ones
/// (pacing, retries, errors, decoding into any `T`).
///
/// Generic over the [`Executor`] like every request: with the blocking
/// [`Client`] `send` returns a `Result`, with `iconik_async::Client` a
/// future of one.
///
/// ```no_run
/// use iconik_sync::{Client, Method};
/// # fn main() -> iconik_sync::Result<()> {
/// let client = Client::from_env()?;
/// let acls: serde_json::Value = client
///     .request(Method::Get, "acls", "/v1/acl/{object_type}/{object_key}/")
///     .path_param("assets")
///     .path_param("6f1f5b9e-0000-0000-0000-000000000000")
///     .query("per_page", 50)
///     .send::<serde_json::Value>()?
///     .into_data();
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until `send` is called"]
#[derive(Debug, Clone)]
pub struct RequestBuilder<C = Client> {
    exec: C,
    op: Operation,
}

impl<C> RequestBuilder<C> {
    /// The operation built so far.
    pub fn operation(&self) -> &Operation {
        &self.op
    }
}

impl<C: Executor> RequestBuilder<C> {
    /// A raw request for `method` on `service`'s `template`, to be carried
    /// out by `exec` (what [`Client::request`] returns, for either client).
    ///
    /// ```
    /// use iconik_sync::{Method, RequestBuilder};
    /// # let client = iconik_sync::Client::new("app", "token").unwrap();
    /// let request = RequestBuilder::new(client, Method::Get, "assets", "/v1/assets/");
    /// assert_eq!(request.operation().template(), "/v1/assets/");
    /// ```
    pub fn new(
        exec: C,
        method: Method,
        service: impl Into<Cow<'static, str>>,
        template: impl Into<Cow<'static, str>>,
    ) -> Self {
        RequestBuilder::from_op(exec, Operation::new(method, service, template))
    }

    /// A request for `op`, to be carried out by `exec`.
    pub(crate) fn from_op(exec: C, op: Operation) -> Self {
        RequestBuilder { exec, op }
    }

    /// Names the operation in logs and errors (default: the path template).
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.op.name = name.into();
        self
    }

    /// Fills the next `{placeholder}` of the path template.
    pub fn path_param(mut self, value: impl Into<String>) -> Self {
        self.op.path_params.push(value.into());
        self
    }

    /// Fills the next placeholders, in order.
    pub fn path_params<S: AsRef<str>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.op
            .path_params
            .extend(values.into_iter().map(|v| v.as_ref().to_owned()));
        self
    }

    /// Adds one query pair.
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.op.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds every set field of a params struct as query pairs. `None` fields
    /// are left out; lists become repeated keys.
    pub fn query_params<Q: Serialize + ?Sized>(mut self, params: &Q) -> Self {
        match serde_json::to_value(params) {
            Ok(serde_json::Value::Object(map)) => {
                for (k, v) in map {
                    push_query_value(&mut self.op.query, &k, v);
                }
            }
            Ok(serde_json::Value::Null) => {}
            Ok(other) => {
                self.op.build_error =
                    Some(format!("query parameters must be a struct, got {other}"))
            }
            Err(e) => self.op.build_error = Some(format!("query parameters: {e}")),
        }
        self
    }

    /// Sets a JSON body (replacing any body set before).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.op.payload = None;
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.op.body = Some(bytes);
                self.op.content_type = None;
            }
            Err(e) => self.op.build_error = Some(format!("request body: {e}")),
        }
        self
    }

    /// Sends `bytes` as the body with `content_type` (instead of JSON).
    ///
    /// ```no_run
    /// use iconik_sync::Method;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let answer = client
    ///     .request(Method::Post, "files", "/v1/files/upload/")
    ///     .body_bytes(b"hello".to_vec(), "application/octet-stream")
    ///     .send::<serde_json::Value>()?;
    /// # Ok(()) }
    /// ```
    pub fn body_bytes(mut self, bytes: Vec<u8>, content_type: impl Into<String>) -> Self {
        let range = 0..bytes.len();
        self.op.payload = Some(Payload::Bytes {
            data: Arc::new(bytes),
            range,
            content_type: Some(content_type.into()),
        });
        self
    }

    /// Streams the file at `path` as the body with `content_type`, never
    /// holding it in memory. The file is opened when the request is sent,
    /// and opened again for a retry; a file that cannot be opened is an
    /// [`Error::Io`](crate::Error::Io) and nothing is sent.
    ///
    /// ```no_run
    /// use iconik_sync::Method;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let answer = client
    ///     .request(Method::Post, "files", "/v1/files/upload/")
    ///     .body_file("clip.mov", "video/quicktime")
    ///     .send::<serde_json::Value>()?;
    /// # Ok(()) }
    /// ```
    pub fn body_file(mut self, path: impl Into<PathBuf>, content_type: impl Into<String>) -> Self {
        self.op.payload = Some(Payload::File {
            path: path.into(),
            content_type: Some(content_type.into()),
        });
        self
    }

    /// Streams `reader` as the body with `content_type` (chunked transfer
    /// encoding). A reader can be read once, so this request is never
    /// retried once it may have started sending.
    ///
    /// ```no_run
    /// use iconik_sync::Method;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let answer = client
    ///     .request(Method::Post, "files", "/v1/files/upload/")
    ///     .body_reader(std::io::stdin(), "application/octet-stream")
    ///     .send::<serde_json::Value>()?;
    /// # Ok(()) }
    /// ```
    pub fn body_reader(
        mut self,
        reader: impl Read + Send + 'static,
        content_type: impl Into<String>,
    ) -> Self {
        self.op.payload = Some(Payload::Reader {
            reader: Arc::new(Mutex::new(Some(Box::new(reader)))),
            content_type: Some(content_type.into()),
        });
        self
    }

    /// Sets an in-memory body with its media type (`image/png`, `application/xml`,
    /// `multipart/form-data; boundary=...`), sent as given.
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let png: Vec<u8> = std::fs::read("logo.png").map_err(|source| iconik_sync::Error::Io {
    ///     context: "reading logo.png".into(),
    ///     source,
    /// })?;
    /// client
    ///     .request(iconik_sync::Method::Post, "users", "/v1/groups/{group_id}/logo/")
    ///     .path_param("6f1f5b9e-0000-0000-0000-000000000000")
    ///     .bytes("image/png", png)
    ///     .send::<serde_json::Value>()?;
    /// # Ok(()) }
    /// ```
    pub fn bytes(mut self, content_type: impl Into<String>, body: Vec<u8>) -> Self {
        self.op.body = Some(body);
        self.op.content_type = Some(Cow::Owned(content_type.into()));
        self.op.payload = None;
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from name/value pairs.
    ///
    /// ```
    /// # let client = iconik_sync::Client::new("app", "token").unwrap();
    /// let request = client
    ///     .request(iconik_sync::Method::Post, "auth", "/v1/oauth/token/")
    ///     .form(&[("grant_type", "authorization_code"), ("code", "a b&c")]);
    /// assert_eq!(request.operation().body(), Some(&b"grant_type=authorization_code&code=a+b%26c"[..]));
    /// assert_eq!(request.operation().content_type(), "application/x-www-form-urlencoded");
    /// ```
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Self {
        self.op.body = Some(form_text(pairs).into_bytes());
        self.op.content_type = Some(Cow::Borrowed("application/x-www-form-urlencoded"));
        self.op.payload = None;
        self
    }

    /// Sets a form-urlencoded body from a typed schema (each set field).
    #[cfg_attr(not(any(feature = "auth", feature = "files")), allow(dead_code))] // only auth and files operations send form or multipart bodies
    pub(crate) fn form_body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match crate::body::form_pairs(body) {
            Ok(pairs) => self = self.form(&pairs),
            Err(e) => self.op.build_error = Some(e),
        }
        self
    }

    /// Sets a `multipart/form-data` body from a typed schema (one part per
    /// set field, a random boundary).
    #[cfg_attr(not(any(feature = "auth", feature = "files")), allow(dead_code))] // only auth and files operations send form or multipart bodies
    pub(crate) fn multipart<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match crate::body::multipart(body) {
            Ok((content_type, bytes)) => self = self.bytes(content_type, bytes),
            Err(e) => self.op.build_error = Some(e),
        }
        self
    }

    /// Adds a request header (sent to the API's origin only).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.op.headers.push((name.into(), value.into()));
        self
    }

    /// Overrides the client's whole-request timeout for this request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.op.timeout = Some(timeout);
        self
    }

    /// Declares the request safe to send again after it may have reached
    /// iconik, although its method (POST, PATCH) is not idempotent: for
    /// reads sent as POST, such as iconik's searches. A 502-504, timeout or
    /// reset is then retried as for a GET. Never use it for a request that
    /// changes anything: it could be applied twice.
    ///
    /// ```no_run
    /// use iconik_sync::Method;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let hits: serde_json::Value = client
    ///     .request(Method::Post, "search", "/v1/search/")
    ///     .json(&serde_json::json!({"query": "title:clip"}))
    ///     .retry_safe()
    ///     .send::<serde_json::Value>()?
    ///     .into_data();
    /// # Ok(()) }
    /// ```
    pub fn retry_safe(mut self) -> Self {
        self.op.retry_safe = true;
        self
    }

    /// Sends only the credentials `auth` names (default: both headers).
    ///
    /// ```
    /// # let client = iconik_sync::Client::new("app", "token").unwrap();
    /// use iconik_sync::{Auth, Method};
    /// let request = client
    ///     .request(Method::Post, "auth", "/v1/auth/simple/login/")
    ///     .auth(Auth::None);
    /// assert_eq!(request.operation().auth(), Auth::None);
    /// ```
    pub fn auth(mut self, auth: Auth) -> Self {
        self.op.auth = auth;
        self
    }

    /// The blocking client this request will be sent on.
    pub fn client(&self) -> &Client {
        self.exec.client()
    }

    /// The executor that will carry it out.
    pub fn executor(&self) -> &C {
        &self.exec
    }

    /// Splits into the executor and the operation.
    pub fn into_parts(self) -> (C, Operation) {
        (self.exec, self.op)
    }

    /// Replaces every query pair named `key` with one `key=value` (a
    /// setter called twice keeps the last value).
    pub(crate) fn set_query(mut self, key: &str, value: String) -> Self {
        self.op.query.retain(|(k, _)| k != key);
        self.op.query.push((key.to_owned(), value));
        self
    }

    /// Replaces the request header `name` (case-insensitively).
    pub(crate) fn set_header(mut self, name: &str, value: String) -> Self {
        self.op
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.op.headers.push((name.to_owned(), value));
        self
    }

    /// Sends the request and decodes the answer as `T`: a `Result` with the
    /// blocking client, a future of one with the async client.
    ///
    /// An empty body (e.g. HTTP 204) decodes as JSON `null`, so `()`,
    /// `Option<_>` and `serde_json::Value` accept it; `()` accepts any body.
    ///
    /// # Errors
    /// Any [`Error`]: invalid arguments before sending, transport failures,
    /// timeouts, non-2xx answers ([`Error::Api`]) and bodies that do not
    /// decode as `T` ([`Error::Decode`], naming `T`).
    pub fn send<T>(self) -> C::Output<Response<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let RequestBuilder { exec, op } = self;
        exec.run(move |client| crate::transport::execute(client, &op))
    }
}
