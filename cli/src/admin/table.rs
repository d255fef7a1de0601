//! Plain text tables for listings: a header row and left-aligned columns, two spaces apart.

/// Renders `rows` under `header`, each column as wide as its widest cell (in characters).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The one-character placeholder for an absent value.
pub const NONE: &str = "-";

/// A protobuf timestamp as `2026-11-24 12:03:44 UTC`.
pub fn timestamp(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(aval_transport::time::from_timestamp)
        .map_or_else(
            || NONE.to_owned(),
            |at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let table = render(
            &["ID", "VERSION", "FEATURES"],
            &[
                vec!["credit-v1".into(), "2".into(), "a, b".into()],
                vec!["x".into(), "10".into(), NONE.into()],
            ],
        );
        assert_eq!(
            table,
            "ID         VERSION  FEATURES\ncredit-v1  2        a, b\nx          10       -"
        );
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        let ts = prost_types::Timestamp {
            seconds: 1_795_000_000,
            nanos: 5,
        };
        assert_eq!(timestamp(Some(&ts)), "2026-11-18 11:06:40 UTC");
        assert_eq!(timestamp(None), "-");
    }
}
