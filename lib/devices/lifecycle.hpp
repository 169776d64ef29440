// The block lifecycle (tr-block): add, renew, remove, expire, approve/reject, undo, sync,
// publish and render, over the store's blocks table and the devices of the config.
//
// Every subcommand is a function of a cli::Context. Each change:
//  1. is validated (validate.hpp) and checked against the guard rails (guard.hpp, the
//     cool-downs, the per-run and per-hour limits) before any device is touched;
//  2. is sent to the device, or written into its published file, or rendered for a ticket;
//  3. is recorded in the store (state change + audit entry in one transaction) with the
//     device's answer, only after the device accepted it. A failed device call is recorded as
//     `failed` with the reason and makes the run end with status 4;
//  4. is written to stdout as an `action` record (design.md), whatever its outcome.
// With dry_run nothing is sent or stored: the action records say `planned` and carry the
// exact text that would have been sent.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/tool.hpp"
#include "devices/device.hpp"
#include "devices/guard.hpp"
#include "record/record.hpp"
#include "store/blocks.hpp"

namespace tr::devices {

struct AddRequest {
  std::string type, value;        // value as given (validated here)
  std::vector<std::string> devices;  // empty: the devices of config lists.<type>
  std::optional<int64_t> ttl;     // ms; nullopt = default; 0 = no expiry
  std::string reason, incident;
  bool automatic = false;  // from a policy: cool-downs apply
  bool approval = false;   // wait as pending until approved
  SourcePos pos;           // where the request came from, for diagnostics
};

struct Settings {
  int64_t default_ttl = 24 * 3600 * 1000LL;
  double repeat_factor = 2.0;
  int64_t max_ttl = 30LL * 24 * 3600 * 1000;
  int64_t max_per_run = 25, max_per_hour = 100;
  static Settings from_config(const Config& c);
};

class Lifecycle {
 public:
  Lifecycle(cli::Context& ctx, bool dry_run);
  ~Lifecycle();

  void add(const AddRequest& r);
  // Lifts one block by id, or every live block of (type, value) on `device` (any when "").
  // cooldown_ms > 0 keeps automation from blocking the value again for that long.
  void remove(const std::string& id, const std::string& device, const std::string& type,
              const std::string& value, int64_t cooldown_ms, const std::string& reason,
              const std::string& audit_action = "block.remove");
  void expire();
  void approve(const std::string& id);
  void reject(const std::string& id, const std::string& reason);
  void undo(const std::string& id);
  // Compares what the device holds (listed over its API or SSH, or read from `from_file`, a
  // saved answer to its listing command) with the store: re-applies what is missing, lifts
  // what the store does not hold, confirms change-ticket entries the device now shows.
  void sync(const std::string& device, const std::string& from_file = "");
  // Rewrites the files of file devices (all when `device` is empty).
  void publish(const std::string& device);
  // What the device holds according to the store, in its own syntax.
  std::string render(const std::string& device);
  void list(const store::BlockFilter& filter, const std::string& format);
  void show(const std::string& id);
  // One line per configured device: name, type, mode (push, file, ticket), path.
  void list_devices();
  // Reads incident/alert/verdict records and blocks per the policy file's rules.
  void apply(const std::string& policy_path);

  Device& device(const std::string& name);
  const Settings& settings() const { return settings_; }

 private:
  struct Policy;
  void emit(const Json& action);
  Json action(const std::string& op, const store::BlockRow& row, const std::string& status,
              const std::string& detail);
  void skip(const AddRequest& r, const std::string& device, const std::string& type,
            const std::string& value, const std::string& why);
  void add_one(const AddRequest& r, const std::string& device, const std::string& type,
               const std::string& value);
  // Sends a block or unblock for `row` to its device; returns the device's answer. For file
  // devices, `live` is the new set of live entries to publish.
  std::string push(Device& dev, const std::string& op, const store::BlockRow& row);
  // Writes the file, runs its reload command, and asks a puller to refresh; returns "; " and
  // the refresh answer, or "".
  std::string publish_device(Device& dev);
  // Inserts a row; false when the store's unique index says another process was first.
  bool try_insert(store::BlockStore& blocks, const store::BlockRow& row);
  std::vector<Entry> live_entries(const std::string& device);
  void audit(const std::string& action, const store::BlockRow& row, const std::string& status,
             const std::string& answer);
  void lift(const store::BlockRow& row, const std::string& state, const std::string& op_status,
            const std::string& audit_action, const std::string& why);

  cli::Context& ctx_;
  bool dry_run_;
  Settings settings_;
  Guard guard_;
  std::map<std::string, std::unique_ptr<Device>> devices_;
  int64_t run_new_ = 0;
  int race_depth_ = 0;
};

Entry to_entry(const store::BlockRow& row);

}  // namespace tr::devices
