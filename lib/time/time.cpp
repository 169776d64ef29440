#include "time/time.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace tr::time {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int month_from_name(std::string_view s) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  char l[3] = {static_cast<char>(s[0] | 0x20), static_cast<char>(s[1] | 0x20),
               static_cast<char>(s[2] | 0x20)};
  for (int i = 0; i < 12; ++i)
    if (std::memcmp(l, names[i], 3) == 0) return i + 1;
  return 0;
}

bool valid_date(int y, int m, int d) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return true;
}

Millis compose(int y, int mo, int d, int h, int mi, int s, int ms) {
  return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + s * 1000LL + ms;
}

// Parses "HH:MM:SS(.fff...)" at pos; advances pos.
bool parse_clock(std::string_view s, std::size_t& pos, int& h, int& mi, int& sec, int& ms) {
  if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
      !digits(s, pos + 3, 2, mi))
    return false;
  pos += 5;
  sec = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec)) return false;
    pos += 3;
  }
  ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int scale = 100, n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return false;
  }
  return h <= 23 && mi <= 59 && sec <= 60;
}

// Parses a zone at pos: "Z", "+hh:mm", "+hhmm", "+hh", " UTC", " GMT". Sets offset in ms.
bool parse_zone(std::string_view s, std::size_t& pos, Millis& offset) {
  offset = 0;
  if (pos >= s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
    return true;
  }
  if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    int hh, mm = 0;
    if (!digits(s, pos + 1, 2, hh)) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size() && digits(s, pos, 2, mm)) pos += 2;
    if (hh > 23 || mm > 59) return false;
    offset = sign * (hh * 3600000LL + mm * 60000LL);
    return true;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Millis now() {
  if (const char* fixed = std::getenv("TR_NOW")) {
    if (auto t = parse_rfc3339(fixed)) return *t;
  }
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void append_rfc3339(std::string& out, Millis t) {
  int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  int64_t rem = t - days * 86400000;
  // civil_from_days (Howard Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) {  // outside RFC 3339's four digits: the slow path says what it is
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<long long>(y), m, d, static_cast<int>(rem / 3600000),
                  static_cast<int>(rem / 60000 % 60), static_cast<int>(rem / 1000 % 60),
                  static_cast<int>(rem % 1000));
    out += buf;
    return;
  }
  auto put = [&out](int64_t v, int width) {
    char tmp[4];
    for (int i = width - 1; i >= 0; --i) {
      tmp[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    out.append(tmp, width);
  };
  put(y, 4);
  out.push_back('-');
  put(m, 2);
  out.push_back('-');
  put(d, 2);
  out.push_back('T');
  put(rem / 3600000, 2);
  out.push_back(':');
  put(rem / 60000 % 60, 2);
  out.push_back(':');
  put(rem / 1000 % 60, 2);
  out.push_back('.');
  put(rem % 1000, 3);
  out.push_back('Z');
}

std::string format_rfc3339(Millis t) {
  std::string out;
  out.reserve(24);
  append_rfc3339(out, t);
  return out;
}

std::optional<Millis> parse_rfc3339(std::string_view s) {
  s = trim(s);
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || !valid_date(y, mo, d))
    return std::nullopt;
  if (s.size() == 10) return compose(y, mo, d, 0, 0, 0, 0);
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  std::size_t pos = 11;
  int h, mi, sec, ms;
  if (!parse_clock(s, pos, h, mi, sec, ms)) return std::nullopt;
  if (pos < s.size() && s[pos] == ' ') ++pos;
  Millis off;
  if (!parse_zone(s, pos, off) || pos != s.size()) return std::nullopt;
  return compose(y, mo, d, h, mi, sec, ms) - off;
}

std::optional<Millis> parse_epoch(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::size_t i = 0;
  int64_t whole = 0;
  std::size_t nd = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (++nd > 16) return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  if (nd == 0) return std::nullopt;
  int frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac_ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (nd >= 12) return whole;  // milliseconds (seconds would be past the year 5000)
  return whole * 1000 + frac_ms;
}

std::optional<Millis> parse_syslog(std::string_view s) {
  s = trim(s);
  int mo = month_from_name(s);
  if (!mo || s.size() < 14 || s[3] != ' ') return std::nullopt;
  std::size_t pos = 4;
  if (s[pos] == ' ') ++pos;
  int d = 0;
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') d = s[pos++] - '0';
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') d = d * 10 + (s[pos++] - '0');
  if (pos >= s.size() || s[pos] != ' ') return std::nullopt;
  ++pos;
  int h, mi, sec, ms;
  if (!parse_clock(s, pos, h, mi, sec, ms) || pos != s.size()) return std::nullopt;
  Millis clock = now();
  std::string year_text = format_rfc3339(clock).substr(0, 4);
  int y = std::atoi(year_text.c_str());
  if (!valid_date(y, mo, d) && !valid_date(y - 1, mo, d)) return std::nullopt;
  if (valid_date(y, mo, d)) {
    Millis t = compose(y, mo, d, h, mi, sec, ms);
    if (t <= clock + 86400000LL) return t;
  }
  if (!valid_date(y - 1, mo, d)) return std::nullopt;
  return compose(y - 1, mo, d, h, mi, sec, ms);
}

std::optional<Millis> parse_cef_time(std::string_view s) {
  s = trim(s);
  if (auto e = parse_epoch(s)) {
    // CEF rt as a number is always milliseconds.
    std::size_t nd = 0;
    while (nd < s.size() && s[nd] >= '0' && s[nd] <= '9') ++nd;
    if (nd == s.size()) return std::strtoll(std::string(s).c_str(), nullptr, 10);
    return e;
  }
  int mo = month_from_name(s);
  if (!mo || s.size() < 14 || s[3] != ' ') return std::nullopt;
  std::size_t pos = 4;
  int d;
  if (s[pos] == ' ') ++pos;
  if (digits(s, pos, 2, d))
    pos += 2;
  else if (digits(s, pos, 1, d))
    pos += 1;
  else
    return std::nullopt;
  if (pos >= s.size() || s[pos] != ' ') return std::nullopt;
  ++pos;
  int y = 0;
  bool has_year = false;
  if (pos + 4 < s.size() && s[pos + 4] == ' ' && digits(s, pos, 4, y)) {
    has_year = true;
    pos += 5;
  }
  int h, mi, sec, ms;
  if (!parse_clock(s, pos, h, mi, sec, ms)) return std::nullopt;
  Millis off = 0;
  if (pos < s.size()) {
    if (s[pos] != ' ') return std::nullopt;
    ++pos;
    std::string_view zone = s.substr(pos);
    if (zone == "UTC" || zone == "GMT" || zone == "Z") {
      off = 0;
    } else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
      std::size_t zp = pos;
      if (!parse_zone(s, zp, off) || zp != s.size()) return std::nullopt;
    }  // other zone names: read as UTC (documented)
  }
  if (!has_year) {
    std::string text = std::string(s.substr(0, 3)) + " " + (d < 10 ? " " : "") +
                       std::to_string(d) + " 00:00:00";
    auto base = parse_syslog(text);
    if (!base) return std::nullopt;
    return *base + h * 3600000LL + mi * 60000LL + sec * 1000LL + ms - off;
  }
  if (!valid_date(y, mo, d)) return std::nullopt;
  return compose(y, mo, d, h, mi, sec, ms) - off;
}

std::optional<Millis> parse_any(std::string_view s) {
  if (auto t = parse_rfc3339(s)) return t;
  if (auto t = parse_epoch(s)) return t;
  if (auto t = parse_cef_time(s)) return t;
  return std::nullopt;
}

std::optional<Millis> parse_duration(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : s) all_digits &= (c >= '0' && c <= '9');
  if (all_digits) {
    if (s.size() > 10) return std::nullopt;
    return std::strtoll(std::string(s).c_str(), nullptr, 10) * 1000;
  }
  Millis total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    int64_t n = 0;
    std::size_t nd = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = n * 10 + (s[i] - '0');
      ++i;
      if (++nd > 12) return std::nullopt;
    }
    if (nd == 0) return std::nullopt;
    Millis unit;
    if (s.substr(i, 2) == "ms") {
      unit = 1;
      i += 2;
    } else if (i < s.size()) {
      switch (s[i]) {
        case 's': unit = 1000; break;
        case 'm': unit = 60000; break;
        case 'h': unit = 3600000; break;
        case 'd': unit = 86400000; break;
        case 'w': unit = 7 * 86400000LL; break;
        default: return std::nullopt;
      }
      ++i;
    } else {
      return std::nullopt;
    }
    // Nothing tr schedules is longer than a thousand years; beyond that is an overflow waiting.
    constexpr Millis kMax = 1000LL * 366 * 86400000;
    if (n > kMax / unit || total > kMax - n * unit) return std::nullopt;
    total += n * unit;
  }
  return total;
}

std::string format_duration(Millis d) {
  if (d == 0) return "0s";
  std::string out;
  if (d < 0) {
    out = "-";
    d = -d;
  }
  struct U {
    Millis ms;
    const char* name;
  } units[] = {{7 * 86400000LL, "w"}, {86400000, "d"}, {3600000, "h"},
               {60000, "m"},          {1000, "s"},     {1, "ms"}};
  for (auto& u : units) {
    if (d >= u.ms) {
      out += std::to_string(d / u.ms) + u.name;
      d %= u.ms;
    }
  }
  return out;
}

}  // namespace tr::time
