//! Hand-written helpers for iconik's metadata values (not generated): the
//! spec types a view's values as a free-form map, whose shape iconik
//! documents as `{"<field>": {"field_values": [{"value": ...}, ...]}}`.

use serde_json::{json, Map, Value};

use crate::metadata::MetadataValues;

impl MetadataValues {
    /// Values for one field, in iconik's shape, ready to send.
    ///
    /// ```
    /// use iconik_models::metadata::MetadataValues;
    /// let values = MetadataValues::of_field("description", ["Shot on location"]);
    /// assert_eq!(values.first_value("description"), Some("Shot on location"));
    /// assert_eq!(
    ///     serde_json::to_value(&values).unwrap()["metadata_values"]["description"],
    ///     serde_json::json!({"field_values": [{"value": "Shot on location"}]})
    /// );
    /// ```
    pub fn of_field<V: Into<Value>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        MetadataValues::new(Map::new()).with_field(field, values)
    }

    /// Sets one field's values (replacing what it had), in iconik's shape.
    ///
    /// ```
    /// use iconik_models::metadata::MetadataValues;
    /// let values = MetadataValues::of_field("description", ["Interview"])
    ///     .with_field("keywords", ["city", "night"]);
    /// assert_eq!(values.field_values("keywords").len(), 2);
    /// ```
    pub fn with_field<V: Into<Value>>(
        mut self,
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values: Vec<Value> = values
            .into_iter()
            .map(|v| json!({ "value": v.into() }))
            .collect();
        self.metadata_values
            .insert(field.into(), json!({ "field_values": values }));
        self
    }

    /// Every value of `field` as iconik sent it (empty when it has none).
    ///
    /// ```
    /// use iconik_models::metadata::MetadataValues;
    /// let values = MetadataValues::of_field("rating", [4]);
    /// assert_eq!(values.field_values("rating"), vec![&serde_json::json!(4)]);
    /// assert!(values.field_values("other").is_empty());
    /// ```
    pub fn field_values(&self, field: &str) -> Vec<&Value> {
        self.metadata_values
            .get(field)
            .and_then(|f| f.get("field_values"))
            .and_then(Value::as_array)
            .map(|vs| vs.iter().filter_map(|v| v.get("value")).collect())
            .unwrap_or_default()
    }

    /// The first value of `field`, when it is text.
    ///
    /// ```
    /// use iconik_models::metadata::MetadataValues;
    /// let values = MetadataValues::of_field("title", ["Clip"]);
    /// assert_eq!(values.first_value("title"), Some("Clip"));
    /// ```
    pub fn first_value(&self, field: &str) -> Option<&str> {
        self.field_values(field).first().and_then(|v| v.as_str())
    }
}
