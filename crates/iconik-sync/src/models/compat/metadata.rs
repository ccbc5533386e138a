//! Models of the metadata service: metadata values, views and fields.
//!
//! iconik's values document (`MetadataValuesSchema`) maps each field name to
//! `{"field_values": [{"value": ...}, ...]}`; [`Metadata`] holds it with
//! typed helpers to read and build it:
//!
//! ```
//! use iconik_sync::models::Metadata;
//! use serde_json::json;
//!
//! let body = Metadata::from_fields([
//!     ("description", vec![json!("A red car")]),
//!     ("tags", vec![json!("car"), json!("red")]),
//! ]);
//! assert_eq!(
//!     serde_json::to_value(&body).unwrap(),
//!     json!({"metadata_values": {
//!         "description": {"field_values": [{"value": "A red car"}]},
//!         "tags": {"field_values": [{"value": "car"}, {"value": "red"}]}
//!     }})
//! );
//! assert_eq!(body.first_value("description"), Some(&json!("A red car")));
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

open_enum! {
    /// How written values combine with the existing ones.
    pub enum MetadataMode {
        Append = "append",
        Delete = "delete",
        Overwrite = "overwrite",
    }
}

model! {
    /// One value of a field (an item of `field_values`). `value` is a
    /// string, number, boolean or object depending on the field's type.
    pub struct FieldValue {
        optional {
            value: Value,
        }
    }
}

impl From<Value> for FieldValue {
    fn from(value: Value) -> Self {
        FieldValue::default().value(value)
    }
}

model! {
    /// The values of one field (`metadata.MetadataFieldValueSchema`).
    pub struct FieldValues {
        optional {
            field_values: Vec<FieldValue>,
            mode: MetadataMode,
            date_created: String,
        }
    }
}

impl FieldValues {
    /// Values built from plain JSON values.
    ///
    /// ```
    /// use iconik_sync::models::FieldValues;
    /// let v = FieldValues::of([serde_json::json!(42)]);
    /// assert_eq!(v.values().next(), Some(&serde_json::json!(42)));
    /// ```
    pub fn of<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Self {
        FieldValues::default().field_values(
            values
                .into_iter()
                .map(|v| FieldValue::from(v.into()))
                .collect::<Vec<_>>(),
        )
    }

    /// The values, skipping items without one.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.field_values
            .iter()
            .flatten()
            .filter_map(|v| v.value.as_ref())
    }
}

model! {
    /// The metadata values of an object, as read and written through a
    /// view or directly (`metadata.MetadataValuesSchema`). Used as both the
    /// answer and the body of the metadata reads and writes.
    pub struct Metadata {
        optional {
            /// Field name → its values.
            metadata_values: BTreeMap<String, FieldValues>,
            date_created: String,
            date_modified: String,
            job_id: String,
            object_id: String,
            object_type: String,
            version_id: String,
        }
    }
}

impl Metadata {
    /// A body holding `(field name, values)` pairs, nothing else.
    pub fn from_fields<K, V, I>(fields: I) -> Self
    where
        K: Into<String>,
        V: Into<Value>,
        I: IntoIterator<Item = (K, Vec<V>)>,
    {
        fields
            .into_iter()
            .fold(Metadata::default(), |m, (k, vs)| m.with_field(k, vs))
    }

    /// Sets one field's values (replacing what this value held for it).
    ///
    /// ```
    /// use iconik_sync::models::Metadata;
    /// let m = Metadata::default().with_field("rating", [4]);
    /// assert_eq!(m.first_value("rating"), Some(&serde_json::json!(4)));
    /// ```
    pub fn with_field<V: Into<Value>>(
        mut self,
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.metadata_values
            .get_or_insert_with(BTreeMap::new)
            .insert(field.into(), FieldValues::of(values));
        self
    }

    /// The values of `field` (empty when it has none).
    pub fn values(&self, field: &str) -> Vec<&Value> {
        self.metadata_values
            .as_ref()
            .and_then(|m| m.get(field))
            .map(|f| f.values().collect())
            .unwrap_or_default()
    }

    /// The first value of `field`.
    pub fn first_value(&self, field: &str) -> Option<&Value> {
        self.metadata_values.as_ref()?.get(field)?.values().next()
    }

    /// True when no field has a value.
    pub fn is_empty(&self) -> bool {
        self.metadata_values
            .as_ref()
            .is_none_or(|m| m.values().all(|f| f.values().next().is_none()))
    }
}

model! {
    /// Query parameters of `list_fields`: iconik pages fields by name.
    pub struct FieldListParams {
        optional {
            /// Page size (iconik's default is 500).
            per_page: u32 = exact,
            /// The `name` of the last field of the previous page.
            last_field_name: String,
            /// A comma-separated list of field names to return.
            filter: String,
        }
    }
}

model! {
    /// A metadata field definition (`metadata.MetadataFieldSchema`).
    pub struct MetadataField {
        optional {
            field_type: String,
            label: String,
            name: String,
            ai_prompt_description: String,
            auto_set: bool,
            date_created: String,
            date_modified: String,
            description: String,
            external_id: String,
            hide_if_not_set: bool,
            is_block_field: bool,
            is_warning_field: bool,
            mapped_field_name: String,
            max_value: f64,
            min_value: f64,
            multi: bool,
            options: Vec<FieldOption>,
            read_only: bool,
            representative: bool,
            required: bool,
            sortable: bool,
            source_url: String,
            use_as_facet: bool,
        }
    }
}

model! {
    /// Body of `create_field` and `update_field` (`metadata.MetadataFieldCreateSchema` / `MetadataFieldSchema`).
    pub struct MetadataFieldCreate {
        required {
            field_type: String,
            label: String,
            name: String,
        }
        optional {
            ai_prompt_description: String,
            auto_set: bool,
            date_created: String,
            date_modified: String,
            description: String,
            external_id: String,
            hide_if_not_set: bool,
            is_block_field: bool,
            is_warning_field: bool,
            mapped_field_name: String,
            max_value: f64,
            min_value: f64,
            multi: bool,
            options: Vec<FieldOption>,
            read_only: bool,
            representative: bool,
            required: bool,
            sortable: bool,
            source_url: String,
            use_as_facet: bool,
        }
    }
}

model! {
    /// One choice of a drop-down field (`metadata.FieldOptionsSchema`).
    pub struct FieldOption {
        optional {
            label: String,
            value: String,
        }
    }
}

model! {
    /// A metadata view: a named, ordered set of fields (`metadata.MetadataViewSchema`; list items are `MetadataViewForListSchema`, whose fields decode into the same type).
    pub struct MetadataView {
        optional {
            name: String,
            view_fields: Vec<MetadataField>,
            date_created: String,
            date_modified: String,
            description: String,
            id: String,
        }
    }
}

model! {
    /// Body of `create_view` and `replace_view` (`metadata.MetadataViewCreateSchema` / `MetadataViewInputSchema`).
    pub struct MetadataViewCreate {
        required {
            name: String,
            view_fields: Vec<ViewField>,
        }
        optional {
            description: String,
            id: String,
            write_access_for_everyone: bool,
        }
    }
}

model! {
    /// A field as placed in a view (`metadata.MetadataViewField`).
    pub struct ViewField {
        required {
            name: String,
        }
        optional {
            auto_set: bool,
            hide_if_not_set: bool,
            label: String,
            mapped_field_name: String,
            options: Vec<FieldOption>,
            read_only: bool,
            required: bool,
            source_url: String,
        }
    }
}
