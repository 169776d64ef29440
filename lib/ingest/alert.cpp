#include "ingest/alert.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"

namespace tr::ingest {

void Alert::clear() {
  id_product.clear();
  id_native.clear();
  timestamp = 0;
  has_timestamp = false;
  for (std::string* s :
       {&dataset, &action, &event_id, &outcome, &original, &observer_vendor, &observer_product,
        &observer_type, &observer_hostname, &rule_id, &rule_name, &rule_category, &rule_ruleset,
        &message, &transport, &protocol, &direction, &community_id, &flow_id, &url_full,
        &url_domain, &http_method, &user_agent, &referrer, &dns_question, &dns_type, &tls_sni,
        &file_name, &file_path, &file_type, &file_md5, &file_sha1, &file_sha256,
        &email_message_id, &email_subject, &email_sender, &user_name, &user_email, &user_domain,
        &host_name, &classification, &threat_name, &vendor_key})
    s->clear();
  severity = -1;
  url_is_threat = false;
  http_status = -1;
  file_size = -1;
  file_role = "attacker";
  categories.clear();
  source.clear();
  destination.clear();
  attacker = Attacker::Unknown;
  email_from.clear();
  email_to.clear();
  email_cc.clear();
  email_reply_to.clear();
  host_ips.clear();
  tags.clear();
  extra_observables.clear();
  vendor_fields.clear();
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) { return "\"" + cli::term_safe(s, 64) + "\""; }

int64_t parse_uint(std::string_view s) {
  s = trim_view(s);
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

int64_t parse_port(std::string_view s) {
  int64_t v = parse_uint(s);
  return v > 65535 ? -1 : v;
}

std::string_view classify_text(std::string_view text) {
  std::string t = to_lower(text);
  auto has = [&](std::initializer_list<std::string_view> words) {
    for (auto w : words)
      if (t.find(w) != std::string::npos) return true;
    return false;
  };
  if (has({"cnc", "c&c", "c2 ", " c2", "command and control", "callback", "beacon", "botnet"}))
    return "c2";
  if (has({"phish", "credential theft", "credential harvest"})) return "phish";
  if (has({"impostor", "business email compromise", "bec "})) return "impostor";
  if (has({"spam"})) return "spam";
  if (has({"trojan", "malware", "virus", "ransom", "spyware", "worm", "backdoor", "exploit kit",
           "infection", "eicar", "dropper", "coinminer", "adware"}))
    return "malware";
  if (has({"exploit", "attack", "privilege gain", "code execution", "injection", "overflow",
           "traversal", "shellcode", "rce", "cve-", "vulnerability", "denial of service", "brute",
           "sqli", "sql injection", "xss", "cross-site"}))
    return "exploit";
  if (has({"scan", "recon", "information leak", "probe", "sweep"})) return "scan";
  if (has({"policy", "privacy", "inappropriate", "not suspicious", "potentially bad"}))
    return "policy";
  return "other";
}

namespace {

// The record writer of the hot path. Same output as JsonOut (compact, RFC 8259 strings through
// append_json_string, so invalid UTF-8 becomes U+FFFD), writing into the JsonOut's buffer, but
// without JsonOut's per-call costs that showed in profiles: keys that need no escaping (our
// literals) are copied as they are, integers go through to_chars instead of snprintf, and the
// comma state is a fixed array instead of a vector<bool>.
class Out {
 public:
  // Writes into `s` from its start. The string is only ever grown (never shrunk, so it is not
  // zero-filled again for every record); finish() says how much of it is the record.
  explicit Out(std::string& s) : s_(s), pos_(0) {
    if (s_.size() < 4096) s_.resize(4096);
  }
  std::string_view finish() { return std::string_view(s_.data(), pos_); }
  Out& begin_object() { return open('{'); }
  Out& end_object() { return close('}'); }
  Out& begin_array() { return open('['); }
  Out& end_array() { return close(']'); }
  // A key we wrote ourselves (ASCII, nothing to escape).
  Out& key(std::string_view k) {
    sep();
    char* p = grow(k.size() + 3);
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p = ':';
    after_key_ = true;
    return *this;
  }
  // A key from the input (vendor fields): escaped like a value.
  Out& any_key(std::string_view k) {
    sep();
    string(k);
    *grow(1) = ':';
    after_key_ = true;
    return *this;
  }
  Out& value(std::string_view v) {
    sep();
    string(v);
    return *this;
  }
  Out& value(const std::string& v) { return value(std::string_view(v)); }
  Out& value(const char* v) { return value(std::string_view(v)); }
  Out& value(int64_t n) {
    sep();
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, n);
    std::size_t len = static_cast<std::size_t>(r.ptr - b);
    std::memcpy(grow(len), b, len);
    return *this;
  }
  template <class T>
  Out& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  // Plain printable ASCII without '"' and '\' is copied as it is; anything else goes through
  // append_json_string, so escaping and U+FFFD replacement are exactly JsonOut's.
  void string(std::string_view v) {
    std::size_t i = 0;
    for (; i < v.size(); ++i) {
      auto c = static_cast<unsigned char>(v[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    }
    if (i == v.size()) {
      char* p = grow(v.size() + 2);
      *p = '"';
      std::memcpy(p + 1, v.data(), v.size());
      p[v.size() + 1] = '"';
      return;
    }
    tmp_.clear();
    append_json_string(tmp_, v);
    std::memcpy(grow(tmp_.size()), tmp_.data(), tmp_.size());
  }
  Out& open(char c) {
    sep();
    *grow(1) = c;
    if (depth_ + 1 >= kMaxDepth) throw Error("alert nesting too deep");
    comma_[++depth_] = false;
    return *this;
  }
  Out& close(char c) {
    *grow(1) = c;
    --depth_;
    return *this;
  }
  void sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (comma_[depth_]) *grow(1) = ',';
    comma_[depth_] = true;
  }
  // Reserves n bytes at the write position and returns where they start.
  char* grow(std::size_t n) {
    if (pos_ + n > s_.size()) s_.resize(std::max(s_.size() * 2, pos_ + n));
    char* p = s_.data() + pos_;
    pos_ += n;
    return p;
  }
  static constexpr int kMaxDepth = 16;
  std::string& s_;
  std::size_t pos_;
  std::string tmp_;
  bool comma_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

// Canonical IP text into `out`; false when not an IP address.
bool ip_into(std::string_view s, std::string& out) {
  if (s.empty()) return false;
  if (is_canonical_ipv4(s)) {
    out.assign(s);
    return true;
  }
  auto c = canonical_ip(s);
  if (!c) return false;
  out = std::move(*c);
  return true;
}

bool private_ip(std::string_view canonical) {
  unsigned char a[4];
  if (is_canonical_ipv4(canonical, a))
    return a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
           a[0] == 127 || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64);
  return is_private_ip(canonical);
}

// The alert's observables: canonical, without duplicates, in first-seen order. Same result
// as ObservableSet, but the entries (and their strings) are reused from alert to alert.
class ObsList {
 public:
  struct Item {
    std::string_view type;
    std::string value;
    std::string role;
  };
  void clear() { n_ = 0; }
  bool add(std::string_view type, std::string_view value, std::string_view role) {
    if (value.empty()) return false;
    if (n_ == items_.size()) items_.emplace_back();
    Item& it = items_[n_];
    if (type == "ip") {
      if (!ip_into(value, it.value)) return false;
    } else {
      auto c = canonical(type, value);
      if (!c) return false;
      it.value = std::move(*c);
    }
    for (std::size_t i = 0; i < n_; ++i)
      if (items_[i].type == type && items_[i].value == it.value && items_[i].role == role)
        return true;
    it.type = type;
    it.role.assign(role);
    ++n_;
    return true;
  }
  const Item* begin() const { return items_.data(); }
  const Item* end() const { return items_.data() + n_; }

 private:
  std::vector<Item> items_;
  std::size_t n_ = 0;
};

// "Name" <addr@example> -> addr@example.
std::string_view bare_address(std::string_view s) {
  std::size_t lt = s.rfind('<'), gt = s.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt)
    return s.substr(lt + 1, gt - lt - 1);
  return trim_view(s);
}

// Role of each side of the connection, from the parser's hint or the private/public rule.
struct Roles {
  std::string_view source = "attacker", destination = "victim";
};

Roles decide_roles(const Alert& a) {
  Roles r;
  Attacker side = a.attacker;
  if (side == Attacker::Unknown && a.direction == "outbound") side = Attacker::Destination;
  if (side == Attacker::Unknown && a.direction == "inbound") side = Attacker::Source;
  if (side == Attacker::Unknown) {
    thread_local std::string s, d;
    bool has_s = ip_into(a.source.ip, s), has_d = ip_into(a.destination.ip, d);
    bool s_private = has_s && private_ip(s);
    if (s_private && has_d && !private_ip(d))
      side = Attacker::Destination;  // outbound callback
    else if (s_private && !has_d && (!a.url_full.empty() || !a.destination.domain.empty()))
      side = Attacker::Destination;  // a proxy log: an inside client fetching a URL
    else
      side = Attacker::Source;
  }
  if (side == Attacker::Destination) {
    r.source = "victim";
    r.destination = "attacker";
  }
  return r;
}

void string_array(Out& o, std::string_view key, const std::vector<std::string>& v) {
  o.key(key).begin_array();
  for (const auto& s : v) o.value(s);
  o.end_array();
}

void endpoint(Out& o, std::string_view key, const Endpoint& e) {
  if (e.ip.empty() && e.domain.empty() && e.port < 0 && e.mac.empty() && e.user.empty()) return;
  o.key(key).begin_object();
  if (!e.ip.empty()) o.field("ip", e.ip);
  if (e.port >= 0) o.field("port", e.port);
  if (!e.domain.empty()) o.field("domain", e.domain);
  if (!e.mac.empty()) o.field("mac", e.mac);
  if (!e.user.empty()) o.key("user").begin_object().field("name", e.user).end_object();
  o.end_object();
}

void address_list(Out& o, std::string_view key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  o.key(key).begin_object();
  string_array(o, "address", v);
  o.end_object();
}

}  // namespace

std::string_view write_alert(Alert& a, const WriteContext& wc, JsonOut& json) {
  Out o(json.str());
  const std::string& product = a.id_product.empty() ? a.observer_product : a.id_product;
  // A path without a host ("/api?x=...") is not a URL observable and has no domain.
  bool url_is_path = !a.url_full.empty() && a.url_full.front() == '/';
  if (a.url_domain.empty() && !a.url_full.empty() && !url_is_path) {
    if (auto h = url_host(a.url_full)) a.url_domain = *h;
  }
  if (a.classification.empty()) {
    // One text, so that the strongest word wins wherever it is ("Trojan" category, "CnC" name).
    // Rules repeat, so answers are cached (bounded: cleared when full).
    std::string& text = a.scratch;
    text = a.rule_name;
    text += " | ";
    text += a.rule_category;
    text += " | ";
    text += a.threat_name;
    thread_local std::unordered_map<std::string, std::string_view> cache;
    auto it = cache.find(text);
    if (it == cache.end()) {
      if (cache.size() >= 4096) cache.clear();
      it = cache.emplace(text, classify_text(text)).first;
    }
    a.classification = it->second;
  }

  o.begin_object();
  o.field("kind", "alert");
  std::string& scratch = a.scratch;
  scratch.clear();
  tr::append_id(scratch, "a", {product, a.id_native});
  o.field("id", scratch);
  scratch.clear();
  time::append_rfc3339(scratch, a.has_timestamp ? a.timestamp : wc.now);
  o.field("@timestamp", scratch);

  o.key("event").begin_object();
  if (!a.dataset.empty()) o.field("dataset", a.dataset);
  if (!a.event_id.empty()) o.field("id", a.event_id);
  if (a.severity >= 0) o.field("severity", static_cast<int64_t>(a.severity));
  if (!a.action.empty()) o.field("action", a.action);
  if (!a.outcome.empty()) o.field("outcome", a.outcome);
  if (!a.categories.empty()) string_array(o, "category", a.categories);
  o.field("ingested", wc.ingested);
  if (!a.original.empty()) o.field("original", a.original);
  o.end_object();

  if (!a.observer_vendor.empty() || !a.observer_product.empty()) {
    o.key("observer").begin_object();
    if (!a.observer_vendor.empty()) o.field("vendor", a.observer_vendor);
    if (!a.observer_product.empty()) o.field("product", a.observer_product);
    if (!a.observer_type.empty()) o.field("type", a.observer_type);
    if (!a.observer_hostname.empty()) o.field("hostname", a.observer_hostname);
    o.end_object();
  }
  if (!a.rule_id.empty() || !a.rule_name.empty() || !a.rule_category.empty()) {
    o.key("rule").begin_object();
    if (!a.rule_id.empty()) o.field("id", a.rule_id);
    if (!a.rule_name.empty()) o.field("name", a.rule_name);
    if (!a.rule_category.empty()) o.field("category", a.rule_category);
    if (!a.rule_ruleset.empty()) o.field("ruleset", a.rule_ruleset);
    o.end_object();
  }
  const std::string& msg = a.message.empty() ? a.rule_name : a.message;
  if (!msg.empty()) o.field("message", msg);
  endpoint(o, "source", a.source);
  endpoint(o, "destination", a.destination);
  if (!a.transport.empty() || !a.protocol.empty() || !a.direction.empty() ||
      !a.community_id.empty()) {
    o.key("network").begin_object();
    if (!a.transport.empty()) o.field("transport", a.transport);
    if (!a.protocol.empty()) o.field("protocol", a.protocol);
    if (!a.direction.empty()) o.field("direction", a.direction);
    if (!a.community_id.empty()) o.field("community_id", a.community_id);
    o.end_object();
  }
  if (!a.url_full.empty() || !a.url_domain.empty()) {
    o.key("url").begin_object();
    if (!a.url_full.empty()) o.field("full", a.url_full);
    if (!a.url_domain.empty()) o.field("domain", a.url_domain);
    o.end_object();
  }
  if (!a.http_method.empty() || a.http_status >= 0 || !a.referrer.empty()) {
    o.key("http").begin_object();
    if (!a.http_method.empty() || !a.referrer.empty()) {
      o.key("request").begin_object();
      if (!a.http_method.empty()) o.field("method", a.http_method);
      if (!a.referrer.empty()) o.field("referrer", a.referrer);
      o.end_object();
    }
    if (a.http_status >= 0)
      o.key("response").begin_object().field("status_code", a.http_status).end_object();
    o.end_object();
  }
  if (!a.user_agent.empty())
    o.key("user_agent").begin_object().field("original", a.user_agent).end_object();
  if (!a.dns_question.empty()) {
    o.key("dns").begin_object().key("question").begin_object().field("name", a.dns_question);
    if (!a.dns_type.empty()) o.field("type", a.dns_type);
    o.end_object().end_object();
  }
  if (!a.tls_sni.empty())
    o.key("tls").begin_object().key("client").begin_object().field("server_name", a.tls_sni)
        .end_object().end_object();
  if (!a.file_name.empty() || !a.file_path.empty() || !a.file_md5.empty() ||
      !a.file_sha1.empty() || !a.file_sha256.empty() || a.file_size >= 0) {
    o.key("file").begin_object();
    if (!a.file_name.empty()) o.field("name", a.file_name);
    if (!a.file_path.empty()) o.field("path", a.file_path);
    if (!a.file_type.empty()) o.field("type", a.file_type);
    if (a.file_size >= 0) o.field("size", a.file_size);
    if (!a.file_md5.empty() || !a.file_sha1.empty() || !a.file_sha256.empty()) {
      o.key("hash").begin_object();
      if (!a.file_md5.empty()) o.field("md5", a.file_md5);
      if (!a.file_sha1.empty()) o.field("sha1", a.file_sha1);
      if (!a.file_sha256.empty()) o.field("sha256", a.file_sha256);
      o.end_object();
    }
    o.end_object();
  }
  if (!a.email_message_id.empty() || !a.email_from.empty() || !a.email_to.empty() ||
      !a.email_subject.empty() || !a.email_sender.empty()) {
    o.key("email").begin_object();
    if (!a.email_message_id.empty()) o.field("message_id", a.email_message_id);
    address_list(o, "from", a.email_from);
    if (!a.email_sender.empty())
      o.key("sender").begin_object().field("address", a.email_sender).end_object();
    address_list(o, "to", a.email_to);
    address_list(o, "cc", a.email_cc);
    address_list(o, "reply_to", a.email_reply_to);
    if (!a.email_subject.empty()) o.field("subject", a.email_subject);
    o.end_object();
  }
  if (!a.user_name.empty() || !a.user_email.empty()) {
    o.key("user").begin_object();
    if (!a.user_name.empty()) o.field("name", a.user_name);
    if (!a.user_email.empty()) o.field("email", a.user_email);
    if (!a.user_domain.empty()) o.field("domain", a.user_domain);
    o.end_object();
  }
  if (!a.host_name.empty() || !a.host_ips.empty()) {
    o.key("host").begin_object();
    if (!a.host_name.empty()) o.field("name", a.host_name);
    if (!a.host_ips.empty()) string_array(o, "ip", a.host_ips);
    o.end_object();
  }
  o.key("threat").begin_object().field("classification", a.classification);
  if (!a.threat_name.empty())
    o.key("software").begin_object().field("name", a.threat_name).end_object();
  o.end_object();
  if (!a.tags.empty()) string_array(o, "tags", a.tags);

  // Observables, attacker side first; then related.* from them.
  Roles roles = decide_roles(a);
  thread_local ObsList obs;
  obs.clear();
  auto add_side = [&](const Endpoint& e, std::string_view role) {
    if (!e.ip.empty()) obs.add("ip", e.ip, role);
  };
  if (roles.source == "attacker") {
    add_side(a.source, roles.source);
    add_side(a.destination, roles.destination);
  } else {
    add_side(a.destination, roles.destination);
    add_side(a.source, roles.source);
  }
  auto add_host = [&](std::string_view name, std::string_view role) {
    if (name.empty()) return;
    if (is_canonical_ipv4(name) || canonical_ip(name)) {
      obs.add("ip", name, role);
    } else if (!obs.add("domain", name, role)) {
      obs.add("host", name, role);
    }
  };
  add_host(a.source.domain, roles.source);
  add_host(a.destination.domain, roles.destination);
  if (!a.dns_question.empty()) add_host(a.dns_question, "attacker");
  // The URL and SNI belong to the server: the side whose domain matches, else the destination.
  // With no destination at all (an e-mail threat, a click), the URL is what was detected.
  std::string_view server_role =
      (a.url_is_threat || (a.destination.ip.empty() && a.destination.domain.empty()))
          ? "attacker"
          : roles.destination;
  if (!a.source.domain.empty() && a.destination.domain.empty() &&
      (a.source.domain == a.url_domain || a.source.domain == a.tls_sni))
    server_role = roles.source;
  add_host(a.tls_sni, server_role);
  add_host(a.url_domain, server_role);
  if (!a.url_full.empty() && !url_is_path) obs.add("url", a.url_full, server_role);
  for (const std::string* h : {&a.file_sha256, &a.file_sha1, &a.file_md5})
    if (std::string_view t = hash_type(*h); !t.empty()) obs.add(t, *h, a.file_role);
  if (!a.file_name.empty()) obs.add("filename", a.file_name, "related");
  for (const auto& e : a.email_from) obs.add("email", bare_address(e), "attacker");
  if (!a.email_sender.empty()) obs.add("email", bare_address(a.email_sender), "attacker");
  for (const auto& e : a.email_to) obs.add("email", bare_address(e), "victim");
  if (!a.email_message_id.empty()) obs.add("message_id", a.email_message_id, "related");
  if (!a.source.user.empty()) obs.add("user", a.source.user, roles.source);
  if (!a.destination.user.empty()) obs.add("user", a.destination.user, roles.destination);
  if (!a.user_name.empty()) obs.add("user", a.user_name, "victim");
  if (!a.user_email.empty()) obs.add("email", a.user_email, "victim");
  if (!a.host_name.empty()) add_host(a.host_name, "victim");
  for (const auto& ip : a.host_ips) obs.add("ip", ip, "victim");
  for (const auto& x : a.extra_observables) {
    if (x.type == "domain" || x.type == "host")
      add_host(x.value, x.role);
    else
      obs.add(x.type, x.value, x.role);
  }

  std::vector<std::string_view> rel_ip, rel_hosts, rel_hash, rel_user;
  auto push_unique = [](std::vector<std::string_view>& v, std::string_view s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& x : obs) {
    if (x.type == "ip")
      push_unique(rel_ip, x.value);
    else if (x.type == "domain" || x.type == "host")
      push_unique(rel_hosts, x.value);
    else if (x.type == "md5" || x.type == "sha1" || x.type == "sha256")
      push_unique(rel_hash, x.value);
    else if (x.type == "user")
      push_unique(rel_user, x.value);
  }
  if (!rel_ip.empty() || !rel_hosts.empty() || !rel_hash.empty() || !rel_user.empty()) {
    o.key("related").begin_object();
    for (auto [key, list] : std::array<std::pair<std::string_view, std::vector<std::string_view>*>, 4>{
             {{"ip", &rel_ip}, {"hosts", &rel_hosts}, {"hash", &rel_hash}, {"user", &rel_user}}}) {
      if (list->empty()) continue;
      o.key(key).begin_array();
      for (auto v : *list) o.value(v);
      o.end_array();
    }
    o.end_object();
  }
  if (!a.vendor_key.empty() && !a.vendor_fields.empty()) {
    o.key(a.vendor_key).begin_object();
    for (const auto& [k, v] : a.vendor_fields) o.any_key(k).value(v);
    o.end_object();
  }
  o.key("tr").begin_object().key("observables").begin_array();
  for (const auto& x : obs) {
    o.begin_object().field("type", x.type).field("value", x.value);
    if (!x.role.empty()) o.field("role", x.role);
    o.end_object();
  }
  o.end_array().end_object();
  o.end_object();
  return o.finish();
}

}  // namespace tr::ingest
