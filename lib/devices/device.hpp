// Enforcement devices behind one interface (issue 7): block, unblock, list what the device
// holds, and render exactly what would be sent or typed.
//
// Three ways an entry reaches a device (Device::Mode):
//  - Push: the adapter talks to the device (HTTP APIs, nft). apply() returns the device's
//    answer for the audit trail or throws ExternalError; nothing is recorded as applied
//    unless apply() returned.
//  - File: the device pulls a list we publish (EDL, RPZ, Blue Coat CPL). The file is
//    regenerated from the store's live entries and replaced atomically (write, fsync,
//    rename); a change is applied when the new file is in place.
//  - Ticket: CLI devices (ASA, IOS, SRX) without a transport: the commands are rendered for
//    a change ticket (and appended to `path:` when set); entries stay `planned`.
//
// Values given to adapters have passed check_value() (validate.hpp) and the guard; renderers
// still escape for their sink as defence in depth and refuse anything unexpected.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tr {
class Config;
}

namespace tr::devices {

struct Entry {
  std::string id, type, value, reason, incident;
  std::optional<int64_t> expires;  // ms; absent = no expiry
  std::optional<int64_t> ttl;      // ms
  std::string ref;                 // the device's own id for the entry, when it has one
};

class Device {
 public:
  enum class Mode { Push, File, Ticket };
  Device(std::string name, std::string type) : name_(std::move(name)), type_(std::move(type)) {}
  virtual ~Device() = default;
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }

  virtual Mode mode() const = 0;
  virtual bool supports(std::string_view entry_type) const = 0;
  // What would be sent or typed for one change (op "block" or "unblock"). Throws
  // RecordError when the entry cannot be expressed on this device.
  virtual std::string render(std::string_view op, const Entry& e, int64_t now) const = 0;
  // Push devices: performs the change; returns the device's answer. Throws ExternalError.
  virtual std::string apply(std::string_view op, const Entry& e, int64_t now);
  // Push devices with native timeouts must be told about a renewal: renew() sends it (by
  // default the block again, with the entry's new expiry).
  virtual bool renew_pushes() const { return false; }
  virtual std::string renew(const Entry& e, int64_t now) { return apply("block", e, now); }
  // File devices: the whole file for these live entries, and where it goes.
  virtual std::string render_file(const std::vector<Entry>& live, int64_t now) const;
  virtual std::string path() const { return ""; }
  // File devices: a command run (no shell) after each publish, e.g. a resolver reload.
  virtual std::vector<std::string> reload_command() const { return {}; }
  // What the device holds now, for sync; nullopt when it cannot be listed.
  virtual std::optional<std::vector<Entry>> current();
  // Entries in a saved answer of the device to its listing command (listing_hint()), for
  // `sync --from-file`; nullopt when the device has no text listing.
  virtual std::optional<std::vector<Entry>> parse_listing(std::string_view text) const;
  virtual std::string listing_hint() const { return ""; }
  // File devices a firewall pulls: the device to tell after each publish, so it fetches the
  // new file now rather than at its next poll (PAN-OS EDL refresh).
  struct Refresh {
    std::string device, list_type, name;  // list_type: ip, domain or url
  };
  virtual std::optional<Refresh> refresh() const { return std::nullopt; }
  // Push devices that pull lists: fetch the list `name` of `list_type` now; returns the
  // device's answer. Throws ExternalError (UsageError when the device has no such thing).
  virtual std::string refresh_list(std::string_view list_type, const std::string& name);

 private:
  std::string name_, type_;
};

// Builds the device `name` from config `devices.<name>`. Throws UsageError for an unknown
// name or type, or a bad setting (with the config position).
std::unique_ptr<Device> make_device(const Config& config, const std::string& name,
                                    bool offline);
// Device names in the config, in order.
std::vector<std::string> device_names(const Config& config);

// Writes `content` to `path` atomically: a temp file in the same folder, fsync, rename.
// Throws ExternalError on failure (the old file stays).
void write_atomic(const std::string& path, const std::string& content);

// Runs argv through execvp (no shell) with `input` on its stdin; collects stdout and stderr.
// status is the exit status, 127 when the program could not be started, -1 on a signal.
struct CommandResult {
  int status = -1;
  std::string out, err;
};
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input);

// Seconds, rounded up, of a TTL (0 when none): the unit most devices take.
int64_t ttl_seconds(const Entry& e, int64_t now);

}  // namespace tr::devices
