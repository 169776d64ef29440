// ArcSight CEF and QRadar LEEF -> alert (integrations.md B4, B5; mapping in tr-ingest(1)).
//
// CEF: "CEF:0|Vendor|Product|Version|Class ID|Name|Severity|k=v k=v ...". Header fields
// escape "|" and "\" with "\"; extension values escape "=" and "\" and write newlines as \n
// and \r. A value runs until the space before the next unescaped "key=", so values may
// contain spaces. The line is split in one pass without copying; only values with escapes are
// decoded, into a buffer reserved to the line's length so views into it stay valid.
//
// Surprises kept here on purpose:
//  - "src" is a host name in some products (FortiGate): it then goes to source.domain.
//  - Unknown escapes ("C:\Users" written unescaped) are kept literally, as ArcSight does;
//    only a backslash with nothing after it is a broken escape and rejects the line.
//  - csN/cnN/flexStringN carry their meaning in csNLabel: the label names the field.
#include <cctype>
#include <optional>
#include <unordered_map>

#include "core/error.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

enum class Key {
  Other, Src, Dst, Spt, Dpt, Shost, Dhost, Suser, Duser, Smac, Dmac, Proto, App, Act, Outcome,
  Request, RequestMethod, UserAgent, Referrer, Fname, FilePath, FileHash, FileSize, FileType,
  Msg, Cat, Rt, Start, End, Dvchost, Dvc, ExternalId, Direction, Sev, DevTime, DevTimeFormat,
  Domain, Label, Custom, Sntdom, Dntdom, Sproc
};

const std::unordered_map<std::string_view, Key>& key_map() {
  static const std::unordered_map<std::string_view, Key> m = {
      {"src", Key::Src}, {"sourceAddress", Key::Src}, {"dst", Key::Dst},
      {"destinationAddress", Key::Dst}, {"spt", Key::Spt}, {"sourcePort", Key::Spt},
      {"srcPort", Key::Spt}, {"dpt", Key::Dpt}, {"destinationPort", Key::Dpt},
      {"dstPort", Key::Dpt}, {"shost", Key::Shost}, {"sourceHostName", Key::Shost},
      {"identHostName", Key::Shost}, {"dhost", Key::Dhost}, {"destinationHostName", Key::Dhost},
      {"dstname", Key::Dhost}, {"suser", Key::Suser}, {"sourceUserName", Key::Suser},
      {"usrName", Key::Suser}, {"src_user", Key::Suser}, {"duser", Key::Duser},
      {"destinationUserName", Key::Duser}, {"smac", Key::Smac}, {"sourceMacAddress", Key::Smac},
      {"srcMAC", Key::Smac}, {"dmac", Key::Dmac}, {"destinationMacAddress", Key::Dmac},
      {"dstMAC", Key::Dmac}, {"proto", Key::Proto}, {"transportProtocol", Key::Proto},
      {"app", Key::App}, {"applicationProtocol", Key::App}, {"act", Key::Act},
      {"deviceAction", Key::Act}, {"action", Key::Act}, {"outcome", Key::Outcome},
      {"request", Key::Request}, {"requestURL", Key::Request}, {"url", Key::Request},
      {"requestMethod", Key::RequestMethod}, {"requestClientApplication", Key::UserAgent},
      {"requestContext", Key::Referrer}, {"fname", Key::Fname}, {"fileName", Key::Fname},
      {"filePath", Key::FilePath}, {"fileHash", Key::FileHash}, {"fsize", Key::FileSize},
      {"fileSize", Key::FileSize}, {"fileType", Key::FileType}, {"msg", Key::Msg},
      {"message", Key::Msg}, {"cat", Key::Cat}, {"deviceEventCategory", Key::Cat},
      {"rt", Key::Rt}, {"receiptTime", Key::Rt}, {"start", Key::Start}, {"startTime", Key::Start},
      {"end", Key::End}, {"endTime", Key::End}, {"dvchost", Key::Dvchost},
      {"deviceHostName", Key::Dvchost}, {"dvc", Key::Dvc}, {"deviceAddress", Key::Dvc},
      {"externalId", Key::ExternalId}, {"deviceDirection", Key::Direction}, {"sev", Key::Sev},
      {"devTime", Key::DevTime}, {"devTimeFormat", Key::DevTimeFormat}, {"domain", Key::Domain},
      {"sntdom", Key::Sntdom}, {"sourceNtDomain", Key::Sntdom}, {"dntdom", Key::Dntdom},
      {"destinationNtDomain", Key::Dntdom}, {"sproc", Key::Sproc},
  };
  return m;
}

// csN, cnN, cfpN, flexStringN, flexNumberN, deviceCustomDateN, c6aN and their "...Label".
bool custom_key(std::string_view k, bool& is_label) {
  is_label = false;
  if (k.size() < 3 || (k[0] != 'c' && k[0] != 'f' && k[0] != 'd')) return false;
  is_label = k.size() > 5 && k.substr(k.size() - 5) == "Label";
  if (is_label) k.remove_suffix(5);
  for (std::string_view p : {"cs", "cn", "cfp", "flexString", "flexNumber", "flexDate",
                             "deviceCustomDate", "deviceCustomString", "deviceCustomNumber",
                             "c6a"}) {
    if (k.size() > p.size() && k.substr(0, p.size()) == p) {
      for (char c : k.substr(p.size()))
        if (c < '0' || c > '9') return false;
      return true;
    }
  }
  return false;
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '[' || c == ']' || c == '-';
}

int severity_cef(std::string_view s) {
  s = trim_view(s);
  int64_t n = parse_uint(s);
  if (n >= 0) {
    if (n <= 3) return 25;
    if (n <= 6) return 50;
    if (n <= 8) return 75;
    return 100;
  }
  if (iequals(s, "low")) return 25;
  if (iequals(s, "medium")) return 50;
  if (iequals(s, "high")) return 75;
  if (iequals(s, "very-high") || iequals(s, "very high") || iequals(s, "critical")) return 100;
  return -1;
}

struct Pair {
  std::string_view key, value;
};

// Splits a CEF extension into pairs. Throws RecordError on a broken escape.
void split_cef_extension(std::string_view ext, std::string& decoded, std::vector<Pair>& out) {
  std::size_t i = 0, n = ext.size();
  while (i < n && ext[i] == ' ') ++i;
  if (i >= n) return;
  // The first key.
  std::size_t eq = ext.find('=', i);
  if (eq == std::string_view::npos) throw RecordError("CEF extension has no key=value pair");
  std::string_view key = ext.substr(i, eq - i);
  for (char c : key)
    if (!key_char(c)) throw RecordError("CEF extension key " + quoted(key) + " is not a key");
  std::size_t vstart = eq + 1;
  bool escaped = false;
  for (std::size_t j = vstart; j <= n; ++j) {
    bool at_end = j == n;
    if (!at_end && ext[j] == '\\') {
      if (j + 1 >= n) throw RecordError("CEF extension ends in a broken escape (a lone \"\\\")");
      escaped = true;
      ++j;
      continue;
    }
    std::size_t vend = n, next_key = n;
    if (!at_end) {
      if (ext[j] != '=') continue;
      // Walk back over the key before this '='; it must follow a space.
      std::size_t k = j;
      while (k > vstart && key_char(ext[k - 1])) --k;
      if (k == j || k == vstart || ext[k - 1] != ' ') continue;  // '=' inside a value
      next_key = k;
      vend = k - 1;
    }
    while (vend > vstart && ext[vend - 1] == ' ') --vend;
    std::string_view value = ext.substr(vstart, vend - vstart);
    if (escaped) {
      std::size_t at = decoded.size();
      for (std::size_t x = 0; x < value.size(); ++x) {
        char c = value[x];
        if (c == '\\' && x + 1 < value.size()) {
          char d = value[++x];
          switch (d) {
            case 'n': decoded.push_back('\n'); break;
            case 'r': decoded.push_back('\r'); break;
            case '\\': case '=': case '|': decoded.push_back(d); break;
            default: decoded.push_back('\\'); decoded.push_back(d);  // kept literally
          }
        } else {
          decoded.push_back(c);
        }
      }
      value = std::string_view(decoded).substr(at);
    }
    out.push_back({key, value});
    if (at_end) break;
    key = ext.substr(next_key, j - next_key);
    vstart = j + 1;
    escaped = false;
  }
}

// Applies the mapped fields; returns the label-resolved custom fields into vendor_fields.
struct KvState {
  std::string_view rt, start, end, dev_time, dev_time_format, file_hash, direction, sev;
  std::string_view ext_id;
};

void set_ip_or_host(std::string_view v, std::string& ip, std::string& domain) {
  if (v.empty()) return;
  if (is_canonical_ipv4(v) || canonical_ip(v))
    ip.assign(v);
  else if (domain.empty() && v.find_first_of(" \t") == std::string_view::npos)
    domain.assign(v);
}

void apply_pairs(const std::vector<Pair>& pairs, Alert& a, KvState& st) {
  const auto& km = key_map();
  // Labels first, so that a custom field can be named whatever the order.
  std::vector<std::pair<std::string_view, std::string_view>> labels;
  for (const auto& p : pairs) {
    bool is_label = false;
    if (custom_key(p.key, is_label) && is_label && !p.value.empty())
      labels.emplace_back(p.key.substr(0, p.key.size() - 5), p.value);
  }
  auto label_of = [&](std::string_view k) -> std::string_view {
    for (const auto& [base, label] : labels)
      if (base == k) return label;
    return {};
  };
  auto add_vendor = [&](std::string_view k, std::string_view v) {
    for (auto& [ek, ev] : a.vendor_fields)
      if (ek == k) {
        ev.assign(v);
        return;
      }
    a.vendor_fields.emplace_back(std::string(k), std::string(v));
  };
  for (const auto& p : pairs) {
    auto it = km.find(p.key);
    Key k = it == km.end() ? Key::Other : it->second;
    std::string_view v = p.value;
    if (k == Key::Other) {
      bool is_label = false;
      if (custom_key(p.key, is_label)) {
        if (is_label || v.empty()) continue;
        std::string_view label = label_of(p.key);
        add_vendor(label.empty() ? p.key : label, v);
      } else if (!v.empty()) {
        add_vendor(p.key, v);
      }
      continue;
    }
    if (v.empty()) continue;
    switch (k) {
      case Key::Src: set_ip_or_host(v, a.source.ip, a.source.domain); break;
      case Key::Dst: set_ip_or_host(v, a.destination.ip, a.destination.domain); break;
      case Key::Spt: a.source.port = parse_port(v); break;
      case Key::Dpt: a.destination.port = parse_port(v); break;
      case Key::Shost: set_ip_or_host(v, a.source.ip, a.source.domain); break;
      case Key::Dhost: set_ip_or_host(v, a.destination.ip, a.destination.domain); break;
      case Key::Suser: a.source.user.assign(v); break;
      case Key::Duser: a.destination.user.assign(v); break;
      case Key::Smac: a.source.mac.assign(v); break;
      case Key::Dmac: a.destination.mac.assign(v); break;
      case Key::Proto: {
        // LEEF often gives the IP protocol number.
        if (v == "6") a.transport = "tcp";
        else if (v == "17") a.transport = "udp";
        else if (v == "1") a.transport = "icmp";
        else a.transport = to_lower(v);
        break;
      }
      case Key::App: a.protocol = to_lower(v); break;
      case Key::Act: a.action.assign(v); break;
      case Key::Outcome: a.outcome.assign(v); break;
      case Key::Request: a.url_full.assign(v); break;
      case Key::RequestMethod: a.http_method.assign(v); break;
      case Key::UserAgent: a.user_agent.assign(v); break;
      case Key::Referrer: a.referrer.assign(v); break;
      case Key::Fname: a.file_name.assign(v); break;
      case Key::FilePath: a.file_path.assign(v); break;
      case Key::FileHash: st.file_hash = v; break;
      case Key::FileSize: a.file_size = parse_uint(v); break;
      case Key::FileType: a.file_type.assign(v); break;
      case Key::Msg: a.message.assign(v); break;
      case Key::Cat: a.rule_category.assign(v); break;
      case Key::Rt: st.rt = v; break;
      case Key::Start: st.start = v; break;
      case Key::End: st.end = v; break;
      case Key::Dvchost: a.observer_hostname.assign(v); break;
      case Key::Dvc: add_vendor("dvc", v); break;
      case Key::ExternalId: st.ext_id = v; break;
      case Key::Direction: st.direction = v; break;
      case Key::Sev: st.sev = v; break;
      case Key::DevTime: st.dev_time = v; break;
      case Key::DevTimeFormat: st.dev_time_format = v; break;
      case Key::Domain: a.user_domain.assign(v); break;
      case Key::Sntdom: a.user_domain.assign(v); break;
      case Key::Dntdom: add_vendor("dntdom", v); break;
      case Key::Sproc: add_vendor("sproc", v); break;
      default: break;
    }
  }
  if (!st.file_hash.empty()) {
    auto h = canonical_hash(st.file_hash);
    std::string_view t = h ? hash_type(*h) : std::string_view();
    if (t == "md5") a.file_md5.assign(st.file_hash);
    else if (t == "sha1") a.file_sha1.assign(st.file_hash);
    else if (t == "sha256") a.file_sha256.assign(st.file_hash);
    else add_vendor("fileHash", st.file_hash);
  }
  // "0" inbound, "1" outbound (CEF deviceDirection).
  if (st.direction == "0") a.direction = "inbound";
  else if (st.direction == "1") a.direction = "outbound";
}

void set_time(Alert& a, std::string_view v) {
  if (v.empty() || a.has_timestamp) return;
  auto t = time::parse_cef_time(v);
  if (!t) t = time::parse_any(v);
  if (t) {
    a.timestamp = *t;
    a.has_timestamp = true;
  }
}

// Splits header fields on unescaped '|'; returns the offset after the last one taken.
std::size_t split_header(std::string_view s, std::size_t count, std::string& decoded,
                         std::vector<std::string_view>& fields, bool escapes) {
  std::size_t i = 0, start = 0;
  bool has_escape = false;
  while (fields.size() < count) {
    if (i >= s.size()) return std::string_view::npos;
    char c = s[i];
    if (escapes && c == '\\') {
      if (i + 1 >= s.size()) throw RecordError("CEF header ends in a broken escape (a lone \"\\\")");
      has_escape = true;
      i += 2;
      continue;
    }
    if (c == '|') {
      std::string_view f = s.substr(start, i - start);
      if (has_escape) {
        std::size_t at = decoded.size();
        for (std::size_t x = 0; x < f.size(); ++x) {
          if (f[x] == '\\' && x + 1 < f.size() && (f[x + 1] == '|' || f[x + 1] == '\\')) ++x;
          decoded.push_back(f[x]);
        }
        f = std::string_view(decoded).substr(at);
      }
      fields.push_back(f);
      has_escape = false;
      start = i + 1;
    }
    ++i;
  }
  return start;
}

// FireEye / Trellix NX, EX, CMS notifications in CEF.
void map_fireeye(Alert& a) {
  std::string_view sname, link, cnc_host, sha256;
  for (const auto& [k, v] : a.vendor_fields) {
    if (k == "sname") sname = v;
    else if (k == "link") link = v;
    else if (k == "cncHost") cnc_host = v;
    else if (k == "sha256sum") sha256 = v;
  }
  std::string name = a.rule_name;  // "malware-callback", "domain-match", ...
  if (!sname.empty()) {
    a.threat_name.assign(sname);
    a.message = name + ": " + std::string(sname);
  }
  if (!sha256.empty() && a.file_sha256.empty()) a.file_sha256.assign(sha256);
  if (!cnc_host.empty()) a.add_observable("domain", cnc_host, "attacker");
  if (name == "malware-callback" || name == "domain-match") {
    a.classification = "c2";
    a.attacker = Attacker::Destination;
  } else if (name == "malware-object" || name == "infection-match" || name == "web-infection") {
    a.classification = "malware";
    a.attacker = Attacker::Destination;
  } else if (name == "ips-event") {
    a.classification = "exploit";
  }
  a.dataset = "fireeye.cef";
  a.observer_type = "ids";
}

}  // namespace

std::optional<time::Millis> parse_java_time(std::string_view text, std::string_view format) {
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  int64_t year = -1, mon = 1, day = 1, hour = 0, min = 0, sec = 0, ms = 0, offset_min = 0;
  bool pm = false, has_ampm = false;
  std::size_t i = 0;  // position in text
  auto digits = [&](std::size_t max, int64_t& out) {
    std::size_t n = 0;
    int64_t v = 0;
    while (i < text.size() && n < max && text[i] >= '0' && text[i] <= '9') {
      v = v * 10 + (text[i++] - '0');
      ++n;
    }
    out = v;
    return n > 0;
  };
  for (std::size_t f = 0; f < format.size();) {
    char c = format[f];
    std::size_t run = 1;
    while (f + run < format.size() && format[f + run] == c) ++run;
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == '\'') {  // quoted literal
      std::size_t close = format.find('\'', f + 1);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view lit = format.substr(f + 1, close - f - 1);
      if (text.substr(i, lit.size()) != lit) return std::nullopt;
      i += lit.size();
      f = close + 1;
      continue;
    }
    if (!letter) {
      for (std::size_t k = 0; k < run; ++k) {
        if (i >= text.size() || text[i] != c) return std::nullopt;
        ++i;
      }
      f += run;
      continue;
    }
    switch (c) {
      case 'y':
        if (!digits(run == 2 ? 2 : 4, year)) return std::nullopt;
        if (run == 2) year += 2000;
        break;
      case 'M':
        if (run >= 3) {
          if (i + 3 > text.size()) return std::nullopt;
          std::string m = to_lower(text.substr(i, 3));
          mon = 0;
          for (int k = 0; k < 12; ++k)
            if (m == months[k]) mon = k + 1;
          if (!mon) return std::nullopt;
          i += 3;
          while (run > 3 && i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        } else if (!digits(2, mon)) {
          return std::nullopt;
        }
        break;
      case 'd': if (!digits(2, day)) return std::nullopt; break;
      case 'H': case 'k': if (!digits(2, hour)) return std::nullopt; break;
      case 'h': case 'K': if (!digits(2, hour)) return std::nullopt; break;
      case 'm': if (!digits(2, min)) return std::nullopt; break;
      case 's': if (!digits(2, sec)) return std::nullopt; break;
      case 'S': {
        std::size_t before = i;
        if (!digits(run, ms)) return std::nullopt;
        for (std::size_t n = i - before; n < 3; ++n) ms *= 10;
        for (std::size_t n = i - before; n > 3; --n) ms /= 10;
        break;
      }
      case 'a': {
        if (i + 2 > text.size()) return std::nullopt;
        has_ampm = true;
        pm = iequals(text.substr(i, 2), "pm");
        i += 2;
        break;
      }
      case 'E':  // day name: skip letters
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        break;
      case 'z': case 'Z': case 'X': {
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
          int sign = text[i] == '-' ? -1 : 1;
          ++i;
          int64_t hh = 0, mm = 0;
          if (!digits(2, hh)) return std::nullopt;
          if (i < text.size() && text[i] == ':') ++i;
          digits(2, mm);
          offset_min = sign * (hh * 60 + mm);
        } else if (i < text.size() && text[i] == 'Z') {
          ++i;
        } else {  // a zone name: UTC, GMT (others are read as UTC)
          while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
          if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            int sign = text[i] == '-' ? -1 : 1;
            ++i;
            int64_t hh = 0, mm = 0;
            digits(2, hh);
            if (i < text.size() && text[i] == ':') ++i;
            digits(2, mm);
            offset_min = sign * (hh * 60 + mm);
          }
        }
        break;
      }
      default:
        return std::nullopt;
    }
    f += run;
  }
  if (i != text.size()) return std::nullopt;
  if (has_ampm) {
    if (hour == 12) hour = 0;
    if (pm) hour += 12;
  }
  if (year < 0) {  // no year in the format: the clock's year
    int64_t days = time::now() / 86400000;
    year = 1970 + days / 366;
    while (time::days_from_civil(year + 1, 1, 1) <= days) ++year;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return std::nullopt;
  int64_t d = time::days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  return ((d * 24 + hour) * 60 + min - offset_min) * 60000 + sec * 1000 + ms;
}

bool parse_cef(std::string_view line, std::size_t at, Alert& a) {
  std::string_view s = line.substr(at);
  if (s.size() < 5 || s.substr(0, 4) != "CEF:") throw RecordError("not a CEF line");
  std::string decoded;
  decoded.reserve(line.size());
  std::vector<std::string_view> h;
  h.reserve(8);
  std::size_t ext_at = split_header(s.substr(4), 7, decoded, h, true);
  if (ext_at == std::string_view::npos)
    throw RecordError("CEF header has " + std::to_string(h.size()) + " of 7 fields");
  if (parse_uint(h[0]) < 0) throw RecordError("CEF version " + quoted(h[0]) + " is not a number");
  if (at > 0) parse_syslog_prefix(line.substr(0, at), a);
  std::vector<Pair> pairs;
  pairs.reserve(32);
  split_cef_extension(s.substr(4 + ext_at), decoded, pairs);

  a.observer_vendor.assign(h[1]);
  a.observer_product.assign(h[2]);
  a.rule_id.assign(h[4]);
  a.rule_name.assign(h[5]);
  a.severity = severity_cef(h[6]);
  a.vendor_key = "cef";
  if (!h[3].empty()) a.vendor_fields.emplace_back("deviceVersion", std::string(h[3]));
  KvState st;
  apply_pairs(pairs, a, st);
  bool had_syslog_time = a.has_timestamp;
  a.has_timestamp = false;
  set_time(a, st.rt);
  set_time(a, st.start);
  set_time(a, st.end);
  if (!a.has_timestamp && had_syslog_time) a.has_timestamp = true;
  a.dataset = "cef";
  if (iequals(a.observer_vendor, "FireEye") || iequals(a.observer_vendor, "Trellix")) map_fireeye(a);
  a.id_product = a.observer_vendor + "/" + a.observer_product;
  if (!st.ext_id.empty()) {
    a.event_id.assign(st.ext_id);
    a.id_native = a.observer_hostname + "\x1f" + std::string(st.ext_id) + "\x1f" + a.rule_id;
  } else {
    a.id_native.assign(trim_view(line));
  }
  return true;
}

bool parse_leef(std::string_view line, std::size_t at, Alert& a) {
  std::string_view s = line.substr(at);
  if (s.size() < 6 || s.substr(0, 5) != "LEEF:") throw RecordError("not a LEEF line");
  std::string decoded;
  decoded.reserve(line.size());
  std::vector<std::string_view> h;
  std::size_t version_end = s.find('|');
  if (version_end == std::string_view::npos) throw RecordError("LEEF header has no fields");
  std::string_view version = s.substr(5, version_end - 5);
  bool v2 = version.substr(0, 1) == "2";
  if (!v2 && version.substr(0, 1) != "1")
    throw RecordError("LEEF version " + quoted(version) + " is not 1.0 or 2.0");
  std::size_t attrs_at = split_header(s.substr(version_end + 1), v2 ? 5 : 4, decoded, h, false);
  if (attrs_at == std::string_view::npos && v2 && h.size() == 4) {
    // LEEF 2.0 without the delimiter field (PAN-OS templates): attributes follow the 5th "|".
    h.clear();
    attrs_at = split_header(s.substr(version_end + 1), 4, decoded, h, false);
    h.push_back({});
  }
  if (attrs_at == std::string_view::npos)
    throw RecordError("LEEF header has " + std::to_string(h.size() + 1) + " of " +
                      (v2 ? "6" : "5") + " fields");
  std::string_view attrs = s.substr(version_end + 1 + attrs_at);
  // LEEF 1.0: TAB. LEEF 2.0: the sixth header field, one character or hex (0x09, x09).
  std::string delim = "\t";
  if (v2 && !h[4].empty()) {
    std::string_view d = h[4];
    if (d.size() > 1 && (d[0] == 'x' || d[0] == 'X' || (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')))) {
      std::string_view hex = d.substr(d[0] == '0' ? 2 : 1);
      unsigned v = 0;
      for (char c : hex) {
        int x = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (x < 0 || hex.size() > 4) throw RecordError("LEEF delimiter " + quoted(d) + " is not valid");
        v = v * 16 + static_cast<unsigned>(x);
      }
      if (v == 0 || v > 127) throw RecordError("LEEF delimiter " + quoted(d) + " is not valid");
      delim.assign(1, static_cast<char>(v));
    } else {
      delim.assign(d);
    }
  }
  // A TAB written as the two characters "\t" (configuration templates, some relays).
  if (delim == "\t" && attrs.find('\t') == std::string_view::npos &&
      attrs.find("\\t") != std::string_view::npos)
    delim = "\\t";
  if (at > 0) parse_syslog_prefix(line.substr(0, at), a);
  std::vector<Pair> pairs;
  pairs.reserve(32);
  if (delim == "\t" && attrs.find('\t') == std::string_view::npos &&
      attrs.find('=') != std::string_view::npos) {
    // No TAB at all: a relay turned TABs into spaces. Split like CEF, on " key=".
    split_cef_extension(attrs, decoded, pairs);
    attrs = {};
  }
  while (!attrs.empty()) {
    std::size_t end = attrs.find(delim);
    std::string_view item = attrs.substr(0, end);
    attrs.remove_prefix(end == std::string_view::npos ? attrs.size() : end + delim.size());
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (trim_view(item).empty()) continue;
      throw RecordError("LEEF attribute " + quoted(item) + " has no \"=\"");
    }
    std::string_view k = trim_view(item.substr(0, eq));
    if (k.empty()) throw RecordError("LEEF attribute " + quoted(item) + " has no key");
    pairs.push_back({k, item.substr(eq + 1)});
  }
  a.observer_vendor.assign(h[0]);
  a.observer_product.assign(h[1]);
  a.rule_id.assign(h[3]);
  a.vendor_key = "leef";
  if (!h[2].empty()) a.vendor_fields.emplace_back("version", std::string(h[2]));
  KvState st;
  apply_pairs(pairs, a, st);
  a.rule_name = a.rule_id;
  if (!st.sev.empty()) {
    int64_t n = parse_uint(st.sev);  // LEEF sev is 1-10
    a.severity = n < 0 ? -1 : n <= 3 ? 25 : n <= 6 ? 50 : n <= 8 ? 75 : 100;
  }
  if (!st.dev_time.empty()) {
    std::optional<time::Millis> t;
    if (!st.dev_time_format.empty()) {
      t = parse_java_time(st.dev_time, st.dev_time_format);
      if (!t)
        throw RecordError("devTime " + quoted(st.dev_time) + " does not match devTimeFormat " +
                          quoted(st.dev_time_format));
    } else {
      t = time::parse_cef_time(st.dev_time);
      if (!t) t = time::parse_any(st.dev_time);
    }
    if (t) {
      a.timestamp = *t;
      a.has_timestamp = true;
    }
  }
  a.dataset = "leef";
  a.id_product = a.observer_vendor + "/" + a.observer_product;
  a.id_native.assign(trim_view(line));
  return true;
}

}  // namespace tr::ingest
