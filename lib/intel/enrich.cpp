#include "intel/enrich.hpp"

#include <simdjson.h>
#include <sys/stat.h>

#include <cmath>

#include "core/error.hpp"
#include "intel/feeds.hpp"
#include "intel/json_patch.hpp"
#include "record/json_out.hpp"
#include "time/time.hpp"

namespace tr::intel {
namespace {

using simdjson::dom::element;

struct Field {
  const char* field;  // where it came from, for matched_by
  std::string_view value;
};

// The fields of one alert that enrichment reads. Views point into the parser's document.
struct View {
  std::optional<int64_t> severity;
  std::string_view classification;
  std::vector<Field> user_names, emails, hosts, ips;
  std::string_view source_ip, destination_ip;
  std::vector<Observable> observables;  // canonical, one per (type, value)
};

using Result = simdjson::simdjson_result<element>;

// simdjson results carry their error along a chain of lookups, so a missing member anywhere
// on a path simply yields nothing.
std::string_view str(Result e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? s : std::string_view();
}
std::string_view str(element e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? s : std::string_view();
}

template <class Fn>
void each_string(Result r, Fn&& fn) {
  if (r.error()) return;
  element e = r.value_unsafe();
  if (e.is_string()) {
    if (auto s = str(e); !s.empty()) fn(s);
    return;
  }
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return;
  for (element item : arr)
    if (auto s = str(item); !s.empty()) fn(s);
}

Result member(Result e, const char* key) { return e[key]; }
Result member(element e, const char* key) { return e[key]; }

bool valid(Result e) { return !e.error(); }

// Canonical IPv4 without inet_ntop (which formats through sprintf): four decimal octets
// without leading zeros are already canonical.
bool plain_ipv4(std::string_view s) {
  int octets = 0, digits = 0, value = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (digits == 0 || value > 255) return false;
      ++octets;
      digits = value = 0;
      continue;
    }
    char c = s[i];
    if (c < '0' || c > '9') return false;
    if (digits == 1 && value == 0) return false;  // leading zero
    value = value * 10 + (c - '0');
    if (++digits > 3) return false;
  }
  return octets == 4;
}

void add_observable(View& v, std::string_view type, std::string_view value, std::string_view role) {
  for (const auto& o : v.observables)
    if (o.type == type && o.value == value) return;  // already there, already canonical
  if (type == "ip" && plain_ipv4(value)) {
    v.observables.push_back({std::string(type), std::string(value), std::string(role)});
    return;
  }
  auto c = canonical(type, value);
  if (!c) return;
  for (const auto& o : v.observables)
    if (o.type == type && o.value == *c) return;
  v.observables.push_back({std::string(type), std::move(*c), std::string(role)});
}

// Fills `v` (cleared first; a reused View keeps its vectors' capacity across alerts).
void read_view(element root, View& v) {
  v.severity.reset();
  v.classification = {};
  v.user_names.clear();
  v.emails.clear();
  v.hosts.clear();
  v.ips.clear();
  v.source_ip = v.destination_ip = {};
  v.observables.clear();
  // One pass over the top level (a DOM key lookup is a linear scan of the members).
  Result none(simdjson::NO_SUCH_FIELD);
  Result event = none, threat = none, user = none, email = none, host = none, source = none,
         destination = none, related = none, tr = none, url = none, file = none, dns = none;
  simdjson::dom::object top;
  if (root.get(top) == simdjson::SUCCESS) {
    for (auto field : top) {
      std::string_view k = field.key;
      Result* slot = nullptr;
      switch (k.size()) {
        case 2: slot = k == "tr" ? &tr : nullptr; break;
        case 3: slot = k == "url" ? &url : k == "dns" ? &dns : nullptr; break;
        case 4: slot = k == "user" ? &user : k == "host" ? &host : k == "file" ? &file : nullptr; break;
        case 5: slot = k == "event" ? &event : k == "email" ? &email : nullptr; break;
        case 6: slot = k == "threat" ? &threat : k == "source" ? &source : nullptr; break;
        case 7: slot = k == "related" ? &related : nullptr; break;
        case 11: slot = k == "destination" ? &destination : nullptr; break;
        default: break;
      }
      if (slot) *slot = Result(element(field.value));
    }
  }
  if (valid(event)) {
    int64_t i;
    double d;
    Result sev = member(event, "severity");
    if (sev.get(i) == simdjson::SUCCESS)
      v.severity = i;
    else if (sev.get(d) == simdjson::SUCCESS)
      v.severity = static_cast<int64_t>(std::lround(d));
  }
  v.classification = str(member(threat, "classification"));
  each_string(member(user, "name"), [&](std::string_view s) { v.user_names.push_back({"user.name", s}); });
  each_string(member(user, "email"), [&](std::string_view s) { v.emails.push_back({"user.email", s}); });
  each_string(member(member(email, "to"), "address"),
              [&](std::string_view s) { v.emails.push_back({"email.to.address", s}); });
  each_string(member(host, "name"), [&](std::string_view s) { v.hosts.push_back({"host.name", s}); });
  each_string(member(host, "hostname"), [&](std::string_view s) { v.hosts.push_back({"host.hostname", s}); });
  each_string(member(host, "ip"), [&](std::string_view s) { v.ips.push_back({"host.ip", s}); });
  v.source_ip = str(member(source, "ip"));
  v.destination_ip = str(member(destination, "ip"));
  if (!v.source_ip.empty()) v.ips.push_back({"source.ip", v.source_ip});
  if (!v.destination_ip.empty()) v.ips.push_back({"destination.ip", v.destination_ip});
  each_string(member(related, "user"), [&](std::string_view s) { v.user_names.push_back({"related.user", s}); });

  simdjson::dom::array obs;
  if (member(tr, "observables").get(obs) == simdjson::SUCCESS) {
    for (element o : obs) {
      std::string_view type = str(member(o, "type")), value = str(member(o, "value")),
                       role = str(member(o, "role"));
      if (type.empty() || value.empty()) continue;
      add_observable(v, type, value, role);
      bool inside = role != "attacker";
      if (type == "user" && inside) v.user_names.push_back({"tr.observables", value});
      if (type == "email" && inside) v.emails.push_back({"tr.observables", value});
      if (type == "host") v.hosts.push_back({"tr.observables", value});
      if (type == "ip") v.ips.push_back({"tr.observables", value});
    }
  }
  // Alerts from tools other than tr-ingest may lack tr.observables: read the ECS places.
  if (!v.source_ip.empty()) add_observable(v, "ip", v.source_ip, "");
  if (!v.destination_ip.empty()) add_observable(v, "ip", v.destination_ip, "");
  if (auto d = str(member(destination, "domain")); !d.empty())
    add_observable(v, "domain", d, "");
  if (auto u = str(member(url, "full")); !u.empty()) add_observable(v, "url", u, "");
  if (auto d = str(member(url, "domain")); !d.empty()) add_observable(v, "domain", d, "");
  Result hash = member(file, "hash");
  for (const char* h : {"sha256", "sha1", "md5"})
    if (auto s = str(member(hash, h)); !s.empty()) add_observable(v, h, s, "");
  if (auto q = str(member(member(dns, "question"), "name")); !q.empty())
    add_observable(v, "domain", q, "");
}

void write_string_array(JsonOut& j, const std::vector<std::string>& items) {
  j.begin_array();
  for (const auto& s : items) j.value(s);
  j.end_array();
}

void write_geo(JsonOut& j, const GeoInfo& g) {
  j.begin_object();
  if (!g.continent_code.empty()) j.field("continent_code", g.continent_code);
  if (!g.country_iso_code.empty()) j.field("country_iso_code", g.country_iso_code);
  if (!g.country_name.empty()) j.field("country_name", g.country_name);
  if (!g.region_iso_code.empty()) j.field("region_iso_code", g.region_iso_code);
  if (!g.region_name.empty()) j.field("region_name", g.region_name);
  if (!g.city_name.empty()) j.field("city_name", g.city_name);
  if (!g.postal_code.empty()) j.field("postal_code", g.postal_code);
  if (!g.timezone.empty()) j.field("timezone", g.timezone);
  if (g.lat && g.lon) {
    j.key("location").begin_object().field("lat", *g.lat).field("lon", *g.lon).end_object();
  }
  j.end_object();
}

// What the services are asked about: every observable but private addresses.
std::vector<Observable> remote_lookups(const View& v) {
  std::vector<Observable> lookups;
  for (const auto& o : v.observables) {
    if (o.type == "ip" && is_private_ip(o.value)) continue;
    lookups.push_back(o);
  }
  return lookups;
}

std::string join_more(const std::string& first, std::size_t total) {
  if (total <= 1) return first;
  return first + " (and " + std::to_string(total - 1) + " more)";
}

}  // namespace

void EnrichOptions::merge_config(const Config& c) {
  if (users.empty()) users = c.get_path("enrich.users");
  if (assets.empty()) assets = c.get_path("enrich.assets");
  if (geoip.empty()) geoip = c.get_path("enrich.geoip");
  if (asn.empty()) asn = c.get_path("enrich.asn");
  if (blocklists.empty()) {
    YAML::Node n = c.node("enrich.blocklists");
    if (n.IsDefined() && n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) {
        // A plain path, or {name:, path:, format:}.
        if (n[i].IsMap()) {
          std::string key = "enrich.blocklists." + std::to_string(i);
          std::string name = n[i]["name"] ? n[i]["name"].Scalar() : "";
          std::string path = expand_home(n[i]["path"] ? n[i]["path"].Scalar() : "");
          if (path.empty()) throw UsageError(c.where(n[i]) + "enrich.blocklists: entry without a path");
          if (path[0] != '/' && c.path().find('/') != std::string::npos)
            path = c.path().substr(0, c.path().rfind('/') + 1) + path;
          std::string fmt = n[i]["format"] ? n[i]["format"].Scalar() : "";
          blocklists.push_back((name.empty() ? "" : name + "=") + path +
                               (fmt.empty() ? "" : "#format=" + fmt));
        } else {
          std::string path = expand_home(n[i].Scalar());
          if (!path.empty() && path[0] != '/' && c.path().find('/') != std::string::npos)
            path = c.path().substr(0, c.path().rfind('/') + 1) + path;
          blocklists.push_back(path);
        }
      }
    } else if (n.IsDefined() && !n.IsNull()) {
      throw UsageError(c.where(n) + "enrich.blocklists: expected a list");
    }
  }
  // The last good copies of the configured feeds are blocklists too.
  for (const auto& f : feeds_from_config(c)) {
    std::string path = feeds_dir() + "/" + f.name;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0)
      blocklists.push_back(f.name + "=" + path + "#format=" + f.format);
    else
      missing_feeds.push_back(f.name);
  }
  vt = vt || c.get_bool("enrich.virustotal.enabled", false);
  rdap = rdap || c.get_bool("enrich.rdap.enabled", false);
  abuseipdb = abuseipdb || c.get_bool("enrich.abuseipdb.enabled", false);
  passive = passive || c.get_bool("enrich.passive", false);
  new_domain_days = static_cast<int>(c.get_int("enrich.rdap.new_days", new_domain_days));
  batch = static_cast<int>(c.get_int("enrich.batch", batch));
  if (batch < 1 || batch > 10000) throw UsageError("enrich.batch: expected 1 to 10000 alerts");
}

Enricher::Enricher(const EnrichOptions& opt, const Config& config, const Warn& warn)
    : opt_(opt),
      weights_(Weights::from_config(config)),
      rules_(HighValueRules::from_config(config)) {
  if (!opt.users.empty()) users_.load(opt.users, warn);
  if (!opt.assets.empty()) assets_.load(opt.assets, warn);
  if (!opt.blocklists.empty()) {
    auto lists = std::make_unique<LocalBlocklists>();
    for (const auto& spec : opt.blocklists) {
      // "name=path#format=fmt": the name defaults to the file name without its folder.
      std::string path = spec, name, format = opt.blocklist_format;
      if (auto hash = path.rfind("#format="); hash != std::string::npos) {
        format = path.substr(hash + 8);
        path.resize(hash);
      }
      if (auto eq = path.find('='); eq != std::string::npos && path.find('/') > eq) {
        name = path.substr(0, eq);
        path = path.substr(eq + 1);
      }
      if (name.empty()) {  // "feeds/feodo.txt" is list "feodo"
        name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
        if (auto dot = name.find('.'); dot != std::string::npos && dot > 0) name.resize(dot);
      }
      LoadStats st = lists->load_file(path, name, format);
      if (st.invalid > 0)
        warn(path + ": " + std::to_string(st.invalid) + " of " +
             std::to_string(st.entries + st.invalid) + " entries are not valid values; ignored");
    }
    blocklists_ = std::move(lists);
  }
  if (!opt.geoip.empty()) city_ = std::make_unique<MmdbFile>(opt.geoip);
  if (!opt.asn.empty()) asn_ = std::make_unique<MmdbFile>(opt.asn);
}

void Enricher::enrich(std::string_view alert, std::string& out, std::vector<std::string>& errors) {
  if (!process(alert, out, errors)) {
    out.append(alert);  // not an alert: unchanged
  }
}

void Enricher::plan(std::string_view line) {
  if (!remote_) return;
  static thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(line.data(), line.size()).get(root) || !root.is_object()) return;
  if (str(member(root, "kind")) != "alert") return;
  static thread_local View v;
  read_view(root, v);
  remote_->plan(remote_lookups(v));
}

bool Enricher::process(std::string_view alert, std::string& out,
                       std::vector<std::string>& errors) {
  // The same checks and messages as Record::parse, with one parse for validation and reading.
  static thread_local simdjson::dom::parser parser;
  element root;
  auto err = parser.parse(alert.data(), alert.size()).get(root);
  if (err) {
    if (err == simdjson::UTF8_ERROR) throw RecordError("invalid UTF-8");
    throw RecordError(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (!root.is_object()) throw RecordError("not a JSON object");
  if (str(member(root, "kind")) != "alert") return false;
  static thread_local View v;
  read_view(root, v);
  Scorer score(weights_);
  const Weights& w = weights_;
  std::vector<std::string> errs;

  if (v.severity) {
    int64_t sev = std::clamp<int64_t>(*v.severity, 0, 100);
    int points = static_cast<int>(std::lround(static_cast<double>(sev) * w.severity));
    if (points != 0)
      score.add(points, "severity " + std::to_string(sev) + " (" + severity_word(sev) + ")");
  }
  if (!v.classification.empty()) {
    auto it = w.classification.find(std::string(v.classification));
    if (it != w.classification.end() && it->second != 0)
      score.add(it->second, "classified as " + it->first);
  }

  // The blocklist tables are large: start their cache misses now, match after the context.
  if (blocklists_)
    for (const auto& o : v.observables) blocklists_->prefetch(o.type, o.value);

  // Who: users and assets, each listed once with the first field that found it.
  std::vector<std::pair<const User*, const char*>> users;
  std::vector<std::pair<const Asset*, const char*>> assets;
  auto add_user = [&](const User* u, const char* by) {
    if (!u) return;
    for (auto& [p, _] : users)
      if (p == u) return;
    users.emplace_back(u, by);
  };
  auto add_asset = [&](const Asset* a, const char* by) {
    if (!a) return;
    for (auto& [p, _] : assets)
      if (p == a) return;
    assets.emplace_back(a, by);
  };
  if (users_.size()) {
    for (const auto& f : v.user_names) add_user(users_.by_name(f.value), f.field);
    for (const auto& f : v.emails) add_user(users_.by_email(f.value), f.field);
  }
  if (assets_.size()) {
    for (const auto& f : v.hosts) add_asset(assets_.by_host(f.value), f.field);
    for (const auto& f : v.ips) add_asset(assets_.by_ip(f.value), f.field);
  }
  if (users_.size()) {
    for (const auto& [a, _] : assets)
      if (!a->owner.empty()) add_user(users_.by_name(a->owner), "host.owner");
  }

  // Target value: the strongest user and asset reasons, once per alert.
  bool vip_done = false, group_done = false;
  for (const auto& [u, _] : users) {
    std::string who = u->name.empty() ? u->email : u->name;
    bool vip = u->vip || !rules_.title_match(u->title).empty();
    if (!vip_done && vip) {
      if (u->vip)
        score.add(w.vip_user, "user " + who + " is a VIP");
      else
        score.add(w.vip_user, "user " + who + " is a high-value target (title " + u->title + ")");
      vip_done = true;
    }
    if (!group_done && !vip) {
      if (auto g = rules_.group_match(u->groups); !g.empty()) {
        score.add(w.high_value_group, "user " + who + " is in high-value group " + g);
        group_done = true;
      }
    }
  }
  bool crit_done = false, role_done = false;
  for (const auto& [a, _] : assets) {
    std::string name = a->host.empty() ? (a->ips.empty() ? "" : a->ips[0]) : a->host;
    if (!crit_done && !a->criticality.empty()) {
      bool critical = false;
      for (const auto& c : rules_.criticality) critical |= (a->criticality == c);
      if (critical) {
        score.add(w.critical_asset, "asset " + name + " is " + a->criticality);
        crit_done = true;
      } else if (a->criticality == "high") {
        score.add(w.high_asset, "asset " + name + " is of high criticality");
        crit_done = true;
      }
    }
    if (!role_done && rules_.role_match(a->role)) {
      score.add(w.high_value_role, "asset " + name + " is a " + a->role);
      role_done = true;
    }
  }

  // What: blocklists, then the services.
  std::vector<BlockHit> hits;
  if (blocklists_) {
    for (const auto& o : v.observables) blocklists_->match(o.type, o.value, hits);
    if (!hits.empty()) {
      const auto& h = hits[0];
      std::string first = h.value + " is on blocklist " + h.list +
                          (h.entry != h.value ? " (as " + h.entry + ")" : "");
      score.add(w.blocklist, join_more(first, hits.size()));
    }
  }
  RemoteFindings remote;
  if (remote_) {
    remote_->lookup(remote_lookups(v), remote);
    for (auto& e : remote.errors) errs.push_back(e);
    const VtVerdict* worst = nullptr;
    std::size_t bad = 0;
    for (const auto& r : remote.vt) {
      if (!r.found || (r.malicious == 0 && r.suspicious == 0)) continue;
      ++bad;
      if (!worst || r.malicious > worst->malicious) worst = &r;
    }
    if (worst) {
      std::string text = "VirusTotal: " + std::to_string(worst->malicious) + " of " +
                         std::to_string(worst->malicious + worst->suspicious + worst->harmless +
                                        worst->undetected) +
                         " engines call " + worst->type + " " + worst->value + " malicious";
      score.add(worst->malicious >= w.vt_threshold ? w.vt_malicious : w.vt_suspicious,
                join_more(text, bad));
    }
    const AbuseVerdict* top = nullptr;
    for (const auto& r : remote.abuse)
      if (!top || r.confidence > top->confidence) top = &r;
    if (top && top->confidence >= 25) {
      score.add(top->confidence >= 75 ? w.abuse_high : w.abuse_medium,
                "AbuseIPDB: " + top->ip + " has abuse confidence " +
                    std::to_string(top->confidence) + " (" + std::to_string(top->reports) +
                    " reports)");
    }
    int64_t now = time::now();
    for (const auto& r : remote.rdap) {
      if (!r.registered) continue;
      int64_t days = (now - *r.registered) / 86400000;
      if (days < opt_.new_domain_days) {
        score.add(w.new_domain, "domain " + r.domain + " was registered " + std::to_string(days) +
                                    (days == 1 ? " day" : " days") + " ago");
        break;
      }
    }
  }

  ObjectPatch patch;
  // Geolocation in the ECS places, public addresses only.
  auto geo_side = [&](std::string_view ip_text, const char* side) {
    if (ip_text.empty() || (!city_ && !asn_)) return;
    auto ip = canonical_ip(ip_text);
    if (!ip || is_private_ip(*ip)) return;
    if (geo_memo_.empty()) geo_memo_.resize(4096);
    GeoMemo& m = geo_memo_[std::hash<std::string>{}(*ip) & (geo_memo_.size() - 1)];
    if (!m.used || m.ip != *ip) {
      std::string geo, as;
      try {
        if (city_) {
          if (auto g = city_->city(*ip)) {
            JsonOut gj;
            write_geo(gj, *g);
            geo = gj.take();
          }
        }
        if (asn_) {
          if (auto a = asn_->asn(*ip)) {
            JsonOut aj;
            aj.begin_object();
            if (a->number) aj.field("number", a->number);
            if (!a->organization.empty())
              aj.key("organization").begin_object().field("name", a->organization).end_object();
            aj.end_object();
            as = aj.take();
          }
        }
      } catch (const ExternalError& e) {
        errs.push_back(std::string("geoip: ") + e.what());
        return;
      }
      m.ip = *ip;
      m.geo = std::move(geo);
      m.as = std::move(as);
      m.used = true;
    }
    if (!m.geo.empty()) patch.sub(side).set("geo", m.geo);
    if (!m.as.empty()) patch.sub(side).set("as", m.as);
  };
  geo_side(v.source_ip, "source");
  geo_side(v.destination_ip, "destination");

  // Serialise what we own.
  JsonOut j;
  j.begin_object();
  j.key("users").begin_array();
  for (const auto& [u, by] : users) {
    bool vip = u->vip || !rules_.title_match(u->title).empty();
    j.begin_object()
        .field("name", u->name)
        .field("email", u->email)
        .field("display_name", u->display_name)
        .field("title", u->title)
        .field("department", u->department);
    j.key("groups");
    write_string_array(j, u->groups);
    j.field("manager", u->manager).field("vip", vip).field("matched_by", by).end_object();
  }
  j.end_array();
  j.key("assets").begin_array();
  for (const auto& [a, by] : assets) {
    j.begin_object().field("host", a->host);
    j.key("ips");
    write_string_array(j, a->ips);
    j.field("owner", a->owner)
        .field("business_unit", a->business_unit)
        .field("criticality", a->criticality)
        .field("role", a->role)
        .field("matched_by", by)
        .end_object();
  }
  j.end_array();
  if (!hits.empty() || !remote.vt.empty() || !remote.abuse.empty() || !remote.rdap.empty()) {
    j.key("intel").begin_object();
    if (!hits.empty()) {
      j.key("blocklists").begin_array();
      for (const auto& h : hits)
        j.begin_object()
            .field("type", h.type)
            .field("value", h.value)
            .field("list", h.list)
            .field("entry", h.entry)
            .end_object();
      j.end_array();
    }
    if (!remote.vt.empty()) {
      j.key("virustotal").begin_array();
      for (const auto& r : remote.vt) {
        j.begin_object().field("type", r.type).field("value", r.value).field("verdict", r.verdict());
        if (r.found)
          j.field("malicious", r.malicious)
              .field("suspicious", r.suspicious)
              .field("harmless", r.harmless)
              .field("undetected", r.undetected);
        j.end_object();
      }
      j.end_array();
    }
    if (!remote.abuse.empty()) {
      j.key("abuseipdb").begin_array();
      for (const auto& r : remote.abuse) {
        j.begin_object()
            .field("ip", r.ip)
            .field("confidence", r.confidence)
            .field("reports", r.reports);
        if (!r.country.empty()) j.field("country", r.country);
        if (!r.usage_type.empty()) j.field("usage_type", r.usage_type);
        if (!r.isp.empty()) j.field("isp", r.isp);
        j.end_object();
      }
      j.end_array();
    }
    if (!remote.rdap.empty()) {
      j.key("rdap").begin_array();
      int64_t now = time::now();
      for (const auto& r : remote.rdap) {
        j.begin_object().field("domain", r.domain);
        if (r.registered) {
          int64_t days = (now - *r.registered) / 86400000;
          j.field("registered", time::format_rfc3339(*r.registered))
              .field("age_days", days)
              .field("new", days < opt_.new_domain_days);
        }
        if (!r.registrar.empty()) j.field("registrar", r.registrar);
        j.end_object();
      }
      j.end_array();
    }
    j.end_object();
  }
  j.key("reasons").begin_array();
  for (const auto& r : score.reasons())
    j.begin_object().field("points", r.points).field("reason", r.text).end_object();
  j.end_array();
  if (!errs.empty()) {
    j.key("errors");
    write_string_array(j, errs);
  }
  j.end_object();

  ObjectPatch& trp = patch.sub("tr");
  trp.set("enrichment", j.take());
  trp.set("score", std::to_string(score.total()));
  trp.set("priority", "\"" + score.priority() + "\"");

  if (!patch.apply(alert, out)) throw RecordError("not a JSON object");
  for (auto& e : errs) errors.push_back(std::move(e));
  return true;
}

void run_enrich(cli::Context& ctx, Enricher& enricher) {
  std::vector<std::string> inputs = ctx.inputs();
  if (inputs.empty()) inputs.push_back("-");
  std::string buf;
  std::vector<std::string> errors;
  std::set<std::string> reported;
  std::size_t bytes_before = 0;
  // With remote lookups, lines wait in a window until its lookups are answered together;
  // the window is emitted in input order (also at the end of each file).
  struct Held {
    std::string text;
    std::size_t number, length;
    bool too_long;
  };
  std::vector<Held> window;
  const std::size_t window_size = enricher.batching() ? enricher.batch_size() : 0;
  auto handle = [&](const jsonl::LineReader& reader, std::string_view text, std::size_t number,
                    bool too_long, std::size_t length) {
    if (too_long) {
      ctx.reject({reader.name(), number}, "line is longer than " +
                                              std::to_string(ctx.max_line()) + " bytes (" +
                                              std::to_string(length) + ")");
      return;
    }
    buf.clear();
    errors.clear();
    try {
      if (enricher.process(text, buf, errors))
        ctx.out().line(buf);
      else
        ctx.out().line(text);
    } catch (const RecordError& e) {
      ctx.reject({reader.name(), number}, e.what());
    }
    for (const auto& e : errors)
      if (reported.size() < 1000 && reported.insert(e).second)
        ctx.note_external_failure(cli::term_safe(e, 400));
  };
  auto flush = [&](const jsonl::LineReader& reader) {
    if (window.empty()) return;
    enricher.resolve();
    for (const Held& h : window) handle(reader, h.text, h.number, h.too_long, h.length);
    window.clear();
  };
  for (const auto& path : inputs) {
    auto reader = jsonl::LineReader::open(path, ctx.max_line());
    jsonl::Line line;
    while (!ctx.interrupted() && reader.next(line)) {
      if (!line.too_long && line.text.find_first_not_of(" \t") == std::string_view::npos)
        continue;
      ctx.count_read();
      if (window_size == 0) {
        handle(reader, line.text, line.number, line.too_long, line.length);
      } else {
        window.push_back({std::string(line.text), line.number, line.length, line.too_long});
        if (!line.too_long) enricher.plan(line.text);
        if (window.size() >= window_size) flush(reader);
      }
      if ((line.number & 1023) == 0)
        ctx.progress(ctx.read(), bytes_before + reader.bytes_read());
    }
    if (!ctx.interrupted()) flush(reader);
    bytes_before += reader.bytes_read();
  }
  if (ctx.rejected() > 0)
    ctx.error(std::to_string(ctx.rejected()) + " of " + std::to_string(ctx.read()) +
              " records rejected");
}

void EnrichStage::on_record(Record rec, Sink& out) {
  if (!rec.is("alert")) {
    out.emit(std::move(rec));
    return;
  }
  buf_.clear();
  errors_.clear();
  std::string text = rec.text();
  enricher_.enrich(text, buf_, errors_);
  // Each distinct failure is shown once (the status is 4 from the first); the record itself
  // carries its own errors.
  for (const auto& e : errors_)
    if (reported_.size() < 1000 && reported_.insert(e).second)
      ctx_.note_external_failure(cli::term_safe(e, 400));
  out.emit_text(buf_);
}

}  // namespace tr::intel
