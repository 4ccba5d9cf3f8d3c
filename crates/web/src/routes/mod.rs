pub mod admin;
pub mod auth;
pub mod cases;
pub mod commitments;
pub mod customers;
pub mod ops;
pub mod registry;
pub mod notifications;
