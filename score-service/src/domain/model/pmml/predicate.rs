//! PMML predicates and their three-valued logic (PMML 4.4 TreeModel, "Predicates"): a
//! comparison with a missing input is UNKNOWN, and the compound operators combine TRUE, FALSE
//! and UNKNOWN as the specification's tables say. A Scorecard Attribute is selected only when
//! its predicate is TRUE.

use super::field::Literal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b { Self::True } else { Self::False }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equal,
    NotEqual,
    LessThan,
    LessOrEqual,
    GreaterThan,
    GreaterOrEqual,
    IsMissing,
    IsNotMissing,
}

impl Operator {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "equal" => Self::Equal,
            "notEqual" => Self::NotEqual,
            "lessThan" => Self::LessThan,
            "lessOrEqual" => Self::LessOrEqual,
            "greaterThan" => Self::GreaterThan,
            "greaterOrEqual" => Self::GreaterOrEqual,
            "isMissing" => Self::IsMissing,
            "isNotMissing" => Self::IsNotMissing,
            _ => return None,
        })
    }

    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            Self::LessThan | Self::LessOrEqual | Self::GreaterThan | Self::GreaterOrEqual
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BooleanOperator {
    And,
    Or,
    Xor,
    /// The first nested predicate that is not UNKNOWN decides.
    Surrogate,
}

impl BooleanOperator {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "and" => Self::And,
            "or" => Self::Or,
            "xor" => Self::Xor,
            "surrogate" => Self::Surrogate,
            _ => return None,
        })
    }
}

/// A predicate over the prepared inputs; `field` indexes them.
#[derive(Clone, Debug, PartialEq)]
pub enum Predicate {
    Simple {
        field: usize,
        operator: Operator,
        /// Absent only for isMissing / isNotMissing.
        value: Option<Literal>,
    },
    Set {
        field: usize,
        is_in: bool,
        values: Vec<Literal>,
    },
    Compound {
        operator: BooleanOperator,
        predicates: Vec<Predicate>,
    },
    True,
    False,
}

impl Predicate {
    /// The predicate's truth for the inputs (`None` = missing).
    pub fn evaluate(&self, inputs: &[Option<Literal>]) -> Truth {
        match self {
            Self::True => Truth::True,
            Self::False => Truth::False,
            Self::Simple {
                field,
                operator,
                value,
            } => {
                let input = inputs.get(*field).and_then(Option::as_ref);
                match (operator, input, value) {
                    (Operator::IsMissing, input, _) => input.is_none().into(),
                    (Operator::IsNotMissing, input, _) => input.is_some().into(),
                    (_, None, _) | (_, _, None) => Truth::Unknown,
                    (op, Some(x), Some(v)) => compare(*op, x, v),
                }
            }
            Self::Set {
                field,
                is_in,
                values,
            } => match inputs.get(*field).and_then(Option::as_ref) {
                None => Truth::Unknown,
                Some(x) => (values.contains(x) == *is_in).into(),
            },
            Self::Compound {
                operator,
                predicates,
            } => compound(*operator, predicates.iter().map(|p| p.evaluate(inputs))),
        }
    }
}

fn compare(operator: Operator, input: &Literal, value: &Literal) -> Truth {
    let order = match (input, value) {
        (Literal::Number(x), Literal::Number(v)) => x.partial_cmp(v),
        (Literal::Text(x), Literal::Text(v)) => Some(x.cmp(v)),
        (Literal::Bool(x), Literal::Bool(v)) => Some(x.cmp(v)),
        _ => None,
    };
    let Some(order) = order else {
        return Truth::Unknown;
    };
    match operator {
        Operator::Equal => order.is_eq(),
        Operator::NotEqual => order.is_ne(),
        Operator::LessThan => order.is_lt(),
        Operator::LessOrEqual => order.is_le(),
        Operator::GreaterThan => order.is_gt(),
        Operator::GreaterOrEqual => order.is_ge(),
        Operator::IsMissing | Operator::IsNotMissing => return Truth::Unknown,
    }
    .into()
}

/// The specification's tables: `and` is FALSE if any is FALSE, else UNKNOWN if any is
/// UNKNOWN, else TRUE; `or` is TRUE if any is TRUE, else UNKNOWN if any is, else FALSE; `xor`
/// is UNKNOWN if any is UNKNOWN, else TRUE when an odd number are TRUE; `surrogate` is the
/// first that is not UNKNOWN, else UNKNOWN.
fn compound(operator: BooleanOperator, mut truths: impl Iterator<Item = Truth>) -> Truth {
    match operator {
        BooleanOperator::And => truths.fold(Truth::True, |acc, t| match (acc, t) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::True,
        }),
        BooleanOperator::Or => truths.fold(Truth::False, |acc, t| match (acc, t) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::False,
        }),
        BooleanOperator::Xor => truths.fold(Truth::False, |acc, t| match (acc, t) {
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            (a, b) => (a != b).into(),
        }),
        BooleanOperator::Surrogate => truths
            .find(|t| *t != Truth::Unknown)
            .unwrap_or(Truth::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Truth::{False as F, True as T, Unknown as U};
    use proptest::prelude::*;

    fn constant(t: Truth) -> Predicate {
        match t {
            T => Predicate::True,
            F => Predicate::False,
            // A comparison with a missing input.
            U => Predicate::Simple {
                field: 0,
                operator: Operator::Equal,
                value: Some(Literal::Number(1.0)),
            },
        }
    }

    fn eval(operator: BooleanOperator, truths: &[Truth]) -> Truth {
        let predicates = truths.iter().copied().map(constant).collect();
        Predicate::Compound {
            operator,
            predicates,
        }
        .evaluate(&[None])
    }

    #[test]
    fn the_specifications_truth_tables_hold() {
        use BooleanOperator::{And, Or, Surrogate, Xor};
        let all = [T, F, U];
        for a in all {
            for b in all {
                let and = match (a, b) {
                    (F, _) | (_, F) => F,
                    (U, _) | (_, U) => U,
                    _ => T,
                };
                let or = match (a, b) {
                    (T, _) | (_, T) => T,
                    (U, _) | (_, U) => U,
                    _ => F,
                };
                let xor = match (a, b) {
                    (U, _) | (_, U) => U,
                    _ => Truth::from(a != b),
                };
                let surrogate = if a == U { b } else { a };
                assert_eq!(eval(And, &[a, b]), and, "{a:?} and {b:?}");
                assert_eq!(eval(Or, &[a, b]), or, "{a:?} or {b:?}");
                assert_eq!(eval(Xor, &[a, b]), xor, "{a:?} xor {b:?}");
                assert_eq!(eval(Surrogate, &[a, b]), surrogate, "{a:?} surrogate {b:?}");
            }
        }
        assert_eq!(eval(Xor, &[T, T, T]), T);
        assert_eq!(eval(Surrogate, &[U, U, F]), F);
        assert_eq!(eval(Surrogate, &[U, U, U]), U);
    }

    #[test]
    fn comparisons_with_a_missing_input_are_unknown_and_is_missing_is_not() {
        let simple = |operator, value| Predicate::Simple {
            field: 0,
            operator,
            value,
        };
        let one = Some(Literal::Number(1.0));
        for op in [
            Operator::Equal,
            Operator::NotEqual,
            Operator::LessThan,
            Operator::LessOrEqual,
            Operator::GreaterThan,
            Operator::GreaterOrEqual,
        ] {
            assert_eq!(simple(op, one.clone()).evaluate(&[None]), U, "{op:?}");
        }
        assert_eq!(simple(Operator::IsMissing, None).evaluate(&[None]), T);
        assert_eq!(simple(Operator::IsNotMissing, None).evaluate(&[None]), F);
        let two = [Some(Literal::Number(2.0))];
        assert_eq!(simple(Operator::IsMissing, None).evaluate(&two), F);
        assert_eq!(simple(Operator::GreaterThan, one.clone()).evaluate(&two), T);
        assert_eq!(simple(Operator::LessOrEqual, one.clone()).evaluate(&two), F);
        assert_eq!(simple(Operator::NotEqual, one).evaluate(&two), T);
        let set = |is_in| Predicate::Set {
            field: 0,
            is_in,
            values: vec![Literal::Text("a".into()), Literal::Text("b".into())],
        };
        let b = [Some(Literal::Text("b".into()))];
        assert_eq!(set(true).evaluate(&b), T);
        assert_eq!(set(false).evaluate(&b), F);
        assert_eq!(set(true).evaluate(&[None]), U);
        assert_eq!(set(false).evaluate(&[None]), U);
    }

    proptest! {
        #[test]
        fn numeric_comparisons_agree_with_rust(x in -1e6f64..1e6, v in -1e6f64..1e6) {
            let truth = |operator| Predicate::Simple {
                field: 0, operator, value: Some(Literal::Number(v)),
            }.evaluate(&[Some(Literal::Number(x))]);
            prop_assert_eq!(truth(Operator::LessThan), Truth::from(x < v));
            prop_assert_eq!(truth(Operator::LessOrEqual), Truth::from(x <= v));
            prop_assert_eq!(truth(Operator::GreaterThan), Truth::from(x > v));
            prop_assert_eq!(truth(Operator::GreaterOrEqual), Truth::from(x >= v));
            prop_assert_eq!(truth(Operator::Equal), Truth::from(x == v));
        }

        #[test]
        fn and_or_are_order_independent(truths in prop::collection::vec(prop::sample::select(vec![T, F, U]), 2..6)) {
            let mut reversed = truths.clone();
            reversed.reverse();
            for op in [BooleanOperator::And, BooleanOperator::Or, BooleanOperator::Xor] {
                prop_assert_eq!(eval(op, &truths), eval(op, &reversed));
            }
        }
    }
}
