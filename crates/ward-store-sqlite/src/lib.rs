//! The sqlite backend of ward-store (being written).
