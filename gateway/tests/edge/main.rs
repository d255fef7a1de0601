//! The gateway's edge behaviour (headers, envelopes, status mapping, rendering) through its
//! real router, with in-process fakes for the upstream services.

mod fakes;
mod helpers;

mod analysis;
mod bearer;
mod errors;
mod health;
mod https;
mod metadata;
mod request_id;
mod routing;
mod score;
mod token;
mod usage;
