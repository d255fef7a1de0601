//! Instants in JSON bodies: RFC 3339 in UTC.

use chrono::SecondsFormat;

/// `2021-03-31T13:30:00Z`, with a fraction only when there is one; `None` when the
/// timestamp is outside what RFC 3339 can write.
pub fn rfc3339(timestamp: &prost_types::Timestamp) -> Option<String> {
    aval_transport::time::from_timestamp(&timestamp.normalized())
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_normalised_before_formatting() {
        let ts = prost_types::Timestamp {
            seconds: 1,
            nanos: -500_000_000,
        };
        assert_eq!(rfc3339(&ts).unwrap(), "1970-01-01T00:00:00.500Z");
        let out_of_range = prost_types::Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert_eq!(rfc3339(&out_of_range), None);
    }
}
