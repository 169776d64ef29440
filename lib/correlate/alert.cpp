#include "correlate/alert.hpp"

#include <simdjson.h>

#include <algorithm>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "record/json_out.hpp"
#include "record/record.hpp"

namespace tr::correlate {

namespace sj = simdjson::dom;

int priority_rank(std::string_view p) {
  if (p.size() == 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '4') return p[1] - '0';
  return 0;
}

struct AlertReader::Impl {
  sj::parser parser;
};

AlertReader::AlertReader() : impl_(std::make_unique<Impl>()) {}
AlertReader::~AlertReader() = default;

namespace {

std::string_view str(sj::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) == simdjson::SUCCESS) return v;
  return {};
}

std::string_view str_path(sj::element e, std::initializer_list<const char*> keys) {
  sj::element cur = e;
  for (const char* k : keys)
    if (cur[k].get(cur) != simdjson::SUCCESS) return {};
  std::string_view v;
  if (cur.get(v) == simdjson::SUCCESS) return v;
  return {};
}

bool at(sj::element e, std::initializer_list<const char*> keys, sj::element& out) {
  sj::element cur = e;
  for (const char* k : keys)
    if (cur[k].get(cur) != simdjson::SUCCESS) return false;
  out = cur;
  return true;
}

// A number 0-100 from a JSON number or a numeric string; -1 when absent or out of range.
int number_0_100(sj::element e) {
  double d;
  if (e.get(d) != simdjson::SUCCESS) {
    int64_t i;
    if (e.get(i) != simdjson::SUCCESS) return -1;
    d = static_cast<double>(i);
  }
  if (!(d >= 0 && d <= 100)) return -1;
  return static_cast<int>(d);
}

void add_unique(std::vector<std::string>& v, std::string_view s) {
  if (s.empty()) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.emplace_back(s);
}

void strings_of(sj::element e, std::vector<std::string>& out) {
  sj::array arr;
  std::string_view s;
  if (e.get(arr) == simdjson::SUCCESS) {
    for (sj::element x : arr)
      if (x.get(s) == simdjson::SUCCESS) add_unique(out, s);
  } else if (e.get(s) == simdjson::SUCCESS) {
    add_unique(out, s);
  }
}

// ECS fields of an alert that carries no tr.observables (not from tr-ingest).
void fallback_observables(sj::element root, ObservableSet& obs) {
  for (auto [path, type, role] :
       {std::tuple{"source.ip", "ip", "attacker"}, {"destination.ip", "ip", "victim"},
        {"destination.domain", "domain", "attacker"}, {"url.full", "url", "attacker"},
        {"url.domain", "domain", "attacker"}, {"file.hash.sha256", "sha256", "attacker"},
        {"file.hash.sha1", "sha1", "attacker"}, {"file.hash.md5", "md5", "attacker"},
        {"email.message_id", "message_id", "related"}, {"user.name", "user", "victim"},
        {"host.name", "host", "victim"}}) {
    sj::element cur = root;
    bool ok = true;
    std::string_view p = path;
    while (ok && !p.empty()) {
      auto dot = p.find('.');
      std::string key(p.substr(0, dot));
      ok = cur[key].get(cur) == simdjson::SUCCESS;
      p = dot == std::string_view::npos ? std::string_view{} : p.substr(dot + 1);
    }
    if (!ok) continue;
    std::vector<std::string> vals;
    strings_of(cur, vals);
    for (const auto& v : vals) obs.add(type, v, role);
  }
  sj::element from;
  if (at(root, {"email", "from", "address"}, from)) {
    std::vector<std::string> vals;
    strings_of(from, vals);
    for (const auto& v : vals) obs.add("email", v, "attacker");
  }
  if (at(root, {"email", "to", "address"}, from)) {
    std::vector<std::string> vals;
    strings_of(from, vals);
    for (const auto& v : vals) obs.add("email", v, "victim");
  }
}

}  // namespace

AlertInfo AlertReader::read(std::string_view json, bool keep_text) {
  sj::element root;
  auto err = impl_->parser.parse(json.data(), json.size()).get(root);
  if (err) throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  AlertInfo a;
  a.id = std::string(str(root, "id"));
  if (a.id.empty()) throw RecordError("alert has no \"id\"");
  std::string_view ts = str(root, "@timestamp");
  if (ts.empty()) throw RecordError("alert has no \"@timestamp\"");
  auto t = time::parse_rfc3339(ts);
  if (!t) throw RecordError("@timestamp \"" + cli::term_safe(ts) + "\" is not an RFC 3339 time");
  a.ts = *t;
  if (keep_text) a.text = std::string(json);

  sj::element e;
  if (at(root, {"event", "severity"}, e)) a.severity = std::max(a.severity, number_0_100(e));
  if (at(root, {"tr", "score"}, e)) a.severity = std::max(a.severity, number_0_100(e));
  a.priority = priority_rank(str_path(root, {"tr", "priority"}));
  a.product = std::string(str_path(root, {"observer", "product"}));
  a.classification = std::string(str_path(root, {"threat", "classification"}));
  a.message = std::string(str(root, "message"));
  if (a.message.empty()) a.message = std::string(str_path(root, {"rule", "name"}));

  ObservableSet obs;
  sj::array arr;
  if (at(root, {"tr", "observables"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element o : arr) {
      std::string_view type = str(o, "type"), value = str(o, "value"), role = str(o, "role");
      if (type.empty() || value.empty() || !is_observable_type(type)) continue;
      obs.add(type, value, role);
    }
  } else {
    fallback_observables(root, obs);
  }
  // Enrichment: who was hit, as the directory and the inventory name them.
  if (at(root, {"tr", "enrichment", "users"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element u : arr) {
      std::string_view name = str(u, "name");
      if (!name.empty() && obs.add("user", name, "target")) add_unique(a.users, name);
      add_unique(a.departments, str(u, "department"));
      sj::element g;
      if (u["groups"].get(g) == simdjson::SUCCESS) strings_of(g, a.groups);
      bool vip = false;
      if (u["vip"].get(vip) == simdjson::SUCCESS && vip) a.vip = true;
    }
  }
  if (at(root, {"tr", "enrichment", "assets"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element h : arr) {
      std::string_view host = str(h, "host");
      if (!host.empty() && obs.add("host", host, "target")) add_unique(a.hosts, host);
    }
  }
  a.observables = obs.items();
  for (const auto& o : a.observables) {
    bool victim = o.role == "victim" || o.role == "target";
    if (!victim) continue;
    if (o.type == "user") add_unique(a.users, o.value);
    // tr-ingest files a host name that is a valid DNS name as a victim "domain".
    if (o.type == "host" || o.type == "domain")
      add_unique(a.hosts, o.value);
  }
  // A mailbox names the target of a mail alert that names no user.
  if (a.users.empty())
    for (const auto& o : a.observables)
      if (o.type == "email" && (o.role == "victim" || o.role == "target")) add_unique(a.users, o.value);
  return a;
}

// ---- with_incident: a small scanner over validated JSON ----

namespace {

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// i at the opening quote; returns the index after the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// i at the first byte of a value; returns the index after it.
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
         s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
    ++i;
  return i;
}

struct Member {
  std::string_view key;  // raw, without quotes
  std::size_t value_begin, value_end;
};

// Visits the members of the object starting at s[i] == '{'; returns the index of its '}'.
template <class F>
std::size_t each_member(std::string_view s, std::size_t i, F&& fn) {
  i = skip_ws(s, i + 1);
  while (i < s.size() && s[i] != '}') {
    std::size_t kend = skip_string(s, i);
    std::string_view key = s.substr(i + 1, kend - i - 2);
    i = skip_ws(s, kend);
    i = skip_ws(s, i + 1);  // ':'
    std::size_t vend = skip_value(s, i);
    fn(Member{key, i, vend});
    i = skip_ws(s, vend);
    if (i < s.size() && s[i] == ',') i = skip_ws(s, i + 1);
  }
  return i;
}

std::string via_dom(std::string_view json, std::string_view incident_id) {
  Json j = Json::parse(json);
  if (!j.contains("tr") || !j["tr"].is_object()) j["tr"] = Json::object();
  j["tr"]["incident"] = std::string(incident_id);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string with_incident(std::string_view json, std::string_view incident_id) {
  std::size_t start = skip_ws(json, 0);
  if (start >= json.size() || json[start] != '{') return via_dom(json, incident_id);
  int tr_count = 0;
  std::size_t tr_begin = 0;
  bool tr_is_object = false;
  std::size_t close = each_member(json, start, [&](const Member& m) {
    if (m.key == "tr") {
      ++tr_count;
      tr_begin = m.value_begin;
      tr_is_object = json[m.value_begin] == '{';
    }
  });
  std::string quoted;
  append_json_string(quoted, incident_id);
  if (tr_count == 0) {
    bool empty = skip_ws(json, start + 1) == close;
    std::string out;
    out.reserve(json.size() + quoted.size() + 24);
    out.append(json.substr(0, close));
    out.append(empty ? "\"tr\":{\"incident\":" : ",\"tr\":{\"incident\":");
    out.append(quoted);
    out.append("}");
    out.append(json.substr(close));
    return out;
  }
  if (tr_count > 1 || !tr_is_object) return via_dom(json, incident_id);
  bool has_incident = false;
  std::size_t tr_close = each_member(json, tr_begin, [&](const Member& m) {
    if (m.key == "incident") has_incident = true;
  });
  if (has_incident) return via_dom(json, incident_id);
  bool empty = skip_ws(json, tr_begin + 1) == tr_close;
  std::string out;
  out.reserve(json.size() + quoted.size() + 16);
  out.append(json.substr(0, tr_close));
  out.append(empty ? "\"incident\":" : ",\"incident\":");
  out.append(quoted);
  out.append(json.substr(tr_close));
  return out;
}

}  // namespace tr::correlate
