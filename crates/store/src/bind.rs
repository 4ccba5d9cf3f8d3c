//! Binding typed ids as statement parameters. `sea_orm::Value` cannot get a
//! `From<CaseId>` impl in this crate (both are foreign: the orphan rule), so
//! an id, or a nullable one, binds through [`Bind::bind`] as its bare key.

use pledge_domain::ids::*;
use sea_orm::Value;

/// A typed id as a statement parameter.
pub(crate) trait Bind {
    fn bind(self) -> Value;
}

macro_rules! bind_ids {
    ($($id:ty),* $(,)?) => {$(
        impl Bind for $id {
            fn bind(self) -> Value {
                Value::from(self.get())
            }
        }

        impl Bind for Option<$id> {
            fn bind(self) -> Value {
                Value::from(self.map(<$id>::get))
            }
        }
    )*};
}

bind_ids!(
    CaseId,
    CustomerId,
    StaffId,
    CompanyId,
    DepartmentId,
    OutageId,
    SuspectId,
    WorkOrderId,
    NotificationId,
    NodeId,
    PremisesId,
    ClockId,
    EventId,
    ExtensionRequestId,
    DistributionId,
    JobId,
);
