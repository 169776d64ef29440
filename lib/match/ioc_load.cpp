#include "match/ioc_load.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "jsonl/line_reader.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"

namespace tr::match {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n' || s.front() == '\xef' || s.front() == '\xbb' ||
                        s.front() == '\xbf'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// find_first_of over a tiny set without libstdc++'s memchr per character (hot in list loading).
std::size_t first_of(std::string_view s, std::string_view set) {
  for (std::size_t i = 0; i < s.size(); ++i)
    for (char c : set)
      if (s[i] == c) return i;
  return std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string basename_of(const std::string& path) {
  if (path == "-") return "stdin";
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// One loading run: counts, positions and the handler.
struct Loader {
  const IocHandler& h;
  std::string name;      // as shown in positions
  std::string incident;  // default incident
  LoadReport rep;

  std::size_t line = 0;  // line formats: the position when `where` is empty

  void offer(Type t, std::string_view value, std::string_view source, const std::string& where,
             std::string_view inc = {}, int64_t first_seen = 0) {
    IocCandidate c{t, value, source, inc.empty() ? std::string_view(incident) : inc, first_seen};
    std::string why = h.on_indicator(c);
    if (why.empty()) {
      ++rep.taken;
    } else {
      ++rep.rejected;
      h.on_problem(Problem::Rejected, where.empty() ? name + ":" + std::to_string(line) : where, why);
    }
  }
  void unsupported(const std::string& where, const std::string& msg) {
    ++rep.unsupported;
    h.on_problem(Problem::Unsupported, where, msg);
  }
  void skip(const std::string& where, const std::string& msg) {
    ++rep.skipped;
    h.on_problem(Problem::Info, where, msg);
  }
  std::string at(const std::string& json_path) const { return name + ": " + json_path; }
};

bool truthy(const json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<int64_t>() != 0;
  if (j.is_string()) {
    std::string s = lower(j.get<std::string>());
    return s == "1" || s == "true" || s == "yes";
  }
  return false;
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// ---------------------------------------------------------------------------------------------
// Sandbox reports

bool noise_domain(std::string_view d) {
  static const char* suffixes[] = {
      "windowsupdate.com", "update.microsoft.com", "msftncsi.com", "msftconnecttest.com",
      "in-addr.arpa",      "ip6.arpa",             "time.windows.com", "digicert.com",
      "verisign.com",      "symcb.com",            "symcd.com",     "globalsign.com",
      "letsencrypt.org",   "lencr.org",            "identrust.com", "microsoft.com",
      "windows.com",       "bing.com",             "live.com",      "msn.com",
      "msedge.net",        "akamaitechnologies.com", "teredo.ipv6.microsoft.com",
      "dns.msftncsi.com",  "local",                "localdomain",   "workgroup",
      "gstatic.com",       "googleapis.com",       "google.com",    "ocsp.sectigo.com",
      "comodoca.com",      "usertrust.com",        "entrust.net",   "pki.goog"};
  if (d == "wpad" || d.substr(0, 5) == "wpad." || d.substr(0, 5) == "ocsp." ||
      d.substr(0, 4) == "crl.")
    return true;
  for (const char* s : suffixes) {
    std::string_view sv(s);
    if (d == sv) return true;
    if (d.size() > sv.size() && d.substr(d.size() - sv.size()) == sv &&
        d[d.size() - sv.size() - 1] == '.')
      return true;
  }
  return false;
}

bool noise_ip(const std::string& ip) {
  if (is_private_ip(ip)) return true;
  unsigned a = 0;
  if (ip.find(':') == std::string::npos) {
    a = static_cast<unsigned>(std::atoi(ip.c_str()));
    if (a == 0 || a >= 224) return true;  // this-network, multicast, reserved
  } else if (lower(ip).rfind("ff", 0) == 0) {
    return true;
  }
  return false;
}

bool noise_mutex(std::string_view m) {
  static const char* names[] = {"ZonesCacheCounterMutex", "ZonesLockedCacheCounterMutex",
                                "ZoneAttributeCacheCounterMutex", "RasPbFile", "DBWinMutex",
                                "_SHuassist.mtx", "MSCTF.Shared.MUTEX", "CicLoadWinStaWinSta0",
                                "SmartScreen_AppRepSettings_Mutex", "WininetStartupMutex",
                                "WininetConnectionMutex", "WininetProxyRegistryMutex"};
  auto bs = m.rfind('\\');
  std::string_view base = bs == std::string_view::npos ? m : m.substr(bs + 1);
  for (const char* n : names) {
    std::string_view nv(n);
    if (base.size() >= nv.size() && base.substr(0, nv.size()) == nv) return true;
  }
  return base.rfind("MSCTF.", 0) == 0 || base.rfind("CTF.", 0) == 0;
}

void sandbox_hashes(Loader& L, const json& f, const std::string& source, const std::string& path,
                    bool name_too) {
  if (!f.is_object()) return;
  // A zero-byte file says nothing about the sample: skip it, name and all.
  if (is_empty_digest(lower(str(f, "md5"))) || is_empty_digest(lower(str(f, "sha256"))))
    return L.skip(L.at(path), "empty file skipped");
  static const std::pair<const char*, Type> hs[] = {
      {"md5", Type::Md5}, {"sha1", Type::Sha1}, {"sha256", Type::Sha256}, {"sha512", Type::Sha512}};
  for (const auto& [k, t] : hs) {
    std::string v = str(f, k);
    if (v.empty()) continue;
    L.offer(t, v, source, L.at(path + "." + k));
  }
  if (name_too) {
    auto it = f.find("name");
    if (it != f.end() && it->is_string()) {
      std::string n = it->get<std::string>();
      if (!n.empty() && n.find_first_of("/\\") == std::string::npos)
        L.offer(Type::Filename, n, source, L.at(path + ".name"));
    }
  }
}

void load_triage(Loader& L, const json& r);

void load_sandbox(Loader& L, const json& r) {
  // A forced --ioc-format sandbox on a JSON array threw json's type_error (fuzz_ioc_formats).
  if (!r.is_object()) throw UsageError(L.name + ": not a sandbox report (a JSON object)");
  if (r.contains("sample") && (r.contains("task") || r.contains("tasks"))) return load_triage(L, r);
  std::string id = str(r.value("info", json::object()), "id");
  std::string product = r.contains("CAPE") || r.contains("malscore") || r.contains("detections")
                            ? "cape"
                            : "cuckoo";
  std::string source = product + ":" + (id.empty() ? basename_of(L.name) : id);
  L.rep.format = "sandbox";
  if (auto t = r.find("target"); t != r.end() && t->is_object()) {
    if (auto f = t->find("file"); f != t->end()) sandbox_hashes(L, *f, source, "target.file", true);
    if (str(*t, "category") == "url") {
      std::string u = str(*t, "url");
      if (!u.empty()) L.offer(Type::Url, u, source, L.at("target.url"));
    }
  }
  auto each = [&](const json& parent, const char* key, auto&& fn) {
    if (!parent.is_object()) return;
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_array()) return;
    std::size_t i = 0;
    for (const auto& e : *it) fn(e, std::string(key) + "[" + std::to_string(i++) + "]");
  };
  std::set<std::string> seen_ips;
  auto offer_ip = [&](const std::string& ip, const std::string& where) {
    auto c = canonical_ip(ip);
    if (!c) {
      L.offer(Type::Ip, ip, source, where);  // reported as rejected
      return;
    }
    if (noise_ip(*c)) return L.skip(where, "sandbox-internal address " + *c + " skipped");
    if (seen_ips.insert(*c).second) L.offer(Type::Ip, *c, source, where);
  };
  std::set<std::string> seen_domains;
  auto offer_domain = [&](const std::string& d, const std::string& where) {
    auto c = canonical_domain(d);
    if (c && noise_domain(*c)) return L.skip(where, "sandbox-internal name " + *c + " skipped");
    std::string key = c ? *c : d;
    if (seen_domains.insert(key).second) L.offer(Type::Domain, d, source, where);
  };
  if (auto n = r.find("network"); n != r.end() && n->is_object()) {
    each(*n, "hosts", [&](const json& e, const std::string& p) {
      if (e.is_string()) offer_ip(e.get<std::string>(), L.at("network." + p));
      else if (e.is_object() && !str(e, "ip").empty()) offer_ip(str(e, "ip"), L.at("network." + p + ".ip"));
    });
    each(*n, "domains", [&](const json& e, const std::string& p) {
      if (!str(e, "domain").empty()) offer_domain(str(e, "domain"), L.at("network." + p + ".domain"));
    });
    each(*n, "dns", [&](const json& e, const std::string& p) {
      if (!str(e, "request").empty()) offer_domain(str(e, "request"), L.at("network." + p + ".request"));
    });
    auto http = [&](const json& e, const std::string& p) {
      std::string uri = str(e, "uri");
      std::string host = str(e, "host");
      std::string url;
      if (uri.find("://") != std::string::npos) url = uri;
      else if (!host.empty()) url = "http://" + host + (uri.empty() ? str(e, "path") : uri);
      if (url.empty()) return;
      auto h = url_host(url);
      if (h && (noise_domain(*h) || (canonical_ip(*h) && noise_ip(*h))))
        return L.skip(L.at("network." + p), "sandbox-internal URL skipped");
      L.offer(Type::Url, url, source, L.at("network." + p + ".uri"));
    };
    each(*n, "http", http);
    each(*n, "http_ex", http);
    each(*n, "https_ex", http);
  }
  each(r, "dropped", [&](const json& e, const std::string& p) { sandbox_hashes(L, e, source, p, true); });
  each(r, "procdump", [&](const json& e, const std::string& p) { sandbox_hashes(L, e, source, p, false); });
  if (auto c = r.find("CAPE"); c != r.end()) {
    if (c->is_object()) each(*c, "payloads", [&](const json& e, const std::string& p) {
      sandbox_hashes(L, e, source, "CAPE." + p, false);
    });
    else if (c->is_array()) each(r, "CAPE", [&](const json& e, const std::string& p) {
      sandbox_hashes(L, e, source, p, false);
    });
  }
  if (auto b = r.find("behavior"); b != r.end() && b->is_object()) {
    if (auto s = b->find("summary"); s != b->end() && s->is_object()) {
      auto strings = [&](const char* key, Type t) {
        each(*s, key, [&](const json& e, const std::string& p) {
          if (!e.is_string()) return;
          std::string v = e.get<std::string>();
          if (t == Type::Mutex && noise_mutex(v))
            return L.skip(L.at("behavior.summary." + p), "common system mutex skipped");
          L.offer(t, v, source, L.at("behavior.summary." + p));
        });
      };
      strings("mutexes", Type::Mutex);
      strings("write_keys", Type::Registry);
      strings("write_files", Type::Path);
      strings("executed_commands", Type::Process);
    }
  }
}

// Hatching Triage: a task report (GET /v0/samples/{id}/{task}/report_triage.json: sample,
// task, processes, network flows and requests, extracted configs and ransom notes) or the
// sample overview (GET /v0/samples/{id}: the sample's sha256 and its tasks). The same
// sandbox-noise rules as Cuckoo/CAPE apply.
void load_triage(Loader& L, const json& r) {
  L.rep.format = "sandbox";
  const json* sample = nullptr;
  std::string id;
  if (auto s = r.find("sample"); s != r.end()) {
    if (s->is_object()) {
      sample = &*s;
      id = str(*s, "id");
    } else if (s->is_string()) {
      id = s->get<std::string>();
    }
  }
  std::string source = "triage:" + (id.empty() ? basename_of(L.name) : id);
  if (sample) sandbox_hashes(L, *sample, source, "sample", false);
  else if (!str(r, "sha256").empty()) L.offer(Type::Sha256, str(r, "sha256"), source, L.at("sha256"));
  if (auto t = r.find("task"); t != r.end() && t->is_object()) {
    std::string target = str(*t, "target");
    if (!target.empty() && target.find_first_of("/\\") == std::string::npos)
      L.offer(Type::Filename, target, source, L.at("task.target"));
  }
  auto each = [&](const json& parent, const char* key, auto&& fn) {
    if (!parent.is_object()) return;
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_array()) return;
    std::size_t i = 0;
    for (const auto& e : *it) fn(e, std::string(key) + "[" + std::to_string(i++) + "]");
  };
  std::set<std::string> seen;
  auto offer_host = [&](std::string h, const std::string& where) {
    if (h.empty()) return;
    if (h.front() == '[') h = h.substr(1, h.find(']') - 1);  // "[2001:db8::1]:443"
    if (auto ip = canonical_ip(h)) {
      if (noise_ip(*ip)) return L.skip(where, "sandbox-internal address " + *ip + " skipped");
      if (seen.insert("ip:" + *ip).second) L.offer(Type::Ip, *ip, source, where);
      return;
    }
    auto d = canonical_domain(h);
    if (d && noise_domain(*d)) return L.skip(where, "sandbox-internal name " + *d + " skipped");
    if (seen.insert("domain:" + (d ? *d : h)).second) L.offer(Type::Domain, h, source, where);
  };
  auto host_of = [](const std::string& endpoint) {  // "1.2.3.4:443", "[::1]:53", "evil.example"
    if (!endpoint.empty() && endpoint.front() == '[') return endpoint.substr(0, endpoint.find(']') + 1);
    auto colon = endpoint.find(':');
    if (colon != std::string::npos && endpoint.find(':', colon + 1) == std::string::npos)
      return endpoint.substr(0, colon);
    return endpoint;
  };
  auto offer_url = [&](const std::string& url, const std::string& where) {
    if (url.empty()) return;
    auto h = url_host(url);
    if (h && (noise_domain(*h) || (canonical_ip(*h) && noise_ip(*h))))
      return L.skip(where, "sandbox-internal URL skipped");
    if (seen.insert("url:" + url).second) L.offer(Type::Url, url, source, where);
  };
  if (auto n = r.find("network"); n != r.end() && n->is_object()) {
    each(*n, "flows", [&](const json& f, const std::string& p) {
      // The resolver the sandbox asked (port 53), and addresses of sandbox-noise names
      // (certificate checks, Windows update), say nothing about the sample.
      std::string dst = str(f, "dst");
      auto name = canonical_domain(str(f, "domain"));
      bool resolver = dst.size() > 3 && dst.compare(dst.size() - 3, 3, ":53") == 0;
      if (resolver || (name && noise_domain(*name)))
        L.skip(L.at("network." + p + ".dst"), "sandbox-internal flow skipped");
      else
        offer_host(host_of(dst), L.at("network." + p + ".dst"));
      offer_host(str(f, "domain"), L.at("network." + p + ".domain"));
      offer_host(str(f, "tls_sni"), L.at("network." + p + ".tls_sni"));
    });
    each(*n, "requests", [&](const json& q, const std::string& p) {
      if (auto d = q.find("dns_request"); d != q.end() && d->is_object())
        each(*d, "domains", [&](const json& e, const std::string& k) {
          if (e.is_string()) offer_host(e.get<std::string>(), L.at("network." + p + ".dns_request." + k));
        });
      if (auto h = q.find("http_request"); h != q.end() && h->is_object())
        offer_url(str(*h, "url"), L.at("network." + p + ".http_request.url"));
    });
  }
  // Processes the sample started (not those running before the analysis, "orig"), other than
  // Windows' own programs: their command lines and images.
  each(r, "processes", [&](const json& e, const std::string& p) {
    if (!e.is_object() || truthy(e.value("orig", json(false)))) return;
    std::string image = str(e, "image");
    std::string li = lower(image);
    if (li.rfind("c:\\windows\\", 0) == 0)
      return L.skip(L.at(p), "Windows program skipped");
    if (!str(e, "cmd").empty()) L.offer(Type::Process, str(e, "cmd"), source, L.at(p + ".cmd"));
    if (!image.empty()) L.offer(Type::Path, image, source, L.at(p + ".image"));
  });
  each(r, "extracted", [&](const json& x, const std::string& p) {
    if (!x.is_object()) return;
    if (auto note = x.find("ransom_note"); note != x.end() && note->is_object())
      each(*note, "emails", [&](const json& e, const std::string& k) {
        if (e.is_string()) L.offer(Type::Email, e.get<std::string>(), source, L.at(p + ".ransom_note." + k));
      });
    if (auto cfg = x.find("config"); cfg != x.end() && cfg->is_object()) {
      each(*cfg, "c2", [&](const json& e, const std::string& k) {
        if (e.is_string()) offer_host(host_of(e.get<std::string>()), L.at(p + ".config." + k));
      });
      each(*cfg, "mutex", [&](const json& e, const std::string& k) {
        if (e.is_string()) L.offer(Type::Mutex, e.get<std::string>(), source, L.at(p + ".config." + k));
      });
    }
    if (auto dr = x.find("dropper"); dr != x.end() && dr->is_object())
      each(*dr, "urls", [&](const json& e, const std::string& k) {
        offer_url(e.is_string() ? e.get<std::string>() : str(e, "url"), L.at(p + ".dropper." + k));
      });
  });
}

// ---------------------------------------------------------------------------------------------
// STIX

void load_stix_object(Loader& L, const json& o, const std::string& where, int64_t now) {
  if (!o.is_object() || str(o, "type") != "indicator") return;
  std::string id = str(o, "id");
  std::string source = "stix:" + (id.empty() ? basename_of(L.name) : id);
  if (o.contains("revoked") && truthy(o["revoked"])) return L.skip(where, "revoked indicator skipped");
  std::string until = str(o, "valid_until");
  if (!until.empty()) {
    auto t = time::parse_rfc3339(until);
    if (t && *t < now) return L.skip(where, "indicator expired " + until + ", skipped");
  }
  std::string ptype = str(o, "pattern_type");
  if (!ptype.empty() && ptype != "stix")
    return L.unsupported(where, "pattern_type \"" + ptype + "\" is not supported; indicator not used");
  std::string pattern = str(o, "pattern");
  if (pattern.empty()) {
    ++L.rep.rejected;
    return L.h.on_problem(Problem::Rejected, where, "indicator without a pattern");
  }
  int64_t first = 0;
  if (auto t = time::parse_rfc3339(str(o, "valid_from"))) first = *t;
  StixResult res = parse_stix_pattern(pattern);
  if (!res.error.empty()) {
    ++L.rep.rejected;
    return L.h.on_problem(Problem::Rejected, where, "bad STIX pattern: " + res.error);
  }
  if (!res.unsupported.empty())
    return L.unsupported(where, "STIX pattern not supported (" + res.unsupported +
                                    "); indicator not used");
  for (const auto& t : res.terms) L.offer(t.type, t.value, source, where + ".pattern", "", first);
}

void load_stix(Loader& L, const json& doc) {
  L.rep.format = "stix";
  int64_t now = time::now();
  if (doc.is_object() && doc.contains("objects") && doc["objects"].is_array()) {
    std::size_t i = 0;
    for (const auto& o : doc["objects"]) {
      load_stix_object(L, o, L.at("objects[" + std::to_string(i) + "]"), now);
      ++i;
    }
  } else if (doc.is_array()) {
    std::size_t i = 0;
    for (const auto& o : doc) load_stix_object(L, o, L.at("[" + std::to_string(i++) + "]"), now);
  } else {
    load_stix_object(L, doc, L.at("indicator"), now);
  }
}

// ---------------------------------------------------------------------------------------------
// MISP

void misp_attribute(Loader& L, const json& a, const std::string& where, const std::string& source,
                    std::set<std::string>& unsupported_types) {
  if (!a.is_object()) return;
  if (a.contains("deleted") && truthy(a["deleted"])) return;
  if (!a.contains("to_ids") || !truthy(a["to_ids"])) return L.skip(where, "to_ids is false, skipped");
  std::string type = str(a, "type");
  std::string v = str(a, "value");
  // Composite values ("domain|ip", "ip-dst|port", "regkey|value"): split at the first or
  // the last "|"; no "|" leaves everything on the left.
  auto split = [&](bool at_last, std::string& left, std::string& right) {
    auto bar = at_last ? v.rfind('|') : v.find('|');
    left = v.substr(0, bar);
    right = bar == std::string::npos ? std::string() : v.substr(bar + 1);
  };
  auto split_first = [&](std::string& left, std::string& right) { split(false, left, right); };
  auto split_last = [&](std::string& left, std::string& right) { split(true, left, right); };
  std::string l, r;
  if (type == "ip-src" || type == "ip-dst") return L.offer(Type::Ip, v, source, where);
  if (type == "ip-src|port" || type == "ip-dst|port") {
    split_last(l, r);
    return L.offer(Type::Ip, l, source, where);
  }
  if (type == "domain" || type == "hostname") return L.offer(Type::Domain, v, source, where);
  if (type == "hostname|port") {
    split_last(l, r);
    return L.offer(Type::Domain, l, source, where);
  }
  if (type == "domain|ip") {
    split_first(l, r);
    L.offer(Type::Domain, l, source, where);
    if (!r.empty()) L.offer(Type::Ip, r, source, where);
    return;
  }
  if (type == "url" || type == "link" || (type == "uri" && v.find("://") != std::string::npos))
    return type == "link" ? L.skip(where, "link attribute skipped")
                          : L.offer(Type::Url, v, source, where);
  if (type == "md5" || type == "sha1" || type == "sha256" || type == "sha512")
    return L.offer(*parse_type(type), v, source, where);
  if (type == "filename") {
    // "%APPDATA%\x\evil.exe": a path (environment variables unexpanded) and its file name.
    if (v.find_first_of("/\\") == std::string::npos) return L.offer(Type::Filename, v, source, where);
    L.offer(Type::Path, v, source, where);
    std::string base(path_basename(v));
    if (!base.empty() && base.find_first_of("[*?") == std::string::npos)
      L.offer(Type::Filename, base, source, where);
    return;
  }
  if (type.rfind("filename|", 0) == 0) {
    split_first(l, r);
    auto ht = parse_type(type.substr(9));
    if (!ht) {
      unsupported_types.insert(type);
      return;
    }
    if (l.find_first_of("/\\") != std::string::npos) L.offer(Type::Path, l, source, where);
    else L.offer(Type::Filename, l, source, where);
    return L.offer(*ht, r, source, where);
  }
  if (type == "email-src" || type == "email-dst" || type == "email")
    return L.offer(Type::Email, v, source, where);
  if (type == "mutex") return L.offer(Type::Mutex, v, source, where);
  if (type == "regkey") return L.offer(Type::Registry, v, source, where);
  if (type == "regkey|value") {
    split_first(l, r);
    return L.offer(Type::Registry, l, source, where);
  }
  unsupported_types.insert(type);
}

void load_misp_event(Loader& L, const json& ev, const std::string& where) {
  std::string id = str(ev, "id");
  if (id.empty()) id = str(ev, "uuid");
  std::string source = "misp:" + (id.empty() ? basename_of(L.name) : "event-" + id);
  std::set<std::string> unsupported_types;
  if (auto a = ev.find("Attribute"); a != ev.end() && a->is_array()) {
    std::size_t i = 0;
    for (const auto& at : *a)
      misp_attribute(L, at, where + ".Attribute[" + std::to_string(i++) + "]", source,
                     unsupported_types);
  }
  if (auto o = ev.find("Object"); o != ev.end() && o->is_array()) {
    std::size_t i = 0;
    for (const auto& obj : *o) {
      std::string ow = where + ".Object[" + std::to_string(i++) + "]";
      if (obj.contains("deleted") && truthy(obj["deleted"])) continue;
      if (auto a = obj.find("Attribute"); a != obj.end() && a->is_array()) {
        std::size_t j = 0;
        for (const auto& at : *a)
          misp_attribute(L, at, ow + ".Attribute[" + std::to_string(j++) + "]", source,
                         unsupported_types);
      }
    }
  }
  if (!unsupported_types.empty()) {
    std::string list;
    for (const auto& t : unsupported_types) list += (list.empty() ? "" : ", ") + t;
    L.unsupported(where, "attribute types not supported for matching: " + list);
  }
}

void load_misp(Loader& L, const json& doc) {
  L.rep.format = "misp";
  if (doc.contains("Event")) return load_misp_event(L, doc["Event"], L.at("Event"));
  if (doc.contains("response")) {
    const json& r = doc["response"];
    if (r.is_array()) {
      std::size_t i = 0;
      for (const auto& e : r) {
        std::string w = L.at("response[" + std::to_string(i++) + "]");
        if (e.contains("Event")) load_misp_event(L, e["Event"], w + ".Event");
      }
    } else if (r.is_object() && r.contains("Attribute")) {
      load_misp_event(L, r, L.at("response"));
    }
    return;
  }
  load_misp_event(L, doc, L.at("event"));
}

// ---------------------------------------------------------------------------------------------
// Line formats

// Splits one CSV line (RFC 4180 quotes, no embedded newlines).
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"' && out.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

void load_indicator_line(Loader& L, std::string_view line, const std::string& where) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception&) {
    ++L.rep.rejected;
    return L.h.on_problem(Problem::Rejected, where, "not valid JSON");
  }
  if (!j.is_object() || str(j, "kind") != "indicator") {
    ++L.rep.rejected;
    return L.h.on_problem(Problem::Rejected, where, "not an indicator record");
  }
  auto t = parse_type(str(j, "type"));
  if (!t) {
    ++L.rep.rejected;
    return L.h.on_problem(Problem::Rejected, where, "unknown indicator type");
  }
  std::string source = str(j, "source");
  if (source.empty()) source = "jsonl:" + basename_of(L.name);
  int64_t first = 0;
  if (auto f = time::parse_rfc3339(str(j, "first_seen"))) first = *f;
  std::string value = str(j, "value"), inc = str(j, "incident");
  L.offer(*t, value, source, where, inc, first);
}

}  // namespace

std::optional<Type> guess_type(std::string_view raw) {
  // Cheap character tests first: a million-line list goes through here.
  std::string_view v = trim(raw);
  if (v.empty()) return std::nullopt;
  bool hex = true, digits_dots = true;
  for (char c : v) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hex = false;
    if (!((c >= '0' && c <= '9') || c == '.' || c == '/')) digits_dots = false;
  }
  if (hex) {
    if (v.size() == 32) return Type::Md5;
    if (v.size() == 40) return Type::Sha1;
    if (v.size() == 64) return Type::Sha256;
    if (v.size() == 128) return Type::Sha512;
  }
  if (v.find("://") != std::string_view::npos) return Type::Url;
  bool v6 = false;
  if (v.find(':') != std::string_view::npos) {
    v6 = true;
    for (char c : v)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
            c == '.' || c == '/'))
        v6 = false;
  }
  if (digits_dots || v6) {
    if (v.front() != '/' && v.find('/') != std::string_view::npos) return Type::Cidr;
    if (v.size() < 46) {  // inet_pton without canonical_ip's formatting and allocation
      char buf[48];
      unsigned char addr[16];
      std::memcpy(buf, v.data(), v.size());
      buf[v.size()] = 0;
      if (inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1) return Type::Ip;
    }
    if (digits_dots) return std::nullopt;
  }
  if (v.front() == '/' || v.substr(0, 2) == "\\\\" ||
      (v.size() > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/')))
    return Type::Path;
  if (v.size() > 2 && (v[0] == 'h' || v[0] == 'H') && (v[1] == 'k' || v[1] == 'K')) {
    std::string head = lower(v.substr(0, std::min<std::size_t>(v.size(), 20)));
    if (head.rfind("hklm\\", 0) == 0 || head.rfind("hkcu\\", 0) == 0 || head.rfind("hku\\", 0) == 0 ||
        head.rfind("hkcr\\", 0) == 0 || head.rfind("hkey_", 0) == 0)
      return Type::Registry;
  }
  if (v.size() > 9 && lower(v.substr(0, 9)) == "\\registry") return Type::Registry;
  if (v.find('@') != std::string_view::npos) return canonical_email(v) ? std::optional(Type::Email) : std::nullopt;
  if (v.size() > 1 && v.back() == '.' && v[v.size() - 2] != '.') v.remove_suffix(1);  // "EVIL.example."
  auto dot = v.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == v.size()) return std::nullopt;
  std::string_view ext = v.substr(dot + 1);
  if (ext.size() <= 4) {
    char e[5] = {};
    for (std::size_t i = 0; i < ext.size(); ++i)
      e[i] = (ext[i] >= 'A' && ext[i] <= 'Z') ? static_cast<char>(ext[i] + 32) : ext[i];
    static const char* exts[] = {"exe", "dll", "scr", "sys", "bat", "cmd", "ps1", "vbs", "vbe",
                                 "js",  "jse", "hta", "lnk", "doc", "docx", "docm", "xls",
                                 "xlsx", "xlsm", "jar", "msi", "tmp", "dat", "bin", "elf",
                                 "so",  "sh",  "pdf", "iso", "img", "rar", "7z", "wsf", "cpl",
                                 "ocx", "pif", "apk", "dmg", "pkg"};
    for (const char* x : exts)
      if (std::strcmp(e, x) == 0) return Type::Filename;
  }
  if (first_of(v, " \t\\/") != std::string_view::npos) return std::nullopt;
  return Type::Domain;  // validated by the matcher
}

namespace {

// Detects the format from the start of the input (the first line is enough).
std::string detect_format(std::string_view text) {
  std::string fmt;
  std::string_view body = trim(text);
  {
    if (body.empty()) {
      fmt = "list";
    } else if (body.front() == '[' || body.front() == '{') {
      // One JSON document, or JSON Lines of indicator records.
      auto nl = body.find('\n');
      std::string_view first = trim(body.substr(0, nl));
      bool jsonl = false;
      if (nl != std::string_view::npos && !first.empty() && first.front() == '{' &&
          first.back() == '}') {
        try {
          json j = json::parse(first);
          jsonl = j.is_object() && j.contains("kind");
        } catch (const json::exception&) {
        }
      } else if (nl == std::string_view::npos && first.find("\"kind\"") != std::string_view::npos &&
                 first.find("\"indicator\"") != std::string_view::npos) {
        jsonl = true;
      }
      fmt = jsonl ? "jsonl" : "json";
    } else {
      auto nl = body.find('\n');
      std::string_view first = trim(body.substr(0, nl));
      auto comma = first.find(',');
      fmt = "list";
      if (comma != std::string_view::npos) {
        std::string head = lower(trim(first.substr(0, comma)));
        if (head == "type" || parse_type(head) || head == "hash") fmt = "csv";
      }
    }
  }
  return fmt;
}

struct LineState {
  std::string fmt;
  std::size_t line_no = 0;
  bool header_checked = false;
  std::string list_source, csv_source;
};

// One line of a line format (list, csv, jsonl).
void load_line(Loader& L, LineState& st, std::string_view line) {
  ++st.line_no;
  L.line = st.line_no;
  auto where = [&] { return L.name + ":" + std::to_string(st.line_no); };
  std::string_view t = trim(line);
  if (t.empty() || t.front() == '#' || (st.fmt != "jsonl" && t.front() == ';')) return;
  if (st.fmt == "jsonl") {
    load_indicator_line(L, t, where());
  } else if (st.fmt == "csv") {
    auto f = csv_fields(t);
    if (!st.header_checked) {
      st.header_checked = true;
      if (lower(trim(f[0])) == "type") return;
    }
    if (f.size() < 2) {
      ++L.rep.rejected;
      L.h.on_problem(Problem::Rejected, where(), "expected type,value");
      return;
    }
    std::string tn = lower(trim(f[0]));
    std::optional<Type> ty = tn == "hash" ? guess_type(f[1]) : parse_type(tn);
    if (!ty) {
      ++L.rep.rejected;
      L.h.on_problem(Problem::Rejected, where(), "unknown indicator type");
      return;
    }
    std::string source = f.size() > 2 && !trim(f[2]).empty() ? std::string(trim(f[2]))
                                                            : st.csv_source;
    std::string inc = f.size() > 3 ? std::string(trim(f[3])) : "";
    L.offer(*ty, trim(f[1]), source, {}, inc);
  } else {
    // DShield block list: "start<TAB>end<TAB>prefix-length<TAB>..." (and its header).
    if (std::memchr(t.data(), '\t', t.size()) != nullptr) {
      std::vector<std::string> cols;
      std::size_t b = 0;
      while (b <= t.size()) {
        auto e = t.find('\t', b);
        cols.emplace_back(t.substr(b, e == std::string_view::npos ? t.size() - b : e - b));
        b = e == std::string_view::npos ? t.size() + 1 : e + 1;
      }
      if (cols.size() >= 3 && lower(cols[0]) == "start" && lower(cols[1]) == "end") return;
      if (cols.size() >= 3 && canonical_ip(cols[0]) && canonical_ip(cols[1]) && !cols[2].empty() &&
          cols[2].find_first_not_of("0123456789") == std::string::npos) {
        L.offer(Type::Cidr, cols[0] + "/" + cols[2], st.list_source, {});
        return;
      }
    }
    // Plain list: the value, then an optional comment ("1.10.16.0/20 ; SBL256894").
    auto cut = first_of(t, " \t;#");
    std::string_view v = trim(t.substr(0, cut));
    auto ty = guess_type(v);
    if (!ty) {
      ++L.rep.rejected;
      L.h.on_problem(Problem::Rejected, where(), "not an indicator value");
      return;
    }
    L.offer(*ty, v, st.list_source, {});
  }
}

LoadReport load_document(Loader& L, std::string fmt, std::string_view text) {
  const std::string& name = L.name;
  if (fmt == "json" || fmt == "sandbox" || fmt == "stix" || fmt == "misp") {
    json doc;
    try {
      // Sandbox API call logs can be huge and are of no use here: drop them while parsing.
      doc = json::parse(text, [](int, json::parse_event_t ev, json& parsed) {
        return !(ev == json::parse_event_t::key && parsed == "calls");
      });
    } catch (const json::parse_error& e) {
      throw UsageError(name + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    }
    if (fmt == "json") {
      if (doc.is_object() && (doc.contains("Event") || doc.contains("response") ||
                              (doc.contains("Attribute") && doc.contains("info"))))
        fmt = "misp";
      else if ((doc.is_object() && (str(doc, "type") == "bundle" || str(doc, "type") == "indicator" ||
                                    doc.contains("objects"))) ||
               (doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("pattern")))
        fmt = "stix";
      else if (doc.is_object() && (doc.contains("network") || doc.contains("behavior") ||
                                   doc.contains("dropped") || doc.contains("target")))
        fmt = "sandbox";
      else
        throw UsageError(name + ": not a known IOC format (expected a sandbox report, STIX, "
                                "MISP, indicator records, CSV or a plain list)");
    }
    if (fmt == "misp") load_misp(L, doc);
    else if (fmt == "stix") load_stix(L, doc);
    else load_sandbox(L, doc);
    return L.rep;
  }
  throw UsageError("unknown IOC format \"" + fmt + "\"");
}

LineState line_state(const std::string& fmt, const std::string& name) {
  if (fmt != "jsonl" && fmt != "csv" && fmt != "list")
    throw UsageError("unknown IOC format \"" + fmt + "\"");
  LineState st;
  st.fmt = fmt;
  st.list_source = "list:" + basename_of(name);
  st.csv_source = "csv:" + basename_of(name);
  return st;
}

void each_line(std::string_view text, const std::function<void(std::string_view)>& fn) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char* nl = static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
    std::size_t end = nl ? static_cast<std::size_t>(nl - text.data()) : text.size();
    fn(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

}  // namespace

LoadReport load_iocs_text(std::string_view text, const std::string& name, const IocHandler& h,
                          const std::string& format, const std::string& incident) {
  Loader L{h, name, incident, {}};
  std::string fmt = format == "auto" ? detect_format(text) : format;
  if (fmt == "json" || fmt == "sandbox" || fmt == "stix" || fmt == "misp")
    return load_document(L, fmt, text);
  LineState st = line_state(fmt, name);
  L.rep.format = fmt;
  each_line(text, [&](std::string_view line) { load_line(L, st, line); });
  return L.rep;
}

LoadReport load_iocs(const std::string& path, const IocHandler& h, const std::string& format,
                     const std::string& incident) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UsageError(path + ": cannot read IOC file: " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 0) ::close(fd);
    }
  } closer{fd};
  std::string name = path == "-" ? "<stdin>" : path;
  // Line formats are read in blocks so a million-line list never sits in memory whole;
  // JSON documents are read whole.
  std::string buf;
  bool eof = false;
  auto fill = [&](std::size_t want) {
    std::size_t have = buf.size();
    buf.resize(have + want);
    while (true) {
      ssize_t n = ::read(fd, buf.data() + have, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw UsageError(path + ": cannot read IOC file: " + std::strerror(errno));
      buf.resize(have + static_cast<std::size_t>(n));
      if (n == 0) eof = true;
      return;
    }
  };
  while (!eof && buf.size() < (64u << 10)) fill(64u << 10);
  std::string fmt = format == "auto" ? detect_format(buf) : format;
  Loader L{h, name, incident, {}};
  if (fmt == "json" || fmt == "sandbox" || fmt == "stix" || fmt == "misp") {
    while (!eof) fill(1u << 20);
    return load_document(L, fmt, buf);
  }
  LineState st = line_state(fmt, name);
  L.rep.format = fmt;
  struct stat sb;
  if (h.on_size_hint && fd > 0 && ::fstat(fd, &sb) == 0 && sb.st_size > 0)
    h.on_size_hint(static_cast<std::size_t>(sb.st_size) / 24);
  while (true) {
    std::size_t last_nl = buf.rfind('\n');
    if (eof) last_nl = buf.size();
    if (last_nl != std::string::npos) {
      each_line(std::string_view(buf).substr(0, last_nl), [&](std::string_view line) { load_line(L, st, line); });
      buf.erase(0, std::min(buf.size(), last_nl + 1));
    }
    if (eof) break;
    fill(1u << 20);
  }
  return L.rep;
}

}  // namespace tr::match
