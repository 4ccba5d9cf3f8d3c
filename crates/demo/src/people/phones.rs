//! Telephone numbers: mainland mobiles with real carrier prefixes, and landlines.

use super::org::AREA_CODE;
use super::rng::DemoRng;

/// Mainland mobile prefixes, weighted roughly by how common they are.
pub(super) const MOBILE_PREFIXES: &[(&str, u32)] = &[
    ("130", 3),
    ("131", 3),
    ("132", 3),
    ("133", 3),
    ("134", 3),
    ("135", 4),
    ("136", 4),
    ("137", 4),
    ("138", 4),
    ("139", 4),
    ("145", 1),
    ("147", 1),
    ("150", 3),
    ("151", 3),
    ("152", 3),
    ("153", 3),
    ("155", 3),
    ("156", 3),
    ("157", 2),
    ("158", 3),
    ("159", 3),
    ("166", 2),
    ("170", 1),
    ("171", 1),
    ("172", 1),
    ("173", 1),
    ("175", 1),
    ("176", 1),
    ("177", 1),
    ("178", 1),
    ("180", 3),
    ("181", 3),
    ("182", 3),
    ("183", 3),
    ("184", 1),
    ("185", 3),
    ("186", 3),
    ("187", 3),
    ("188", 3),
    ("189", 3),
    ("191", 2),
    ("198", 2),
    ("199", 2),
];

pub(super) fn push_digits(rng: &mut DemoRng, out: &mut String, count: usize) {
    for _ in 0..count {
        out.push(char::from(b'0' + rng.below(10) as u8));
    }
}

/// Valid-looking mainland mobile number: 11 digits with a real carrier prefix.
pub fn mobile_phone(rng: &mut DemoRng) -> String {
    let mut s = String::with_capacity(11);
    s.push_str(*rng.weighted(MOBILE_PREFIXES));
    push_digits(rng, &mut s, 8);
    s
}

/// Other area codes (with local-number length) for callers outside the county.
const OTHER_AREA_CODES: &[(&str, usize)] =
    &[("010", 8), ("022", 8), ("0311", 8), ("0351", 8), ("0371", 8), ("0531", 8), ("0891", 7), ("0970", 7)];

/// Landline such as "0356-8xxxxxxx": mostly the county's own area code.
pub fn landline(rng: &mut DemoRng) -> String {
    let (code, len) = if rng.chance(85) { (AREA_CODE, 8) } else { *rng.pick(OTHER_AREA_CODES) };
    let mut s = String::from(code);
    s.push('-');
    s.push(*rng.weighted(&[('8', 6u32), ('6', 3), ('5', 2), ('3', 1)]));
    push_digits(rng, &mut s, len - 1);
    s
}
