#include "intel/reputation.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <set>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::intel {

using nlohmann::json;

// One service: its settings, rate limiter and client.
struct IntelServices::Service {
  std::string name;  // "virustotal", "abuseipdb", "rdap": also the cache source
  ServiceSettings settings;
  net::RateLimiter limiter;
  net::Client client;
  Service(std::string n, const ServiceSettings& s, std::function<void(const std::string&)> log)
      : name(std::move(n)),
        settings(s),
        limiter(std::max(1, s.rate), std::max<int64_t>(1, s.window_ms)),
        client(make_options(s, &limiter, std::move(log))) {}
  static net::ClientOptions make_options(const ServiceSettings& s, net::RateLimiter* limiter,
                                         std::function<void(const std::string&)> log) {
    net::ClientOptions o;
    o.limiter = limiter;
    o.retry.max_attempts = std::max(1, s.max_attempts);
    o.retry.base_backoff_ms = std::max<int64_t>(1, s.backoff_ms);
    o.log = std::move(log);
    return o;
  }
};

// One lookup: what it is about, where it goes, and where its answer is cached.
struct IntelServices::Query {
  std::string kind;  // "vt", "abuse", "rdap"
  std::string type, value;
  std::string cache_key;
  net::Request request;
};

namespace {

int64_t get_int(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  return 0;
}

std::string get_str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string vt_cache_value(const VtVerdict& v) {
  json j = {{"found", v.found},       {"malicious", v.malicious},   {"suspicious", v.suspicious},
            {"harmless", v.harmless}, {"undetected", v.undetected}};
  return j.dump();
}

std::optional<VtVerdict> vt_from_cache(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  VtVerdict v;
  v.found = j.value("found", false);
  v.malicious = static_cast<int>(get_int(j, "malicious"));
  v.suspicious = static_cast<int>(get_int(j, "suspicious"));
  v.harmless = static_cast<int>(get_int(j, "harmless"));
  v.undetected = static_cast<int>(get_int(j, "undetected"));
  return v;
}

std::string abuse_cache_value(const AbuseVerdict& a) {
  json j = {{"confidence", a.confidence}, {"reports", a.reports}, {"country", a.country},
            {"usage_type", a.usage_type}, {"isp", a.isp}};
  return j.dump();
}

std::optional<AbuseVerdict> abuse_from_cache(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  AbuseVerdict a;
  a.confidence = static_cast<int>(get_int(j, "confidence"));
  a.reports = static_cast<int>(get_int(j, "reports"));
  a.country = get_str(j, "country");
  a.usage_type = get_str(j, "usage_type");
  a.isp = get_str(j, "isp");
  return a;
}

std::string rdap_cache_value(const DomainAge& d, bool found) {
  json j = {{"found", found}, {"registrar", d.registrar}};
  if (d.registered) j["registered"] = *d.registered;
  return j.dump();
}

// Nullopt: not in the registry (a valid answer, nothing to report).
std::optional<DomainAge> rdap_from_cache(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  if (!j.is_object() || !j.value("found", false)) return std::nullopt;
  DomainAge d;
  d.registrar = get_str(j, "registrar");
  if (j.contains("registered") && j["registered"].is_number_integer())
    d.registered = j["registered"].get<int64_t>();
  return d;
}

std::string base64url(std::string_view in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += abc[(n >> 6) & 63];
    out += abc[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
  } else if (i + 2 == in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += abc[(n >> 6) & 63];
  }
  return out;
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// A one-line description of a service error body, safe for a terminal.
std::string error_detail(const net::Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  std::string msg;
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_object())
      msg = get_str(j["error"], "code");  // VirusTotal: {"error":{"code","message"}}
    else if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
             j["errors"][0].is_object())
      msg = get_str(j["errors"][0], "detail");  // AbuseIPDB
  }
  std::string out = "HTTP " + std::to_string(r.status);
  if (!msg.empty()) out += " (" + cli::term_safe(msg, 120) + ")";
  return out;
}

// A URL setting: a string, or {env: NAME} (test servers, per-site proxies).
std::string url_setting(const Config& c, const std::string& key, const std::string& fallback) {
  YAML::Node n = c.node(key);
  if (n.IsDefined() && n.IsMap() && n["env"]) {
    const char* v = std::getenv(n["env"].Scalar().c_str());
    if (!v || !*v) throw UsageError(c.where(n) + key + ": environment variable " +
                                    n["env"].Scalar() + " is not set");
    return v;
  }
  return c.get_string(key, fallback);
}

}  // namespace

ServiceSettings ServiceSettings::from_config(const Config& c, const std::string& name, bool flag,
                                             const ServiceSettings& d) {
  ServiceSettings s = d;
  std::string p = "enrich." + name + ".";
  s.enabled = flag || c.get_bool(p + "enabled", false);
  s.url = trim_slash(url_setting(c, p + "url", d.url));
  s.rate = static_cast<int>(c.get_int(p + "rate", d.rate));
  s.window_ms = c.get_duration(p + "window", d.window_ms);
  s.concurrency = static_cast<int>(c.get_int(p + "concurrency", d.concurrency));
  s.ttl_ms = c.get_duration(p + "ttl", d.ttl_ms);
  s.not_found_ttl_ms = c.get_duration(p + "not_found_ttl", d.not_found_ttl_ms);
  s.timeout_ms = c.get_duration(p + "timeout", c.get_duration("enrich.timeout", d.timeout_ms));
  s.max_attempts = static_cast<int>(c.get_int(p + "attempts", d.max_attempts));
  s.backoff_ms = c.get_duration(p + "backoff", d.backoff_ms);
  if (s.rate < 1 || s.window_ms < 1)
    throw UsageError(p + "rate and " + p + "window must be positive");
  if (s.enabled) s.key = c.secret(p + "api_key");
  return s;
}

IntelSettings IntelSettings::from_config(const Config& c, bool vt, bool abuse, bool rdap,
                                         bool cache_only) {
  IntelSettings s;
  ServiceSettings vtd;
  vtd.url = "https://www.virustotal.com/api/v3";
  s.vt = ServiceSettings::from_config(c, "virustotal", vt, vtd);
  ServiceSettings ad;
  ad.url = "https://api.abuseipdb.com/api/v2";
  ad.rate = 30;
  ad.not_found_ttl_ms = ad.ttl_ms;
  s.abuse = ServiceSettings::from_config(c, "abuseipdb", abuse, ad);
  ServiceSettings rd;
  rd.rate = 10;
  rd.ttl_ms = 7 * 86400000LL;
  rd.not_found_ttl_ms = 86400000LL;
  s.rdap = ServiceSettings::from_config(c, "rdap", rdap, rd);
  s.rdap_bootstrap = url_setting(c, "enrich.rdap.bootstrap", s.rdap_bootstrap);
  if (auto psl = c.get_path("enrich.rdap.public_suffix_list"); !psl.empty()) {
    s.public_suffix_list = psl;
    s.public_suffix_list_set = true;
  }
  s.recheck_for_ms = c.get_duration("enrich.virustotal.recheck_for", s.recheck_for_ms);
  s.abuse_max_age_days = static_cast<int>(c.get_int("enrich.abuseipdb.max_age_days", 90));
  s.cache_only = cache_only;
  if (!cache_only) {
    if (s.vt.enabled && (!s.vt.key || s.vt.key->empty()))
      throw UsageError("VirusTotal lookups need enrich.virustotal.api_key ({env: NAME} or "
                       "{file: PATH})");
    if (s.abuse.enabled && (!s.abuse.key || s.abuse.key->empty()))
      throw UsageError("AbuseIPDB lookups need enrich.abuseipdb.api_key ({env: NAME} or "
                       "{file: PATH})");
  }
  return s;
}

std::optional<VtVerdict> parse_vt(std::string_view body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_object()) return std::nullopt;
  const json& data = j["data"];
  if (!data.contains("attributes") || !data["attributes"].is_object()) return std::nullopt;
  const json& attr = data["attributes"];
  VtVerdict v;
  v.found = true;
  if (attr.contains("last_analysis_stats") && attr["last_analysis_stats"].is_object()) {
    const json& st = attr["last_analysis_stats"];
    v.malicious = static_cast<int>(get_int(st, "malicious"));
    v.suspicious = static_cast<int>(get_int(st, "suspicious"));
    v.harmless = static_cast<int>(get_int(st, "harmless"));
    v.undetected = static_cast<int>(get_int(st, "undetected"));
  }
  return v;
}

std::optional<AbuseVerdict> parse_abuseipdb(std::string_view body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_object()) return std::nullopt;
  const json& d = j["data"];
  AbuseVerdict a;
  a.ip = get_str(d, "ipAddress");
  a.confidence = static_cast<int>(get_int(d, "abuseConfidenceScore"));
  a.reports = static_cast<int>(get_int(d, "totalReports"));
  a.country = get_str(d, "countryCode");
  a.usage_type = get_str(d, "usageType");
  a.isp = get_str(d, "isp");
  return a;
}

std::optional<DomainAge> parse_rdap(std::string_view body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  DomainAge d;
  d.domain = lower(get_str(j, "ldhName"));
  if (j.contains("events") && j["events"].is_array()) {
    for (const auto& e : j["events"]) {
      if (!e.is_object() || lower(get_str(e, "eventAction")) != "registration") continue;
      if (auto t = time::parse_rfc3339(get_str(e, "eventDate"))) d.registered = *t;
    }
  }
  if (j.contains("entities") && j["entities"].is_array()) {
    for (const auto& ent : j["entities"]) {
      if (!ent.is_object() || !ent.contains("roles") || !ent["roles"].is_array()) continue;
      bool registrar = false;
      for (const auto& r : ent["roles"]) registrar |= r.is_string() && r.get<std::string>() == "registrar";
      if (!registrar) continue;
      // vcardArray: ["vcard", [["version",{},"text","4.0"], ["fn",{},"text","Name"], ...]]
      const json* vc = ent.contains("vcardArray") ? &ent["vcardArray"] : nullptr;
      if (vc && vc->is_array() && vc->size() >= 2 && (*vc)[1].is_array()) {
        for (const auto& prop : (*vc)[1]) {
          if (prop.is_array() && prop.size() >= 4 && prop[0] == "fn" && prop[3].is_string())
            d.registrar = prop[3].get<std::string>();
        }
      }
      if (d.registrar.empty()) d.registrar = get_str(ent, "handle");
    }
  }
  if (!d.registered && d.registrar.empty() && d.domain.empty()) return std::nullopt;
  return d;
}

std::vector<std::pair<std::string, std::string>> parse_rdap_bootstrap(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("services") || !j["services"].is_array()) return out;
  for (const auto& svc : j["services"]) {
    if (!svc.is_array() || svc.size() < 2 || !svc[0].is_array() || !svc[1].is_array()) continue;
    std::string base;
    for (const auto& u : svc[1]) {
      if (!u.is_string()) continue;
      std::string url = u.get<std::string>();
      if (url.rfind("https://", 0) == 0) {
        base = url;
        break;
      }
      if (base.empty() && url.rfind("http://", 0) == 0) base = url;
    }
    if (base.empty()) continue;
    if (base.back() != '/') base.push_back('/');
    for (const auto& tld : svc[0])
      if (tld.is_string()) out.emplace_back(lower(tld.get<std::string>()), base);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.first.size() > b.first.size();
  });
  return out;
}

std::string IntelServices::vt_url_id(std::string_view url) { return base64url(url); }

IntelServices::IntelServices(IntelSettings settings, store::Store* store,
                             std::function<void(const std::string&)> log,
                             std::function<void(const std::string&)> warn)
    : s_(std::move(settings)), store_(store), log_(std::move(log)), window_(std::make_unique<Batch>()) {
  if (s_.vt.enabled) vt_ = std::make_unique<Service>("virustotal", s_.vt, log_);
  if (s_.abuse.enabled) abuse_ = std::make_unique<Service>("abuseipdb", s_.abuse, log_);
  if (s_.rdap.enabled) {
    rdap_ = std::make_unique<Service>("rdap", s_.rdap, log_);
    try {
      psl_ = PublicSuffixList::load(s_.public_suffix_list);
    } catch (const UsageError& e) {
      if (s_.public_suffix_list_set) throw;
      // The default list is missing (no publicsuffix package): ask about the name one label
      // left of the registry's suffix, which is right for .com and wrong for .co.uk.
      if (warn) warn(std::string("public suffix list: ") + e.what() +
                     "; RDAP asks about the name one label left of the TLD");
    }
  }
}

IntelServices::~IntelServices() = default;

bool IntelServices::load_bootstrap() {
  if (bootstrap_) return true;
  if (bootstrap_failed_) return false;
  int64_t now = time::now();
  std::optional<std::string> body;
  if (store_) body = store_->cache_get("rdap-bootstrap", s_.rdap_bootstrap, now);
  if (!body && !s_.cache_only) {
    net::Request req;
    req.url = s_.rdap_bootstrap;
    req.timeout_ms = s_.rdap.timeout_ms;
    req.headers = {{"Accept", "application/json"}};
    try {
      net::Response r = rdap_->client.send(req);
      if (r.status == 200 && !parse_rdap_bootstrap(r.body).empty()) {
        body = r.body;
        if (store_) store_->cache_put("rdap-bootstrap", s_.rdap_bootstrap, r.body, now, 86400000);
      } else {
        bootstrap_error_ = "rdap: bootstrap " + net::redact_url(req.url) + ": " + error_detail(r);
      }
    } catch (const ExternalError& e) {
      bootstrap_error_ = std::string("rdap: bootstrap: ") + e.what();
    }
  }
  if (!body) {
    bootstrap_failed_ = true;
    return false;
  }
  bootstrap_ = parse_rdap_bootstrap(*body);
  return true;
}

std::string IntelServices::rdap_base(const std::string& domain, std::string* registrable) const {
  if (psl_) {
    // The registry holds the registrable name ("example.co.uk" for "a.b.example.co.uk"); the
    // bootstrap names the registry's server by the name's TLD (or a longer suffix).
    auto name = psl_->registrable(domain);
    if (!name) return "";  // a public suffix itself: nobody registered it
    for (const auto& [suffix, base] : *bootstrap_) {
      if (name->size() <= suffix.size() + 1 || !name->ends_with(suffix) ||
          (*name)[name->size() - suffix.size() - 1] != '.')
        continue;
      registrable->assign(*name);
      return base;
    }
    return "";
  }
  for (const auto& [suffix, base] : *bootstrap_) {
    if (domain.size() <= suffix.size() + 1) continue;
    if (domain.compare(domain.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    if (domain[domain.size() - suffix.size() - 1] != '.') continue;
    // The registrable name: one label left of the registry's suffix.
    std::string head = domain.substr(0, domain.size() - suffix.size() - 1);
    auto dot = head.rfind('.');
    *registrable = (dot == std::string::npos ? head : head.substr(dot + 1)) + "." + suffix;
    return base;
  }
  return "";
}

// The requests still to make for a list of observables, one per (service, cache key).
struct IntelServices::Batch {
  std::vector<Query> vt, abuse, rdap;
  std::set<std::string> keys;  // "source\x1fkey"
  void add(std::vector<Query>& into, const std::string& source, Query q) {
    if (keys.insert(source + '\x1f' + q.cache_key).second) into.push_back(std::move(q));
  }
};

std::optional<std::string> IntelServices::cached(const std::string& source, const std::string& key,
                                                 int64_t now) {
  std::string mk = source + '\x1f' + key;
  if (auto it = memo_.find(mk); it != memo_.end()) return it->second;
  if (!store_) return std::nullopt;
  auto v = store_->cache_get(source, key, now);
  if (v) memo_[mk] = *v;
  return v;
}

const std::string* IntelServices::failed(const std::string& source, const std::string& key) const {
  auto it = window_errors_.find(source + '\x1f' + key);
  return it == window_errors_.end() ? nullptr : &it->second;
}

void IntelServices::collect(const std::vector<Observable>& observables, RemoteFindings* out,
                            Batch& batch) {
  int64_t now = time::now();
  // Answered from memory or the cache: into `out` (when looking up); failed in this window:
  // the error into `out`; otherwise a request for `batch` (unless cache-only).
  auto answer = [&](const std::string& source, const std::string& key, auto&& use) -> bool {
    if (auto c = cached(source, key, now)) {
      if (out) use(*c);
      return true;
    }
    if (const std::string* e = failed(source, key)) {
      if (out) out->errors.push_back(*e);
      return true;
    }
    return s_.cache_only;
  };
  for (const auto& o : observables) {
    const std::string& t = o.type;
    if (vt_) {
      std::string path;
      if (t == "sha256" || t == "sha1" || t == "md5") path = "/files/" + o.value;
      if (t == "domain") path = "/domains/" + net::url_encode(o.value);
      if (t == "ip") path = "/ip_addresses/" + net::url_encode(o.value);
      if (t == "url") path = "/urls/" + vt_url_id(o.value);
      if (!path.empty()) {
        std::string key = t + ":" + o.value;
        bool done = answer("virustotal", key, [&](const std::string& c) {
          if (auto v = vt_from_cache(c)) {
            v->type = t;
            v->value = o.value;
            out->vt.push_back(*v);
          }
        });
        if (!done) {
          Query q{"vt", t, o.value, key, {}};
          q.request.url = s_.vt.url + path;
          q.request.headers = {{"x-apikey", s_.vt.key->reveal()}, {"Accept", "application/json"}};
          q.request.timeout_ms = s_.vt.timeout_ms;
          batch.add(batch.vt, "virustotal", std::move(q));
        }
      }
    }
    if (abuse_ && t == "ip") {
      bool done = answer("abuseipdb", o.value, [&](const std::string& c) {
        if (auto a = abuse_from_cache(c)) {
          a->ip = o.value;
          out->abuse.push_back(*a);
        }
      });
      if (!done) {
        Query q{"abuse", t, o.value, o.value, {}};
        q.request.url = s_.abuse.url + "/check?ipAddress=" + net::url_encode(o.value) +
                        "&maxAgeInDays=" + std::to_string(s_.abuse_max_age_days);
        q.request.headers = {{"Key", s_.abuse.key->reveal()}, {"Accept", "application/json"}};
        q.request.timeout_ms = s_.abuse.timeout_ms;
        batch.add(batch.abuse, "abuseipdb", std::move(q));
      }
    }
    if (rdap_ && t == "domain") {
      if (!load_bootstrap()) {
        // Reported once, on the first alert that needed it.
        if (out && !bootstrap_error_.empty()) out->errors.push_back(std::move(bootstrap_error_));
        bootstrap_error_.clear();
        continue;
      }
      std::string registrable;
      std::string base = rdap_base(o.value, &registrable);
      if (base.empty()) continue;  // no RDAP for this TLD: unknown, not an error
      if (out) {  // several names of one alert under one registered domain: one answer
        bool dup = false;
        for (const auto& d : out->rdap) dup |= d.domain == registrable;
        if (dup) continue;
      }
      bool done = answer("rdap", registrable, [&](const std::string& c) {
        if (auto d = rdap_from_cache(c)) {
          d->domain = registrable;
          out->rdap.push_back(*d);
        }
      });
      if (!done) {
        Query q{"rdap", "domain", registrable, registrable, {}};
        q.request.url = base + "domain/" + net::url_encode(registrable);
        q.request.headers = {{"Accept", "application/rdap+json"}};
        q.request.timeout_ms = s_.rdap.timeout_ms;
        batch.add(batch.rdap, "rdap", std::move(q));
      }
    }
  }
}

void IntelServices::run_batch(Batch& batch, RemoteFindings& out, bool remember_failures) {
  if (!batch.vt.empty()) run_queries(*vt_, batch.vt, out, remember_failures);
  if (!batch.abuse.empty()) run_queries(*abuse_, batch.abuse, out, remember_failures);
  if (!batch.rdap.empty()) run_queries(*rdap_, batch.rdap, out, remember_failures);
}

void IntelServices::lookup(const std::vector<Observable>& observables, RemoteFindings& out) {
  // The in-memory copy of the cache keeps a long stream from asking the store again for the
  // same values; bounded so that memory stays flat (the store still has every answer). With
  // batching it is trimmed when a window starts (plan()), never between resolve() and the
  // lookups that read it.
  if (!batching_ && memo_.size() > 100000) memo_.clear();
  for (auto& e : loose_errors_) out.errors.push_back(std::move(e));
  loose_errors_.clear();
  Batch now;
  collect(observables, &out, now);
  run_batch(now, out, false);
}

void IntelServices::plan(const std::vector<Observable>& observables) {
  if (!batching_ || window_resolved_) {
    if (memo_.size() > 100000) memo_.clear();
    window_errors_.clear();
    window_resolved_ = false;
  }
  batching_ = true;
  collect(observables, nullptr, *window_);
}

void IntelServices::resolve() {
  RemoteFindings ignored;  // the answers land in memo_, the failures in window_errors_
  run_batch(*window_, ignored, true);
  *window_ = Batch{};
  window_resolved_ = true;
}

void IntelServices::run_queries(Service& svc, std::vector<Query>& queries, RemoteFindings& out,
                                bool remember_failures) {
  std::vector<net::Request> reqs;
  for (const auto& q : queries) reqs.push_back(q.request);
  std::vector<net::Result> results;
  // A failure is the alert's error; in a batch, every alert of the window that needed the
  // answer gets it (lookup() finds it in window_errors_).
  auto fail = [&](const Query& q, std::string error) {
    if (remember_failures) window_errors_[svc.name + '\x1f' + q.cache_key] = error;
    out.errors.push_back(std::move(error));
  };
  try {
    results = svc.client.send_all(reqs, svc.settings.concurrency);
  } catch (const ExternalError& e) {
    for (const auto& q : queries) fail(q, svc.name + ": " + e.what());
    return;
  }
  int64_t now = time::now();
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const Query& q = queries[i];
    const net::Result& r = results[i];
    std::string what = svc.name + ": " + q.type + " " + cli::term_safe(q.value, 120) + ": ";
    if (!r.response) {
      // The client names the URL; ours names the service and the observable instead (the
      // URL's host is the service's, and a test server's port would vary from run to run).
      std::string err = r.error;
      std::string prefix = net::redact_url(q.request.url) + ": ";
      if (err.rfind(prefix, 0) == 0) err.erase(0, prefix.size());
      // curl: "Operation timed out after 1003 milliseconds with 0 bytes received".
      if (auto t = err.find("Operation timed out"); t != std::string::npos) {
        auto tail = err.find(" (gave up");
        err = err.substr(0, t) + "timed out after " +
              std::to_string(q.request.timeout_ms / 1000.0).substr(0, 4) + " s" +
              (tail == std::string::npos ? "" : err.substr(tail));
      }
      fail(q, what + cli::term_safe(err, 300));
      continue;
    }
    const net::Response& resp = *r.response;
    std::string value;
    int64_t ttl = svc.settings.ttl_ms;
    if (resp.status == 404) {
      ttl = svc.settings.not_found_ttl_ms;
      if (q.kind == "vt") {
        VtVerdict v;
        v.type = q.type;
        v.value = q.value;
        out.vt.push_back(v);  // never seen: "unknown"
        value = vt_cache_value(v);
      } else if (q.kind == "rdap") {
        value = rdap_cache_value(DomainAge{}, false);
      } else {
        fail(q, what + error_detail(resp));
        continue;
      }
    } else if (resp.status != 200) {
      fail(q, what + error_detail(resp));
      continue;
    } else if (q.kind == "vt") {
      auto v = parse_vt(resp.body);
      if (!v) {
        fail(q, what + "unexpected answer");
        continue;
      }
      v->type = q.type;
      v->value = q.value;
      out.vt.push_back(*v);
      value = vt_cache_value(*v);
    } else if (q.kind == "abuse") {
      auto a = parse_abuseipdb(resp.body);
      if (!a) {
        fail(q, what + "unexpected answer");
        continue;
      }
      a->ip = q.value;
      out.abuse.push_back(*a);
      value = abuse_cache_value(*a);
    } else {
      auto d = parse_rdap(resp.body);
      if (!d) {
        fail(q, what + "unexpected answer");
        continue;
      }
      d->domain = q.value;
      out.rdap.push_back(*d);
      value = rdap_cache_value(*d, true);
    }
    memo_[svc.name + '\x1f' + q.cache_key] = value;
    if (store_) {
      try {
        store_->cache_put(svc.name, q.cache_key, value, now, ttl);
        // Files VirusTotal does not know, or calls clean, are checked again later
        // (`tr-enrich recheck`): remember them, with the verdict and when first seen.
        bool file = q.type == "sha256" || q.type == "sha1" || q.type == "md5";
        if (file && q.kind == "vt") {
          std::string verdict = out.vt.back().verdict();
          if (verdict == "unknown" || verdict == "clean") {
            if (!store_->cache_get(kRecheckSource, q.cache_key, now)) {
              json r = {{"verdict", verdict}, {"first_seen", now}};
              store_->cache_put(kRecheckSource, q.cache_key, r.dump(), now, s_.recheck_for_ms);
            }
          }
        }
      } catch (const ExternalError& e) {
        // Not one alert's failure: in a batch, the next alert looked up carries it.
        (remember_failures ? loose_errors_ : out.errors).push_back(std::string("cache: ") + e.what());
      }
    }
  }
}

std::optional<VtVerdict> IntelServices::vt_file_fresh(const std::string& hash, std::string& error) {
  if (!vt_) {
    error = "VirusTotal is not configured";
    return std::nullopt;
  }
  std::vector<Query> q(1);
  q[0].kind = "vt";
  q[0].type = std::string(hash_type(hash));
  q[0].value = hash;
  q[0].cache_key = q[0].type + ":" + hash;
  q[0].request.url = s_.vt.url + "/files/" + hash;
  q[0].request.headers = {{"x-apikey", s_.vt.key->reveal()}, {"Accept", "application/json"}};
  q[0].request.timeout_ms = s_.vt.timeout_ms;
  RemoteFindings f;
  run_queries(*vt_, q, f);
  if (!f.errors.empty()) {
    error = f.errors[0];
    return std::nullopt;
  }
  if (f.vt.empty()) {
    error = "no answer";
    return std::nullopt;
  }
  return f.vt[0];
}

}  // namespace tr::intel
