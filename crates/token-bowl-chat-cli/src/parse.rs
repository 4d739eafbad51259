//! The values people type on the command line: seconds, times and page
//! sizes, each read with an error that names what was wrong.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A timeout: a positive number of seconds.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err("the timeout must be a positive number of seconds".into())
    }
}

/// A time as people write it: RFC 3339, the form this CLI prints
/// (`2026-11-22 10:00:00 +01:00`, `... UTC`), a local date and time
/// (`2026-11-22 10:00`), a local date (`2026-11-22`), or a time ago
/// (`90s`, `10m`, `2h`, `1d`, `1w`).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time_at(text, Utc::now())
}

pub fn parse_time_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    use chrono::{Local, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
    let trimmed = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(time.to_utc());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %:z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %:z",
    ] {
        if let Ok(time) = DateTime::parse_from_str(trimmed, format) {
            return Ok(time.to_utc());
        }
    }
    if let Some(utc) = trimmed
        .strip_suffix(" UTC")
        .or_else(|| trimmed.strip_suffix('Z'))
    {
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(time) = NaiveDateTime::parse_from_str(utc.trim(), format) {
                return Ok(time.and_utc());
            }
        }
    }
    let local = |naive: NaiveDateTime| {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.to_utc())
            .ok_or_else(|| format!("{text:?} does not exist in the local time zone"))
    };
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(trimmed, format) {
            return local(naive);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return local(date.and_hms_opt(0, 0, 0).unwrap_or_default());
    }
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    if let Ok(n) = number.parse::<i64>() {
        let ago = match unit.trim() {
            "s" | "sec" | "secs" => TimeDelta::try_seconds(n),
            "m" | "min" | "mins" => TimeDelta::try_minutes(n),
            "h" | "hour" | "hours" => TimeDelta::try_hours(n),
            "d" | "day" | "days" => TimeDelta::try_days(n),
            "w" | "week" | "weeks" => TimeDelta::try_weeks(n),
            _ => None,
        };
        if let Some(ago) = ago {
            return Ok(now - ago);
        }
    }
    Err(format!(
        "cannot read {text:?} as a time; write it as 2026-11-22T10:00:00Z, \
         2026-11-22 10:00 (local), 2026-11-22, or a time ago: 10m, 2h, 1d"
    ))
}

/// A page size: a whole number from 1 up.
pub fn parse_limit(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => u64::try_from(n).map_err(|_| format!("{text} is too large")),
        Ok(_) => Err(format!("{text} is too small: give at least 1")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// A conversation page size: 1 to 100.
pub fn parse_conversation_limit(text: &str) -> Result<u64, String> {
    match parse_limit(text)? {
        n if n > 100 => Err(format!("{text} is too large: give at most 100")),
        n => Ok(n),
    }
}

/// How many to skip: a whole number from 0 up.
pub fn parse_offset(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 0 => u64::try_from(n).map_err(|_| format!("{text} is too large")),
        Ok(_) => Err(format!("{text} is negative: give 0 or more")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}
