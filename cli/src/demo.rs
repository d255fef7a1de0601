//! The demo data `aval dev` loads: a tenant, a client, a plan, and one consumer per risk level
//! (plus the people of the QI Tech proposal example), so every API can be tried at once.

use crate::admin::{ALL_SCOPES, ClientCredentials, MeshAdmin};
use aval_credit::Cpf;
use aval_proto::score::v1::ConsumerProfile;

pub const TENANT: &str = "demo";
pub const CLIENT: &str = "demo-client";
pub const CUSTOMER_ID: &str = "demo-customer";
pub const MODEL: &str = "aval-default";
/// The plan the demo tenant is (re)subscribed to at each start.
pub const PLAN: &str = "pay_per_use";

/// A demo consumer: its risk level name, CPF and behaviour.
pub struct DemoConsumer {
    pub level: &'static str,
    pub cpf: &'static str,
    profile: fn(String) -> ConsumerProfile,
}

fn profile(
    document: String,
    ratio: f64,
    late: i32,
    months: i32,
    spend: i64,
    lines: i32,
    bank: bool,
) -> ConsumerProfile {
    ConsumerProfile {
        document,
        months_as_customer: months,
        on_time_payment_ratio: ratio,
        late_payments_12m: late,
        average_monthly_spend_cents: spend,
        active_lines: lines,
        has_bank_account: bank,
    }
}

/// One consumer per risk level of the default scorecard (scores 940, 680, 550, 400, 220),
/// the QI legal-person example's shareholder (very low risk) and guarantor (low risk), and
/// the QI natural-person example's applicant (low risk).
pub const CONSUMERS: [DemoConsumer; 8] = [
    DemoConsumer {
        level: "VERY_LOW",
        cpf: "52998224725",
        profile: |d| profile(d, 0.99, 0, 120, 150_000, 3, true),
    },
    DemoConsumer {
        level: "LOW",
        cpf: "11144477735",
        profile: |d| profile(d, 0.80, 2, 30, 30_000, 1, true),
    },
    DemoConsumer {
        level: "MEDIUM",
        cpf: "39053344705",
        profile: |d| profile(d, 0.80, 4, 12, 15_000, 1, true),
    },
    DemoConsumer {
        level: "HIGH",
        cpf: "86288366757",
        profile: |d| profile(d, 0.50, 4, 12, 15_000, 1, false),
    },
    DemoConsumer {
        level: "VERY_HIGH",
        cpf: "71428793860",
        profile: |d| profile(d, 0.30, 9, 2, 1_000, 0, false),
    },
    DemoConsumer {
        level: "QI_SHAREHOLDER",
        cpf: "26102646231",
        profile: |d| profile(d, 0.99, 0, 120, 150_000, 3, true),
    },
    DemoConsumer {
        level: "QI_GUARANTOR",
        cpf: "67749884661",
        profile: |d| profile(d, 0.80, 2, 30, 30_000, 1, true),
    },
    DemoConsumer {
        level: "QI_APPLICANT",
        cpf: "19920891592",
        profile: |d| profile(d, 0.80, 2, 30, 30_000, 1, true),
    },
];

/// A valid CPF the demo data has nothing about (to see a 404).
pub const UNKNOWN_CPF: &str = "12345678909";

pub struct DemoData {
    pub credentials: ClientCredentials,
}

/// Loads the demo data; the demo client gets a fresh secret each time.
pub async fn seed(admin: &mut MeshAdmin) -> anyhow::Result<DemoData> {
    admin.ensure_tenant(TENANT, "Demo Lender").await?;
    let credentials = admin
        .client_with_new_secret(TENANT, CLIENT, &ALL_SCOPES)
        .await?;
    admin.subscribe(TENANT, PLAN, None).await?;
    let profiles = CONSUMERS
        .iter()
        .map(|c| Cpf::parse(c.cpf).map(|cpf| (c.profile)(cpf.digits().to_owned())))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("demo CPF: {e}"))?;
    admin.upsert_profiles(None, profiles).await?;
    Ok(DemoData { credentials })
}

/// `KEY=value` lines describing the demo data, for dev.env.
pub fn env_lines(demo: &DemoData) -> Vec<String> {
    let mut lines = vec![
        format!("AVAL_DEMO_TENANT_ID={}", demo.credentials.tenant_id),
        format!("AVAL_DEMO_CLIENT_ID={}", demo.credentials.client_id),
        format!("AVAL_DEMO_CLIENT_SECRET={}", demo.credentials.client_secret),
        format!("AVAL_DEMO_CUSTOMER_ID={CUSTOMER_ID}"),
        format!("AVAL_DEMO_MODEL={MODEL}"),
    ];
    for consumer in CONSUMERS.iter().take(5) {
        lines.push(format!("AVAL_DEMO_CPF_{}={}", consumer.level, consumer.cpf));
    }
    lines.push(format!("AVAL_DEMO_CPF_UNKNOWN={UNKNOWN_CPF}"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_cpf_is_valid() {
        for consumer in &CONSUMERS {
            assert!(Cpf::parse(consumer.cpf).is_ok(), "{}", consumer.level);
        }
        assert!(Cpf::parse(UNKNOWN_CPF).is_ok());
    }
}
