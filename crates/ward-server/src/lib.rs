//! ward's HTTP server.
mod defectdojo;
mod error;
mod metrics;
