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

const CALENDAR_DATE: &str = "a calendar date (a month 1 to 12, a day of that month)";
const OFFSET: &str = "a date-time whose UTC offset is within 24 hours";

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
    /// serializes the same. Hence no `Deserialize`: `LegalPersonProposal::from_canonical_json` is told
    /// the time of receipt.
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

    /// A day that is not after today anywhere on Earth, nor before [`EARLIEST_YEAR`].
    pub fn past_date(self, date: NaiveDate) -> Result<NaiveDate, Invalid> {
        if date.year() < EARLIEST_YEAR {
            return Err(Invalid::out_of_range(format!(
                "must not be before {EARLIEST_YEAR}-01-01"
            )));
        }
        if date > (self.0 + EARLIEST_ZONE_AHEAD).date_naive() {
            return Err(Invalid::InFuture);
        }
        Ok(date)
    }

    /// An instant, kept with the partner's offset, not after now (give or take
    /// [`CLOCK_SKEW`]).
    pub fn past_instant(
        self,
        instant: DateTime<FixedOffset>,
    ) -> Result<DateTime<FixedOffset>, Invalid> {
        if instant > self.0 + CLOCK_SKEW {
            return Err(Invalid::InFuture);
        }
        Ok(instant)
    }
}

/// The day `year`-`month`-`day`, if the calendar has it (`2019-02-30` is refused).
pub fn calendar_date(year: i32, month: i32, day: i32) -> Result<NaiveDate, Invalid> {
    let (Ok(month), Ok(day)) = (u32::try_from(month), u32::try_from(day)) else {
        return Err(Invalid::Date {
            expected: CALENDAR_DATE,
        });
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Invalid::Date {
        expected: CALENDAR_DATE,
    })
}

/// The instant `utc` as seen at `offset_seconds` east of UTC.
pub fn offset_instant(
    utc: DateTime<Utc>,
    offset_seconds: i32,
) -> Result<DateTime<FixedOffset>, Invalid> {
    FixedOffset::east_opt(offset_seconds)
        .map(|offset| utc.with_timezone(&offset))
        .ok_or(Invalid::Date { expected: OFFSET })
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
    fn dates_are_calendar_dates_from_1800() {
        assert_eq!(calendar_date(2019, 11, 11), Ok(date(2019, 11, 11)));
        for (y, m, d) in [(2019, 2, 30), (2019, 13, 1), (2019, 0, 1), (2019, 1, -1)] {
            assert!(
                matches!(calendar_date(y, m, d), Err(Invalid::Date { .. })),
                "{y}-{m}-{d}"
            );
        }
        let now = as_of("2026-01-10T12:00:00Z");
        assert!(matches!(
            now.past_date(date(1799, 12, 31)),
            Err(Invalid::OutOfRange(_))
        ));
        assert!(now.past_date(date(1800, 1, 1)).is_ok());
    }

    #[test]
    fn a_date_is_future_only_once_it_is_future_everywhere() {
        // 23:00 UTC on the 10th is already the 11th in Kiribati (UTC+14), not the 12th.
        let now = as_of("2026-01-10T23:00:00Z");
        assert!(now.past_date(date(2026, 1, 11)).is_ok());
        assert_eq!(now.past_date(date(2026, 1, 12)), Err(Invalid::InFuture));
    }

    #[test]
    fn request_instants_keep_their_offset_and_allow_small_skew() {
        let now = as_of("2026-01-10T12:00:00Z");
        let utc = |rfc3339: &str| {
            DateTime::parse_from_rfc3339(rfc3339)
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let instant = offset_instant(utc("2026-01-10T12:04:00Z"), -3 * 3600)
            .and_then(|i| now.past_instant(i));
        assert_eq!(
            instant.as_ref().map(|i| i.offset().local_minus_utc()),
            Ok(-3 * 3600)
        );
        assert_eq!(
            instant.map(|i| i.to_rfc3339()),
            Ok("2026-01-10T09:04:00-03:00".to_owned())
        );
        let fast = offset_instant(utc("2026-01-10T12:06:00Z"), 0);
        assert_eq!(
            fast.and_then(|i| now.past_instant(i)),
            Err(Invalid::InFuture)
        );
        assert!(matches!(
            offset_instant(utc("2026-01-10T12:00:00Z"), 86_400),
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
        fn calendar_date_never_panics_and_round_trips(
            y in -10_000i32..10_000,
            m in -2i32..15,
            d in -2i32..34,
        ) {
            if let Ok(day) = calendar_date(y, m, d) {
                prop_assert_eq!(day.year(), y);
                prop_assert_eq!(Some(day.month()), u32::try_from(m).ok());
                prop_assert_eq!(Some(day.day()), u32::try_from(d).ok());
            }
        }
    }
}
