//! The earlier hand-written models (`Asset`, `AssetCreate`,
//! `AssetListParams`, ...), re-exported flat from [`crate::models`]: the
//! compatibility aliases of the handlers take and return them.
//!
//! Conventions, made by two macros so every model follows them:
//!
//! - Response models: every field is an `Option` (iconik may leave any out),
//!   unknown fields are kept in `extra` and written back on serialisation,
//!   so data round-trips.
//! - Request bodies: required fields are plain values (the compiler makes
//!   you set them), optional ones are `Option`s that are sent only when set:
//!   nothing dropped, no defaults invented.
//! - Enums accept values they do not know (`Other(String)`), so a new
//!   iconik status never breaks decoding.
//! - UUIDs and timestamps are strings (iconik sends timestamps with and
//!   without a timezone).

/// One optional field's setter: `impl Into<T>` (so `&str` works for a
/// `String`), or the concrete type for integers marked `= exact`, so an
/// integer literal (`per_page(2)`) is inferred as that type.
macro_rules! setter {
    ($opt:ident : $oty:ty) => {
        #[doc = concat!("Sets `", stringify!($opt), "`.")]
        pub fn $opt(mut self, value: impl Into<$oty>) -> Self {
            self.$opt = Some(value.into());
            self
        }
    };
    ($opt:ident : $oty:ty = exact) => {
        #[doc = concat!("Sets `", stringify!($opt), "`.")]
        pub fn $opt(mut self, value: $oty) -> Self {
            self.$opt = Some(value);
            self
        }
    };
}

/// Defines a model struct: `required` fields are plain, `optional` ones
/// become `Option<T>` sent only when set; unknown fields land in `extra`.
/// Generates `new(required...)` and a chainable setter per optional field.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( required {
                $( $(#[$rmeta:meta])* $req:ident : $rty:ty, )*
            } )?
            $( optional {
                $( $(#[$ometa:meta])* $opt:ident : $oty:ty $(= $exact:ident)?, )*
            } )?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $($(
                $(#[$rmeta])*
                #[doc = concat!("iconik's `", stringify!($req), "` (required).")]
                #[serde(default)]
                pub $req: $rty,
            )*)?
            $($(
                $(#[$ometa])*
                #[doc = concat!("iconik's `", stringify!($opt), "`.")]
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $opt: Option<$oty>,
            )*)?
            /// Fields this version of the client does not model, kept as
            /// received and sent back on serialisation.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// A value with the required fields set and nothing else.
            #[allow(clippy::new_without_default)]
            pub fn new($($( $req: impl Into<$rty> ),*)?) -> Self {
                $name {
                    $($( $req: $req.into(), )*)?
                    ..Default::default()
                }
            }

            $($(
                setter!($opt: $oty $(= $exact)?);
            )*)?

            /// Sets a field this type does not model.
            pub fn extra_field(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                self.extra.insert(key.into(), value.into());
                self
            }
        }
    };
}

/// Defines a string enum that also accepts values it does not know.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )*
            /// A value this version of the client does not know.
            Other(String),
        }

        impl $name {
            /// The value as iconik writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}

mod assets;
mod collections;
mod common;
mod files;
mod jobs;
mod metadata;
mod search;
pub use assets::*;
pub use collections::*;
pub use common::*;
pub use files::*;
pub use jobs::*;
pub use metadata::*;
pub use search::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_enum_values_round_trip() {
        let json = serde_json::json!({
            "id": "a1", "title": "Clip", "status": "SOMETHING_NEW",
            "type": "ASSET", "brand_new_field": {"x": [1, 2]}, "category": null
        });
        let asset: Asset = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(
            asset.status,
            Some(AssetStatus::Other("SOMETHING_NEW".into()))
        );
        assert_eq!(asset.r#type, Some(AssetType::Asset));
        assert_eq!(asset.category, None);
        assert_eq!(asset.extra["brand_new_field"]["x"][1], 2);
        let back = serde_json::to_value(&asset).unwrap();
        assert_eq!(back["brand_new_field"], json["brand_new_field"]);
        assert_eq!(back["status"], "SOMETHING_NEW");
        assert!(
            back.get("category").is_none(),
            "unset fields are not invented"
        );
    }

    #[test]
    fn request_bodies_send_exactly_what_was_set() {
        let body = AssetCreate::new("My clip").external_id("x-1");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"title": "My clip", "external_id": "x-1"})
        );
    }
}
