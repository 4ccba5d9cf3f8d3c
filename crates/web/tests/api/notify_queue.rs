//! Notification outbox scenarios: bulk queueing inside the caller's
//! transaction resolves each customer's channel and is deduplicated.

use crate::on_both;
use crate::support::TestApp;
use pledge_app::notify::notify_customers;
use pledge_domain::CustomerId;
use pledge_domain::model::{NotificationFilter, PageRequest};
use pledge_domain::notify::{ChannelKind, DeliveryState, Locale};
use pledge_store::repo::*;
use serde_json::json;

/// Three customers: one with a phone, one with only an e-mail address (in English), one with neither.
pub async fn three_customers(t: &TestApp) -> (CustomerId, CustomerId, CustomerId) {
    let with_phone = CustomerId(t.customer("100001", "张三", "13800000001").await);
    let with_email = CustomerId(t.customer("100002", "李四", "").await);
    let silent = CustomerId(t.customer("100003", "王五", "").await);
    let mut tx = t.store.begin().await.unwrap();
    tx.set_customer_contact(t.admin.staff.company_id, with_email, Some("li.si@example.test"), Some(Locale::En))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (with_phone, with_email, silent)
}

on_both! {
    async fn queueing_twice_queues_once_on_each_customers_channel(t) {
        let (a, b, c) = three_customers(&t).await;
        let company = t.admin.staff.company_id;
        let vars = json!({"utility": "gas", "kind": "planned", "area": "城关镇", "starts_at": "2026-10-08 09:00", "hotline": "0356-96000"});
        let now = t.app.now().as_microsecond();
        for expected in [3, 0] {
            let mut tx = t.store.begin().await.unwrap();
            let n = notify_customers(&mut tx, company, "outage.announced", "outage", 7, &[a, b, c, CustomerId(999_999)], &vars, now).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(n, expected, "the second call finds every customer already told");
        }
        // Another topic about the same outage is a different message.
        let mut tx = t.store.begin().await.unwrap();
        assert_eq!(notify_customers(&mut tx, company, "outage.restored", "outage", 7, &[a], &vars, now).await.unwrap(), 1);
        tx.commit().await.unwrap();

        let f = NotificationFilter { company_id: company, topic: Some("outage.announced".into()), ..Default::default() };
        let page = t.store.read().notifications(&f, PageRequest::new(None, None)).await.unwrap();
        assert_eq!(page.total, 3);
        let by_customer = |id| page.items.iter().find(|n| n.customer_id == Some(id)).unwrap();
        assert_eq!((by_customer(a).channel, by_customer(a).address.as_deref(), by_customer(a).locale), (ChannelKind::Sms, Some("13800000001"), Locale::Zh));
        assert_eq!((by_customer(b).channel, by_customer(b).address.as_deref(), by_customer(b).locale), (ChannelKind::Email, Some("li.si@example.test"), Locale::En));
        assert_eq!((by_customer(c).channel, by_customer(c).address.as_deref()), (ChannelKind::Log, None));
        assert!(page.items.iter().all(|n| n.state == DeliveryState::Queued && n.attempts == 0 && n.vars == vars));
    }

    async fn an_unknown_topic_is_refused_before_anything_is_queued(t) {
        let a = CustomerId(t.customer("100001", "张三", "13800000001").await);
        let mut tx = t.store.begin().await.unwrap();
        let r = notify_customers(&mut tx, t.admin.staff.company_id, "outage.exploded", "outage", 1, &[a], &json!({}), 0).await;
        assert!(r.is_err());
    }
}
