//! JSON bodies of the REST API and their mapping to and from protobuf.

pub mod analysis;
pub mod days;
pub mod names;
pub mod outcome;
