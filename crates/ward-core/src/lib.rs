//! The normalized finding model of ward.
//!
//! Every scanner report, whatever its format, is turned into [`Finding`]s. This crate holds that
//! model and the pure logic on it: severity and category vocabularies, identifiers, locations,
//! secret masking and the deduplication [`fingerprint`]. It performs no I/O.
#![warn(missing_docs)]

mod finding;
pub mod fingerprint;
mod identifier;
mod location;
mod report;
mod secret;
mod severity;

pub use finding::{Cvss, CvssVersion, Epss, Finding, Status};
pub use identifier::{Identifier, IdentifierKind};
pub use location::{
    CloudLocation, FileLocation, ImageLocation, Location, PackageLocation, WebLocation,
};
pub use report::{Report, Source};
pub use secret::{mask, Secret};
pub use severity::{Category, Confidence, Severity};
