//! DefectDojo-compatible import API.
pub mod form;
pub mod reply;
