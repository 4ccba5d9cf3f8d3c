//! Small validated text values shared by several records.

use serde::Serialize;

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    Control { field: &'static str },
}

/// Trims `raw` and checks it is non-empty, at most `max` characters and free of
/// control characters (newlines allowed only when `multiline`).
pub fn clean(field: &'static str, raw: &str, max: usize, multiline: bool) -> Result<String, TextError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TextError::Empty { field });
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    if t.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
        return Err(TextError::Control { field });
    }
    Ok(t.to_owned())
}

/// A non-empty single-line label such as a person's or department's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    pub const MAX: usize = 100;
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, TextError> {
        clean(field, raw, Self::MAX, false).map(Label)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Free text written by staff or customers (descriptions, replies, notes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Body(String);

impl Body {
    pub const MAX: usize = 10_000;
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, TextError> {
        clean(field, raw, Self::MAX, true).map(Body)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Masks a name for roles that may not see it: keeps the first character.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_trims_and_limits() {
        assert_eq!(clean("f", "  好的 ", 10, false).unwrap(), "好的");
        assert_eq!(clean("f", "   ", 10, false), Err(TextError::Empty { field: "f" }));
        assert_eq!(clean("f", "一二三", 2, false), Err(TextError::TooLong { field: "f", max: 2 }));
        assert_eq!(clean("f", "a\nb", 10, false), Err(TextError::Control { field: "f" }));
        assert_eq!(clean("f", "a\nb", 10, true).unwrap(), "a\nb");
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "");
    }
}
