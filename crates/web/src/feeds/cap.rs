//! CAP 1.2 messages (OASIS Common Alerting Protocol): one lineage per
//! outage, each message rebuilt from the outage as it was published (see
//! `pledge_app::outages::cap` for when each is sent), with a Chinese and an
//! English `info` block, each wholly in its language. Elements follow the
//! schema's order; every time carries the `+08:00` offset, as CAP forbids `Z`.
//!
//! An alert stays in force while its outage does: a message of an open
//! outage carries no `expires` (it holds until the next message of the
//! lineage replaces it); the closing message (restored: an `Update` with
//! urgency `Past`; called off: a `Cancel`) expires when the outage ended.

use super::{Notice, local_time, offset_time, summary_zh, title_en, title_zh, xml_escape};
use pledge_domain::Utility;
use pledge_domain::commitment::OutageKind;
use pledge_domain::model::CapMessage;
use pledge_domain::outage::{Effect, OutageState};

/// The URL of one message of the lineage.
pub fn message_url(base: &str, m: &CapMessage) -> String {
    format!("{base}/feeds/outages/{}/cap/{}.cap", m.outage_id, m.seq)
}

/// One message; `n.outage` is the outage as the message published it and
/// `base` the site's absolute URL.
pub fn message(n: &Notice, m: &CapMessage, base: &str) -> String {
    let o = &n.outage;
    let ended = matches!(o.state, OutageState::Restored | OutageState::Cancelled);
    let urgency = match o.state {
        OutageState::Restored | OutageState::Cancelled => "Past",
        OutageState::InProgress | OutageState::RestoreNotified => "Immediate",
        _ => "Expected",
    };
    let severity = match (o.kind, o.effect) {
        (_, Effect::PressureReduction) => "Minor",
        (OutageKind::Emergency, _) => "Severe",
        _ => "Moderate",
    };
    let certainty = match o.kind {
        OutageKind::Emergency => "Observed",
        _ if o.state == OutageState::Announced => "Likely",
        _ => "Observed",
    };
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
    );
    let el = |x: &mut String, indent: &str, name: &str, value: &str| {
        x.push_str(&format!("{indent}<{name}>{}</{name}>\n", xml_escape(value)))
    };
    el(&mut x, "  ", "identifier", &m.identifier);
    el(&mut x, "  ", "sender", &m.sender);
    el(&mut x, "  ", "sent", &offset_time(m.sent));
    el(&mut x, "  ", "status", "Actual");
    el(&mut x, "  ", "msgType", &m.msg_type);
    el(&mut x, "  ", "scope", "Public");
    if !m.refs.is_empty() {
        el(&mut x, "  ", "references", &m.refs);
    }
    // The closing message expires when the outage ended; an open one holds.
    let expires = if ended { o.restored_at.or(o.cancelled_at).map(|t| t.max(m.sent)) } else { None };
    let infos = [
        ("zh-CN", event_zh(o), title_zh(o), summary_zh(n), instruction_zh(o)),
        ("en-US", title_en(o), headline_en(o), description_en(n), instruction_en(n)),
    ];
    for (lang, event, headline, description, instruction) in infos {
        x.push_str("  <info>\n");
        el(&mut x, "    ", "language", lang);
        el(&mut x, "    ", "category", "Infra");
        el(&mut x, "    ", "event", &event);
        el(&mut x, "    ", "urgency", urgency);
        el(&mut x, "    ", "severity", severity);
        el(&mut x, "    ", "certainty", certainty);
        el(&mut x, "    ", "effective", &offset_time(o.announced_at.unwrap_or(m.sent).min(m.sent)));
        el(&mut x, "    ", "onset", &offset_time(o.starts_at));
        if let Some(t) = expires {
            el(&mut x, "    ", "expires", &offset_time(t));
        }
        el(&mut x, "    ", "senderName", &n.company_name);
        el(&mut x, "    ", "headline", &headline);
        el(&mut x, "    ", "description", &description);
        el(&mut x, "    ", "instruction", &instruction);
        el(&mut x, "    ", "web", &format!("{base}/public/outages#outage-{}", o.id));
        el(&mut x, "    ", "contact", &n.hotline);
        x.push_str("    <area>\n");
        el(&mut x, "      ", "areaDesc", &o.area);
        x.push_str("    </area>\n  </info>\n");
    }
    x.push_str("</alert>\n");
    x
}

/// The event type in Chinese: "燃气计划停气".
fn event_zh(o: &pledge_domain::model::Outage) -> String {
    let kind = match o.kind {
        OutageKind::Emergency => "紧急",
        _ => "计划",
    };
    format!("{}{}{}", o.utility.name_zh(), kind, o.effect.name_zh(o.utility))
}

fn headline_en(o: &pledge_domain::model::Outage) -> String {
    let state = match o.state {
        OutageState::Restored => " (restored)",
        OutageState::Cancelled => " (called off)",
        _ => "",
    };
    format!("{}{state}", title_en(o))
}

/// The English body: where, why, and the times (Beijing time, UTC+8).
fn description_en(n: &Notice) -> String {
    let o = &n.outage;
    let mut s = format!(
        "Area: {}. Cause: {}. Starts: {} (UTC+8). Expected restoration: {} (UTC+8).",
        o.area,
        o.reason,
        local_time(o.starts_at),
        local_time(o.expected_restore_at)
    );
    if let Some(r) = o.restored_at {
        s.push_str(&format!(" Supply was restored at {} (UTC+8).", local_time(r)));
    }
    if o.state == OutageState::Cancelled {
        s.push_str(" This outage has been called off.");
    }
    s.push_str(&format!(" Hotline: {}.", n.hotline));
    s
}

/// What to do, fitting the utility, the effect and where the outage stands.
fn instruction_zh(o: &pledge_domain::model::Outage) -> String {
    let what = match (o.state, o.utility, o.effect) {
        (OutageState::Cancelled, _, _) => "本次停供已取消，无需采取措施。",
        (OutageState::Restored, Utility::Gas, Effect::Stop) => {
            "已恢复供气。请先确认灶具开关处于关闭状态，再打开燃气阀门使用。"
        }
        (OutageState::Restored, _, _) => "供应已恢复。",
        (_, Utility::Gas, Effect::Stop) => "停气期间请关闭燃气阀门，恢复供气前会另行通知。",
        (_, Utility::Gas, Effect::PressureReduction) => {
            "降压期间燃气灶具火力可能偏小，请有人看管，火焰熄灭时请停止使用。"
        }
        (_, Utility::Water, Effect::Stop) => "请提前储备生活用水。",
        (_, Utility::Water, Effect::PressureReduction) => "降压期间高层住户水压可能不足，请提前储备生活用水。",
        (_, Utility::Heat, _) => "请注意室内保暖。",
        (_, Utility::Power, _) => "请提前做好准备，停电期间请关闭大功率电器。",
    };
    format!("{what}如有疑问请拨打服务热线。")
}

fn instruction_en(n: &Notice) -> String {
    let o = &n.outage;
    let what = match (o.state, o.utility, o.effect) {
        (OutageState::Cancelled, _, _) => "The outage has been called off; no action is needed.",
        (OutageState::Restored, Utility::Gas, Effect::Stop) => {
            "Gas is back. Check that every burner is off before you open your gas valve."
        }
        (OutageState::Restored, _, _) => "Supply is back.",
        (_, Utility::Gas, Effect::Stop) => {
            "Close your gas valves while the supply is off; you will be told before gas returns."
        }
        (_, Utility::Gas, Effect::PressureReduction) => {
            "Flames may be weaker while the pressure is reduced; stay with lit burners and stop using them if the flame goes out."
        }
        (_, Utility::Water, Effect::Stop) => "Store enough water beforehand.",
        (_, Utility::Water, Effect::PressureReduction) => {
            "Upper floors may get little water while the pressure is reduced; store water beforehand."
        }
        (_, Utility::Heat, _) => "Keep warm indoors.",
        (_, Utility::Power, _) => "Prepare beforehand and switch off high-power appliances while the power is off.",
    };
    format!("{what} Questions: call {}.", n.hotline)
}
