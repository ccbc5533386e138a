//! `client.metadata()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`MetadataApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __metadata_surface {
    ($cb:ident) => {
        $cb! {
            /// The `metadata` service: `client.metadata()`.
            MetadataApi(metadata) => "metadata" {
            }
        }
    };
}

__metadata_surface!(sync_handler);
