//! Unions (`oneOf`, `anyOf`) judged as a whole. Their variants are compared place by place
//! like anything else, but whether a change breaks a client depends on the union: a client
//! decodes a response value with whichever of its variants fits, and the API accepts a request
//! value that fits any of its own. So when upstream merges two variants, or moves a shape
//! from one variant to another, a change that looks breaking at one variant's place may break
//! nothing.
//!
//! A union (or the plain schema on the side that has no union at that place) still fits when:
//! - response: every variant of the new union is decoded, without a breaking change, by some
//!   variant of the old one (a plain schema counts as one variant);
//! - request: every variant of the old union is accepted, without a breaking change, by some
//!   variant of the new one.
//!
//! Then the breaking details found inside it are reported as not breaking, with the reason.

use std::collections::BTreeMap;

use super::operations::{Side, compare_places, parent};
use super::schema::Node;

/// Whether `path` is `union` or lies under it.
pub fn inside(path: &str, union: &str) -> bool {
    path.strip_prefix(union).is_some_and(|rest| {
        rest.is_empty() || rest.starts_with(['.', '[', '{', '<']) || union.is_empty()
    })
}

/// Why a change inside a union that still fits breaks nothing.
pub fn reason(side: Side, union: &str) -> String {
    let at = if union.is_empty() {
        "the body".to_owned()
    } else {
        format!("`{union}`")
    };
    match side {
        Side::Response => format!(
            "every value still decodes as one of the variants clients know ({at} is a union)"
        ),
        Side::Request => {
            format!("everything clients send is still accepted by a variant ({at} is a union)")
        }
    }
}

/// The places (in `before` and `after`) that are unions on at least one side and whose change
/// breaks no client as a whole.
pub fn still_compatible(
    side: Side,
    before: &BTreeMap<String, Node>,
    after: &BTreeMap<String, Node>,
) -> Vec<String> {
    let mut unions: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|path| path.ends_with('>'))
        .filter_map(|path| parent(path).map(str::to_owned))
        .collect();
    unions.sort();
    unions.dedup();
    unions
        .into_iter()
        .filter(|union| {
            let (Some(old), Some(new)) = (alternatives(before, union), alternatives(after, union))
            else {
                return false;
            };
            match side {
                Side::Response => new.iter().all(|n| old.iter().any(|o| fits(side, o, n))),
                Side::Request => old.iter().all(|o| new.iter().any(|n| fits(side, o, n))),
            }
        })
        .collect()
}

/// Whether a client written against `old` is unaffected by `new` (no breaking difference).
fn fits(side: Side, old: &BTreeMap<String, Node>, new: &BTreeMap<String, Node>) -> bool {
    let mut details = Vec::new();
    compare_places(side, "", old, new, &mut details);
    !details.iter().any(|d| d.breaking)
}

/// The variants of the union at `union`, each as its own tree of places; the place itself
/// when it is not a union on this side. `None` when this side has no place at that path
/// (the union's side writes it with variant segments the other lacks).
fn alternatives(
    places: &BTreeMap<String, Node>,
    union: &str,
) -> Option<Vec<BTreeMap<String, Node>>> {
    let variants: Vec<BTreeMap<String, Node>> = places
        .keys()
        .filter(|path| path.ends_with('>') && parent(path) == Some(union))
        .map(|variant| subtree(places, variant))
        .collect();
    if !variants.is_empty() {
        return Some(variants);
    }
    places
        .contains_key(union)
        .then(|| vec![subtree(places, union)])
}

/// The places at and under `root`, with paths relative to it.
fn subtree(places: &BTreeMap<String, Node>, root: &str) -> BTreeMap<String, Node> {
    places
        .iter()
        .filter(|(path, _)| inside(path, root))
        .map(|(path, node)| {
            let relative = |p: &str| {
                let rest = p.get(root.len()..).unwrap_or_default();
                rest.strip_prefix('.').unwrap_or(rest).to_owned()
            };
            let mut node = node.clone();
            node.recursive_to = node
                .recursive_to
                .as_deref()
                .filter(|target| inside(target, root))
                .map(relative);
            (relative(path), node)
        })
        .collect()
}
