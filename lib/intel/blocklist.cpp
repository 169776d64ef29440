#include "intel/blocklist.hpp"

#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "core/error.hpp"
#include "intel/csv.hpp"
#include "intel/ip_table.hpp"
#include "schema/observable.hpp"

namespace tr::intel {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool has_bad_url_char(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F || c == '\\') return true;
  return false;
}

// What a feed token is: 'i' ip/network, 'u' url, 'h' hash, 'd' domain, 0 nothing usable.
char classify(std::string_view v) {
  if (v.empty() || v.size() > 2048) return 0;
  if (v.find("://") != std::string_view::npos) return has_bad_url_char(v) ? 0 : 'u';
  if (parse_network(v)) return 'i';
  if (canonical_hash(v)) return 'h';
  if (v.starts_with("*.")) v.remove_prefix(2);  // wildcard lists: the parent rule covers it
  if (v.find('.') != std::string_view::npos && canonical_domain(v)) return 'd';
  return 0;
}

std::string_view first_token(std::string_view s) {
  s = trim(s);
  std::size_t end = s.find_first_of(" \t");
  return end == std::string_view::npos ? s : s.substr(0, end);
}

std::string_view json_value(std::string_view line, std::string& scratch) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(line.data(), line.size()).get(root) || !root.is_object()) return {};
  for (const char* key : {"url", "ioc", "ioc_value", "cidr", "ip", "domain", "sha256_hash",
                          "md5_hash", "value"}) {
    std::string_view v;
    if (root[key].get(v) == simdjson::SUCCESS && !v.empty()) {
      // ThreatFox "ip:port" IOCs: keep the address.
      if (std::string_view(key).starts_with("ioc") && v.find("://") == std::string_view::npos) {
        auto colon = v.rfind(':');
        if (colon != std::string_view::npos && v.find(':') == colon) v = v.substr(0, colon);
      }
      scratch.assign(v);
      return scratch;
    }
  }
  return {};
}

}  // namespace

std::string_view feed_value(std::string_view line, std::string_view format, std::string& scratch) {
  line = trim(line);
  if (line.empty() || line[0] == '#' || line.starts_with("//")) return {};
  if (line[0] == ';' && format != "csv") return {};
  if (format == "json" || (format == "auto" && line[0] == '{')) return json_value(line, scratch);
  if (format == "drop" || (format == "auto" && line.find(" ; ") != std::string_view::npos)) {
    return trim(line.substr(0, line.find(';')));
  }
  if (format == "dshield" || format == "auto") {
    // "start\tend\tprefix\t..." with a prefix length in the third column.
    if (line.find('\t') != std::string_view::npos) {
      std::vector<std::string_view> cols;
      std::size_t b = 0;
      while (b <= line.size() && cols.size() < 4) {
        std::size_t e = line.find('\t', b);
        if (e == std::string_view::npos) e = line.size();
        cols.push_back(trim(line.substr(b, e - b)));
        b = e + 1;
      }
      if (cols.size() >= 3 && IpAddr::parse(cols[0]) && IpAddr::parse(cols[1]) &&
          !cols[2].empty() && cols[2].size() <= 3 &&
          cols[2].find_first_not_of("0123456789") == std::string_view::npos) {
        scratch.assign(cols[0]);
        scratch += "/";
        scratch += cols[2];
        return scratch;
      }
      if (format == "dshield") return {};
    }
  }
  if (format == "hosts" || (format == "auto" && (line.starts_with("0.0.0.0 ") ||
                                                 line.starts_with("127.0.0.1 ") ||
                                                 line.starts_with("0.0.0.0\t") ||
                                                 line.starts_with("127.0.0.1\t")))) {
    std::string_view rest = trim(line.substr(line.find_first_of(" \t")));
    std::string_view tok = first_token(rest);
    if (tok == "localhost" || tok.empty()) return {};
    return tok;
  }
  if (format == "csv" || (format == "auto" && (line[0] == '"' || line.find(',') != std::string_view::npos))) {
    auto fields = split_csv(line);
    // Prefer a URL (URLhaus rows also hold a urlhaus_link URL, later in the row).
    for (auto& f : fields) {
      std::string_view v = trim(f);
      if (classify(v) != 0) {
        scratch.assign(v);
        return scratch;
      }
    }
    return {};
  }
  if (format != "plain" && format != "auto") return {};
  return first_token(line);
}

namespace {

bool all_of(std::string_view s, const char* set) {
  return s.find_first_not_of(set) == std::string_view::npos;
}

// The Matcher type a feed value is read as; the Matcher validates it. Cheap on purpose: a
// million entries are classified while loading, and a wrong guess is only a refusal.
std::optional<match::Type> feed_type(std::string_view v) {
  if (v.empty() || v.size() > 2048) return std::nullopt;
  if (v.find("://") != std::string_view::npos) {
    if (has_bad_url_char(v)) return std::nullopt;
    return match::Type::Url;
  }
  if (v.find('@') != std::string_view::npos) return match::Type::Email;
  // Domains hold no ':' and always a letter in their last label.
  if (v.find(':') != std::string_view::npos || all_of(v, "0123456789./"))
    return match::Type::Ip;  // a network when it has a prefix length
  if (all_of(v, "0123456789abcdefABCDEF")) {
    switch (v.size()) {
      case 32: return match::Type::Md5;
      case 40: return match::Type::Sha1;
      case 64: return match::Type::Sha256;
      case 128: return match::Type::Sha512;
      default: return std::nullopt;
    }
  }
  return match::Type::Domain;  // "*.wild.example" too: the parent rule covers it
}

}  // namespace

LoadStats LocalBlocklists::load_text(std::string_view text, const std::string& name,
                                     const std::string& format) {
  static const std::vector<std::string> formats = {"auto", "plain", "drop", "hosts",
                                                   "csv",  "dshield", "json"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw UsageError("blocklist " + name + ": unknown format \"" + format +
                     "\" (auto, plain, drop, hosts, csv, dshield, json)");
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
  LoadStats st;
  std::string scratch;
  // About one entry a line: sizing the tables once saves rehashing a million keys.
  matcher_.reserve(matcher_.size() +
                   static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++st.lines;
    std::string_view v = feed_value(line, format, scratch);
    if (v.empty()) continue;
    auto type = feed_type(v);
    if (type && matcher_.add(*type, v, name, "", false).empty())
      ++st.entries;
    else
      ++st.invalid;
  }
  matcher_.finish();
  return st;
}

LoadStats LocalBlocklists::load_file(const std::string& path, const std::string& name,
                                     const std::string& format) {
  return load_text(read_file(path), name, format);
}

std::size_t LocalBlocklists::list_index(const match::Origin* origin) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == origin->source) return i;
  return names_.size();
}

void LocalBlocklists::report(match::Type t, std::string_view probe, std::string_view type,
                             std::string_view value, std::vector<BlockHit>& out) const {
  thread_local std::vector<match::Hit> hits;
  thread_local std::vector<std::pair<std::size_t, uint32_t>> best;  // (list, indicator)
  hits.clear();
  best.clear();
  matcher_.match(t, probe, hits);
  for (const match::Hit& h : hits) {
    // A domain that only hosts a listed URL is not on the list (a URL on a shared host).
    if (t == match::Type::Domain && h.via == match::Via::UrlHost) continue;
    std::size_t list = list_index(matcher_.indicator(h.indicator).origin);
    bool seen = false;
    for (const auto& b : best) seen |= b.first == list;
    if (!seen) best.emplace_back(list, h.indicator);  // the Matcher reports the most specific first
  }
  std::sort(best.begin(), best.end());
  for (const auto& [list, indicator] : best)
    out.push_back({std::string(type), std::string(value), names_[list],
                   std::string(matcher_.indicator(indicator).value)});
}

std::optional<match::Type> LocalBlocklists::matcher_type(std::string_view type) {
  if (type == "ip") return match::Type::Ip;
  if (type == "domain" || type == "host") return match::Type::Domain;
  if (type == "url") return match::Type::Url;
  if (type == "sha256") return match::Type::Sha256;
  if (type == "sha1") return match::Type::Sha1;
  if (type == "md5") return match::Type::Md5;
  if (type == "email") return match::Type::Email;
  return std::nullopt;
}

void LocalBlocklists::prefetch(std::string_view type, std::string_view value) const {
  if (auto t = matcher_type(type)) matcher_.prefetch(*t, value);
}

void LocalBlocklists::match(std::string_view type, std::string_view value,
                            std::vector<BlockHit>& out) const {
  if (type == "ip") {
    report(match::Type::Ip, value, type, value, out);
  } else if (type == "domain" || type == "host") {
    report(match::Type::Domain, value, type, value, out);
  } else if (type == "url") {
    report(match::Type::Url, value, type, value, out);
  } else if (type == "sha256") {
    report(match::Type::Sha256, value, type, value, out);
  } else if (type == "sha1") {
    report(match::Type::Sha1, value, type, value, out);
  } else if (type == "md5") {
    report(match::Type::Md5, value, type, value, out);
  } else if (type == "email") {
    std::size_t before = out.size();
    report(match::Type::Email, value, type, value, out);
    // A listed address, else its domain on a domain list.
    if (out.size() == before)
      if (auto d = email_domain(value)) report(match::Type::Domain, *d, type, value, out);
  }
}

}  // namespace tr::intel
