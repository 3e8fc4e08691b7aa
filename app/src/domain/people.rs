//! People as others read them: by display name. A contact's alias is its key (in links, the SSM
//! API, stored reasons); pages and messages name people through [`Names`], one lookup for all.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// Display names by alias.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names(BTreeMap<String, String>);

impl Names {
    /// From (alias, display name) pairs; an empty display name is left out (the alias shows).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Names {
        Names(pairs.into_iter().filter(|(_, name)| !name.trim().is_empty()).collect())
    }

    /// The display name of `alias`, or the alias itself when it names nobody known (a username,
    /// a contact since deleted).
    pub fn of<'a>(&'a self, alias: &'a str) -> &'a str {
        self.0.get(alias).map_or(alias, String::as_str)
    }

    /// Several people, joined as the language lists them.
    pub fn list(&self, aliases: &[String], locale: Locale) -> String {
        let sep = if locale == Locale::Ja { "、" } else { ", " };
        aliases.iter().map(|a| self.of(a)).collect::<Vec<_>>().join(sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_named_by_display_name_and_unknown_aliases_stay_as_they_are() {
        let names = Names::new([("tanaka".into(), "田中 太郎".into()), ("sato".into(), " ".into())]);
        assert_eq!(names.of("tanaka"), "田中 太郎");
        assert_eq!(names.of("sato"), "sato", "no display name");
        assert_eq!(names.list(&["tanaka".into(), "admin".into()], Locale::Ja), "田中 太郎、admin");
        assert_eq!(names.list(&["tanaka".into(), "admin".into()], Locale::En), "田中 太郎, admin");
    }
}
