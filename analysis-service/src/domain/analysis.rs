//! An analysis: the decision on one proposal as it was delivered, kept so that `GET` and a
//! retry of the same proposal answer exactly what the partner was first given.

use super::decision::Decision;
use super::proposal::{Proposal, ProposalId};
use chrono::{DateTime, Utc};

/// A delivered analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The proposal's id, as the partner sent it.
    pub id: ProposalId,
    pub decision: Decision,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An analysis as kept: what was delivered, and the fingerprint of the proposal it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnalysis {
    pub analysis: Analysis,
    pub fingerprint: Fingerprint,
}

/// Tells a retry (the same proposal again) from a different body reusing a proposal id: the
/// SHA-256 (hex) of the proposal's canonical JSON.
///
/// Canonical: the [`Proposal`]'s serialization (values normalised: documents as digits,
/// vocabulary in its canonical spelling, text trimmed) with object keys sorted and no
/// whitespace. Two bodies that differ only in such spelling are the same proposal.
///
/// Changing how a [`Proposal`] serializes changes fingerprints: a retry that straddles such a
/// release is answered as a conflict (never with another body's answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(String);

/// A proposal's canonical JSON (what is stored, for an auditor to read) and its
/// [`Fingerprint`], made from the one serialization.
#[derive(Clone, Debug, PartialEq)]
pub struct CanonicalProposal {
    pub json: serde_json::Value,
    pub fingerprint: Fingerprint,
}

impl CanonicalProposal {
    pub fn of(proposal: &Proposal) -> Result<Self, serde_json::Error> {
        // Through a `Value`, whose objects are sorted maps: field order never matters.
        let json = serde_json::to_value(proposal)?;
        let fingerprint = Fingerprint(sha256_hex(&serde_json::to_vec(&json)?));
        Ok(Self { json, fingerprint })
    }
}

impl Fingerprint {
    /// The fingerprint of `proposal`.
    pub fn of(proposal: &Proposal) -> Result<Self, serde_json::Error> {
        CanonicalProposal::of(proposal).map(|canonical| canonical.fingerprint)
    }

    /// A fingerprint as stored.
    pub fn from_hex(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
