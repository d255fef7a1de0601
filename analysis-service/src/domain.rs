//! Business rules of legal-person analysis: the validated proposal, the policy, the decision.
//!
//! Pure logic, no I/O. The flow is `proposal` (built valid by `api`) → `features` (the only
//! values a policy may read) → `policy` (thresholds and scorecard, as data) → `decision`,
//! delivered and kept as an `analysis`.

pub mod analysis;
pub mod decision;
pub mod dry_run;
pub mod exact;
pub mod features;
pub mod lifecycle;
pub mod policy;
pub mod proposal;
pub mod term;
