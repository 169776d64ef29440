#include "cli/tool.hpp"
#include "core/error.hpp"
#include "devices/lifecycle.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace {

struct Target {
  std::string ip, cidr, domain, url, user, host, message_id;
  // The one value flag given, as (type, value); UsageError unless exactly one.
  std::pair<std::string, std::string> pick(bool required) const {
    std::vector<std::pair<std::string, std::string>> given;
    for (auto [type, v] : {std::pair{"ip", &ip}, {"cidr", &cidr}, {"domain", &domain},
                           {"url", &url}, {"user", &user}, {"host", &host},
                           {"email_message", &message_id}})
      if (!v->empty()) given.emplace_back(type, *v);
    if (given.size() > 1) throw tr::UsageError("give one of --ip, --cidr, --domain, --url, --user, --host, --message-id");
    if (given.empty()) {
      if (required) throw tr::UsageError("give one of --ip, --cidr, --domain, --url, --user, --host, --message-id");
      return {};
    }
    return given[0];
  }
  void setup(CLI::App* app) {
    app->add_option("--ip", ip, "An IP address");
    app->add_option("--cidr", cidr, "A network (address/prefix)");
    app->add_option("--domain", domain, "A domain (and its subdomains where the device can)");
    app->add_option("--url", url, "A URL (http, https or ftp)");
    app->add_option("--user", user, "A user account");
    app->add_option("--host", host, "A host name");
    app->add_option("--message-id", message_id, "An e-mail Message-ID");
  }
};

std::optional<int64_t> parse_ttl(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  if (text == "none" || text == "never" || text == "0") return 0;
  auto d = tr::time::parse_duration(text);
  if (!d) throw tr::UsageError(std::string(flag) + " '" + text + "' is not a duration (24h, 7d, none)");
  return *d;
}

}  // namespace

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-block", "Block, renew and lift threats on enforcement devices");
  CLI::App& app = tool.app();
  bool dry_run = false;
  app.add_flag("--dry-run", dry_run, "Show what would be sent; change nothing");
  tool.add_offline();
  tool.add_actor();
  app.require_subcommand(1, 1);

  Target add_target, remove_target;
  std::vector<std::string> add_devices;
  std::string device, ttl, reason, incident, cooldown, format = "table", state, id, policy;
  bool approval = false, all = false;

  CLI::App* add = app.add_subcommand("add", "Block a value on one or more devices");
  add_target.setup(add);
  add->add_option("--device", add_devices, "Device name from the config (repeatable; default: config lists.<type>)");
  add->add_option("--ttl", ttl, "How long the block lasts (24h, 7d, none; default lifecycle.default_ttl)");
  add->add_option("--reason", reason, "Why (goes to the device where it takes a comment, and the audit)")->required();
  add->add_option("--incident", incident, "The incident this block belongs to");
  add->add_flag("--require-approval", approval, "Wait as pending until 'tr-block approve ID'");

  CLI::App* remove = app.add_subcommand("remove", "Lift a block now (by id, or by device and value)");
  remove->add_option("id", id, "Block id (b-...)");
  remove_target.setup(remove);
  remove->add_option("--device", device, "Only on this device");
  remove->add_option("--cooldown", cooldown, "Keep automation from blocking the value again for this long");
  remove->add_option("--reason", reason, "Why");

  CLI::App* list = app.add_subcommand("list", "List blocks (active ones unless --state or --all)");
  list->add_option("--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->add_option("--device", device, "Only this device");
  list->add_option("--state", state, "Only this state (pending, planned, applied, renewed, removed, expired, failed, ...)");
  list->add_option("--incident", incident, "Only blocks of this incident");
  list->add_flag("--all", all, "Include ended blocks");

  CLI::App* show = app.add_subcommand("show", "One block with its history (JSON)");
  show->add_option("id", id, "Block id")->required();

  CLI::App* expire = app.add_subcommand("expire", "Lift every block whose time is up, on every device (cron)");
  CLI::App* sync = app.add_subcommand("sync", "Compare a device with the store and repair drift");
  sync->add_option("--device", device, "Device name")->required();
  std::string from_file;
  sync->add_option("--from-file", from_file, "Read the device's listing from this file (its answer to the show command)");
  CLI::App* apply = app.add_subcommand("apply", "Block per policy rules from incident, alert and verdict records");
  apply->add_option("--policy", policy, "Policy file (YAML)")->required();
  tool.add_inputs(apply);
  CLI::App* approve = app.add_subcommand("approve", "Approve a pending block and send it");
  approve->add_option("id", id, "Block id")->required();
  CLI::App* reject = app.add_subcommand("reject", "Reject a pending block");
  reject->add_option("id", id, "Block id")->required();
  reject->add_option("--reason", reason, "Why");
  CLI::App* undo = app.add_subcommand("undo", "Undo a block (lift it, audited as an undo)");
  undo->add_option("id", id, "Block id")->required();
  CLI::App* publish = app.add_subcommand("publish", "Rewrite the published list files atomically");
  publish->add_option("--device", device, "Only this device");
  CLI::App* render = app.add_subcommand("render", "Print what a device holds per the store, in its own syntax");
  render->add_option("--device", device, "Device name")->required();
  CLI::App* devices = app.add_subcommand("devices", "List the configured devices: name, type, how entries reach it");

  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    tr::devices::Lifecycle life(ctx, dry_run);
    if (add->parsed()) {
      auto [type, value] = add_target.pick(true);
      tr::devices::AddRequest r;
      r.type = type;
      r.value = value;
      r.devices = add_devices;
      r.ttl = parse_ttl(ttl, "--ttl");
      r.reason = reason;
      r.incident = incident;
      r.approval = approval;
      r.pos = {"<arguments>", 0};
      life.add(r);
    } else if (remove->parsed()) {
      auto [type, value] = remove_target.pick(false);
      if (id.empty() == type.empty())
        throw tr::UsageError("remove takes a block id or one value flag (--ip, --domain, ...)");
      int64_t cool = parse_ttl(cooldown, "--cooldown").value_or(0);
      life.remove(id, device, type, value, cool, reason);
    } else if (list->parsed()) {
      tr::store::BlockFilter f;
      f.device = device;
      f.state = all ? "all" : state;
      f.incident = incident;
      life.list(f, format);
    } else if (show->parsed()) {
      life.show(id);
    } else if (expire->parsed()) {
      // The same cron entry on several hosts sharing the store: one of them does the work.
      auto once = ctx.store().singleton("block-expire");
      if (!once) return ctx.info("another tr-block expire holds the store's job lock; skipped");
      life.expire();
    } else if (sync->parsed()) {
      life.sync(device, from_file);
    } else if (apply->parsed()) {
      life.apply(policy);
    } else if (approve->parsed()) {
      life.approve(id);
    } else if (reject->parsed()) {
      life.reject(id, reason);
    } else if (undo->parsed()) {
      life.undo(id);
    } else if (publish->parsed()) {
      life.publish(device);
    } else if (devices->parsed()) {
      life.list_devices();
    } else if (render->parsed()) {
      ctx.out().raw(life.render(device));
    }
  });
}
