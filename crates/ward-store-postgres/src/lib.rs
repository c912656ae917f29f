//! The postgres backend of ward-store (being written).
