//! The closed lists a proposal's enums take, in QI Tech's spellings.

use crate::domain::term::term;

term! {
    /// The kind of credit being granted.
    pub enum CreditType {
        Clean => "clean",
        StudentLoan => "student_loan",
        CreditCardLimit => "credit_card_limit",
    }
}

term! {
    /// The company's legal form (Ltda. or S.A.).
    pub enum ConstitutionType {
        Llc => "llc",
        Corp => "corp",
    }
}

term! {
    /// The ISO 4217 currency of the requested amount.
    pub enum Currency {
        Brl => "BRL",
        Usd => "USD",
        Eur => "EUR",
    }
}

term! {
    /// The debt index of the credit.
    pub enum InterestType {
        CdiPlus => "cdi_plus",
        CdiPercentage => "cdi_percentage",
        Price => "price",
        PreFixed => "pre_fixed",
    }
}

term! {
    /// The kind of collateral; only real estate is accepted for now.
    pub enum WarrantType {
        RealEstate => "real_estate",
    }
}

term! {
    /// Where the credit was sold.
    pub enum Channel {
        Website => "website",
        App => "app",
    }
}

term! {
    /// What a phone number is for.
    pub enum PhoneType {
        Residential => "residential",
        Mobile => "mobile",
        Commercial => "commercial",
    }
}

term! {
    /// The 27 federative units of Brazil (26 states and the Federal District).
    pub enum Uf {
        Ac => "AC", Al => "AL", Ap => "AP", Am => "AM", Ba => "BA", Ce => "CE",
        Df => "DF", Es => "ES", Go => "GO", Ma => "MA", Mt => "MT", Ms => "MS",
        Mg => "MG", Pa => "PA", Pb => "PB", Pr => "PR", Pe => "PE", Pi => "PI",
        Rj => "RJ", Rn => "RN", Rs => "RS", Ro => "RO", Rr => "RR", Sc => "SC",
        Sp => "SP", Se => "SE", To => "TO",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_case_insensitive_and_stored_canonical() {
        assert_eq!(ConstitutionType::parse("LLC"), Ok(ConstitutionType::Llc));
        assert_eq!(ConstitutionType::parse("llc"), Ok(ConstitutionType::Llc));
        assert_eq!(Currency::parse("brl").map(Currency::as_str), Ok("BRL"));
        assert_eq!(Uf::parse("sp"), Ok(Uf::Sp));
        assert_eq!(Uf::ALL.len(), 27);
        assert!(Uf::parse("XX").is_err());
    }
}
