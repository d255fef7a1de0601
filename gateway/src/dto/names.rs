//! JSON names of protobuf enum values, derived from the names the proto file gives them, so no
//! route keeps a hand-written table that can drift from the contract.

/// The JSON name of a protobuf enum value: its proto name (prost's `as_str_name()`) without the
/// enum's prefix, lower-cased. `enum_name("ANALYSIS_STATUS_IN_MANUAL_ANALYSIS",
/// "ANALYSIS_STATUS_")` is `in_manual_analysis`; an `*_UNSPECIFIED` value is `unspecified`.
///
/// A name without the prefix (an enum that breaks the `ENUM_NAME_VALUE` convention) is only
/// lower-cased.
pub fn enum_name(as_str_name: &str, prefix: &str) -> String {
    as_str_name
        .strip_prefix(prefix)
        .unwrap_or(as_str_name)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_proto::analysis::v1::{AnalysisStatus, Recommendation};

    #[test]
    fn strips_the_enum_prefix_and_lower_cases() {
        assert_eq!(
            enum_name("ANALYSIS_STATUS_AUTOMATICALLY_APPROVED", "ANALYSIS_STATUS_"),
            "automatically_approved"
        );
        assert_eq!(
            enum_name("RECOMMENDATION_UNSPECIFIED", "RECOMMENDATION_"),
            "unspecified"
        );
        assert_eq!(enum_name("BAND_A", "SCORE_BAND_"), "band_a");
        assert_eq!(enum_name("", "X_"), "");
    }

    #[test]
    fn works_on_prost_names() {
        assert_eq!(
            enum_name(
                AnalysisStatus::InManualAnalysis.as_str_name(),
                "ANALYSIS_STATUS_"
            ),
            "in_manual_analysis"
        );
        assert_eq!(
            enum_name(
                Recommendation::RequestGuarantees.as_str_name(),
                "RECOMMENDATION_"
            ),
            "request_guarantees"
        );
    }
}
