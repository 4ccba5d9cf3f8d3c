//! The generator's properties: deterministic, plausible, varied.

use super::phones::MOBILE_PREFIXES;
use super::texts::{templates, util};
use super::*;
use std::collections::HashSet;

const KINDS: &[&str] = &[
    "consultation",
    "billing_inquiry",
    "business_application",
    "repair",
    "complaint",
    "report",
    "suggestion",
    "praise",
    "nuisance",
];
const UTILITIES: &[&str] = &["gas", "water", "heat", "power"];

fn sample(seed: u64) -> Vec<(String, String, DemoAddress)> {
    let mut rng = DemoRng::new(seed);
    (0..1000).map(|_| (person_name(&mut rng), mobile_phone(&mut rng), address(&mut rng))).collect()
}

#[test]
fn deterministic_for_same_seed() {
    assert_eq!(sample(42), sample(42));
    assert_ne!(sample(42), sample(43));
}

#[test]
fn phones_are_valid_mobiles() {
    let prefixes: HashSet<&str> = MOBILE_PREFIXES.iter().map(|(p, _)| *p).collect();
    let mut rng = DemoRng::new(7);
    for _ in 0..5000 {
        let p = mobile_phone(&mut rng);
        assert_eq!(p.len(), 11, "{p}");
        assert!(p.bytes().all(|b| b.is_ascii_digit()), "{p}");
        assert!(p.starts_with('1'), "{p}");
        assert!(prefixes.contains(&p[..3]), "{p}");
    }
}

#[test]
fn landlines_look_plausible() {
    let mut rng = DemoRng::new(8);
    for _ in 0..2000 {
        let l = landline(&mut rng);
        let (code, local) = l.split_once('-').expect("dash");
        assert!(code.starts_with('0') && (3..=4).contains(&code.len()), "{l}");
        assert!((7..=8).contains(&local.len()), "{l}");
        assert!(l.bytes().all(|b| b.is_ascii_digit() || b == b'-'), "{l}");
    }
}

#[test]
fn names_are_realistic_length() {
    let mut rng = DemoRng::new(9);
    for _ in 0..5000 {
        let n = person_name(&mut rng);
        let len = n.chars().count();
        assert!((2..=4).contains(&len), "{n}");
    }
}

#[test]
fn every_kind_and_utility_has_varied_text() {
    let mut rng = DemoRng::new(11);
    for kind in KINDS {
        for utility in UTILITIES {
            let (_, bit) = util(utility);
            let variants = templates(kind).iter().filter(|t| t.0 & bit != 0).count();
            assert!(variants >= 6, "{kind}/{utility}: only {variants} variants");
            let mut subjects = HashSet::new();
            for _ in 0..200 {
                let (s, d) = case_text(&mut rng, kind, utility);
                assert!(!s.is_empty() && !d.is_empty(), "{kind}/{utility}");
                assert!(!s.contains('{') && !d.contains('{'), "{kind}/{utility}: {s} {d}");
                subjects.insert(s);
            }
            assert!(subjects.len() >= 6, "{kind}/{utility}: {}", subjects.len());
        }
    }
}

#[test]
fn community_count_is_moderate() {
    let mut rng = DemoRng::new(3);
    let mut communities = HashSet::new();
    let mut townships = HashSet::new();
    for _ in 0..20_000 {
        let a = address(&mut rng);
        communities.insert(a.community);
        townships.insert(a.township);
    }
    assert!((60..=150).contains(&communities.len()), "{} communities", communities.len());
    assert_eq!(townships.len(), 8);
}

#[test]
fn roughly_two_thirds_urban() {
    let mut rng = DemoRng::new(5);
    let urban = (0..20_000).filter(|_| address(&mut rng).urban).count();
    assert!((11_000..=15_000).contains(&urban), "{urban} urban of 20000");
}

#[test]
fn floor_areas_in_range() {
    let mut rng = DemoRng::new(6);
    for _ in 0..5000 {
        let u = floor_area_m2(&mut rng, true);
        assert!((45..=180).contains(&u), "{u}");
        let r = floor_area_m2(&mut rng, false);
        assert!((80..=260).contains(&r), "{r}");
    }
}

#[test]
fn businesses_and_departments() {
    let mut rng = DemoRng::new(12);
    let names: HashSet<String> = (0..500).map(|_| business_name(&mut rng)).collect();
    assert!(names.len() > 100);
    assert!(names.iter().all(|n| !n.is_empty() && !n.contains('{')));
    let depts = departments();
    assert!((8..=12).contains(&depts.len()));
    let codes: HashSet<&str> = depts.iter().map(|d| d.code).collect();
    assert_eq!(codes.len(), depts.len());
    for d in depts {
        if let Some(u) = d.utility {
            assert!(UTILITIES.contains(&u), "{}", d.code);
        }
    }
}

#[test]
fn rng_helpers_behave() {
    let mut rng = DemoRng::new(1);
    assert!((0..1000).all(|_| rng.below(7) < 7));
    assert!((0..100).all(|_| !rng.chance(0)));
    assert!((0..100).all(|_| rng.chance(100)));
    let items = [1, 2, 3];
    let seen: HashSet<i32> = (0..100).map(|_| *rng.pick(&items)).collect();
    assert_eq!(seen.len(), 3);
}
