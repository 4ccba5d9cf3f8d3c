//! `pledge calendar`: ask the working-day calendar (Asia/Shanghai).

use crate::{CliError, CliResult};
use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, Zoned};
use pledge_domain::calendar::{TIME_ZONE, WorkingCalendar};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// One line per date: `work`, `off` with the holiday's name, or `work 调休上班`.
    Days {
        /// First date, YYYY-MM-DD.
        from: Date,
        /// Last date (included), YYYY-MM-DD.
        to: Date,
    },
    /// The deadline N working days after DATETIME, in RFC 3339.
    AddWorkingDays {
        /// RFC 3339 with an offset (2026-09-30T10:00:00+08:00), or a civil
        /// date-time in Asia/Shanghai (2026-09-30T10:00).
        datetime: String,
        /// Working days to add.
        n: u32,
    },
}

pub fn run(command: Command) -> CliResult<ExitCode> {
    let cal = WorkingCalendar::china_default();
    match command {
        Command::Days { from, to } => {
            for d in cal.days(from, to)? {
                match (d.working, d.makeup, d.holiday_name) {
                    (true, true, _) => println!("{} work 调休上班", d.date),
                    (true, false, _) => println!("{} work", d.date),
                    (false, _, Some((zh, _))) => println!("{} off {zh}", d.date),
                    (false, _, None) => println!("{} off", d.date),
                }
            }
        }
        Command::AddWorkingDays { datetime, n } => {
            let start = parse_start(&datetime)?;
            let due = cal.add_working_days(&start, n)?;
            println!("{}", due.timestamp().display_with_offset(due.offset()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Accepts a zoned value (`…[Asia/Shanghai]`), an instant with an offset or
/// `Z`, or a civil date-time or date read in Asia/Shanghai.
fn parse_start(s: &str) -> CliResult<Zoned> {
    let s = s.trim();
    let tz = || jiff::tz::TimeZone::get(TIME_ZONE).map_err(|e| CliError::msg(format!("time zone {TIME_ZONE}: {e}")));
    if let Ok(z) = s.parse::<Zoned>() {
        return Ok(z);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.to_zoned(tz()?));
    }
    let civil =
        s.parse::<DateTime>().or_else(|_| s.parse::<Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())));
    match civil {
        Ok(dt) => dt.to_zoned(tz()?).map_err(|e| CliError::msg(format!("{s}: {e}"))),
        Err(_) => Err(CliError::msg(format!(
            "{s:?} is not a date-time; use RFC 3339 (2026-09-30T10:00:00+08:00) or a Shanghai civil time (2026-09-30T10:00)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_parse_in_every_accepted_form() {
        let want = "2026-09-30T10:00:00+08:00";
        for s in [
            "2026-09-30T10:00:00+08:00",
            "2026-09-30T02:00:00Z",
            "2026-09-30T10:00",
            "2026-09-30 10:00:00",
            "2026-09-30T10:00:00+08:00[Asia/Shanghai]",
        ] {
            let z = parse_start(s).unwrap().with_time_zone(jiff::tz::TimeZone::get(TIME_ZONE).unwrap());
            assert_eq!(z.timestamp().display_with_offset(z.offset()).to_string(), want, "{s}");
        }
        assert!(parse_start("yesterday").is_err());
    }
}
