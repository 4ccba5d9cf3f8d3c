//! How values read on the page: names in the page's language, times in
//! Shanghai, remaining time and the deadline colour of a case.

use crate::i18n::Lang;
use jiff::Timestamp;
use pledge_domain::Role;
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::ids::*;
use pledge_domain::model::Case;
use pledge_domain::{SpecialCare, Utility};

/// `billing_inquiry` → `Billing inquiry`.
fn humanize(code: &str) -> String {
    let s = code.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn pick(lang: Lang, zh: &str, code: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => humanize(code),
    }
}

pub fn role_name(r: Role, lang: Lang) -> String {
    pick(lang, r.name_zh(), r.code())
}
pub fn kind_name(k: CaseKind, lang: Lang) -> String {
    pick(lang, k.name_zh(), k.code())
}
pub fn state_name(s: CaseState, lang: Lang) -> String {
    pick(lang, s.name_zh(), s.code())
}
pub fn utility_name(u: Utility, lang: Lang) -> String {
    pick(lang, u.name_zh(), u.code())
}
pub fn subkind_name(s: CaseSubkind, lang: Lang) -> String {
    use CaseSubkind::*;
    let zh = match s {
        NewConnection => "报装",
        CapacityChange => "增容",
        ChangeOfUse => "变更",
        StopResume => "报停复用",
        OwnershipTransfer => "过户",
        InsideMeter => "表内",
        OutsideMeter => "表外",
        Emergency => "抢修",
        NoSupply => "停供",
    };
    pick(lang, zh, s.code())
}
pub fn channel_name(c: Channel, lang: Lang) -> String {
    let zh = match c {
        Channel::Counter => "柜台",
        Channel::Phone => "电话",
        Channel::Web => "网站",
        Channel::App => "手机应用",
        Channel::Open311 => "Open311",
        Channel::Letter => "信函",
    };
    pick(lang, zh, c.code())
}
pub fn care_name(c: SpecialCare, lang: Lang) -> String {
    let zh = match c {
        SpecialCare::Elderly => "老年人",
        SpecialCare::Disabled => "残疾人",
        SpecialCare::LivesAlone => "独居",
        SpecialCare::LowIncome => "低收入",
        SpecialCare::MedicalDevice => "医疗设备",
    };
    pick(lang, zh, c.code())
}

/// `2026-09-30 10:00` in Shanghai time.
pub fn time(t: Timestamp) -> String {
    t.to_zoned(pledge_app::shanghai()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The value of an `<input type="datetime-local">` for `t`, in Shanghai time.
pub fn local_input(t: Timestamp) -> String {
    t.to_zoned(pledge_app::shanghai()).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// "2 h 05 min left" or "overdue 1 d 3 h" in the page's language.
pub fn remaining(due: Timestamp, now: Timestamp, lang: Lang) -> String {
    let secs = due.as_second() - now.as_second();
    let (late, s) = (secs < 0, secs.unsigned_abs());
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let span = match lang {
        Lang::Zh if d > 0 => format!("{d} 天 {h} 小时"),
        Lang::Zh => format!("{h} 小时 {m:02} 分"),
        Lang::En if d > 0 => format!("{d} d {h} h"),
        Lang::En => format!("{h} h {m:02} min"),
    };
    match (lang, late) {
        (Lang::Zh, false) => format!("剩余 {span}"),
        (Lang::Zh, true) => format!("已超时 {span}"),
        (Lang::En, false) => format!("{span} left"),
        (Lang::En, true) => format!("overdue {span}"),
    }
}

/// The CSS class of a deadline: `breached`, `warned` (within a quarter of the
/// time from start, or 4 hours) or `ok`.
pub fn deadline_class(due: Timestamp, breached: bool, now: Timestamp) -> &'static str {
    let left = due.as_second() - now.as_second();
    if breached || left < 0 {
        "breached"
    } else if left < 4 * 3600 {
        "warned"
    } else {
        "ok"
    }
}

/// One line of a case list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: CaseId,
    pub number: String,
    pub kind: String,
    pub state: String,
    pub subject: String,
    pub created: String,
    pub due: String,
    pub remaining: String,
    pub class: &'static str,
}

impl CaseRow {
    pub fn new(c: &Case, deadline: Option<&pledge_domain::model::CaseDeadline>, now: Timestamp, lang: Lang) -> CaseRow {
        CaseRow {
            id: c.id,
            number: c.number.to_string(),
            kind: kind_name(c.kind, lang),
            state: state_name(c.state, lang),
            subject: c.subject.clone(),
            created: time(c.created_at),
            due: deadline.map(|d| time(d.due_at)).unwrap_or_default(),
            remaining: deadline.map(|d| remaining(d.due_at, now, lang)).unwrap_or_default(),
            class: deadline.map(|d| deadline_class(d.due_at, d.breached, now)).unwrap_or("none"),
        }
    }
}

/// The case's deadline as the page shows it: the strictest running clock
/// (paused ones excluded), the same one the API's case `deadline` names and
/// the queues show; empty when no clock runs.
pub fn case_deadline(clocks: &[pledge_app::commitments::ClockView]) -> String {
    pledge_domain::commitment::strictest(clocks.iter().map(|v| &v.clock)).map(|c| time(c.due_at)).unwrap_or_default()
}

/// List rows for `cases`, with each one's deadline (its strictest running clock).
pub async fn case_rows(
    app: &pledge_app::App,
    actor: &pledge_app::Actor,
    cases: &[Case],
    lang: Lang,
) -> Result<Vec<CaseRow>, pledge_app::AppError> {
    let deadlines = app.case_deadlines(actor, cases).await?;
    let now = app.now();
    Ok(cases.iter().map(|c| CaseRow::new(c, deadlines.iter().find(|d| d.case_id == c.id), now, lang)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_reads_naturally_in_both_languages() {
        let now: Timestamp = "2026-09-30T02:00:00Z".parse().unwrap();
        let due: Timestamp = "2026-09-30T04:05:00Z".parse().unwrap();
        assert_eq!(remaining(due, now, Lang::Zh), "剩余 2 小时 05 分");
        assert_eq!(remaining(due, now, Lang::En), "2 h 05 min left");
        assert_eq!(remaining(now, due, Lang::En), "overdue 2 h 05 min");
        assert_eq!(deadline_class(due, false, now), "warned");
        assert_eq!(deadline_class(now, false, due), "breached");
        assert_eq!(time(now), "2026-09-30 10:00");
        assert_eq!(kind_name(CaseKind::BillingInquiry, Lang::En), "Billing inquiry");
    }
}
