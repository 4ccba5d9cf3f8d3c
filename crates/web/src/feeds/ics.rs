//! The iCalendar feed of outages (RFC 5545): one VEVENT per outage, text
//! escaped (§3.3.11) and lines folded at 75 octets (§3.1) with CRLF.
//! `SEQUENCE` is the outage's public revision (one more per published
//! change, §3.8.7.4); a cancelled outage stays in the feed with
//! `STATUS:CANCELLED` so subscribed calendars drop it.

use super::{Notice, summary_zh, title_zh};
use jiff::Timestamp;
use pledge_domain::outage::OutageState;

/// A UTC date-time, `20261010T010000Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line into lines of at most 75 octets, never splitting
/// a UTF-8 character; continuation lines start with a space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
    out
}

/// The calendar.
pub fn calendar(notices: &[Notice], now: Timestamp) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Pledge//Outage notices//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "X-WR-CALNAME:停供公告".into(),
    ];
    for n in notices {
        let o = &n.outage;
        let status = match o.state {
            OutageState::Cancelled => "CANCELLED",
            OutageState::Draft => "TENTATIVE",
            _ => "CONFIRMED",
        };
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!(
                "UID:outage-{}-{}@pledge.invalid",
                n.company_code.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
                o.id
            ),
            format!("DTSTAMP:{}", utc(now)),
            format!("LAST-MODIFIED:{}", utc(o.updated_at)),
            format!("SEQUENCE:{}", n.sequence),
            format!("DTSTART:{}", utc(o.starts_at)),
            format!("DTEND:{}", utc(o.restored_at.unwrap_or(o.expected_restore_at).max(o.starts_at))),
            format!("SUMMARY:{}", escape_text(&title_zh(o))),
            format!("DESCRIPTION:{}", escape_text(&summary_zh(n))),
            format!("LOCATION:{}", escape_text(&o.area)),
            format!("STATUS:{status}"),
            format!("CATEGORIES:{}", o.utility.code()),
            "TRANSP:TRANSPARENT".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a;b,c\\d\ne\r\nf"), "a\\;b\\,c\\\\d\\ne\\nf");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let line = format!("DESCRIPTION:{}", "停气".repeat(40));
        let folded = fold(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets", part.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }
}
