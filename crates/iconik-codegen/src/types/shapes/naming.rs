//! Names: each class's, its union variants', and the aliases kept for
//! operation-facing schemas (the rule is written in [`crate::names`]).

use std::collections::{BTreeMap, BTreeSet};

use super::{Class, ClassKind, Def, Graph, Key, Node, RTy, Ty, Variant};
use crate::names;

/// The schema's name without the word `Schema` (`AssetSchema` -> `Asset`,
/// `ApprovalSchemaStatus` -> `ApprovalStatus`), kept where nothing else
/// would be left.
pub fn short(schema: &str) -> String {
    let mut out = String::new();
    let mut rest = schema;
    while let Some(i) = rest.find("Schema") {
        let after = &rest[i + "Schema".len()..];
        let word_ends = after.chars().next().is_none_or(|c| c.is_ascii_uppercase());
        out.push_str(&rest[..i]);
        // a whole word, after another one
        if !word_ends || out.is_empty() {
            out.push_str("Schema");
        }
        rest = after;
    }
    out.push_str(rest);
    names::type_name(&out)
}

/// Whether two classes would be seen in one module.
fn overlap(a: &Class, b: &Class) -> bool {
    (a.module() == "common" && b.module() == "common")
        || a.services.intersection(&b.services).next().is_some()
}

/// Names every class (the rule is in [`crate::names`]); returns each
/// class's representative node.
pub(super) fn name_classes(
    g: &Graph,
    class: &[usize],
    classes: &mut [Class],
    nodes_of: &[Vec<usize>],
    facing: &BTreeSet<(String, String)>,
) -> Result<Vec<usize>, String> {
    let mut reps = vec![0usize; classes.len()];
    // structs and enums: candidates from their schemas' names
    let mut candidates: Vec<Vec<(String, usize)>> = vec![Vec::new(); classes.len()];
    for (c, nodes) in nodes_of.iter().enumerate() {
        if classes[c].kind == ClassKind::Union {
            continue;
        }
        let mut members: Vec<(bool, usize, String, String, usize)> = nodes
            .iter()
            .map(|&n| {
                let node = &g.nodes[n];
                let s = short(&node.label);
                let hidden = !facing.contains(&(node.service.clone(), node.label.clone()));
                (hidden, s.len(), s, node.service.clone(), n)
            })
            .collect();
        members.sort();
        for (_, _, s, _, n) in &members {
            let full = names::type_name(&g.nodes[*n].label);
            for name in [s.clone(), full] {
                if !candidates[c].iter().any(|(x, _)| *x == name) {
                    candidates[c].push((name, *n));
                }
            }
        }
    }
    // a schema literally called `X` claims `X` before a class that would
    // get it by dropping `Schema`; then operation-facing names; then by name
    let mut order: Vec<usize> = (0..classes.len())
        .filter(|&c| classes[c].kind != ClassKind::Union)
        .collect();
    let exact = |c: usize| {
        let (name, n) = &candidates[c][0];
        *name == names::type_name(&g.nodes[*n].label)
    };
    let faces = |c: usize| {
        let n = candidates[c][0].1;
        facing.contains(&(g.nodes[n].service.clone(), g.nodes[n].label.clone()))
    };
    order.sort_by_key(|&c| (!exact(c), !faces(c), candidates[c][0].0.clone()));
    let mut named: Vec<usize> = Vec::new();
    for c in order {
        let free = |name: &str, classes: &[Class]| {
            !named
                .iter()
                .any(|&d| classes[d].name == name && overlap(&classes[c], &classes[d]))
        };
        let Some((name, n)) = candidates[c]
            .iter()
            .find(|(name, _)| free(name, classes))
            .cloned()
        else {
            return Err(format!(
                "no free name for the class of {:?}",
                classes[c].members
            ));
        };
        classes[c].name = name;
        reps[c] = n;
        named.push(c);
    }

    // unions: after their owner (`<Owner><Field>`), outermost first
    let mut pending: Vec<usize> = (0..classes.len())
        .filter(|&c| classes[c].kind == ClassKind::Union)
        .collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for c in pending {
            let mut options: Vec<(String, usize)> = Vec::new();
            for &n in &nodes_of[c] {
                let node = &g.nodes[n];
                let Def::Union(members, _) = &node.def else {
                    continue;
                };
                if let Some(name) = scalar_union_name(members) {
                    options.push((name, n));
                    continue;
                }
                if let Some(owner) = union_owner(g, class, classes, node) {
                    options.push((owner, n));
                }
            }
            if options.is_empty() {
                rest.push(c);
                continue;
            }
            options.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
            let mut chosen = None;
            for (base, n) in &options {
                for name in [base.clone(), format!("{base}Union")] {
                    let taken = named
                        .iter()
                        .any(|&d| classes[d].name == name && overlap(&classes[c], &classes[d]));
                    if !taken {
                        chosen = Some((name, *n));
                        break;
                    }
                }
                if chosen.is_some() {
                    break;
                }
            }
            let Some((name, n)) = chosen else {
                return Err(format!(
                    "no free name for the union {:?}",
                    classes[c].members
                ));
            };
            classes[c].name = name;
            reps[c] = n;
            named.push(c);
        }
        if rest.len() == before {
            return Err(format!("unions without a named owner: {rest:?}"));
        }
        pending = rest;
    }
    Ok(reps)
}

/// `IntOrString`: the name of a union of plain values.
fn scalar_union_name(members: &[Ty]) -> Option<String> {
    let mut parts = Vec::new();
    for m in members {
        parts.push(match m {
            Ty::Bool => "Bool",
            Ty::Int => "Int",
            Ty::Float => "Float",
            Ty::Str => "String",
            _ => return None,
        });
    }
    parts.sort_by_key(|p| {
        ["Bool", "Int", "Float", "String"]
            .iter()
            .position(|x| x == p)
    });
    Some(parts.join("Or"))
}

/// `<Owner><Field>` for a union in a field (a list field loses one
/// trailing `s`: `actions` -> `Action`), `<Union>Item` for one inside
/// another union; `None` while the owner has no name yet.
fn union_owner(g: &Graph, class: &[usize], classes: &[Class], node: &Node) -> Option<String> {
    if let Some(parent) = node.label.strip_suffix("[]") {
        // inside another union: `<Parent>Item`
        let parent = g.nodes.iter().position(|p| {
            p.service == node.service && p.label == parent && matches!(p.def, Def::Union(..))
        })?;
        let name = &classes[class[parent]].name;
        return (!name.is_empty()).then(|| format!("{name}Item"));
    }
    let (owner, field) = node.label.rsplit_once('.')?;
    let owner_node = g
        .index
        .get(&(node.service.clone(), Key::Schema(owner.to_owned())))?;
    let owner_name = &classes[class[*owner_node]].name;
    if owner_name.is_empty() {
        return None;
    }
    let Some(Def::Model { fields, .. }) = Some(&g.nodes[*owner_node].def) else {
        return None;
    };
    let in_list = fields
        .iter()
        .find(|f| f.key == field)
        .is_some_and(|f| matches!(f.ty, Ty::List(..)));
    let mut part = names::pascal(field);
    if in_list && part.len() > 1 && part.ends_with('s') {
        part.pop();
    }
    Some(format!("{owner_name}{part}"))
}

/// Variant names, and the order an untagged union tries its members in:
/// plain values, then structs with more required fields first, then the
/// rest.
pub(super) fn order_variants(class: &mut Class, classes: &[Class]) {
    let rank = |v: &Variant| -> (u8, usize) {
        match &v.ty {
            RTy::Bool => (0, 0),
            RTy::Int => (1, 0),
            RTy::Float => (2, 0),
            RTy::Str | RTy::Literal(_) => (3, 0),
            RTy::List(..) => (4, 0),
            RTy::Class(c) => match classes[*c].kind {
                ClassKind::Struct => (
                    5,
                    usize::MAX - classes[*c].fields.iter().filter(|f| f.required).count(),
                ),
                _ => (6, 0),
            },
            RTy::Object => (7, 0),
            RTy::Any => (8, 0),
        }
    };
    if class.tag.is_none() {
        class.variants.sort_by_key(|v| rank(v));
    }
    let mut used: Vec<String> = vec!["Other".to_owned()];
    for v in &mut class.variants {
        let mut name = match (&v.tag, &v.ty) {
            (Some(t), _) => names::pascal(t),
            (None, RTy::Bool) => "Bool".to_owned(),
            (None, RTy::Int) => "Int".to_owned(),
            (None, RTy::Float) => "Float".to_owned(),
            (None, RTy::Str) => "String".to_owned(),
            (None, RTy::Literal(l)) => names::pascal(l),
            (None, RTy::List(..)) => "List".to_owned(),
            (None, RTy::Object) => "Object".to_owned(),
            (None, RTy::Any) => "Value".to_owned(),
            (None, RTy::Class(c)) => classes[*c].name.clone(),
        };
        while used.contains(&name) {
            name.push('_');
        }
        used.push(name.clone());
        v.name = name;
    }
}

/// `pub type` aliases: an operation-facing schema whose class is named
/// otherwise keeps its own (short) name in its service's module, when free.
pub(super) fn aliases(
    classes: &[Class],
    by_schema: &BTreeMap<(String, String), usize>,
    facing: &BTreeSet<(String, String)>,
) -> BTreeMap<(String, String), String> {
    let mut out: BTreeMap<(String, String), String> = BTreeMap::new();
    for key in facing {
        let Some(&c) = by_schema.get(key) else {
            continue;
        };
        let alias = short(&key.1);
        if alias == classes[c].name {
            continue;
        }
        let (service, _) = key;
        let taken = classes
            .iter()
            .any(|d| d.name == alias && d.services.contains(service))
            || out.iter().any(|((s, _), a)| s == service && *a == alias);
        if !taken {
            out.insert(key.clone(), alias);
        }
    }
    out
}

/// Free-form objects an operation sends or receives keep their (short) name
/// as an alias of `Map<String, Value>`, where free.
pub(super) fn objects(
    classes: &[Class],
    aliases: &BTreeMap<(String, String), String>,
    roots: &[(String, String)],
) -> BTreeMap<(String, String), String> {
    let mut out: BTreeMap<(String, String), String> = BTreeMap::new();
    for key in roots {
        let name = short(&key.1);
        let service = &key.0;
        let taken = classes
            .iter()
            .any(|d| d.name == name && d.services.contains(service))
            || aliases
                .iter()
                .chain(out.iter())
                .any(|((s, _), a)| s == service && *a == name);
        if !taken {
            out.insert(key.clone(), name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn the_word_schema_is_dropped() {
        assert_eq!(short("AssetSchema"), "Asset");
        assert_eq!(short("ApprovalSchemaStatus"), "ApprovalStatus");
        assert_eq!(short("ThemeDataSchemaBase"), "ThemeDataBase");
        assert_eq!(short("Schema"), "Schema");
        assert_eq!(short("SchemaField"), "SchemaField");
        assert_eq!(short("MySchemas"), "MySchemas");
        assert_eq!(short("ResultSchema"), "ResultModel");
    }
}
