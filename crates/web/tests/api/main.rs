//! API scenarios, each run on SQLite and on PostgreSQL.

mod support;

mod admin;
mod auth;
mod case_notices;
mod cases;
mod clock_life;
mod commitments;
mod console;
mod demo;
mod errors;
mod ledger;
mod notify_delivery;
mod notify_queue;
mod notify_support;
mod openapi;
mod outage_changes;
mod outage_clock_life;
mod outage_console;
mod outage_feeds;
mod outage_rules;
mod outages;
mod registry;
mod routing_settings;
mod work_orders;
mod writer;
