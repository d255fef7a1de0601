//! The analysis policy, as data: which features it reads, the thresholds that reprove or send
//! a proposal to a person, the scorecard behind the company score, and the credit limit.
//!
//! A policy is a JSON document with an `id` and a `version` (so every decision names the
//! policy that made it), loaded only through [`Policy::from_json`], which refuses one that
//! reads a protected attribute (Lei 12.414/2011 art. 7-A), reads a feature it did not declare,
//! or is otherwise unusable. Each policy decides one kind of proposal (a company's or a
//! person's). The defaults, `policy/default_policy.json` and
//! `policy/default_natural_person_policy.json`, are embedded.

mod check;
mod document;
mod scorecard;
#[cfg(test)]
mod tests;

pub use scorecard::Scored;

use super::features::{Feature, FeatureValues};
use super::proposal::ProposalKind;
use document::{DecisionTable, Document, HitPolicy, TableDefault, TableRule};
use serde::{Deserialize, Serialize};

const DEFAULT_POLICY_JSON: &str = include_str!("policy/default_policy.json");
const DEFAULT_NATURAL_PERSON_POLICY_JSON: &str =
    include_str!("policy/default_natural_person_policy.json");
/// The id of Aval's default legal-person policy (what a tenant decides companies' proposals
/// with until it activates its own).
pub const DEFAULT_POLICY_ID: &str = "aval-default-lp";
/// The id of Aval's default natural-person policy.
pub const DEFAULT_NATURAL_PERSON_POLICY_ID: &str = "aval-default-np";

/// The `collect` table that a document's `reprove_when` and `review_when` lists mean: reprove
/// rules, then review rules, approve (with `approved`'s reason) when none fires.
fn lists_as_table(doc: &Document) -> DecisionTable {
    let rows = |rules: &[document::Rule], outcome: Outcome| -> Vec<TableRule> {
        rules
            .iter()
            .map(|rule| TableRule {
                when: document::Conditions::One(rule.when.clone()),
                unless: rule.unless.clone().map(document::Conditions::One),
                outcome,
                reason: rule.reason.clone(),
            })
            .collect()
    };
    DecisionTable {
        hit_policy: HitPolicy::Collect,
        rules: [
            rows(&doc.reprove_when, Outcome::Reprove),
            rows(&doc.review_when, Outcome::Review),
        ]
        .concat(),
        default: TableDefault {
            outcome: Outcome::Approve,
            // Loading checked that a document without a table has `approved`.
            reason: doc.approved.clone().unwrap_or_else(|| document::Reason {
                code: "policy_approved".to_owned(),
                description: "Every rule of the policy passed".to_owned(),
            }),
        },
    }
}

/// A loaded, checked policy. `Serialize` gives back its JSON document (for admin listings).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Policy {
    doc: Document,
    /// The rules as one decision table: the document's own, or its reprove and review lists
    /// as the `collect` table they mean.
    #[serde(skip)]
    table: DecisionTable,
}

/// Why a policy document was refused; `field` is the JSON path of the offending value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{field}: {message}")]
    Malformed { field: String, message: String },
    #[error(
        "{field}: `{feature}` is a protected attribute; Lei 12.414/2011 art. 7-A forbids \
         deciding credit on it"
    )]
    ForbiddenFeature { field: String, feature: String },
    #[error("{field}: `{feature}` is read but not listed in `features`")]
    UndeclaredFeature { field: String, feature: Feature },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl PolicyError {
    /// The JSON path of the value at fault (empty for a document that is not JSON).
    pub fn field(&self) -> &str {
        match self {
            Self::Malformed { field, .. }
            | Self::ForbiddenFeature { field, .. }
            | Self::UndeclaredFeature { field, .. }
            | Self::Invalid { field, .. } => field,
        }
    }

    /// A stable code for the admin API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "MALFORMED_POLICY",
            Self::ForbiddenFeature { .. } => "FORBIDDEN_FEATURE",
            Self::UndeclaredFeature { .. } => "UNDECLARED_FEATURE",
            Self::Invalid { .. } => "INVALID_POLICY",
        }
    }
}

/// What the rules say, before any person looks at the proposal. Ordered by severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approve,
    Review,
    Reprove,
}

/// The rules' answer: the outcome, the code of the rule that decided it, and every rule that
/// fired (reprove rules first, then review rules, in policy order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reason: String,
    pub rules_fired: Vec<String>,
}

/// One reason behind a decision: a stable code, a short text, and its weight (score points
/// lost against the best bin of the features it comes from).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Justification {
    pub code: String,
    pub description: String,
    /// Kept bit for bit: a replay answers the number first delivered.
    #[serde(with = "crate::domain::exact")]
    pub impact: f64,
}

impl Policy {
    /// Parses and checks a policy document.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| PolicyError::Malformed {
                field: String::new(),
                message: e.to_string(),
            })?;
        check::no_protected_features(&value, "")?;
        let doc: Document = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            PolicyError::Malformed {
                // serde_path_to_error shows the root as ".".
                field: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
            }
        })?;
        check::document(&doc)?;
        let table = doc
            .decision_table
            .clone()
            .unwrap_or_else(|| lists_as_table(&doc));
        Ok(Self { doc, table })
    }

    /// Aval's default legal-person policy (embedded; a unit test proves it loads).
    pub fn default_policy() -> Result<Self, PolicyError> {
        Self::from_json(DEFAULT_POLICY_JSON)
    }

    /// Aval's default policy for proposals of `kind` (embedded; unit tests prove both load).
    pub fn default_for(kind: ProposalKind) -> Result<Self, PolicyError> {
        Self::from_json(match kind {
            ProposalKind::LegalPerson => DEFAULT_POLICY_JSON,
            ProposalKind::NaturalPerson => DEFAULT_NATURAL_PERSON_POLICY_JSON,
        })
    }

    /// The proposals it decides.
    pub fn kind(&self) -> ProposalKind {
        self.doc.kind
    }

    pub fn id(&self) -> &str {
        &self.doc.id
    }

    pub fn version(&self) -> u32 {
        self.doc.version
    }

    pub fn description(&self) -> &str {
        &self.doc.description
    }

    /// Every feature this policy reads: the "main elements and criteria considered" a company
    /// may ask for (Lei 12.414 art. 5, IV).
    pub fn features(&self) -> &[Feature] {
        &self.doc.features
    }

    /// Applies the decision table (see [`document::DecisionTable`] for `first` and `collect`).
    pub fn evaluate(&self, features: &FeatureValues) -> Verdict {
        let table = &self.table;
        let fired: Vec<&TableRule> = table.rules.iter().filter(|r| r.fires(features)).collect();
        let decisive = match table.hit_policy {
            HitPolicy::First => fired.first().copied(),
            // The first rule of the most severe outcome (max_by_key keeps the last maximum).
            HitPolicy::Collect => fired.iter().rev().max_by_key(|r| r.outcome).copied(),
        };
        let Some(decisive) = decisive else {
            return Verdict {
                outcome: table.default.outcome,
                reason: table.default.reason.code.clone(),
                rules_fired: Vec::new(),
            };
        };
        let rules_fired = match table.hit_policy {
            HitPolicy::First => vec![decisive.reason.code.clone()],
            HitPolicy::Collect => {
                let mut listed = fired;
                // Most severe first, in table order within an outcome (a stable sort).
                listed.sort_by_key(|r| std::cmp::Reverse(r.outcome));
                listed.iter().map(|r| r.reason.code.clone()).collect()
            }
        };
        Verdict {
            outcome: decisive.outcome,
            reason: decisive.reason.code.clone(),
            rules_fired,
        }
    }

    /// The company score and its reasons.
    pub fn score(&self, features: &FeatureValues) -> Scored {
        self.doc.scorecard.score(features)
    }

    /// The most the policy would lend: the amount asked, capped by `revenue_multiple` months
    /// of revenue plus `warrant_advance_rate` of the warrants' forced-sale value.
    pub fn credit_limit(
        &self,
        amount_cents: i64,
        monthly_revenue_cents: i64,
        forced_selling_cents: i64,
    ) -> i64 {
        let limit = &self.doc.credit_limit;
        let cap = limit.revenue_multiple * monthly_revenue_cents as f64
            + limit.warrant_advance_rate * forced_selling_cents as f64;
        // Float money is fine here: the cap is a bound, the result is whole cents within
        // 0..=amount (`as` saturates; NaN cannot occur, every input being finite).
        let capped = (cap.floor() as i64).max(0);
        amount_cents.min(capped)
    }
}
