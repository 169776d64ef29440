#include "correlate/alert.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <deque>

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

using Views = std::vector<std::string_view>;

void add_unique(Views& v, std::string_view s) {
  if (s.empty()) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void strings_of(sj::element e, Views& out) {
  sj::array arr;
  std::string_view s;
  if (e.get(arr) == simdjson::SUCCESS) {
    for (sj::element x : arr)
      if (x.get(s) == simdjson::SUCCESS) add_unique(out, s);
  } else if (e.get(s) == simdjson::SUCCESS) {
    add_unique(out, s);
  }
}

// The static spelling of a known type or role, so that most views need no copy.
std::string_view known(std::string_view s) {
  static constexpr std::string_view names[] = {
      "ip",   "cidr",     "domain", "url",      "email",    "sha256", "sha1",    "md5",
      "user", "host",     "filename", "path",   "registry", "mutex",  "process", "message_id",
      "attacker", "victim", "target", "related"};
  for (std::string_view n : names)
    if (n == s) return n;
  return {};
}

}  // namespace

// Scratch of one read: views into the parsed document, the canonical forms computed here
// (kept in a deque so that views into them stay put), and the lists being built.
struct AlertReader::Impl {
  sj::parser parser;
  sj::element root;
  std::deque<std::string> scratch;
  std::size_t scratch_used = 0;
  std::vector<ObservableRef> obs;
  Views users, hosts, departments, groups, vals;

  std::string_view keep(std::string&& s) {
    if (scratch_used == scratch.size()) scratch.emplace_back();
    std::string& slot = scratch[scratch_used++];
    slot = std::move(s);
    return slot;
  }
  // ObservableSet::add: canonical, silently dropped when invalid, without duplicates.
  bool add(std::string_view type, std::string_view value, std::string_view role) {
    auto v = canonical(type, value);
    if (!v) return false;
    std::string_view t = known(type);
    std::string_view c = *v == value ? value : keep(std::move(*v));
    for (const auto& o : obs)
      if (o.type == t && o.value == c && o.role == role) return true;
    obs.push_back({t, c, role});
    return true;
  }

  // ECS fields of an alert that carries no tr.observables (not from tr-ingest).
  void fallback_observables(sj::element root) {
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
      vals.clear();
      strings_of(cur, vals);
      for (auto v : vals) add(type, v, role);
    }
    sj::element from;
    if (at(root, {"email", "from", "address"}, from)) {
      vals.clear();
      strings_of(from, vals);
      for (auto v : vals) add("email", v, "attacker");
    }
    if (at(root, {"email", "to", "address"}, from)) {
      vals.clear();
      strings_of(from, vals);
      for (auto v : vals) add("email", v, "victim");
    }
  }
};

AlertReader::AlertReader() : impl_(std::make_unique<Impl>()) {}
AlertReader::~AlertReader() = default;

std::string_view AlertReader::parse(std::string_view line) {
  // The reasons of Record::parse, so that a bad line reads the same in every tool.
  auto err = impl_->parser.parse(line.data(), line.size()).get(impl_->root);
  if (err) {
    if (err == simdjson::UTF8_ERROR) throw RecordError("invalid UTF-8");
    throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (!impl_->root.is_object()) throw RecordError("not a JSON object");
  std::string_view kind;
  if (impl_->root["kind"].get(kind) != simdjson::SUCCESS) return {};
  return kind;
}

AlertInfo AlertReader::read(std::string_view json, bool keep_text) {
  parse(json);
  return read_parsed(json, keep_text);
}

AlertInfo AlertReader::read_parsed(std::string_view json, bool keep_text) {
  Impl& m = *impl_;
  sj::element root = m.root;
  m.scratch_used = 0;
  m.obs.clear();
  m.users.clear(), m.hosts.clear(), m.departments.clear(), m.groups.clear();
  AlertInfo a;
  std::string_view id = str(root, "id");
  if (id.empty()) throw RecordError("alert has no \"id\"");
  std::string_view ts = str(root, "@timestamp");
  if (ts.empty()) throw RecordError("alert has no \"@timestamp\"");
  auto t = time::parse_rfc3339(ts);
  if (!t) throw RecordError("@timestamp \"" + cli::term_safe(ts) + "\" is not an RFC 3339 time");
  a.ts = *t;

  sj::element e;
  if (at(root, {"event", "severity"}, e)) a.severity = std::max(a.severity, number_0_100(e));
  if (at(root, {"tr", "score"}, e)) a.severity = std::max(a.severity, number_0_100(e));
  a.priority = priority_rank(str_path(root, {"tr", "priority"}));
  std::string_view product = str_path(root, {"observer", "product"});
  std::string_view classification = str_path(root, {"threat", "classification"});
  std::string_view message = str(root, "message");
  if (message.empty()) message = str_path(root, {"rule", "name"});

  sj::array arr;
  if (at(root, {"tr", "observables"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element o : arr) {
      std::string_view type = str(o, "type"), value = str(o, "value"), role = str(o, "role");
      if (type.empty() || value.empty() || !is_observable_type(type)) continue;
      m.add(type, value, role);
    }
  } else {
    m.fallback_observables(root);
  }
  // Enrichment: who was hit, as the directory and the inventory name them.
  if (at(root, {"tr", "enrichment", "users"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element u : arr) {
      std::string_view name = str(u, "name");
      if (!name.empty() && m.add("user", name, "target")) add_unique(m.users, name);
      add_unique(m.departments, str(u, "department"));
      sj::element g;
      if (u["groups"].get(g) == simdjson::SUCCESS) strings_of(g, m.groups);
      bool vip = false;
      if (u["vip"].get(vip) == simdjson::SUCCESS && vip) a.vip = true;
    }
  }
  if (at(root, {"tr", "enrichment", "assets"}, e) && e.get(arr) == simdjson::SUCCESS) {
    for (sj::element h : arr) {
      std::string_view host = str(h, "host");
      if (!host.empty() && m.add("host", host, "target")) add_unique(m.hosts, host);
    }
  }
  for (const auto& o : m.obs) {
    bool victim = o.role == "victim" || o.role == "target";
    if (!victim) continue;
    if (o.type == "user") add_unique(m.users, o.value);
    // tr-ingest files a host name that is a valid DNS name as a victim "domain".
    if (o.type == "host" || o.type == "domain") add_unique(m.hosts, o.value);
  }
  // A mailbox names the target of a mail alert that names no user.
  if (m.users.empty())
    for (const auto& o : m.obs)
      if (o.type == "email" && (o.role == "victim" || o.role == "target"))
        add_unique(m.users, o.value);

  // One block holds the arrays, then the bytes every view points to.
  auto chars_of = [](std::string_view s) { return known(s).data() == s.data() ? 0 : s.size(); };
  std::size_t n_views = m.users.size() + m.hosts.size() + m.departments.size() + m.groups.size();
  std::size_t bytes = m.obs.size() * sizeof(ObservableRef) + n_views * sizeof(std::string_view);
  std::size_t chars = id.size() + product.size() + classification.size() + message.size() +
                      (keep_text ? json.size() : 0);
  for (const auto& o : m.obs) chars += o.value.size() + chars_of(o.role);
  for (const Views* v : {&m.users, &m.hosts, &m.departments, &m.groups})
    for (auto s : *v) chars += s.size();
  a.block = std::make_unique_for_overwrite<char[]>(bytes + chars);
  auto* obs = reinterpret_cast<ObservableRef*>(a.block.get());
  auto* views = reinterpret_cast<std::string_view*>(obs + m.obs.size());
  char* p = a.block.get() + bytes;
  auto copy = [&p](std::string_view s) {
    if (s.empty()) return std::string_view{};
    std::memcpy(p, s.data(), s.size());
    std::string_view out(p, s.size());
    p += s.size();
    return out;
  };
  a.id = copy(id);
  a.text = keep_text ? copy(json) : std::string_view{};
  a.product = copy(product);
  a.classification = copy(classification);
  a.message = copy(message);
  for (std::size_t i = 0; i < m.obs.size(); ++i) {
    const auto& o = m.obs[i];
    std::string_view role = known(o.role).data() == o.role.data() ? o.role : copy(o.role);
    new (obs + i) ObservableRef{o.type, copy(o.value), role};
  }
  a.observables = {obs, m.obs.size()};
  auto list = [&](const Views& v) {
    std::string_view* first = views;
    for (auto s : v) new (views++) std::string_view(copy(s));
    return std::span<const std::string_view>(first, v.size());
  };
  a.users = list(m.users);
  a.hosts = list(m.hosts);
  a.departments = list(m.departments);
  a.groups = list(m.groups);
  return a;
}

// ---- with_incident: a small scanner over validated JSON ----

namespace {

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// i at the opening quote; returns the index after the closing quote. Quotes are found with
// memchr (most bytes of a record are inside strings); one after an odd run of backslashes is
// escaped.
std::size_t skip_string(std::string_view s, std::size_t i) {
  const std::size_t start = i + 1;
  for (i = start; i < s.size();) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (!q) return s.size();
    std::size_t j = static_cast<std::size_t>(static_cast<const char*>(q) - s.data());
    std::size_t k = j;
    while (k > start && s[k - 1] == '\\') --k;
    if ((j - k) % 2 == 0) return j + 1;
    i = j + 1;
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

void append_with_incident(std::string& out, std::string_view json,
                          std::string_view incident_id) {
  std::size_t start = skip_ws(json, 0);
  if (start >= json.size() || json[start] != '{') {
    out += via_dom(json, incident_id);
    return;
  }
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
  if (tr_count == 0) {
    bool empty = skip_ws(json, start + 1) == close;
    out.append(json.substr(0, close));
    out.append(empty ? "\"tr\":{\"incident\":" : ",\"tr\":{\"incident\":");
    append_json_string(out, incident_id);
    out.append("}");
    out.append(json.substr(close));
    return;
  }
  if (tr_count > 1 || !tr_is_object) {
    out += via_dom(json, incident_id);
    return;
  }
  bool has_incident = false;
  std::size_t tr_close = each_member(json, tr_begin, [&](const Member& m) {
    if (m.key == "incident") has_incident = true;
  });
  if (has_incident) {
    out += via_dom(json, incident_id);
    return;
  }
  bool empty = skip_ws(json, tr_begin + 1) == tr_close;
  out.append(json.substr(0, tr_close));
  out.append(empty ? "\"incident\":" : ",\"incident\":");
  append_json_string(out, incident_id);
  out.append(json.substr(tr_close));
}

std::string with_incident(std::string_view json, std::string_view incident_id) {
  std::string out;
  out.reserve(json.size() + incident_id.size() + 24);
  append_with_incident(out, json, incident_id);
  return out;
}

}  // namespace tr::correlate
