// Syslog headers in front of CEF, LEEF, FTD and PAN-OS lines (RFC 3164, RFC 5424, and the
// "Mmm dd yyyy hh:mm:ss host" form Cisco uses). Only the time and the sending host are kept;
// anything unexpected is ignored rather than rejected: the payload after it is what counts.
#include <cctype>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

std::string_view next_token(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  std::size_t end = s.find(' ');
  std::string_view tok = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return tok;
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

void parse_syslog_prefix(std::string_view p, Alert& a) {
  while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
  if (!p.empty() && p.front() == '<') {  // <PRI>
    std::size_t close = p.find('>');
    if (close == std::string_view::npos || close > 4) return;
    p.remove_prefix(close + 1);
  }
  std::string_view rest = p;
  std::string_view tok = next_token(rest);
  std::optional<time::Millis> t;
  if (tok.size() == 1 && is_digits(tok)) {  // RFC 5424: VERSION TIMESTAMP HOSTNAME APP ...
    tok = next_token(rest);
    t = time::parse_rfc3339(tok);
  } else if (!tok.empty() && std::isdigit(static_cast<unsigned char>(tok.front()))) {
    t = time::parse_rfc3339(tok);  // ISO time first (FTD, many relays)
  } else if (tok.size() == 3 && std::isalpha(static_cast<unsigned char>(tok.front()))) {
    // "Dec  3 11:58:02" or "Dec 03 2026 11:58:03"
    std::string_view day = next_token(rest);
    std::string_view third = next_token(rest);
    if (third.size() == 4 && is_digits(third)) {
      std::string_view clock = next_token(rest);
      std::string text = std::string(tok) + " " + std::string(day) + " " + std::string(third) +
                         " " + std::string(clock);
      t = time::parse_cef_time(text);
    } else {
      // Lines of a busy log share their second: remember the last answer (parse_syslog
      // formats the clock to learn the year, which showed in profiles).
      thread_local std::string last_text;
      thread_local std::optional<time::Millis> last_time;
      std::string text = std::string(tok) + " " + std::string(day) + " " + std::string(third);
      if (text != last_text) {
        last_text = text;
        last_time = time::parse_syslog(text);
      }
      t = last_time;
    }
  } else {
    return;
  }
  if (t) {
    a.timestamp = *t;
    a.has_timestamp = true;
  }
  std::string_view host = next_token(rest);
  if (host.empty() || host.back() == ':' || host.front() == '%' || host == "-") return;
  a.observer_hostname.assign(host);
}

}  // namespace tr::ingest
