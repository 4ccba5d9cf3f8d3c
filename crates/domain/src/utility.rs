//! The four utilities Pledge serves.

use serde::{Deserialize, Serialize};

/// A kind of supply a company provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Utility {
    Gas,
    Water,
    Heat,
    Power,
}

impl Utility {
    pub const ALL: [Utility; 4] = [Utility::Gas, Utility::Water, Utility::Heat, Utility::Power];

    /// Stable lower-case code used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Utility::Gas => "gas",
            Utility::Water => "water",
            Utility::Heat => "heat",
            Utility::Power => "power",
        }
    }

    /// Upper-case prefix of readable case numbers.
    pub fn case_prefix(self) -> &'static str {
        match self {
            Utility::Gas => "GAS",
            Utility::Water => "WAT",
            Utility::Heat => "HEA",
            Utility::Power => "POW",
        }
    }

    pub fn from_case_prefix(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.case_prefix() == s)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Utility::Gas => "燃气",
            Utility::Water => "供水",
            Utility::Heat => "供热",
            Utility::Power => "供电",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_prefixes_round_trip() {
        for u in Utility::ALL {
            assert_eq!(Utility::parse(u.code()), Some(u));
            assert_eq!(Utility::from_case_prefix(u.case_prefix()), Some(u));
        }
        assert_eq!(Utility::parse("oil"), None);
    }
}
