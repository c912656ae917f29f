//! The server's HTTP tests: every route driven in process through `router(..).oneshot(..)` on
//! SQLite (and PostgreSQL when `WARD_TEST_POSTGRES_URL` is set), a few over a real listener.

mod common;

mod api;
mod auth;
mod concurrency;
mod defectdojo;
mod health;
mod hooks;
mod notify;
mod private_git;
mod products;
mod scans;
mod ui;
