//! Policies as versioned data: a tenant publishes versions, activates one per kind of
//! proposal, and every new proposal is decided by the version of its kind active when it
//! arrives (Aval's default of that kind until the tenant activates one of its own). Published
//! documents never change, so a loaded version is kept.

use crate::{
    domain::{
        decision::{Decision, decide},
        dry_run::DryRun,
        policy::{Policy, PolicyError},
        proposal::{Proposal, ProposalKind},
    },
    error::AnalysisError,
    store::{
        self,
        analyses::AnalysisRecord,
        policies::{self, StoredVersion},
    },
};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::DatabaseConnection;
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
};

/// Ids of this prefix are Aval's: a tenant's own policy cannot be mistaken for one of them.
const RESERVED_PREFIX: &str = "aval-";

/// A version as listed: the policy, when it was published (`None`: Aval's default), and
/// whether it decides the tenant's new proposals.
#[derive(Clone, Debug)]
pub struct ListedPolicy {
    pub policy: Arc<Policy>,
    pub published_at: Option<DateTime<Utc>>,
    pub active: bool,
}

type VersionKey = (String, String, u32);

pub struct PolicyRegistry {
    db: DatabaseConnection,
    /// Aval's default policy of each kind.
    defaults: BTreeMap<ProposalKind, Arc<Policy>>,
    loaded: RwLock<HashMap<VersionKey, Arc<Policy>>>,
}

impl PolicyRegistry {
    /// A registry over `db` with Aval's embedded default policies.
    pub fn new(db: DatabaseConnection) -> Result<Self, PolicyError> {
        let mut defaults = BTreeMap::new();
        for kind in ProposalKind::ALL {
            defaults.insert(*kind, Arc::new(Policy::default_for(*kind)?));
        }
        Ok(Self {
            db,
            defaults,
            loaded: RwLock::new(HashMap::new()),
        })
    }

    /// The policy deciding the tenant's new proposals of `kind`.
    pub async fn active(
        &self,
        tenant_id: &str,
        kind: ProposalKind,
    ) -> Result<Arc<Policy>, AnalysisError> {
        match policies::active(&self.db, tenant_id, kind).await? {
            None => self.default(kind),
            Some((policy_id, version)) => self
                .version(tenant_id, &policy_id, version)
                .await?
                .ok_or_else(|| {
                    AnalysisError::Corrupt(format!(
                        "tenant `{tenant_id}`'s active policy {policy_id} v{version} is not stored"
                    ))
                }),
        }
    }

    /// The tenant's version (Aval's default by its id and version), if there is one.
    pub async fn version(
        &self,
        tenant_id: &str,
        policy_id: &str,
        version: u32,
    ) -> Result<Option<Arc<Policy>>, AnalysisError> {
        if let Some(default) = self.default_named(policy_id, version) {
            return Ok(Some(default));
        }
        let key = (tenant_id.to_owned(), policy_id.to_owned(), version);
        if let Some(policy) = self.cached(&key) {
            return Ok(Some(policy));
        }
        match policies::find(&self.db, tenant_id, policy_id, version).await? {
            Some(stored) => self.loaded(tenant_id, &stored).map(Some),
            None => Ok(None),
        }
    }

    /// Publishes a document for the tenant; the same document again is the version already
    /// published.
    pub async fn publish(
        &self,
        tenant_id: &str,
        document: &str,
    ) -> Result<ListedPolicy, AnalysisError> {
        let policy = parse(document)?;
        if policy.id().starts_with(RESERVED_PREFIX) {
            return Err(AnalysisError::InvalidRequest(vec![FieldViolation::new(
                "document.id",
                FieldCode::Invalid,
                format!("ids starting with `{RESERVED_PREFIX}` are Aval's own policies"),
            )]));
        }
        let stored = StoredVersion {
            policy_id: policy.id().to_owned(),
            version: policy.version(),
            document: document.to_owned(),
            published_at: Utc::now().trunc_subsecs(6),
        };
        if !policies::insert(&self.db, tenant_id, &stored).await? {
            let existing = policies::find(&self.db, tenant_id, policy.id(), policy.version())
                .await?
                .ok_or_else(|| AnalysisError::Corrupt("a policy version vanished".into()))?;
            let same = Policy::from_json(&existing.document).is_ok_and(|p| p == policy);
            if !same {
                return Err(AnalysisError::PolicyExists(format!(
                    "{} v{}",
                    policy.id(),
                    policy.version()
                )));
            }
            let active = policies::active(&self.db, tenant_id, policy.kind()).await?;
            return self.listed(tenant_id, &existing, active.as_ref());
        }
        tracing::info!(
            tenant = %tenant_id,
            policy = policy.id(),
            version = policy.version(),
            "policy published"
        );
        let active = policies::active(&self.db, tenant_id, policy.kind()).await?;
        self.listed(tenant_id, &stored, active.as_ref())
    }

    /// Aval's defaults (one per kind), then every version the tenant published.
    pub async fn list(&self, tenant_id: &str) -> Result<Vec<ListedPolicy>, AnalysisError> {
        let mut active = BTreeMap::new();
        let mut listed = Vec::new();
        for (kind, default) in &self.defaults {
            let version = policies::active(&self.db, tenant_id, *kind).await?;
            listed.push(ListedPolicy {
                policy: default.clone(),
                published_at: None,
                active: version.is_none(),
            });
            active.insert(*kind, version);
        }
        for stored in policies::list(&self.db, tenant_id).await? {
            let policy = self.loaded(tenant_id, &stored)?;
            let of_its_kind = active.get(&policy.kind()).cloned().flatten();
            listed.push(self.listed(tenant_id, &stored, of_its_kind.as_ref())?);
        }
        Ok(listed)
    }

    /// Makes a published version (or an Aval default) decide the tenant's new proposals of
    /// its kind.
    pub async fn activate(
        &self,
        tenant_id: &str,
        policy_id: &str,
        version: u32,
    ) -> Result<ListedPolicy, AnalysisError> {
        let now = Utc::now().trunc_subsecs(6);
        if let Some(default) = self.default_named(policy_id, version) {
            policies::activate(&self.db, tenant_id, default.kind(), None, now).await?;
            return Ok(ListedPolicy {
                policy: default,
                published_at: None,
                active: true,
            });
        }
        let stored = policies::find(&self.db, tenant_id, policy_id, version)
            .await?
            .ok_or_else(|| AnalysisError::NotFound(format!("policy {policy_id} v{version}")))?;
        let kind = self.loaded(tenant_id, &stored)?.kind();
        policies::activate(&self.db, tenant_id, kind, Some((policy_id, version)), now).await?;
        tracing::info!(tenant = %tenant_id, policy = policy_id, version, %kind, "policy activated");
        self.listed(tenant_id, &stored, Some(&(policy_id.to_owned(), version)))
    }

    /// Decides the tenant's `last` most recent stored proposals of the candidate's kind again
    /// with `candidate` (the partners' scores as the engine saw them) and reports what would
    /// change. Nothing is stored, billed or activated.
    pub async fn dry_run(
        &self,
        tenant_id: &str,
        candidate: &Policy,
        last: u64,
    ) -> Result<DryRun, AnalysisError> {
        let mut run = DryRun::default();
        for record in store::analyses::latest(&self.db, tenant_id, candidate.kind(), last).await? {
            let analysis = &record.stored.analysis;
            let id = analysis.id.as_str();
            let Some(delivered) = &analysis.decision else {
                run.skip(
                    id,
                    "it waits for its partners' scores: nothing decided yet".to_owned(),
                );
                continue;
            };
            match decide_again(&record, delivered, candidate) {
                Ok(decision) => run.record(id, delivered, &decision),
                Err(why) => run.skip(id, why),
            }
        }
        Ok(run)
    }

    /// Decides a stored analysis again from its stored proposal, with the partners' scores the
    /// engine saw and the policy version that decided it: the decision as delivered and the
    /// one it gives now. One still waiting for data has nothing to replay (`INVALID_TRANSITION`).
    pub async fn replay(
        &self,
        tenant_id: &str,
        record: &AnalysisRecord,
    ) -> Result<(Decision, Decision), AnalysisError> {
        let analysis = &record.stored.analysis;
        let stored = analysis
            .require_decision("a replay")
            .map_err(AnalysisError::InvalidTransition)?;
        let unreplayable =
            |why: String| AnalysisError::Unreplayable(analysis.id.as_str().to_owned(), why);
        let policy = self
            .version(tenant_id, &stored.policy_id, stored.policy_version)
            .await?
            .ok_or_else(|| {
                unreplayable(format!(
                    "policy {} v{} is not stored",
                    stored.policy_id, stored.policy_version
                ))
            })?;
        let replayed = decide_again(record, stored, &policy).map_err(unreplayable)?;
        Ok((stored.clone(), replayed))
    }

    fn default(&self, kind: ProposalKind) -> Result<Arc<Policy>, AnalysisError> {
        self.defaults
            .get(&kind)
            .cloned()
            .ok_or_else(|| AnalysisError::Corrupt(format!("no default {kind} policy")))
    }

    /// Aval's default named `policy_id` `version`, if it is one.
    fn default_named(&self, policy_id: &str, version: u32) -> Option<Arc<Policy>> {
        self.defaults
            .values()
            .find(|p| p.id() == policy_id && p.version() == version)
            .cloned()
    }

    fn cached(&self, key: &VersionKey) -> Option<Arc<Policy>> {
        self.loaded.read().ok()?.get(key).cloned()
    }

    /// A stored version as loaded: the cached policy, or its document parsed (and kept).
    fn loaded(
        &self,
        tenant_id: &str,
        stored: &StoredVersion,
    ) -> Result<Arc<Policy>, AnalysisError> {
        let key = (
            tenant_id.to_owned(),
            stored.policy_id.clone(),
            stored.version,
        );
        if let Some(policy) = self.cached(&key) {
            return Ok(policy);
        }
        let policy = Arc::new(Policy::from_json(&stored.document).map_err(|e| {
            AnalysisError::Corrupt(format!(
                "policy {} v{}: {e}",
                stored.policy_id, stored.version
            ))
        })?);
        if let Ok(mut loaded) = self.loaded.write() {
            loaded.insert(key, policy.clone());
        }
        Ok(policy)
    }

    /// A stored version as listed, `active` being the tenant's active version.
    fn listed(
        &self,
        tenant_id: &str,
        stored: &StoredVersion,
        active: Option<&(String, u32)>,
    ) -> Result<ListedPolicy, AnalysisError> {
        Ok(ListedPolicy {
            active: active.is_some_and(|(id, v)| *id == stored.policy_id && *v == stored.version),
            policy: self.loaded(tenant_id, stored)?,
            published_at: Some(stored.published_at),
        })
    }
}

/// A stored analysis (`delivered`: its decision) decided again by `policy`: its proposal read
/// back as received, with the partners' scores the engine saw. `Err`: why it cannot be.
fn decide_again(
    record: &AnalysisRecord,
    delivered: &Decision,
    policy: &Policy,
) -> Result<Decision, String> {
    if record.kind != policy.kind() {
        return Err(format!(
            "a {} proposal cannot be decided by a {} policy",
            record.kind,
            policy.kind()
        ));
    }
    let proposal = Proposal::from_canonical_json(record.kind, &record.proposal, record.received_at)
        .map_err(|e| format!("the stored proposal cannot be read: {e}"))?;
    let scores = kept_scores(&proposal, delivered)
        .ok_or_else(|| "the partners' scores were not kept when it was decided".to_owned())?;
    Ok(decide(policy, &proposal, &scores))
}

/// The scores the engine saw, by CPF; `None` when the decision predates keeping them and the
/// proposal has people to score.
fn kept_scores(proposal: &Proposal, decision: &Decision) -> Option<BTreeMap<Cpf, Option<u32>>> {
    let partners = proposal.scored_documents();
    let kept: BTreeMap<Cpf, Option<u32>> = decision
        .partner_scores
        .iter()
        .filter_map(|p| {
            Cpf::parse(&p.document_number)
                .ok()
                .map(|cpf| (cpf, p.score))
        })
        .collect();
    partners
        .iter()
        .all(|cpf| kept.contains_key(cpf))
        .then_some(kept)
}

/// A candidate document, checked as publishing would.
pub fn parse(document: &str) -> Result<Policy, AnalysisError> {
    Policy::from_json(document).map_err(invalid_policy)
}

/// A refused document: the JSON path at fault (inside `document`) and why, with the policy
/// error's code.
fn invalid_policy(error: PolicyError) -> AnalysisError {
    let field = match error.field() {
        "" => "document".to_owned(),
        path => format!("document.{path}"),
    };
    AnalysisError::InvalidRequest(vec![FieldViolation::new(
        field,
        FieldCode::Invalid,
        format!("{}: {error}", error.code()),
    )])
}
