use crate::{FieldCode, FieldPath, FieldViolation};

/// A value refused for one field: the code and the message its violation carries.
pub trait Refusal {
    fn code(&self) -> FieldCode;
    fn message(&self) -> String;
}

/// The violations found so far while a request's fields are read. Every one is collected, so a
/// caller fixes a request in one round trip, not one per field.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    /// The value, or `None` after recording why `field` was refused.
    pub fn check<T, R: Refusal>(&mut self, field: &FieldPath, result: Result<T, R>) -> Option<T> {
        result.map_err(|refusal| self.refuse(field, &refusal)).ok()
    }

    pub fn refuse(&mut self, field: &FieldPath, refusal: &impl Refusal) {
        self.push(FieldViolation::at(field, refusal.code(), refusal.message()));
    }

    pub fn push(&mut self, violation: FieldViolation) {
        self.0.push(violation);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldViolation> {
        self.0
    }

    /// `value` when nothing was refused; every violation otherwise (a refused field leaves a
    /// hole in `value`, so it is never built then).
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldViolation>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TooLong;

    impl Refusal for TooLong {
        fn code(&self) -> FieldCode {
            FieldCode::TooLong
        }
        fn message(&self) -> String {
            "at most 3 characters".to_owned()
        }
    }

    #[test]
    fn every_refusal_is_kept_and_nothing_is_built_after_one() {
        let mut v = Violations::default();
        let ok: Option<u8> = v.check(&FieldPath::field("a"), Ok::<_, TooLong>(1));
        let refused: Option<u8> = v.check(&FieldPath::field("b"), Err(TooLong));
        v.refuse(&FieldPath::field("c").index(0), &TooLong);
        assert_eq!((ok, refused), (Some(1), None));
        assert_eq!(
            v.finish(Some(())),
            Err(vec![
                FieldViolation::new("b", FieldCode::TooLong, "at most 3 characters"),
                FieldViolation::new("c[0]", FieldCode::TooLong, "at most 3 characters"),
            ])
        );
        assert_eq!(Violations::default().finish(Some(7)), Ok(7));
    }
}
