//! The scopes a client may hold; a token carries a subset of its client's.

/// Read consumer scores (`/customers/v1/customscores`, `/v1/scores`).
pub const SCORE_READ: &str = "score:read";
/// Report what became of the credit granted on a delivered score (`PUT /v1/scores/{id}`).
pub const SCORE_WRITE: &str = "score:write";
/// Analysts of the tenant: how its scores performed (`/v1/reports/performance?product=score`).
pub const SCORE_REVIEW: &str = "score:review";
/// Submit legal-person proposals.
pub const ANALYSIS_WRITE: &str = "analysis:write";
/// Read legal-person analyses and their history.
pub const ANALYSIS_READ: &str = "analysis:read";
/// Analysts of the tenant: the manual-review queue, the details, the resolutions.
pub const ANALYSIS_REVIEW: &str = "analysis:review";
/// Read the tenant's consumption report.
pub const USAGE_READ: &str = "usage:read";

/// Serve consumers' rights: disclose a CPF's data, open and read review requests.
pub const CONSUMER_RIGHTS: &str = "consumer:rights";
/// Analysts of the tenant: list and answer consumers' review requests.
pub const CONSUMER_REVIEWS: &str = "consumer:reviews";

pub const ALL: [&str; 9] = [
    SCORE_READ,
    SCORE_WRITE,
    SCORE_REVIEW,
    ANALYSIS_WRITE,
    ANALYSIS_READ,
    ANALYSIS_REVIEW,
    USAGE_READ,
    CONSUMER_RIGHTS,
    CONSUMER_REVIEWS,
];

/// The scopes granted for a request: all of the client's when `requested` is empty, else the
/// requested ones if the client holds every one of them.
pub fn grant(client_scopes: &[String], requested: &str) -> Option<Vec<String>> {
    let requested: Vec<&str> = requested.split_whitespace().collect();
    if requested.is_empty() {
        return Some(client_scopes.to_vec());
    }
    requested
        .iter()
        .all(|r| client_scopes.iter().any(|c| c == r))
        .then(|| requested.iter().map(|s| (*s).to_owned()).collect())
}

/// The scopes not in the catalogue.
pub fn unknown(scopes: &[String]) -> Vec<&str> {
    scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !ALL.contains(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_requested_subsets_only() {
        let client = vec![SCORE_READ.to_owned(), USAGE_READ.to_owned()];
        assert_eq!(grant(&client, ""), Some(client.clone()));
        assert_eq!(
            grant(&client, "score:read"),
            Some(vec![SCORE_READ.to_owned()])
        );
        assert_eq!(grant(&client, "score:read analysis:write"), None);
        assert_eq!(
            unknown(&["score:read".into(), "admin".into()]),
            vec!["admin"]
        );
    }
}
