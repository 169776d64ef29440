#include "devices/lifecycle.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::devices {
namespace {

std::string ttl_text(const std::optional<int64_t>& ttl) {
  return ttl && *ttl > 0 ? time::format_duration(*ttl) : "";
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

}  // namespace

Entry to_entry(const store::BlockRow& row) {
  Entry e;
  e.id = row.id;
  e.type = row.type;
  e.value = row.value;
  e.reason = row.reason;
  e.incident = row.incident;
  e.expires = row.expires;
  e.ttl = row.ttl;
  if (!row.detail.empty()) {
    Json d = Json::parse(row.detail, nullptr, false);
    if (d.is_object() && d.contains("ref") && d["ref"].is_string()) e.ref = d["ref"];
  }
  return e;
}

Settings Settings::from_config(const Config& c) {
  Settings s;
  s.default_ttl = c.get_duration("lifecycle.default_ttl", s.default_ttl);
  s.repeat_factor = c.get_double("lifecycle.repeat_factor", s.repeat_factor);
  s.max_ttl = c.get_duration("lifecycle.max_ttl", s.max_ttl);
  s.max_per_run = c.get_int("limits.max_per_run", s.max_per_run);
  s.max_per_hour = c.get_int("limits.max_per_hour", s.max_per_hour);
  if (s.repeat_factor < 1.0) throw UsageError("lifecycle.repeat_factor must be at least 1");
  if (s.max_per_run < 0 || s.max_per_hour < 0) throw UsageError("limits must not be negative");
  return s;
}

Lifecycle::Lifecycle(cli::Context& ctx, bool dry_run)
    : ctx_(ctx),
      dry_run_(dry_run),
      settings_(Settings::from_config(ctx.config())),
      guard_(Guard::from_config(ctx.config())) {}

Lifecycle::~Lifecycle() = default;

Device& Lifecycle::device(const std::string& name) {
  auto it = devices_.find(name);
  if (it != devices_.end()) return *it->second;
  auto dev = make_device(ctx_.config(), name, ctx_.offline());
  Device& ref = *dev;
  devices_.emplace(name, std::move(dev));
  return ref;
}

void Lifecycle::emit(const Json& action) { ctx_.out().line(action.dump()); }

Json Lifecycle::action(const std::string& op, const store::BlockRow& row, const std::string& status,
                       const std::string& detail) {
  Json a;
  a["kind"] = "action";
  a["id"] = row.id;
  // Messages are quarantined and released rather than blocked (design.md action ops).
  if (row.type == "email_message") a["op"] = op == "block" ? "quarantine" : "release";
  else a["op"] = op;
  a["target"] = {{"type", row.type}, {"value", row.value}};
  a["device"] = row.device;
  if (std::string t = ttl_text(row.ttl); !t.empty()) a["ttl"] = t;
  if (row.expires) a["expires"] = time::format_rfc3339(*row.expires);
  a["reason"] = row.reason;
  if (!row.incident.empty()) a["incident"] = row.incident;
  a["status"] = status;
  a["detail"] = detail;
  a["actor"] = ctx_.actor();
  a["@timestamp"] = time::format_rfc3339(time::now());
  return a;
}

void Lifecycle::audit(const std::string& what, const store::BlockRow& row,
                      const std::string& status, const std::string& answer) {
  Json d;
  d["device"] = row.device;
  d["type"] = row.type;
  d["value"] = row.value;
  d["reason"] = row.reason;
  if (!row.incident.empty()) d["incident"] = row.incident;
  if (row.expires) d["expires"] = time::format_rfc3339(*row.expires);
  d["status"] = status;
  d["answer"] = answer;
  ctx_.store().audit(ctx_.actor(), what, row.id, d.dump());
}

void Lifecycle::skip(const AddRequest& r, const std::string& device, const std::string& type,
                     const std::string& value, const std::string& why) {
  store::BlockRow row;
  row.id = make_id("s", {device, type, value, std::to_string(time::now())});
  row.type = type;
  row.value = value;
  row.device = device;
  row.reason = r.reason;
  row.incident = r.incident;
  ctx_.warn("skipped " + type + " " + cli::term_safe(value) + " on " + cli::term_safe(device) +
            ": " + cli::term_safe(why));
  if (!dry_run_) {
    store::Transaction tx(ctx_.store().db());
    audit("block.skip", row, "skipped", why);
    tx.commit();
  }
  emit(action("block", row, "skipped", why));
}

std::vector<Entry> Lifecycle::live_entries(const std::string& device) {
  store::BlockStore blocks(ctx_.store().db());
  store::BlockFilter f;
  f.device = device;
  std::vector<Entry> out;
  for (const auto& row : blocks.list(f))
    if (row.state != "pending") out.push_back(to_entry(row));
  return out;
}

std::string Lifecycle::publish_device(Device& dev) {
  write_atomic(dev.path(), dev.render_file(live_entries(dev.name()), time::now()));
  std::vector<std::string> reload = dev.reload_command();
  if (!reload.empty()) {
    CommandResult r = run_command(reload, "");
    if (r.status != 0) {
      std::string err = r.err.substr(0, r.err.find('\n'));
      throw ExternalError("reload command " + reload[0] + " failed (status " +
                          std::to_string(r.status) + ")" + (err.empty() ? "" : ": " + err.substr(0, 200)));
    }
  }
  auto refresh = dev.refresh();
  if (!refresh) return "";
  // The file is the block: it is in place, and the firewall reads it at its next poll even
  // when telling it to fetch now fails. So a failed refresh is reported (status 4) but does
  // not undo the change.
  try {
    return "; " + device(refresh->device).refresh_list(refresh->list_type, refresh->name);
  } catch (const ExternalError& e) {
    ctx_.note_external_failure(dev.name() + ": refreshing list " + refresh->name + " on " +
                               refresh->device + " failed: " + cli::term_safe(e.what(), 300));
    return "; refresh on " + refresh->device + " failed (" + e.what() +
           "); the list is read at the next poll";
  }
}

std::string Lifecycle::push(Device& dev, const std::string& op, const store::BlockRow& row) {
  int64_t now = time::now();
  switch (dev.mode()) {
    case Device::Mode::File:
      // The caller has already changed the row inside its open transaction, so the live set
      // read here is the new one; the file is in place before the transaction commits.
      return "published " + dev.path() + publish_device(dev);
    case Device::Mode::Push:
    case Device::Mode::Ticket:
      return dev.apply(op, to_entry(row), now);
  }
  return "";
}

void Lifecycle::add(const AddRequest& r) {
  std::vector<std::string> devices = r.devices;
  if (devices.empty()) {
    devices = ctx_.config().get_strings("lists." + r.type);
    if (devices.empty() && r.automatic) {
      ctx_.warn("no device for " + r.type + " entries (config lists." + r.type + "); " +
                cli::term_safe(r.value) + " not blocked");
      return;
    }
    if (devices.empty())
      throw UsageError("no --device given and no devices listed for " + r.type +
                       " entries (config lists." + r.type + ")");
  }
  // Incident ids go into list comments and device comment fields: keep them to a safe
  // alphabet, since a forged record could otherwise smuggle a line into an EDL.
  if (!r.incident.empty() && !is_safe_incident_id(r.incident)) {
    ctx_.reject(r.pos, "incident id \"" + cli::term_safe(r.incident) +
                           "\" is not valid (letters, digits, '.', '_', ':', '-'; at most 64)");
    return;
  }
  Checked c = check_value(r.type, r.value);
  if (!c.ok) {
    // Hostile or broken input: it never reaches a device. Reported as a rejected record
    // and written as a skipped action so the pipeline sees the outcome.
    ctx_.reject(r.pos, r.type + " value \"" + cli::term_safe(r.value) + "\" refused: " + c.error);
    store::BlockRow row;
    row.id = make_id("s", {r.type, r.value, std::to_string(time::now())});
    row.type = r.type;
    row.value = r.value;
    row.reason = r.reason;
    row.incident = r.incident;
    for (const auto& d : devices) {
      row.device = d;
      if (!dry_run_) {
        store::Transaction tx(ctx_.store().db());
        audit("block.skip", row, "skipped", "invalid value: " + c.error);
        tx.commit();
      }
      emit(action("block", row, "skipped", "invalid value: " + c.error));
    }
    return;
  }
  for (const auto& d : devices) add_one(r, d, r.type, c.value);
}

void Lifecycle::add_one(const AddRequest& r, const std::string& device_name,
                        const std::string& type, const std::string& value) {
  Device& dev = device(device_name);
  if (!dev.supports(type))
    return skip(r, device_name, type, value,
                "device type " + dev.type() + " does not take " + type + " entries");
  if (auto why = guard_.refuse(type, value)) return skip(r, device_name, type, value, *why);
  int64_t now = time::now();
  {
    // Some values cannot be expressed on some devices (IPv6 in an IOS object-group): find
    // out before anything is stored or sent.
    Entry probe;
    probe.id = "b-0000000000000000";
    probe.type = type;
    probe.value = value;
    try {
      (void)dev.render("block", probe, now);
    } catch (const RecordError& e) {
      return skip(r, device_name, type, value, e.what());
    }
  }
  store::BlockStore blocks(ctx_.store().db());
  if (r.automatic) {
    if (auto until = blocks.cooldown_until(type, value); until && *until > now)
      return skip(r, device_name, type, value,
                  "released by hand; cool-down until " + time::format_rfc3339(*until));
  }
  std::optional<int64_t> ttl = r.ttl ? *r.ttl : settings_.default_ttl;
  if (ttl && *ttl == 0) ttl.reset();

  if (auto live = blocks.find_live(device_name, type, value)) {
    // Seen again: renew, never duplicate. The expiry only ever moves later.
    store::BlockRow row = *live;
    std::optional<int64_t> new_ttl = r.ttl ? ttl : row.ttl;
    std::optional<int64_t> expires;
    if (new_ttl) expires = now + *new_ttl;
    if (row.expires && expires && *row.expires > *expires) expires = row.expires;
    if (!row.expires) expires.reset();  // an entry without expiry stays so
    row.ttl = row.expires ? new_ttl : std::nullopt;
    row.expires = expires;
    if (!r.reason.empty() && row.reason.empty()) row.reason = r.reason;
    if (dry_run_) {
      emit(action("block", row, "planned",
                  "renew" + (dev.renew_pushes() ? ": " + dev.render("block", to_entry(row), now)
                                                : std::string())));
      return;
    }
    std::string answer = "renewed in the store";
    // Ticket devices get the renewal in the ticket while their entry is still planned.
    bool sent = row.state == "applied" || row.state == "renewed" ||
                (dev.mode() == Device::Mode::Ticket && row.state == "planned");
    if (dev.renew_pushes() && sent) {
      try {
        answer = dev.renew(to_entry(row), now);
      } catch (const ExternalError& e) {
        ctx_.note_external_failure(device_name + ": renewing " + type + " " +
                                   cli::term_safe(value) + " failed: " + cli::term_safe(e.what(), 300));
        store::Transaction tx(ctx_.store().db());
        audit("block.renew", row, "failed", e.what());
        tx.commit();
        emit(action("block", row, "failed", e.what()));
        return;
      }
    }
    store::Transaction tx(ctx_.store().db());
    blocks.renew(row.id, row.expires, row.ttl, now, live->detail);
    if (dev.mode() == Device::Mode::File && row.state != "pending") answer = push(dev, "block", row);
    audit("block.renew", row, "renewed", answer);
    tx.commit();
    emit(action("block", row, "renewed", answer));
    return;
  }

  // A new block: the limits hold however the requests arrive.
  if (settings_.max_per_run && run_new_ >= settings_.max_per_run)
    return skip(r, device_name, type, value,
                "limit of " + std::to_string(settings_.max_per_run) + " new blocks per run reached");
  if (settings_.max_per_hour &&
      blocks.created_since(now - 3600 * 1000LL) + (dry_run_ ? run_new_ : 0) >=
          settings_.max_per_hour)
    return skip(r, device_name, type, value,
                "limit of " + std::to_string(settings_.max_per_hour) +
                    " new blocks per hour reached");

  store::BlockRow row;
  row.id = blocks.next_id(device_name, type, value);
  row.type = type;
  row.value = value;
  row.device = device_name;
  row.reason = r.reason;
  row.incident = r.incident;
  row.actor = ctx_.actor();
  row.created = row.updated = now;
  row.offense = blocks.expired_count(device_name, type, value) + 1;
  if (ttl) {
    // Repeat offenders (fail2ban's incremental bantime): ttl * factor^(n-1), capped.
    double grown = static_cast<double>(*ttl) *
                   std::pow(settings_.repeat_factor, static_cast<double>(row.offense - 1));
    int64_t capped = grown > static_cast<double>(settings_.max_ttl)
                         ? std::max(settings_.max_ttl, *ttl)
                         : static_cast<int64_t>(grown);
    row.ttl = capped;
    row.expires = now + capped;
  }
  ++run_new_;
  std::string repeat =
      row.offense > 1 ? " (repeat offender #" + std::to_string(row.offense) + ")" : "";
  if (dry_run_) {
    std::string text = dev.render("block", to_entry(row), now);
    emit(action("block", row, "planned", "dry run" + repeat + ": " + text));
    return;
  }
  // Another process may create the same live entry between our look-up and our insert (two
  // cron jobs, an analyst): the unique index refuses the second insert, and the request is
  // handled again as a renewal of the entry that won.
  auto race = [&]() {
    --run_new_;
    if (race_depth_ > 2) throw ExternalError("block of " + value + " keeps colliding in the store");
    ++race_depth_;
    add_one(r, device_name, type, value);
    --race_depth_;
  };
  if (r.approval) {
    row.state = "pending";
    {
      store::Transaction tx(ctx_.store().db());
      if (try_insert(blocks, row)) {
        audit("block.request", row, "pending", "waiting for approval" + repeat);
        tx.commit();
        emit(action("block", row, "pending", "waiting for approval: tr-block approve " + row.id));
        return;
      }
    }
    return race();
  }
  if (dev.mode() == Device::Mode::File) {
    bool collided = false;
    try {
      store::Transaction tx(ctx_.store().db());
      row.state = "applied";
      if (!try_insert(blocks, row)) {
        collided = true;
      } else {
        std::string answer = push(dev, "block", row) + repeat;
        audit("block.add", row, "applied", answer);
        tx.commit();
        emit(action("block", row, "applied", answer));
      }
    } catch (const ExternalError& e) {
      row.state = "failed";
      store::Transaction tx(ctx_.store().db());
      try_insert(blocks, row);
      audit("block.add", row, "failed", e.what());
      tx.commit();
      ctx_.note_external_failure(device_name + ": " + cli::term_safe(e.what(), 300));
      emit(action("block", row, "failed", e.what()));
    }
    if (collided) race();
    return;
  }
  std::string answer;
  try {
    answer = push(dev, "block", row) + repeat;
  } catch (const ExternalError& e) {
    row.state = "failed";
    store::Transaction tx(ctx_.store().db());
    try_insert(blocks, row);
    audit("block.add", row, "failed", e.what());
    tx.commit();
    ctx_.note_external_failure(device_name + ": blocking " + type + " " + cli::term_safe(value) +
                               " failed: " + cli::term_safe(e.what(), 300));
    emit(action("block", row, "failed", e.what()));
    return;
  }
  row.state = dev.mode() == Device::Mode::Ticket ? "planned" : "applied";
  Json detail = {{"answer", answer}};
  {
    store::Transaction tx(ctx_.store().db());
    row.detail = detail.dump();
    if (try_insert(blocks, row)) {
      audit("block.add", row, row.state, answer);
      tx.commit();
      emit(action("block", row, row.state, answer));
      return;
    }
  }
  race();
}

bool Lifecycle::try_insert(store::BlockStore& blocks, const store::BlockRow& row) {
  try {
    blocks.insert(row);
    return true;
  } catch (const ExternalError& e) {
    if (std::string_view(e.what()).find("UNIQUE constraint failed") != std::string_view::npos)
      return false;
    throw;
  }
}

void Lifecycle::lift(const store::BlockRow& row_in, const std::string& state,
                     const std::string& op_status, const std::string& audit_action,
                     const std::string& why) {
  store::BlockRow row = row_in;
  Device& dev = device(row.device);
  int64_t now = time::now();
  store::BlockStore blocks(ctx_.store().db());
  if (dry_run_) {
    std::string text = row.state == "pending" ? "" : dev.render("unblock", to_entry(row), now);
    emit(action("unblock", row, "planned", "dry run: " + text));
    return;
  }
  if (row.state == "pending") {
    store::Transaction tx(ctx_.store().db());
    blocks.set_state(row.id, state, now, row.detail);
    audit(audit_action, row, state, why + "; was never sent");
    tx.commit();
    emit(action("unblock", row, op_status, why + "; was never sent"));
    return;
  }
  try {
    if (dev.mode() == Device::Mode::File) {
      store::Transaction tx(ctx_.store().db());
      blocks.set_state(row.id, state, now, row.detail);
      std::string answer = push(dev, "unblock", row);
      audit(audit_action, row, state, why + "; " + answer);
      tx.commit();
      emit(action("unblock", row, op_status, why + "; " + answer));
      return;
    }
    std::string answer = push(dev, "unblock", row);
    std::string status = dev.mode() == Device::Mode::Ticket ? "planned" : op_status;
    store::Transaction tx(ctx_.store().db());
    blocks.set_state(row.id, state, now, row.detail);
    audit(audit_action, row, state, why + "; " + answer);
    tx.commit();
    emit(action("unblock", row, status, why + "; " + answer));
  } catch (const ExternalError& e) {
    // The entry stays live in the store: the device still holds it. The next run retries.
    store::Transaction tx(ctx_.store().db());
    audit(audit_action, row, "failed", e.what());
    tx.commit();
    ctx_.note_external_failure(row.device + ": unblocking " + row.type + " " +
                               cli::term_safe(row.value) + " failed: " + cli::term_safe(e.what(), 300));
    emit(action("unblock", row, "failed", e.what()));
  }
}

void Lifecycle::remove(const std::string& id, const std::string& device_name,
                       const std::string& type, const std::string& value, int64_t cooldown_ms,
                       const std::string& reason, const std::string& audit_action) {
  store::BlockStore blocks(ctx_.store().db());
  std::vector<store::BlockRow> rows;
  std::string canon_type = type, canon_value = value;
  if (!id.empty()) {
    auto row = blocks.get(id);
    if (!row) throw UsageError("no block with id " + cli::term_safe(id));
    if (!store::is_live_state(row->state))
      throw UsageError("block " + id + " is not active (state " + row->state + ")");
    rows.push_back(*row);
    canon_type = row->type;
    canon_value = row->value;
  } else {
    Checked c = check_value(type, value);
    if (!c.ok) throw UsageError(type + " value \"" + cli::term_safe(value) + "\" refused: " + c.error);
    canon_value = c.value;
    store::BlockFilter f;
    f.device = device_name;
    f.type = type;
    f.value = c.value;
    rows = blocks.list(f);
    if (rows.empty() && cooldown_ms <= 0)
      ctx_.warn("no active block of " + type + " " + cli::term_safe(c.value) +
                (device_name.empty() ? "" : " on " + cli::term_safe(device_name)));
  }
  std::string why = reason.empty() ? "removed by " + ctx_.actor() : reason;
  for (const auto& row : rows) lift(row, "removed", "applied", audit_action, why);
  if (cooldown_ms > 0 && !dry_run_) {
    int64_t until = time::now() + cooldown_ms;
    store::Transaction tx(ctx_.store().db());
    blocks.set_cooldown(canon_type, canon_value, until, ctx_.actor(), why);
    Json d = {{"type", canon_type}, {"value", canon_value},
              {"until", time::format_rfc3339(until)}, {"reason", why}};
    ctx_.store().audit(ctx_.actor(), "block.cooldown", canon_type + ":" + canon_value, d.dump());
    tx.commit();
  }
}

void Lifecycle::expire() {
  store::BlockStore blocks(ctx_.store().db());
  int64_t now = time::now();
  // File devices are rewritten once per run, not once per entry: all their due rows change
  // state in one transaction that commits only when the new file is in place.
  std::map<std::string, std::vector<store::BlockRow>> by_file_device;
  for (const auto& row : blocks.due(now)) {
    std::string why = "expired " + time::format_rfc3339(row.expires.value_or(now));
    // A device removed from the config must not stop the cron job for every other device.
    Device* dev = nullptr;
    try {
      dev = &device(row.device);
    } catch (const UsageError& e) {
      ctx_.note_external_failure("block " + row.id + " on " + cli::term_safe(row.device) +
                                 " cannot be lifted: " + e.what());
      continue;
    }
    if (dev->mode() == Device::Mode::File && !dry_run_)
      by_file_device[row.device].push_back(row);
    else
      lift(row, "expired", "expired", "block.expire", why);
  }
  for (const auto& [name, rows] : by_file_device) {
    Device& dev = device(name);
    std::vector<Json> done;
    try {
      store::Transaction tx(ctx_.store().db());
      for (const auto& row : rows) blocks.set_state(row.id, "expired", now, row.detail);
      std::string answer = push(dev, "unblock", rows.front());
      for (const auto& row : rows) {
        std::string why = "expired " + time::format_rfc3339(row.expires.value_or(now)) + "; " + answer;
        audit("block.expire", row, "expired", why);
        done.push_back(action("unblock", row, "expired", why));
      }
      tx.commit();
    } catch (const ExternalError& e) {
      // Nothing changed: the rows stay live and the next run tries again.
      done.clear();
      store::Transaction tx(ctx_.store().db());
      for (const auto& row : rows) {
        audit("block.expire", row, "failed", e.what());
        done.push_back(action("unblock", row, "failed", e.what()));
      }
      tx.commit();
      ctx_.note_external_failure(name + ": " + cli::term_safe(e.what(), 300));
    }
    for (const auto& a : done) emit(a);
  }
}

void Lifecycle::approve(const std::string& id) {
  store::BlockStore blocks(ctx_.store().db());
  auto row = blocks.get(id);
  if (!row) throw UsageError("no block with id " + cli::term_safe(id));
  if (row->state != "pending")
    throw UsageError("block " + id + " is not waiting for approval (state " + row->state + ")");
  Device& dev = device(row->device);
  int64_t now = time::now();
  // The clock starts when the block goes out, not when it was requested.
  if (row->ttl) row->expires = now + *row->ttl;
  if (dry_run_) {
    emit(action("block", *row, "planned", "dry run: " + dev.render("block", to_entry(*row), now)));
    return;
  }
  std::string who = "approved by " + ctx_.actor();
  try {
    std::string answer;
    std::string state = dev.mode() == Device::Mode::Ticket ? "planned" : "applied";
    // Devices are called outside the store's write lock; the row changes only after the
    // device said yes. File devices publish inside the transaction (the file reads the
    // new live set) and the transaction commits once the file is in place.
    if (dev.mode() != Device::Mode::File) answer = push(dev, "block", *row);
    store::Transaction tx(ctx_.store().db());
    blocks.renew(row->id, row->expires, row->ttl, now, row->detail);
    blocks.set_state(row->id, state, now, row->detail);
    if (dev.mode() == Device::Mode::File) answer = push(dev, "block", *row);
    audit("block.approve", *row, state, who + "; " + answer);
    tx.commit();
    emit(action("block", *row, state, who + "; " + answer));
  } catch (const ExternalError& e) {
    store::Transaction tx(ctx_.store().db());
    blocks.set_state(row->id, "failed", now, row->detail);
    audit("block.approve", *row, "failed", who + "; " + e.what());
    tx.commit();
    ctx_.note_external_failure(row->device + ": " + cli::term_safe(e.what(), 300));
    emit(action("block", *row, "failed", e.what()));
  }
}

void Lifecycle::reject(const std::string& id, const std::string& reason) {
  store::BlockStore blocks(ctx_.store().db());
  auto row = blocks.get(id);
  if (!row) throw UsageError("no block with id " + cli::term_safe(id));
  if (row->state != "pending")
    throw UsageError("block " + id + " is not waiting for approval (state " + row->state + ")");
  std::string why = "rejected by " + ctx_.actor() + (reason.empty() ? "" : ": " + reason);
  if (dry_run_) {
    emit(action("block", *row, "planned", "dry run: " + why));
    return;
  }
  store::Transaction tx(ctx_.store().db());
  blocks.set_state(row->id, "rejected", time::now(), row->detail);
  audit("block.reject", *row, "rejected", why);
  tx.commit();
  emit(action("block", *row, "skipped", why));
}

void Lifecycle::undo(const std::string& id) {
  store::BlockStore blocks(ctx_.store().db());
  auto row = blocks.get(id);
  if (!row) throw UsageError("no block with id " + cli::term_safe(id));
  if (!store::is_live_state(row->state))
    throw UsageError("block " + id + " cannot be undone (state " + row->state + ")");
  lift(*row, "undone", "applied", "block.undo", "undone by " + ctx_.actor());
}

void Lifecycle::publish(const std::string& only) {
  std::vector<std::string> names = only.empty() ? device_names(ctx_.config())
                                                 : std::vector<std::string>{only};
  int published = 0;
  for (const auto& name : names) {
    Device& dev = device(name);
    if (dev.mode() != Device::Mode::File) {
      if (!only.empty()) throw UsageError("device " + name + " does not publish a file");
      continue;
    }
    if (dry_run_) {
      ctx_.info("would write " + dev.path());
      continue;
    }
    std::string note = publish_device(dev);
    store::Transaction tx(ctx_.store().db());
    Json d = {{"path", dev.path()}, {"entries", live_entries(name).size()}};
    if (!note.empty()) d["refresh"] = note.substr(2);
    ctx_.store().audit(ctx_.actor(), "block.publish", name, d.dump());
    tx.commit();
    ctx_.info("published " + dev.path());
    ++published;
  }
  (void)published;
}

std::string Lifecycle::render(const std::string& name) {
  Device& dev = device(name);
  int64_t now = time::now();
  std::vector<Entry> live = live_entries(name);
  if (dev.mode() == Device::Mode::File) return dev.render_file(live, now);
  std::string out;
  for (const auto& e : live) out += dev.render("block", e, now);
  return out;
}

void Lifecycle::sync(const std::string& name, const std::string& from_file) {
  Device& dev = device(name);
  int64_t now = time::now();
  store::BlockStore blocks(ctx_.store().db());
  if (dev.mode() == Device::Mode::File) {
    // Drift on a published file: compare the entries (not the generated-at header).
    std::string want = dev.render_file(live_entries(name), now);
    std::ifstream in(dev.path());
    std::stringstream have;
    have << in.rdbuf();
    auto body = [](const std::string& s) {
      auto nl = s.find('\n');
      std::string b = nl == std::string::npos ? "" : s.substr(nl + 1);
      // The RPZ serial moves with time too.
      auto soa = b.find("IN SOA");
      if (soa != std::string::npos) b.erase(soa, b.find('\n', soa) - soa);
      return b;
    };
    if (in && body(have.str()) == body(want)) {
      ctx_.info(name + ": in sync");
      return;
    }
    if (dry_run_) {
      ctx_.warn(name + ": " + dev.path() + " differs from the store; would rewrite it");
      return;
    }
    write_atomic(dev.path(), want);
    store::Transaction tx(ctx_.store().db());
    Json d = {{"path", dev.path()}, {"repaired", "file rewritten from the store"}};
    ctx_.store().audit(ctx_.actor(), "block.sync", name, d.dump());
    tx.commit();
    ctx_.warn(name + ": " + dev.path() + " differed from the store; rewritten");
    return;
  }
  std::optional<std::vector<Entry>> held;
  if (!from_file.empty()) {
    // The device's own answer, saved by an operator (change-ticket workflow).
    std::ifstream in(from_file, std::ios::binary);
    if (!in) throw UsageError("cannot read " + from_file);
    std::stringstream text;
    text << in.rdbuf();
    held = dev.parse_listing(text.str());
    if (!held) throw UsageError("device " + name + " (" + dev.type() + ") has no text listing to read");
  } else {
    held = dev.current();
  }
  if (!held) {
    std::string hint = dev.listing_hint();
    throw UsageError("device " + name + " cannot be listed" +
                     (hint.empty() ? "; use 'tr-block render'"
                                   : " directly; save its answer to '" + hint +
                                         "' and give it with --from-file"));
  }
  std::map<std::pair<std::string, std::string>, Entry> on_device;
  for (auto& e : *held) on_device[{e.type, e.value}] = e;
  store::BlockFilter f;
  f.device = name;
  std::size_t checked = 0, repaired = 0, confirmed = 0;
  bool ticket = dev.mode() == Device::Mode::Ticket;
  for (const auto& row : blocks.list(f)) {
    if (row.state == "pending") continue;
    ++checked;
    auto key = std::make_pair(row.type, row.value);
    bool present = on_device.erase(key) > 0;
    if (present) {
      // A change-ticket entry the device now shows: it is applied.
      if (row.state != "planned") continue;
      ++confirmed;
      if (dry_run_) {
        emit(action("block", row, "planned", "dry run: on the device; would confirm as applied"));
        continue;
      }
      store::Transaction tx(ctx_.store().db());
      blocks.set_state(row.id, "applied", now, row.detail);
      audit("block.confirm", row, "applied", "seen on the device by sync");
      tx.commit();
      emit(action("block", row, "applied", "seen on the device by sync"));
      continue;
    }
    if (row.expires && *row.expires <= now) continue;  // expire will lift it
    ++repaired;
    if (dry_run_) {
      emit(action("block", row, "planned", "dry run: missing on device; would re-apply"));
      continue;
    }
    try {
      std::string answer = dev.apply("block", to_entry(row), now);
      // Ticket devices: the commands go to the ticket (and the action record); the entry is
      // applied only when a later listing shows it.
      if (ticket) answer += ":\n" + dev.render("block", to_entry(row), now);
      std::string status = ticket ? "planned" : "applied";
      store::Transaction tx(ctx_.store().db());
      if (ticket && row.state != "planned") blocks.set_state(row.id, "planned", now, row.detail);
      audit("block.sync", row, status, "missing on device, re-applied; " + answer);
      tx.commit();
      emit(action("block", row, status, "missing on device, re-applied; " + answer));
    } catch (const ExternalError& e) {
      store::Transaction tx(ctx_.store().db());
      audit("block.sync", row, "failed", e.what());
      tx.commit();
      ctx_.note_external_failure(name + ": " + cli::term_safe(e.what(), 300));
      emit(action("block", row, "failed", e.what()));
    }
  }
  ctx_.info(name + ": " + std::to_string(checked) + " entries in the store, " +
            std::to_string(repaired) + " missing on the device, " +
            (confirmed ? std::to_string(confirmed) + " confirmed, " : std::string()) +
            std::to_string(on_device.size()) + " on the device but not in the store");
  // Entries the device holds under our tag/set that the store does not: lift them.
  for (const auto& [key, e] : on_device) {
    store::BlockRow row;
    row.id = make_id("s", {name, e.type, e.value, "sync", std::to_string(now)});
    row.type = e.type;
    row.value = e.value;
    row.device = name;
    row.reason = "not in the store";
    if (dry_run_) {
      emit(action("unblock", row, "planned", "dry run: not in the store; would remove"));
      continue;
    }
    try {
      std::string answer = dev.apply("unblock", e, now);
      if (ticket) answer += ":\n" + dev.render("unblock", e, now);
      std::string status = ticket ? "planned" : "applied";
      store::Transaction tx(ctx_.store().db());
      audit("block.sync", row, status, "not in the store, removed; " + answer);
      tx.commit();
      emit(action("unblock", row, status, "not in the store, removed; " + answer));
    } catch (const ExternalError& ex) {
      ctx_.note_external_failure(name + ": " + cli::term_safe(ex.what(), 300));
      emit(action("unblock", row, "failed", ex.what()));
    }
  }
}

void Lifecycle::list(const store::BlockFilter& filter, const std::string& format) {
  store::BlockStore blocks(ctx_.store().db());
  auto rows = blocks.list(filter);
  if (format == "json") {
    for (const auto& r : rows) {
      Json j;
      j["id"] = r.id;
      j["device"] = r.device;
      j["type"] = r.type;
      j["value"] = r.value;
      j["state"] = r.state;
      j["created"] = time::format_rfc3339(r.created);
      j["updated"] = time::format_rfc3339(r.updated);
      if (r.ttl) j["ttl"] = ttl_text(r.ttl);
      if (r.expires) j["expires"] = time::format_rfc3339(*r.expires);
      j["reason"] = r.reason;
      if (!r.incident.empty()) j["incident"] = r.incident;
      j["offense"] = r.offense;
      j["actor"] = r.actor;
      ctx_.out().line(j.dump());
    }
    return;
  }
  if (format != "table") throw UsageError("--format must be table or json");
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"ID", "DEVICE", "TYPE", "VALUE", "STATE", "EXPIRES", "INCIDENT", "REASON"});
  for (const auto& r : rows)
    cells.push_back({r.id, cli::term_safe(r.device, 40), r.type, cli::term_safe(r.value, 60),
                     r.state, r.expires ? time::format_rfc3339(*r.expires) : "never",
                     r.incident.empty() ? "-" : cli::term_safe(r.incident, 40),
                     cli::term_safe(r.reason, 60)});
  std::vector<std::size_t> width(cells[0].size(), 0);
  for (const auto& row : cells)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : pad(row[i], width[i] + 2);
    ctx_.out().line(line);
  }
}

void Lifecycle::list_devices() {
  for (const auto& name : device_names(ctx_.config())) {
    Device& dev = device(name);
    const char* mode = dev.mode() == Device::Mode::Push   ? "push"
                       : dev.mode() == Device::Mode::File ? "file"
                                                          : "ticket";
    std::string line = name + "\t" + dev.type() + "\t" + mode;
    if (!dev.path().empty()) line += "\t" + dev.path();
    ctx_.out().line(line);
  }
}

void Lifecycle::show(const std::string& id) {
  store::BlockStore blocks(ctx_.store().db());
  auto r = blocks.get(id);
  if (!r) throw UsageError("no block with id " + cli::term_safe(id));
  Json j;
  j["id"] = r->id;
  j["device"] = r->device;
  j["type"] = r->type;
  j["value"] = r->value;
  j["state"] = r->state;
  j["created"] = time::format_rfc3339(r->created);
  j["updated"] = time::format_rfc3339(r->updated);
  if (r->ttl) j["ttl"] = ttl_text(r->ttl);
  if (r->expires) j["expires"] = time::format_rfc3339(*r->expires);
  j["reason"] = r->reason;
  if (!r->incident.empty()) j["incident"] = r->incident;
  j["offense"] = r->offense;
  j["actor"] = r->actor;
  Json history = Json::array();
  ctx_.store().each_audit([&](const store::AuditEntry& a) {
    if (a.object != id) return true;
    Json d = Json::parse(a.detail, nullptr, false);
    history.push_back({{"time", time::format_rfc3339(a.ts)},
                       {"actor", a.actor},
                       {"action", a.action},
                       {"status", d.is_object() ? d.value("status", "") : ""},
                       {"answer", d.is_object() ? d.value("answer", "") : ""}});
    return true;
  });
  j["history"] = history;
  ctx_.out().line(j.dump());
}

}  // namespace tr::devices
