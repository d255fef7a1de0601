use super::Invalid;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Serialize, Serializer};

/// Dates before this are typing errors, not companies or people.
const EARLIEST_YEAR: i32 = 1800;
/// A request time may run this far ahead of our clock (the partner's clock may be fast).
const CLOCK_SKEW: Duration = Duration::minutes(5);
/// The furthest ahead of UTC any time zone runs (UTC+14): a calendar date is "in the future"
/// only once it is in the future everywhere, so no partner's "today" is refused.
const EARLIEST_ZONE_AHEAD: Duration = Duration::hours(14);

const DATE_FORMAT: &str = "a date as YYYY-MM-DD";
const DATE_TIME_FORMAT: &str = "a date-time in RFC 3339, such as 2021-03-31T10:30:00-03:00";

/// When the company asked for the credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestDate {
    /// As the partner gave it, in the partner's offset.
    Given(DateTime<FixedOffset>),
    /// Not given: the time the proposal was received stands in for it.
    Receipt(DateTime<FixedOffset>),
}

impl RequestDate {
    /// The request date the rules use: the partner's, or the time of receipt.
    pub fn at(self) -> DateTime<FixedOffset> {
        match self {
            Self::Given(at) | Self::Receipt(at) => at,
        }
    }
}

impl Serialize for RequestDate {
    /// The partner's date, or `null` when none was given: the time of receipt is not part of
    /// the proposal (the analysis records when it was created), so a retry of the same body
    /// serializes the same.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Given(at) => at.serialize(serializer),
            Self::Receipt(_) => serializer.serialize_none(),
        }
    }
}

/// The instant a proposal is validated at. Passed in (not read from the clock) so validation
/// is deterministic: tests pin it, and a replay uses the time the proposal was received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsOf(DateTime<Utc>);

impl AsOf {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self(now)
    }

    pub fn now(self) -> DateTime<Utc> {
        self.0
    }

    /// A strict `YYYY-MM-DD` calendar date that is not after today anywhere on Earth.
    pub fn past_date(self, input: &str) -> Result<NaiveDate, Invalid> {
        let date = parse_date(input)?;
        if date > (self.0 + EARLIEST_ZONE_AHEAD).date_naive() {
            return Err(Invalid::InFuture);
        }
        Ok(date)
    }

    /// An RFC 3339 instant, kept with the partner's offset, not after now (give or take
    /// [`CLOCK_SKEW`]).
    pub fn past_instant(self, input: &str) -> Result<DateTime<FixedOffset>, Invalid> {
        let instant = DateTime::parse_from_rfc3339(input.trim()).map_err(|_| Invalid::Date {
            expected: DATE_TIME_FORMAT,
        })?;
        if instant > self.0 + CLOCK_SKEW {
            return Err(Invalid::InFuture);
        }
        Ok(instant)
    }
}

/// A strict `YYYY-MM-DD` date: chrono alone would also take `2019-1-1`.
pub fn parse_date(input: &str) -> Result<NaiveDate, Invalid> {
    let invalid = Invalid::Date {
        expected: DATE_FORMAT,
    };
    let input = input.trim();
    let shape_ok = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(invalid);
    }
    let date = NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| invalid)?;
    if date.year() < EARLIEST_YEAR {
        return Err(Invalid::out_of_range(format!(
            "must not be before {EARLIEST_YEAR}-01-01"
        )));
    }
    Ok(date)
}

/// A company cannot ask for credit before it exists.
pub fn constituted_by(
    constitution: NaiveDate,
    request: DateTime<FixedOffset>,
) -> Result<(), Invalid> {
    if constitution > request.date_naive() {
        Err(Invalid::out_of_range(
            "must not be after credit_request_date",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_of(rfc3339: &str) -> AsOf {
        let now = DateTime::parse_from_rfc3339(rfc3339)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        AsOf::new(now)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn dates_are_strict_iso_calendar_dates() {
        assert_eq!(parse_date("2019-11-11"), Ok(date(2019, 11, 11)));
        for bad in [
            "2019-1-11",
            "11/11/2019",
            "2019-02-30",
            "2019-11-11T00:00:00",
            "",
        ] {
            assert!(
                matches!(parse_date(bad), Err(Invalid::Date { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_date("1799-12-31"),
            Err(Invalid::OutOfRange(_))
        ));
    }

    #[test]
    fn a_date_is_future_only_once_it_is_future_everywhere() {
        // 23:00 UTC on the 10th is already the 11th in Kiribati (UTC+14), not the 12th.
        let now = as_of("2026-01-10T23:00:00Z");
        assert!(now.past_date("2026-01-11").is_ok());
        assert_eq!(now.past_date("2026-01-12"), Err(Invalid::InFuture));
    }

    #[test]
    fn request_instants_keep_their_offset_and_allow_small_skew() {
        let now = as_of("2026-01-10T12:00:00Z");
        let instant = now.past_instant("2026-01-10T09:04:00-03:00");
        assert_eq!(instant.map(|i| i.offset().local_minus_utc()), Ok(-3 * 3600));
        assert_eq!(
            now.past_instant("2026-01-10T12:06:00Z"),
            Err(Invalid::InFuture)
        );
        assert!(matches!(
            now.past_instant("2026-01-10"),
            Err(Invalid::Date { .. })
        ));
    }

    #[test]
    fn a_company_is_constituted_by_its_request() {
        let request = DateTime::parse_from_rfc3339("2021-03-31T10:30:00-03:00");
        let request = request.unwrap_or_default();
        assert!(constituted_by(date(2021, 3, 31), request).is_ok());
        assert!(constituted_by(date(2021, 4, 1), request).is_err());
    }

    proptest! {
        #[test]
        fn parse_date_never_panics_and_round_trips(input in "[0-9-]{0,12}") {
            if let Ok(date) = parse_date(&input) {
                prop_assert_eq!(date.format("%Y-%m-%d").to_string(), input);
            }
        }
    }
}
