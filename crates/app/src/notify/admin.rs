//! What staff see of notifications: the delivery record (dead letters
//! included) for administrators, a retry of a dead letter, the delivery
//! summary of one subject (an outage page), and the contact details the
//! channels use.

use super::templates::locale_of;
use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::ids::*;
use pledge_domain::model::{DeliveryCount, NotificationFilter, NotificationRecord, Page, PageRequest};
use pledge_domain::{Permission, Phone};
use pledge_store::repo::*;

/// Contact details for notifications; None clears a value.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
}

/// A plausible e-mail address: one `@`, something either side, no spaces.
fn email(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let ok = raw.len() <= 254
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && matches!(raw.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@') && !d.starts_with('.') && !d.ends_with('.'));
    if ok {
        Ok(Some(raw.to_owned()))
    } else {
        Err(AppError::invalid("invalid_email", "email", "not an e-mail address"))
    }
}

fn locale(raw: Option<&str>) -> AppResult<Option<pledge_domain::notify::Locale>> {
    raw.map(str::trim).filter(|s| !s.is_empty()).map(locale_of).transpose()
}

impl App {
    /// The delivery record, newest first.
    pub async fn notifications(
        &self,
        actor: &Actor,
        mut filter: NotificationFilter,
        page: PageRequest,
    ) -> AppResult<Page<NotificationRecord>> {
        actor.require(Permission::AuditRead, "read the notification record")?;
        filter.company_id = actor.staff.company_id;
        let page = self.store().read().notifications(&filter, page).await?;
        // The list shows customers' phone numbers and e-mail addresses: an access to personal data.
        let mut customers: Vec<CustomerId> = page.items.iter().filter_map(|n| n.customer_id).collect();
        customers.sort_unstable();
        customers.dedup();
        if !customers.is_empty() {
            self.log_access(actor, "customer", customers.iter().map(|c| c.get()).collect(), "list").await?;
        }
        Ok(page)
    }

    /// Sends a dead (or waiting) notification again now, with fresh attempts.
    #[tracing::instrument(skip(self, actor))]
    pub async fn retry_notification(&self, actor: &Actor, id: NotificationId) -> AppResult<NotificationRecord> {
        actor.require(Permission::RegistryWrite, "retry notifications")?;
        let (company, now) = (actor.staff.company_id, self.now().as_microsecond());
        let current = self.store().read().notification(company, id).await?;
        if !matches!(
            current.state,
            pledge_domain::notify::DeliveryState::Dead | pledge_domain::notify::DeliveryState::Retrying
        ) {
            return Err(AppError::conflict(
                "notification_not_retryable",
                format!("the notification is {}; only dead or retrying ones can be retried", current.state.code()),
            ));
        }
        self.writer.write(async move |tx| Ok(tx.requeue_notification(company, id, now).await?)).await
    }

    /// Counts by state and channel of the notifications about one subject.
    pub async fn delivery_summary(
        &self,
        actor: &Actor,
        subject: &str,
        subject_id: i64,
    ) -> AppResult<Vec<DeliveryCount>> {
        actor.require(Permission::CaseRead, "read delivery status")?;
        Ok(self.store().read().delivery_counts(actor.staff.company_id, subject, subject_id).await?)
    }

    /// Sets a customer's e-mail address and language for notifications.
    #[tracing::instrument(skip(self, actor, input))]
    pub async fn set_customer_contact(
        &self,
        actor: &Actor,
        customer_id: CustomerId,
        input: ContactInput,
    ) -> AppResult<()> {
        actor.require(Permission::CustomerWrite, "change customers")?;
        let (email, locale, company) =
            (email(input.email.as_deref())?, locale(input.locale.as_deref())?, actor.staff.company_id);
        self.writer
            .write(async move |tx| Ok(tx.set_customer_contact(company, customer_id, email.as_deref(), locale).await?))
            .await
    }

    /// Sets a staff member's phone, e-mail address and language for escalations.
    #[tracing::instrument(skip(self, actor, input))]
    pub async fn set_staff_contact(&self, actor: &Actor, staff_id: StaffId, input: ContactInput) -> AppResult<()> {
        actor.require(Permission::StaffManage, "manage staff")?;
        let phone = match input.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => Some(
                Phone::parse(p)
                    .map_err(|e| AppError::invalid("invalid_phone", "phone", e.to_string()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let (email, locale, company) =
            (email(input.email.as_deref())?, locale(input.locale.as_deref())?, actor.staff.company_id);
        self.writer
            .write(async move |tx| {
                Ok(tx.set_staff_contact(company, staff_id, phone.as_deref(), email.as_deref(), locale).await?)
            })
            .await
    }

    /// Names (or clears) the head of a department, who receives its escalations.
    #[tracing::instrument(skip(self, actor))]
    pub async fn set_department_head(
        &self,
        actor: &Actor,
        department_id: DepartmentId,
        head: Option<StaffId>,
    ) -> AppResult<()> {
        actor.require(Permission::RegistryWrite, "change departments")?;
        let company = actor.staff.company_id;
        self.writer.write(async move |tx| Ok(tx.set_department_head(company, department_id, head).await?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::email;

    #[test]
    fn email_addresses_are_checked_loosely() {
        assert_eq!(email(Some(" a.b@example.test ")).unwrap().as_deref(), Some("a.b@example.test"));
        assert_eq!(email(Some("")).unwrap(), None);
        for bad in ["a@b", "@example.test", "a b@example.test", "a@@example.test", "a@example.test.", "<a@x.y>"] {
            assert!(email(Some(bad)).is_err(), "{bad}");
        }
    }
}
