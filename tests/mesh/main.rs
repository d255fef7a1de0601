//! Whole-mesh tests: the mesh as `aval dev` starts it, called over real sockets.

mod helpers;
mod readiness;
