//! When to try a failed delivery again: exponential backoff with jitter, so
//! a gateway that comes back is not hit by every waiting message at once.

use std::time::Duration;

/// The delay before attempt `attempts + 1`, after `attempts` failures:
/// `base · 2^(attempts-1)`, capped at `max`, then drawn uniformly from its
/// upper half (`unit` in [0, 1) supplies the randomness).
pub fn delay(attempts: u32, base: Duration, max: Duration, unit: f64) -> Duration {
    let exp = attempts.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << exp).min(max);
    let half = full / 2;
    half + half.mul_f64(unit.clamp(0.0, 1.0))
}

/// A random number in [0, 1).
pub fn unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_stay_in_the_upper_half() {
        let (base, max) = (Duration::from_secs(30), Duration::from_secs(3600));
        assert_eq!(delay(1, base, max, 1.0), Duration::from_secs(30));
        assert_eq!(delay(1, base, max, 0.0), Duration::from_secs(15));
        assert_eq!(delay(3, base, max, 1.0), Duration::from_secs(120));
        assert_eq!(delay(20, base, max, 1.0), max);
        for _ in 0..100 {
            let d = delay(2, base, max, unit());
            assert!(d >= Duration::from_secs(30) && d <= Duration::from_secs(60), "{d:?}");
        }
    }
}
