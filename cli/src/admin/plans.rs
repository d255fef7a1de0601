//! `aval admin plans subscribe`: puts a tenant on a plan in billing-service, which then lets
//! its answers through until the plan's limit or end.

use super::{
    Outcome, args::PlansCommand, connect::ServiceConnection, output::Record, status::rpc_error,
};
use aval_proto::billing::v1::{
    SubscribeRequest, Subscription, billing_service_client::BillingServiceClient,
};

pub async fn run(billing: &ServiceConnection, command: PlansCommand) -> anyhow::Result<Outcome> {
    let PlansCommand::Subscribe {
        tenant,
        plan_id,
        output,
    } = command;
    let what = format!("subscribing tenant {tenant} to plan {plan_id}");
    let subscription = BillingServiceClient::new(billing.channel()?)
        .subscribe(SubscribeRequest {
            tenant_id: tenant,
            plan_id,
            starts_at: None,
        })
        .await
        .map_err(|s| rpc_error(&what, billing, &s))?
        .into_inner();
    println!("{}", record(&subscription).render(output.format));
    Ok(Outcome::Done)
}

fn record(subscription: &Subscription) -> Record {
    Record::default()
        .text("tenant_id", "TENANT", &subscription.tenant_id)
        .text("plan_id", "PLAN", &subscription.plan_id)
        .time("starts_at", "STARTS", subscription.starts_at.as_ref())
        .time("ends_at", "ENDS", subscription.ends_at.as_ref())
        .number("answer_limit", "ANSWER LIMIT", subscription.answer_limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::output::OutputFormat;

    #[test]
    fn a_subscription_shows_its_plan_period_and_limit() {
        let at = |seconds| Some(prost_types::Timestamp { seconds, nanos: 0 });
        let subscription = Subscription {
            tenant_id: "acme".into(),
            plan_id: "trial".into(),
            starts_at: at(1_795_000_000),
            ends_at: at(1_802_776_000),
            answer_limit: 1000,
        };
        assert_eq!(
            record(&subscription).render(OutputFormat::Table),
            "TENANT  PLAN   STARTS                   ENDS                     ANSWER LIMIT\n\
             acme    trial  2026-11-18 11:06:40 UTC  2027-02-16 11:06:40 UTC  1000"
        );
        assert_eq!(
            record(&subscription).render(OutputFormat::Json),
            r#"{"tenant_id":"acme","plan_id":"trial","starts_at":"2026-11-18T11:06:40Z","ends_at":"2027-02-16T11:06:40Z","answer_limit":1000}"#
        );
    }
}
