//! One module per subcommand.

pub(crate) mod admin;
pub(crate) mod convert;
pub(crate) mod db;
pub(crate) mod formats;
pub(crate) mod gate;
pub(crate) mod import;
pub(crate) mod sbom;
pub(crate) mod scan;
pub(crate) mod serve;
pub(crate) mod upload;
pub(crate) mod worker;
