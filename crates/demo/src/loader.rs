//! Builds the demo company inside one seeding transaction.

use crate::people::{self, DemoRng};
use crate::{COMPANY_CODE, DemoAccount, DemoReport, DemoSize};
use jiff::{SignedDuration, Timestamp};
use pledge_app::cases::{CaseInput, FORM_COPIES, GENERAL_MANAGEMENT_CODE, Upstream};
use pledge_app::routing::RoutingPurpose;
use pledge_app::seed::{Routing, Seeder};
use pledge_app::{AppError, AppResult};
use pledge_domain::case::{CaseAction, CaseKind, CaseSubkind, Channel};
use pledge_domain::ids::*;
use pledge_domain::model::{NewCustomer, NewNode, NewPremises, NewStaff, WorkOrderChange};
use pledge_domain::network::NodeLevel;
use pledge_domain::work_order::WorkOrderAction;
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, Role, SpecialCare, Utility, Zone};
use serde_json::json;
use std::collections::BTreeMap;

/// Role mix of the 40 demo staff: (role, username stem, count, department code).
pub(crate) const STAFF_PLAN: &[(Role, &str, u32, &str)] = &[
    (Role::Admin, "admin", 2, "GMO"),
    (Role::DutyManager, "duty", 3, "CSC"),
    (Role::QualitySupervisor, "qa", 3, "QS"),
    (Role::HallClerk, "hall", 6, "CSC"),
    (Role::HotlineAgent, "hotline", 8, "CSC"),
    (Role::DepartmentHandler, "handler", 8, ""),
    (Role::Dispatcher, "dispatch", 4, ""),
    (Role::FieldTechnician, "tech", 6, ""),
];

/// Departments that receive handlers, dispatchers and technicians, round robin.
const WORKING_DEPTS: &[&str] = &["GAS-OPS", "WATER-OPS", "HEAT-OPS", "POWER-OPS", "GAS-ENG", "WATER-ENG", "METER-BILL"];

fn utility_code_digit(u: Utility) -> u8 {
    match u {
        Utility::Gas => 1,
        Utility::Water => 2,
        Utility::Heat => 3,
        Utility::Power => 4,
    }
}

/// Where C16 sends an unknown outage, per utility.
const ROUTING_ENGINEERING: [(Utility, &str); 4] = [
    (Utility::Gas, "GAS-ENG"),
    (Utility::Water, "WATER-ENG"),
    (Utility::Heat, "HEAT-OPS"),
    (Utility::Power, "POWER-OPS"),
];

pub(crate) async fn build(
    mut s: Seeder<'_>,
    size: DemoSize,
    mut hashes: Vec<String>,
    now: Timestamp,
) -> AppResult<DemoReport> {
    let mut rng = DemoRng::new(20261123);
    let at = now.as_microsecond();
    let company_id = s.company(COMPANY_CODE, people::COMPANY_NAME, people::HOTLINE, &Utility::ALL).await?;
    let mut dept_ids: BTreeMap<&str, DepartmentId> = BTreeMap::new();
    let mut dept_names: BTreeMap<DepartmentId, &str> = BTreeMap::new();
    for d in people::departments() {
        let id = s.department(company_id, d.code, d.name_zh, d.name_en, d.utility.and_then(Utility::parse)).await?;
        dept_ids.insert(d.code, id);
        dept_names.insert(id, d.name_zh);
    }
    if !dept_ids.contains_key(GENERAL_MANAGEMENT_CODE) {
        return Err(AppError::Internal("demo departments lack general management".into()));
    }
    // Routing: C16 sends an unknown outage to each utility's engineering
    // (or operations) department; general management holds the complaint
    // form's management copy for every utility.
    for (utility, code) in ROUTING_ENGINEERING {
        let dept =
            dept_ids.get(code).copied().ok_or_else(|| AppError::Internal(format!("no demo department {code}")))?;
        s.routing(company_id, RoutingPurpose::Engineering, Some(utility), dept, at).await?;
    }
    s.routing(company_id, RoutingPurpose::ManagementCopy, None, dept_ids[GENERAL_MANAGEMENT_CODE], at).await?;

    // Staff.
    let mut accounts = Vec::new();
    let mut staff: Vec<(StaffId, Role, Option<DepartmentId>)> = Vec::new();
    let mut rr = 0usize;
    for &(role, stem, count, dept) in STAFF_PLAN {
        for i in 1..=count {
            let code = if dept.is_empty() {
                rr += 1;
                WORKING_DEPTS[(rr - 1) % WORKING_DEPTS.len()]
            } else {
                dept
            };
            let department_id = dept_ids.get(code).copied();
            let username = if count == 1 { stem.to_owned() } else { format!("{stem}{i}") };
            let display_name = people::person_name(&mut rng);
            let password_hash = hashes.pop().ok_or_else(|| AppError::Internal("not enough hashes".into()))?;
            let id = s
                .staff(&NewStaff {
                    company_id,
                    department_id,
                    username: username.clone(),
                    display_name: display_name.clone(),
                    role,
                    password_hash,
                })
                .await?;
            staff.push((id, role, department_id));
            accounts.push(DemoAccount {
                username,
                display_name,
                role,
                department: department_id.and_then(|d| dept_names.get(&d)).map(|s| s.to_string()).unwrap_or_default(),
            });
        }
    }

    // Supply network: station → main per township → area per community → leaves.
    let mut leaves: BTreeMap<(Utility, String), Vec<NodeId>> = BTreeMap::new();
    let mut mains: BTreeMap<(Utility, String), NodeId> = BTreeMap::new();
    let mut stations: BTreeMap<Utility, NodeId> = BTreeMap::new();
    async fn node(
        s: &mut Seeder<'_>,
        company_id: CompanyId,
        utility: Utility,
        parent_id: Option<NodeId>,
        level: NodeLevel,
        name: String,
    ) -> AppResult<NodeId> {
        s.node(&NewNode { company_id, utility, parent_id, level, name }).await
    }

    // Premises and customers.
    let mut seq: BTreeMap<Utility, u32> = BTreeMap::new();
    let mut customers: Vec<(CustomerId, Utility, String, Option<String>)> = Vec::new();
    let mut made = 0u32;
    while made < size.customers {
        let addr = people::address(&mut rng);
        let business = rng.chance(8);
        let zone = if addr.urban { Zone::Urban } else { Zone::Rural };
        let area = people::floor_area_m2(&mut rng, addr.urban) as i64 * if business { 3 } else { 1 };
        let premises_id = s
            .premises(&NewPremises { company_id, address: addr.text.clone(), zone, floor_area_m2: Some(area) })
            .await?;
        let holder = if business { people::business_name(&mut rng) } else { people::person_name(&mut rng) };
        let phone =
            if business && rng.chance(50) { people::landline(&mut rng) } else { people::mobile_phone(&mut rng) };
        let mut care = Vec::new();
        if !business {
            for (flag, pct) in [
                (SpecialCare::Elderly, 6),
                (SpecialCare::Disabled, 1),
                (SpecialCare::LivesAlone, 2),
                (SpecialCare::LowIncome, 2),
                (SpecialCare::MedicalDevice, 1),
            ] {
                if rng.chance(pct) {
                    care.push(flag);
                }
            }
        }
        let mut utilities = vec![Utility::Power];
        if rng.chance(95) {
            utilities.push(Utility::Water);
        }
        if rng.chance(if addr.urban { 80 } else { 45 }) {
            utilities.push(Utility::Gas);
        }
        if addr.urban && rng.chance(60) {
            utilities.push(Utility::Heat);
        }
        for u in utilities {
            if made >= size.customers {
                break;
            }
            // Lazily grow the network down to this community's leaves.
            let station = match stations.get(&u) {
                Some(s) => *s,
                None => {
                    let st = node(
                        &mut s,
                        company_id,
                        u,
                        None,
                        NodeLevel::Station,
                        format!("{}{}总站", people::COUNTY, u.name_zh()),
                    )
                    .await?;
                    stations.insert(u, st);
                    st
                }
            };
            let main = match mains.get(&(u, addr.township.clone())) {
                Some(m) => *m,
                None => {
                    let level = if u == Utility::Power { NodeLevel::Feeder } else { NodeLevel::Main };
                    let m = node(
                        &mut s,
                        company_id,
                        u,
                        Some(station),
                        level,
                        format!("{}{}干线", addr.township, u.name_zh()),
                    )
                    .await?;
                    mains.insert((u, addr.township.clone()), m);
                    m
                }
            };
            let key = (u, addr.community.clone());
            if !leaves.contains_key(&key) {
                let area_node =
                    node(&mut s, company_id, u, Some(main), NodeLevel::Area, format!("{}片区", addr.community)).await?;
                let mut ids = Vec::new();
                for k in 1..=(1 + rng.below(3)) {
                    let level = if u == Utility::Power { NodeLevel::Transformer } else { NodeLevel::Building };
                    let suffix = if u == Utility::Power { "台区" } else { "支线" };
                    ids.push(
                        node(&mut s, company_id, u, Some(area_node), level, format!("{}{k}号{suffix}", addr.community))
                            .await?,
                    );
                }
                leaves.insert(key.clone(), ids);
            }
            let leaf = *rng.pick(&leaves[&key]);
            s.attach_premises(premises_id, leaf).await?;
            let n = seq.entry(u).or_insert(0);
            *n += 1;
            let number = format!("{}{:09}", utility_code_digit(u), 100_000 + *n);
            let category = if business { CustomerCategory::NonResidential } else { CustomerCategory::Residential };
            let id = s
                .customer(&NewCustomer {
                    company_id,
                    utility: u,
                    number: CustomerNumber::parse(&number).map_err(|e| AppError::Internal(e.to_string()))?,
                    account_name: AccountName::parse(&holder).map_err(|e| AppError::Internal(e.to_string()))?,
                    category,
                    phone: Phone::parse(&phone).ok(),
                    special_care: care.clone(),
                    premises_id: Some(premises_id),
                })
                .await?;
            customers.push((id, u, holder.clone(), Phone::parse(&phone).ok().map(|p| p.as_str().to_owned())));
            made += 1;
        }
    }

    // A year of cases, received by hall clerks and hotline agents.
    let receivers: Vec<&(StaffId, Role, Option<DepartmentId>)> =
        staff.iter().filter(|s| matches!(s.1, Role::HallClerk | Role::HotlineAgent)).collect();
    let handlers: Vec<&(StaffId, Role, Option<DepartmentId>)> =
        staff.iter().filter(|s| s.1 == Role::DepartmentHandler).collect();
    let dispatchers: Vec<&(StaffId, Role, Option<DepartmentId>)> =
        staff.iter().filter(|s| s.1 == Role::Dispatcher).collect();
    let crews: Vec<StaffId> = staff.iter().filter(|s| s.1 == Role::FieldTechnician).map(|s| s.0).collect();
    let kinds: [(CaseKind, u32); 9] = [
        (CaseKind::Consultation, 24),
        (CaseKind::BillingInquiry, 16),
        (CaseKind::BusinessApplication, 12),
        (CaseKind::Repair, 22),
        (CaseKind::Complaint, 10),
        (CaseKind::Report, 3),
        (CaseKind::Suggestion, 5),
        (CaseKind::Praise, 4),
        (CaseKind::Nuisance, 4),
    ];
    let weight_total: u32 = kinds.iter().map(|k| k.1).sum();
    let mut times: Vec<i64> = (0..size.cases).map(|_| rng.below(365 * 24 * 3600) as i64).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    let mut walked: i64 = 0;
    for (i, secs_ago) in times.into_iter().enumerate() {
        let mut pick = rng.below(weight_total as u64) as u32;
        let kind = kinds
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map(|k| k.0)
            .unwrap_or(CaseKind::Consultation);
        // Make sure every kind appears even in a small demo.
        let kind = if i < kinds.len() { kinds[i].0 } else { kind };
        let cust = &customers[rng.below(customers.len() as u64) as usize];
        let (subject, description) = people::case_text(&mut rng, kind.code(), cust.1.code());
        let subkind = match kind {
            CaseKind::Repair => {
                Some(*rng.pick(&[CaseSubkind::InsideMeter, CaseSubkind::OutsideMeter, CaseSubkind::Emergency]))
            }
            CaseKind::BusinessApplication => Some(*rng.pick(&[
                CaseSubkind::NewConnection,
                CaseSubkind::CapacityChange,
                CaseSubkind::ChangeOfUse,
                CaseSubkind::StopResume,
                CaseSubkind::OwnershipTransfer,
            ])),
            _ => None,
        };
        let anonymous = kind == CaseKind::Report && rng.chance(40);
        let channel = *rng.pick(&[
            Channel::Phone,
            Channel::Phone,
            Channel::Phone,
            Channel::Counter,
            Channel::Counter,
            Channel::Web,
            Channel::App,
            Channel::Letter,
        ]);
        let receiver = receivers[rng.below(receivers.len() as u64) as usize];
        let on_spot =
            matches!(kind, CaseKind::Consultation | CaseKind::BillingInquiry | CaseKind::Praise | CaseKind::Nuisance)
                && rng.chance(60);
        let upstream = (channel == Channel::Phone && rng.chance(8)).then(|| Upstream {
            platform: "12345".into(),
            reference: format!("12345-{:08}", rng.below(100_000_000)),
            due: None,
        });
        let created = now - SignedDuration::from_secs(secs_ago);
        let input = CaseInput {
            utility: cust.1,
            kind,
            subkind,
            channel,
            subject: subject.chars().take(100).collect(),
            description,
            customer_id: (!anonymous).then_some(cust.0),
            contact_name: (!anonymous).then(|| cust.2.clone()),
            contact_phone: if anonymous { None } else { cust.3.clone() },
            anonymous,
            notify_consent: None,
            upstream,
            answered_on_spot: on_spot.then(|| "已当场答复用户并确认无其他诉求。".to_owned()),
        };
        let id = s.receive_case(receiver.0, &input, created).await?;
        if on_spot {
            continue;
        }
        // Walk the case some way along its life; older cases got further.
        // The first few walked cases stop at each stage in turn, so even a
        // small demo shows every state; later ones mostly ran their course.
        let age_days = secs_ago / 86_400;
        walked += 1;
        let stop_at = if walked <= 6 {
            walked - 1
        } else if age_days > 60 && rng.chance(85) {
            6
        } else {
            rng.below(7) as i64
        };
        let mut t = created.as_microsecond();
        let tick = |t: &mut i64, rng: &mut DemoRng| {
            *t += (10 + rng.below(600) as i64) * 60_000_000;
            (*t).min(at)
        };
        let handler = handlers[rng.below(handlers.len() as u64) as usize];
        let walk: [(CaseAction, &str); 6] = [
            (CaseAction::Transfer, "case.transferred"),
            (CaseAction::Start, "case.started"),
            (CaseAction::Answer, "case.replied"),
            (CaseAction::StartCallback, "case.callback_started"),
            (CaseAction::Close, "case.closed"),
            (CaseAction::Reopen, "case.reopened"),
        ];
        for (n, (action, ev)) in walk.iter().enumerate() {
            if n as i64 >= stop_at {
                break;
            }
            // Only a few closed cases get reopened.
            if *action == CaseAction::Reopen && !rng.chance(3) {
                break;
            }
            let case = s.case(id).await?;
            let when = tick(&mut t, &mut rng);
            let (who, routing, payload) = match action {
                CaseAction::Transfer => {
                    let from = case.department_id;
                    (
                        receiver.0,
                        Routing { department: Some(handler.2), assignee: Some(None) },
                        json!({"from_department_id": from, "to_department_id": handler.2, "reason": "按职责转办", "transfer_no": 1}),
                    )
                }
                CaseAction::Start => {
                    (handler.0, Routing { department: None, assignee: Some(Some(handler.0)) }, json!({}))
                }
                CaseAction::Answer => {
                    (handler.0, Routing::KEEP, json!({"final": true, "body": "已核实处理完毕，并将结果告知用户。"}))
                }
                CaseAction::Reopen => (receiver.0, Routing::KEEP, json!({"reason": "回访时用户表示问题仍未解决"})),
                _ => (receiver.0, Routing::KEEP, json!({})),
            };
            s.step_case(who, &case, Some(*action), ev, payload, routing, when).await?;
            if *action == CaseAction::Start && kind == CaseKind::Repair && !crews.is_empty() && !dispatchers.is_empty()
            {
                let dispatcher = dispatchers[rng.below(dispatchers.len() as u64) as usize].0;
                t = field_job(
                    &mut s,
                    &mut rng,
                    company_id,
                    dispatcher,
                    &crews,
                    id,
                    subkind,
                    when,
                    n as i64 + 1 < stop_at,
                    at,
                )
                .await?;
            }
            if *action == CaseAction::Transfer && kind == CaseKind::Complaint {
                for (copy, holder) in FORM_COPIES.into_iter().zip([
                    case.department_id,
                    handler.2,
                    dept_ids.get(GENERAL_MANAGEMENT_CODE).copied(),
                ]) {
                    s.distribute_form(id, 1, copy, holder, when).await?;
                }
            }
        }
    }
    s.system_event("demo.loaded", json!({"company_id": company_id, "customers": made, "cases": size.cases}), at)
        .await?;
    Ok(DemoReport { created: true, company_id, accounts, customers: made, cases: size.cases })
}

/// A repair case's field job: raised and dispatched when work starts; for a
/// case that went on to be answered, the crew arrived (mostly within the
/// commitment, sometimes late) and finished. Returns the case's time after it.
#[allow(clippy::too_many_arguments)]
async fn field_job(
    s: &mut Seeder<'_>,
    rng: &mut DemoRng,
    company_id: CompanyId,
    dispatcher: StaffId,
    crews: &[StaffId],
    case_id: CaseId,
    subkind: Option<CaseSubkind>,
    start_us: i64,
    finished: bool,
    now_us: i64,
) -> AppResult<i64> {
    let ts = |us: i64| Timestamp::from_microsecond(us.min(now_us)).map_err(|e| AppError::Internal(e.to_string()));
    let crew = *rng.pick(crews);
    let instructions = if subkind == Some(CaseSubkind::Emergency) {
        "突发故障，立即携带检测仪器到场处置"
    } else {
        "上门检查并维修，完工后请用户签字确认"
    };
    let id =
        s.raise_work_order(company_id, dispatcher, case_id, instructions, crew, ts(start_us + 60_000_000)?).await?;
    if !finished {
        return Ok(start_us + 60_000_000);
    }
    // Nine crews in ten arrive within 30 minutes.
    let arrive = start_us + (if rng.chance(90) { 8 + rng.below(20) } else { 35 + rng.below(60) }) as i64 * 60_000_000;
    let done = arrive + (30 + rng.below(180)) as i64 * 60_000_000;
    for (action, when, payload) in [
        (WorkOrderAction::Depart, start_us + 3 * 60_000_000, json!({})),
        (WorkOrderAction::Arrive, arrive, json!({})),
        (
            WorkOrderAction::Complete,
            done,
            json!({"result": "已排除故障并复查正常，用户签字确认。", "fee_fen": null, "signed_by": null}),
        ),
    ] {
        let change = if action == WorkOrderAction::Complete {
            WorkOrderChange {
                result: Some("已排除故障并复查正常，用户签字确认。".into()), ..Default::default()
            }
        } else {
            Default::default()
        };
        s.work_order_step(crew, id, action, change, payload, ts(when)?).await?;
    }
    Ok(done)
}
