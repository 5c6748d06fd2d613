//! The period and channel a report covers: WIB calendar days, checked once here for the API, the
//! CSV export and the page alike.

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use crate::answer::Channel;

/// WIB, the contact centre's time zone (Asia/Jakarta, UTC+7, no daylight saving).
pub const WIB: UtcOffset = time::macros::offset!(+7);

/// The longest period a report covers, in days (a leap year).
pub const MAX_DAYS: i64 = 366;

/// Days a report covers when no `from` is given (a week ending on `to`).
pub const DEFAULT_DAYS: i64 = 7;

/// A request for figures: WIB days `from..=to`, all channels or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    /// First day (WIB).
    pub from: Date,
    /// Last day (WIB), inclusive.
    pub to: Date,
    /// Only this channel (one of [`Channel::NAMES`]); `None` for all.
    pub channel: Option<&'static str>,
}

/// A query parameter that cannot be used; each names its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not a calendar date in the form YYYY-MM-DD.
    #[error("{field}: '{value}' is not a date of the form YYYY-MM-DD")]
    BadDate {
        /// `from` or `to`.
        field: &'static str,
        /// What was given.
        value: String,
    },
    /// `from` after `to`.
    #[error("from: {from} is after to ({to})")]
    Reversed {
        /// The first day given.
        from: String,
        /// The last day given.
        to: String,
    },
    /// More days than [`MAX_DAYS`].
    #[error("to: the period has {days} days; at most {MAX_DAYS} are reported at once")]
    TooLong {
        /// Days asked for.
        days: i64,
    },
    /// Not one of [`Channel::NAMES`].
    #[error("channel: '{0}' is not one of whatsapp, web, portal, agent (or empty for all)")]
    UnknownChannel(String),
}

impl PeriodError {
    /// The query parameter at fault.
    pub fn field(&self) -> &'static str {
        match self {
            PeriodError::BadDate { field, .. } => field,
            PeriodError::Reversed { .. } => "from",
            PeriodError::TooLong { .. } => "to",
            PeriodError::UnknownChannel(_) => "channel",
        }
    }
}

impl StatsQuery {
    /// Checks the query parameters: `to` defaults to `today` (WIB), `from` to a week ending on
    /// `to`; an empty `channel` or `all` means every channel.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        channel: Option<&str>,
        today: Date,
    ) -> Result<StatsQuery, PeriodError> {
        let to = match given(to) {
            Some(s) => parse_day("to", s)?,
            None => today,
        };
        let from = match given(from) {
            Some(s) => parse_day("from", s)?,
            None => to - Duration::days(DEFAULT_DAYS - 1),
        };
        if from > to {
            return Err(PeriodError::Reversed {
                from: day_string(from),
                to: day_string(to),
            });
        }
        let days = (to - from).whole_days() + 1;
        if days > MAX_DAYS {
            return Err(PeriodError::TooLong { days });
        }
        let channel = match given(channel) {
            None => None,
            Some(c) if c.eq_ignore_ascii_case("all") => None,
            Some(c) => Some(
                Channel::name(Some(c)).map_err(|_| PeriodError::UnknownChannel(c.to_string()))?,
            ),
        };
        Ok(StatsQuery { from, to, channel })
    }

    /// The days of the period, first to last.
    pub fn days(&self) -> impl Iterator<Item = Date> {
        let from = self.from;
        (0..=(self.to - self.from).whole_days()).map(move |i| from + Duration::days(i))
    }

    /// The period as stored times (UTC, RFC 3339): from 00:00 WIB of `from` up to, not
    /// including, 00:00 WIB of the day after `to`.
    pub fn utc_bounds(&self) -> (String, String) {
        let start = |d: Date| {
            d.with_hms(0, 0, 0)
                .map(|t| t.assume_offset(WIB).to_offset(UtcOffset::UTC))
                .map(utc_string)
                .unwrap_or_default()
        };
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

/// Today in WIB.
pub fn today_wib() -> Date {
    OffsetDateTime::now_utc().to_offset(WIB).date()
}

/// A date as `YYYY-MM-DD`.
pub fn day_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A time as stored: `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn utc_string(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day_string(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A stored UTC time shown in WIB, `YYYY-MM-DD HH:MM WIB` (the input as it was if unreadable).
pub fn wib_string(stored_utc: &str) -> String {
    let parsed = (|| {
        let date = parse_day("at", stored_utc.get(..10)?).ok()?;
        let hms: Vec<u8> = stored_utc
            .get(11..19)?
            .split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let [h, m, s] = hms[..] else { return None };
        let utc = date.with_hms(h, m, s).ok()?.assume_utc().to_offset(WIB);
        Some(format!(
            "{} {:02}:{:02} WIB",
            day_string(utc.date()),
            utc.hour(),
            utc.minute()
        ))
    })();
    parsed.unwrap_or_else(|| stored_utc.to_string())
}

/// `s` trimmed, none when empty.
fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn parse_day(field: &'static str, s: &str) -> Result<Date, PeriodError> {
    let bad = || PeriodError::BadDate {
        field,
        value: s.chars().take(40).collect(),
    };
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let number = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<u16>().ok())
            .flatten()
            .ok_or_else(bad)
    };
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    let month = Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    Date::from_calendar_date(i32::from(y), month, u8::try_from(d).map_err(|_| bad())?)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn defaults_bounds_and_refusals_name_their_field() {
        let q = StatsQuery::parse(None, None, None, TODAY).unwrap();
        assert_eq!(
            (q.from, q.to, q.channel),
            (date!(2026 - 11 - 24), TODAY, None)
        );
        assert_eq!(q.days().count(), 7);
        let q =
            StatsQuery::parse(Some("2026-01-01"), Some("2026-01-01"), Some("WA"), TODAY).unwrap();
        assert_eq!(q.channel, Some("whatsapp"));
        assert_eq!(
            q.utc_bounds(),
            (
                "2025-12-31T17:00:00Z".to_string(),
                "2026-01-01T17:00:00Z".to_string()
            )
        );
        let field = |from, to, channel| {
            StatsQuery::parse(from, to, channel, TODAY)
                .unwrap_err()
                .field()
        };
        assert_eq!(field(Some("2026-02-30"), None, None), "from");
        assert_eq!(field(None, Some("30/11/2026"), None), "to");
        assert_eq!(field(None, Some("+2026-11-30"), None), "to");
        assert_eq!(field(Some("2026-11-30"), Some("2026-11-01"), None), "from");
        assert_eq!(field(Some("2025-01-01"), Some("2026-11-01"), None), "to");
        assert_eq!(field(None, None, Some("telegram")), "channel");
        assert!(
            StatsQuery::parse(Some("2025-01-01"), Some("2026-01-01"), Some("all"), TODAY).is_ok()
        );
    }

    #[test]
    fn stored_times_are_shown_in_wib() {
        assert_eq!(wib_string("2026-11-30T17:30:00Z"), "2026-12-01 00:30 WIB");
        assert_eq!(wib_string("garbage"), "garbage");
        assert_eq!(
            utc_string(time::macros::datetime!(2026-01-02 03:04:05 +7)),
            "2026-01-01T20:04:05Z"
        );
    }
}
