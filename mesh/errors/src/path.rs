use std::fmt;

/// Where a value sits in a request body, written the way partners read JSON:
/// `shareholders[0].address.postal_code` (keys joined by dots, list indices in brackets).
///
/// The one way paths are built, by the gateway (a JSON type error, a date it cannot read) and
/// by the services (a value their rules refuse), so both name a field alike.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(String);

impl FieldPath {
    /// The body itself; its children are named without a leading dot.
    pub fn root() -> Self {
        Self::default()
    }

    /// A top-level field of the body: `FieldPath::field("id")` is `id`.
    pub fn field(name: &str) -> Self {
        Self::root().key(name)
    }

    /// The member `name` of this object: `address` → `address.city`.
    #[must_use]
    pub fn key(&self, name: &str) -> Self {
        let mut path = self.clone();
        path.push_key(name);
        path
    }

    /// The item `index` of this list: `phones` → `phones[1]`.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.push_index(index);
        path
    }

    /// Descends into the member `name`, in place.
    pub fn push_key(&mut self, name: &str) {
        if !self.0.is_empty() {
            self.0.push('.');
        }
        self.0.push_str(name);
    }

    /// Descends into the item `index`, in place.
    pub fn push_index(&mut self, index: usize) {
        use fmt::Write as _;
        let _ = write!(self.0, "[{index}]");
    }

    /// Whether this is the body itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(path: FieldPath) -> Self {
        path.0
    }
}

impl From<&FieldPath> for String {
    fn from(path: &FieldPath) -> Self {
        path.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_json() {
        let root = FieldPath::root();
        assert!(root.is_root());
        assert_eq!(root.key("id").as_str(), "id");
        assert_eq!(FieldPath::field("id"), root.key("id"));
        let postal_code = root
            .key("shareholders")
            .index(0)
            .key("address")
            .key("postal_code");
        assert_eq!(
            postal_code.to_string(),
            "shareholders[0].address.postal_code"
        );
        assert_eq!(
            String::from(root.key("guarantors").index(1).index(2)),
            "guarantors[1][2]"
        );
        // A list at the root (a body that is an array) has no leading dot either.
        let mut path = FieldPath::root();
        path.push_index(3);
        path.push_key("name");
        assert_eq!(path.as_str(), "[3].name");
    }
}
