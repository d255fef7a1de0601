//! billing-service's rules: what is billable and when a tenant's plan allows another answer.

pub mod quota;
pub mod usage;
