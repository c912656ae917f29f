//! Notifications and git-host triggers for ward's server, without storage.
//!
//! - [`Event`]: what happened (`scan.completed`, `gate.failed`, …) with product, engagement,
//!   counts by severity, top findings and a link. Its JSON is the generic webhook's body.
//! - [`routing`]: rules choosing the channels for an event by kind, product glob, engagement
//!   glob and minimum severity; pure functions.
//! - [`channels`]: one module per channel (Slack, Rocket.Chat, Teams, generic webhook, email),
//!   each implementing [`Channel`], built from a [`ChannelConfig`].
//! - [`delivery`]: the [`Channel`] trait, [`DeliveryError`] (retry or not) and [`backoff`], which
//!   the outbox uses to schedule retries.
//! - [`hooks`]: GitLab and GitHub webhook verification and parsing into a [`hooks::Trigger`].
//! - [`glob`]: `/`-aware name patterns shared by routing and hooks.
//!
//! Storing events, the outbox, and HTTP routes live in the store and server crates.
#![warn(missing_docs)]

pub mod channels;
pub mod delivery;
mod event;
pub mod glob;
pub mod hooks;
mod http;
mod render;
pub mod routing;

pub use channels::ChannelConfig;
pub use delivery::{backoff, Backoff, Channel, DeliveryError};
pub use event::{Event, EventDetail, EventKind, FindingSummary, SeverityCounts};
pub use http::{HttpClient, HttpClientError};
