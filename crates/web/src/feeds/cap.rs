//! CAP 1.2 alerts (OASIS Common Alerting Protocol), one per outage, with a
//! Chinese and an English `info` block. Elements follow the schema's order;
//! every time carries the `+08:00` offset, as CAP forbids `Z`.

use super::{Notice, offset_time, summary_zh, title_en, title_zh, xml_escape};
use pledge_domain::commitment::OutageKind;
use pledge_domain::outage::{Effect, OutageState};

/// The alert for one notice; `base` is the site's absolute URL.
pub fn alert(n: &Notice, base: &str) -> String {
    let o = &n.outage;
    // A new identifier for every change of the outage, as CAP requires.
    let identifier = format!("pledge-{}-outage-{}-{}", sanitize(&n.company_code), o.id, o.updated_at.as_microsecond());
    let msg_type = match o.state {
        OutageState::Cancelled => "Cancel",
        OutageState::Restored | OutageState::RestoreNotified => "Update",
        _ => "Alert",
    };
    let urgency = match o.state {
        OutageState::Restored | OutageState::Cancelled => "Past",
        OutageState::InProgress | OutageState::RestoreNotified => "Immediate",
        _ => "Expected",
    };
    let severity = match (o.kind, o.effect) {
        (_, Effect::PressureReduction) => "Minor",
        (OutageKind::Emergency, _) => "Severe",
        (OutageKind::Planned | OutageKind::Temporary, _) => "Moderate",
    };
    let certainty = match o.kind {
        OutageKind::Planned | OutageKind::Temporary if o.state == OutageState::Announced => "Likely",
        _ => "Observed",
    };
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
    );
    let el = |x: &mut String, indent: &str, name: &str, value: &str| {
        x.push_str(&format!("{indent}<{name}>{}</{name}>\n", xml_escape(value)))
    };
    el(&mut x, "  ", "identifier", &identifier);
    el(&mut x, "  ", "sender", &format!("{}@pledge.invalid", sanitize(&n.company_code)));
    el(&mut x, "  ", "sent", &offset_time(o.updated_at));
    el(&mut x, "  ", "status", "Actual");
    el(&mut x, "  ", "msgType", msg_type);
    el(&mut x, "  ", "scope", "Public");
    let infos = [
        ("zh-CN", title_zh(o), summary_zh(n), instruction_zh(o.utility).to_owned()),
        (
            "en-US",
            title_en(o),
            format!("Area: {}. Cause: {}.", o.area, o.reason),
            format!("Questions: call {}.", n.hotline),
        ),
    ];
    for (lang, headline, description, instruction) in infos {
        x.push_str("  <info>\n");
        el(&mut x, "    ", "language", lang);
        el(&mut x, "    ", "category", "Infra");
        el(&mut x, "    ", "event", &title_en(o));
        el(&mut x, "    ", "urgency", urgency);
        el(&mut x, "    ", "severity", severity);
        el(&mut x, "    ", "certainty", certainty);
        el(&mut x, "    ", "effective", &offset_time(o.announced_at.unwrap_or(o.created_at)));
        el(&mut x, "    ", "onset", &offset_time(o.starts_at));
        el(&mut x, "    ", "expires", &offset_time(o.restored_at.unwrap_or(o.expected_restore_at).max(o.updated_at)));
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

fn instruction_zh(u: pledge_domain::Utility) -> &'static str {
    match u {
        pledge_domain::Utility::Gas => "停气期间请关闭燃气阀门，恢复供气前会另行通知；如有疑问请拨打服务热线。",
        _ => "请提前做好准备；如有疑问请拨打服务热线。",
    }
}

/// CAP identifiers and senders may not hold spaces, commas or markup.
fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn identifiers_hold_no_separators() {
        assert_eq!(sanitize("A B,C<&"), "A_B_C__");
    }
}
