//! CSV records with the line each starts on. `csv_core` parses (RFC 4180 quoting, `""` escapes,
//! LF, CRLF or CR line ends); it is fed one physical line at a time so the line a record starts
//! on is known exactly, whatever quoted cells span several lines and however many blank lines
//! come between records (the `csv` crate's own positions drift on both).

use csv_core::ReadRecordResult;
use std::io::{self, BufRead};

/// One record: its cells, as bytes.
pub struct Record<'a> {
    /// The 1-based line the record starts on.
    pub line: u64,
    fields: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let fields = self.fields;
        self.ends.iter().scan(0, move |start, &end| {
            let cell = fields.get(*start..end).unwrap_or_default();
            *start = end;
            Some(cell)
        })
    }
}

pub struct CsvRecords<R: BufRead> {
    reader: R,
    core: csv_core::Reader,
    /// Physical lines read so far.
    line: u64,
    /// The current physical line, and how much of it the parser has taken.
    pending: Vec<u8>,
    taken: usize,
    eof: bool,
    done: bool,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            core: csv_core::Reader::new(),
            line: 0,
            pending: Vec::new(),
            taken: 0,
            eof: false,
            done: false,
            fields: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// Physical lines read so far.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next record; `None` at the end of the input. Lines holding only blanks between
    /// records are skipped.
    pub fn next_record(&mut self) -> io::Result<Option<Record<'_>>> {
        if self.done {
            return Ok(None);
        }
        let (mut outlen, mut endlen) = (0, 0);
        let mut start = None;
        loop {
            if self.taken >= self.pending.len() && !self.eof {
                self.pending.clear();
                self.taken = 0;
                if self.reader.read_until(b'\n', &mut self.pending)? == 0 {
                    self.eof = true;
                } else {
                    self.line += 1;
                    if start.is_none() {
                        if is_blank(&self.pending, self.line) {
                            self.taken = self.pending.len();
                            continue;
                        }
                        start = Some(self.line);
                    }
                }
            }
            let input = if self.eof {
                &[][..]
            } else {
                &self.pending[self.taken..]
            };
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.fields[outlen..], &mut self.ends[endlen..]);
            self.taken += nin;
            outlen += nout;
            endlen += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let grown = self.fields.len() * 2;
                    self.fields.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    return Ok(Some(Record {
                        line: start.unwrap_or(self.line),
                        fields: &self.fields[..outlen],
                        ends: &self.ends[..endlen],
                    }));
                }
                ReadRecordResult::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }
}

/// A line of blanks only (a byte-order mark on the first line counts as blank).
fn is_blank(line: &[u8], number: u64) -> bool {
    let line = if number == 1 {
        line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line)
    } else {
        line
    };
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> io::Result<Vec<(u64, Vec<String>)>> {
        let mut reader = CsvRecords::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(record) = reader.next_record()? {
            let cells = record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            out.push((record.line, cells));
        }
        Ok(out)
    }

    fn owned(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn records_know_their_line_through_blank_lines_and_crlf() -> io::Result<()> {
        assert_eq!(
            records("h,a\r\n\r\nx,1\r\n   \r\n\r\ny,2\r\n\r\n")?,
            [
                (1, owned(&["h", "a"])),
                (3, owned(&["x", "1"])),
                (6, owned(&["y", "2"]))
            ]
        );
        Ok(())
    }

    #[test]
    fn quoted_cells_may_span_lines_and_hold_quotes_and_commas() -> io::Result<()> {
        assert_eq!(
            records("h\n\"a\nb\",\"c,\"\"d\"\"\"\n\n\"\"\nlast")?,
            [
                (1, owned(&["h"])),
                (2, owned(&["a\nb", "c,\"d\""])),
                (5, owned(&[""])),
                (6, owned(&["last"])),
            ]
        );
        Ok(())
    }

    #[test]
    fn a_bom_is_not_part_of_the_first_cell() -> io::Result<()> {
        assert_eq!(
            records("\u{feff}document,a\n")?,
            [(1, owned(&["document", "a"]))]
        );
        Ok(())
    }

    #[test]
    fn long_records_grow_the_buffers() -> io::Result<()> {
        let cells: Vec<String> = (0..500).map(|i| format!("cell-{i:04}")).collect();
        let text = format!("{}\n", cells.join(","));
        assert_eq!(records(&text)?, [(1, cells)]);
        Ok(())
    }
}
