use super::*;

fn read(format: FileFormat, text: &str) -> anyhow::Result<(Vec<String>, Vec<Parsed>)> {
    let rows = ProfileRows::open(Some(format), Path::new("x"), text.as_bytes())?;
    let columns = rows.columns().to_vec();
    let parsed = rows.collect::<anyhow::Result<Vec<_>>>()?;
    Ok((columns, parsed))
}

fn raw(text: &str) -> FeatureValue {
    FeatureValue {
        value: Some(Value::Raw(text.to_owned())),
    }
}

fn rows_of(parsed: &[Parsed]) -> Vec<&ProfileRow> {
    parsed
        .iter()
        .filter_map(|p| match p {
            Parsed::Row(row) => Some(row),
            Parsed::Rejected(_) => None,
        })
        .collect()
}

fn errors_of(parsed: &[Parsed]) -> Vec<&RowError> {
    parsed
        .iter()
        .flat_map(|p| match p {
            Parsed::Row(_) => [].iter(),
            Parsed::Rejected(errors) => errors.iter(),
        })
        .collect()
}

#[test]
fn csv_rows_carry_raw_cells_and_their_line() -> anyhow::Result<()> {
    let (columns, parsed) = read(
        FileFormat::Csv,
        "document,income,region\n529.982.247-25,1200.50,SP\n11144477735,,RJ\n",
    )?;
    assert_eq!(columns, ["income", "region"]);
    let rows = rows_of(&parsed);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].line, 2, "the header is line 1");
    assert_eq!(rows[0].document, "529.982.247-25");
    assert_eq!(rows[0].features["income"], raw("1200.50"));
    assert_eq!(rows[0].features["region"], raw("SP"));
    assert_eq!(rows[1].line, 3);
    assert_eq!(
        rows[1].features["income"],
        FeatureValue { value: None },
        "an empty cell is missing"
    );
    Ok(())
}

#[test]
fn csv_quoting_keeps_commas_quotes_and_newlines_and_lines_count_physical_lines()
-> anyhow::Result<()> {
    let text = "document,name,note\n\
                52998224725,\"Silva, Maria\",\"says \"\"hi\"\"\"\n\
                11144477735,José,\"two\nlines\"\n\
                39053344705,Ana,ok\n";
    let (_, parsed) = read(FileFormat::Csv, text)?;
    let rows = rows_of(&parsed);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].features["name"], raw("Silva, Maria"));
    assert_eq!(rows[0].features["note"], raw("says \"hi\""));
    assert_eq!(rows[1].features["note"], raw("two\nlines"));
    assert_eq!(rows[1].line, 3);
    assert_eq!(rows[2].line, 5, "after a cell spanning two lines");
    Ok(())
}

#[test]
fn csv_rows_with_the_wrong_number_of_cells_are_rejected_with_their_line() -> anyhow::Result<()> {
    let (_, parsed) = read(
        FileFormat::Csv,
        "document,a,b\n52998224725,1,2\n11144477735,1\n39053344705,1,2,3\n86288366757,1,2\n",
    )?;
    assert_eq!(rows_of(&parsed).len(), 2, "the good rows still load");
    let errors = errors_of(&parsed);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].line, 3);
    assert_eq!(errors[0].field, "");
    assert_eq!(errors[0].code, "INVALID_FORMAT");
    assert_eq!(
        errors[0].reason,
        "expected 3 cells (as the header has), found 2"
    );
    assert_eq!(errors[1].line, 4);
    assert_eq!(
        errors[1].reason,
        "expected 3 cells (as the header has), found 4"
    );
    Ok(())
}

#[test]
fn csv_blank_lines_are_skipped_but_still_counted() -> anyhow::Result<()> {
    let (_, parsed) = read(
        FileFormat::Csv,
        "document,a\r\n\r\n52998224725,1\r\n   \r\n\r\n11144477735,2\r\n\r\n",
    )?;
    let rows = rows_of(&parsed);
    assert_eq!(errors_of(&parsed).len(), 0);
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        [3, 6],
        "CRLF line ends, blank and whitespace-only lines"
    );
    Ok(())
}

#[test]
fn the_document_column_may_be_anywhere_and_a_bom_is_ignored() -> anyhow::Result<()> {
    let (columns, parsed) = read(FileFormat::Csv, "\u{feff}a, document ,b\n1,52998224725,2\n")?;
    assert_eq!(columns, ["a", "b"]);
    let rows = rows_of(&parsed);
    assert_eq!(rows[0].document, "52998224725");
    assert_eq!(rows[0].features["a"], raw("1"));
    assert_eq!(rows[0].features["b"], raw("2"));
    Ok(())
}

#[test]
fn bad_headers_fail_before_anything_is_read() {
    let fails = |text: &str, says: &str| {
        let err = ProfileRows::open(Some(FileFormat::Csv), Path::new("x"), text.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(says), "{text:?}: {err}");
    };
    fails("", "the file is empty");
    fails("cpf,a\n1,2\n", "no `document` column (it has cpf, a)");
    fails("document,a,a\n", "column `a` appears twice");
    fails("document,,b\n", "column 2 of the header has no name");
}

#[test]
fn a_header_only_file_has_no_rows() -> anyhow::Result<()> {
    let (columns, parsed) = read(FileFormat::Csv, "document,a\n")?;
    assert_eq!(columns, ["a"]);
    assert!(parsed.is_empty());
    Ok(())
}

#[test]
fn csv_cells_that_are_not_utf8_reject_their_row() -> anyhow::Result<()> {
    let mut bytes = b"document,a\n52998224725,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\n11144477735,ok\n");
    let rows = ProfileRows::open(Some(FileFormat::Csv), Path::new("x"), bytes.as_slice())?;
    let parsed = rows.collect::<anyhow::Result<Vec<_>>>()?;
    let errors = errors_of(&parsed);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].field.as_str()), (2, "a"));
    assert_eq!(rows_of(&parsed).len(), 1);
    Ok(())
}

#[test]
fn ndjson_values_keep_their_json_types() -> anyhow::Result<()> {
    let (columns, parsed) = read(
        FileFormat::Ndjson,
        r#"{"document": "52998224725", "income": 1200.5, "months": 12, "region": "SP", "owns_car": true, "debt": null}"#,
    )?;
    assert!(columns.is_empty());
    let rows = rows_of(&parsed);
    let row = rows[0];
    assert_eq!(row.line, 1);
    assert_eq!(row.document, "52998224725");
    let value = |key: &str| row.features.get(key).and_then(|f| f.value.clone());
    assert_eq!(value("income"), Some(Value::Number(1200.5)));
    assert_eq!(value("months"), Some(Value::Number(12.0)));
    assert_eq!(value("region"), Some(Value::Text("SP".into())));
    assert_eq!(value("owns_car"), Some(Value::Flag(true)));
    assert!(
        row.features.contains_key("debt"),
        "null is sent, as missing"
    );
    assert_eq!(value("debt"), None);
    assert!(!row.features.contains_key(DOCUMENT));
    Ok(())
}

#[test]
fn ndjson_bad_lines_are_rejected_with_their_line_and_blank_lines_skipped() -> anyhow::Result<()> {
    let text = "{\"document\": \"52998224725\", \"a\": 1}\n\
                \n\
                {\"document\": \"11144477735\", \"a\": \n\
                [1, 2]\n\
                {\"document\": \"39053344705\", \"a\": [1], \"b\": {\"x\": 1}, \"c\": 2}\n\
                {\"document\": 39053344705}\n\
                \r\n\
                {\"document\": \"86288366757\"}\r\n";
    let (_, parsed) = read(FileFormat::Ndjson, text)?;
    let rows = rows_of(&parsed);
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 8]);
    let errors: Vec<(u64, &str, &str)> = errors_of(&parsed)
        .iter()
        .map(|e| (e.line, e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "", "INVALID_JSON"),
            (4, "", "INVALID_JSON"),
            (5, "a", "INVALID_JSON"),
            (5, "b", "INVALID_JSON"),
            (6, "document", "INVALID_FORMAT"),
        ]
    );
    Ok(())
}

#[test]
fn an_ndjson_row_without_a_document_is_left_for_the_server_to_refuse() -> anyhow::Result<()> {
    let (_, parsed) = read(FileFormat::Ndjson, "{\"a\": 1}\n{\"document\": null}\n")?;
    let rows = rows_of(&parsed);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.document.is_empty()));
    Ok(())
}

#[test]
fn formats_come_from_the_extension_then_the_content() {
    let detect = |name: &str, head: &str| FileFormat::detect(Path::new(name), head.as_bytes());
    assert_eq!(detect("p.csv", "{"), FileFormat::Csv);
    assert_eq!(detect("p.NDJSON", "document"), FileFormat::Ndjson);
    assert_eq!(detect("p.jsonl", ""), FileFormat::Ndjson);
    assert_eq!(
        detect("p.txt", "\u{feff}  {\"document\""),
        FileFormat::Ndjson
    );
    assert_eq!(detect("-", "document,a"), FileFormat::Csv);
}

#[test]
fn an_unnamed_format_is_detected_when_opening() -> anyhow::Result<()> {
    let rows = ProfileRows::open(None, Path::new("-"), "{\"document\": \"1\"}\n".as_bytes())?;
    assert_eq!(rows.format(), FileFormat::Ndjson);
    let rows = ProfileRows::open(None, Path::new("-"), "document,a\n".as_bytes())?;
    assert_eq!(rows.format(), FileFormat::Csv);
    Ok(())
}
