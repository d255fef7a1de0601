//! Brasília time: the legal time of Brazilian credit contracts, UTC−03:00 all year since
//! Brazil ended daylight saving in 2019. Days of answers and analyses (billing periods, list
//! and report filters) are Brasília days.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, Utc};

const OFFSET_SECS: i32 = -3 * 3600;

/// The UTC−03:00 offset.
pub fn offset() -> FixedOffset {
    // A constant well inside ±24 h: always valid (UTC is never used).
    FixedOffset::east_opt(OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// The Brasília day of an instant.
pub fn day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&offset()).date_naive()
}

/// The instant a Brasília day starts.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(NaiveTime::MIN) - chrono::Duration::seconds(i64::from(OFFSET_SECS))).and_utc()
}

/// `[from, before)` instants; absent: unbounded on that side.
pub type Period = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The Brasília days `from` to `to`, both inclusive, as `[from, before)` instants (a report's
/// or a list's period).
pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Period {
    (
        from.map(start_of),
        to.and_then(|d| d.succ_opt()).map(start_of),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brasilia_day_runs_from_03_00_utc() {
        let evening: DateTime<Utc> = "2026-01-31T23:30:00-03:00".parse().unwrap_or_default();
        assert_eq!(day(evening).to_string(), "2026-01-31");
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        assert_eq!(start_of(day).to_rfc3339(), "2026-11-24T03:00:00+00:00");
        let (from, before) = period(Some(day), Some(day));
        assert_eq!(from, Some(start_of(day)));
        assert_eq!(
            before.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-25T03:00:00+00:00")
        );
        assert_eq!(period(None, None), (None, None));
    }
}
