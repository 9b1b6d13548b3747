//! How requests are sent: automatic retries, the time limit, streaming. Kept
//! with the other preferences; not part of a turn.

use gemini::retry::{header_limit_ms, MAX_RETRIES};
use gemini::Settings;

/// The time limits offered in Settings, in seconds (0: the automatic limit).
pub const TIME_LIMITS_S: [u32; 7] = [0, 30, 60, 120, 180, 300, 600];

// Stored field by field (`super::prefs`); serde's form is the one the tests
// hold it to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(test, serde(default, rename_all = "camelCase"))]
pub struct RequestPrefs {
    /// Automatic retries of a request that failed for a passing reason (0–5).
    pub retries: u8,
    /// Seconds to wait for the answer's headers; 0: 300 s for Pro or 4K, 180 s
    /// otherwise.
    pub time_limit_s: u32,
    /// Ask for a streamed answer (`:streamGenerateContent?alt=sse`).
    pub stream: bool,
}

impl Default for RequestPrefs {
    fn default() -> Self {
        Self {
            retries: 3,
            time_limit_s: 0,
            stream: false,
        }
    }
}

impl RequestPrefs {
    /// The preferences with every value in range (as read from storage).
    pub fn checked(self) -> Self {
        Self {
            retries: self.retries.min(MAX_RETRIES),
            time_limit_s: if TIME_LIMITS_S.contains(&self.time_limit_s) {
                self.time_limit_s
            } else {
                0
            },
            stream: self.stream,
        }
    }

    /// How long to wait for an answer's headers for a request with `settings`.
    pub fn header_limit_ms(&self, settings: &Settings) -> u64 {
        match self.time_limit_s {
            0 => header_limit_ms(settings),
            s => u64::from(s) * 1000,
        }
    }
}

/// How a time limit reads in Settings.
pub fn time_limit_label(s: u32) -> String {
    match s {
        0 => "Automatic (300 s for Pro or 4K, 180 s otherwise)".to_owned(),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_limit_fits_4k_and_pro() {
        let p = RequestPrefs::default();
        let mut s = Settings::default();
        assert_eq!(p.header_limit_ms(&s), 180_000);
        s.image_size = gemini::ImageSize::parse("4K");
        assert_eq!(p.header_limit_ms(&s), 300_000);
        let p = RequestPrefs {
            time_limit_s: 60,
            ..p
        };
        assert_eq!(p.header_limit_ms(&s), 60_000);
        let odd = RequestPrefs {
            retries: 9,
            time_limit_s: 7,
            stream: true,
        }
        .checked();
        assert_eq!((odd.retries, odd.time_limit_s, odd.stream), (5, 0, true));
        assert_eq!(time_limit_label(120), "2 min");
    }
}
