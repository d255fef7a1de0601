//! `aval admin replay ANSWER_ID`: recomputes a delivered score answer from its stored inputs
//! with its model version, and says whether it comes out the same.

use super::{Outcome, connect::ServiceConnection, status::rpc_error, table};
use aval_proto::score::v1::{
    GetScoreResponse, ReplayAnswerRequest, ReplayAnswerResponse, RiskBand,
    score_service_client::ScoreServiceClient,
};

pub async fn run(score: &ServiceConnection, answer_id: &str) -> anyhow::Result<Outcome> {
    let answer = ScoreServiceClient::new(score.channel()?)
        .replay_answer(ReplayAnswerRequest {
            answer_id: answer_id.to_owned(),
        })
        .await
        .map_err(|s| rpc_error("replaying the answer", score, &s))?
        .into_inner();
    println!("{}", describe(answer_id, &answer));
    Ok(if answer.identical {
        Outcome::Done
    } else {
        Outcome::NotClean
    })
}

fn band_name(band: i32) -> &'static str {
    match RiskBand::try_from(band) {
        Ok(RiskBand::VeryLow) => "VERY_LOW",
        Ok(RiskBand::Low) => "LOW",
        Ok(RiskBand::Medium) => "MEDIUM",
        Ok(RiskBand::High) => "HIGH",
        Ok(RiskBand::VeryHigh) => "VERY_HIGH",
        _ => "?",
    }
}

/// `score 680 (LOW, probability of default 4.20 %), model credit-v1 version 2, scored at …`.
fn summary(answer: &GetScoreResponse) -> String {
    format!(
        "score {} ({}, probability of default {:.2} %), model {} version {}, scored at {}",
        answer.score,
        band_name(answer.band),
        answer.probability_of_default * 100.0,
        answer.model_id,
        answer.model_version,
        table::timestamp(answer.scored_at.as_ref()),
    )
}

fn describe(answer_id: &str, replay: &ReplayAnswerResponse) -> String {
    let delivered = replay
        .delivered
        .as_ref()
        .map_or_else(|| "no delivered answer".to_owned(), summary);
    if replay.identical {
        return format!(
            "identical: answer {answer_id} of tenant {}: {delivered}",
            replay.tenant_id
        );
    }
    let mut text = format!(
        "differs: answer {answer_id} of tenant {}\n  delivered: {delivered}",
        replay.tenant_id
    );
    if let Some(replayed) = &replay.replayed {
        text.push_str(&format!("\n  replayed:  {}", summary(replayed)));
    }
    if replay.differences.is_empty() {
        text.push_str("\n  (score-service listed no differing field)");
    }
    for difference in &replay.differences {
        text.push_str(&format!("\n  {difference}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(score: i32) -> GetScoreResponse {
        GetScoreResponse {
            score,
            probability_of_default: 0.042,
            band: RiskBand::Low.into(),
            reasons: Vec::new(),
            model_id: "credit-v1".into(),
            model_version: 2,
            scored_at: Some(prost_types::Timestamp {
                seconds: 1_795_000_000,
                nanos: 0,
            }),
            answer_id: "a1".into(),
        }
    }

    #[test]
    fn an_identical_replay_shows_the_answer() {
        let replay = ReplayAnswerResponse {
            delivered: Some(answer(680)),
            replayed: Some(answer(680)),
            identical: true,
            differences: Vec::new(),
            tenant_id: "acme".into(),
        };
        assert_eq!(
            describe("a1", &replay),
            "identical: answer a1 of tenant acme: score 680 (LOW, probability of default 4.20 %), \
             model credit-v1 version 2, scored at 2026-11-18 11:06:40 UTC"
        );
    }

    #[test]
    fn a_differing_replay_lists_each_difference() {
        let replay = ReplayAnswerResponse {
            delivered: Some(answer(680)),
            replayed: Some(answer(690)),
            identical: false,
            differences: vec!["score: 680 -> 690".into()],
            tenant_id: "acme".into(),
        };
        let text = describe("a1", &replay);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "differs: answer a1 of tenant acme");
        assert!(lines[1].starts_with("  delivered: score 680"));
        assert!(lines[2].starts_with("  replayed:  score 690"));
        assert_eq!(lines[3], "  score: 680 -> 690");
    }
}
