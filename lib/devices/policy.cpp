// tr-block apply --policy FILE: automatic response. Reads incident, alert and verdict records
// and, for every matching rule, blocks the record's
// observables on the rule's devices. Other kinds pass through unchanged.
//
//   rules:
//     - name: c2
//       when: {classification: [c2, malware], min_score: 70, tags: [campaign],
//              verdict: [infected], observable_types: [ip, domain], roles: [attacker]}
//       block: {devices: [edge-edl], ttl: 24h, approval: false}
//
// Conditions are ANDed; a list inside a condition matches when any element does. Roles
// default to [attacker] so that a rule never blocks the victims of an alert by accident.
#include <yaml-cpp/yaml.h>

#include <set>

#include "config/config.hpp"
#include "core/error.hpp"
#include "devices/lifecycle.hpp"
#include "time/time.hpp"

namespace tr::devices {
namespace {

struct Rule {
  std::string name;
  std::set<std::string> kinds, classifications, tags, verdicts, types, roles;
  std::optional<int64_t> min_score;
  std::vector<std::string> devices;
  std::optional<int64_t> ttl;
  bool approval = false;
};

std::set<std::string> string_set(const YAML::Node& n, const std::string& where) {
  std::set<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) {
    out.insert(n.as<std::string>());
    return out;
  }
  if (!n.IsSequence()) throw UsageError(where + "must be a value or a list");
  for (const auto& v : n) out.insert(v.as<std::string>());
  return out;
}

// Observable types of design.md -> block entry types.
std::string block_type(const std::string& t) {
  if (t == "ip" || t == "cidr" || t == "domain" || t == "url" || t == "user" || t == "host")
    return t;
  if (t == "message_id") return "email_message";
  return "";
}

std::vector<Rule> load_rules(const std::string& path) {
  Config file = Config::from_file(path);
  YAML::Node rules = file.node("rules");
  if (!rules || !rules.IsSequence()) throw UsageError(path + ": needs a list of rules");
  std::vector<Rule> out;
  try {
    for (const auto& n : rules) {
      std::string at = file.where(n);
      Rule r;
      r.name = n["name"] ? n["name"].as<std::string>() : "rule-" + std::to_string(out.size() + 1);
      YAML::Node when = n["when"];
      if (when && !when.IsMap()) throw UsageError(at + "when must be a map");
      if (when) {
        for (const auto& kv : when) {
          std::string key = kv.first.as<std::string>();
          if (key != "kind" && key != "classification" && key != "tags" && key != "verdict" &&
              key != "observable_types" && key != "roles" && key != "min_score")
            throw UsageError(file.where(kv.first) + "unknown condition '" + key + "'");
        }
        r.kinds = string_set(when["kind"], at);
        r.classifications = string_set(when["classification"], at);
        r.tags = string_set(when["tags"], at);
        r.verdicts = string_set(when["verdict"], at);
        r.types = string_set(when["observable_types"], at);
        r.roles = string_set(when["roles"], at);
        if (when["min_score"]) r.min_score = when["min_score"].as<int64_t>();
      }
      if (r.roles.empty()) r.roles = {"attacker"};
      YAML::Node block = n["block"];
      if (!block || !block.IsMap()) throw UsageError(at + "rule " + r.name + " needs a block: map");
      if (block["devices"])
        for (const auto& d : string_set(block["devices"], at)) r.devices.push_back(d);
      if (block["ttl"]) {
        std::string t = block["ttl"].as<std::string>();
        if (t == "none" || t == "never") r.ttl = 0;
        else if (auto d = time::parse_duration(t)) r.ttl = *d;
        else throw UsageError(file.where(block["ttl"]) + "ttl '" + t + "' is not a duration");
      }
      if (block["approval"]) r.approval = block["approval"].as<bool>();
      out.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    throw UsageError(path + ": " + e.what());
  }
  return out;
}

struct Facts {
  std::string classification_list_key;
  std::set<std::string> classifications, tags;
  std::string verdict, incident, title;
  std::optional<int64_t> score;
  std::vector<std::pair<std::string, std::string>> observables;  // (type, value) with roles
  std::vector<std::string> roles;
};

Facts facts_of(const Record& rec) {
  const Json& j = rec.doc();
  Facts f;
  auto add_strings = [](std::set<std::string>& out, const Json* v) {
    if (!v) return;
    if (v->is_string()) out.insert(v->get<std::string>());
    if (v->is_array())
      for (const auto& x : *v)
        if (x.is_string()) out.insert(x.get<std::string>());
  };
  auto add_observables = [&f](const Json* list) {
    if (!list || !list->is_array()) return;
    for (const auto& o : *list) {
      if (!o.is_object()) continue;
      f.observables.emplace_back(o.value("type", ""), o.value("value", ""));
      f.roles.push_back(o.value("role", ""));
    }
  };
  if (rec.is("incident")) {
    f.incident = string_at(j, "id");
    f.title = string_at(j, "title");
    add_strings(f.classifications, find_path(j, "classification"));
    add_strings(f.tags, find_path(j, "tags"));
    if (const Json* s = find_path(j, "severity"); s && s->is_number()) f.score = s->get<int64_t>();
    add_observables(find_path(j, "observables"));
  } else if (rec.is("alert")) {
    f.incident = string_at(j, "tr.incident");
    f.title = string_at(j, "message");
    add_strings(f.classifications, find_path(j, "threat.classification"));
    add_strings(f.tags, find_path(j, "tags"));
    if (const Json* s = find_path(j, "tr.score"); s && s->is_number()) f.score = s->get<int64_t>();
    add_observables(find_path(j, "tr.observables"));
  } else {  // verdict
    f.incident = string_at(j, "incident");
    f.verdict = string_at(j, "verdict");
    f.title = "verdict " + f.verdict + " on " + string_at(j, "host");
    if (std::string host = string_at(j, "host"); !host.empty()) {
      f.observables.emplace_back("host", host);
      f.roles.push_back("victim");
    }
    if (const Json* m = find_path(j, "matches"); m && m->is_array())
      for (const auto& x : *m) {
        const Json* ind = find_path(x, "indicator");
        if (!ind) continue;
        f.observables.emplace_back(string_at(*ind, "type"), string_at(*ind, "value"));
        f.roles.push_back("attacker");
      }
  }
  return f;
}

bool any_in(const std::set<std::string>& want, const std::set<std::string>& have) {
  if (want.empty()) return true;
  for (const auto& w : want)
    if (have.count(w)) return true;
  return false;
}

class ApplyStage : public Stage {
 public:
  ApplyStage(Lifecycle& life, std::vector<Rule> rules) : life_(life), rules_(std::move(rules)) {}
  void on_record(Record rec, Sink& out) override {
    if (!rec.is("incident") && !rec.is("alert") && !rec.is("verdict")) {
      out.emit(std::move(rec));
      return;
    }
    Facts f = facts_of(rec);
    for (const auto& rule : rules_) {
      if (!rule.kinds.empty() && !rule.kinds.count(rec.kind())) continue;
      if (!any_in(rule.classifications, f.classifications)) continue;
      if (!any_in(rule.tags, f.tags)) continue;
      if (!rule.verdicts.empty() && !rule.verdicts.count(f.verdict)) continue;
      if (rule.min_score && (!f.score || *f.score < *rule.min_score)) continue;
      std::set<std::pair<std::string, std::string>> done;
      for (std::size_t i = 0; i < f.observables.size(); ++i) {
        const auto& [otype, value] = f.observables[i];
        std::string type = block_type(otype);
        if (type.empty() || (!rule.types.empty() && !rule.types.count(otype))) continue;
        if (!rule.roles.count(f.roles[i])) continue;
        if (!done.insert({type, value}).second) continue;
        AddRequest r;
        r.type = type;
        r.value = value;
        r.devices = rule.devices;
        r.ttl = rule.ttl;
        r.approval = rule.approval;
        r.automatic = true;
        r.incident = f.incident;
        r.reason = "policy " + rule.name + (f.title.empty() ? "" : ": " + f.title.substr(0, 160));
        r.pos = rec.pos();
        life_.add(r);
      }
    }
  }

 private:
  Lifecycle& life_;
  std::vector<Rule> rules_;
};

}  // namespace

void Lifecycle::apply(const std::string& policy_path) {
  std::vector<Rule> rules = load_rules(policy_path);
  // Unknown devices are configuration errors: find them before reading any record.
  for (const auto& r : rules)
    for (const auto& d : r.devices) device(d);
  ApplyStage stage(*this, std::move(rules));
  cli::run_stream(ctx_, stage);
}

}  // namespace tr::devices
