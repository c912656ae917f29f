//! ward-notify's integration tests: every channel against real receivers on 127.0.0.1 (an
//! axum HTTP server, an aiosmtpd SMTP sink), what they receive compared with the snapshots in
//! `tests/snapshots/`, and git-host webhooks from the providers' documentation.
//!
//! `WARD_UPDATE_SNAPSHOTS=1 cargo test -p ward-notify` rewrites the snapshots; review the diff.

mod channels;
mod email;
mod hooks;
mod support;
