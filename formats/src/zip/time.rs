//! Entry times: DOS date/time (local, 2-second steps, 1980–2107) and Unix seconds.

/// When an entry was last modified.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Modified {
    /// Milliseconds since 1970-01-01T00:00:00Z (JavaScript's `Date.now()`).
    pub unix_ms: f64,
    /// The local time zone's offset from UTC in minutes, east positive (JavaScript:
    /// `-new Date().getTimezoneOffset()`). DOS times are local times; zip tools that
    /// read the extended timestamp (also written) use the UTC time instead.
    pub utc_offset_minutes: i32,
}

impl Modified {
    /// A UTC time (offset 0).
    pub const fn utc(unix_ms: f64) -> Self {
        Self {
            unix_ms,
            utc_offset_minutes: 0,
        }
    }

    /// Whole seconds since the epoch; NaN and infinities are 0.
    fn unix_secs(self) -> i64 {
        if self.unix_ms.is_finite() {
            // `as` saturates; the range checks below bound the result.
            (self.unix_ms / 1000.0).floor() as i64
        } else {
            0
        }
    }

    /// The Unix time for the extended-timestamp field, when it fits its signed 32 bits.
    pub(crate) fn extended_secs(self) -> Option<u32> {
        u32::try_from(self.unix_secs())
            .ok()
            .filter(|s| i32::try_from(*s).is_ok())
    }

    /// `(time, date)` in DOS format, local time, clamped to 1980-01-01..=2107-12-31.
    pub(crate) fn dos(self) -> (u16, u16) {
        let local = self
            .unix_secs()
            .saturating_add(i64::from(self.utc_offset_minutes).saturating_mul(60));
        let (days, rem) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        if year < 1980 {
            return (0, (1 << 5) | 1);
        }
        if year > 2107 {
            return ((23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31);
        }
        // Every value below is in range by construction (year 1980..=2107, rem < 86 400).
        let time = ((rem / 3600) << 11) | ((rem % 3600 / 60) << 5) | ((rem % 60) / 2);
        let date = ((year - 1980) << 9) | (i64::from(month) << 5) | i64::from(day);
        (time as u16, date as u16)
    }
}

/// A DOS date and time read as if UTC, in Unix milliseconds. Invalid fields (month 0,
/// day 0) are taken as 1, as zip tools do.
pub(crate) fn dos_to_unix_ms(time: u16, date: u16) -> i64 {
    let year = 1980 + i64::from(date >> 9);
    let month = u32::from((date >> 5) & 0xF).clamp(1, 12);
    let day = u32::from(date & 0x1F).max(1);
    let secs = i64::from(time >> 11) * 3600
        + i64::from((time >> 5) & 0x3F) * 60
        + i64::from(time & 0x1F) * 2;
    (days_from_civil(year, month, day) * 86_400 + secs) * 1000
}

/// Howard Hinnant's days → (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Howard Hinnant's (year, month, day) → days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: f64 = 1_795_667_778_000.0; // 2026-11-26T04:36:18Z

    #[test]
    fn dos_times_from_unix_ms() {
        let (time, date) = Modified::utc(T).dos();
        assert_eq!(date, (46 << 9) | (11 << 5) | 26);
        assert_eq!(time, (4 << 11) | (36 << 5) | 9);
        // UTC+2 → 06:36; UTC-5 → the day before, 23:36
        assert_eq!(
            Modified {
                unix_ms: T,
                utc_offset_minutes: 120
            }
            .dos()
            .0 >> 11,
            6
        );
        let (time, date) = Modified {
            unix_ms: T,
            utc_offset_minutes: -300,
        }
        .dos();
        assert_eq!((time >> 11, date & 0x1F), (23, 25));
        assert_eq!(dos_to_unix_ms(time, date), (T as i64 - 5 * 3_600_000));
    }

    #[test]
    fn out_of_range_times_are_clamped() {
        let start = (0, (1 << 5) | 1);
        assert_eq!(Modified::utc(0.0).dos(), start);
        assert_eq!(Modified::utc(-1e20).dos(), start);
        assert_eq!(Modified::utc(f64::NAN).dos(), start);
        assert_eq!(
            Modified::utc(f64::INFINITY).dos(),
            start,
            "not finite is taken as the epoch"
        );
        let end = Modified::utc(1e18).dos();
        assert_eq!(end.1 >> 9, 127);
        assert_eq!(
            Modified {
                unix_ms: 1e15,
                utc_offset_minutes: i32::MAX
            }
            .dos()
            .1 >> 9,
            127
        );
    }

    #[test]
    fn extended_time_only_in_its_range() {
        assert_eq!(Modified::utc(T).extended_secs(), Some(1_795_667_778));
        assert_eq!(Modified::utc(-1000.0).extended_secs(), None);
        assert_eq!(Modified::utc(3e12).extended_secs(), None);
    }

    #[test]
    fn dos_round_trip_and_garbage_fields() {
        let (time, date) = Modified::utc(T).dos();
        assert_eq!(dos_to_unix_ms(time, date), T as i64);
        assert_eq!(dos_to_unix_ms(0, 0), 315_532_800_000); // 1980-01-01
        let _ = dos_to_unix_ms(u16::MAX, u16::MAX); // no panic
    }
}
