//! Tests of the commitment policy and clock.

mod clock;
mod coverage;
mod ending;
mod policy;
mod props;
mod windows;

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::DateTime;

use super::{CommitmentRule, Policy};
use crate::calendar::{TIME_ZONE, WorkingCalendar};

static CAL: LazyLock<WorkingCalendar> = LazyLock::new(WorkingCalendar::china_default);
static SHIPPED: LazyLock<Policy> = LazyLock::new(Policy::shipped);

/// `"2026-09-30T10:00"` in Asia/Shanghai.
fn sh(local: &str) -> Timestamp {
    local.parse::<DateTime>().unwrap().in_tz(TIME_ZONE).unwrap().timestamp()
}

/// A rule of the shipped policy.
fn shipped(id: &str) -> &'static CommitmentRule {
    SHIPPED.rule(id).unwrap_or_else(|| panic!("no rule {id}"))
}

/// The header every test policy starts with; a rule's first line is line 4.
const HEADER: &str = "version = 3\ncompany = \"test\"\n[[commitments]]\n";

/// A valid two-hour rule, one field a line (lines 4 to 11).
const BASE: [&str; 8] = [
    "id = \"T1\"",
    "title_zh = \"测试\"",
    "title_en = \"Test\"",
    "utilities = [\"gas\"]",
    "applies_to = { subject = \"case\", kinds = [\"complaint\"] }",
    "start = \"case.received\"",
    "stop = [\"case.answered\"]",
    "duration = { hours = 2 }",
];

/// [`BASE`] with the lines whose key is given replaced in place (an empty
/// replacement blanks the line, keeping line numbers) and the remaining
/// changes appended from line 12 on.
fn source(changes: &[(&str, &str)]) -> String {
    let mut lines: Vec<String> = BASE.iter().map(|l| l.to_string()).collect();
    for (key, text) in changes {
        match lines.iter().position(|l| l.split(' ').next() == Some(key)) {
            Some(i) => lines[i] = text.to_string(),
            None => lines.push(text.to_string()),
        }
    }
    format!("{HEADER}{}\n", lines.join("\n"))
}

/// The single rule of [`source`].
fn custom(changes: &[(&str, &str)]) -> CommitmentRule {
    let policy = Policy::from_toml_unchecked(&source(changes)).unwrap_or_else(|e| panic!("{e}"));
    policy.commitments.into_iter().next().unwrap()
}
