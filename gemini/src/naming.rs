//! Download file names: from the prompt and the time, safe on every file system.

/// `"A red fox, at dawn!"` at 2026-11-26 04:36:18 UTC → `a-red-fox-at-dawn-20261126-043618.png`.
pub fn download_name(prompt: &str, unix_ms: f64, extension: &str) -> String {
    let mut slug = String::new();
    for word in prompt
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word: String = word
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if word.is_empty() {
            continue;
        }
        if !slug.is_empty() && slug.len() + word.len() + 1 > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word[..word.len().min(48)]);
    }
    if slug.is_empty() {
        slug.push_str("gemini-image");
    }
    let ext: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect();
    let ext = if ext.is_empty() { "png".into() } else { ext };
    format!("{slug}-{}.{ext}", timestamp(unix_ms))
}

/// `YYYYMMDD-HHMMSS` in UTC.
pub fn timestamp(unix_ms: f64) -> String {
    let secs = if unix_ms.is_finite() && unix_ms > 0.0 {
        (unix_ms / 1000.0) as i64
    } else {
        0
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: f64 = 1_795_667_778_000.0; // 2026-11-26T04:36:18Z

    #[test]
    fn names_from_prompt_and_time() {
        assert_eq!(
            download_name("A red fox, at dawn!", T, "png"),
            "a-red-fox-at-dawn-20261126-043618.png"
        );
        assert_eq!(
            download_name("", T, "jpg"),
            "gemini-image-20261126-043618.jpg"
        );
        assert_eq!(timestamp(0.0), "19700101-000000");
        assert_eq!(timestamp(951_782_400_000.0), "20000229-000000");
    }

    #[test]
    fn names_are_safe() {
        let n = download_name("../../etc/passwd\0<script>", T, "p/n g");
        assert_eq!(n, "etc-passwd-script-20261126-043618.png");
        let long = download_name(&"word ".repeat(100), T, "png");
        assert!(long.len() < 80, "{long}");
        let n = download_name("Café über straße 東京", T, "webp");
        assert!(n.is_ascii() && n.ends_with(".webp"), "{n}");
        assert_eq!(
            download_name("東京", f64::NAN, "png"),
            "gemini-image-19700101-000000.png"
        );
    }
}
