//! How the API key travels: in which header (and nowhere else).

use serde::{Deserialize, Serialize};

/// Which header carries the API key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyHeader {
    /// `x-goog-api-key: KEY` (Google, CometAPI).
    #[default]
    GoogApiKey,
    /// `Authorization: Bearer KEY` (CometAPI, many proxies).
    Bearer,
}

impl KeyHeader {
    pub const ALL: [KeyHeader; 2] = [Self::GoogApiKey, Self::Bearer];

    /// What the settings show.
    pub const fn label(self) -> &'static str {
        match self {
            Self::GoogApiKey => "x-goog-api-key",
            Self::Bearer => "Authorization: Bearer",
        }
    }

    /// The value a `<select>` option carries.
    pub const fn id(self) -> &'static str {
        match self {
            Self::GoogApiKey => "goog",
            Self::Bearer => "bearer",
        }
    }

    pub fn from_id(id: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|h| h.id() == id)
            .unwrap_or_default()
    }

    /// The header name and value that carry `key` (already trimmed), or `None`
    /// for an empty key: then no key header is sent.
    pub fn header(self, key: &str) -> Option<(&'static str, String)> {
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        Some(match self {
            Self::GoogApiKey => ("x-goog-api-key", key.to_owned()),
            Self::Bearer => ("authorization", ["Bearer ", key].concat()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_in_its_header_only_when_there_is_one() {
        assert_eq!(KeyHeader::GoogApiKey.header("  "), None);
        assert_eq!(
            KeyHeader::GoogApiKey.header(" k1 "),
            Some(("x-goog-api-key", "k1".to_owned()))
        );
        assert_eq!(
            KeyHeader::Bearer.header("k2"),
            Some(("authorization", "Bearer k2".to_owned()))
        );
        for h in KeyHeader::ALL {
            assert_eq!(KeyHeader::from_id(h.id()), h);
        }
        assert_eq!(KeyHeader::from_id("other"), KeyHeader::GoogApiKey);
    }
}
