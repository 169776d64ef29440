#include "devices/guard.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "core/error.hpp"
#include "schema/observable.hpp"

namespace tr::devices {
namespace {

struct Reserved {
  const char* net;
  const char* what;
};
// IANA special-purpose ranges that must never be blocked by accident. The documentation
// ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are left out on
// purpose: they are what examples and tests use, and no real traffic comes from them.
constexpr Reserved kReserved[] = {
    {"0.0.0.0/8", "this-network"},        {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared (CGNAT)"},  {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},     {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "IETF protocol"},    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},          {"::/128", "unspecified"},
    {"::1/128", "loopback"},              {"::ffff:0:0/96", "IPv4-mapped"},
    {"64:ff9b::/96", "NAT64"},            {"fc00::/7", "unique local"},
    {"fe80::/10", "link-local"},          {"ff00::/8", "multicast"},
};

bool name_covers(const std::string& parent, const std::string& name) {
  if (name == parent) return true;
  return name.size() > parent.size() && name.ends_with(parent) &&
         name[name.size() - parent.size() - 1] == '.';
}

}  // namespace

Guard Guard::from_config(const Config& config) {
  Guard g;
  YAML::Node list = config.node("allowlist");
  if (list && !list.IsSequence())
    throw UsageError(config.where(list) + "allowlist must be a list");
  if (list) {
    for (const auto& item : list) {
      if (item.IsMap() && item["misp"]) {
        std::string path = expand_home(item["misp"].as<std::string>());
        if (!path.empty() && path[0] != '/' && !config.path().empty()) {
          auto slash = config.path().rfind('/');
          if (slash != std::string::npos) path = config.path().substr(0, slash + 1) + path;
        }
        try {
          g.load_misp(path);
        } catch (const UsageError& e) {
          throw UsageError(config.where(item) + e.what());
        }
        continue;
      }
      if (!item.IsScalar()) throw UsageError(config.where(item) + "allowlist entry must be a value");
      try {
        g.allow(item.as<std::string>());
      } catch (const UsageError& e) {
        throw UsageError(config.where(item) + e.what());
      }
    }
  }
  for (const auto& c : config.get_strings("allow_reserved")) {
    Net n;
    if (!parse_net(c, n)) throw UsageError("allow_reserved: '" + c + "' is not a network");
    g.allow_reserved(n);
  }
  g.min_prefix4_ = static_cast<int>(config.get_int("limits.min_prefix4", 8));
  g.min_prefix6_ = static_cast<int>(config.get_int("limits.min_prefix6", 32));
  return g;
}

void Guard::allow(const std::string& entry) {
  Net n;
  if (parse_net(entry, n)) {
    nets_.push_back(n);
    return;
  }
  std::string e = entry;
  if (e.starts_with("*.")) e = e.substr(2);
  Checked name = check_value("host", e);
  if (name.ok) {
    names_.push_back(name.value);
    return;
  }
  if (entry.empty()) throw UsageError("empty allowlist entry");
  values_.push_back(entry);
}

void Guard::load_misp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read MISP warninglist " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("list") || !j["list"].is_array())
    throw UsageError(path + ": not a MISP warninglist (an object with a \"list\" array)");
  std::string type = j.value("type", "string");
  for (const auto& v : j["list"]) {
    if (!v.is_string()) continue;
    std::string s = v.get<std::string>();
    if (type == "cidr" || type == "hostname" || type == "string") {
      Net n;
      if (parse_net(s, n)) {
        nets_.push_back(n);
      } else if (Checked c = check_value("host", s.starts_with(".") ? s.substr(1) : s); c.ok) {
        names_.push_back(c.value);
      } else {
        values_.push_back(s);
      }
    }
    // substring and regex warninglists are not used for blocking decisions.
  }
}

std::optional<std::string> Guard::refuse_net(const Net& n) const {
  for (const auto& a : nets_)
    if (a.overlaps(n)) return "allowlisted (" + a.address() + "/" + std::to_string(a.len) + ")";
  int min = n.v6 ? min_prefix6_ : min_prefix4_;
  if (n.len < min) return "network wider than /" + std::to_string(min);
  for (const auto& r : kReserved) {
    Net res;
    parse_net(r.net, res);
    if (!res.overlaps(n)) continue;
    bool ok = false;
    for (const auto& a : reserved_ok_) ok = ok || a.contains(n);
    if (!ok) return std::string(r.what) + " range " + r.net + " (allow_reserved to permit)";
  }
  return std::nullopt;
}

std::optional<std::string> Guard::refuse_name(const std::string& name) const {
  for (const auto& a : names_) {
    if (name_covers(a, name)) return "allowlisted (" + a + ")";
    if (name_covers(name, a)) return "covers allowlisted " + a;
  }
  return std::nullopt;
}

std::optional<std::string> Guard::refuse(const std::string& type, const std::string& value) const {
  if (type == "ip" || type == "cidr") {
    Net n;
    if (!parse_net(value, n)) return "not a network";
    return refuse_net(n);
  }
  if (type == "domain" || type == "host") return refuse_name(value);
  if (type == "url") {
    auto host = url_host(value);
    if (!host) return "URL without a host";
    Net n;
    if (parse_net(*host, n)) return refuse_net(n);
    return refuse_name(*host);
  }
  for (const auto& v : values_)
    if (v == value) return "allowlisted (" + v + ")";
  if (type == "user") {
    for (const auto& a : names_)
      if (a == value) return "allowlisted (" + a + ")";
  }
  return std::nullopt;
}

}  // namespace tr::devices
