//! The `aval` command's library: the whole mesh in one process (`aval dev`), used by the binary
//! and by the whole-mesh tests.

pub mod admin;
pub mod demo;
pub mod dev;
