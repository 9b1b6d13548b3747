//! Whether, and when, to send a failed request again; and how long to wait for
//! an answer at all.
//!
//! Options in, a return struct out: [`decide`] takes a [`RetryInput`] (the
//! failure, the `Retry-After` header, the clock, the attempt number, a
//! [`RetryPolicy`] and a random number from the caller) and returns a
//! [`Decision`]. Nothing here reads a clock or a random source, so every case is
//! a host test.
//!
//! What is retried automatically: HTTP 429, 500, 502, 503 and 504 (Google's
//! error shape or a proxy's page) and a network failure before any answer.
//! Never: 400/401/403/404, a safety or `NO_IMAGE` finish, a blocked prompt, an
//! unreadable, cut or incomplete answer and a timeout (the request may have been
//! billed), a cancel, and a 429 that says the project has no quota at all.
//!
//! The wait is exponential backoff with full jitter,
//! `random × min(cap, base × 2^attempt)`, unless the server gave one
//! (`google.rpc.RetryInfo.retryDelay`, the `Retry-After` header; the larger if
//! both): then the server's wins. A server wait longer than
//! [`RetryPolicy::max_server_delay_ms`] is not waited for: the decision is to
//! give up, saying when to try again.

use crate::error::{duration_text, Failure, Message};
use crate::models::ImageSize;
use crate::request::Settings;

/// The most automatic retries a policy may ask for.
pub const MAX_RETRIES: u8 = 5;

/// How often and how long to wait between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Automatic retries after the first request: 0 to [`MAX_RETRIES`] (more is
    /// read as [`MAX_RETRIES`]). Default 3.
    pub max_retries: u8,
    /// The backoff's base: attempt `n` failed, the wait is at most
    /// `base × 2^n` (before the cap). Default 1 s.
    pub base_delay_ms: u64,
    /// The backoff's cap. Default 30 s.
    pub max_delay_ms: u64,
    /// The longest server-asked wait that is waited for automatically. Default 5 min.
    pub max_server_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay_ms: 1_000,
            max_delay_ms: 30_000,
            max_server_delay_ms: 5 * 60_000,
        }
    }
}

impl RetryPolicy {
    /// The policy with `n` retries, clamped to 0–[`MAX_RETRIES`].
    pub fn with_max_retries(self, n: u8) -> Self {
        Self {
            max_retries: n.min(MAX_RETRIES),
            ..self
        }
    }

    /// How many requests at most: the first and its retries.
    pub fn attempts(&self) -> u32 {
        1 + u32::from(self.max_retries.min(MAX_RETRIES))
    }
}

/// What [`decide`] needs to know about the attempt that just failed.
#[derive(Clone, Copy, Debug)]
pub struct RetryInput<'a> {
    pub failure: &'a Failure,
    /// The answer's `Retry-After` header, as sent, if it had one.
    pub retry_after: Option<&'a str>,
    /// Now, in milliseconds since the Unix epoch (for an HTTP-date `Retry-After`).
    pub now_ms: u64,
    /// The attempt that failed: 1 for the first request.
    pub attempt: u32,
    /// A random number in `[0, 1)` for the jitter (outside that range it is clamped).
    pub random: f64,
    pub policy: RetryPolicy,
}

/// Why a request is being sent again, as the pending turn says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryReason {
    /// HTTP 429.
    RateLimited,
    /// HTTP 503.
    Overloaded,
    /// HTTP 500, 502, 504.
    ServerError,
    /// The request did not reach the API, or no answer came back.
    Network,
}

impl RetryReason {
    pub const fn label(self) -> &'static str {
        match self {
            Self::RateLimited => "Rate limited",
            Self::Overloaded => "Server overloaded",
            Self::ServerError => "Server error",
            Self::Network => "Network error",
        }
    }
}

/// What to do after a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Retry(Retry),
    GiveUp(GiveUp),
}

/// Send the request again after `delay_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    pub delay_ms: u64,
    pub reason: RetryReason,
    /// The number of the attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// The most attempts the policy makes (1 + its retries).
    pub attempts: u32,
    /// True when the wait is the server's (`retryDelay` or `Retry-After`).
    pub server_delay: bool,
}

impl Retry {
    /// The pending turn's line, `remaining_ms` before the retry.
    pub fn text(&self, remaining_ms: u64) -> String {
        pending_text(self.reason, remaining_ms, self.attempt, self.attempts)
    }
}

/// Stop and show `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiveUp {
    pub why: GiveUpWhy,
    /// What to tell the user: the failure's own message, with the attempts made
    /// or the server's wait added where they apply.
    pub message: Message,
    /// When the server says a new request may go (ms since the Unix epoch), if
    /// it said: the UI may show it as a local time.
    pub retry_at_ms: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiveUpWhy {
    /// Trying again automatically would not help (or might bill twice).
    NotRetryable,
    /// A 429 for a quota of 0: the project has none for this model.
    NoQuota,
    /// Every attempt the policy allows was made.
    OutOfAttempts,
    /// The server asked for a wait longer than the policy waits for.
    ServerDelayTooLong,
}

/// Which failures are retried automatically, and why.
pub fn retry_reason(failure: &Failure) -> Option<RetryReason> {
    let by_status = |status: u16| match status {
        429 => Some(RetryReason::RateLimited),
        503 => Some(RetryReason::Overloaded),
        500 | 502 | 504 => Some(RetryReason::ServerError),
        _ => None,
    };
    match failure {
        Failure::Api(e) if e.no_quota() => None,
        Failure::Api(e) => by_status(e.code),
        Failure::Http { status, .. } => by_status(*status),
        Failure::Network(_) => Some(RetryReason::Network),
        _ => None,
    }
}

/// Decides whether to retry the failed attempt, and after how long.
pub fn decide(input: RetryInput<'_>) -> Decision {
    let RetryInput {
        failure,
        retry_after,
        now_ms,
        attempt,
        random,
        policy,
    } = input;
    let attempt = attempt.max(1);
    let attempts = policy.attempts();
    let give_up = |why, message, retry_at_ms| {
        Decision::GiveUp(GiveUp {
            why,
            message,
            retry_at_ms,
        })
    };
    let Some(reason) = retry_reason(failure) else {
        let why = match failure {
            Failure::Api(e) if e.no_quota() => GiveUpWhy::NoQuota,
            _ => GiveUpWhy::NotRetryable,
        };
        return give_up(why, failure.message(), None);
    };
    let from_body = match failure {
        Failure::Api(e) => e.retry_delay_ms,
        _ => None,
    };
    let from_header = retry_after.and_then(|v| parse_retry_after(v, now_ms));
    let server = from_body.max(from_header);
    let retry_at_ms = server.map(|d| now_ms.saturating_add(d));
    if let Some(wait) = server.filter(|d| *d > policy.max_server_delay_ms) {
        let mut message = failure.message();
        message.action = format!(
            "The server asks to wait {} before the next request: try again after that.",
            duration_text(wait)
        );
        return give_up(GiveUpWhy::ServerDelayTooLong, message, retry_at_ms);
    }
    if attempt >= attempts {
        let mut message = failure.message();
        if attempt > 1 {
            let tried = format!("Tried {attempt} times.");
            message.detail = Some(match message.detail {
                Some(d) => format!("{d}\n{tried}"),
                None => tried,
            });
        }
        return give_up(GiveUpWhy::OutOfAttempts, message, retry_at_ms);
    }
    Decision::Retry(Retry {
        delay_ms: server.unwrap_or_else(|| backoff_ms(&policy, attempt, random)),
        reason,
        attempt: attempt + 1,
        attempts,
        server_delay: server.is_some(),
    })
}

/// Full jitter: `random × min(cap, base × 2^attempt)`, `attempt` being the one
/// that failed (1 for the first request).
pub fn backoff_ms(policy: &RetryPolicy, attempt: u32, random: f64) -> u64 {
    let factor = 1u64.checked_shl(attempt).unwrap_or(u64::MAX);
    let ceiling = policy
        .base_delay_ms
        .saturating_mul(factor)
        .min(policy.max_delay_ms);
    // NaN and negatives read as 0, 1 and more as just under 1.
    let random = if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    };
    ((random * ceiling as f64) as u64).min(ceiling.saturating_sub(1))
}

/// The pending turn's line: `"Rate limited — retrying in 12 s (attempt 2 of 4)"`.
/// `attempt` is the attempt about to be made (1 is the first request),
/// `attempts` the most there will be (1 + the policy's retries).
pub fn pending_text(reason: RetryReason, remaining_ms: u64, attempt: u32, attempts: u32) -> String {
    let when = if remaining_ms == 0 {
        "retrying now".to_owned()
    } else {
        format!("retrying in {}", duration_text(remaining_ms))
    };
    format!(
        "{} \u{2014} {when} (attempt {attempt} of {attempts})",
        reason.label()
    )
}

// ---------------------------------------------------------------- Retry-After

/// The wait a `Retry-After` header asks for, in milliseconds: delta-seconds
/// (`"120"`) or an HTTP-date (see [`parse_http_date`]; a date in the past is a
/// wait of 0). `None` for anything else.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = v.bytes().fold(0u64, |acc, b| {
            acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        });
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_http_date(v, now_ms)?;
    let now = i64::try_from(now_ms).unwrap_or(i64::MAX);
    Some(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP-date (RFC 9110 §5.6.7) in milliseconds since the Unix epoch: the
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the two obsolete forms a
/// recipient must accept, RFC 850's `Sunday, 06-Nov-94 08:49:37 GMT` and C's
/// asctime `Sun Nov  6 08:49:37 1994`. A two-digit year more than 50 years
/// ahead of `now_ms` is read in the past century, as RFC 9110 says. Names are
/// read regardless of case; the day name must be one but is not checked
/// against the date.
pub fn parse_http_date(value: &str, now_ms: u64) -> Option<i64> {
    let v = value.trim();
    let (day, month, year, time) = if let Some((day_name, rest)) = v.split_once(',') {
        let rest: Vec<&str> = rest.split_ascii_whitespace().collect();
        match rest.as_slice() {
            // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
            [day, month, year, time, gmt] if is_day_name(day_name, 3) => {
                gmt.eq_ignore_ascii_case("GMT").then_some(())?;
                (
                    number(day, 1, 2)?,
                    month_number(month)?,
                    number(year, 4, 4)?,
                    *time,
                )
            }
            // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
            [date, time, gmt] if is_day_name(day_name, 0) => {
                gmt.eq_ignore_ascii_case("GMT").then_some(())?;
                let mut it = date.split('-');
                let (day, month, yy) = (it.next()?, it.next()?, it.next()?);
                if it.next().is_some() {
                    return None;
                }
                let yy = number(yy, 2, 2)?;
                (
                    number(day, 1, 2)?,
                    month_number(month)?,
                    two_digit_year(yy, now_ms),
                    *time,
                )
            }
            _ => return None,
        }
    } else {
        // asctime: `Sun Nov  6 08:49:37 1994`
        match v.split_ascii_whitespace().collect::<Vec<_>>().as_slice() {
            [day_name, month, day, time, year] if is_day_name(day_name, 3) => (
                number(day, 1, 2)?,
                month_number(month)?,
                number(year, 4, 4)?,
                *time,
            ),
            _ => return None,
        }
    };
    let mut hms = time.split(':');
    let (h, m, s) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() {
        return None;
    }
    let (h, m, s) = (number(h, 2, 2)?, number(m, 2, 2)?, number(s, 2, 2)?);
    // 60: a leap second, which the grammar allows.
    if h > 23 || m > 59 || s > 60 || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + h * 3_600 + m * 60 + s;
    Some(secs * 1_000)
}

/// A day name: its three-letter form when `len` is 3, the full name when 0.
fn is_day_name(s: &str, len: usize) -> bool {
    DAYS.iter().any(|d| {
        let name = if len == 3 { &d[..3] } else { d };
        name.eq_ignore_ascii_case(s)
    })
}

fn month_number(s: &str) -> Option<i64> {
    let i = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s))?;
    i64::try_from(i + 1).ok()
}

/// A decimal of `min..=max` ASCII digits.
fn number(s: &str, min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// RFC 9110: a two-digit year that would be more than 50 years in the future is
/// the most recent past year with those digits; so it is the latest year with
/// those digits at most 50 years ahead.
fn two_digit_year(yy: i64, now_ms: u64) -> i64 {
    let now_days = i64::try_from(now_ms / 86_400_000).unwrap_or(i64::MAX / 2);
    let latest = year_from_days(now_days) + 50;
    let year = latest - latest.rem_euclid(100) + yy;
    if year > latest {
        year - 100
    } else {
        year
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of a day counted from 1970-01-01 (the inverse of [`days_from_civil`]).
fn year_from_days(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

// ---------------------------------------------------------------- time limits

/// How long an answer may go without a body byte before the studio stops
/// waiting ([`Failure::TimedOut`] with [`crate::error::TimeoutPhase::Stalled`]).
pub const BODY_IDLE_LIMIT_MS: u64 = 60_000;
/// How long to wait for the answer's headers, usually.
pub const HEADER_LIMIT_MS: u64 = 180_000;
/// How long to wait for the answer's headers from Pro, or for a 4K image.
pub const SLOW_HEADER_LIMIT_MS: u64 = 300_000;

/// How long to wait for the answer's headers with these settings: 300 s for a
/// Pro model or a 4K image, 180 s otherwise
/// ([`Failure::TimedOut`] with [`crate::error::TimeoutPhase::NoAnswer`]).
pub fn header_limit_ms(settings: &Settings) -> u64 {
    let pro = settings
        .model
        .split(['-', '.', '_'])
        .any(|word| word.eq_ignore_ascii_case("pro"));
    if pro || settings.image_size == Some(ImageSize::K4) {
        SLOW_HEADER_LIMIT_MS
    } else {
        HEADER_LIMIT_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{from_error_response, ApiError, TimeoutPhase};

    /// 2026-12-02 07:21:00 UTC.
    const NOW: u64 = 1_796_196_060_000;

    fn input(failure: &Failure) -> RetryInput<'_> {
        RetryInput {
            failure,
            retry_after: None,
            now_ms: NOW,
            attempt: 1,
            random: 0.5,
            policy: RetryPolicy::default(),
        }
    }

    fn api(code: u16) -> Failure {
        let body = format!(r#"{{"error":{{"code":{code},"message":"m","status":"S"}}}}"#);
        from_error_response(code, body.as_bytes())
    }

    fn retry(d: Decision) -> Retry {
        match d {
            Decision::Retry(r) => r,
            Decision::GiveUp(g) => panic!("gave up: {g:?}"),
        }
    }

    fn give_up(d: Decision) -> GiveUp {
        match d {
            Decision::GiveUp(g) => g,
            Decision::Retry(r) => panic!("retried: {r:?}"),
        }
    }

    #[test]
    fn the_now_constant_is_the_date_it_says() {
        assert_eq!(
            parse_http_date("Wed, 02 Dec 2026 07:21:00 GMT", 0),
            Some(NOW as i64)
        );
    }

    #[test]
    fn retries_transient_statuses_with_their_reason() {
        for (code, reason) in [
            (429, RetryReason::RateLimited),
            (500, RetryReason::ServerError),
            (502, RetryReason::ServerError),
            (503, RetryReason::Overloaded),
            (504, RetryReason::ServerError),
        ] {
            let f = api(code);
            let r = retry(decide(input(&f)));
            assert_eq!((r.reason, r.attempt, r.attempts), (reason, 2, 4), "{code}");
            // A proxy's page in its own shape is retried the same way.
            let page = from_error_response(code, b"<html>busy</html>");
            assert!(matches!(page, Failure::Http { .. }));
            assert_eq!(retry(decide(input(&page))).reason, reason, "{code} page");
        }
        let net = Failure::Network("Failed to fetch".into());
        assert_eq!(retry(decide(input(&net))).reason, RetryReason::Network);
    }

    #[test]
    fn never_retries_what_cannot_get_better_or_may_have_been_billed() {
        let never = [
            api(400),
            api(401),
            api(403),
            api(404),
            api(501),
            from_error_response(404, b"not found"),
            Failure::NoImage {
                finish_reason: Some("IMAGE_SAFETY".into()),
                finish_message: None,
                text: None,
            },
            Failure::NoImage {
                finish_reason: Some("NO_IMAGE".into()),
                finish_message: None,
                text: None,
            },
            Failure::Blocked {
                reason: "SAFETY".into(),
                message: None,
            },
            Failure::Malformed("x".into()),
            Failure::Truncated,
            Failure::Incomplete {
                events: 2,
                inside_event: true,
            },
            Failure::BadImage("x".into()),
            Failure::TimedOut(TimeoutPhase::NoAnswer { limit_ms: 180_000 }),
            Failure::TimedOut(TimeoutPhase::Stalled { idle_ms: 60_000 }),
            Failure::Aborted,
            Failure::Request(crate::RequestError::EmptyPrompt),
        ];
        for f in &never {
            let g = give_up(decide(input(f)));
            assert_eq!(g.why, GiveUpWhy::NotRetryable, "{f:?}");
            assert_eq!(g.message, f.message(), "the failure's own message");
            assert_eq!(retry_reason(f), None);
        }
    }

    #[test]
    fn a_zero_quota_is_not_retried_and_says_so() {
        let body = br#"{"error":{"code":429,"message":"Quota exceeded for metric: x, limit: 0, model: y","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"}]}}"#;
        let f = from_error_response(429, body);
        let g = give_up(decide(input(&f)));
        assert_eq!(g.why, GiveUpWhy::NoQuota);
        assert!(g.message.title.contains("no quota"));
    }

    #[test]
    fn backoff_is_full_jitter_capped() {
        let p = RetryPolicy::default();
        let f = api(503);
        for (attempt, random, want) in [
            (1, 0.5, 1_000),  // 0.5 × 1 s × 2
            (2, 0.5, 2_000),  // 0.5 × 4 s
            (3, 0.25, 2_000), // 0.25 × 8 s
            (1, 0.0, 0),
            (5, 0.999, 29_970), // capped at 30 s
        ] {
            let r = retry(decide(RetryInput {
                attempt,
                random,
                policy: p.with_max_retries(5),
                ..input(&f)
            }));
            assert_eq!(r.delay_ms, want, "attempt {attempt}, random {random}");
            assert!(!r.server_delay);
        }
        assert_eq!(backoff_ms(&p, 1, f64::NAN), 0);
        assert_eq!(backoff_ms(&p, 1, -3.0), 0);
        assert_eq!(backoff_ms(&p, 1, 1.0), 1_999, "1 is read as just under 1");
        assert_eq!(backoff_ms(&p, 200, 0.5), 15_000, "huge attempts saturate");
    }

    #[test]
    fn the_servers_wait_wins_and_the_larger_of_two() {
        let body = br#"{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12.5s"}]}}"#;
        let f = from_error_response(429, body);
        let r = retry(decide(input(&f)));
        assert_eq!((r.delay_ms, r.server_delay), (12_500, true));
        let r = retry(decide(RetryInput {
            retry_after: Some("20"),
            ..input(&f)
        }));
        assert_eq!(r.delay_ms, 20_000, "the header's 20 s beats 12.5 s");
        let r = retry(decide(RetryInput {
            retry_after: Some("3"),
            ..input(&f)
        }));
        assert_eq!(r.delay_ms, 12_500, "the body's 12.5 s beats 3 s");
        // An HTTP-date header on a proxy's 503 page.
        let page = from_error_response(503, b"busy");
        let r = retry(decide(RetryInput {
            retry_after: Some("Wed, 02 Dec 2026 07:21:45 GMT"),
            ..input(&page)
        }));
        assert_eq!((r.delay_ms, r.server_delay), (45_000, true));
        // A header that cannot be read is ignored.
        let r = retry(decide(RetryInput {
            retry_after: Some("soon"),
            random: 0.5,
            ..input(&page)
        }));
        assert_eq!((r.delay_ms, r.server_delay), (1_000, false));
    }

    #[test]
    fn a_long_server_wait_is_not_waited_for() {
        let page = from_error_response(429, b"slow down");
        let g = give_up(decide(RetryInput {
            retry_after: Some("720"),
            ..input(&page)
        }));
        assert_eq!(g.why, GiveUpWhy::ServerDelayTooLong);
        assert_eq!(g.retry_at_ms, Some(NOW + 720_000));
        assert_eq!(
            g.message.action,
            "The server asks to wait 12 min before the next request: try again after that."
        );
        // Exactly the maximum is still waited for.
        let r = retry(decide(RetryInput {
            retry_after: Some("300"),
            ..input(&page)
        }));
        assert_eq!(r.delay_ms, 300_000);
    }

    #[test]
    fn attempts_run_out() {
        let f = api(500);
        let p = RetryPolicy::default();
        assert_eq!(
            retry(decide(RetryInput {
                attempt: 3,
                ..input(&f)
            }))
            .attempt,
            4
        );
        let g = give_up(decide(RetryInput {
            attempt: 4,
            ..input(&f)
        }));
        assert_eq!(g.why, GiveUpWhy::OutOfAttempts);
        assert!(g.message.detail.unwrap().ends_with("\nTried 4 times."));
        // No retries at all: the first failure is shown as it is.
        let g = give_up(decide(RetryInput {
            policy: p.with_max_retries(0),
            ..input(&f)
        }));
        assert_eq!((g.why, g.message), (GiveUpWhy::OutOfAttempts, f.message()));
        // More than 5 retries is read as 5.
        assert_eq!(p.with_max_retries(9).attempts(), 6);
        let wild = RetryPolicy {
            max_retries: 200,
            ..p
        };
        assert_eq!(wild.attempts(), 6);
        let g = give_up(decide(RetryInput {
            attempt: 6,
            policy: wild,
            ..input(&f)
        }));
        assert_eq!(g.why, GiveUpWhy::OutOfAttempts);
        // Attempt 0 is read as the first.
        assert_eq!(
            retry(decide(RetryInput {
                attempt: 0,
                ..input(&f)
            }))
            .attempt,
            2
        );
    }

    #[test]
    fn the_pending_turn_says_why_when_and_which_attempt() {
        let f = Failure::Api(ApiError {
            code: 429,
            status: "RESOURCE_EXHAUSTED".into(),
            message: "m".into(),
            retry_delay_ms: Some(11_200),
            reason: None,
            quota_violations: Vec::new(),
        });
        let r = retry(decide(input(&f)));
        assert_eq!(
            r.text(11_200),
            "Rate limited \u{2014} retrying in 12 s (attempt 2 of 4)"
        );
        assert_eq!(
            pending_text(RetryReason::Overloaded, 0, 3, 6),
            "Server overloaded \u{2014} retrying now (attempt 3 of 6)"
        );
        assert_eq!(
            pending_text(RetryReason::Network, 61_000, 2, 2),
            "Network error \u{2014} retrying in 1 min 1 s (attempt 2 of 2)"
        );
        assert_eq!(
            pending_text(RetryReason::ServerError, 1, 4, 4),
            "Server error \u{2014} retrying in 1 s (attempt 4 of 4)"
        );
    }

    #[test]
    fn retry_after_forms() {
        let p = |v| parse_retry_after(v, NOW);
        assert_eq!(p("0"), Some(0));
        assert_eq!(p(" 120 "), Some(120_000));
        assert_eq!(p("99999999999999999999999"), Some(u64::MAX));
        // The three date forms of RFC 9110, 10 s from now.
        for date in [
            "Wed, 02 Dec 2026 07:21:10 GMT",
            "Wednesday, 02-Dec-26 07:21:10 GMT",
            "Wed Dec  2 07:21:10 2026",
            "wed, 02 dec 2026 07:21:10 gmt",
        ] {
            assert_eq!(p(date), Some(10_000), "{date}");
        }
        assert_eq!(p("Sun, 06 Nov 1994 08:49:37 GMT"), Some(0), "past: now");
        for bad in [
            "",
            "-1",
            "1.5",
            "12 s",
            "soon",
            "Wed, 02 Dec 2026 07:21:10 UTC",
            "Wed, 02 Dec 2026 07:21:10",
            "Wed, 32 Dec 2026 07:21:10 GMT",
            "Wed, 29 Feb 2026 07:21:10 GMT",
            "Wed, 02 Dex 2026 07:21:10 GMT",
            "Wed, 02 Dec 2026 24:00:00 GMT",
            "Wed, 02 Dec 2026 07:60:00 GMT",
            "Wed, 02 Dec 2026 07:21:61 GMT",
            "Wed, 02 Dec 2026 7:21:10 GMT",
            "Wed, 02 Dec 26 07:21:10 GMT",
            "Wdn, 02 Dec 2026 07:21:10 GMT",
            "Wednesday, 02-Dec-2026 07:21:10 GMT",
            "Wednesday, 02-Dec-26-1 07:21:10 GMT",
            "Wed, 02-Dec-26 07:21:10 GMT",
            "Wed Dec  2 07:21:10 26",
            "Wed Dec  2 07:21:10:00 2026",
            "Wed, 02 Dec 2026 07:21:10 GMT extra",
            "Wed, 02 Dec +026 07:21:10 GMT",
            "Wed, ١٢ Dec 2026 07:21:10 GMT",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn http_dates_are_exact() {
        let d = |v| parse_http_date(v, NOW);
        assert_eq!(d("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
        assert_eq!(d("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777_000));
        assert_eq!(d("Sun Nov  6 08:49:37 1994"), Some(784_111_777_000));
        assert_eq!(d("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(d("Wed, 31 Dec 1969 23:59:59 GMT"), Some(-1_000));
        assert_eq!(d("Tue, 29 Feb 2000 12:00:00 GMT"), Some(951_825_600_000));
        assert_eq!(d("Mon, 01 Mar 2100 00:00:00 GMT"), Some(4_107_542_400_000));
        assert_eq!(d("Sat, 31 Dec 2016 23:59:60 GMT"), Some(1_483_228_800_000));
        assert_eq!(d("Sun, 29 Feb 2100 00:00:00 GMT"), None, "2100 is not leap");
        // Two-digit years: at most 50 years ahead, else the past century.
        assert_eq!(
            d("Monday, 01-Jan-76 00:00:00 GMT"),
            d("Thu, 01 Jan 2076 00:00:00 GMT")
        );
        assert_eq!(
            d("Monday, 01-Jan-77 00:00:00 GMT"),
            d("Sat, 01 Jan 1977 00:00:00 GMT")
        );
        assert_eq!(
            d("Monday, 01-Jan-00 00:00:00 GMT"),
            d("Sat, 01 Jan 2000 00:00:00 GMT")
        );
        assert_eq!(
            parse_http_date("Monday, 01-Jan-99 00:00:00 GMT", 0),
            d("Fri, 01 Jan 1999 00:00:00 GMT"),
            "in 1970, 99 is 1999 (29 years ahead)"
        );
        assert_eq!(
            parse_http_date("Monday, 01-Jan-21 00:00:00 GMT", 0),
            d("Fri, 01 Jan 1921 00:00:00 GMT"),
            "in 1970, 2021 would be 51 years ahead"
        );
        let in_2090 = parse_http_date("Sun, 01 Jan 2090 00:00:00 GMT", 0).unwrap() as u64;
        assert_eq!(
            parse_http_date("Monday, 01-Jan-10 00:00:00 GMT", in_2090),
            d("Mon, 01 Jan 2110 00:00:00 GMT"),
            "in 2090, 10 is 2110 (20 years ahead)"
        );
        for days in [-800_000, -1, 0, 59, 60, 365, 10_957, 11_016, 2_932_896] {
            let y = year_from_days(days);
            assert!(days_from_civil(y, 1, 1) <= days && days < days_from_civil(y + 1, 1, 1));
        }
    }

    #[test]
    fn header_time_limits() {
        let s = |model: &str, size| Settings {
            model: model.into(),
            image_size: size,
            ..Settings::default()
        };
        assert_eq!(header_limit_ms(&Settings::default()), 180_000);
        assert_eq!(
            header_limit_ms(&s("gemini-3.1-flash-image-preview", Some(ImageSize::K2))),
            180_000
        );
        assert_eq!(
            header_limit_ms(&s("gemini-3.1-flash-image-preview", Some(ImageSize::K4))),
            300_000
        );
        assert_eq!(
            header_limit_ms(&s("gemini-3-pro-image-preview", None)),
            300_000
        );
        assert_eq!(header_limit_ms(&s("my.PRO_model", None)), 300_000);
        assert_eq!(header_limit_ms(&s("gemini-prompt-image", None)), 180_000);
        assert_eq!(BODY_IDLE_LIMIT_MS, 60_000);
    }
}
