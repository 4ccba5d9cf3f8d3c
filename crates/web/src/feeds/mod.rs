//! Public outage notices in standard formats, written by hand with careful
//! escaping: an HTML list, an Atom feed (RFC 4287), CAP 1.2 alerts (OASIS)
//! and an iCalendar feed (RFC 5545). Each is a pure function of the
//! outages, so it is tested without a server.

pub mod atom;
pub mod cap;
pub mod html;
pub mod ics;

use jiff::Timestamp;
use pledge_app::shanghai;
use pledge_domain::commitment::OutageKind;
use pledge_domain::model::Outage;
use pledge_domain::outage::OutageState;

/// An outage with the company that publishes it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub outage: Outage,
    pub company_code: String,
    pub company_name: String,
    pub hotline: String,
    /// The latest CAP message of the outage's lineage, if any was published.
    pub latest_cap: Option<pledge_domain::model::CapMessage>,
    /// The revision the public sees: how many messages followed the first
    /// (the iCalendar `SEQUENCE`; bumped by every published change).
    pub sequence: u32,
}

/// Escapes text for XML and HTML element content and attribute values, and
/// drops characters XML 1.0 cannot carry.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 with the Shanghai offset, e.g. `2026-10-10T09:00:00+08:00`
/// (CAP requires a numeric offset, never `Z`).
pub fn offset_time(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A local time for people: `2026-10-10 09:00`.
pub fn local_time(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The one-line title: "燃气计划停气：人民路一带".
pub fn title_zh(o: &Outage) -> String {
    let kind = match o.kind {
        OutageKind::Planned => "计划",
        OutageKind::Emergency => "紧急",
        OutageKind::Temporary => "临时检修",
    };
    let state = match o.state {
        OutageState::Restored => "（已恢复）",
        OutageState::Cancelled => "（已取消）",
        _ => "",
    };
    let area: String = o.area.lines().next().unwrap_or("").chars().take(60).collect();
    format!("{}{}{}：{}{}", o.utility.name_zh(), kind, o.effect.name_zh(o.utility), area, state)
}

/// The English title.
pub fn title_en(o: &Outage) -> String {
    let utility = match o.utility {
        pledge_domain::Utility::Gas => "Gas",
        pledge_domain::Utility::Water => "Water",
        pledge_domain::Utility::Heat => "Heating",
        pledge_domain::Utility::Power => "Power",
    };
    let what = match o.effect {
        pledge_domain::outage::Effect::Stop => "supply interruption",
        pledge_domain::outage::Effect::PressureReduction => "pressure reduction",
    };
    let kind = match o.kind {
        OutageKind::Planned => "Planned",
        OutageKind::Emergency => "Emergency",
        OutageKind::Temporary => "Temporary maintenance",
    };
    format!("{kind} {} {what}", utility.to_lowercase())
}

/// The body text: when, where, why and whom to call.
pub fn summary_zh(n: &Notice) -> String {
    let o = &n.outage;
    let mut s = format!(
        "影响范围：{}。原因：{}。开始时间：{}，预计恢复时间：{}。",
        o.area,
        o.reason,
        local_time(o.starts_at),
        local_time(o.expected_restore_at)
    );
    if let Some(r) = o.restored_at {
        s.push_str(&format!("已于{}恢复。", local_time(r)));
    }
    if o.state == OutageState::Cancelled {
        s.push_str("本次停供已取消。");
    }
    s.push_str(&format!("咨询电话：{}。", n.hotline));
    s
}

/// The instant a notice last changed.
pub fn updated(n: &Notice) -> Timestamp {
    n.outage.updated_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(xml_escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
        assert_eq!(xml_escape("x\u{1}y\u{8}z"), "xyz");
        assert_eq!(xml_escape("行\n二"), "行\n二");
    }

    #[test]
    fn times_carry_the_shanghai_offset() {
        let t: Timestamp = "2026-10-10T01:00:00Z".parse().unwrap();
        assert_eq!(offset_time(t), "2026-10-10T09:00:00+08:00");
        assert_eq!(local_time(t), "2026-10-10 09:00");
    }
}
