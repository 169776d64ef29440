// Time in tr: milliseconds since the Unix epoch (UTC) as int64, RFC 3339 in and out, the
// vendor forms the parsers meet, durations, and the clock.
//
// The clock honours TR_NOW (an RFC 3339 time) so tests and examples are reproducible.
// Parsers return std::nullopt on text they do not recognise; they never throw.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tr::time {

using Millis = int64_t;

// Now, or TR_NOW when set (a bad TR_NOW is ignored with the real clock used).
Millis now();

// "2026-12-03T12:00:00.000Z" (always milliseconds, always Z).
std::string format_rfc3339(Millis t);
// The same, appended to `out` without allocating (hot paths).
void append_rfc3339(std::string& out, Millis t);

// RFC 3339 / ISO 8601: "2026-12-03T11:58:02Z", fractions of any length, "+01:00"/"+0100"
// offsets, a space instead of "T", and a date with no zone (taken as UTC).
std::optional<Millis> parse_rfc3339(std::string_view s);

// "1764763082" (seconds) or "1764763082114" (milliseconds, 13+ digits), optional fraction.
std::optional<Millis> parse_epoch(std::string_view s);

// Syslog (RFC 3164) "Dec  3 11:58:02" or "Dec 03 11:58:02.123"; the year is taken from the
// clock, or the year before when the date would be more than a day in the future.
std::optional<Millis> parse_syslog(std::string_view s);

// CEF rt/start/end forms: epoch milliseconds, "MMM dd yyyy HH:mm:ss(.SSS)( zzz)",
// "MMM dd HH:mm:ss(.SSS)( zzz)" (zone names UTC, GMT, Z or +hh:mm only; others are read as UTC).
std::optional<Millis> parse_cef_time(std::string_view s);

// Any of the above, tried in a sensible order.
std::optional<Millis> parse_any(std::string_view s);

// Durations: "90s", "15m", "24h", "7d", "2w", "500ms", combinations "1h30m"; a bare number is
// seconds. Returns nullopt on anything else, including negative values.
std::optional<Millis> parse_duration(std::string_view s);
// The shortest exact form: 86400000 -> "1d", 5400000 -> "1h30m".
std::string format_duration(Millis d);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

}  // namespace tr::time
