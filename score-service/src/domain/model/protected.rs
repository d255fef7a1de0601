//! Lei 12.414/2011 art. 7-A: a score must not use data about social or ethnic origin, health,
//! genetics, sex, or political, religious or philosophical convictions (and art. 3 §3 II adds
//! sexual orientation to the sensitive data a bureau may not keep). A model, or a feature
//! declaration, that reads such data is refused when it is published.
//!
//! The guard reads identifiers (field names, display names, derived fields), in Portuguese and
//! English. The matching rule, in order:
//!
//! 1. The identifier is split into words at separators, at camelCase humps and between letters
//!    and digits (`racaCor` → `raca cor`, `client_gender` → `client gender`), lower-cased, with
//!    accents folded (`Gênero` → `genero`).
//! 2. Innocent phrases are set aside first: a politically exposed person (`PEP`,
//!    `pessoa_politicamente_exposta`) is an anti-money-laundering flag, not a conviction;
//!    `politica_credito` is a credit policy; `origem_recursos` is the source of funds.
//! 3. Refused when two adjacent words form a protected phrase (`orientacao_sexual`,
//!    `ethnic_origin`; the connectors de/da/do/of are skipped), when a word is in the protected
//!    vocabulary (`sexo`, `gender`, `raca`, `cor`, `saude`, `partido`, `origem`…), when a word
//!    starts with a protected stem (`religi…`, `politic…`, `etni…`, `genetic…`, `filosof…`),
//!    or when a word glued from several contains a long unambiguous term (`clientgender`).
//!
//! So words that only share letters pass: `originating_channel`, `loan_origination_date`,
//! `score`, `trace_id`, `sexta_feira`, `generation`, `policy`. Bare `origem`/`origin` and
//! Portuguese `politica` are refused even though they sometimes mean something innocent: the
//! guard errs on the side of the law, and the error names the word so the author can rename
//! the field to what it is (`canal_entrada`, `regra_credito`).

use std::fmt;

/// What kind of protected data a word reveals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtectedCategory {
    SocialOrEthnicOrigin,
    Health,
    Genetics,
    Sex,
    SexualOrientation,
    Convictions,
}

impl ProtectedCategory {
    /// The rule that forbids it, as an error message cites it.
    pub fn rule(self) -> &'static str {
        match self {
            Self::SexualOrientation => "Lei 12.414/2011 art. 7-A and art. 3 §3 II",
            _ => "Lei 12.414/2011 art. 7-A",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::SocialOrEthnicOrigin => "social or ethnic origin",
            Self::Health => "health",
            Self::Genetics => "genetic data",
            Self::Sex => "sex or gender",
            Self::SexualOrientation => "sexual orientation",
            Self::Convictions => "political, religious or philosophical convictions",
        }
    }
}

impl fmt::Display for ProtectedCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A model or feature that reads protected data: where, what, and the word that showed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{location} reads data about {category} (the word `{term}`), which {rule} forbids in a credit score",
    rule = category.rule()
)]
pub struct ProtectedField {
    /// Where the identifier is (`DataField "Sexo" (line 4)`, `features[2].feature`).
    pub location: String,
    pub category: ProtectedCategory,
    /// The word or phrase, as folded, that matched.
    pub term: String,
}

use ProtectedCategory::{
    Convictions, Genetics, Health, Sex, SexualOrientation, SocialOrEthnicOrigin,
};

/// Two adjacent words that together name protected data.
const PHRASES: &[(&str, &str, ProtectedCategory)] = &[
    ("orientacao", "sexual", SexualOrientation),
    ("opcao", "sexual", SexualOrientation),
    ("sexual", "orientation", SexualOrientation),
    ("sexual", "preference", SexualOrientation),
    ("identidade", "genero", Sex),
    ("gender", "identity", Sex),
    ("origem", "social", SocialOrEthnicOrigin),
    ("origem", "etnica", SocialOrEthnicOrigin),
    ("origem", "racial", SocialOrEthnicOrigin),
    ("social", "origin", SocialOrEthnicOrigin),
    ("ethnic", "origin", SocialOrEthnicOrigin),
    ("national", "origin", SocialOrEthnicOrigin),
    ("classe", "social", SocialOrEthnicOrigin),
    ("social", "class", SocialOrEthnicOrigin),
    ("cor", "pele", SocialOrEthnicOrigin),
    ("skin", "color", SocialOrEthnicOrigin),
    ("skin", "colour", SocialOrEthnicOrigin),
    ("opiniao", "politica", Convictions),
    ("political", "opinion", Convictions),
];

/// Whole words that name protected data.
const WORDS: &[(&str, ProtectedCategory)] = &[
    ("sexo", Sex),
    ("sexos", Sex),
    ("sex", Sex),
    ("sexes", Sex),
    ("sexual", Sex),
    ("sexualidade", Sex),
    ("sexuality", Sex),
    ("genero", Sex),
    ("generos", Sex),
    ("gender", Sex),
    ("genders", Sex),
    ("masculino", Sex),
    ("feminino", Sex),
    ("male", Sex),
    ("female", Sex),
    ("homem", Sex),
    ("mulher", Sex),
    ("woman", Sex),
    ("women", Sex),
    ("lgbt", SexualOrientation),
    ("lgbtq", SexualOrientation),
    ("lgbtqia", SexualOrientation),
    ("gay", SexualOrientation),
    ("lesbica", SexualOrientation),
    ("lesbian", SexualOrientation),
    ("raca", SocialOrEthnicOrigin),
    ("racas", SocialOrEthnicOrigin),
    ("race", SocialOrEthnicOrigin),
    ("races", SocialOrEthnicOrigin),
    ("racial", SocialOrEthnicOrigin),
    ("cor", SocialOrEthnicOrigin),
    ("origem", SocialOrEthnicOrigin),
    ("origin", SocialOrEthnicOrigin),
    ("naturalidade", SocialOrEthnicOrigin),
    ("nacionalidade", SocialOrEthnicOrigin),
    ("nationality", SocialOrEthnicOrigin),
    ("indigena", SocialOrEthnicOrigin),
    ("indigenous", SocialOrEthnicOrigin),
    ("quilombola", SocialOrEthnicOrigin),
    ("casta", SocialOrEthnicOrigin),
    ("caste", SocialOrEthnicOrigin),
    ("saude", Health),
    ("health", Health),
    ("healthcare", Health),
    ("doenca", Health),
    ("doencas", Health),
    ("disease", Health),
    ("diseases", Health),
    ("medical", Health),
    ("medico", Health),
    ("medica", Health),
    ("clinico", Health),
    ("clinical", Health),
    ("diagnostico", Health),
    ("diagnosis", Health),
    ("deficiencia", Health),
    ("disability", Health),
    ("disabled", Health),
    ("pcd", Health),
    ("gravidez", Health),
    ("gestante", Health),
    ("pregnancy", Health),
    ("pregnant", Health),
    ("hiv", Health),
    ("cancer", Health),
    ("dna", Genetics),
    ("gene", Genetics),
    ("genes", Genetics),
    ("genotipo", Genetics),
    ("genotype", Genetics),
    ("partido", Convictions),
    ("partidos", Convictions),
    ("partidario", Convictions),
    ("partidaria", Convictions),
    ("partisan", Convictions),
    ("crenca", Convictions),
    ("crencas", Convictions),
    ("belief", Convictions),
    ("beliefs", Convictions),
    ("conviccao", Convictions),
    ("conviccoes", Convictions),
    ("conviction", Convictions),
    ("convictions", Convictions),
    ("igreja", Convictions),
    ("church", Convictions),
    ("ateu", Convictions),
    ("atheist", Convictions),
    ("catolico", Convictions),
    ("catholic", Convictions),
    ("evangelico", Convictions),
    ("evangelical", Convictions),
    ("muculmano", Convictions),
    ("muslim", Convictions),
    ("judeu", Convictions),
    ("jewish", Convictions),
    ("espirita", Convictions),
    ("umbanda", Convictions),
    ("candomble", Convictions),
];

/// Word beginnings that name protected data in every inflection.
const STEMS: &[(&str, ProtectedCategory)] = &[
    ("etni", SocialOrEthnicOrigin),
    ("ethni", SocialOrEthnicOrigin),
    ("genetic", Genetics),
    ("genom", Genetics),
    ("homossex", SexualOrientation),
    ("homosex", SexualOrientation),
    ("bissex", SexualOrientation),
    ("bisex", SexualOrientation),
    ("heterossex", SexualOrientation),
    ("heterosex", SexualOrientation),
    ("transgen", SexualOrientation),
    ("religi", Convictions),
    ("politic", Convictions),
    ("filosof", Convictions),
    ("philosoph", Convictions),
    ("ideolog", Convictions),
];

/// Long terms that are protected wherever they appear inside a word glued from several.
const INFIXES: &[(&str, ProtectedCategory)] = &[
    ("gender", Sex),
    ("sexual", Sex),
    ("sexo", Sex),
    ("ethnic", SocialOrEthnicOrigin),
    ("etnia", SocialOrEthnicOrigin),
    ("saude", Health),
    ("genetic", Genetics),
    ("genoma", Genetics),
    ("genome", Genetics),
    ("religi", Convictions),
    ("filosof", Convictions),
    ("philosoph", Convictions),
];

/// Phrases that look protected but are not (see the module documentation).
const INNOCENT: &[(&str, &[&str])] = &[
    (
        "politicamente",
        &["exposta", "exposto", "expostas", "expostos"],
    ),
    ("politically", &["exposed"]),
    (
        "politica",
        &[
            "credito",
            "credit",
            "comercial",
            "cobranca",
            "risco",
            "preco",
            "precos",
            "desconto",
            "juros",
            "limite",
            "aprovacao",
        ],
    ),
    ("origem", &["recursos", "renda", "fundos"]),
    ("funds", &["origin"]),
];

/// Words skipped when looking for two-word phrases (`cor_da_pele`).
const CONNECTORS: &[&str] = &["de", "da", "do", "das", "dos", "e", "of", "the"];

/// Refuses `identifier` (found at `location`) when it names protected data.
pub fn check(location: impl fmt::Display, identifier: &str) -> Result<(), ProtectedField> {
    match find(identifier) {
        Some((category, term)) => Err(ProtectedField {
            location: location.to_string(),
            category,
            term,
        }),
        None => Ok(()),
    }
}

/// The protected data `identifier` names, and the word or phrase that shows it.
pub fn find(identifier: &str) -> Option<(ProtectedCategory, String)> {
    let words: Vec<String> = words(identifier)
        .into_iter()
        .filter(|w| !CONNECTORS.contains(&w.as_str()))
        .collect();
    let mut innocent = vec![false; words.len()];
    for (i, pair) in words.windows(2).enumerate() {
        let is_innocent = INNOCENT
            .iter()
            .any(|(first, seconds)| pair[0] == *first && seconds.contains(&pair[1].as_str()));
        if is_innocent {
            innocent[i] = true;
            innocent[i + 1] = true;
        }
    }
    for (i, pair) in words.windows(2).enumerate() {
        if innocent[i] || innocent[i + 1] {
            continue;
        }
        if let Some((a, b, category)) = PHRASES
            .iter()
            .find(|(a, b, _)| pair[0] == *a && pair[1] == *b)
        {
            return Some((*category, format!("{a} {b}")));
        }
    }
    let candidates = words.iter().zip(&innocent).filter(|(_, i)| !**i);
    for (word, _) in candidates {
        let word = word.as_str();
        let found = WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .or_else(|| STEMS.iter().find(|(stem, _)| word.starts_with(stem)))
            .or_else(|| INFIXES.iter().find(|(infix, _)| word.contains(infix)));
        if let Some((_, category)) = found {
            return Some((*category, word.to_owned()));
        }
    }
    None
}

/// The words of an identifier, lower-cased and with accents folded.
pub fn words(identifier: &str) -> Vec<String> {
    let chars: Vec<char> = identifier.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            flush(&mut words, &mut current);
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next = chars.get(i + 1).copied();
            let hump = prev.is_lowercase() && c.is_uppercase();
            // The last capital of an acronym starts the next word: `PEPStatus` → PEP Status.
            let acronym_end =
                prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
            let digits = prev.is_ascii_digit() != c.is_ascii_digit() && prev.is_alphanumeric();
            if hump || acronym_end || digits {
                flush(&mut words, &mut current);
            }
        }
        current.extend(c.to_lowercase().map(fold));
    }
    flush(&mut words, &mut current);
    words
}

fn flush(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

/// Portuguese (and a few other Latin) accents folded to their base letter.
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn category(identifier: &str) -> Option<ProtectedCategory> {
        find(identifier).map(|(c, _)| c)
    }

    #[test]
    fn identifiers_split_into_folded_words() {
        assert_eq!(words("racaCor"), ["raca", "cor"]);
        assert_eq!(words("client_gender"), ["client", "gender"]);
        assert_eq!(words("PEPStatus"), ["pep", "status"]);
        assert_eq!(words("SAÚDE-Plano2"), ["saude", "plano", "2"]);
        assert_eq!(words("Orientação Sexual"), ["orientacao", "sexual"]);
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn protected_data_is_found_in_both_languages_whatever_the_case_or_accents() {
        for (identifier, expected) in [
            ("Sexo", Sex),
            ("client_gender", Sex),
            ("GÊNERO", Sex),
            ("genero_declarado", Sex),
            ("clientgender", Sex),
            ("racaCor", SocialOrEthnicOrigin),
            ("raça", SocialOrEthnicOrigin),
            ("etnia", SocialOrEthnicOrigin),
            ("ethnicity_code", SocialOrEthnicOrigin),
            ("origem_social", SocialOrEthnicOrigin),
            ("country_of_origin", SocialOrEthnicOrigin),
            ("cor_da_pele", SocialOrEthnicOrigin),
            ("nacionalidade", SocialOrEthnicOrigin),
            ("saude", Health),
            ("plano_de_saúde", Health),
            ("health_score", Health),
            ("doença_crônica", Health),
            ("genetica", Genetics),
            ("geneticTestResult", Genetics),
            ("dna_marker", Genetics),
            ("orientacao_sexual", SexualOrientation),
            ("sexualOrientation", SexualOrientation),
            ("homossexual", SexualOrientation),
            ("religião", Convictions),
            ("religious_affiliation", Convictions),
            ("partido_politico", Convictions),
            ("political_views", Convictions),
            ("crença", Convictions),
            ("filosofia_de_vida", Convictions),
            ("philosophical_belief", Convictions),
            ("politica", Convictions),
        ] {
            assert_eq!(category(identifier), Some(expected), "{identifier}");
        }
    }

    #[test]
    fn innocent_words_that_share_letters_pass() {
        for identifier in [
            "originating_channel",
            "loan_origination_date",
            "score",
            "trace_id",
            "sexta_feira",
            "generation",
            "general_ledger",
            "credit_policy",
            "on_time_payment_ratio",
            "late_payments_12m",
            "months_as_customer",
            "average_monthly_spend_cents",
            "active_lines",
            "has_bank_account",
            "descricao",
            "corretora",
            "income",
            "partida",
            "racional",
            "healthy",
        ] {
            assert_eq!(find(identifier), None, "{identifier}");
        }
    }

    #[test]
    fn innocent_phrases_are_set_aside() {
        for identifier in [
            "pessoa_politicamente_exposta",
            "politically_exposed_person",
            "politica_de_credito",
            "politicaCredito",
            "origem_dos_recursos",
        ] {
            assert_eq!(find(identifier), None, "{identifier}");
        }
        // Setting a phrase aside does not hide protected words beside it.
        assert_eq!(category("politica_credito_por_sexo"), Some(Sex));
    }

    #[test]
    fn the_error_names_the_field_the_word_and_the_rule() {
        let err = check("DataField \"Sexo\" (line 4)", "Sexo").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("DataField \"Sexo\" (line 4)"), "{message}");
        assert!(message.contains("`sexo`"), "{message}");
        assert!(message.contains("art. 7-A"), "{message}");
        let err = check("f", "orientacao_sexual").unwrap_err();
        assert!(err.to_string().contains("art. 3 §3 II"), "{err}");
    }

    proptest! {
        #[test]
        fn a_protected_word_is_found_whatever_surrounds_it(
            before in "[a-z]{0,8}", after in "[a-z]{0,8}",
            word in prop::sample::select(vec!["sexo", "gender", "raca", "religiao", "saude", "etnia"]),
            sep in prop::sample::select(vec!["_", "-", " ", "."]),
        ) {
            let identifier = [before.as_str(), word, after.as_str()]
                .iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(sep);
            prop_assert!(find(&identifier).is_some(), "{}", identifier);
        }

        #[test]
        fn plain_ascii_noise_never_panics(identifier in "\\PC{0,40}") {
            let _ = find(&identifier);
        }
    }
}
