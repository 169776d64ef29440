#include "correlate/never_link.hpp"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_set>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "record/record.hpp"
#include "schema/observable.hpp"

namespace tr::correlate {

namespace {

struct Net {
  int family = 0;  // 4 or 6
  std::array<unsigned char, 16> bytes{};
};

std::optional<Net> parse_ip(std::string_view s) {
  std::string t(s);
  Net n;
  if (inet_pton(AF_INET, t.c_str(), n.bytes.data()) == 1) {
    n.family = 4;
    return n;
  }
  if (inet_pton(AF_INET6, t.c_str(), n.bytes.data()) == 1) {
    n.family = 6;
    return n;
  }
  return std::nullopt;
}

std::string masked(const Net& n, int len) {
  std::string key(1, static_cast<char>(n.family));
  int total = n.family == 4 ? 4 : 16;
  for (int i = 0; i < total; ++i) {
    int bits = std::clamp(len - 8 * i, 0, 8);
    unsigned char mask = bits == 0 ? 0 : static_cast<unsigned char>(0xFF << (8 - bits));
    key.push_back(static_cast<char>(n.bytes[static_cast<std::size_t>(i)] & mask));
  }
  return key;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

struct NeverLink::Impl {
  std::map<int, std::unordered_set<std::string>> nets;  // prefix length (per family) -> keys
  std::unordered_set<std::string> domains;              // domain and its subdomains
  std::unordered_set<std::string> exact;                // any type, exact (lower-cased)
  std::unordered_set<std::string> typed;                // "type\x1fvalue"
  std::vector<std::string> substrings;
  std::vector<std::unique_ptr<RE2>> regexes;
  std::size_t count = 0;

  void add_net(std::string_view entry, const std::string& where) {
    auto slash = entry.find('/');
    auto ip = parse_ip(entry.substr(0, slash));
    if (!ip) throw UsageError(where + "\"" + cli::term_safe(entry) + "\" is not an IP or CIDR");
    int max = ip->family == 4 ? 32 : 128;
    int len = max;
    if (slash != std::string_view::npos) {
      std::string l(entry.substr(slash + 1));
      char* end = nullptr;
      long v = std::strtol(l.c_str(), &end, 10);
      if (l.empty() || *end || v < 0 || v > max)
        throw UsageError(where + "\"" + cli::term_safe(entry) + "\" has a bad prefix length");
      len = static_cast<int>(v);
    }
    nets[ip->family * 1000 + len].insert(masked(*ip, len));
    ++count;
  }

  bool ip_matches(std::string_view value) const {
    if (nets.empty()) return false;
    auto ip = parse_ip(value);
    if (!ip) return false;
    for (const auto& [key, set] : nets) {
      if (key / 1000 != ip->family) continue;
      if (set.count(masked(*ip, key % 1000))) return true;
    }
    return false;
  }

  bool domain_matches(std::string_view d) const {
    if (domains.empty()) return false;
    std::string_view rest = d;
    while (!rest.empty()) {
      if (domains.count(std::string(rest))) return true;
      auto dot = rest.find('.');
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    return false;
  }
};

NeverLink::NeverLink() : impl_(std::make_unique<Impl>()) {}
NeverLink::~NeverLink() = default;
NeverLink::NeverLink(NeverLink&&) noexcept = default;
NeverLink& NeverLink::operator=(NeverLink&&) noexcept = default;

bool NeverLink::empty() const { return impl_->count == 0; }

void NeverLink::add(std::string_view entry, const std::string& where) {
  auto trim = [](std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return std::string_view{};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
  };
  entry = trim(entry);
  if (entry.empty()) return;
  auto colon = entry.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      is_observable_type(entry.substr(0, colon)) && !parse_ip(entry)) {
    std::string_view type = entry.substr(0, colon), value = trim(entry.substr(colon + 1));
    if (type == "ip" || type == "cidr") return impl_->add_net(value, where);
    auto canon = canonical(type, value);
    if (!canon)
      throw UsageError(where + "\"" + cli::term_safe(value) + "\" is not a valid " +
                       std::string(type));
    if (type == "domain") {
      impl_->domains.insert(*canon);
    } else {
      impl_->typed.insert(std::string(type) + '\x1f' + *canon);
    }
    ++impl_->count;
    return;
  }
  std::string_view head = entry.substr(0, entry.find('/'));
  if (parse_ip(head)) return impl_->add_net(entry, where);
  if (auto d = canonical_domain(entry)) {
    impl_->domains.insert(*d);
    ++impl_->count;
    return;
  }
  impl_->exact.insert(lower(entry));
  ++impl_->count;
}

void NeverLink::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--never-link: cannot read " + path);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    add(line, path + ":" + std::to_string(n) + ": ");
  }
}

std::size_t NeverLink::load_warninglists(const std::string& dir,
                                         std::vector<std::string>& warnings) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError("--warninglists: " + dir + " is not a folder");
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::size_t loaded = 0;
  for (const auto& f : files) {
    std::string name = fs::relative(f, dir, ec).string();
    if (ec || name.empty()) name = f.filename().string();
    std::ifstream in(f);
    Json j;
    try {
      j = Json::parse(in);
    } catch (const std::exception&) {
      warnings.push_back("--warninglists: " + name + ": not valid JSON; list skipped");
      continue;
    }
    if (!j.is_object() || !j.contains("list") || !j["list"].is_array()) {
      warnings.push_back("--warninglists: " + name + ": no \"list\" array; list skipped");
      continue;
    }
    std::string type = j.value("type", "string");
    for (const auto& item : j["list"]) {
      if (!item.is_string()) continue;
      std::string v = item.get<std::string>();
      try {
        if (type == "cidr") {
          impl_->add_net(v, "");
        } else if (type == "hostname") {
          while (!v.empty() && v.front() == '.') v.erase(0, 1);
          if (auto d = canonical_domain(v)) impl_->domains.insert(*d), ++impl_->count;
        } else if (type == "substring") {
          impl_->substrings.push_back(lower(v)), ++impl_->count;
        } else if (type == "regex") {
          auto re = std::make_unique<RE2>(v, RE2::Quiet);
          if (re->ok()) impl_->regexes.push_back(std::move(re)), ++impl_->count;
        } else {
          while (!v.empty() && v.front() == '.') v.erase(0, 1);
          impl_->exact.insert(lower(v)), ++impl_->count;
        }
      } catch (const UsageError&) {
        // A malformed entry in a third-party list costs that entry only.
      }
    }
    ++loaded;
  }
  return loaded;
}

bool NeverLink::matches(std::string_view type, std::string_view value) const {
  const Impl& m = *impl_;
  if (m.count == 0) return false;
  if (!m.typed.empty() && m.typed.count(std::string(type) + '\x1f' + std::string(value)))
    return true;
  if (!m.exact.empty() && m.exact.count(lower(value))) return true;
  if (type == "ip" && m.ip_matches(value)) return true;
  if (type == "domain" || type == "host") {
    if (m.domain_matches(value)) return true;
  }
  if (type == "url") {
    if (auto host = url_host(value)) {
      if (m.domain_matches(*host) || m.ip_matches(*host) || m.exact.count(*host)) return true;
    }
  }
  if (!m.substrings.empty() || !m.regexes.empty()) {
    std::string v = lower(value);
    for (const auto& s : m.substrings)
      if (v.find(s) != std::string::npos) return true;
    for (const auto& re : m.regexes)
      if (RE2::PartialMatch(value, *re)) return true;
  }
  return false;
}

}  // namespace tr::correlate
