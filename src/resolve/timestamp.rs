//! Frontmatter timestamps: RFC 3339 with an offset, or an offset-less local
//! time read in a given zone (GUIDE.md 4).

use jiff::fmt::temporal::Pieces;
use jiff::tz::TimeZone;

/// Parses `text` as a timestamp.
///
/// Accepted: RFC 3339 / ISO 8601 date-times (`2024-03-01T14:05:00Z`,
/// `2024-03-01T14:05+01:00`, a space instead of `T`, an `[Europe/Paris]`
/// annotation). The offset as written is kept in the returned value. A time
/// without an offset or annotation is read in `zone`; the `bool` is then
/// `true` (the zone was assumed). A date without a time is refused.
///
/// Errors: a message saying what is wrong, for a `bad-timestamp` error.
pub fn parse_timestamp(text: &str, zone: &TimeZone) -> Result<(jiff::Zoned, bool), String> {
    let pieces =
        Pieces::parse(text.trim()).map_err(|e| format!("not an RFC 3339 timestamp ({e})"))?;
    let Some(time) = pieces.time() else {
        return Err("a date without a time of day".to_string());
    };
    let datetime = pieces.date().to_datetime(time);
    if let Some(offset) = pieces.to_numeric_offset() {
        let zoned = datetime
            .to_zoned(TimeZone::fixed(offset))
            .map_err(|e| format!("out of range ({e})"))?;
        return Ok((zoned, false));
    }
    if let Some(annotation) = pieces.time_zone_annotation() {
        let tz = annotation
            .to_time_zone()
            .map_err(|e| format!("unknown time zone ({e})"))?;
        let zoned = datetime
            .to_zoned(tz)
            .map_err(|e| format!("out of range ({e})"))?;
        return Ok((zoned, false));
    }
    let zoned = datetime
        .to_zoned(zone.clone())
        .map_err(|e| format!("out of range ({e})"))?;
    Ok((zoned, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_written_offset() {
        let (z, assumed) = parse_timestamp("2024-03-03T22:00:00-08:00", &TimeZone::UTC).unwrap();
        assert!(!assumed);
        assert_eq!(z.offset().seconds(), -8 * 3600);
        assert_eq!(z.timestamp().to_string(), "2024-03-04T06:00:00Z");
    }

    #[test]
    fn zulu_space_and_no_seconds() {
        let (z, _) = parse_timestamp("2024-03-01 14:05Z", &TimeZone::UTC).unwrap();
        assert_eq!(z.timestamp().to_string(), "2024-03-01T14:05:00Z");
    }

    #[test]
    fn offsetless_is_read_in_the_zone_and_flagged() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let (z, assumed) = parse_timestamp("2024-07-01T12:00:00", &berlin).unwrap();
        assert!(assumed);
        assert_eq!(z.timestamp().to_string(), "2024-07-01T10:00:00Z");
    }

    #[test]
    fn refusals() {
        assert!(parse_timestamp("2024-03-01", &TimeZone::UTC).is_err());
        assert!(parse_timestamp("yesterday at noon", &TimeZone::UTC).is_err());
        assert!(parse_timestamp("2024-13-01T10:00Z", &TimeZone::UTC).is_err());
    }
}
