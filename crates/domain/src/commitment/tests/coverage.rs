//! Every case kind of every utility has its rule or an explicit "no rule";
//! exemptions; the rules a case event starts, with the reopen fallback.

use super::SHIPPED;
use crate::case::{CaseKind, CaseSubkind};
use crate::commitment::policy::SHIPPED_TOML;
use crate::commitment::*;
use crate::customer::CustomerCategory;
use crate::utility::Utility;

/// The shipped policy without the `[[commitments]]` block of rule `id`.
fn shipped_without(id: &str) -> String {
    let at = SHIPPED_TOML.find(&format!("\nid = \"{id}\"\n")).unwrap_or_else(|| panic!("no rule {id}"));
    let start = SHIPPED_TOML[..at].rfind("[[commitments]]").unwrap();
    let end = SHIPPED_TOML[at..].find("\n[[").map_or(SHIPPED_TOML.len(), |i| at + i + 1);
    format!("{}{}", &SHIPPED_TOML[..start], &SHIPPED_TOML[end..])
}

/// The shipped policy without its exemptions.
fn shipped_without_exemptions() -> String {
    let start = SHIPPED_TOML.rfind("[[exemptions]]").unwrap();
    SHIPPED_TOML[..start].to_string()
}

/// The shipped policy with `extra` appended.
fn shipped_with(extra: &str) -> String {
    format!("{SHIPPED_TOML}\n{extra}\n")
}

/// The 1-based line of the last occurrence of `needle` in `src`.
fn line_of(src: &str, needle: &str) -> usize {
    src[..src.rfind(needle).expect("needle present")].matches('\n').count() + 1
}

fn ids(rules: Vec<&CommitmentRule>) -> Vec<&str> {
    rules.into_iter().map(|r| r.id.as_str()).collect()
}

// ---- coverage ------------------------------------------------------------------------

#[test]
fn the_shipped_policy_covers_every_case_kind_of_every_utility() {
    assert_eq!(SHIPPED.utilities, Utility::ALL);
    assert_eq!(SHIPPED.coverage_gaps(&Utility::ALL), []);
    for u in Utility::ALL {
        SHIPPED.check_coverage(&[u]).unwrap();
    }
    // Each kind has a rule started at intake, or the exemption.
    for u in Utility::ALL {
        for kind in CaseKind::ALL {
            let rules = SHIPPED.case_rules_started_by(Event::CaseReceived, u, kind, None, None);
            let exempt = SHIPPED.is_exempt(u, kind, None);
            assert!(rules.is_empty() == exempt, "{u:?} {kind:?}: {:?}", ids(rules));
        }
    }
}

#[test]
fn every_shipped_rule_for_a_case_of_each_utility() {
    let (u, k) = (Utility::Water, CaseKind::Repair);
    let received = |u, k, s, c| ids(SHIPPED.case_rules_started_by(Event::CaseReceived, u, k, s, c));
    assert_eq!(received(u, k, None, None), ["C17"]);
    assert_eq!(received(u, k, Some(CaseSubkind::Emergency), None), ["C17", "D3"]);
    assert_eq!(received(Utility::Heat, k, Some(CaseSubkind::Emergency), None), ["C24c", "D4"]);
    assert_eq!(received(Utility::Power, k, Some(CaseSubkind::NoSupply), None), ["C33a"]);
    assert_eq!(received(Utility::Power, k, Some(CaseSubkind::Emergency), None), ["C33a", "D5"]);
    assert_eq!(received(Utility::Gas, k, Some(CaseSubkind::Emergency), None), ["C7", "C8"]);
    let ba = CaseKind::BusinessApplication;
    let (nc, nr) = (Some(CaseSubkind::NewConnection), Some(CustomerCategory::NonResidential));
    assert_eq!(received(Utility::Gas, ba, nc, nr), ["C2", "D1"]);
    assert_eq!(received(Utility::Gas, ba, Some(CaseSubkind::OwnershipTransfer), None), ["D1"]);
    assert_eq!(received(Utility::Heat, ba, nc, None), ["D1"]);
    assert_eq!(ids(SHIPPED.case_rules_started_by(Event::ConnectionContracted, Utility::Heat, ba, nc, None)), ["C23"]);
    assert_eq!(received(Utility::Heat, CaseKind::Complaint, None, None), ["C1", "C26a"]);
    assert_eq!(received(Utility::Gas, CaseKind::Complaint, None, None), ["C1", "C9"]);
    assert_eq!(received(Utility::Power, CaseKind::Praise, None, None), Vec::<&str>::new());

    let r = SHIPPED.rule("D5").unwrap();
    assert_eq!(r.period_for(Some(crate::customer::Zone::Urban)), Some(Period::Minutes(45)));
    assert_eq!(r.period_for(Some(crate::customer::Zone::Rural)), Some(Period::Minutes(90)));
    let r = SHIPPED.rule("D1").unwrap();
    assert_eq!(r.timing, Timing::Duration(Period::WorkingDays(5)));
    assert_eq!(r.stop, [Event::CaseAnswered, Event::ConnectionContracted, Event::ConnectionCompleted]);
    assert_eq!(SHIPPED.rule("C24c").unwrap().timing, Timing::Duration(Period::Hours(12)));
    assert_eq!(SHIPPED.rule("D2").unwrap().timing, Timing::Duration(Period::WorkingDays(3)));
}

#[test]
fn a_policy_missing_water_repairs_is_refused_naming_them() {
    let src = shipped_without("C17");
    let e = Policy::from_toml(&src).unwrap_err();
    // D3 still covers water emergencies, so the first gap is a repair without a subkind.
    let gap = CoverageGap {
        utility: Utility::Water,
        kind: CaseKind::Repair,
        whole_kind: false,
        subkind: None,
        category: None,
    };
    assert_eq!(e, PolicyError::Uncovered { line: 1, gap });
    assert_eq!(e.code(), "policy_uncovered_case_kind");
    assert!(
        e.to_string()
            .starts_with("line 1: no rule or exemption covers water repair cases with no subkind and no customer: "),
        "{e}"
    );

    // Without the emergency rule too, the whole kind is uncovered.
    let p = Policy::from_toml_unchecked(&shipped_without("C17")).unwrap();
    let p = Policy { commitments: p.commitments.into_iter().filter(|r| r.id != "D3").collect(), ..p };
    let gaps = p.coverage_gaps(&Utility::ALL);
    assert_eq!(gaps.len(), 1);
    assert!(gaps[0].whole_kind, "{:?}", gaps[0]);
    assert_eq!(gaps[0].to_string(), "no rule or exemption covers water repair cases");
}

#[test]
fn the_app_checks_only_the_utilities_a_company_serves() {
    let p = Policy::from_toml_unchecked(&shipped_without("C33a")).unwrap();
    assert!(p.check_coverage(&[Utility::Gas, Utility::Water, Utility::Heat]).is_ok());
    let e = p.check_coverage(&[Utility::Power]).unwrap_err();
    assert!(e.to_string().contains("power repair cases"), "{e}");

    // A policy written for some utilities says so at its top and is checked for them only.
    let gas_only = shipped_without("C33a").replacen(
        "company = \"default\"\n",
        "company = \"default\"\nutilities = [\"gas\"]\n",
        1,
    );
    let p = Policy::from_toml(&gas_only).unwrap();
    assert_eq!(p.utilities, [Utility::Gas]);
    let with_all = gas_only.replacen("utilities = [\"gas\"]", "utilities = \"all\"", 1);
    assert_eq!(Policy::from_toml(&with_all).unwrap_err().code(), "policy_uncovered_case_kind");
    let unknown = gas_only.replacen("utilities = [\"gas\"]", "utilities = [\"steam\"]", 1);
    let e = Policy::from_toml(&unknown).unwrap_err();
    assert_eq!((e.code(), e.line()), ("policy_unknown_utility", line_of(&unknown, "utilities = [\"steam\"]")), "{e}");
}

#[test]
fn rules_started_by_other_events_do_not_cover_a_case() {
    // Without D1 a heat connection has C23, but that starts only once contracted.
    let p = Policy::from_toml_unchecked(&shipped_without("D1")).unwrap();
    let gaps = p.coverage_gaps(&Utility::ALL);
    let ba: Vec<_> = gaps.iter().map(|g| (g.utility, g.kind, g.whole_kind)).collect();
    let k = CaseKind::BusinessApplication;
    assert_eq!(
        ba,
        [(Utility::Gas, k, false), (Utility::Water, k, true), (Utility::Heat, k, true), (Utility::Power, k, true)]
    );
    // Gas has C2 for non-residential connections only.
    assert_eq!((gaps[0].subkind, gaps[0].category), (None, None));
    // A reopen rule does not cover intake either.
    let p = Policy::from_toml_unchecked(&shipped_without("C1")).unwrap();
    assert!(p.coverage_gaps(&[Utility::Water]).iter().any(|g| g.kind == CaseKind::Consultation && g.whole_kind));
}

#[test]
fn a_policy_without_the_praise_and_nuisance_exemption_is_refused() {
    let e = Policy::from_toml(&shipped_without_exemptions()).unwrap_err();
    let gap =
        CoverageGap { utility: Utility::Gas, kind: CaseKind::Praise, whole_kind: true, subkind: None, category: None };
    assert_eq!(e, PolicyError::Uncovered { line: 1, gap });
    let x = &SHIPPED.exemptions[0];
    assert_eq!(
        (x.utilities.as_slice(), x.kinds.as_slice()),
        (&Utility::ALL[..], &[CaseKind::Praise, CaseKind::Nuisance][..])
    );
    assert!(x.subkinds.is_empty() && !x.reason_zh.is_empty() && !x.reason_en.is_empty());
}

// ---- exemptions ----------------------------------------------------------------------

const EXEMPT: &str =
    "[[exemptions]]\nutilities = [\"water\"]\nkinds = [\"praise\"]\nreason_zh = \"无\"\nreason_en = \"none\"";

#[track_caller]
fn assert_exemption_refused(exemption: &str, code: &str, needle: &str) {
    let src = shipped_with(exemption);
    let e = Policy::from_toml(&src).unwrap_err();
    assert_eq!((e.code(), e.line()), (code, line_of(&src, needle)), "{e}");
}

#[test]
fn overlapping_exemptions_are_allowed() {
    let p = Policy::from_toml(&shipped_with(EXEMPT)).unwrap();
    assert_eq!(p.exemptions.len(), 2);
    assert!(p.is_exempt(Utility::Water, CaseKind::Praise, None));
}

#[test]
fn exemptions_are_validated_like_rules() {
    assert_exemption_refused(&EXEMPT.replace("[\"praise\"]", "[\"praize\"]"), "policy_unknown_kind", "\"praize\"");
    assert_exemption_refused(&EXEMPT.replace("[\"praise\"]", "[]"), "policy_missing", "kinds = []");
    assert_exemption_refused(&EXEMPT.replace("[\"water\"]", "[\"steam\"]"), "policy_unknown_utility", "[\"steam\"]");
    assert_exemption_refused(&EXEMPT.replace("\"none\"", "\" \""), "policy_missing", "reason_en = \" \"");
    assert_exemption_refused(
        &format!("{EXEMPT}\nsubkinds = [\"emergency\"]"),
        "policy_unknown_kind",
        "[\"emergency\"]",
    );
    assert_exemption_refused(&format!("{EXEMPT}\nnote = \"x\""), "policy_syntax", "note = ");
    let e = Policy::from_toml(&shipped_with(&EXEMPT.replace("[\"praise\"]", "[\"praize\"]"))).unwrap_err();
    assert!(e.to_string().contains("exemption 2"), "{e}");
}

#[test]
fn an_exemption_a_rule_contradicts_is_refused() {
    let src = shipped_with(&EXEMPT.replace("[\"praise\"]", "[\"repair\"]\nsubkinds = [\"emergency\"]"));
    let e = Policy::from_toml(&src).unwrap_err();
    assert_eq!(
        e,
        PolicyError::ExemptButRuled {
            line: line_of(&src, "kinds = [\"repair\"]"),
            exemption: "exemption 2".into(),
            utility: Utility::Water,
            kind: CaseKind::Repair,
            rule: "C17".into(),
        }
    );
    assert_eq!(e.code(), "policy_exempt_but_ruled");
    assert!(e.to_string().ends_with("exemption 2 exempts water repair cases, but rule C17 covers them"), "{e}");
    // A rule for all utilities contradicts an exemption for one of them.
    let src = shipped_with(&EXEMPT.replace("[\"praise\"]", "[\"suggestion\"]"));
    let e = Policy::from_toml(&src).unwrap_err();
    assert!(matches!(&e, PolicyError::ExemptButRuled { rule, .. } if rule == "C1"), "{e}");
}

#[test]
fn the_upstream_rule_id_is_reserved() {
    let src = shipped_without("D2").replacen("id = \"D1\"", "id = \"upstream\"", 1);
    let e = Policy::from_toml(&src).unwrap_err();
    assert_eq!((e.code(), e.line()), ("policy_reserved_rule", line_of(&src, "id = \"upstream\"")), "{e}");
}

// ---- reopening -----------------------------------------------------------------------

#[test]
fn reopening_starts_the_reopen_rule_or_else_the_kinds_own_rules() {
    let reopened = |u, k, s| ids(SHIPPED.case_rules_started_by(Event::CaseReopened, u, k, s, None));
    assert_eq!(reopened(Utility::Gas, CaseKind::Complaint, None), ["D2"]);
    assert_eq!(reopened(Utility::Heat, CaseKind::Report, None), ["D2"]);
    assert_eq!(reopened(Utility::Water, CaseKind::BusinessApplication, Some(CaseSubkind::NewConnection)), ["D2"]);
    // No reopen rule covers repairs: their own rules start again.
    assert_eq!(reopened(Utility::Gas, CaseKind::Repair, None), ["C7"]);
    assert_eq!(reopened(Utility::Gas, CaseKind::Repair, Some(CaseSubkind::Emergency)), ["C7", "C8"]);
    assert_eq!(reopened(Utility::Water, CaseKind::Repair, Some(CaseSubkind::InsideMeter)), ["C17"]);
    // Exempt kinds start nothing.
    assert_eq!(reopened(Utility::Power, CaseKind::Praise, None), Vec::<&str>::new());

    // A policy without a reopen rule restarts every kind's own rules.
    let p = Policy::from_toml(&shipped_without("D2")).unwrap();
    let rules = p.case_rules_started_by(Event::CaseReopened, Utility::Gas, CaseKind::Complaint, None, None);
    assert_eq!(ids(rules), ["C1", "C9"]);
    let e = Event::parse("case.reopened").unwrap();
    assert_eq!((e, e.reaches(SubjectKind::Case)), (Event::CaseReopened, true));
}
