//! Notifications: message templates with `{name}` placeholders, the topics
//! Pledge sends and the variables each may use, the languages, channels and
//! delivery states, and the templates shipped by default (our own words).
//!
//! A template is parsed once when saved: an unknown placeholder or a stray
//! brace is refused with a stable code. `{{` and `}}` stand for literal braces.

use crate::Utility;

/// The language a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Reads `zh-CN`/`zh`/`en` (case-insensitive); None for anything else.
    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "zh-cn" | "zh" | "zh-hans" => Some(Locale::Zh),
            "en" | "en-us" | "en-gb" => Some(Locale::En),
            _ => None,
        }
    }

    /// A stored locale, defaulting to Chinese when absent or unknown.
    pub fn or_default(s: Option<&str>) -> Locale {
        s.and_then(Locale::parse).unwrap_or(Locale::Zh)
    }
}

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Sms,
    Email,
    /// Written to the server log only: development, and recipients without a contact.
    Log,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Sms, ChannelKind::Email, ChannelKind::Log];

    pub fn code(self) -> &'static str {
        match self {
            ChannelKind::Sms => "sms",
            ChannelKind::Email => "email",
            ChannelKind::Log => "log",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Where a notification is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    Queued,
    /// Claimed by a worker under a lease.
    Sending,
    Sent,
    /// Failed; tried again after a backoff.
    Retrying,
    /// Gave up after the last attempt; visible to administrators, retried by hand.
    Dead,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::Queued,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Retrying,
        DeliveryState::Dead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Retrying => "retrying",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// The topics Pledge sends, with the variables their templates may use.
pub const TOPICS: &[(&str, &[&str])] = &[
    ("outage.announced", OUTAGE_VARS),
    ("outage.updated", OUTAGE_VARS),
    ("outage.restore_notice", OUTAGE_VARS),
    ("outage.restored", OUTAGE_VARS),
    ("outage.cancelled", OUTAGE_VARS),
    ("outage.no_longer_affected", OUTAGE_VARS),
    ("clock.escalated", ESCALATION_VARS),
    (CASE_RECEIVED, RECEIPT_VARS),
    (CASE_EXTENDED, EXTENSION_VARS),
    (CASE_ANSWERED, ANSWER_VARS),
];

/// Topic of the receipt told to a case's customer: the case number and the deadline promised.
pub const CASE_RECEIVED: &str = "case.received";
/// Topic of an approved extension told to a case's customer: the new deadline and the reason.
pub const CASE_EXTENDED: &str = "case.extended";
/// Topic of the final answer told to a case's customer.
pub const CASE_ANSWERED: &str = "case.answered";

const OUTAGE_VARS: &[&str] =
    &["company", "utility", "kind", "area", "reason", "starts_at", "expected_restore_at", "restored_at", "hotline"];
const ESCALATION_VARS: &[&str] =
    &["company", "rule_id", "rule", "subject", "subject_id", "case_number", "department", "due_at", "breached_at"];

const RECEIPT_VARS: &[&str] =
    &["company", "hotline", "case_number", "utility", "case_subject", "received_at", "due_at"];
const EXTENSION_VARS: &[&str] =
    &["company", "hotline", "case_number", "utility", "case_subject", "previous_due_at", "due_at", "reason"];
const ANSWER_VARS: &[&str] = &["company", "hotline", "case_number", "utility", "case_subject", "answered_at", "answer"];

/// The variables a topic's templates may use; None for an unknown topic.
pub fn topic_vars(topic: &str) -> Option<&'static [&'static str]> {
    TOPICS.iter().find(|(t, _)| *t == topic).map(|(_, v)| *v)
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown topic {0:?}")]
    UnknownTopic(String),
    #[error("the {field} is empty")]
    Empty { field: &'static str },
    #[error("the {field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the {field} has an unbalanced brace at character {at} (write {{{{ or }}}} for a literal brace)")]
    Unbalanced { field: &'static str, at: usize },
    #[error("the {field} uses the unknown placeholder {{{name}}}; this topic knows {known}")]
    UnknownPlaceholder { field: &'static str, name: String, known: String },
}

impl TemplateError {
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::UnknownTopic(_) => "template_unknown_topic",
            TemplateError::Empty { .. } => "template_empty",
            TemplateError::TooLong { .. } => "template_too_long",
            TemplateError::Unbalanced { .. } => "template_unbalanced_braces",
            TemplateError::UnknownPlaceholder { .. } => "template_unknown_placeholder",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            TemplateError::UnknownTopic(_) => Some("topic"),
            TemplateError::Empty { field } | TemplateError::TooLong { field, .. } => Some(field),
            TemplateError::Unbalanced { field, .. } | TemplateError::UnknownPlaceholder { field, .. } => Some(field),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// A parsed text with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    source: String,
    pieces: Vec<Piece>,
}

impl Text {
    fn parse(field: &'static str, source: &str, known: &[&str], max: usize) -> Result<Text, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError::Empty { field });
        }
        if source.chars().count() > max {
            return Err(TemplateError::TooLong { field, max });
        }
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(TemplateError::Unbalanced { field, at: i + 1 }),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, c)) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                            _ => return Err(TemplateError::Unbalanced { field, at: i + 1 }),
                        }
                    }
                    if !known.contains(&name.as_str()) {
                        return Err(TemplateError::UnknownPlaceholder { field, name, known: known.join(", ") });
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Var(name));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Text { source: source.to_owned(), pieces })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Fills the placeholders from `vars` (a flat JSON object); a missing
    /// variable renders as `-`. Known codes (utility, outage kind) are shown
    /// in the message's language.
    pub fn render(&self, vars: &serde_json::Value, locale: Locale) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(name) => out.push_str(&value(vars, name, locale)),
            }
        }
        out
    }
}

fn value(vars: &serde_json::Value, name: &str, locale: Locale) -> String {
    let raw = match vars.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => return "-".into(),
        Some(other) => other.to_string(),
    };
    match (name, locale) {
        ("utility", Locale::Zh) => Utility::parse(&raw).map(|u| u.name_zh().to_owned()).unwrap_or(raw),
        ("kind", Locale::Zh) => match raw.as_str() {
            "planned" => "计划".into(),
            "emergency" => "紧急".into(),
            _ => raw,
        },
        _ => raw,
    }
}

/// A message template for one topic and language: a subject line (e-mail)
/// and a body (every channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub topic: String,
    pub locale: Locale,
    pub subject: Text,
    pub body: Text,
}

/// The longest subject and body accepted (an SMS gateway splits long bodies).
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 2000;

impl Template {
    pub fn parse(topic: &str, locale: Locale, subject: &str, body: &str) -> Result<Template, TemplateError> {
        let known = topic_vars(topic).ok_or_else(|| TemplateError::UnknownTopic(topic.to_owned()))?;
        Ok(Template {
            topic: topic.to_owned(),
            locale,
            subject: Text::parse("subject", subject, known, MAX_SUBJECT)?,
            body: Text::parse("body", body, known, MAX_BODY)?,
        })
    }

    /// The template Pledge ships for `topic` in `locale`.
    pub fn shipped(topic: &str, locale: Locale) -> Option<Template> {
        let (_, zh_s, zh_b, en_s, en_b) = SHIPPED.iter().find(|(t, ..)| *t == topic)?;
        let (s, b) = match locale {
            Locale::Zh => (zh_s, zh_b),
            Locale::En => (en_s, en_b),
        };
        Template::parse(topic, locale, s, b).ok()
    }
}

/// Default texts: (topic, zh subject, zh body, en subject, en body).
const SHIPPED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "outage.announced",
        "【{company}】{utility}停供通知：{area}",
        "尊敬的用户：因{reason}，{area}将于{starts_at}起{kind}停止{utility}供应，预计{expected_restore_at}恢复。请提前做好准备，关闭用气（用水）设备。如有疑问请致电{hotline}。",
        "{company}: {utility} supply interruption in {area}",
        "Dear customer, because of {reason}, {utility} supply to {area} will be interrupted ({kind}) from {starts_at}. We expect to restore it by {expected_restore_at}. Please prepare and switch off your appliances. Questions: call {hotline}.",
    ),
    (
        "outage.updated",
        "【{company}】{utility}停供信息变更：{area}",
        "尊敬的用户：{area}的{utility}停供安排有变：开始时间{starts_at}，预计恢复时间{expected_restore_at}，原因：{reason}。如有疑问请致电{hotline}。",
        "{company}: change to the {utility} interruption in {area}",
        "Dear customer, the {utility} interruption in {area} has changed: it starts at {starts_at} and we now expect to restore supply by {expected_restore_at}. Reason: {reason}. Questions: call {hotline}.",
    ),
    (
        "outage.restore_notice",
        "【{company}】{utility}即将恢复供应：{area}",
        "尊敬的用户：{area}即将恢复{utility}供应（预计{expected_restore_at}）。恢复前请确认家中阀门和灶具开关均已关闭，恢复后如闻到异味请立即致电{hotline}。",
        "{company}: {utility} supply to {area} is about to return",
        "Dear customer, {utility} supply to {area} will return shortly (expected {expected_restore_at}). Before it does, make sure every valve and burner at home is closed. If you smell anything unusual afterwards, call {hotline} at once.",
    ),
    (
        "outage.restored",
        "【{company}】{utility}已恢复供应：{area}",
        "尊敬的用户：{area}的{utility}供应已于{restored_at}恢复，感谢您的理解与配合。如仍有问题请致电{hotline}。",
        "{company}: {utility} supply to {area} is back",
        "Dear customer, {utility} supply to {area} was restored at {restored_at}. Thank you for your patience. If anything is still wrong, call {hotline}.",
    ),
    (
        "outage.cancelled",
        "【{company}】{utility}停供取消：{area}",
        "尊敬的用户：原定于{starts_at}在{area}进行的{utility}停供已取消，供应照常。给您带来的不便敬请谅解。如有疑问请致电{hotline}。",
        "{company}: {utility} interruption in {area} cancelled",
        "Dear customer, the {utility} interruption planned for {area} from {starts_at} has been cancelled; supply continues as usual. Questions: call {hotline}.",
    ),
    (
        "outage.no_longer_affected",
        "【{company}】{utility}停供范围调整：您不再受影响",
        "尊敬的用户：此前通知的{utility}停供（{starts_at}起）范围已调整，您的地址不再受影响，供应照常。给您带来的不便敬请谅解。如有疑问请致电{hotline}。",
        "{company}: {utility} interruption no longer affects you",
        "Dear customer, the {utility} interruption we announced (from {starts_at}) has been changed and no longer affects your address; supply continues as usual. Questions: call {hotline}.",
    ),
    (
        "clock.escalated",
        "【升级】服务承诺超时：{rule}（{case_number}）",
        "服务承诺“{rule}”（{rule_id}）已于{due_at}到期未完成，涉及{subject} {case_number}，所在部门：{department}。请尽快督办处理。",
        "Escalation: commitment {rule_id} breached ({case_number})",
        "The service commitment \"{rule}\" ({rule_id}) was due at {due_at} and has not been met. It concerns {subject} {case_number}, department: {department}. Please follow it up now.",
    ),
    (
        CASE_RECEIVED,
        "【{company}】您的诉求已受理，工单号{case_number}",
        "尊敬的用户：您反映的“{case_subject}”已于{received_at}受理，工单号{case_number}。我们将在{due_at}前给您答复。查询进度或补充情况，请致电{hotline}并报工单号。",
        "{company}: we have received your request, case {case_number}",
        "Dear customer, we received your request \"{case_subject}\" at {received_at} as case {case_number}. We will answer you by {due_at} (Beijing time). To follow it up or add details, call {hotline} and quote the case number.",
    ),
    (
        CASE_EXTENDED,
        "【{company}】工单{case_number}答复时间调整",
        "尊敬的用户：您的工单{case_number}（{case_subject}）需要更多时间办理，原因：{reason}。答复时间由{previous_due_at}调整为{due_at}，给您带来不便，敬请谅解。如有疑问请致电{hotline}。",
        "{company}: new answer date for case {case_number}",
        "Dear customer, your case {case_number} (\"{case_subject}\") needs more time. Reason: {reason}. We will now answer you by {due_at} (Beijing time) instead of {previous_due_at}. We are sorry for the wait. Questions: call {hotline}.",
    ),
    (
        CASE_ANSWERED,
        "【{company}】工单{case_number}已答复",
        "尊敬的用户：您的工单{case_number}（{case_subject}）已于{answered_at}答复：{answer} 如仍有问题，请致电{hotline}并报工单号。",
        "{company}: your case {case_number} has been answered",
        "Dear customer, your case {case_number} (\"{case_subject}\") was answered at {answered_at}: {answer} If anything is still unresolved, call {hotline} and quote the case number.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_topic_ships_both_languages() {
        for (topic, _) in TOPICS {
            for l in Locale::ALL {
                assert!(Template::shipped(topic, l).is_some(), "{topic} {}", l.code());
            }
        }
    }

    #[test]
    fn placeholders_are_filled_and_codes_shown_in_the_language() {
        let t = Template::parse(
            "outage.announced",
            Locale::Zh,
            "{utility}停供",
            "{area}于{starts_at}{kind}停{utility}，{{热线}} {hotline}",
        )
        .unwrap();
        let vars = json!({"utility": "gas", "area": "城关镇", "starts_at": "2026-10-08 09:00", "kind": "planned"});
        assert_eq!(t.subject.render(&vars, Locale::Zh), "燃气停供");
        assert_eq!(t.body.render(&vars, Locale::Zh), "城关镇于2026-10-08 09:00计划停燃气，{热线} -");
        assert_eq!(t.body.render(&vars, Locale::En), "城关镇于2026-10-08 09:00planned停gas，{热线} -");
    }

    #[test]
    fn malformed_templates_are_refused_with_stable_codes() {
        let bad = |s: &str, b: &str| Template::parse("outage.restored", Locale::En, s, b).unwrap_err().code();
        assert_eq!(bad("ok", "restored at {restored_at"), "template_unbalanced_braces");
        assert_eq!(bad("ok", "restored } at"), "template_unbalanced_braces");
        assert_eq!(bad("ok", "{area with space}"), "template_unbalanced_braces");
        assert_eq!(bad("ok", "hello {customer_name}"), "template_unknown_placeholder");
        assert_eq!(bad(" ", "body"), "template_empty");
        assert_eq!(bad("ok", &"x".repeat(MAX_BODY + 1)), "template_too_long");
        assert_eq!(
            Template::parse("outage.exploded", Locale::En, "a", "b").unwrap_err().code(),
            "template_unknown_topic"
        );
    }

    #[test]
    fn locales_channels_and_states_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.code()), Some(l));
        }
        assert_eq!(Locale::or_default(Some("fr")), Locale::Zh);
        for c in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(c.code()), Some(c));
        }
        for s in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(s.code()), Some(s));
        }
    }
}
