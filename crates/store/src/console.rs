//! What the staff console's reads share: the deadline (strictest running clock) of a
//! case (read by [`crate::repo::CaseReads::case_deadlines`]) and the helpers
//! of the customer search as a clerk types
//! ([`crate::repo::CustomerReads::search_customers`]).

/// The smallest digit string above every string starting with `digits`
/// ("139" → "14", "1299" → "13"); None for all nines.
pub(crate) fn digits_after(digits: &str) -> Option<String> {
    let mut b = digits.as_bytes().to_vec();
    while let Some(last) = b.pop() {
        if last < b'9' {
            b.push(last + 1);
            return String::from_utf8(b).ok();
        }
    }
    None
}

pub(crate) fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_upper_bound_of_a_digit_prefix() {
        assert_eq!(super::digits_after("139").as_deref(), Some("14"));
        assert_eq!(super::digits_after("1299").as_deref(), Some("13"));
        assert_eq!(super::digits_after("10").as_deref(), Some("11"));
        assert_eq!(super::digits_after("99"), None);
    }
}
