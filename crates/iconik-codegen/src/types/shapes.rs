//! One class per shape: which schemas are types, which are the same shape,
//! what each is called, which way it travels and what needs a `Box`.
//!
//! Schemas become nodes (models, enums, and the unions found in fields);
//! partition refinement then merges nodes whose definitions are equal once
//! every reference is replaced by its class, which reaches the coarsest
//! partition and so also merges mutually recursive copies.

use std::collections::{BTreeMap, BTreeSet};

use super::{kind, parse, split_union, Kind, ModelOverrides, RTy, Ty};
use crate::spec::Spec;

mod naming;

use naming::{aliases, name_classes, objects, order_variants};

/// What a class is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    Struct,
    Enum,
    Union,
}

/// One field of a struct class.
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON key.
    pub key: String,
    /// The spec's type string, for the docs.
    pub spec: String,
    pub ty: RTy,
    /// Required by the spec (and not overridden).
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Why a field the spec requires is optional here.
    pub relaxed: Option<String>,
    /// Behind a `Box` (a cycle of direct references).
    pub boxed: bool,
}

/// One variant of a union class.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub ty: RTy,
    /// The discriminator's value (tagged unions).
    pub tag: Option<String>,
    pub boxed: bool,
}

/// One generated type.
#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub kind: ClassKind,
    /// `(service, schema)` of every schema of this shape; for unions
    /// `(service, "Owner.field")` of every field typed by it.
    pub members: Vec<(String, String)>,
    /// The member whose definition is printed.
    pub rep: (String, String),
    pub services: BTreeSet<String>,
    /// Reachable from a request body: `Serialize`.
    pub sent: bool,
    /// Reachable from a response: `Deserialize`.
    pub received: bool,
    /// Structs: unknown fields are kept.
    pub open: bool,
    pub fields: Vec<Field>,
    /// Enums: the values.
    pub values: Vec<String>,
    /// Unions: the discriminator's key, when tagged.
    pub tag: Option<String>,
    pub variants: Vec<Variant>,
}

impl Class {
    /// The module that declares the class: `common` when several services
    /// use it, else the service's.
    pub fn module(&self) -> &str {
        if self.services.len() > 1 {
            "common"
        } else {
            self.services.iter().next().map_or("common", String::as_str)
        }
    }
}

/// What [`build`] decides.
pub struct Built {
    pub classes: Vec<Class>,
    pub by_schema: BTreeMap<(String, String), usize>,
    pub by_union: BTreeMap<(String, Ty), usize>,
    pub aliases: BTreeMap<(String, String), String>,
    /// `(service, schema)` -> the `Map<String, Value>` alias of a free-form
    /// object an operation sends or receives.
    pub objects: BTreeMap<(String, String), String>,
}

/// A parsed field of a model node.
#[derive(Debug, Clone)]
struct NodeField {
    key: String,
    spec: String,
    ty: Ty,
    required: bool,
    nullable: bool,
    relaxed: Option<String>,
}

#[derive(Debug, Clone)]
enum Def {
    Model {
        open: bool,
        fields: Vec<NodeField>,
    },
    Enum(Vec<String>),
    /// Members, and the discriminator with one value per member.
    Union(Vec<Ty>, Option<(String, Vec<String>)>),
}

#[derive(Debug, Clone)]
struct Node {
    service: String,
    /// The schema name, or `Owner.field` for a union.
    label: String,
    def: Def,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Schema(String),
    Union(Ty),
}

struct Graph<'a> {
    spec: &'a Spec,
    overrides: &'a ModelOverrides,
    field_union: &'a BTreeMap<String, String>,
    nodes: Vec<Node>,
    index: BTreeMap<(String, Key), usize>,
    used_relaxations: BTreeSet<String>,
}

impl Graph<'_> {
    /// The node of a named schema or a union, created on first sight.
    fn node(&mut self, service: &str, key: Key, label: &str) -> Result<usize, String> {
        let k = (service.to_owned(), key.clone());
        if let Some(&n) = self.index.get(&k) {
            return Ok(n);
        }
        let (spec, overrides, field_union) = (self.spec, self.overrides, self.field_union);
        let def = match &key {
            Key::Schema(name) => {
                let svc = &spec.schemas[service];
                if let Some(values) = svc.enums.get(name) {
                    Def::Enum(values.clone())
                } else {
                    let schema = &svc.models[name];
                    let mut fields = Vec::new();
                    for (key, spec_ty, required) in &schema.fields {
                        let (ty, nullable) = parse(svc, field_union, spec_ty);
                        let id = format!("{service}.{name}.{key}");
                        let relaxed = overrides.optional.get(&id).cloned();
                        if relaxed.is_some() {
                            if !required {
                                return Err(format!(
                                    "overrides.toml [models.optional]: {id} is not required"
                                ));
                            }
                            self.used_relaxations.insert(id);
                        }
                        fields.push(NodeField {
                            key: key.clone(),
                            spec: spec_ty.clone(),
                            ty,
                            required: *required && relaxed.is_none(),
                            nullable,
                            relaxed,
                        });
                    }
                    Def::Model {
                        open: schema.open,
                        fields,
                    }
                }
            }
            Key::Union(Ty::Union(members)) => {
                let tag = self.union_tag(service, members)?;
                Def::Union(members.clone(), tag)
            }
            Key::Union(other) => return Err(format!("not a union: {other:?}")),
        };
        let n = self.nodes.len();
        self.nodes.push(Node {
            service: service.to_owned(),
            label: label.to_owned(),
            def,
        });
        self.index.insert(k, n);
        Ok(n)
    }

    /// A field present in every member whose type is one fixed value
    /// (a one-value enum or a `Literal`), different in each member; or the
    /// override for this union.
    fn union_tag(
        &self,
        service: &str,
        members: &[Ty],
    ) -> Result<Option<(String, Vec<String>)>, String> {
        let svc = &self.spec.schemas[service];
        let mut names = Vec::new();
        for m in members {
            match m {
                Ty::Named(n) if kind(svc, n) == Some(Kind::Model) => names.push(n.as_str()),
                _ => return Ok(None),
            }
        }
        if let Some(o) = self.overrides.union_tag.get(&names.join(" | ")) {
            if o.values.len() != names.len() {
                return Err(format!(
                    "overrides.toml [models.union_tag] {:?}: one value per member",
                    names.join(" | ")
                ));
            }
            return Ok(Some((o.tag.clone(), o.values.clone())));
        }
        let first = &svc.models[names[0]];
        'keys: for (key, _, _) in &first.fields {
            let mut values = Vec::new();
            for n in &names {
                let Some(f) = svc.models[*n].fields.iter().find(|f| f.0 == *key) else {
                    continue 'keys;
                };
                let value = match parse(svc, self.field_union, &f.1).0 {
                    Ty::Literal(v) => v,
                    Ty::Named(e) => match svc.enums.get(&e) {
                        Some(vs) if vs.len() == 1 => vs[0].clone(),
                        _ => continue 'keys,
                    },
                    _ => continue 'keys,
                };
                if values.contains(&value) {
                    continue 'keys;
                }
                values.push(value);
            }
            return Ok(Some((key.clone(), values)));
        }
        Ok(None)
    }

    /// The nodes a type refers to, created as needed.
    fn refs(&mut self, service: &str, ty: &Ty, label: &str) -> Result<Vec<usize>, String> {
        Ok(match ty {
            Ty::Named(n) => vec![self.node(service, Key::Schema(n.clone()), n)?],
            Ty::List(inner, _) => self.refs(service, inner, label)?,
            Ty::Union(_) => vec![self.node(service, Key::Union(ty.clone()), label)?],
            _ => Vec::new(),
        })
    }

    /// The nodes a node refers to.
    fn deps(&mut self, n: usize) -> Result<Vec<usize>, String> {
        let node = self.nodes[n].clone();
        let mut out = Vec::new();
        match &node.def {
            Def::Model { fields, .. } => {
                for f in fields {
                    let label = format!("{}.{}", node.label, f.key);
                    out.extend(self.refs(&node.service, &f.ty, &label)?);
                }
            }
            Def::Enum(_) => {}
            Def::Union(members, _) => {
                for m in members {
                    let label = format!("{}[]", node.label);
                    out.extend(self.refs(&node.service, m, &label)?);
                }
            }
        }
        Ok(out)
    }

    /// Marks everything reachable from `roots`.
    fn reach(&mut self, roots: &[(String, String)]) -> Result<BTreeSet<usize>, String> {
        let mut seen = BTreeSet::new();
        let mut stack = Vec::new();
        for (service, name) in roots {
            stack.push(self.node(service, Key::Schema(name.clone()), name)?);
        }
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                stack.extend(self.deps(n)?);
            }
        }
        Ok(seen)
    }

    /// The signature of a type, references replaced by classes.
    fn ty_sig(&self, service: &str, ty: &Ty, class: &[usize]) -> String {
        match ty {
            Ty::Str => "s".into(),
            Ty::Int => "i".into(),
            Ty::Float => "f".into(),
            Ty::Bool => "b".into(),
            Ty::Any => "a".into(),
            Ty::Object => "o".into(),
            Ty::Literal(v) => format!("l{v:?}"),
            Ty::Named(n) => format!(
                "#{}",
                class[self.index[&(service.to_owned(), Key::Schema(n.clone()))]]
            ),
            Ty::Union(_) => format!(
                "#{}",
                class[self.index[&(service.to_owned(), Key::Union(ty.clone()))]]
            ),
            Ty::List(inner, nullable) => {
                format!(
                    "[{}{}]",
                    self.ty_sig(service, inner, class),
                    if *nullable { "?" } else { "" }
                )
            }
        }
    }

    fn sig(&self, n: usize, class: &[usize]) -> String {
        let node = &self.nodes[n];
        match &node.def {
            Def::Model { open, fields } => {
                let mut fs: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{:?}:{}{}:{}",
                            f.key,
                            u8::from(f.required),
                            u8::from(f.nullable),
                            self.ty_sig(&node.service, &f.ty, class)
                        )
                    })
                    .collect();
                fs.sort();
                format!("m{}{{{}}}", u8::from(*open), fs.join(","))
            }
            Def::Enum(values) => format!("e{values:?}"),
            Def::Union(members, tag) => {
                let ms: Vec<String> = members
                    .iter()
                    .map(|m| self.ty_sig(&node.service, m, class))
                    .collect();
                format!("u{tag:?}({})", ms.join("|"))
            }
        }
    }
}

/// `(service, schema)` pairs.
type Schemas = Vec<(String, String)>;

/// The schemas operations send, those they receive, and the free-form
/// objects among either.
fn roots(spec: &Spec) -> (Schemas, Schemas, Schemas) {
    let (mut sent, mut received, mut objects) = (Vec::new(), Vec::new(), Vec::new());
    let o = &spec.overrides;
    for e in &spec.endpoints {
        let Some(svc) = spec.schemas.get(&e.service) else {
            continue;
        };
        let is_type = |n: &str| matches!(kind(svc, n), Some(Kind::Model) | Some(Kind::Enum));
        let mut object = |n: &String| {
            if kind(svc, n) == Some(Kind::Object) {
                objects.push((e.service.clone(), n.clone()));
            }
        };
        if !e.body.is_empty() && !e.content_type.starts_with("image/") {
            let names: Vec<String> = match o.body_union.get(&e.body) {
                Some(u) => vec![u.use_.clone()],
                None => split_union(&e.body)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            };
            names.iter().for_each(&mut object);
            sent.extend(
                names
                    .into_iter()
                    .filter(|n| is_type(n))
                    .map(|n| (e.service.clone(), n)),
            );
        }
        if !e.response.is_empty() {
            let names: Vec<String> = match o.response_union.get(&e.response) {
                Some(u) => vec![u.use_.clone()],
                None => split_union(&e.response)
                    .into_iter()
                    .filter(|m| !m.ends_with("ResponseDefault"))
                    .map(str::to_owned)
                    .collect(),
            };
            names.iter().for_each(&mut object);
            received.extend(
                names
                    .into_iter()
                    .filter(|n| is_type(n))
                    .map(|n| (e.service.clone(), n)),
            );
        }
    }
    objects.sort();
    objects.dedup();
    (sent, received, objects)
}

/// Decides every class (see the module docs).
pub fn build(spec: &Spec, field_union: &BTreeMap<String, String>) -> Result<Built, String> {
    let mut g = Graph {
        spec,
        overrides: &spec.overrides.models,
        field_union,
        nodes: Vec::new(),
        index: BTreeMap::new(),
        used_relaxations: BTreeSet::new(),
    };
    let (sent_roots, received_roots, object_roots) = roots(spec);
    let sent = g.reach(&sent_roots)?;
    let received = g.reach(&received_roots)?;
    if let Some(stale) = spec
        .overrides
        .models
        .optional
        .keys()
        .find(|k| !g.used_relaxations.contains(*k))
    {
        return Err(format!(
            "overrides.toml [models.optional]: {stale} names no field of a generated model"
        ));
    }

    // partition refinement, from one class per kind of node
    let mut class: Vec<usize> = g
        .nodes
        .iter()
        .map(|n| match n.def {
            Def::Model { .. } => 0,
            Def::Enum(_) => 1,
            Def::Union(..) => 2,
        })
        .collect();
    let mut count = class.iter().collect::<BTreeSet<_>>().len();
    loop {
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut next = Vec::with_capacity(g.nodes.len());
        for n in 0..g.nodes.len() {
            let sig = format!("{}|{}", class[n], g.sig(n, &class));
            let len = ids.len();
            next.push(*ids.entry(sig).or_insert(len));
        }
        let done = ids.len() == count;
        count = ids.len();
        class = next;
        if done {
            break;
        }
    }

    // operation-facing schemas: bodies, responses, and the items of a
    // response's `objects` list
    let mut facing: BTreeSet<(String, String)> = BTreeSet::new();
    facing.extend(sent_roots.iter().cloned());
    facing.extend(received_roots.iter().cloned());
    for (service, name) in &received_roots {
        if let Some(Def::Model { fields, .. }) = g
            .index
            .get(&(service.clone(), Key::Schema(name.clone())))
            .map(|&n| &g.nodes[n].def)
        {
            if let Some(f) = fields.iter().find(|f| f.key == "objects") {
                if let Ty::List(inner, _) = &f.ty {
                    if let Ty::Named(item) = inner.as_ref() {
                        facing.insert((service.clone(), item.clone()));
                    }
                }
            }
        }
    }

    let mut classes: Vec<Class> = (0..count)
        .map(|_| Class {
            name: String::new(),
            kind: ClassKind::Struct,
            members: Vec::new(),
            rep: (String::new(), String::new()),
            services: BTreeSet::new(),
            sent: false,
            received: false,
            open: false,
            fields: Vec::new(),
            values: Vec::new(),
            tag: None,
            variants: Vec::new(),
        })
        .collect();
    let mut nodes_of: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (n, node) in g.nodes.iter().enumerate() {
        let c = &mut classes[class[n]];
        c.kind = match node.def {
            Def::Model { .. } => ClassKind::Struct,
            Def::Enum(_) => ClassKind::Enum,
            Def::Union(..) => ClassKind::Union,
        };
        c.members.push((node.service.clone(), node.label.clone()));
        c.services.insert(node.service.clone());
        c.sent |= sent.contains(&n);
        c.received |= received.contains(&n);
        nodes_of[class[n]].push(n);
    }

    let mut by_schema = BTreeMap::new();
    let mut by_union = BTreeMap::new();
    for ((service, key), &n) in &g.index {
        match key {
            Key::Schema(name) => {
                by_schema.insert((service.clone(), name.clone()), class[n]);
            }
            Key::Union(ty) => {
                by_union.insert((service.clone(), ty.clone()), class[n]);
            }
        }
    }

    let reps = name_classes(&g, &class, &mut classes, &nodes_of, &facing)?;
    let aliases = aliases(&classes, &by_schema, &facing);
    let objects = objects(&classes, &aliases, &object_roots);

    // definitions, from each class's representative
    let resolve = |service: &str, ty: &Ty| -> RTy { resolve(&g, &class, service, ty) };
    for (c, &n) in reps.iter().enumerate() {
        let node = &g.nodes[n];
        let service = node.service.clone();
        let class_ref = &mut classes[c];
        class_ref.rep = (service.clone(), node.label.clone());
        match &node.def {
            Def::Model { open, fields } => {
                class_ref.open = *open;
                class_ref.fields = fields
                    .iter()
                    .map(|f| Field {
                        key: f.key.clone(),
                        spec: f.spec.clone(),
                        ty: resolve(&service, &f.ty),
                        required: f.required,
                        nullable: f.nullable,
                        relaxed: f.relaxed.clone(),
                        boxed: false,
                    })
                    .collect();
            }
            Def::Enum(values) => class_ref.values = values.clone(),
            Def::Union(members, tag) => {
                class_ref.tag = tag.as_ref().map(|t| t.0.clone());
                class_ref.variants = members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| Variant {
                        name: String::new(),
                        ty: resolve(&service, m),
                        tag: tag.as_ref().map(|t| t.1[i].clone()),
                        boxed: false,
                    })
                    .collect();
            }
        }
    }
    let snapshot = classes.clone();
    for class in &mut classes {
        if class.kind == ClassKind::Union {
            order_variants(class, &snapshot);
        }
    }
    boxes(&mut classes);
    Ok(Built {
        classes,
        by_schema,
        by_union,
        aliases,
        objects,
    })
}

fn resolve(g: &Graph, class: &[usize], service: &str, ty: &Ty) -> RTy {
    match ty {
        Ty::Str => RTy::Str,
        Ty::Int => RTy::Int,
        Ty::Float => RTy::Float,
        Ty::Bool => RTy::Bool,
        Ty::Any => RTy::Any,
        Ty::Object => RTy::Object,
        Ty::Literal(v) => RTy::Literal(v.clone()),
        Ty::Named(n) => RTy::Class(class[g.index[&(service.to_owned(), Key::Schema(n.clone()))]]),
        Ty::Union(_) => RTy::Class(class[g.index[&(service.to_owned(), Key::Union(ty.clone()))]]),
        Ty::List(inner, nullable) => {
            RTy::List(Box::new(resolve(g, class, service, inner)), *nullable)
        }
    }
}

/// Boxes every direct reference (not behind a `Vec`) that closes a cycle.
fn boxes(classes: &mut [Class]) {
    let edges = |classes: &[Class], c: usize| -> Vec<usize> {
        let direct = |ty: &RTy| match ty {
            RTy::Class(d) => Some(*d),
            _ => None,
        };
        let class = &classes[c];
        class
            .fields
            .iter()
            .filter_map(|f| direct(&f.ty))
            .chain(class.variants.iter().filter_map(|v| direct(&v.ty)))
            .collect()
    };
    let reaches = |classes: &[Class], from: usize, to: usize| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges(classes, n));
            }
        }
        false
    };
    for c in 0..classes.len() {
        let mut boxed_fields = Vec::new();
        for (i, f) in classes[c].fields.iter().enumerate() {
            if let RTy::Class(d) = f.ty {
                if reaches(classes, d, c) {
                    boxed_fields.push(i);
                }
            }
        }
        let mut boxed_variants = Vec::new();
        for (i, v) in classes[c].variants.iter().enumerate() {
            if let RTy::Class(d) = v.ty {
                if reaches(classes, d, c) {
                    boxed_variants.push(i);
                }
            }
        }
        for i in boxed_fields {
            classes[c].fields[i].boxed = true;
        }
        for i in boxed_variants {
            classes[c].variants[i].boxed = true;
        }
    }
}
