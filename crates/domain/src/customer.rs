//! Customers and their accounts: customer number (户号), account name (户名),
//! phone, category, zone and special-care flags.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a registry value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("customer number must be 6 to 20 digits")]
    BadCustomerNumber,
    #[error("phone must be a mainland mobile (11 digits starting with 1) or a landline with area code (0xx-xxxxxxxx)")]
    BadPhone,
    #[error("account name must be 1 to 100 characters")]
    BadAccountName,
}

/// A customer number (户号): 6–20 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(raw: &str) -> Result<Self, CustomerError> {
        let s = raw.trim();
        if (6..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(CustomerError::BadCustomerNumber)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A normalised phone number: a mainland mobile (`13812345678`) or a landline
/// with its area code (`0571-88881234`, optional extension `-123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, CustomerError> {
        let mut s: String = raw.chars().filter(|c| !matches!(c, ' ' | '(' | ')')).collect();
        if let Some(rest) = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")) {
            s = rest.trim_start_matches('-').to_owned();
        }
        let digits_only = s.bytes().all(|b| b.is_ascii_digit());
        if digits_only && s.len() == 11 && s.starts_with('1') && (b'3'..=b'9').contains(&s.as_bytes()[1]) {
            return Ok(Self(s));
        }
        // Landline: area code 0 + 2..3 digits, local 7..8 digits, optional extension 1..6 digits.
        let parts: Vec<&str> = s.split('-').collect();
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let (area, local, ext) = match parts.as_slice() {
            [joined] if all_digits(joined) && joined.starts_with('0') && !joined.starts_with("00") => {
                // Without a dash: 3-digit area codes start with 01x or 02x, all others use 4 digits.
                let area_len = if joined.starts_with("01") || joined.starts_with("02") { 3 } else { 4 };
                if joined.len() <= area_len {
                    return Err(CustomerError::BadPhone);
                }
                (&joined[..area_len], &joined[area_len..], None)
            }
            [a, l] => (*a, *l, None),
            [a, l, e] => (*a, *l, Some(*e)),
            _ => return Err(CustomerError::BadPhone),
        };
        let ok_area = all_digits(area) && area.starts_with('0') && (3..=4).contains(&area.len());
        let ok_local = all_digits(local) && (7..=8).contains(&local.len()) && !local.starts_with('0');
        let ok_ext = ext.is_none_or(|e| all_digits(e) && e.len() <= 6);
        if ok_area && ok_local && ok_ext {
            let mut out = format!("{area}-{local}");
            if let Some(e) = ext {
                out.push('-');
                out.push_str(e);
            }
            Ok(Self(out))
        } else {
            Err(CustomerError::BadPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle hidden, for roles that may not see it.
    pub fn masked(&self) -> String {
        let s = &self.0;
        if s.len() == 11 && !s.contains('-') {
            format!("{}****{}", &s[..3], &s[7..])
        } else {
            let keep = s.len().saturating_sub(4);
            let (head, tail) = s.split_at(keep);
            let area_end = head.find('-').map(|i| i + 1).unwrap_or(0);
            format!("{}{}{}", &head[..area_end], "*".repeat(head.len() - area_end), tail)
        }
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The account name (户名).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, CustomerError> {
        crate::text::clean("account_name", raw, 100, false).map(Self).map_err(|_| CustomerError::BadAccountName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Residential (居民) or non-residential (非居民) customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerCategory {
    Residential,
    NonResidential,
}

impl CustomerCategory {
    pub fn code(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::NonResidential => "non_residential",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "residential" => Some(Self::Residential),
            "non_residential" => Some(Self::NonResidential),
            _ => None,
        }
    }
}

/// Urban (城区) or rural (农村) zone of a premises; drives arrival commitments (C8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    Urban,
    Rural,
}

impl Zone {
    pub fn code(self) -> &'static str {
        match self {
            Self::Urban => "urban",
            Self::Rural => "rural",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "urban" => Some(Self::Urban),
            "rural" => Some(Self::Rural),
            _ => None,
        }
    }
}

/// Special-care flags (C36): served first, forms filled for them, home service offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCare {
    Elderly,
    Disabled,
    LivesAlone,
    LowIncome,
    MedicalDevice,
}

impl SpecialCare {
    pub const ALL: [SpecialCare; 5] =
        [Self::Elderly, Self::Disabled, Self::LivesAlone, Self::LowIncome, Self::MedicalDevice];
    pub fn code(self) -> &'static str {
        match self {
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
            Self::LivesAlone => "lives_alone",
            Self::LowIncome => "low_income",
            Self::MedicalDevice => "medical_device",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
    /// Encodes a set of flags as a comma-separated list, sorted and without repeats.
    pub fn encode(flags: &[SpecialCare]) -> String {
        let mut v = flags.to_vec();
        v.sort();
        v.dedup();
        v.iter().map(|f| f.code()).collect::<Vec<_>>().join(",")
    }
    pub fn decode(s: &str) -> Vec<SpecialCare> {
        s.split(',').filter_map(|p| Self::parse(p.trim())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_numbers_are_digits_of_sane_length() {
        assert!(CustomerNumber::parse("1000123456").is_ok());
        assert_eq!(CustomerNumber::parse(" 123456 ").unwrap().as_str(), "123456");
        for bad in ["12345", "12345678901234567890123", "12a456", "", "１２３４５６"] {
            assert_eq!(CustomerNumber::parse(bad), Err(CustomerError::BadCustomerNumber), "{bad}");
        }
    }

    #[test]
    fn mobiles_and_landlines_are_normalised() {
        assert_eq!(Phone::parse("138 1234 5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("+86 13812345678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("0571-88881234").unwrap().as_str(), "0571-88881234");
        assert_eq!(Phone::parse("010-6666777").unwrap().as_str(), "010-6666777");
        assert_eq!(Phone::parse("057188881234").unwrap().as_str(), "0571-88881234");
        assert_eq!(Phone::parse("01066667777").unwrap().as_str(), "010-66667777");
        assert_eq!(Phone::parse("0571-88881234-12").unwrap().as_str(), "0571-88881234-12");
        for bad in ["12812345678", "1381234567", "abc", "0571-0888123", "5711-8888123", "", "-"] {
            assert_eq!(Phone::parse(bad), Err(CustomerError::BadPhone), "{bad}");
        }
    }

    #[test]
    fn phones_mask_their_middle() {
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
        assert_eq!(Phone::parse("0571-88881234").unwrap().masked(), "0571-****1234");
    }

    #[test]
    fn special_care_round_trips_sorted() {
        let s = SpecialCare::encode(&[SpecialCare::Disabled, SpecialCare::Elderly, SpecialCare::Disabled]);
        assert_eq!(s, "elderly,disabled");
        assert_eq!(SpecialCare::decode(&s), vec![SpecialCare::Elderly, SpecialCare::Disabled]);
        assert!(SpecialCare::decode("").is_empty());
    }
}
