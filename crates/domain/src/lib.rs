//! The Pledge domain: the case model, the registry's value types, roles and
//! permissions, the tamper-evident ledger's hashing, the supply-network path
//! and the working-day calendar.
//!
//! Pure Rust: nothing here performs I/O or awaits. Values that can only be
//! valid (`CaseNumber`, `CustomerNumber`, `Phone`, …) are parsed once at the
//! edge and trusted everywhere inside.

pub mod calendar;
pub mod case;
pub mod commitment;
pub mod customer;
pub mod ids;
pub mod ledger;
pub mod model;
pub mod network;
pub mod notify;
pub mod outage;
pub mod role;
pub mod text;
pub mod utility;
pub mod work_order;

pub use case::{CaseKind, CaseNumber, CaseState, Channel, TransitionError};
pub use customer::{AccountName, CustomerCategory, CustomerNumber, Phone, SpecialCare, Zone};
pub use ids::*;
pub use role::{Permission, Role};
pub use utility::Utility;
