//! `client.search()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`SearchApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __search_surface {
    ($cb:ident) => {
        $cb! {
            /// The `search` service: `client.search()`.
            SearchApi(search) => "search" {
            }
        }
    };
}

__search_surface!(sync_handler);
