//! From schema names and type strings to Rust types: one type per shape.
//!
//! Decides, once for all outputs:
//!
//! 1. which schemas become types at all: those an operation sends or
//!    receives (its body, its response, and everything they contain);
//!    field-less schemas are free-form objects (`Map<String, Value>`), empty
//!    `*ResponseDefault`s are not types;
//! 2. which of them are the same shape ([`shapes`]): enums with the same
//!    values, structs with the same fields (names, types after this very
//!    merge, required flags, openness) and unions with the same members are
//!    one class, across services; a class used by several services is
//!    generated once in `models/common.rs`;
//! 3. each class's Rust name ([`shapes`], rule in [`crate::names`]) and
//!    the `pub type` aliases kept for operation-facing names;
//! 4. which classes are sent (`Serialize`) and received (`Deserialize`),
//!    and which references need a `Box`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::spec::{ServiceSchemas, Spec};

mod shapes;

pub use shapes::{Class, ClassKind};

/// What a schema name stands for in one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A struct.
    Model,
    /// An open string enum.
    Enum,
    /// A schema with no fields: a free-form JSON object.
    Object,
    /// An empty `*ResponseDefault` schema: not a type (`serde_json::Value`).
    Skipped,
}

/// The model decisions of `overrides.toml` (its `[models]` table).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ModelOverrides {
    /// `"service.Schema.field" = "reason"`: a field the spec requires that
    /// iconik is known to leave out, decoded as optional.
    #[serde(default)]
    pub optional: BTreeMap<String, String>,
    /// Unions whose members carry their discriminator in a field the spec
    /// types as a plain string, keyed by the members joined with ` | `.
    #[serde(default)]
    pub union_tag: BTreeMap<String, UnionTag>,
}

/// How to tell the members of a union apart (see [`ModelOverrides`]).
#[derive(Debug, Clone, Deserialize)]
pub struct UnionTag {
    /// The field holding the discriminator, e.g. `object_type`.
    pub tag: String,
    /// Its value for each member, in the union's order.
    pub values: Vec<String>,
    /// Why.
    #[allow(dead_code)]
    pub reason: String,
}

/// Splits `A | list[B | C] | None` at the top level.
pub fn split_union(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in t.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '|' if depth == 0 => {
                out.push(t[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(t[start..].trim());
    out
}

/// The kind of `name` in `svc`, if it is a schema there.
pub fn kind(svc: &ServiceSchemas, name: &str) -> Option<Kind> {
    if let Some(m) = svc.models.get(name) {
        Some(if !m.fields.is_empty() {
            Kind::Model
        } else if name.ends_with("ResponseDefault") {
            Kind::Skipped
        } else {
            Kind::Object
        })
    } else if svc.enums.contains_key(name) {
        Some(Kind::Enum)
    } else {
        None
    }
}

/// A type string of `schemas.json`, parsed in one service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    /// `str`, `UUID` and the dates (iconik writes dates with and without a
    /// timezone, so they stay strings).
    Str,
    Int,
    Float,
    Bool,
    /// Any JSON value (`Any`, `File`, what is not a type).
    Any,
    /// A free-form JSON object (`dict`, a schema without fields).
    Object,
    /// `Literal['x']`: a string with one allowed value.
    Literal(String),
    /// A model or enum of the service.
    Named(String),
    /// `list[X]`; `true` when the items may be null.
    List(Box<Ty>, bool),
    /// Two or more members, none of them `None`.
    Union(Vec<Ty>),
}

/// Parses a type string in `svc`: the type, and whether it may be null.
pub fn parse(svc: &ServiceSchemas, field_union: &BTreeMap<String, String>, t: &str) -> (Ty, bool) {
    let parts = split_union(t);
    let nullable = parts.contains(&"None") || parts.contains(&"Unset");
    let rest: Vec<&str> = parts
        .into_iter()
        .filter(|p| *p != "None" && *p != "Unset")
        .collect();
    let ty = match rest.as_slice() {
        [] => Ty::Any,
        [one] => single(svc, field_union, one),
        _ => match field_union.get(&rest.join(" | ")) {
            Some(chosen) => single(svc, field_union, chosen),
            None => Ty::Union(rest.iter().map(|m| single(svc, field_union, m)).collect()),
        },
    };
    (ty, nullable)
}

fn single(svc: &ServiceSchemas, field_union: &BTreeMap<String, String>, t: &str) -> Ty {
    match t {
        "str" | "UUID" | "datetime.datetime" | "datetime.date" | "datetime.time" => Ty::Str,
        "int" => Ty::Int,
        "float" => Ty::Float,
        "bool" => Ty::Bool,
        "dict" => Ty::Object,
        _ => {
            if let Some(inner) = t.strip_prefix("list[").and_then(|s| s.strip_suffix(']')) {
                let (ty, nullable) = parse(svc, field_union, inner);
                return Ty::List(Box::new(ty), nullable);
            }
            if let Some(lit) = t.strip_prefix("Literal[").and_then(|s| s.strip_suffix(']')) {
                return Ty::Literal(lit.trim_matches(|c| c == '\'' || c == '"').to_owned());
            }
            match kind(svc, t) {
                Some(Kind::Model) | Some(Kind::Enum) => Ty::Named(t.to_owned()),
                Some(Kind::Object) => Ty::Object,
                Some(Kind::Skipped) | None => Ty::Any,
            }
        }
    }
}

/// A type with its references resolved to classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RTy {
    Str,
    Int,
    Float,
    Bool,
    Any,
    Object,
    Literal(String),
    /// A struct, enum or union class (index into [`Types::classes`]).
    Class(usize),
    List(Box<RTy>, bool),
}

/// The type decisions.
#[derive(Debug, Clone)]
pub struct Types {
    /// Every class, in a stable order.
    pub classes: Vec<Class>,
    /// `(service, schema)` -> class, for every schema that is a type.
    by_schema: BTreeMap<(String, String), usize>,
    /// `(service, union type)` -> class.
    by_union: BTreeMap<(String, Ty), usize>,
    /// `(service, schema)` -> the alias the service's module declares for it.
    pub aliases: BTreeMap<(String, String), String>,
    /// `(service, schema)` -> the alias of `Map<String, Value>` declared for
    /// a free-form object an operation sends or receives.
    pub objects: BTreeMap<(String, String), String>,
    field_union: BTreeMap<String, String>,
    /// The address of each service's schemas, to recognise the
    /// `&ServiceSchemas` that [`Types::map`] is given.
    services: Vec<(usize, String)>,
}

impl Types {
    /// Decides every class, name, direction and box.
    ///
    /// # Errors
    /// When an override names no schema or field, or two classes cannot be
    /// given distinct names.
    pub fn new(spec: &Spec) -> Result<Types, String> {
        let field_union: BTreeMap<String, String> = spec
            .overrides
            .field_union
            .iter()
            .map(|(k, v)| (k.clone(), v.use_.clone()))
            .collect();
        let built = shapes::build(spec, &field_union)?;
        Ok(Types {
            classes: built.classes,
            by_schema: built.by_schema,
            by_union: built.by_union,
            aliases: built.aliases,
            objects: built.objects,
            field_union,
            services: spec
                .schemas
                .iter()
                .map(|(name, s)| (s as *const ServiceSchemas as usize, name.clone()))
                .collect(),
        })
    }

    /// The Rust name under which `models::<service>` exports the type of
    /// `schema` (its alias where it has one; free-form objects an operation
    /// sends or receives are aliases of `Map<String, Value>`), or `None`
    /// when the schema is not a type there (`serde_json::Value`: empty
    /// defaults, schemas no operation sends or receives).
    pub fn rust_name(&self, service: &str, schema: &str) -> Option<String> {
        let key = (service.to_owned(), schema.to_owned());
        if let Some(alias) = self.aliases.get(&key).or(self.objects.get(&key)) {
            return Some(alias.clone());
        }
        self.by_schema
            .get(&key)
            .map(|&c| self.classes[c].name.clone())
    }

    /// What a Rust name of `models::<service>` stands for: a class, or
    /// (`None` inside) a free-form object alias.
    pub fn lookup(&self, service: &str, name: &str) -> Option<Option<usize>> {
        if self
            .objects
            .iter()
            .any(|((s, _), a)| s == service && a == name)
        {
            return Some(None);
        }
        if let Some(((_, schema), _)) = self
            .aliases
            .iter()
            .find(|((s, _), a)| s == service && *a == name)
        {
            return self.class_of(service, schema).map(Some);
        }
        self.classes
            .iter()
            .position(|c| c.name == name && c.services.contains(service))
            .map(Some)
    }

    /// The class of a schema of a service, if it is a type.
    pub fn class_of(&self, service: &str, schema: &str) -> Option<usize> {
        self.by_schema
            .get(&(service.to_owned(), schema.to_owned()))
            .copied()
    }

    /// The Rust type of a type string used in `svc`, as seen from inside a
    /// models module, and whether it was optional (`X | None`).
    pub fn map(&self, svc: &ServiceSchemas, t: &str) -> (String, bool) {
        let address = svc as *const ServiceSchemas as usize;
        match self.services.iter().find(|(a, _)| *a == address) {
            Some((_, service)) => {
                let service = service.clone();
                self.map_in(&service, svc, t)
            }
            None => ("Value".to_owned(), true),
        }
    }

    /// [`Types::map`] with the service named.
    pub fn map_in(&self, service: &str, svc: &ServiceSchemas, t: &str) -> (String, bool) {
        let (ty, nullable) = parse(svc, &self.field_union, t);
        let rust = match self.resolve(service, &ty) {
            Some(r) => self.rust(&r),
            None => "Value".to_owned(),
        };
        (rust, nullable)
    }

    /// Resolves a parsed type of `service` to classes (`None` when it
    /// names a schema that is not generated).
    pub fn resolve(&self, service: &str, ty: &Ty) -> Option<RTy> {
        Some(match ty {
            Ty::Str => RTy::Str,
            Ty::Int => RTy::Int,
            Ty::Float => RTy::Float,
            Ty::Bool => RTy::Bool,
            Ty::Any => RTy::Any,
            Ty::Object => RTy::Object,
            Ty::Literal(v) => RTy::Literal(v.clone()),
            Ty::Named(n) => RTy::Class(self.class_of(service, n)?),
            Ty::List(inner, nullable) => {
                RTy::List(Box::new(self.resolve(service, inner)?), *nullable)
            }
            Ty::Union(_) => RTy::Class(*self.by_union.get(&(service.to_owned(), ty.clone()))?),
        })
    }

    /// The Rust spelling of a resolved type inside a models module.
    pub fn rust(&self, ty: &RTy) -> String {
        match ty {
            RTy::Str | RTy::Literal(_) => "String".to_owned(),
            RTy::Int => "i64".to_owned(),
            RTy::Float => "f64".to_owned(),
            RTy::Bool => "bool".to_owned(),
            RTy::Any => "Value".to_owned(),
            RTy::Object => "Map<String, Value>".to_owned(),
            RTy::Class(c) => self.classes[*c].name.clone(),
            RTy::List(inner, true) => format!("Vec<Option<{}>>", self.rust(inner)),
            RTy::List(inner, false) => format!("Vec<{}>", self.rust(inner)),
        }
    }

    /// The classes a module declares: `common`'s, or a service's own.
    pub fn declared_in(&self, module: &str) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.classes.len())
            .filter(|&c| self.classes[c].module() == module)
            .collect();
        out.sort_by(|a, b| self.classes[*a].name.cmp(&self.classes[*b].name));
        out
    }

    /// The shared classes a service's module re-exports from `common`.
    pub fn reexported_in(&self, service: &str) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.classes.len())
            .filter(|&c| {
                let class = &self.classes[c];
                class.module() == "common" && class.services.contains(service)
            })
            .collect();
        out.sort_by(|a, b| self.classes[*a].name.cmp(&self.classes[*b].name));
        out
    }
}
