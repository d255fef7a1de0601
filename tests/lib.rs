//! Whole-mesh tests live in `mesh/`.
