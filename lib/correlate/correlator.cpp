#include "correlate/correlator.hpp"

#include <algorithm>
#include <climits>
#include <deque>
#include <numeric>
#include <set>
#include <unordered_set>

#include "core/hash.hpp"
#include "record/json_out.hpp"

namespace tr::correlate {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct UnionFind {
  std::vector<uint32_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  uint32_t find(uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

uint64_t mask_of(std::initializer_list<const char*> names) {
  uint64_t m = 0;
  const auto& all = attribute_names();
  for (const char* n : names)
    m |= uint64_t{1} << (std::find(all.begin(), all.end(), n) - all.begin());
  return m;
}

// Attacker-side indicators a campaign is named by: sender, URL, domain, file hash, message id.
bool attacker_side(int attr) {
  static const uint64_t m = mask_of({"attacker_email", "attacker_url", "attacker_domain",
                                     "related_url", "related_domain", "file_hash", "message_id"});
  return attr >= 0 && (m >> attr) & 1u;
}

// External indicators hosts call out to (C2).
bool c2_side(int attr) {
  static const uint64_t m = mask_of({"attacker_ip", "attacker_domain", "attacker_url"});
  return attr >= 0 && (m >> attr) & 1u;
}

// A set of strings as a vector: collected, then sorted and made unique once (sets of strings
// cost a node and a copy per value; incidents are built for every alert).
struct StrSet {
  std::vector<std::string_view> v;
  void add(std::string_view s) { v.push_back(s); }
  template <class C>
  void add_all(const C& c) {
    for (const auto& s : c) v.push_back(s);
  }
  std::vector<std::string_view>& done() {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  std::size_t distinct() { return done().size(); }
};

std::string priority_of(int severity, int best_alert) {
  int rank = severity >= 80 ? 1 : severity >= 60 ? 2 : severity >= 40 ? 3 : 4;
  if (best_alert > 0) rank = std::min(rank, best_alert);
  return "P" + std::to_string(rank);
}

template <class C>
void strings(JsonOut& o, std::string_view key, const C& v) {
  o.key(key).begin_array();
  for (const auto& s : v) o.value(std::string_view(s));
  o.end_array();
}

std::vector<std::string> json_strings(const Json& j, std::string_view dotted) {
  std::vector<std::string> out;
  const Json* p = find_path(j, dotted);
  if (p && p->is_array())
    for (const auto& x : *p)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

// An open-addressing index of value ids by hash (linear probing, backward-shift deletion):
// the values themselves live in Impl::values, so a lookup costs one hash and, mostly, one
// string comparison, with no key built.
class ValueIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  template <class Eq>
  uint32_t find(uint64_t hash, Eq&& eq) const {
    if (slots_.empty()) return kNone;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kNone) return kNone;
      if (s.hash == hash && eq(s.id)) return s.id;
    }
  }
  void insert(uint64_t hash, uint32_t id) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(hash, id);
    ++used_;
  }
  void erase(uint64_t hash, uint32_t id) {
    std::size_t i = hash & mask_;
    while (slots_[i].id != id) i = (i + 1) & mask_;
    // Backward shift: move later entries of the probe run into the hole.
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].id == kNone) break;
      std::size_t home = slots_[j].hash & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --used_;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kNone;
  };
  void place(uint64_t hash, uint32_t id) {
    std::size_t i = hash & mask_;
    while (slots_[i].id != kNone) i = (i + 1) & mask_;
    slots_[i] = {hash, id};
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.id != kNone) place(s.hash, s.id);
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0, used_ = 0;
};

}  // namespace

struct Correlator::Impl {
  Options opt;
  const NeverLink& never;
  IncidentSource* store;
  Emit emit;
  Stats stats;
  time::Millis period;  // hub period

  struct Value {
    std::string type, value;
    uint64_t hash = 0;
    bool never = false, internal = false;
    uint32_t refs = 0;
    std::vector<std::pair<int64_t, uint32_t>> counts;  // (period, alerts) for hub decisions
    bool store_checked = false;
    std::vector<uint32_t> stored;  // indices into stored_
  };
  std::vector<Value> values;
  std::vector<uint32_t> free_values;
  ValueIndex index;

  struct Link {
    uint32_t value;
    int attr;
  };
  struct Pending {
    AlertInfo info;
    std::vector<Link> links;
    int64_t period = 0;
    std::vector<uint32_t> stored;
    bool store_checked = false;
  };
  std::vector<Pending> pending;
  std::map<int64_t, uint32_t> period_total;

  std::vector<std::unique_ptr<StoredIncident>> stored;  // loaded stored incidents
  std::unordered_map<std::string, uint32_t> stored_index;
  // A stored incident merged into another in this run: its slot points at the survivor's.
  std::vector<uint32_t> redirect;
  uint32_t resolve(uint32_t slot) const {
    while (redirect[slot] != slot) slot = redirect[slot];
    return slot;
  }
  std::vector<std::unordered_map<std::string, std::vector<time::Millis>>> stored_times;

  std::string updated;  // "updated" of the incidents of one pass
  bool started = false;
  time::Millis newest = 0;
  int64_t last_pass_frontier = 0;
  int64_t closed_frontier = LLONG_MIN;  // alerts before it may have missed their group
  std::vector<uint32_t> seen;           // scratch of add()

  Impl(Options o, const NeverLink& n, IncidentSource* s, Emit e)
      : opt(std::move(o)), never(n), store(s), emit(std::move(e)), period(opt.hub_period()) {}

  static std::string key_of(std::string_view type, std::string_view value) {
    std::string k(type);
    k.push_back('\x1f');
    k.append(value);
    return k;
  }

  static uint64_t hash_of(std::string_view type, std::string_view value) {
    return std::hash<std::string_view>{}(value) ^ (std::hash<std::string_view>{}(type) * 31);
  }

  uint32_t intern(std::string_view type, std::string_view value, bool internal) {
    uint64_t h = hash_of(type, value);
    uint32_t found = index.find(h, [&](uint32_t id) {
      const Value& v = values[id];
      return v.value == value && v.type == type;
    });
    if (found != ValueIndex::kNone) return found;
    uint32_t id;
    if (!free_values.empty()) {
      id = free_values.back();
      free_values.pop_back();
    } else {
      id = static_cast<uint32_t>(values.size());
      values.emplace_back();
    }
    Value& v = values[id];
    v.type = type;
    v.value = value;
    v.hash = h;
    v.internal = internal;
    v.never = !internal && never.matches(type, value);
    index.insert(h, id);
    return id;
  }

  void release(uint32_t id) {
    Value& v = values[id];
    if (--v.refs > 0) return;
    index.erase(v.hash, id);
    v.counts.clear();
    v.stored.clear();
    v.store_checked = false;
    free_values.push_back(id);
  }

  bool hub(uint32_t id, int64_t p) const {
    const Value& v = values[id];
    if (v.internal) return false;
    for (const auto& [per, n] : v.counts) {
      if (per != p) continue;
      if (n < static_cast<uint32_t>(opt.hub_min)) return false;
      auto total = period_total.find(p);
      return total != period_total.end() &&
             static_cast<double>(n) >= opt.hub_share * static_cast<double>(total->second);
    }
    return false;
  }

  uint32_t stored_slot(const std::string& id) {
    auto it = stored_index.find(id);
    if (it != stored_index.end()) return it->second;
    auto inc = store->load(id);
    // When each link value was seen by the incident's stored alerts, to join new alerts only
    // within a window of one of them, as in a single run.
    std::unordered_map<std::string, std::vector<time::Millis>> times;
    if (inc)
      for (const auto& a : inc->alerts)
        for (const auto& o : a.observables)
          if (opt.links.contains(attribute_of(o.type, o.role)))
            times[key_of(o.type, o.value)].push_back(a.ts);
    stored_times.push_back(std::move(times));
    uint32_t slot = static_cast<uint32_t>(stored.size());
    stored.push_back(std::move(inc));  // may be null: a vanished incident never joins
    redirect.push_back(slot);
    stored_index.emplace(id, slot);
    return slot;
  }

  bool stored_in_window(uint32_t slot, const Value& v, time::Millis t) const {
    const auto& s = stored[slot];
    if (!s) return false;
    if (s->alerts.empty())  // no alert records in the store: the incident's time span
      return t >= s->first_seen - opt.window && t <= s->last_seen + opt.window;
    auto it = stored_times[slot].find(key_of(v.type, v.value));
    if (it == stored_times[slot].end()) return false;
    for (time::Millis x : it->second)
      if (std::llabs(x - t) <= opt.window) return true;
    return false;
  }

  // Whether the stored incident carries the value in a role that links (the store's table of
  // incident observables has no roles; the incident record has).
  bool stored_links(uint32_t slot, const Value& v) const {
    const auto& s = stored[slot];
    if (!s) return false;
    // A value that was a hub where the stored incident saw it did not link there.
    if (const Json* hubs = find_path(s->record, "hubs"); hubs && hubs->is_array())
      for (const auto& h : *hubs)
        if (h.is_object() && string_at(h, "type") == v.type && string_at(h, "value") == v.value)
          return false;
    const Json* obs = find_path(s->record, "observables");
    if (!obs || !obs->is_array()) return true;
    for (const auto& o : *obs) {
      if (!o.is_object()) continue;
      if (string_at(o, "type") != v.type || string_at(o, "value") != v.value) continue;
      if (opt.links.contains(attribute_of(v.type, string_at(o, "role")))) return true;
    }
    return false;
  }

  void add(AlertInfo a) {
    ++stats.alerts;
    if (!started) {
      started = true;
      newest = a.ts;
      last_pass_frontier = frontier();
    }
    if (a.ts < closed_frontier) ++stats.late;
    Pending p;
    p.period = floor_div(a.ts, period);
    ++period_total[p.period];
    seen.clear();
    auto add_link = [&](std::string_view type, std::string_view value, int attr, bool internal) {
      uint32_t id = intern(type, value, internal);
      Value& v = values[id];
      if (v.never) {
        if (v.refs == 0) {  // not referenced: drop at once
          ++v.refs;
          release(id);
        }
        return;
      }
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) return;
      seen.push_back(id);
      ++v.refs;
      if (!internal) {
        auto c = std::find_if(v.counts.begin(), v.counts.end(),
                              [&](const auto& pc) { return pc.first == p.period; });
        if (c == v.counts.end())
          v.counts.emplace_back(p.period, 1);
        else
          ++c->second;
      }
      p.links.push_back({id, attr});
    };
    for (const auto& o : a.observables) {
      int attr = attribute_of(o.type, o.role);
      if (opt.links.contains(attr)) add_link(o.type, o.value, attr, false);
    }
    p.info = std::move(a);
    bool advance = p.info.ts > newest;
    if (advance) newest = p.info.ts;
    pending.push_back(std::move(p));
    if (advance) {
      int64_t f = frontier();
      if (f >= last_pass_frontier + std::max(period, opt.window / 4)) {
        last_pass_frontier = f;
        pass(f, false);
      }
    }
  }

  // The stored incidents an alert joins: the one it is already attached to, and those that
  // carry one of its link values that is not a hub. Called at pass time, when the hub
  // decisions of the alert's period are final.
  void join_stored(Pending& p) {
    const AlertInfo& a = p.info;
    auto add_slot = [&](uint32_t slot) {
      slot = resolve(slot);
      if (std::find(p.stored.begin(), p.stored.end(), slot) == p.stored.end())
        p.stored.push_back(slot);
    };
    if (!p.store_checked) {
      p.store_checked = true;
      if (auto inc = store->incident_of_alert(std::string(a.id))) {
        uint32_t slot = stored_slot(*inc);
        if (stored[slot]) add_slot(slot);
      }
    }
    for (const auto& l : p.links) {
      Value& v = values[l.value];
      if (v.internal || hub(l.value, p.period)) continue;
      if (!v.store_checked) {
        v.store_checked = true;
        for (const auto& id : store->incidents_with(v.type, v.value)) {
          uint32_t slot = stored_slot(id);
          if (stored[slot] && stored_links(slot, v)) v.stored.push_back(slot);
        }
      }
      for (uint32_t slot : v.stored)
        if (stored_in_window(slot, v, a.ts)) add_slot(slot);
    }
  }

  // Start of the first period that may still receive alerts.
  int64_t frontier() const { return floor_div(newest - opt.late, period) * period; }
  int64_t period_end(time::Millis t) const { return (floor_div(t, period) + 1) * period; }

  // Scratch of pass() and build(), kept so that every pass reuses its memory.
  struct Occ {
    uint32_t value;
    uint32_t alert;
    time::Millis ts;
  };
  std::vector<Occ> occ;
  std::vector<std::pair<uint64_t, uint32_t>> by_hash;
  std::vector<time::Millis> last_ts;
  std::vector<std::pair<uint32_t, uint32_t>> closing;  // (root, alert)
  std::vector<uint8_t> is_closing;
  bool pass_has_duplicates = false;
  UnionFind uf{0};
  struct Group {
    time::Millis first;
    std::string id;
    std::size_t begin, end;                // range of `closing`
    std::size_t stored_begin, stored_end;  // range of `stored_of_root`
  };
  std::vector<Group> closing_groups;

  void pass(int64_t f, bool final) {
    ++stats.passes;
    std::size_t n = pending.size();
    if (n == 0) return;
    if (store)  // only where the hub decisions are final: alerts of complete periods
      for (auto& p : pending)
        if (final || period_end(p.info.ts) <= f) join_stored(p);
    uf.parent.resize(n + stored.size());
    std::iota(uf.parent.begin(), uf.parent.end(), 0u);
    occ.clear();
    for (uint32_t i = 0; i < n; ++i) {
      const Pending& p = pending[i];
      for (const auto& l : p.links)
        if (!hub(l.value, p.period)) occ.push_back({l.value, i, p.info.ts});
      for (uint32_t s : p.stored) uf.unite(i, static_cast<uint32_t>(n + resolve(s)));
    }
    // The same alert twice (a log read twice) is one alert of one group: ids by hash, equal
    // hashes compared.
    by_hash.clear();
    pass_has_duplicates = false;
    for (uint32_t i = 0; i < n; ++i)
      by_hash.emplace_back(std::hash<std::string_view>{}(pending[i].info.id), i);
    std::sort(by_hash.begin(), by_hash.end());
    for (std::size_t k = 1; k < by_hash.size(); ++k) {
      if (by_hash[k].first != by_hash[k - 1].first) continue;
      for (std::size_t j = k; j-- > 0 && by_hash[j].first == by_hash[k].first;)
        if (pending[by_hash[j].second].info.id == pending[by_hash[k].second].info.id) {
          uf.unite(by_hash[k].second, by_hash[j].second);
          pass_has_duplicates = true;
          break;
        }
    }
    std::sort(occ.begin(), occ.end(), [](const Occ& a, const Occ& b) {
      return a.value != b.value ? a.value < b.value : a.ts < b.ts;
    });
    for (std::size_t k = 1; k < occ.size(); ++k)
      if (occ[k].value == occ[k - 1].value && occ[k].ts - occ[k - 1].ts <= opt.window)
        uf.unite(occ[k].alert, occ[k - 1].alert);

    last_ts.assign(n + stored.size(), LLONG_MIN);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t r = uf.find(i);
      last_ts[r] = std::max(last_ts[r], pending[i].info.ts);
    }
    closing.clear();
    is_closing.assign(n, 0);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t r = uf.find(i);
      if (final || period_end(last_ts[r] + opt.window) <= f) {
        closing.emplace_back(r, i);
        is_closing[i] = 1;
      }
    }
    if (closing.empty()) return;
    std::sort(closing.begin(), closing.end());
    // The stored incidents of each closing component, by root.
    stored_of_root.clear();
    for (uint32_t slot = 0; slot < stored.size(); ++slot)
      if (stored[slot] && redirect[slot] == slot)
        stored_of_root.emplace_back(uf.find(static_cast<uint32_t>(n + slot)), slot);
    std::sort(stored_of_root.begin(), stored_of_root.end());
    // Groups in output order (first seen, then id), each written as soon as it is built, so
    // that the incidents of a pass are never all in memory at once.
    closing_groups.clear();
    for (std::size_t k = 0; k < closing.size();) {
      std::size_t end = k;
      uint32_t root = closing[k].first;
      uint32_t earliest = closing[k].second;
      while (end < closing.size() && closing[end].first == root) {
        const AlertInfo& a = pending[closing[end].second].info;
        const AlertInfo& e = pending[earliest].info;
        if (a.ts < e.ts || (a.ts == e.ts && a.id < e.id)) earliest = closing[end].second;
        ++end;
      }
      Group g{pending[earliest].info.ts, {}, k, end, 0, 0};
      auto range = std::equal_range(
          stored_of_root.begin(), stored_of_root.end(), std::pair<uint32_t, uint32_t>{root, 0},
          [](const auto& x, const auto& y) { return x.first < y.first; });
      g.stored_begin = static_cast<std::size_t>(range.first - stored_of_root.begin());
      g.stored_end = static_cast<std::size_t>(range.second - stored_of_root.begin());
      // The survivor: the earliest stored incident (first seen, then id).
      const StoredIncident* survivor = nullptr;
      for (auto it = range.first; it != range.second; ++it) {
        const StoredIncident& c = *stored[it->second];
        if (!survivor || c.first_seen < survivor->first_seen ||
            (c.first_seen == survivor->first_seen && c.id < survivor->id))
          survivor = &c;
      }
      if (survivor) {
        g.id = survivor->id;
        for (auto it = range.first; it != range.second; ++it)
          g.first = std::min(g.first, stored[it->second]->first_seen);
      } else {
        append_id(g.id, "i", {pending[earliest].info.id});
      }
      closing_groups.push_back(std::move(g));
      k = end;
    }
    std::sort(closing_groups.begin(), closing_groups.end(), [](const Group& a, const Group& b) {
      return a.first != b.first ? a.first < b.first : a.id < b.id;
    });
    updated = time::format_rfc3339(time::now());
    std::vector<AlertInfo> alerts;
    for (const Group& g : closing_groups) {
      members.clear();
      for (std::size_t k = g.begin; k < g.end; ++k) members.push_back(closing[k].second);
      group_stored.clear();
      for (std::size_t k = g.stored_begin; k < g.stored_end; ++k)
        group_stored.push_back(stored[stored_of_root[k].second].get());
      // The survivor first, the merged ones in id order.
      std::sort(group_stored.begin(), group_stored.end(),
                [&](const StoredIncident* a, const StoredIncident* b) {
                  if ((a->id == g.id) != (b->id == g.id)) return a->id == g.id;
                  return a->id < b->id;
                });
      if (group_stored.size() > 1) {
        // Later alerts of this run that meet a merged incident join the survivor.
        uint32_t into = stored_index.at(g.id);
        for (std::size_t k = g.stored_begin; k < g.stored_end; ++k)
          redirect[stored_of_root[k].second] = into;
      }
      group_id = g.id;
      build(n, alerts);
      ++stats.incidents;
      emit(g.id, alerts, json.str());
    }
    if (final) {
      pending.clear();  // everything closed: the value table is not needed any more
      return;
    }
    std::size_t kept = 0;
    for (uint32_t i = 0; i < n; ++i) {
      if (is_closing[i]) {
        for (const auto& l : pending[i].links) release(l.value);
      } else {
        if (kept != i) pending[kept] = std::move(pending[i]);
        ++kept;
      }
    }
    pending.resize(kept);
    int64_t min_period = LLONG_MAX;
    for (const auto& p : pending) min_period = std::min(min_period, p.period);
    for (auto it = period_total.begin(); it != period_total.end() && it->first < min_period;)
      it = period_total.erase(it);
    for (auto& v : values)
      if (!v.counts.empty())
        std::erase_if(v.counts, [&](const auto& pc) { return pc.first < min_period; });
    closed_frontier = std::max(closed_frontier, f);
  }

  // Builds the incident of the group in `members` (indices into pending) with the stored
  // incidents in `group_stored` and the id `group_id` into `json`, and moves the group's alerts
  // out of pending (in @timestamp, id order) into `alerts_out`.
  void build(std::size_t n, std::vector<AlertInfo>& alerts_out);
  std::vector<std::pair<uint32_t, uint32_t>> stored_of_root;  // (root, stored slot)
  std::vector<const StoredIncident*> group_stored;
  std::string group_id;
  std::vector<uint32_t> members;
  JsonOut json;
  StrSet users, hosts, departments, groups, sources, classes, tags, target_keys;
};


void Correlator::Impl::build(std::size_t /*n*/, std::vector<AlertInfo>& alerts_out) {
  // The stored incidents of the component (the pass chose them): the first survives, the
  // others are merged into it.
  const StoredIncident* joined = group_stored.empty() ? nullptr : group_stored.front();
  if (joined) ++stats.joined;

  // The group's alerts, each id once; then the stored ones not seen again in this input.
  std::vector<uint32_t>& order = members;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const auto &x = pending[a].info, &y = pending[b].info;
    return x.ts != y.ts ? x.ts < y.ts : x.id < y.id;
  });
  struct Item {
    const AlertInfo* info;
    const std::vector<Link>* links;  // null for stored alerts
    int64_t period;
  };
  std::vector<Item> items;
  items.reserve(order.size());
  // Ids are compared only where one can repeat: a pass that saw an id twice, a stored incident.
  bool dedup = joined || pass_has_duplicates;
  std::unordered_set<std::string_view> ids;
  for (uint32_t i : order)
    if (!dedup || ids.insert(pending[i].info.id).second)
      items.push_back({&pending[i].info, &pending[i].links, pending[i].period});
  for (const StoredIncident* inc : group_stored)
    for (const auto& a : inc->alerts)
      if (ids.insert(a.id).second) items.push_back({&a, nullptr, 0});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.info->ts != b.info->ts ? a.info->ts < b.info->ts : a.info->id < b.info->id;
  });

  // Link values of each alert as (type, value, attribute), hubs and never-link left out.
  struct Key {
    std::string_view type, value;
    int attr;
  };
  auto keys_into = [&](const Item& it, std::vector<Key>& out) {
    out.clear();
    if (it.links) {
      for (const auto& l : *it.links) {
        const Value& v = values[l.value];
        if (v.internal || hub(l.value, it.period)) continue;
        out.push_back({v.type, v.value, l.attr});
      }
    } else {
      for (const auto& o : it.info->observables) {
        int attr = attribute_of(o.type, o.role);
        if (opt.links.contains(attr) && !never.matches(o.type, o.value))
          out.push_back({o.type, o.value, attr});
      }
    }
  };
  auto keys_of = [&](const Item& it) {
    std::vector<Key> out;
    keys_into(it, out);
    return out;
  };
  std::vector<Key> item_keys;

  const AlertInfo& earliest = *items.front().info;
  std::string id = group_id;
  time::Millis first = items.front().info->ts, last = items.back().info->ts;
  int severity = 0, best_priority = 0;
  const AlertInfo* top = nullptr;
  for (StrSet* set : {&users, &hosts, &departments, &groups, &sources, &classes, &tags, &target_keys})
    set->v.clear();
  using Obs = std::tuple<std::string_view, std::string_view, std::string_view>;
  std::vector<Obs> observables;
  std::deque<std::string> owned;  // strings of the stored record the views point into
  bool vip = false;
  // Per link value: alerts carrying it, their distinct targets and internal hosts, and whether
  // any of them is a C2 or malware alert.
  struct Use {
    std::string_view type, value;
    int attr = -1;
    std::size_t alerts = 0;
    StrSet targets, hosts;
    bool c2 = false;      // some alert with it is a C2 or malware alert
    bool beacon = false;  // some alert with it is a C2 alert: hosts call it, not a lure
  };
  std::map<std::pair<std::string_view, std::string_view>, Use> uses;
  std::vector<std::string_view> tkeys, thosts;
  std::vector<std::pair<std::string_view, std::string_view>> hub_values;
  for (const auto& it : items) {
    if (it.links)
      for (const auto& l : *it.links)
        if (hub(l.value, it.period)) hub_values.emplace_back(values[l.value].type, values[l.value].value);
    const AlertInfo& a = *it.info;
    if (!top || a.severity > top->severity) top = &a;
    severity = std::max(severity, a.severity);
    if (a.priority > 0 && (best_priority == 0 || a.priority < best_priority))
      best_priority = a.priority;
    users.add_all(a.users);
    hosts.add_all(a.hosts);
    departments.add_all(a.departments);
    groups.add_all(a.groups);
    if (!a.product.empty()) sources.add(a.product);
    if (!a.classification.empty()) classes.add(a.classification);
    vip = vip || a.vip;
    for (const auto& o : a.observables) observables.emplace_back(o.type, o.value, o.role);
    // The alert's targets: users, else hosts; internal hosts: host names, else private victim
    // addresses.
    thosts.assign(a.hosts.begin(), a.hosts.end());
    if (thosts.empty())
      for (const auto& o : a.observables)
        if (o.type == "ip" && (o.role == "victim" || o.role == "target") && is_private_ip(o.value))
          thosts.push_back(o.value);
    if (!a.users.empty())
      tkeys.assign(a.users.begin(), a.users.end());
    else
      tkeys = thosts;
    target_keys.add_all(tkeys);
    bool c2 = a.classification == "c2" || a.classification == "malware";
    keys_into(it, item_keys);
    for (const auto& k : item_keys) {
      Use& u = uses[{k.type, k.value}];
      if (u.alerts == 0) u.type = k.type, u.value = k.value, u.attr = k.attr;
      // The more telling role wins when one value appears in several.
      if (attacker_side(k.attr) || c2_side(k.attr)) u.attr = k.attr;
      ++u.alerts;
      u.targets.add_all(tkeys);
      u.hosts.add_all(thosts);
      u.c2 = u.c2 || c2;
      u.beacon = u.beacon || a.classification == "c2";
    }
  }
  for (const StoredIncident* inc : group_stored) {
    const Json& r = inc->record;
    first = std::min(first, inc->first_seen);
    last = std::max(last, inc->last_seen);
    int rank = priority_rank(string_at(r, "priority"));
    if (rank > 0 && (best_priority == 0 || rank < best_priority)) best_priority = rank;
    auto keep = [&](StrSet& set, std::string_view path) {
      for (auto& v : json_strings(r, path)) set.add(owned.emplace_back(std::move(v)));
    };
    keep(users, "targets.users");
    keep(hosts, "targets.hosts");
    keep(departments, "targets.departments");
    keep(groups, "targets.groups");
    keep(sources, "sources");
    keep(classes, "classification");
    keep(tags, "tags");
    if (const Json* obs = find_path(r, "observables"); obs && obs->is_array())
      for (const auto& o : *obs)
        if (o.is_object())
          observables.emplace_back(owned.emplace_back(string_at(o, "type")),
                                   owned.emplace_back(string_at(o, "value")),
                                   owned.emplace_back(string_at(o, "role")));
  }
  std::sort(observables.begin(), observables.end());
  observables.erase(std::unique(observables.begin(), observables.end()), observables.end());

  // Shapes: a campaign (one attacker-side indicator aimed at several targets) and a botnet
  // (several internal hosts talking to one external C2 indicator).
  Use* campaign = nullptr;
  Use* botnet = nullptr;
  std::vector<Use*> linking;
  for (auto& [k, u] : uses) {
    if (u.alerts >= 2) linking.push_back(&u);
    std::size_t targets = u.targets.distinct(), internal = u.hosts.distinct();
    if (attacker_side(u.attr) && !u.beacon && targets >= static_cast<std::size_t>(opt.campaign_min) &&
        (!campaign || targets > campaign->targets.v.size()))
      campaign = &u;
    bool external = u.type != "ip" || !is_private_ip(u.value);
    if (c2_side(u.attr) && external && u.c2 &&
        internal >= static_cast<std::size_t>(opt.botnet_min) &&
        (!botnet || internal > botnet->hosts.v.size()))
      botnet = &u;
  }
  if (campaign) tags.add("campaign");
  if (botnet) tags.add("botnet");
  if (vip) tags.add("vip");
  std::sort(linking.begin(), linking.end(), [](const Use* a, const Use* b) {
    if (a->alerts != b->alerts) return a->alerts > b->alerts;
    return a->type != b->type ? a->type < b->type : a->value < b->value;
  });

  // Severity: the highest alert, raised for breadth (more targets) and for VIPs.
  auto& user_list = users.done();
  auto& host_list = hosts.done();
  std::size_t breadth = std::max(target_keys.distinct(), std::max(user_list.size(), host_list.size()));
  if (breadth > 1) severity += static_cast<int>(std::min<std::size_t>(20, 5 * (breadth - 1)));
  if (vip) severity += 10;
  severity = std::min(severity, 100);
  // A stored incident never loses severity (an analyst may have raised it).
  for (const StoredIncident* inc : group_stored)
    severity = std::max<int>(severity, static_cast<int>(int_at(inc->record, "severity")));

  std::string message = top && !top->message.empty() ? std::string(top->message)
                                                     : "alert " + std::string(earliest.id);
  std::string title;
  if (botnet) {
    title = "Botnet: " + std::to_string(botnet->hosts.v.size()) + " hosts contact " +
            std::string(botnet->value);
  } else if (campaign) {
    title = "Campaign: " + message + " (" + std::to_string(campaign->targets.v.size()) + " targets)";
  } else {
    // Name the one target when there is one: "Sandbox: malicious on wks-011".
    title = message;
    if (host_list.size() == 1)
      title += " on " + std::string(host_list.front());
    else if (user_list.size() == 1)
      title += " on " + std::string(user_list.front());
    else if (breadth > 1)
      title += " on " + std::to_string(breadth) + " targets";
  }

  JsonOut& o = json;
  o.clear();
  o.begin_object();
  o.field("kind", "incident").field("id", id).field("title", title).field("status", "new");
  o.field("severity", severity).field("priority", priority_of(severity, best_priority));
  o.field("first_seen", time::format_rfc3339(first)).field("last_seen", time::format_rfc3339(last));
  std::vector<std::pair<time::Millis, std::string_view>> alert_ids;
  for (const auto& it : items) alert_ids.emplace_back(it.info->ts, it.info->id);
  for (const StoredIncident* inc : group_stored)
    for (const auto& a : inc->alert_ids)
      if (ids.insert(a).second) alert_ids.emplace_back(LLONG_MIN, a);
  std::stable_sort(alert_ids.begin(), alert_ids.end());
  o.key("alerts").begin_array();
  for (const auto& [ts, a] : alert_ids) o.value(a);
  o.end_array();
  o.field("alert_count", static_cast<int64_t>(alert_ids.size()));
  o.key("observables").begin_array();
  for (const auto& [type, value, role] : observables) {
    o.begin_object().field("type", type).field("value", value);
    if (!role.empty()) o.field("role", role);
    o.end_object();
  }
  o.end_array();
  o.key("links").begin_array();
  for (const Use* u : linking) {
    o.begin_object().field("type", u->type).field("value", u->value);
    o.field("attribute", attribute_names()[static_cast<std::size_t>(u->attr)]);
    o.field("alerts", static_cast<int64_t>(u->alerts));
    o.field("targets", static_cast<int64_t>(u->targets.v.size()));
    o.end_object();
  }
  o.end_array();
  o.key("targets").begin_object();
  strings(o, "users", user_list);
  strings(o, "hosts", host_list);
  strings(o, "departments", departments.done());
  strings(o, "groups", groups.done());
  o.end_object();
  strings(o, "tags", tags.done());
  strings(o, "sources", sources.done());
  strings(o, "classification", classes.done());
  for (const StoredIncident* inc : group_stored)
    if (const Json* hubs = find_path(inc->record, "hubs"); hubs && hubs->is_array())
      for (const auto& h : *hubs)
        if (h.is_object())
          hub_values.emplace_back(owned.emplace_back(string_at(h, "type")),
                                  owned.emplace_back(string_at(h, "value")));
  if (!hub_values.empty()) {
    // Values cut as hubs: shared with much of the traffic, they did not link this incident.
    std::sort(hub_values.begin(), hub_values.end());
    hub_values.erase(std::unique(hub_values.begin(), hub_values.end()), hub_values.end());
    o.key("hubs").begin_array();
    for (const auto& [type, value] : hub_values)
      o.begin_object().field("type", type).field("value", value).end_object();
    o.end_array();
  }
  if (group_stored.size() > 1) {
    // Stored incidents this group bridges: they are merged into this one (tr-incident import
    // merges them), and their alerts are counted here.
    o.key("merged").begin_array();
    for (std::size_t k = 1; k < group_stored.size(); ++k) o.value(group_stored[k]->id);
    o.end_array();
  }
  o.field("updated", updated);

  if (opt.explain) {
    // Why each alert belongs: a breadth-first tree from the earliest alert (or the stored
    // incident it joins) over shared link values at most a window apart.
    std::map<std::pair<std::string_view, std::string_view>, std::vector<std::size_t>> by_value;
    std::vector<std::vector<Key>> keys(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      keys[i] = keys_of(items[i]);
      for (const auto& k : keys[i]) by_value[{k.type, k.value}].push_back(i);
    }
    struct Step {
      std::ptrdiff_t from = -2;  // -2 unvisited, -1 root
      std::string_view type, value;
    };
    std::vector<Step> steps(items.size());
    std::vector<std::size_t> queue;
    std::size_t start = 0;
    if (joined) {
      // Stored alerts and the alerts that joined through a stored value hang off the incident.
      std::unordered_set<std::string_view> stored_ids;
      for (const StoredIncident* inc : group_stored)
        stored_ids.insert(inc->alert_ids.begin(), inc->alert_ids.end());
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].info->from_store || stored_ids.count(items[i].info->id)) {
          steps[i].from = -1;
          queue.push_back(i);
        }
      }
    }
    if (queue.empty()) {
      steps[start].from = -1;
      queue.push_back(start);
    }
    for (std::size_t q = 0; q < queue.size(); ++q) {
      std::size_t i = queue[q];
      for (const auto& k : keys[i]) {
        for (std::size_t j : by_value[{k.type, k.value}]) {
          if (steps[j].from != -2) continue;
          if (std::llabs(items[j].info->ts - items[i].info->ts) > opt.window) continue;
          steps[j] = {static_cast<std::ptrdiff_t>(i), k.type, k.value};
          queue.push_back(j);
        }
      }
    }
    o.key("explain").begin_array();
    for (std::size_t q = 0; q < items.size(); ++q) {
      std::size_t i = q < queue.size() ? queue[q] : 0;
      if (q >= queue.size()) {
        // Joined through the stored incident's values (not carried by a stored alert here).
        for (std::size_t j = 0; j < items.size(); ++j)
          if (steps[j].from == -2) {
            i = j;
            steps[j].from = -3;
            break;
          }
      }
      const Step& s = steps[i];
      o.begin_object().field("alert", items[i].info->id);
      if (s.from >= 0) {
        o.field("from", items[static_cast<std::size_t>(s.from)].info->id);
        o.key("via").begin_object().field("type", s.type).field("value", s.value).end_object();
        std::vector<std::string> chain;
        for (std::ptrdiff_t c = static_cast<std::ptrdiff_t>(i); steps[c].from >= 0;
             c = steps[c].from)
          chain.push_back(std::string(steps[c].type) + " " + std::string(steps[c].value));
        std::reverse(chain.begin(), chain.end());
        strings(o, "chain", chain);
      } else if (s.from == -1) {
        o.field("reason", joined ? "already in " + id : "earliest alert");
      } else {
        o.field("reason", "shares a value with " + id + " in the store");
      }
      o.end_object();
    }
    o.end_array();
  }
  o.end_object();

  alerts_out.clear();
  for (uint32_t i : order) alerts_out.push_back(std::move(pending[i].info));
}

Correlator::Correlator(Options opt, const NeverLink& never, IncidentSource* store, Emit emit)
    : impl_(std::make_unique<Impl>(std::move(opt), never, store, std::move(emit))),
      stats_(impl_->stats) {}
Correlator::~Correlator() = default;

void Correlator::add(AlertInfo alert) { impl_->add(std::move(alert)); }
void Correlator::finish() { impl_->pass(LLONG_MAX, true); }
std::size_t Correlator::pending() const { return impl_->pending.size(); }

}  // namespace tr::correlate
