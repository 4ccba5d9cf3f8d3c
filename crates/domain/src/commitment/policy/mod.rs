//! The commitment policy: a company's service commitments as data, read
//! from TOML and validated before anything runs on it.

mod applies;
mod coverage;
mod model;
mod parse;
mod raw;
mod timing;

pub use coverage::CoverageGap;
pub use model::{CommitmentRule, EscalationTarget, Exemption, Policy, Target, Timing};
pub(crate) use parse::percent_of;
pub use parse::{DEFAULT_WARN_AT, MAX_WARNINGS};

use super::errors::PolicyError;

/// The policy Pledge ships with (`crates/domain/policy/default.toml`).
pub const SHIPPED_TOML: &str = include_str!("../../../policy/default.toml");

impl Policy {
    /// Reads and validates a policy file. Errors carry the line at fault.
    ///
    /// Besides each rule and exemption, the policy as a whole must cover
    /// every case kind of the utilities it names at its top (`utilities`,
    /// all four by default) with a rule started by `case.received` or an
    /// exemption ([`Policy::check_coverage`]).
    pub fn from_toml(source: &str) -> Result<Policy, PolicyError> {
        parse::parse(source, true)
    }

    /// [`Policy::from_toml`] without the coverage check, for tests of one
    /// rule at a time.
    #[cfg(test)]
    pub(crate) fn from_toml_unchecked(source: &str) -> Result<Policy, PolicyError> {
        parse::parse(source, false)
    }

    /// The shipped default policy.
    ///
    /// # Panics
    ///
    /// Only if the embedded file were invalid; a unit test rules that out.
    pub fn shipped() -> Policy {
        Policy::from_toml(SHIPPED_TOML).expect("the shipped policy is valid")
    }
}
