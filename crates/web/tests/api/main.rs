//! API scenarios, each run on SQLite and on PostgreSQL.

mod support;

mod admin;
mod auth;
mod cases;
mod commitments;
mod demo;
mod errors;
mod ledger;
mod openapi;
mod registry;
mod work_orders;
mod notify_queue;
mod outages;
mod outage_feeds;
mod notify_support;
mod notify_delivery;
mod console;
mod outage_console;
