//! The policy file's shape, as read by serde before validation. Values
//! that validation may refuse are kept as written (strings, signed numbers)
//! and wrapped in [`Spanned`] so an error can name their line.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub version: u32,
    pub company: String,
    /// `"all"` (the default) or a list of utility codes.
    pub utilities: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub commitments: Vec<RawRule>,
    #[serde(default)]
    pub exemptions: Vec<RawExemption>,
}

/// `[[exemptions]]`: case kinds that run no clock, on purpose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExemption {
    /// `"all"` or a list of utility codes.
    pub utilities: Spanned<toml::Value>,
    pub kinds: Spanned<Vec<Spanned<String>>>,
    pub subkinds: Option<Vec<Spanned<String>>>,
    pub reason_zh: Spanned<String>,
    pub reason_en: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub id: Spanned<String>,
    pub title_zh: Spanned<String>,
    pub title_en: Spanned<String>,
    /// `"all"` or a list of utility codes.
    pub utilities: Spanned<toml::Value>,
    pub applies_to: Option<Spanned<RawSubject>>,
    pub start: Option<Spanned<String>>,
    pub stop: Option<Spanned<Vec<Spanned<String>>>>,
    pub pause: Option<Spanned<Vec<Spanned<String>>>>,
    pub resume: Option<Spanned<Vec<Spanned<String>>>>,
    pub duration: Option<Spanned<RawPeriod>>,
    pub duration_by_zone: Option<Spanned<RawByZone>>,
    pub lead_time: Option<Spanned<RawPeriod>>,
    pub interval: Option<Spanned<RawPeriod>>,
    pub season: Option<Spanned<RawRange>>,
    pub measured_only: Option<Spanned<bool>>,
    pub target: Option<Spanned<RawTarget>>,
    pub window: Option<Spanned<RawRange>>,
    /// `{ minutes | hours = N }` on a rule `outage.restored` stops.
    pub restore_after_notice: Option<Spanned<RawPeriod>>,
    pub warn_at: Option<Spanned<Vec<f64>>>,
    pub escalate_to: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubject {
    pub subject: Spanned<String>,
    /// Case kinds, or outage kinds for an outage.
    pub kinds: Option<Vec<Spanned<String>>>,
    pub subkinds: Option<Vec<Spanned<String>>>,
    pub categories: Option<Vec<Spanned<String>>>,
    pub longer_than: Option<Spanned<RawPeriod>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeriod {
    pub minutes: Option<i64>,
    pub hours: Option<i64>,
    pub working_days: Option<i64>,
    pub calendar_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawByZone {
    pub urban: Spanned<RawPeriod>,
    pub rural: Spanned<RawPeriod>,
}

/// `{ from = "…", to = "…" }`: a daily window (`HH:MM`) or a season
/// (`MM-DD`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub rings: i64,
}
