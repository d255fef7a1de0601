//! The lender's report on what became of the credit (QI's outcome feedback), as
//! `PUT /credit_analysis/{id}` and `PUT /v1/scores/{answer_id}` take it.

use super::days::parse_day;
use crate::error::ApiError;
use aval_errors::{ErrorCode, FieldCode};
use aval_proto::common::v1::Date;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct OutcomeBody {
    credit_proposal_status: Option<String>,
    /// `YYYY-MM-DD`, or an RFC 3339 date-time whose day (in its own offset) counts.
    event_date: Option<String>,
}

impl OutcomeBody {
    /// The status as written (empty when absent: the service names what is wrong with it) and
    /// the day; a day the gateway cannot read is `INVALID_DATE` on `event_date`.
    pub fn read(self) -> Result<(String, Option<Date>), ApiError> {
        let event_date = match self.event_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(event_day(text).ok_or_else(|| {
                ApiError::invalid_field(
                    ErrorCode::InvalidArgument,
                    "event_date",
                    FieldCode::InvalidDate,
                    "must be a date as YYYY-MM-DD (or an RFC 3339 date-time)",
                )
            })?),
        };
        Ok((self.credit_proposal_status.unwrap_or_default(), event_date))
    }
}

/// A day as `YYYY-MM-DD`, or the day of an RFC 3339 date-time in its own offset.
fn event_day(text: &str) -> Option<Date> {
    parse_day(text).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| aval_transport::time::to_date(at.date_naive()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::days::format_day;

    #[test]
    fn event_days_are_days_or_the_day_of_a_date_time() {
        let day = |text| event_day(text).as_ref().map(format_day);
        assert_eq!(day("2026-11-24").as_deref(), Some("2026-11-24"));
        assert_eq!(
            day("2026-11-24T23:30:00-03:00").as_deref(),
            Some("2026-11-24"),
            "the day where it happened, not in UTC"
        );
        assert_eq!(day("24/11/2026"), None);
    }
}
