#include "intel/blocklist.hpp"

#include <simdjson.h>

#include "core/error.hpp"
#include "intel/csv.hpp"
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

int LocalBlocklists::list_id(const std::string& name) {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  if (names_.size() >= kMaxLists)
    throw UsageError("more than " + std::to_string(kMaxLists) + " blocklists");
  names_.push_back(name);
  return static_cast<int>(names_.size() - 1);
}

static uint64_t hash_key(char type, std::string_view v) {
  // FNV-1a over the type letter and the value: cheap, and stable for the sorted table.
  uint64_t h = 1469598103934665603ull;
  h = (h ^ static_cast<unsigned char>(type)) * 1099511628211ull;
  for (unsigned char c : v) h = (h ^ c) * 1099511628211ull;
  return h ^ (h >> 32);
}

bool LocalBlocklists::add_value(std::string_view v, uint64_t bit) {
  auto add_string = [&](char type, std::string_view value) {
    strings_.push_back({hash_key(type, value), static_cast<uint32_t>(arena_.size() + 1),
                        static_cast<uint32_t>(value.size()), bit});
    arena_.push_back(type);
    arena_.append(value);
    strings_frozen_ = false;
  };
  switch (classify(v)) {
    case 'i': {
      auto net = parse_network(v);
      ips_.insert(net->first, net->second, bit);
      return true;
    }
    case 'u':
      add_string('u', v);
      return true;
    case 'h':
      add_string('h', *canonical_hash(v));
      return true;
    case 'd': {
      std::string_view d = v;
      if (d.starts_with("*.")) d.remove_prefix(2);
      auto c = canonical_domain(d);
      if (!c) return false;
      add_string('d', *c);
      return true;
    }
    default:
      return false;
  }
}

void LocalBlocklists::freeze() {
  if (!ips_.frozen()) ips_.freeze([](uint64_t& into, const uint64_t& from) { into |= from; });
  if (strings_frozen_) return;
  auto text = [&](const StringEntry& e) {
    return std::string_view(arena_).substr(e.offset - 1, e.length + 1);
  };
  std::sort(strings_.begin(), strings_.end(), [&](const StringEntry& a, const StringEntry& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return text(a) < text(b);
  });
  std::size_t out = 0;
  for (std::size_t i = 0; i < strings_.size(); ++i) {
    if (out > 0 && strings_[out - 1].hash == strings_[i].hash &&
        text(strings_[out - 1]) == text(strings_[i])) {
      strings_[out - 1].mask |= strings_[i].mask;
      continue;
    }
    strings_[out++] = strings_[i];
  }
  strings_.resize(out);
  strings_.shrink_to_fit();
  string_index_.reset(strings_.size());
  for (std::size_t i = 0; i < strings_.size(); ++i)
    string_index_.insert(strings_[i].hash, static_cast<uint32_t>(i));
  strings_frozen_ = true;
}

const uint64_t* LocalBlocklists::find_string(char type, std::string_view value) const {
  uint64_t h = hash_key(type, value);
  uint32_t at = string_index_.find(h, [&](uint32_t pos) {
    const StringEntry& e = strings_[pos];
    return e.hash == h && e.length == value.size() && arena_[e.offset - 1] == type &&
           std::string_view(arena_).substr(e.offset, e.length) == value;
  });
  return at == HashIndex::kEmpty ? nullptr : &strings_[at].mask;
}

LoadStats LocalBlocklists::load_text(std::string_view text, const std::string& name,
                                     const std::string& format) {
  static const std::vector<std::string> formats = {"auto", "plain", "drop", "hosts",
                                                   "csv",  "dshield", "json"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw UsageError("blocklist " + name + ": unknown format \"" + format +
                     "\" (auto, plain, drop, hosts, csv, dshield, json)");
  uint64_t bit = uint64_t{1} << list_id(name);
  LoadStats st;
  std::string scratch;
  arena_.reserve(arena_.size() + text.size() / 2);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++st.lines;
    std::string_view v = feed_value(line, format, scratch);
    if (v.empty()) continue;
    if (add_value(v, bit))
      ++st.entries;
    else
      ++st.invalid;
  }
  freeze();
  return st;
}

LoadStats LocalBlocklists::load_file(const std::string& path, const std::string& name,
                                     const std::string& format) {
  return load_text(read_file(path), name, format);
}

void LocalBlocklists::report(uint64_t mask, std::string_view type, std::string_view value,
                             std::string entry, std::vector<BlockHit>& out) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (mask & (uint64_t{1} << i))
      out.push_back({std::string(type), std::string(value), names_[i], entry});
}

void LocalBlocklists::match(std::string_view type, std::string_view value,
                            std::vector<BlockHit>& out) const {
  if (!strings_frozen_ || !ips_.frozen()) const_cast<LocalBlocklists*>(this)->freeze();
  auto probe = [&](char t, std::string_view v) { return find_string(t, v); };
  auto match_domain = [&](std::string_view d) {
    // The domain and each parent with at least two labels.
    while (d.find('.') != std::string_view::npos) {
      if (const uint64_t* m = probe('d', d)) {
        report(*m, type, value, std::string(d), out);
        return;
      }
      d.remove_prefix(d.find('.') + 1);
    }
  };
  auto match_ip = [&](std::string_view ip) {
    auto a = IpAddr::parse(ip);
    if (!a) return;
    int len = 0;
    if (const uint64_t* m = ips_.find(*a, &len)) {
      std::string entry = std::string(ip);
      if (len != a->bits()) {
        auto net = parse_network(std::string(ip) + "/" + std::to_string(len));
        entry = net->first.str() + "/" + std::to_string(len);
      }
      report(*m, type, value, entry, out);
    }
  };
  if (type == "ip") {
    match_ip(value);
  } else if (type == "domain" || type == "host") {
    match_domain(value);
  } else if (type == "url") {
    if (const uint64_t* m = probe('u', value)) {
      report(*m, type, value, std::string(value), out);
      return;
    }
    if (auto host = url_host(value)) {
      if (IpAddr::parse(*host))
        match_ip(*host);
      else
        match_domain(*host);
    }
  } else if (type == "sha256" || type == "sha1" || type == "md5") {
    if (const uint64_t* m = probe('h', value)) report(*m, type, value, std::string(value), out);
  } else if (type == "email") {
    if (auto d = email_domain(value)) match_domain(*d);
  }
}

}  // namespace tr::intel
