//! The commitment engine: the policy and calendar clocks are computed with.

use pledge_domain::calendar::WorkingCalendar;
use pledge_domain::commitment::Policy;

/// The policy and calendar clocks are computed with.
#[derive(Debug)]
pub struct Engine {
    pub policy: Policy,
    pub calendar: WorkingCalendar,
}

impl Engine {
    /// The shipped default policy on China's statutory calendar.
    pub fn shipped() -> Engine {
        Engine { policy: Policy::shipped(), calendar: WorkingCalendar::china_default() }
    }
}
