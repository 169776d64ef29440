#include <catch2/catch.hpp>

#include "time/time.hpp"

using namespace tr::time;

TEST_CASE("RFC 3339 round trip", "[time]") {
  auto t = parse_rfc3339("2026-12-03T11:58:02.114Z");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2026-12-03T11:58:02.114Z");
  CHECK(parse_rfc3339("2026-12-03T12:58:02.114+01:00") == t);
  CHECK(parse_rfc3339("2026-12-03T12:58:02.114456+0100") == t);
  CHECK(parse_rfc3339("2026-12-03 11:58:02") == *t - 114);
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-12-03T25:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-12-03T11:58:02Zjunk"));
  CHECK_FALSE(parse_rfc3339(""));
}

TEST_CASE("epoch seconds and milliseconds", "[time]") {
  CHECK(parse_epoch("1764763082") == 1764763082000LL);
  CHECK(parse_epoch("1764763082114") == 1764763082114LL);
  CHECK(parse_epoch("1764763082.5") == 1764763082500LL);
  CHECK_FALSE(parse_epoch("17x"));
}

TEST_CASE("syslog and CEF times use the clock's year", "[time]") {
  setenv("TR_NOW", "2026-12-03T12:00:00Z", 1);
  CHECK(format_rfc3339(*parse_syslog("Dec  3 11:58:02")) == "2026-12-03T11:58:02.000Z");
  // A date after "now" belongs to last year (a log read just after New Year).
  CHECK(format_rfc3339(*parse_syslog("Dec 31 23:00:00")) == "2025-12-31T23:00:00.000Z");
  CHECK(format_rfc3339(*parse_cef_time("Dec 03 2026 11:58:02")) == "2026-12-03T11:58:02.000Z");
  CHECK(format_rfc3339(*parse_cef_time("Dec 03 2026 11:58:02.250 UTC")) ==
        "2026-12-03T11:58:02.250Z");
  CHECK(format_rfc3339(*parse_cef_time("Dec 03 2026 12:58:02 +01:00")) ==
        "2026-12-03T11:58:02.000Z");
  CHECK(format_rfc3339(*parse_cef_time("1764763082114")) == "2025-12-03T11:58:02.114Z");
  CHECK(format_rfc3339(*parse_cef_time("Dec 3 11:58:02")) == "2026-12-03T11:58:02.000Z");
  unsetenv("TR_NOW");
}

TEST_CASE("durations", "[time]") {
  CHECK(parse_duration("24h") == 86400000);
  CHECK(parse_duration("1h30m") == 5400000);
  CHECK(parse_duration("500ms") == 500);
  CHECK(parse_duration("30") == 30000);
  CHECK(parse_duration("2w") == 14 * 86400000LL);
  CHECK_FALSE(parse_duration("-1h"));
  CHECK_FALSE(parse_duration("1y"));
  CHECK_FALSE(parse_duration("h"));
  CHECK(format_duration(5400000) == "1h30m");
  CHECK(format_duration(86400000) == "1d");
}

TEST_CASE("overflowing numbers are rejected, not wrapped (found by fuzz_time)", "[time]") {
  CHECK_FALSE(parse_epoch("17647476308263082119"));
  CHECK_FALSE(parse_duration("152952626182d"));
  CHECK_FALSE(parse_duration("99999999999w"));
  CHECK(parse_duration("365d") == 365 * 86400000LL);
}

TEST_CASE("append_rfc3339 equals format_rfc3339 across the range", "[time]") {
  for (Millis t : {0LL, 1796299082114LL, 951782400000LL, 4102444799999LL, 86399999LL, -1LL,
                   253402300799999LL}) {
    std::string s = "x";
    append_rfc3339(s, t);
    CHECK(s == "x" + format_rfc3339(t));
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
  }
}
