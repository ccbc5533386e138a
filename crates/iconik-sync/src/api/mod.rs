//! Typed handlers, one per iconik resource: `client.assets()`,
//! `client.collections()`, ...
//!
//! # One list, two surfaces
//!
//! Each handler's methods are written once, as a list inside an exported
//! macro (`__assets_surface!` and friends). The list gives, per method: its
//! docs, kind (`call`: one request; `iter`: a lazy paginator), name,
//! arguments (all borrowed), result type, HTTP method, path template and
//! the body that builds the request. This crate expands the list into the
//! blocking methods; `iconik-async` expands the very same list into their
//! awaitable twins, so the two surfaces cannot drift. The list also yields
//! [`MethodInfo`] tables, checked against the method table below by a test.
#![doc = include_str!("../../METHODS.md")]

use crate::operation::Method;

/// One method of a handler, as declared in its surface list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The handler type, e.g. `AssetsApi`.
    pub handler: &'static str,
    /// The accessor on the client, e.g. `assets`.
    pub accessor: &'static str,
    /// The method's name, e.g. `get`.
    pub name: &'static str,
    /// `call` (one request) or `iter` (a lazy paginator).
    pub kind: &'static str,
    /// The HTTP method sent.
    pub method: Method,
    /// The service slug, e.g. `assets`.
    pub service: &'static str,
    /// The path template after the service, e.g. `/v1/assets/{asset_id}/`.
    pub path: &'static str,
}

/// Expands a handler's surface list into its blocking methods.
macro_rules! sync_handler {
    (
        $(#[$hmeta:meta])*
        $handler:ident($accessor:ident) => $service:literal {
            $(
                $(#[$meta:meta])*
                $kind:ident fn $name:ident ( $( $arg:ident : & $aty:ty ),* $(,)? ) -> $ret:ty
                    = $http:ident $path:literal => |$op:ident| $body:expr ;
            )*
        }
    ) => {
        $(#[$hmeta])*
        #[derive(Debug, Clone)]
        pub struct $handler {
            client: $crate::Client,
        }

        impl $handler {
            $(
                $(#[$meta])*
                pub fn $name(&self, $( $arg: &$aty ),*) -> $ret {
                    let $op = self
                        .client
                        .request($crate::Method::$http, $service, $path)
                        .name(stringify!($name));
                    $body
                }
            )*

            /// Every method of this handler: name, kind, HTTP method, path.
            pub const METHODS: &'static [$crate::api::MethodInfo] = &[
                $( $crate::api::MethodInfo {
                    handler: stringify!($handler),
                    accessor: stringify!($accessor),
                    name: stringify!($name),
                    kind: stringify!($kind),
                    method: $crate::Method::$http,
                    service: $service,
                    path: $path,
                }, )*
            ];
        }

        impl $crate::Client {
            #[doc = concat!("The [`", stringify!($handler), "`] handler.")]
            pub fn $accessor(&self) -> $handler {
                $handler { client: self.clone() }
            }
        }
    };
}

/// Runs `$cb!` on every handler's surface list (used by `iconik-async`).
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_surface {
    ($cb:ident) => {
        $crate::__assets_surface!($cb);
        $crate::__collections_surface!($cb);
        $crate::__files_surface!($cb);
        $crate::__jobs_surface!($cb);
        $crate::__metadata_surface!($cb);
        $crate::__search_surface!($cb);
    };
}

pub mod assets;
pub mod collections;
pub mod files;
pub mod jobs;
pub mod metadata;
pub mod operations;
pub mod search;

pub use assets::AssetsApi;
pub use collections::CollectionsApi;
pub use files::FilesApi;
pub use jobs::JobsApi;
pub use metadata::MetadataApi;
pub use operations::{OperationInfo, OPERATIONS};
pub use search::SearchApi;

/// Every method of every handler, in list order.
pub fn all_methods() -> Vec<MethodInfo> {
    [
        AssetsApi::METHODS,
        CollectionsApi::METHODS,
        FilesApi::METHODS,
        JobsApi::METHODS,
        MetadataApi::METHODS,
        SearchApi::METHODS,
    ]
    .concat()
}

/// The method table as Markdown, as `METHODS.md` holds it.
pub fn methods_markdown() -> String {
    let mut out = String::from(
        "## Method table\n\n| handler | method | kind | HTTP | path |\n|---|---|---|---|---|\n",
    );
    for m in all_methods() {
        out.push_str(&format!(
            "| `{}()` | `{}` | {} | {} | `/API/{}{}` |\n",
            m.accessor, m.name, m.kind, m.method, m.service, m.path
        ));
    }
    out
}
