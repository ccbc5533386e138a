//! `client.collections()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`CollectionsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __collections_surface {
    ($cb:ident) => {
        $cb! {
            /// The `collections` service: `client.collections()`.
            CollectionsApi(collections) => "collections" {
            }
        }
    };
}

__collections_surface!(sync_handler);
