//! Trouble-call grouping: many "no supply" repair calls from customers under
//! one network node, close in time, make a suspected outage (疑似停供) for the
//! dispatcher to confirm or dismiss.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::ids::NodeId;
use crate::network::{NodeLevel, SEGMENT, depth};
use crate::utility::Utility;

/// Where a suspected outage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspectState {
    /// Collecting calls, below the threshold: not shown to dispatchers yet.
    Gathering,
    /// Enough calls: waiting for a dispatcher.
    Raised,
    Confirmed,
    Dismissed,
}

impl SuspectState {
    pub const ALL: [SuspectState; 4] = [Self::Gathering, Self::Raised, Self::Confirmed, Self::Dismissed];
    pub fn code(self) -> &'static str {
        match self {
            Self::Gathering => "gathering",
            Self::Raised => "raised",
            Self::Confirmed => "confirmed",
            Self::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }
    pub fn is_open(self) -> bool {
        matches!(self, Self::Gathering | Self::Raised)
    }
}

/// When calls are grouped: at least `min_calls` within `window` from
/// customers below one node of `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupingRule {
    pub min_calls: u32,
    pub window: SignedDuration,
    pub level: NodeLevel,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("grouping needs 2–1000 calls within 1–1440 minutes")]
pub struct BadGroupingRule;

impl GroupingRule {
    pub fn new(min_calls: u32, window_minutes: u32, level: NodeLevel) -> Result<Self, BadGroupingRule> {
        if !(2..=1000).contains(&min_calls) || !(1..=1440).contains(&window_minutes) {
            return Err(BadGroupingRule);
        }
        Ok(GroupingRule { min_calls, window: SignedDuration::from_mins(i64::from(window_minutes)), level })
    }

    /// Our defaults: three calls in 30 minutes below one area (片区) for pipe
    /// networks, below one transformer (台区) for power.
    pub fn default_for(utility: Utility) -> Self {
        let level = if utility == Utility::Power { NodeLevel::Transformer } else { NodeLevel::Area };
        GroupingRule { min_calls: 3, window: SignedDuration::from_mins(30), level }
    }

    pub fn window_minutes(&self) -> i64 {
        self.window.as_mins()
    }

    /// Whether a call at `at` still belongs to a group whose first call came
    /// at `first`.
    pub fn within(&self, first: Timestamp, at: Timestamp) -> bool {
        at >= first && at.duration_since(first) <= self.window
    }

    /// Whether `calls` calls make the group worth a dispatcher's look.
    pub fn raises(&self, calls: u64) -> bool {
        calls >= u64::from(self.min_calls)
    }
}

/// The ids of a node and its ancestors, root first, read from its path
/// (each segment of a path is an ancestor's id).
pub fn path_ids(path: &str) -> Vec<NodeId> {
    (0..depth(path)).filter_map(|i| path.get(i * SEGMENT..(i + 1) * SEGMENT)?.parse().ok().map(NodeId)).collect()
}
