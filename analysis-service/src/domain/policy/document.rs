//! A policy document's shape, exactly as its JSON reads. Only `check` decides whether a
//! parsed document is a policy; nothing else builds one.

use super::Outcome;
use crate::domain::features::{Feature, FeatureValues};
use crate::domain::proposal::ProposalKind;
use aval_credit::ScoreScale;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Document {
    pub id: String,
    pub version: u32,
    #[serde(default)]
    pub description: String,
    /// The proposals it decides; a document without one decides companies' (as every
    /// document did before persons' proposals existed).
    #[serde(default = "legal_person")]
    pub kind: ProposalKind,
    /// Every feature the policy reads, each of `kind`'s; anything else is refused at load.
    pub features: Vec<Feature>,
    /// The rules as one decision table; a policy gives either this or the three lists below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_table: Option<DecisionTable>,
    /// The reason given when no rule fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<Reason>,
    /// Checked first: the first that fires reproves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reprove_when: Vec<Rule>,
    /// Then these: the first that fires sends the proposal to a person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_when: Vec<Rule>,
    pub scorecard: Scorecard,
    pub credit_limit: CreditLimit,
}

fn legal_person() -> ProposalKind {
    ProposalKind::LegalPerson
}

/// A stable snake_case code and a short text a person can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reason {
    pub code: String,
    pub description: String,
}

/// Fires when `when` holds, unless `unless` also holds (a row of the `collect` table the lists
/// mean).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rule {
    pub reason: Reason,
    pub when: Condition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<Condition>,
}

/// Rules over features, each with the outcome and the reason it gives when it fires.
///
/// - `first`: the first rule that fires decides, alone;
/// - `collect`: every rule that fires counts, the most severe outcome decides (reprove over
///   review over approve), its first rule gives the reason, and every fired rule is listed.
///
/// When none fires, `default` decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionTable {
    pub hit_policy: HitPolicy,
    pub rules: Vec<TableRule>,
    pub default: TableDefault,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum HitPolicy {
    First,
    Collect,
}

/// A row of a decision table: fires when every `when` condition holds, unless every `unless`
/// condition holds too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TableRule {
    pub when: Conditions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<Conditions>,
    pub outcome: Outcome,
    pub reason: Reason,
}

impl TableRule {
    pub fn fires(&self, features: &FeatureValues) -> bool {
        self.when.hold(features) && !self.unless.as_ref().is_some_and(|c| c.hold(features))
    }
}

/// What a table decides when no rule fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TableDefault {
    pub outcome: Outcome,
    pub reason: Reason,
}

/// One condition, or several that must all hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Conditions {
    One(Condition),
    All(Vec<Condition>),
}

impl Conditions {
    pub fn hold(&self, features: &FeatureValues) -> bool {
        self.each().iter().all(|c| c.holds(features))
    }

    pub fn each(&self) -> &[Condition] {
        match self {
            Self::One(condition) => std::slice::from_ref(condition),
            Self::All(conditions) => conditions,
        }
    }
}

/// `feature op value`. A missing feature satisfies no condition: each policy says what
/// missing data means with a rule of its own (e.g. `unknown_partners > 0`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Condition {
    pub feature: Feature,
    pub op: Op,
    pub value: f64,
}

impl Condition {
    pub fn holds(&self, features: &FeatureValues) -> bool {
        features
            .get(self.feature)
            .is_some_and(|actual| match self.op {
                Op::Lt => actual < self.value,
                Op::Le => actual <= self.value,
                Op::Gt => actual > self.value,
                Op::Ge => actual >= self.value,
                Op::Eq => actual == self.value,
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// Points per feature, summed onto `base_points` and read on `scale`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Scorecard {
    #[serde(default)]
    pub scale: ScoreScale,
    pub base_points: i32,
    pub characteristics: Vec<Characteristic>,
}

/// One feature's bins, in ascending order of their bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Characteristic {
    pub feature: Feature,
    /// What a missing value earns.
    pub missing: Award,
    pub bins: Vec<Bin>,
}

/// Values below `below` (and not in an earlier bin) earn these points; the last bin has no
/// bound and takes the rest. `reason` is required unless this is the feature's best bin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Bin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    pub points: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Points, and the reason they fall short of the feature's best bin (required unless this
/// is the best).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Award {
    pub points: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// How much to lend when the policy does not refuse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreditLimit {
    /// Months of revenue the company may borrow, or of income the person may (also
    /// spelled `income_multiple`).
    #[serde(alias = "income_multiple")]
    pub revenue_multiple: f64,
    /// Share of the warrants' forced-sale value added on top.
    pub warrant_advance_rate: f64,
}
