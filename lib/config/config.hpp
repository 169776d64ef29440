// Configuration: one YAML file, found by precedence --config > TR_CONFIG >
// ${XDG_CONFIG_HOME:-~/.config}/tr/config.yaml (if it exists) > none. Every tool runs without
// any file, on defaults. Errors name the file and line and are UsageErrors (status 2).
//
// Secrets (API keys, device passwords) are a map `{env: NAME}` (an environment variable) or
// `{file: PATH}` (a file readable by its owner only), or written literally in a configuration
// file that only its owner can read. A secret in a file that group or others can read is
// refused (status 2) with the fix: "chmod 600 FILE". Secret values are held in Secret, which
// has no stream operator, so they cannot be logged by accident; no message names one.
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace tr {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : value_(std::move(v)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

class Config {
 public:
  Config() = default;
  // Loads by precedence; `flag` is the --config value (may be empty).
  static Config load(const std::string& flag);
  // Loads a specific file or YAML text (tests).
  static Config from_file(const std::string& path);
  static Config from_string(const std::string& yaml, const std::string& name = "<config>");

  // Where it came from ("" when running on defaults).
  const std::string& path() const { return path_; }
  const YAML::Node& root() const { return root_; }

  // Node at a dotted path ("devices.edge-pan.address"); an undefined node when absent.
  YAML::Node node(const std::string& dotted) const;
  bool has(const std::string& dotted) const;
  std::string get_string(const std::string& dotted, const std::string& fallback = "") const;
  int64_t get_int(const std::string& dotted, int64_t fallback) const;
  double get_double(const std::string& dotted, double fallback) const;
  bool get_bool(const std::string& dotted, bool fallback) const;
  // A duration ("24h") in milliseconds.
  int64_t get_duration(const std::string& dotted, int64_t fallback_ms) const;
  std::vector<std::string> get_strings(const std::string& dotted) const;
  // A path value with "~/" expanded and relative paths taken from the config file's folder.
  std::string get_path(const std::string& dotted, const std::string& fallback = "") const;
  // Reads a secret ({env: NAME}, {file: PATH} or a literal); nullopt when the key is absent.
  // Throws UsageError for a missing variable, a secret file group or others can read, or a
  // literal secret in a configuration file (or text) that is not owner-only.
  std::optional<Secret> secret(const std::string& dotted) const;

  // "config.yaml:12: " for messages about a node.
  std::string where(const YAML::Node& n) const;

 private:
  std::string path_;
  YAML::Node root_;
  bool owner_only_ = false;  // read from a file that group and others cannot read
};

// "~/x" -> "$HOME/x".
std::string expand_home(const std::string& path);
// ${XDG_DATA_HOME:-~/.local/share}/tr and ${XDG_CONFIG_HOME:-~/.config}/tr.
std::string data_dir();
std::string config_dir();

}  // namespace tr
