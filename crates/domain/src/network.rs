//! The supply network as a tree (station → main → area → building/feeder →
//! transformer). Each node carries a materialised path: the concatenation of
//! its ancestors' ids and its own, each as fixed-width digits. "Everything
//! below node N" is then one range scan on an index over the path.

use crate::ids::NodeId;
use serde::{Deserialize, Serialize};

/// Width of one path segment: ids up to 10^12 − 1.
pub const SEGMENT: usize = 12;
/// Deepest tree we accept.
pub const MAX_DEPTH: usize = 8;

/// The level of a network node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeLevel {
    Station,
    Main,
    Area,
    Building,
    Feeder,
    Transformer,
}

impl NodeLevel {
    pub const ALL: [NodeLevel; 6] =
        [Self::Station, Self::Main, Self::Area, Self::Building, Self::Feeder, Self::Transformer];
    pub fn code(self) -> &'static str {
        match self {
            Self::Station => "station",
            Self::Main => "main",
            Self::Area => "area",
            Self::Building => "building",
            Self::Feeder => "feeder",
            Self::Transformer => "transformer",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the network is at most {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("node id out of range")]
    BadId,
}

/// The path of a child with `id` under a parent at `parent_path` ("" for a root).
pub fn child_path(parent_path: &str, id: NodeId) -> Result<String, PathError> {
    let id = id.get();
    if !(0..10_i64.pow(SEGMENT as u32)).contains(&id) {
        return Err(PathError::BadId);
    }
    if parent_path.len() / SEGMENT >= MAX_DEPTH {
        return Err(PathError::TooDeep);
    }
    Ok(format!("{parent_path}{id:0width$}", width = SEGMENT))
}

/// Half-open bounds `[lo, hi)` that contain `path` and every path below it.
/// Paths are ASCII digits, so `:` (the byte after `9`) closes the range.
pub fn subtree_bounds(path: &str) -> (String, String) {
    (path.to_owned(), format!("{path}:"))
}

/// Depth of a path: 1 for a root.
pub fn depth(path: &str) -> usize {
    path.len() / SEGMENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn children_extend_their_parent() {
        let root = child_path("", NodeId(7)).unwrap();
        assert_eq!(root, "000000000007");
        let kid = child_path(&root, NodeId(42)).unwrap();
        assert_eq!(kid, "000000000007000000000042");
        assert_eq!(depth(&kid), 2);
        assert_eq!(child_path("", NodeId(-1)), Err(PathError::BadId));
        let deep = (0..MAX_DEPTH as i64).fold(String::new(), |p, i| child_path(&p, NodeId(i)).unwrap());
        assert_eq!(child_path(&deep, NodeId(1)), Err(PathError::TooDeep));
    }

    proptest! {
        #[test]
        fn a_path_is_inside_its_ancestors_bounds_and_outside_others(
            a in 0i64..1_000_000, b in 0i64..1_000_000, c in 0i64..1_000_000, other in 0i64..1_000_000
        ) {
            let pa = child_path("", NodeId(a)).unwrap();
            let pb = child_path(&pa, NodeId(b)).unwrap();
            let pc = child_path(&pb, NodeId(c)).unwrap();
            for anc in [&pa, &pb, &pc] {
                let (lo, hi) = subtree_bounds(anc);
                prop_assert!(lo.as_str() <= pc.as_str() && pc.as_str() < hi.as_str());
            }
            prop_assume!(other != b);
            let sibling = child_path(&pa, NodeId(other)).unwrap();
            let (lo, hi) = subtree_bounds(&pb);
            prop_assert!(!(lo.as_str() <= sibling.as_str() && sibling.as_str() < hi.as_str()));
        }
    }
}
