//! Typed ids: one newtype per kind of stored row, so a case id cannot be
//! passed where a customer id is meant. Each is the row's `i64` key, shown and
//! serialised as the bare number.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The bare key.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// A case.
    CaseId;
    /// A customer account.
    CustomerId;
    /// A staff member.
    StaffId;
    /// A company (tenant).
    CompanyId;
    /// A department of a company.
    DepartmentId;
    /// A planned or unplanned outage.
    OutageId;
    /// A suspected outage (grouped trouble calls).
    SuspectId;
    /// A work order raised on a case.
    WorkOrderId;
    /// A queued notification.
    NotificationId;
    /// A node of the supply network.
    NodeId;
    /// A premises (an address customers are supplied at).
    PremisesId;
    /// A commitment clock.
    ClockId;
    /// A ledger event (its sequence number).
    EventId;
    /// A request to extend a clock's deadline.
    ExtensionRequestId;
    /// One copy of a transferred complaint's form.
    DistributionId;
    /// A durable job.
    JobId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_and_serialise_as_the_bare_number() {
        let id = CaseId::from(42);
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<CustomerId>("7").unwrap(), CustomerId(7));
        assert_eq!(i64::from(StaffId(3)), 3);
    }
}
