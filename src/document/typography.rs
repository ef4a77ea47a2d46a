//! Language-aware typography.
