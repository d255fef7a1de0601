//! Closed vocabularies (`credit_type`, `currency`, statuses…): parsed case-insensitively,
//! stored and shown in one canonical spelling.

use super::proposal::Invalid;

/// A value from a closed list of spellings. Declared with [`term!`], which also gives the
/// type inherent `as_str`, `parse` and `allowed`, so callers need not import this trait.
pub trait Term: Sized + Copy + 'static {
    /// Every value, in the order the allowed values are listed to callers.
    const ALL: &'static [Self];

    /// The canonical spelling.
    fn canonical(self) -> &'static str;
}

/// Case-insensitive, surrounding blanks ignored: `LLC`, `llc` and ` Llc ` are one value.
/// Blank input is [`Invalid::Required`]; anything else unknown lists the allowed values.
pub fn parse<T: Term>(input: &str) -> Result<T, Invalid> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Invalid::Required);
    }
    T::ALL
        .iter()
        .copied()
        .find(|term| term.canonical().eq_ignore_ascii_case(input))
        .ok_or_else(|| Invalid::Enum {
            allowed: allowed::<T>(),
        })
}

/// The canonical spellings, comma-separated, for error messages.
pub fn allowed<T: Term>() -> String {
    T::ALL
        .iter()
        .map(|term| term.canonical())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Declares a [`Term`] enum whose serde form and `Display` are its canonical spelling.
macro_rules! term {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $crate::domain::term::Term for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn canonical(self) -> &'static str {
                self.as_str()
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The canonical spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses any letter case; see [`crate::domain::term::parse`].
            pub fn parse(input: &str) -> Result<Self, $crate::domain::proposal::Invalid> {
                $crate::domain::term::parse(input)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use term;

#[cfg(test)]
mod tests {
    use super::*;

    term! {
        /// A test vocabulary.
        pub enum Colour { Red => "red", DarkBlue => "dark_blue" }
    }

    #[test]
    fn parses_any_case_and_lists_the_allowed_values() {
        assert_eq!(Colour::parse("RED"), Ok(Colour::Red));
        assert_eq!(Colour::parse(" dark_Blue "), Ok(Colour::DarkBlue));
        assert_eq!(Colour::parse(""), Err(Invalid::Required));
        assert_eq!(
            Colour::parse("green"),
            Err(Invalid::Enum {
                allowed: "red, dark_blue".to_owned()
            })
        );
        assert_eq!(Colour::DarkBlue.to_string(), "dark_blue");
        assert_eq!(allowed::<Colour>(), "red, dark_blue");
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
    }
}
