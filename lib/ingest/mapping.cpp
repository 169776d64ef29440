#include "ingest/mapping.hpp"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/json_util.hpp"
#include "ingest/parsers.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"

namespace tr::ingest {
namespace {

// What a schema field holds, which decides how a mapped value is checked and stored.
enum Kind {
  kText,            // one string
  kList,            // every value appended (a JSON array gives several)
  kIp,              // one IP address
  kIpList,          // IP addresses
  kPort,            // 0-65535
  kCount,           // a non-negative integer
  kSeverity,        // 0-100
  kTime,            // @timestamp, read with `format:`
  kClassification,  // one of ours, else classified from its text
  kAttacker,        // "source" or "destination"
  kHash,            // file.hash: md5/sha1/sha256 by length
  kMd5,
  kSha1,
  kSha256,
};

struct Target {
  std::string_view name;
  Kind kind;
  std::string* (*text)(Alert&) = nullptr;
  std::vector<std::string>* (*list)(Alert&) = nullptr;
  int64_t* (*number)(Alert&) = nullptr;
};

#define TR_TEXT(n, k, m) Target{n, k, [](Alert& a) { return &a.m; }}
#define TR_LIST(n, k, m) Target{n, k, nullptr, [](Alert& a) { return &a.m; }}
#define TR_NUM(n, k, m) Target{n, k, nullptr, nullptr, [](Alert& a) { return &a.m; }}

// The schema fields a mapping may fill (design.md "alert"; tr-ingest(1) lists them).
const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      TR_TEXT("@timestamp", kTime, scratch),
      TR_TEXT("message", kText, message),
      TR_TEXT("event.id", kText, event_id),
      TR_TEXT("event.action", kText, action),
      TR_TEXT("event.outcome", kText, outcome),
      TR_TEXT("event.dataset", kText, dataset),
      TR_LIST("event.category", kList, categories),
      TR_TEXT("event.severity", kSeverity, scratch),
      TR_TEXT("observer.vendor", kText, observer_vendor),
      TR_TEXT("observer.product", kText, observer_product),
      TR_TEXT("observer.type", kText, observer_type),
      TR_TEXT("observer.hostname", kText, observer_hostname),
      TR_TEXT("rule.id", kText, rule_id),
      TR_TEXT("rule.name", kText, rule_name),
      TR_TEXT("rule.category", kText, rule_category),
      TR_TEXT("rule.ruleset", kText, rule_ruleset),
      TR_TEXT("source.ip", kIp, source.ip),
      TR_NUM("source.port", kPort, source.port),
      TR_TEXT("source.domain", kText, source.domain),
      TR_TEXT("source.mac", kText, source.mac),
      TR_TEXT("source.user.name", kText, source.user),
      TR_TEXT("destination.ip", kIp, destination.ip),
      TR_NUM("destination.port", kPort, destination.port),
      TR_TEXT("destination.domain", kText, destination.domain),
      TR_TEXT("destination.mac", kText, destination.mac),
      TR_TEXT("destination.user.name", kText, destination.user),
      TR_TEXT("network.transport", kText, transport),
      TR_TEXT("network.protocol", kText, protocol),
      TR_TEXT("network.direction", kText, direction),
      TR_TEXT("network.community_id", kText, community_id),
      TR_TEXT("url.full", kText, url_full),
      TR_TEXT("url.domain", kText, url_domain),
      TR_TEXT("http.request.method", kText, http_method),
      TR_TEXT("http.request.referrer", kText, referrer),
      TR_NUM("http.response.status_code", kCount, http_status),
      TR_TEXT("user_agent.original", kText, user_agent),
      TR_TEXT("dns.question.name", kText, dns_question),
      TR_TEXT("dns.question.type", kText, dns_type),
      TR_TEXT("tls.client.server_name", kText, tls_sni),
      TR_TEXT("file.name", kText, file_name),
      TR_TEXT("file.path", kText, file_path),
      TR_TEXT("file.type", kText, file_type),
      TR_NUM("file.size", kCount, file_size),
      TR_TEXT("file.hash", kHash, scratch),
      TR_TEXT("file.hash.md5", kMd5, file_md5),
      TR_TEXT("file.hash.sha1", kSha1, file_sha1),
      TR_TEXT("file.hash.sha256", kSha256, file_sha256),
      TR_TEXT("email.message_id", kText, email_message_id),
      TR_TEXT("email.subject", kText, email_subject),
      TR_TEXT("email.sender.address", kText, email_sender),
      TR_LIST("email.from.address", kList, email_from),
      TR_LIST("email.to.address", kList, email_to),
      TR_LIST("email.cc.address", kList, email_cc),
      TR_LIST("email.reply_to.address", kList, email_reply_to),
      TR_TEXT("user.name", kText, user_name),
      TR_TEXT("user.email", kText, user_email),
      TR_TEXT("user.domain", kText, user_domain),
      TR_TEXT("host.name", kText, host_name),
      TR_LIST("host.ip", kIpList, host_ips),
      TR_TEXT("threat.classification", kClassification, classification),
      TR_TEXT("threat.software.name", kText, threat_name),
      TR_LIST("tags", kList, tags),
      TR_TEXT("attacker", kAttacker, scratch),
  };
  return all;
}

#undef TR_TEXT
#undef TR_LIST
#undef TR_NUM

const Target* find_target(std::string_view name) {
  for (const auto& t : targets())
    if (t.name == name) return &t;
  return nullptr;
}

constexpr std::array<std::string_view, 9> kClassifications = {
    "malware", "phish", "spam", "c2", "exploit", "scan", "policy", "impostor", "other"};

bool is_classification(std::string_view s) {
  return std::find(kClassifications.begin(), kClassifications.end(), s) !=
         kClassifications.end();
}

constexpr std::array<std::string_view, 6> kTimeFormats = {"auto", "rfc3339", "epoch",
                                                          "syslog", "cef", "java"};

// ---- loading ---------------------------------------------------------------------------

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& reason) const {
    std::string where = file_;
    if (n.IsDefined() && n.Mark().line >= 0) where += ":" + std::to_string(n.Mark().line + 1);
    throw UsageError(where + ": " + reason);
  }
  [[noreturn]] void fail_at(const YAML::Mark& m, const std::string& reason) const {
    throw UsageError(file_ + ":" + std::to_string(m.line + 1) + ": " + reason);
  }

  // Every key of map `n` must be one of `allowed`.
  void keys(const YAML::Node& n, std::initializer_list<std::string_view> allowed,
            std::string_view what) const {
    if (!n.IsMap()) fail(n, std::string(what) + " must be a mapping of keys to values");
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = scalar(it->first, "a key");
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(it->first, "unknown key \"" + cli::term_safe(k, 64) + "\" in " + std::string(what) + " (expected " +
                            list + ")");
      }
    }
  }

  std::string scalar(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) fail(n, std::string(what) + " must be a single value");
    return n.Scalar();
  }

  std::vector<std::string> scalars(const YAML::Node& n, std::string_view what) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (const auto& x : n) out.push_back(scalar(x, what));
    } else {
      fail(n, std::string(what) + " must be a value or a list of values");
    }
    return out;
  }

  // A JSON field path ("a.b.0", "\." for a dot inside a key) or, with a regex, a group name.
  Mapping::Path path(const YAML::Node& n, const std::string& text) const {
    Mapping::Path p;
    p.text = text;
    if (regex_) {
      const auto& groups = regex_->NamedCapturingGroups();
      auto it = groups.find(text);
      if (it == groups.end()) {
        std::string names;
        for (const auto& [g, i] : groups) names += (names.empty() ? "" : ", ") + g;
        fail(n, "\"" + text + "\" is not a named group of the regex (groups: " +
                    (names.empty() ? "none" : names) + ")");
      }
      p.group = it->second;
      return p;
    }
    std::string seg;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '.') {
        seg += '.';
        ++i;
      } else if (i == text.size() || text[i] == '.') {
        if (seg.empty()) fail(n, "field path \"" + text + "\" has an empty part");
        p.segments.push_back(std::move(seg));
        seg.clear();
      } else {
        seg += text[i];
      }
    }
    return p;
  }

  std::vector<Mapping::Path> paths(const YAML::Node& n, std::string_view what) const {
    std::vector<Mapping::Path> out;
    for (const auto& t : scalars(n, what)) out.push_back(path(n, t));
    return out;
  }

  // A rule: "path", [paths], or {field: ..., value: ..., map: ..., default: ..., format: ...}.
  Mapping::Rule rule(const YAML::Node& n, std::string_view what, Kind kind) const {
    Mapping::Rule r;
    r.kind = kind;
    if (n.IsScalar() || n.IsSequence()) {
      r.paths = paths(n, what);
      return r;
    }
    keys(n, {"field", "value", "map", "default", "format"}, what);
    if (n["field"] && n["value"]) fail(n, std::string(what) + ": give field or value, not both");
    if (!n["field"] && !n["value"]) fail(n, std::string(what) + ": needs field or value");
    if (n["field"]) r.paths = paths(n["field"], what);
    if (n["value"]) {
      r.has_constant = true;
      r.constant = scalar(n["value"], "value");
      check_value(n["value"], r.constant, kind, what);
    }
    if (n["map"]) {
      const YAML::Node& m = n["map"];
      if (!m.IsMap()) fail(m, std::string(what) + ": map must be a mapping of values to values");
      for (auto it = m.begin(); it != m.end(); ++it) {
        std::string from = scalar(it->first, "a map key"), to = scalar(it->second, "a map value");
        check_value(it->second, to, kind, what);
        r.map.emplace_back(to_lower(from), to);
      }
    }
    if (n["default"]) {
      r.has_fallback = true;
      r.fallback = scalar(n["default"], "default");
      check_value(n["default"], r.fallback, kind, what);
    }
    if (n["format"]) {
      if (kind != kTime) fail(n["format"], "format is only for @timestamp");
      r.time_format = scalar(n["format"], "format");
      check_time_format(n["format"], r.time_format);
    }
    return r;
  }

  // Values written in the file (constants, map values, defaults) are checked now, so a
  // typo fails at load and not on the first event that needs it.
  void check_value(const YAML::Node& n, const std::string& v, Kind kind,
                   std::string_view what) const {
    if (v.empty()) return;  // empty = absent
    switch (kind) {
      case kSeverity: {
        int64_t s = parse_uint(v);
        if (s < 0 || s > 100) fail(n, std::string(what) + ": \"" + v + "\" is not a severity 0-100");
        break;
      }
      case kClassification:
        if (!is_classification(v))
          fail(n, std::string(what) + ": \"" + v +
                      "\" is not one of malware, phish, spam, c2, exploit, scan, policy, "
                      "impostor, other");
        break;
      case kAttacker:
        if (v != "source" && v != "destination")
          fail(n, std::string(what) + ": \"" + v + "\" is not source or destination");
        break;
      case kIp:
      case kIpList:
        if (!canonical_ip(v)) fail(n, std::string(what) + ": \"" + v + "\" is not an IP address");
        break;
      case kPort:
        if (parse_port(v) < 0) fail(n, std::string(what) + ": \"" + v + "\" is not a port");
        break;
      case kCount:
        if (parse_uint(v) < 0) fail(n, std::string(what) + ": \"" + v + "\" is not a number");
        break;
      default:
        break;
    }
  }

  void check_time_format(const YAML::Node& n, const std::string& f) const {
    if (std::find(kTimeFormats.begin(), kTimeFormats.end(), f) != kTimeFormats.end()) return;
    // Otherwise a Java SimpleDateFormat pattern: letters we read, quoted text, punctuation.
    bool quoted_text = false;
    for (char c : f) {
      if (c == '\'') quoted_text = !quoted_text;
      if (quoted_text || c == '\'') continue;
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (letter && std::string_view("yMdHhkKmsSaEzZX").find(c) == std::string_view::npos)
        fail(n, "format \"" + f + "\": pattern letter '" + std::string(1, c) +
                    "' is not supported (auto, rfc3339, epoch, syslog, cef, or a pattern of "
                    "y M d H h m s S a E z Z X)");
    }
    if (quoted_text) fail(n, "format \"" + f + "\" has an unclosed quote");
  }

  std::vector<Mapping::Condition> conditions(const YAML::Node& n, std::string_view what) const {
    if (!n.IsMap()) fail(n, std::string(what) + " must be a mapping of field paths to values");
    std::vector<Mapping::Condition> out;
    for (auto it = n.begin(); it != n.end(); ++it) {
      Mapping::Condition c;
      c.path = path(it->first, scalar(it->first, "a field path"));
      // A copy: it-> is a proxy that dies at the end of the statement (a reference dangled).
      YAML::Node v = it->second;
      if (v.IsMap()) {
        keys(v, {"exists"}, std::string(what) + " condition");
        std::string e = scalar(v["exists"], "exists");
        if (e != "true" && e != "false") fail(v["exists"], "exists must be true or false");
        c.test = e == "true" ? Mapping::Condition::Present : Mapping::Condition::Absent;
      } else {
        c.values = scalars(v, std::string(what) + " value");
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  std::string file_;
  const re2::RE2* regex_ = nullptr;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read mapping file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return n[0] != '-' && n[0] != '.';
}

// ---- reading values --------------------------------------------------------------------

// Appends a JSON value as text: scalars as they are, each scalar of an array.
void json_values(simdjson::dom::element e, const std::string& path,
                 std::vector<std::string>& out, bool nested = false) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return;
    case simdjson::dom::element_type::OBJECT:
      throw RecordError(path + " is an object, not a value (name a field inside it)");
    case simdjson::dom::element_type::ARRAY: {
      if (nested) throw RecordError(path + " holds a list of lists");
      simdjson::dom::array arr = json::array_of(e);
      for (simdjson::dom::element x : arr) json_values(x, path, out, true);
      return;
    }
    default:
      out.push_back(json::scalar(e, path));
  }
}

}  // namespace

class Mapping::View {
 public:
  virtual ~View() = default;
  // Appends the value(s) at `p` to `out`: one for a scalar, one per element of a list,
  // none when absent or null.
  virtual void get(const Path& p, std::vector<std::string>& out) const = 0;
};

namespace {

class JsonView : public Mapping::View {
 public:
  explicit JsonView(simdjson::dom::element e) : root_(e) {}
  void get(const Mapping::Path& p, std::vector<std::string>& out) const override {
    simdjson::dom::element cur = root_;
    for (const auto& seg : p.segments) {
      simdjson::dom::element next;
      if (cur.is_object()) {
        if (json::object_of(cur).at_key(seg).get(next) != simdjson::SUCCESS) return;
      } else if (cur.is_array()) {
        int64_t i = parse_uint(seg);
        if (i < 0 || seg.empty() || json::array_of(cur).at(static_cast<std::size_t>(i)).get(next) !=
                                        simdjson::SUCCESS)
          return;
      } else {
        return;
      }
      cur = next;
    }
    json_values(cur, p.text, out);
  }

 private:
  simdjson::dom::element root_;
};

class RegexView : public Mapping::View {
 public:
  explicit RegexView(const std::vector<re2::StringPiece>& groups) : groups_(groups) {}
  void get(const Mapping::Path& p, std::vector<std::string>& out) const override {
    if (p.group < 0 || static_cast<std::size_t>(p.group) >= groups_.size()) return;
    const re2::StringPiece& g = groups_[static_cast<std::size_t>(p.group)];
    if (g.data() != nullptr && !g.empty()) out.emplace_back(g.data(), g.size());
  }

 private:
  const std::vector<re2::StringPiece>& groups_;
};

// "source.ip \"x\" (from src.addr)" for messages.
std::string described(std::string_view target, std::string_view value, const Mapping::Rule& r,
                      const std::string& from) {
  std::string s = std::string(target) + " " + ingest::quoted(value);
  if (!from.empty()) s += " (from " + from + ")";
  else if (r.has_constant) s += " (constant)";
  return s;
}

std::optional<time::Millis> read_time(std::string_view v, const std::string& format) {
  if (format.empty() || format == "auto") return time::parse_any(v);
  if (format == "rfc3339") return time::parse_rfc3339(v);
  if (format == "epoch") return time::parse_epoch(v);
  if (format == "syslog") return time::parse_syslog(v);
  if (format == "cef") return time::parse_cef_time(v);
  return parse_java_time(v, format);
}

}  // namespace

Mapping::Mapping() = default;
Mapping::~Mapping() = default;

std::shared_ptr<const Mapping> Mapping::load_file(const std::string& path) {
  return load_string(read_file(path), path);
}

std::shared_ptr<const Mapping> Mapping::load_string(const std::string& yaml,
                                                    const std::string& file) {
  std::shared_ptr<Mapping> m(new Mapping());
  m->file_ = file;
  Loader L(file);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    L.fail_at(e.mark, e.msg);
  }
  if (!root.IsMap()) throw UsageError(file + ": a mapping file is a YAML mapping (name:, fields: ...)");
  try {
    L.keys(root,
           {"name", "description", "regex", "match", "skip", "records", "id", "null_values",
            "fields", "observables", "labels"},
           "the mapping");
    if (!root["name"]) L.fail(root, "the mapping needs a name (the --format name)");
    m->name_ = L.scalar(root["name"], "name");
    if (!valid_name(m->name_))
      L.fail(root["name"], "name \"" + cli::term_safe(m->name_, 64) +
                               "\" must be lower-case letters, digits, '-', '_' or '.'");
    if (m->name_ == "auto" || format_by_name(m->name_))
      L.fail(root["name"], "name \"" + m->name_ + "\" is a built-in format");
    if (root["description"]) m->description_ = L.scalar(root["description"], "description");

    if (root["regex"]) {
      std::string pattern = L.scalar(root["regex"], "regex");
      RE2::Options o;
      o.set_log_errors(false);
      o.set_max_mem(8 << 20);
      m->regex_ = std::make_unique<re2::RE2>(pattern, o);
      if (!m->regex_->ok()) L.fail(root["regex"], "regex does not compile: " + m->regex_->error());
      if (m->regex_->NamedCapturingGroups().empty())
        L.fail(root["regex"], "regex has no named groups ((?P<name>...))");
      L.regex_ = m->regex_.get();
    }
    if (root["records"]) {
      if (m->regex_) L.fail(root["records"], "records is for JSON documents, not a regex");
      m->records_ = L.path(root["records"], L.scalar(root["records"], "records")).segments;
    }
    if (root["match"]) m->match_ = L.conditions(root["match"], "match");
    if (root["skip"]) m->skip_ = L.conditions(root["skip"], "skip");
    if (root["id"]) m->id_ = L.paths(root["id"], "id");
    if (root["null_values"]) m->null_values_ = L.scalars(root["null_values"], "null_values");

    if (!root["fields"]) L.fail(root, "the mapping needs fields:");
    const YAML::Node& fields = root["fields"];
    if (!fields.IsMap()) L.fail(fields, "fields must be a mapping of schema fields to sources");
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      std::string name = L.scalar(it->first, "a schema field");
      const Target* t = find_target(name);
      if (!t) {
        L.fail(it->first, "\"" + cli::term_safe(name, 64) +
                              "\" is not a schema field a mapping can fill (see tr-ingest(1), "
                              "MAPPING FILES)");
      }
      for (const auto& r : m->fields_)
        if (r.target == name) L.fail(it->first, "field \"" + name + "\" is mapped twice");
      Rule r = L.rule(it->second, name, t->kind);
      r.target = name;
      m->fields_.push_back(std::move(r));
    }

    if (root["observables"]) {
      const YAML::Node& obs = root["observables"];
      if (!obs.IsSequence()) L.fail(obs, "observables must be a list of {type, field, role}");
      for (const auto& o : obs) {
        L.keys(o, {"type", "field", "role", "map", "default", "value"}, "an observable");
        if (!o["type"]) L.fail(o, "an observable needs a type");
        std::string type = L.scalar(o["type"], "type");
        if (!is_observable_type(type))
          L.fail(o["type"], "\"" + type + "\" is not an observable type (ip, cidr, domain, url, "
                                          "email, sha256, sha1, md5, user, host, filename, path, "
                                          "registry, mutex, process, message_id)");
        std::string role = o["role"] ? L.scalar(o["role"], "role") : "related";
        if (!is_observable_role(role))
          L.fail(o["role"], "\"" + role + "\" is not a role (attacker, victim, target, related)");
        YAML::Node spec(YAML::NodeType::Map);
        for (const char* k : {"field", "value", "map", "default"})
          if (o[k]) spec[k] = o[k];
        if (!o["field"] && !o["value"]) L.fail(o, "an observable needs a field (or a value)");
        Rule r = L.rule(spec, "observable " + type, kText);
        r.target = type;
        r.role = role;
        m->observables_.push_back(std::move(r));
      }
    }
    if (root["labels"]) {
      const YAML::Node& labels = root["labels"];
      if (!labels.IsMap()) L.fail(labels, "labels must be a mapping of label names to sources");
      for (auto it = labels.begin(); it != labels.end(); ++it) {
        std::string key = L.scalar(it->first, "a label name");
        Rule r = L.rule(it->second, "label " + key, kText);
        r.target = key;
        m->labels_.emplace_back(key, std::move(r));
      }
    }
  } catch (const YAML::Exception& e) {
    L.fail_at(e.mark, e.msg);
  }
  return m;
}

bool Mapping::holds(const View& v, const std::vector<Condition>& conds) const {
  thread_local std::vector<std::string> got;
  for (const auto& c : conds) {
    got.clear();
    v.get(c.path, got);
    std::erase_if(got, [&](const std::string& s) {
      return std::find(null_values_.begin(), null_values_.end(), s) != null_values_.end();
    });
    bool ok = false;
    if (c.test == Condition::Present) {
      ok = !got.empty();
    } else if (c.test == Condition::Absent) {
      ok = got.empty();
    } else {
      for (const auto& g : got)
        for (const auto& want : c.values)
          if (iequals(g, want)) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

bool Mapping::matches(simdjson::dom::element doc) const {
  if (match_.empty() || is_regex()) return false;
  try {
    return holds(JsonView(doc), match_);
  } catch (const RecordError&) {
    return false;  // a condition names an object: not this product's shape
  }
}

void Mapping::fill(const View& v, std::string_view raw, Alert& a) const {
  a.dataset = name_;
  a.id_product = name_;
  std::vector<std::string> values;
  std::string from;
  // The value(s) of a rule: the first path that has any, or the constant; then map/default.
  auto fetch = [&](const Rule& r) {
    values.clear();
    from.clear();
    for (const auto& p : r.paths) {
      try {
        v.get(p, values);
      } catch (const RecordError& e) {
        throw RecordError(r.target + ": " + e.what());
      }
      std::erase_if(values, [&](const std::string& s) {
        return std::find(null_values_.begin(), null_values_.end(), s) != null_values_.end();
      });
      if (!values.empty()) {
        from = p.text;
        break;
      }
    }
    if (values.empty() && r.has_constant) values.push_back(r.constant);
    if (!r.map.empty() || r.has_fallback) {
      for (auto& x : values) {
        std::string key = to_lower(x);
        auto it = std::find_if(r.map.begin(), r.map.end(),
                               [&](const auto& kv) { return kv.first == key; });
        if (it != r.map.end()) x = it->second;
        else if (r.has_fallback) x = r.fallback;
      }
      if (values.empty() && r.has_fallback) values.push_back(r.fallback);
    }
    std::erase_if(values, [](const std::string& s) { return s.empty(); });
  };

  for (const Rule& r : fields_) {
    fetch(r);
    if (values.empty()) continue;
    const Target& t = *find_target(r.target);
    Kind kind = static_cast<Kind>(r.kind);
    bool list = kind == kList || kind == kIpList;
    if (!list && values.size() > 1)
      throw RecordError(r.target + " (from " + from + ") is a list of " +
                        std::to_string(values.size()) + " values, not one (name one: \"" + from +
                        ".0\")");
    const std::string& x = values.front();
    switch (kind) {
      case kText:
        t.text(a)->assign(x);
        break;
      case kList:
        for (auto& y : values) t.list(a)->push_back(std::move(y));
        break;
      case kIp:
        if (!is_canonical_ipv4(x) && !canonical_ip(x))
          throw RecordError(described(r.target, x, r, from) + " is not an IP address");
        t.text(a)->assign(x);
        break;
      case kIpList:
        for (auto& y : values) {
          if (!is_canonical_ipv4(y) && !canonical_ip(y))
            throw RecordError(described(r.target, y, r, from) + " is not an IP address");
          t.list(a)->push_back(std::move(y));
        }
        break;
      case kPort:
        *t.number(a) = parse_port(x);
        if (*t.number(a) < 0) throw RecordError(described(r.target, x, r, from) + " is not a port");
        break;
      case kCount:
        *t.number(a) = parse_uint(x);
        if (*t.number(a) < 0)
          throw RecordError(described(r.target, x, r, from) + " is not a number");
        break;
      case kSeverity: {
        int64_t s = parse_uint(x);
        if (s < 0 || s > 100)
          throw RecordError(described(r.target, x, r, from) +
                            " is not a severity 0-100 (give it in the field's map:)");
        a.severity = static_cast<int>(s);
        break;
      }
      case kTime: {
        auto ms = read_time(x, r.time_format);
        if (!ms)
          throw RecordError(described(r.target, x, r, from) + " is not a time" +
                            (r.time_format.empty() ? "" : " in format " + ingest::quoted(r.time_format)));
        a.timestamp = *ms;
        a.has_timestamp = true;
        break;
      }
      case kClassification: {
        std::string lower = to_lower(x);
        a.classification = is_classification(lower) ? lower : std::string(classify_text(x));
        break;
      }
      case kAttacker:
        if (x == "source") a.attacker = Attacker::Source;
        else if (x == "destination") a.attacker = Attacker::Destination;
        else throw RecordError(described(r.target, x, r, from) + " is not source or destination");
        break;
      case kHash:
      case kMd5:
      case kSha1:
      case kSha256: {
        std::string_view type = hash_type(x);
        auto hex = canonical_hash(x);
        std::string_view want = kind == kMd5 ? "md5" : kind == kSha1 ? "sha1" : "sha256";
        if (!hex || type.empty() || (kind != kHash && type != want))
          throw RecordError(described(r.target, x, r, from) + " is not " +
                            (kind == kHash ? std::string("an MD5, SHA-1 or SHA-256")
                                           : "a " + std::string(want)) +
                            " digest");
        (type == "md5" ? a.file_md5 : type == "sha1" ? a.file_sha1 : a.file_sha256).assign(x);
        break;
      }
    }
  }
  for (const Rule& r : observables_) {
    fetch(r);
    for (const auto& x : values) {
      if (!canonical(r.target, x))
        throw RecordError("observable " + described(r.target, x, r, from) + " is not a valid " +
                          r.target);
      a.add_observable(r.target, x, r.role);
    }
  }
  for (const auto& [key, r] : labels_) {
    fetch(r);
    if (values.empty()) continue;
    std::string joined;
    for (const auto& x : values) joined += (joined.empty() ? "" : ",") + x;
    a.vendor_fields.emplace_back(key, std::move(joined));
  }
  if (!a.vendor_fields.empty()) a.vendor_key = "labels";
  for (const Path& p : id_) {
    values.clear();
    v.get(p, values);
    for (const auto& x : values) {
      a.id_native += x;
      a.id_native += '\x1f';
    }
    a.id_native += '\x1e';
  }
  if (a.id_native.find_first_not_of("\x1e") == std::string::npos) a.id_native.assign(trim_view(raw));
}

std::size_t Mapping::map_json(simdjson::dom::element doc, std::string_view raw, Alert& a,
                              const std::function<void(Alert&)>& emit) const {
  if (is_regex()) throw RecordError("mapping " + name_ + " reads lines with its regex, not JSON");
  std::size_t skipped = 0;
  auto one = [&](simdjson::dom::element event, std::string_view event_raw) {
    if (!event.is_object()) throw RecordError("an event of mapping " + name_ + " is not a JSON object");
    JsonView v(event);
    if (!skip_.empty() && holds(v, skip_)) {
      ++skipped;
      return;
    }
    a.clear();
    fill(v, event_raw, a);
    emit(a);
  };
  if (records_.empty()) {
    one(doc, raw);
    return skipped;
  }
  simdjson::dom::element cur = doc;
  std::string where;
  for (const auto& seg : records_) {
    where += (where.empty() ? "" : ".") + seg;
    simdjson::dom::element next;
    if (!cur.is_object() || json::object_of(cur).at_key(seg).get(next) != simdjson::SUCCESS)
      throw RecordError("document has no " + where + " (the records: of mapping " + name_ + ")");
    cur = next;
  }
  if (!cur.is_array()) throw RecordError(where + " is not a list (the records: of mapping " + name_ + ")");
  simdjson::dom::array arr = json::array_of(cur);
  for (simdjson::dom::element e : arr) one(e, simdjson::minify(e));
  return skipped;
}

bool Mapping::map_line(std::string_view line, Alert& a, bool& alert) const {
  if (!regex_) return false;
  thread_local std::vector<re2::StringPiece> groups;
  groups.assign(static_cast<std::size_t>(regex_->NumberOfCapturingGroups()) + 1, {});
  if (!regex_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED,
                     groups.data(), static_cast<int>(groups.size())))
    return false;
  RegexView v(groups);
  if (!match_.empty() && !holds(v, match_)) return false;
  alert = skip_.empty() || !holds(v, skip_);
  if (alert) fill(v, line, a);
  return true;
}

std::vector<std::shared_ptr<const Mapping>> load_mappings(const std::vector<std::string>& files) {
  std::vector<std::shared_ptr<const Mapping>> out;
  for (const auto& f : files) {
    auto m = Mapping::load_file(f);
    for (const auto& other : out)
      if (other->name() == m->name())
        throw UsageError(f + ": mapping name \"" + m->name() + "\" is also the name of " +
                         other->file());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace tr::ingest
