//! Stored settings: policies, calendar years, phrases.

use crate::ids::{CompanyId, StaffId};
use jiff::Timestamp;

/// One stored version of a company's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    pub company_id: CompanyId,
    pub version: i64,
    /// The TOML exactly as the administrator sent it.
    pub source: String,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
}

/// One stored year table of the working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCalendarYear {
    pub year: i64,
    /// The year table's JSON exactly as the administrator sent it.
    pub source_json: String,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// See [`Exec::settings_mark`]. Policies are never overwritten, so their
/// count moves with every new version; a calendar year may be replaced, so
/// its latest change time is part of the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsMark {
    pub policies: i64,
    pub years: i64,
    pub years_updated_us: i64,
}

/// A company's stored wording for one situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhrase {
    pub situation: String,
    pub text_zh: String,
    pub text_en: String,
    pub updated_by: Option<StaffId>,
    pub updated_at: Timestamp,
}
