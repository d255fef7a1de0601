//! The Aval benchmark harness: a closed-loop and an open-loop load generator (HDR latency
//! histograms), the scenarios that exercise the mesh, the baselines they are compared with (a
//! bare tonic echo with and without mTLS, a bare axum route), all measured in the same run.

pub mod cpu;
pub mod import;
pub mod load;
pub mod report;
pub mod scenarios;
pub mod serve;
