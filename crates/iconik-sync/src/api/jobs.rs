//! `client.jobs()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`JobsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __jobs_surface {
    ($cb:ident) => {
        $cb! {
            /// The `jobs` service: `client.jobs()`.
            JobsApi(jobs) => "jobs" {
            }
        }
    };
}

__jobs_surface!(sync_handler);
