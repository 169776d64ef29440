// PAN-OS THREAT logs in the syslog CSV format -> alert (integrations.md B3; tr-ingest(1)).
//
// Fields are read by position (the PAN-OS syslog field reference); quoted fields (URLs, user
// agents, subjects) may hold commas and doubled quotes. Newer releases append columns and
// older ones have fewer: only the THREAT prefix up to field 36 is required. Times are the
// firewall's local time without a zone: read as UTC (say so in the man page). Other log types
// (TRAFFIC, SYSTEM, CONFIG, ...) are not alerts: skipped.
#include <vector>

#include "core/error.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

// Splits RFC 4180-style CSV; quoted fields are unquoted into `buf` (reserved by the caller so
// views stay valid).
void split_csv(std::string_view s, std::string& buf, std::vector<std::string_view>& out) {
  std::size_t i = 0;
  for (;;) {
    if (i < s.size() && s[i] == '"') {
      std::size_t at = buf.size();
      ++i;
      for (;;) {
        if (i >= s.size()) throw RecordError("CSV field has an unclosed quote");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            buf.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        buf.push_back(s[i++]);
      }
      out.push_back(std::string_view(buf).substr(at));
      if (i < s.size() && s[i] != ',') throw RecordError("CSV field has text after its closing quote");
    } else {
      std::size_t end = s.find(',', i);
      out.push_back(s.substr(i, end == std::string_view::npos ? s.size() - i : end - i));
      i = end == std::string_view::npos ? s.size() : end;
    }
    if (i >= s.size()) break;
    ++i;  // the comma
    if (i == s.size()) {
      out.push_back({});
      break;
    }
  }
}

std::optional<time::Millis> panos_time(std::string_view v) {
  if (v.size() < 19) return std::nullopt;
  std::string t(v);
  if (t[4] == '/' && t[7] == '/') {
    t[4] = '-';
    t[7] = '-';
  }
  return time::parse_rfc3339(t);
}

int severity_panos(std::string_view v) {
  if (v == "critical") return 100;
  if (v == "high") return 75;
  if (v == "medium") return 50;
  if (v == "low") return 25;
  if (v == "informational") return 10;
  return -1;
}

}  // namespace

bool parse_panos(std::string_view line, std::size_t csv, Alert& a) {
  std::string buf;
  buf.reserve(line.size());
  std::vector<std::string_view> f;
  f.reserve(128);
  split_csv(line.substr(csv), buf, f);
  auto at = [&](std::size_t n) -> std::string_view { return n <= f.size() ? f[n - 1] : ""; };
  if (f.size() < 5) throw RecordError("PAN-OS log has " + std::to_string(f.size()) + " fields");
  if (at(4) != "THREAT") return false;  // TRAFFIC, SYSTEM, CONFIG, ...: not alerts
  if (f.size() < 36)
    throw RecordError("PAN-OS THREAT log has " + std::to_string(f.size()) + " of at least 36 fields");
  if (csv > 0) parse_syslog_prefix(line.substr(0, csv), a);
  std::string_view subtype = at(5);
  auto t = panos_time(at(7));
  if (!t) t = panos_time(at(2));
  if (!t) throw RecordError("PAN-OS time " + quoted(at(7)) + " is not a time");
  a.timestamp = *t;
  a.has_timestamp = true;
  for (auto [n, ip] : {std::pair{8, &a.source.ip}, std::pair{9, &a.destination.ip}}) {
    std::string_view v = at(static_cast<std::size_t>(n));
    if (v.empty()) continue;
    if (!canonical_ip(v))
      throw RecordError(std::string(n == 8 ? "source" : "destination") + " address " + quoted(v) +
                        " is not an IP address");
    ip->assign(v);
  }
  a.source.user.assign(at(13));
  a.destination.user.assign(at(14));
  a.protocol.assign(at(15));
  a.source.port = parse_port(at(25));
  a.destination.port = parse_port(at(26));
  a.transport.assign(at(30));
  a.action.assign(at(31));
  std::string_view misc = at(32), threat = at(33), category = at(34), direction = at(36);
  a.severity = severity_panos(at(35));
  // "Name(12345)": rule name and id.
  std::size_t paren = threat.rfind('(');
  if (paren != std::string_view::npos && threat.back() == ')') {
    a.rule_id.assign(threat.substr(paren + 1, threat.size() - paren - 2));
    a.rule_name.assign(trim_view(threat.substr(0, paren)));
  } else {
    a.rule_name.assign(threat);
  }
  if (subtype == "url") {
    a.url_full.assign(misc);
    a.rule_name = "URL filtering: " + std::string(category);
  } else if (!misc.empty()) {
    if (misc.find('/') != std::string_view::npos && subtype != "file" && subtype != "virus" &&
        subtype != "wildfire" && subtype != "wildfire-virus")
      a.url_full.assign(misc);
    else
      a.file_name.assign(misc);
  }
  a.rule_category.assign(category);
  std::string_view digest = at(44);
  if (digest.size() == 64) a.file_sha256.assign(digest);
  a.file_type.assign(at(48));
  a.user_agent.assign(at(47));
  a.referrer.assign(at(50));
  if (!at(51).empty()) a.email_sender.assign(at(51));
  a.email_subject.assign(at(52));
  if (!at(53).empty()) a.email_to.emplace_back(at(53));
  if (!at(60).empty()) a.observer_hostname.assign(at(60));
  std::string_view threat_category = at(70);

  // Who attacks: the client in a client-to-server exploit or scan; otherwise the server the
  // URL, file or C2 traffic belongs to.
  // Files (virus, wildfire, file, data) come from whoever sent them: the client in an upload
  // (SMTP, FTP put), the server in a download. URLs and C2 (spyware) are the server.
  bool to_server = direction == "client-to-server" || direction == "0";
  bool sent_by_client = subtype == "vulnerability" || subtype == "scan" || subtype == "flood" ||
                        subtype == "virus" || subtype == "wildfire" ||
                        subtype == "wildfire-virus" || subtype == "file" || subtype == "data";
  a.attacker = (sent_by_client && to_server) ? Attacker::Source : Attacker::Destination;
  a.direction.assign(direction == "0" ? "client-to-server" : direction == "1" ? "server-to-client"
                                                                                : direction);
  if (a.direction == "client-to-server" || a.direction == "server-to-client") a.direction.clear();
  if (subtype == "virus" || subtype == "wildfire-virus" || subtype == "wildfire")
    a.classification = "malware";
  else if (subtype == "spyware")
    a.classification = "c2";
  else if (subtype == "vulnerability")
    a.classification = "exploit";
  else if (subtype == "scan" || subtype == "flood")
    a.classification = "scan";
  else if (subtype == "url") {
    std::string_view c = classify_text(category);
    if (category.find("command-and-control") != std::string_view::npos) c = "c2";
    a.classification = c == "other" ? "policy" : c;
  }
  a.categories = {"intrusion_detection", "network"};
  a.observer_vendor = "Palo Alto Networks";
  a.observer_product = "PAN-OS";
  a.observer_type = "firewall";
  a.dataset = subtype == "wildfire" ? "panw.wildfire" : "panw.panos";
  a.vendor_key = "panos";
  a.vendor_fields.emplace_back("type", std::string(at(4)));
  a.vendor_fields.emplace_back("subtype", std::string(subtype));
  for (auto [n, name] : {std::pair{3, "serial"}, std::pair{12, "rule"}, std::pair{16, "vsys"},
                         std::pair{17, "from_zone"}, std::pair{18, "to_zone"},
                         std::pair{23, "session_id"}, std::pair{36, "direction"},
                         std::pair{37, "sequence"}, std::pair{54, "report_id"}}) {
    std::string_view v = at(static_cast<std::size_t>(n));
    if (!v.empty() && v != "0") a.vendor_fields.emplace_back(name, std::string(v));
  }
  if (!threat_category.empty() && threat_category != "unknown" && threat_category != "N/A")
    a.vendor_fields.emplace_back("threat_category", std::string(threat_category));
  a.id_product = "PAN-OS";
  if (!at(3).empty() && !at(37).empty()) {
    a.event_id.assign(at(37));
    a.id_native = std::string(at(3)) + "\x1f" + std::string(at(37));
  } else {
    a.id_native.assign(trim_view(line));
  }
  return true;
}

}  // namespace tr::ingest
