//! `client.files()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`FilesApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __files_surface {
    ($cb:ident) => {
        $cb! {
            /// The `files` service: `client.files()`.
            FilesApi(files) => "files" {
            }
        }
    };
}

__files_surface!(sync_handler);
