//! Calendar days as partners write them: strictly `YYYY-MM-DD`.

use aval_proto::common::v1::Date;
use aval_transport::time::{from_date, to_date};
use chrono::NaiveDate;

/// A strict `YYYY-MM-DD` calendar day: chrono alone would also take `2019-1-1`.
pub fn parse_day(input: &str) -> Option<Date> {
    let shape_ok = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .ok()
        .map(to_date)
}

/// `YYYY-MM-DD`; empty for a day that does not exist.
pub fn format_day(date: &Date) -> String {
    from_date(date)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strict_days_parse_and_they_format_back() {
        let day = parse_day("2026-01-31");
        assert_eq!(day.as_ref().map(format_day).as_deref(), Some("2026-01-31"));
        for loose in ["2026-1-31", "2026-02-30", "31/01/2026", " 2026-01-31", ""] {
            assert_eq!(parse_day(loose), None, "{loose:?}");
        }
    }
}
