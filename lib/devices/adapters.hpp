// Factories of the adapters (internal to lib/devices; use make_device()).
#pragma once
#include <memory>
#include <string>

#include "devices/device.hpp"

namespace tr::devices {

struct DeviceConfig {
  const Config& config;
  std::string name;
  YAML::Node node;  // devices.<name>
  bool offline = false;
  // Typed getters with the config position in errors.
  std::string str(const std::string& key, const std::string& fallback = "") const;
  std::string path(const std::string& key) const;  // relative to the config file
  bool flag(const std::string& key, bool fallback) const;
  int64_t integer(const std::string& key, int64_t fallback) const;
  // A name that will be typed into a device (group, set, table, category): [A-Za-z0-9_.-]{1,63}.
  std::string ident(const std::string& key, const std::string& fallback) const;
  std::string secret(const std::string& key) const;  // {env:}/{file:}; UsageError if absent
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;
};

std::unique_ptr<Device> make_edl(const DeviceConfig& c);
std::unique_ptr<Device> make_rpz(const DeviceConfig& c);
std::unique_ptr<Device> make_bluecoat(const DeviceConfig& c);
std::unique_ptr<Device> make_asa(const DeviceConfig& c);
std::unique_ptr<Device> make_ios(const DeviceConfig& c);
std::unique_ptr<Device> make_srx(const DeviceConfig& c);
std::unique_ptr<Device> make_nftables(const DeviceConfig& c);
std::unique_ptr<Device> make_paloalto(const DeviceConfig& c);
std::unique_ptr<Device> make_fortigate(const DeviceConfig& c);
std::unique_ptr<Device> make_umbrella(const DeviceConfig& c);
std::unique_ptr<Device> make_checkpoint(const DeviceConfig& c);
std::unique_ptr<Device> make_checkpoint_sam(const DeviceConfig& c);  // method: sam
std::unique_ptr<Device> make_o365(const DeviceConfig& c);

// Strips the scheme (and for PAN-OS/ProxySG lists, the default port) of a validated URL.
std::string url_without_scheme(const std::string& url);

}  // namespace tr::devices
