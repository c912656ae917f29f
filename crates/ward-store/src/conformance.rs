//! The behaviour tests every backend runs (being written).
