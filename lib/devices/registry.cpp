#include <functional>
#include <map>

#include "config/config.hpp"
#include "core/error.hpp"
#include "devices/adapters.hpp"

namespace tr::devices {

std::string DeviceConfig::str(const std::string& key, const std::string& fallback) const {
  YAML::Node n = node[key];
  if (!n) return fallback;
  if (!n.IsScalar()) fail(key, "must be a single value");
  return n.as<std::string>();
}

std::string DeviceConfig::path(const std::string& key) const {
  std::string p = config.get_path("devices." + name + "." + key);
  if (p.empty()) fail(key, "is required");
  return p;
}

bool DeviceConfig::flag(const std::string& key, bool fallback) const {
  return config.get_bool("devices." + name + "." + key, fallback);
}

int64_t DeviceConfig::integer(const std::string& key, int64_t fallback) const {
  return config.get_int("devices." + name + "." + key, fallback);
}

std::string DeviceConfig::ident(const std::string& key, const std::string& fallback) const {
  std::string v = str(key, fallback);
  bool ok = !v.empty() && v.size() <= 63 && v[0] != '-';
  for (char ch : v)
    ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
  if (!ok) fail(key, "must be 1-63 letters, digits, '_', '-' or '.'");
  return v;
}

std::string DeviceConfig::secret(const std::string& key) const {
  auto s = config.secret("devices." + name + "." + key);
  if (!s) fail(key, "is required (a secret: {env: NAME} or {file: PATH})");
  return s->reveal();
}

void DeviceConfig::fail(const std::string& key, const std::string& why) const {
  YAML::Node n = node[key];
  std::string where = config.where(n ? n : node);
  throw UsageError(where + "device " + name + ": " + key + " " + why);
}

std::vector<std::string> device_names(const Config& config) {
  std::vector<std::string> out;
  YAML::Node devs = config.node("devices");
  if (devs && devs.IsMap())
    for (const auto& kv : devs) out.push_back(kv.first.as<std::string>());
  return out;
}

std::unique_ptr<Device> make_device(const Config& config, const std::string& name, bool offline) {
  YAML::Node devs = config.node("devices");
  if (!devs || !devs.IsMap() || !devs[name])
    throw UsageError("no device named '" + name + "' in the configuration" +
                     (config.path().empty() ? " (no config file)" : " (" + config.path() + ")"));
  DeviceConfig c{config, name, devs[name], offline};
  if (!c.node.IsMap()) c.fail("type", "device must be a map");
  std::string type = c.str("type");
  static const std::map<std::string, std::function<std::unique_ptr<Device>(const DeviceConfig&)>>
      kinds = {{"edl", make_edl},
               {"rpz", make_rpz},
               {"bluecoat", make_bluecoat},
               {"asa", make_asa},
               {"ios", make_ios},
               {"srx", make_srx},
               {"paloalto", make_paloalto},
               {"fortigate", make_fortigate},
               {"umbrella", make_umbrella},
               {"checkpoint", make_checkpoint},
               {"nftables", make_nftables},
               {"o365", make_o365}};
  auto it = kinds.find(type);
  if (it == kinds.end())
    c.fail("type", "'" + type + "' is not a known device type");
  return it->second(c);
}

}  // namespace tr::devices
