//! Whole-mesh tests: the mesh as `aval dev` starts it, called over real sockets.

mod analysis;
mod analysis_lifecycle;
mod analysis_natural_person;
mod analysis_policies;
mod analysis_waiting;
mod claro;
mod consumer_rights;
mod custom_models;
mod errors;
mod helpers;
mod internal_grpc;
mod metering;
mod migrations;
mod readiness;
mod score_outcomes;
