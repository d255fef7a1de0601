//! Times on the wire are `google.protobuf.Timestamp`; inside, `chrono::DateTime<Utc>`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Brasília time, UTC−3 all year since Brazil ended daylight saving in 2019.
const BRASILIA_OFFSET_SECS: i32 = -3 * 3600;

/// The calendar day billing counts an answer in: the day in Brasília, the legal time of the
/// contracts, so an answer at 22:00 on the 31st belongs to that month, not the next.
pub fn billing_day(at: DateTime<Utc>) -> NaiveDate {
    // The offset is a constant well inside ±24 h, so it is always valid.
    FixedOffset::east_opt(BRASILIA_OFFSET_SECS).map_or_else(
        || at.date_naive(),
        |brasilia| at.with_timezone(&brasilia).date_naive(),
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_days_are_brasilia_days() {
        use chrono::TimeZone;
        let late_evening = Utc.with_ymd_and_hms(2026, 12, 1, 1, 30, 0).single();
        let day = late_evening.map(billing_day);
        assert_eq!(
            day,
            NaiveDate::from_ymd_opt(2026, 11, 30),
            "22:30 in Brasília, still November"
        );
        let morning = Utc
            .with_ymd_and_hms(2026, 12, 1, 3, 0, 0)
            .single()
            .map(billing_day);
        assert_eq!(morning, NaiveDate::from_ymd_opt(2026, 12, 1));
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
    }
}
