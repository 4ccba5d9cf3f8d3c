pub mod auth;
pub mod cases;
pub mod customers;
pub mod ops;
pub mod registry;
