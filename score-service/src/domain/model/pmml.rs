//! PMML 4.x `Scorecard` models: a parser ([`parse`]) from the XML document into a typed model,
//! and an evaluator ([`PmmlScorecard::evaluate`]) with the semantics of the DMG PMML 4.4
//! Scorecard, MiningSchema, DataDictionary and Predicate specifications.
//!
//! Supported: `DataDictionary` fields of type string, integer, float, double and boolean with
//! their `Value` (valid, invalid, missing) and `Interval` declarations; `MiningField` missing
//! value replacement and treatment, invalid value treatment (returnInvalid, asIs, asMissing,
//! asValue) and outliers; the Scorecard's `initialScore`, `useReasonCodes`,
//! `reasonCodeAlgorithm`, `baselineScore` and `baselineMethod`; Characteristics and Attributes
//! with `partialScore`, `reasonCode` and `baselineScore`; `SimplePredicate`,
//! `SimpleSetPredicate`, `CompoundPredicate` (and, or, xor, surrogate), `True`, `False`.
//! Everything else that would change the score (derived fields, `ComplexPartialScore`,
//! `Targets`, other models) is refused by name, never ignored. `Output` is accepted and
//! ignored: the evaluator always gives the score and every reason code ranked.
//!
//! Aval's score scale travels in an `Extension` of the Scorecard (or of the PMML root):
//!
//! ```xml
//! <Extension extender="aval" name="aval:scale">
//!   <Scale basePoints="700" baseOdds="19" pointsToDoubleOdds="80"/>
//!   <Band risk="very_high" from="0" to="374"/>
//!   <Band risk="high" from="375" to="525"/>
//!   <Band risk="medium" from="526" to="618"/>
//!   <Band risk="low" from="619" to="718"/>
//!   <Band risk="very_low" from="719" to="1000"/>
//! </Extension>
//! ```
//!
//! `Scale` and the `Band`s are each optional; what is absent is the platform's default.

mod evaluate;
mod field;
mod parse;
mod predicate;

pub use evaluate::{PmmlScore, RankedReason, Unscorable};
pub use field::{DataType, Literal};
pub use parse::parse;

use super::protected::ProtectedField;
use super::scale::ModelScale;
use field::InputField;
use predicate::Predicate;
use std::fmt;

/// The largest PMML document accepted, in bytes.
pub const MAX_PMML_BYTES: usize = 1024 * 1024;
/// The most XML nodes a document may have (a guard against pathological documents).
pub const MAX_PMML_NODES: u32 = 200_000;

/// A parsed PMML Scorecard, ready to score records.
#[derive(Clone, Debug)]
pub struct PmmlScorecard {
    pub model_name: Option<String>,
    inputs: Vec<InputField>,
    initial_score: f64,
    use_reason_codes: bool,
    algorithm: ReasonCodeAlgorithm,
    characteristics: Vec<Characteristic>,
    /// Every reason code, in order of first appearance in the document.
    reason_codes: Vec<String>,
    pub scale: ModelScale,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonCodeAlgorithm {
    /// difference = baseline − partial score (the default).
    PointsBelow,
    /// difference = partial score − baseline.
    PointsAbove,
}

#[derive(Clone, Debug)]
struct Characteristic {
    /// The name, or `Characteristic[n]` (1-based) when it has none.
    label: String,
    /// The Characteristic's baseline, else the Scorecard's (resolved when reason codes are on).
    baseline: f64,
    attributes: Vec<Attribute>,
}

#[derive(Clone, Debug)]
struct Attribute {
    predicate: Predicate,
    partial_score: f64,
    /// Index into `reason_codes`: the Attribute's, else its Characteristic's.
    reason_code: Option<usize>,
}

impl PmmlScorecard {
    /// The names of the fields the model reads (its active MiningFields), in document order.
    pub fn fields_read(&self) -> impl Iterator<Item = (&str, DataType)> {
        self.inputs.iter().map(|f| (f.name.as_str(), f.data_type))
    }

    pub fn reason_codes(&self) -> &[String] {
        &self.reason_codes
    }
}

/// Where in the document something is: the element, its name when it has one, and its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub element: String,
    pub name: Option<String>,
    pub line: u32,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "<{} \"{}\"> (line {})", self.element, name, self.line),
            None => write!(f, "<{}> (line {})", self.element, self.line),
        }
    }
}

/// Why a PMML document is not a model Aval can score.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PmmlError {
    #[error("the document is {size} bytes; a PMML model may have at most {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the document is not well-formed XML (line {line}): {message}")]
    NotXml { line: u32, message: String },
    #[error("the document's root element is <{root}>, not <PMML>")]
    NotPmml { root: String },
    #[error("PMML version `{version}` is not supported: only PMML 4.x")]
    Version { version: String },
    #[error("the document has no <Scorecard> model{}", found_models(.found))]
    NoScorecard { found: Vec<String> },
    #[error("{at}: {what} is not supported")]
    Unsupported { at: At, what: String },
    #[error("{at}: {message}")]
    Invalid { at: At, message: String },
    #[error(transparent)]
    Protected(#[from] ProtectedField),
    #[error("{at}: field `{field}` is not declared {scope}")]
    UndeclaredField {
        at: At,
        field: String,
        scope: &'static str,
    },
}

fn found_models(found: &[String]) -> String {
    if found.is_empty() {
        String::new()
    } else {
        format!(" (it has {})", found.join(", "))
    }
}

#[cfg(test)]
mod tests;
