//! score-service's rules: the consumer's behavioural profile and the scorecard that turns it
//! into a 0..1000 score, a probability of default, a band and the reasons behind it.

pub mod band;
pub mod profile;
pub mod scorecard;
