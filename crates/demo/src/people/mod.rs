//! Deterministic, std-only generator of fictional Chinese demo data for a
//! county-level multi-utility group (gas, water, district heating, power).
//!
//! Every name, place, number and text here is invented for demonstration.
//! The same seed always produces the same sequence of values, so demo tenants
//! can be rebuilt byte-for-byte.
// `*rng.pick(…)` derefs a `&&str`: dropping the `*`, as clippy suggests, breaks type inference.
#![allow(clippy::explicit_auto_deref)]

mod businesses;
mod names;
mod org;
mod phones;
mod places;
mod rng;
#[cfg(test)]
mod tests;
mod texts;

pub use businesses::{DemoBusiness, business, business_name};
pub use names::person_name;
pub use org::{AREA_CODE, COMPANY_NAME, COUNTY, DepartmentSpec, HOTLINE, departments};
pub use phones::{landline, mobile_phone};
pub use places::{DemoAddress, address, floor_area_m2};
pub use rng::DemoRng;
pub use texts::case_text;
