//! The async handlers, expanded from `iconik-sync`'s surface lists.
//!
//! `iconik_sync::__for_each_surface!(async_handler)` hands every handler's
//! list to [`async_handler!`]; each `call` method becomes an `async fn`
//! that clones its borrowed arguments (`ToOwned`), then runs the sync
//! method on a worker; each `iter` method wraps the sync paginator in an
//! [`AsyncIter`](crate::AsyncIter) (creating it does no I/O).

#[allow(unused_imports)]
use iconik_sync::prelude::*;

use crate::{AsyncIter, Client};

macro_rules! async_method {
    (call $accessor:ident $handler:ident $name:ident ( $( $arg:ident : $aty:ty ),* ) -> $ret:ty) => {
        #[doc = concat!(
            "Async twin of [`iconik_sync::api::", stringify!($handler), "::", stringify!($name),
            "`]: same arguments, same result, run on a worker."
        )]
        pub async fn $name(&self, $( $arg: &$aty ),*) -> $ret {
            $( let $arg = <$aty as ToOwned>::to_owned($arg); )*
            self.client
                .run(move |c| c.$accessor().$name($( &$arg ),*))
                .await
        }
    };
    (iter $accessor:ident $handler:ident $name:ident ( $( $arg:ident : $aty:ty ),* ) -> $ret:ty) => {
        #[doc = concat!(
            "Async twin of [`iconik_sync::api::", stringify!($handler), "::", stringify!($name),
            "`]: the same lazy paginator, each page fetched on a worker."
        )]
        pub fn $name(&self, $( $arg: &$aty ),*) -> AsyncIter<$ret> {
            AsyncIter::new(self.client.clone(), self.client.sync().$accessor().$name($( $arg ),*))
        }
    };
}

macro_rules! async_handler {
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
        #[doc = concat!(
            "Async twin of [`iconik_sync::api::", stringify!($handler), "`]: `client.",
            stringify!($accessor), "()`."
        )]
        #[derive(Debug, Clone)]
        pub struct $handler {
            client: Client,
        }

        impl $handler {
            $( async_method!($kind $accessor $handler $name ( $( $arg : $aty ),* ) -> $ret); )*

            /// Every method of this handler, from the same list as the sync one.
            pub const METHODS: &'static [(&'static str, &'static str)] =
                &[ $( (stringify!($name), stringify!($kind)), )* ];
        }

        impl Client {
            #[doc = concat!("The [`", stringify!($handler), "`] handler.")]
            pub fn $accessor(&self) -> $handler {
                $handler { client: self.clone() }
            }
        }
    };
}

iconik_sync::__for_each_surface!(async_handler);

/// Every async method as `(handler, name, kind)`, in list order.
pub fn all_methods() -> Vec<(&'static str, &'static str, &'static str)> {
    macro_rules! collect {
        ($($handler:ident),*) => {{
            let mut all = Vec::new();
            $( all.extend($handler::METHODS.iter().map(|&(n, k)| (stringify!($handler), n, k))); )*
            all
        }};
    }
    collect!(
        AssetsApi,
        CollectionsApi,
        FilesApi,
        JobsApi,
        MetadataApi,
        SearchApi
    )
}
