//! Paging of list reads.

/// One page of a list and the total number of matches.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Limit and offset of a list request, already bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 200;
    pub fn new(limit: Option<u32>, offset: Option<u64>) -> Self {
        Self { limit: limit.unwrap_or(50).clamp(1, Self::MAX_LIMIT), offset: offset.unwrap_or(0) }
    }
}
