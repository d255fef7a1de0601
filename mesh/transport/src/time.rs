//! Times on the wire are `google.protobuf.Timestamp` and days `aval.common.v1.Date`; inside,
//! `chrono::DateTime<Utc>` and `NaiveDate`.

use aval_proto::common::v1::Date;
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};

pub fn to_timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        // Sub-second nanoseconds are below 2·10⁹, so they always fit.
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// `None` for a timestamp outside chrono's range or with invalid nanoseconds.
pub fn from_timestamp(ts: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts.seconds, u32::try_from(ts.nanos).ok()?)
}

/// `2021-03-31T13:30:00Z` (RFC 3339 in UTC), with a fraction only when there is one; `None`
/// when the timestamp is outside what RFC 3339 can write.
pub fn rfc3339(ts: &prost_types::Timestamp) -> Option<String> {
    from_timestamp(&ts.normalized()).map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

pub fn to_date(day: NaiveDate) -> Date {
    Date {
        year: day.year(),
        // Month and day numbers are 1..=31: they always fit.
        month: i32::try_from(day.month()).unwrap_or(0),
        day: i32::try_from(day.day()).unwrap_or(0),
    }
}

/// `None` for a day that does not exist (`2026-02-30`, month 0…).
pub fn from_date(date: &Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        date.year,
        u32::try_from(date.month).ok()?,
        u32::try_from(date.day).ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_normalised_before_formatting() {
        let ts = prost_types::Timestamp {
            seconds: 1,
            nanos: -500_000_000,
        };
        assert_eq!(rfc3339(&ts).as_deref(), Some("1970-01-01T00:00:00.500Z"));
        let out_of_range = prost_types::Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert_eq!(rfc3339(&out_of_range), None);
    }

    #[test]
    fn round_trips_and_refuses_nonsense() {
        let now = Utc::now();
        assert_eq!(from_timestamp(&to_timestamp(now)), Some(now));
        let negative = prost_types::Timestamp {
            seconds: 0,
            nanos: -1,
        };
        assert_eq!(from_timestamp(&negative), None);

        let day = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(day.map(to_date).as_ref().and_then(from_date), day);
        let impossible = Date {
            year: 2026,
            month: 2,
            day: 30,
        };
        assert_eq!(from_date(&impossible), None);
    }
}
