//! The README's tables of error codes are the enums', row for row: a code added, renamed or
//! re-documented here fails this test until the README says the same.

use aval_errors::{ErrorCode, FieldCode, OAuthError};

const README: &str = include_str!("../../../README.md");

fn error_table() -> String {
    let mut table = String::from("| code | HTTP | meaning |\n| --- | --- | --- |\n");
    for code in ErrorCode::ALL {
        let http = match code {
            ErrorCode::MeshAccessDenied => "500 (shown as `INTERNAL`)".to_owned(),
            _ => code.http_status().to_string(),
        };
        table.push_str(&format!("| `{code}` | {http} | {} |\n", code.description()));
    }
    table
}

fn field_table() -> String {
    let mut table = String::from("| code | meaning |\n| --- | --- |\n");
    for code in FieldCode::ALL {
        table.push_str(&format!("| `{code}` | {} |\n", code.description()));
    }
    table
}

fn oauth_table() -> String {
    let mut table = String::from("| error | meaning |\n| --- | --- |\n");
    for code in OAuthError::ALL {
        table.push_str(&format!("| `{code}` | {} |\n", code.description()));
    }
    table
}

/// The text between `<!-- name:begin -->` and `<!-- name:end -->`.
fn section(name: &str) -> Option<&'static str> {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let start = README.find(&begin)? + begin.len();
    let len = README[start..].find(&end)?;
    Some(&README[start..start + len])
}

#[test]
fn the_readme_lists_every_error_code_as_the_enum_documents_it() {
    let expected = error_table();
    assert_eq!(
        section("error-codes"),
        Some(expected.as_str()),
        "paste this between the error-codes markers of README.md:\n{expected}"
    );
}

#[test]
fn the_readme_lists_every_field_code_as_the_enum_documents_it() {
    let expected = field_table();
    assert_eq!(
        section("field-codes"),
        Some(expected.as_str()),
        "paste this between the field-codes markers of README.md:\n{expected}"
    );
}

#[test]
fn the_readme_lists_every_token_error_as_the_enum_documents_it() {
    let expected = oauth_table();
    assert_eq!(
        section("oauth-errors"),
        Some(expected.as_str()),
        "paste this between the oauth-errors markers of README.md:\n{expected}"
    );
}
