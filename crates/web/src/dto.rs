//! What the API sends and accepts. Enumerations travel as their stable codes
//! and are parsed here, so a bad value gets its own error code.

use crate::error::ApiError;
use jiff::Timestamp;
use pledge_app::shanghai;
use pledge_domain::ids::*;
use pledge_domain::model::{AccessEntry, Case, Customer, Department, Distribution, Event, NetworkNode, Outage, Staff};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// RFC 3339 in Asia/Shanghai, e.g. `2026-11-23T09:30:00+08:00`.
pub fn time(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses RFC 3339 with an offset, or a plain date (start of that day in Shanghai).
pub fn parse_time(field: &str, raw: &str) -> Result<Timestamp, ApiError> {
    let raw = raw.trim();
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = raw.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned(shanghai())
    {
        return Ok(z.timestamp());
    }
    Err(ApiError::invalid(
        "invalid_time",
        field,
        "use RFC 3339 with an offset (2026-11-23T09:00:00+08:00) or a date (2026-11-23)",
    ))
}

/// Parses an enumeration code or fails with `code` on `field`.
pub fn code<T>(field: &str, err: &str, raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(raw.trim()).ok_or_else(|| ApiError::invalid(err, field, format!("{raw:?} is not a valid {field}")))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    #[schema(value_type = i64)]
    pub id: StaffId,
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    pub username: String,
    pub display_name: String,
    /// Role code, e.g. `hotline_agent`.
    pub role: String,
    /// Role name in Chinese.
    pub role_name: String,
    pub active: bool,
}

impl From<Staff> for StaffDto {
    fn from(s: Staff) -> Self {
        StaffDto {
            id: s.id,
            department_id: s.department_id,
            username: s.username,
            display_name: s.display_name,
            role: s.role.code().into(),
            role_name: s.role.name_zh().into(),
            active: s.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyDto {
    #[schema(value_type = i64)]
    pub id: CompanyId,
    pub code: String,
    pub name: String,
    /// The service hotline printed on receipts.
    pub hotline: String,
    /// gas, water, heat and/or power.
    pub utilities: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDto {
    #[schema(value_type = i64)]
    pub id: DepartmentId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub utility: Option<String>,
}

impl From<Department> for DepartmentDto {
    fn from(d: Department) -> Self {
        DepartmentDto {
            id: d.id,
            code: d.code,
            name_zh: d.name_zh,
            name_en: d.name_en,
            utility: d.utility.map(|u| u.code().into()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeDto {
    #[schema(value_type = i64)]
    pub id: NodeId,
    pub utility: String,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<NodeId>,
    pub level: String,
    pub name: String,
    /// Materialised path: the ids from the root, 12 digits each.
    pub path: String,
    /// Customers supplied through this node (only on single-node reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers_below: Option<u64>,
}

impl From<NetworkNode> for NodeDto {
    fn from(n: NetworkNode) -> Self {
        NodeDto {
            id: n.id,
            utility: n.utility.code().into(),
            parent_id: n.parent_id,
            level: n.level.code().into(),
            name: n.name,
            path: n.path,
            customers_below: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PremisesDto {
    #[schema(value_type = i64)]
    pub id: PremisesId,
    pub address: String,
    pub zone: String,
    pub floor_area_m2: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDto {
    #[schema(value_type = i64)]
    pub id: CustomerId,
    pub utility: String,
    /// 户号
    pub customer_number: String,
    /// 户名
    pub account_name: String,
    pub category: String,
    pub phone: Option<String>,
    pub special_care: Vec<String>,
    pub premises: Option<PremisesDto>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Customer> for CustomerDto {
    fn from(c: Customer) -> Self {
        CustomerDto {
            id: c.id,
            utility: c.utility.code().into(),
            customer_number: c.number.as_str().into(),
            account_name: c.account_name.as_str().into(),
            category: c.category.code().into(),
            phone: c.phone.map(|p| p.as_str().into()),
            special_care: c.special_care.iter().map(|s| s.code().into()).collect(),
            premises: c.premises.map(|p| PremisesDto {
                id: p.id,
                address: p.address,
                zone: p.zone.code().into(),
                floor_area_m2: p.floor_area_m2,
            }),
            created_at: time(c.created_at),
            updated_at: time(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpstreamDto {
    /// e.g. `12345` or `95598`.
    pub platform: String,
    pub reference: String,
    pub due: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    #[schema(value_type = i64)]
    pub id: CaseId,
    /// Readable number, e.g. `GAS-20261123-000123`.
    pub number: String,
    pub utility: String,
    pub kind: String,
    pub kind_name: String,
    pub subkind: Option<String>,
    pub channel: String,
    pub state: String,
    pub state_name: String,
    pub subject: String,
    pub description: String,
    #[schema(value_type = Option<i64>)]
    pub customer_id: Option<CustomerId>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    /// Whether the customer is told of receipt, extensions and the answer
    /// (a report's reporter only when they agreed; an anonymous one never).
    pub notify_consent: bool,
    /// The staff member who first received the customer (首问负责人); never changes.
    #[schema(value_type = i64)]
    pub first_responder_id: StaffId,
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<StaffId>,
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    pub upstream: Option<UpstreamDto>,
    #[schema(value_type = Option<i64>)]
    pub duplicate_of: Option<CaseId>,
    pub answered_on_spot: bool,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub version: i64,
    /// On intake only: the active outages the case was hung under, with
    /// cause, area and expected restoration to tell the caller (C16).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outages: Option<Vec<OutageDto>>,
}

impl From<Case> for CaseDto {
    fn from(c: Case) -> Self {
        let upstream = match (c.upstream_platform, c.upstream_ref) {
            (Some(platform), Some(reference)) => {
                Some(UpstreamDto { platform, reference, due: c.upstream_due.map(time) })
            }
            _ => None,
        };
        CaseDto {
            id: c.id,
            number: c.number.to_string(),
            utility: c.utility.code().into(),
            kind: c.kind.code().into(),
            kind_name: c.kind.name_zh().into(),
            subkind: c.subkind.map(|s| s.code().into()),
            channel: c.channel.code().into(),
            state: c.state.code().into(),
            state_name: c.state.name_zh().into(),
            subject: c.subject,
            description: c.description,
            customer_id: c.customer_id,
            contact_name: c.contact_name,
            contact_phone: c.contact_phone,
            anonymous: c.anonymous,
            notify_consent: c.notify_consent,
            first_responder_id: c.first_responder_id,
            assignee_id: c.assignee_id,
            department_id: c.department_id,
            upstream,
            duplicate_of: c.duplicate_of,
            answered_on_spot: c.answered_on_spot,
            created_at: time(c.created_at),
            updated_at: time(c.updated_at),
            closed_at: c.closed_at.map(time),
            version: c.version,
            outages: None,
        }
    }
}

/// One copy of a complaint form (投诉处理单): archive, department or management.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormCopyDto {
    #[schema(value_type = i64)]
    pub id: DistributionId,
    pub transfer_no: i64,
    pub copy: String,
    #[schema(value_type = Option<i64>)]
    pub holder_department_id: Option<DepartmentId>,
    #[schema(value_type = Option<i64>)]
    pub acknowledged_by: Option<StaffId>,
    pub acknowledged_at: Option<String>,
}

impl From<Distribution> for FormCopyDto {
    fn from(d: Distribution) -> Self {
        FormCopyDto {
            id: d.id,
            transfer_no: d.transfer_no,
            copy: d.copy,
            holder_department_id: d.holder_department_id,
            acknowledged_by: d.acknowledged_by,
            acknowledged_at: d.acknowledged_at.map(time),
        }
    }
}

/// A ledger event on the case's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    #[schema(value_type = i64)]
    pub seq: EventId,
    pub kind: String,
    #[schema(value_type = Option<i64>)]
    pub actor_id: Option<StaffId>,
    pub at: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<Event> for EventDto {
    fn from(e: Event) -> Self {
        EventDto { seq: e.seq, kind: e.kind, actor_id: e.actor_id, at: time(e.at), payload: e.payload }
    }
}

/// A commitment clock (服务承诺计时) on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockDto {
    #[schema(value_type = i64)]
    pub id: ClockId,
    /// The commitment's number in the policy, e.g. `C1`.
    pub rule_id: String,
    pub title_zh: String,
    pub title_en: String,
    /// running, paused or stopped.
    pub state: String,
    pub started_at: String,
    pub due_at: String,
    /// Seconds left until due (negative when overdue); absent once stopped.
    pub remaining_seconds: Option<i64>,
    /// Warning percentages already given.
    pub warned: Vec<u8>,
    pub breached: bool,
    /// met, breached or withdrawn, once stopped.
    pub outcome: Option<String>,
    pub stopped_at: Option<String>,
    pub policy_version: u32,
    pub extensions: Vec<ExtensionDto>,
    /// What started the clock: its rule, the policy version and the event; `event` is null on clocks stored
    /// before it was recorded.
    pub started_by: StartedByDto,
    /// How the clock ended, once stopped.
    pub ending: Option<EndingDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StartedByDto {
    pub rule_id: String,
    pub policy_version: u32,
    /// The event code, e.g. `case.received` or `case.reopened`.
    pub event: Option<String>,
}

/// How a clock ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndingDto {
    /// stop_event (one of its rule's stop events), subject_ended or withdrawn.
    pub by: String,
    /// For subject_ended: closed, cancelled, merged or restored.
    pub how: Option<String>,
    /// For withdrawn: decision, outage_cancelled or duplicate.
    pub withdraw_kind: Option<String>,
    pub reason: Option<String>,
    /// The staff member who withdrew it.
    pub by_id: Option<String>,
}

impl EndingDto {
    fn new(e: pledge_domain::commitment::Ending) -> Self {
        use pledge_domain::commitment::Ending;
        let none = EndingDto { by: String::new(), how: None, withdraw_kind: None, reason: None, by_id: None };
        match e {
            Ending::StopEvent => EndingDto { by: "stop_event".into(), ..none },
            Ending::SubjectEnded { how } => {
                EndingDto { by: "subject_ended".into(), how: Some(how.code().into()), ..none }
            }
            Ending::Withdrawn(w) => EndingDto {
                by: "withdrawn".into(),
                withdraw_kind: Some(w.kind.code().into()),
                reason: Some(w.reason),
                by_id: Some(w.by_id),
                ..none
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDto {
    pub new_due: String,
    pub approver_id: String,
    pub reason: String,
    pub at: String,
}

impl ClockDto {
    pub fn new(v: pledge_app::commitments::ClockView, now: Timestamp) -> Self {
        let c = &v.clock;
        let warned = c
            .warn_at
            .iter()
            .enumerate()
            .filter(|(i, _)| c.warned & (1 << i) != 0)
            .map(|(_, f)| (f * 100.0).round() as u8)
            .collect();
        ClockDto {
            id: v.id,
            rule_id: v.rule_id,
            title_zh: v.title_zh,
            title_en: v.title_en,
            state: v.state.into(),
            started_at: time(c.started_at),
            due_at: time(c.due_at),
            remaining_seconds: (!c.is_stopped()).then(|| c.due_at.as_second() - now.as_second()),
            warned,
            breached: c.breached,
            outcome: c.outcome().map(|o| o.code().into()),
            stopped_at: c.stopped_at.map(time),
            policy_version: c.policy_version,
            started_by: StartedByDto {
                rule_id: c.rule_id.clone(),
                policy_version: c.policy_version,
                event: c.started_by.clone(),
            },
            ending: c.ending().map(EndingDto::new),
            extensions: c
                .extended
                .iter()
                .map(|e| ExtensionDto {
                    new_due: time(e.new_due),
                    approver_id: e.approver_id.clone(),
                    reason: e.reason.clone(),
                    at: time(e.at),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailDto {
    pub case: CaseDto,
    /// The commitment clocks running or finished on this case.
    pub clocks: Vec<ClockDto>,
    pub form_copies: Vec<FormCopyDto>,
    pub duplicates: Vec<CaseDto>,
    pub timeline: Vec<EventDto>,
    /// True when the reporter's identity was hidden from the reader.
    pub identity_masked: bool,
    /// The case's deadline in force: the running clock due first, Pledge's
    /// own or the upstream platform's (rule `UPSTREAM`); null when no clock runs.
    pub deadline: Option<DeadlineDto>,
    /// What the customer was told, oldest first: receipt, extensions, answer.
    pub notices: Vec<CaseNoticeDto>,
}

/// The deadline a case shows: the stricter of its clocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineDto {
    pub due_at: String,
    /// The rule of the clock due first, e.g. `C1` or `UPSTREAM`.
    pub rule_id: String,
}

/// One notice to a case's customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseNoticeDto {
    /// `case.received`, `case.extended` or `case.answered`.
    pub topic: String,
    /// queued, sending, sent, retrying, dead, or skipped (not sent; see `reason`).
    pub state: String,
    /// sms or email; absent when skipped.
    pub channel: Option<String>,
    /// Why it was skipped: anonymous, no_consent, nuisance, no_contact or no_deadline.
    pub reason: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl From<pledge_app::notices::CaseNotice> for CaseNoticeDto {
    fn from(n: pledge_app::notices::CaseNotice) -> Self {
        CaseNoticeDto {
            topic: n.topic,
            state: n.state.into(),
            channel: n.channel.map(|c| c.code().into()),
            reason: n.reason,
            created_at: time(n.created_at),
            sent_at: n.sent_at.map(time),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntryDto {
    pub id: i64,
    #[schema(value_type = i64)]
    pub staff_id: StaffId,
    pub at: String,
    pub subject: String,
    pub subject_id: i64,
    pub action: String,
}

impl From<AccessEntry> for AccessEntryDto {
    fn from(a: AccessEntry) -> Self {
        AccessEntryDto {
            id: a.id,
            staff_id: a.staff_id,
            at: time(a.at),
            subject: a.subject,
            subject_id: a.subject_id,
            action: a.action,
        }
    }
}

macro_rules! page {
    ($name:ident, $item:ty) => {
        /// One page of results.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// All matches, not just this page.
            pub total: u64,
            pub limit: u32,
            pub offset: u64,
        }
    };
}
page!(CasePage, CaseDto);
page!(CustomerPage, CustomerDto);
page!(StaffPage, StaffDto);
page!(AccessLogPage, AccessEntryDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// `api` (default) for a bearer token, `cookie` for a browser session.
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: String,
    pub staff: StaffDto,
}

/// An outage as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutageDto {
    #[schema(value_type = i64)]
    pub id: OutageId,
    pub utility: String,
    /// planned or emergency.
    pub kind: String,
    /// stop or pressure_reduction.
    pub effect: String,
    /// draft, announced, in_progress, restore_notified, restored or cancelled.
    pub state: String,
    pub state_name: String,
    #[schema(value_type = i64)]
    pub node_id: NodeId,
    pub reason: String,
    pub area: String,
    pub starts_at: String,
    pub expected_restore_at: String,
    pub restored_at: Option<String>,
    pub announced_at: Option<String>,
    pub restore_notified_at: Option<String>,
    pub authority_reported_at: Option<String>,
    pub cancelled_at: Option<String>,
    /// Why a duty manager announced inside the lead time (a C3 breach).
    pub override_reason: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub override_by: Option<StaffId>,
    /// Customers in the snapshot taken at announcement.
    pub affected_count: u64,
    #[schema(value_type = Option<i64>)]
    pub suspected_id: Option<SuspectId>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Outage> for OutageDto {
    fn from(o: Outage) -> Self {
        OutageDto {
            id: o.id,
            utility: o.utility.code().into(),
            kind: o.kind.code().into(),
            effect: o.effect.code().into(),
            state: o.state.code().into(),
            state_name: o.state.name_zh().into(),
            node_id: o.node_id,
            reason: o.reason,
            area: o.area,
            starts_at: time(o.starts_at),
            expected_restore_at: time(o.expected_restore_at),
            restored_at: o.restored_at.map(time),
            announced_at: o.announced_at.map(time),
            restore_notified_at: o.restore_notified_at.map(time),
            authority_reported_at: o.authority_reported_at.map(time),
            cancelled_at: o.cancelled_at.map(time),
            override_reason: o.override_reason,
            override_by: o.override_by,
            affected_count: o.affected_count,
            suspected_id: o.suspected_id,
            created_at: time(o.created_at),
            updated_at: time(o.updated_at),
        }
    }
}
