//! `client.assets()`: assets, segments, versions and history.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`AssetsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __assets_surface {
    ($cb:ident) => {
        $cb! {
            /// Assets: `client.assets()`.
            ///
            /// ```no_run
            /// # fn main() -> iconik_sync::Result<()> {
            /// let client = iconik_sync::Client::from_env()?;
            /// let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
            /// # Ok(()) }
            /// ```
            AssetsApi(assets) => "assets" {
                /// Gets one asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// println!("{:?}", asset.title);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a bad id
                /// (nothing sent); 404 when there is no such asset.
                call fn get(asset_id: &str) -> Result<Response<Asset>>
                    = Get "/v1/assets/{asset_id}/" => |op| op.path_param(asset_id).send();
            }
        }
    };
}

__assets_surface!(sync_handler);
