// Suricata EVE JSON -> alert (integrations.md B8; mapping in tr-ingest(1)).
//
// One pass over the top-level members with a switch on the key, so a line costs one simdjson
// parse plus the writes; no member is looked up twice. Surprises kept here on purpose:
//  - flow_id is a 64-bit integer beyond 2^53: read as uint64, written as a string.
//  - alert.severity is 1 = highest (the classification priority), not a 0-10 scale.
//  - timestamps carry "+0000" offsets without a colon (time::parse_rfc3339 reads them).
//  - Suricata 7 puts DNS queries under dns.query[] (v2), older alerts under dns.rrname.
#include <string>

#include "ingest/json_util.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

using simdjson::dom::element;

void read_ip(element e, std::string_view name, std::string& out) {
  std::string_view s = json::str(e, name);
  if (s.empty()) return;
  if (!is_canonical_ipv4(s) && !canonical_ip(s))
    throw RecordError(std::string(name) + " " + quoted(s) + " is not an IP address");
  out.assign(s);
}

int64_t read_port(element e, std::string_view name) {
  int64_t p = json::integer(e, name);
  if (p > 65535) throw RecordError(std::string(name) + " " + std::to_string(p) + " is not a port");
  return p;
}

int severity_from_suricata(int64_t sev) {
  if (sev <= 0) return -1;
  if (sev == 1) return 75;
  if (sev == 2) return 50;
  return 25;
}

void read_alert(element al, Alert& a, std::string& alert_src_ip) {
  if (!al.is_object()) throw RecordError("alert is not an object");
  int64_t sev = -1, sid = -1;
  bool critical = false;
  simdjson::dom::object obj = json::object_of(al);
  for (auto [key, v] : obj) {
    if (key == "action") {
      a.action.assign(json::str(v, "alert.action"));
    } else if (key == "signature_id") {
      sid = json::integer(v, "alert.signature_id");
    } else if (key == "signature") {
      a.rule_name.assign(json::str(v, "alert.signature"));
    } else if (key == "category") {
      a.rule_category.assign(json::str(v, "alert.category"));
    } else if (key == "severity") {
      sev = json::integer(v, "alert.severity");
    } else if (key == "gid") {
      a.vendor_fields.emplace_back("gid", json::scalar(v, "alert.gid"));
    } else if (key == "rev") {
      a.vendor_fields.emplace_back("rev", json::scalar(v, "alert.rev"));
    } else if (key == "source") {
      element ip;
      if (json::member(v, "ip", ip)) alert_src_ip.assign(json::str(ip, "alert.source.ip"));
    } else if (key == "metadata" && v.is_object()) {
      element ss;
      if (json::member(v, "signature_severity", ss) && ss.is_array()) {
        simdjson::dom::array arr = json::array_of(ss);
        for (element x : arr) {
          std::string_view s;
          if (x.get_string().get(s) == simdjson::SUCCESS && iequals(s, "critical"))
            critical = true;
        }
      }
    }
  }
  if (sid >= 0) a.rule_id = std::to_string(sid);
  a.severity = critical ? 100 : severity_from_suricata(sev);
}

void read_http(element h, Alert& a, std::string& path) {
  if (!h.is_object()) throw RecordError("http is not an object");
  simdjson::dom::object obj = json::object_of(h);
  for (auto [key, v] : obj) {
    if (key == "hostname")
      a.url_domain.assign(json::str(v, "http.hostname"));
    else if (key == "url")
      path.assign(json::str(v, "http.url"));
    else if (key == "http_user_agent")
      a.user_agent.assign(json::str(v, "http.http_user_agent"));
    else if (key == "http_method")
      a.http_method.assign(json::str(v, "http.http_method"));
    else if (key == "http_refer")
      a.referrer.assign(json::str(v, "http.http_refer"));
    else if (key == "status")
      a.http_status = json::integer(v, "http.status");
  }
}

void read_dns(element d, Alert& a) {
  if (!d.is_object()) throw RecordError("dns is not an object");
  element x;
  if (json::member(d, "rrname", x)) a.dns_question.assign(json::str(x, "dns.rrname"));
  if (json::member(d, "rrtype", x)) a.dns_type.assign(json::str(x, "dns.rrtype"));
  if (a.dns_question.empty() && json::member(d, "query", x) && x.is_array()) {
    simdjson::dom::array arr = json::array_of(x);
    for (element q : arr) {
      element n;
      if (json::member(q, "rrname", n)) a.dns_question.assign(json::str(n, "dns.query.rrname"));
      if (json::member(q, "rrtype", n)) a.dns_type.assign(json::str(n, "dns.query.rrtype"));
      break;
    }
  }
}

void read_fileinfo(element f, Alert& a) {
  if (!f.is_object()) throw RecordError("fileinfo is not an object");
  simdjson::dom::object obj = json::object_of(f);
  for (auto [key, v] : obj) {
    if (key == "filename")
      a.file_name.assign(json::str(v, "fileinfo.filename"));
    else if (key == "md5")
      a.file_md5.assign(json::str(v, "fileinfo.md5"));
    else if (key == "sha1")
      a.file_sha1.assign(json::str(v, "fileinfo.sha1"));
    else if (key == "sha256")
      a.file_sha256.assign(json::str(v, "fileinfo.sha256"));
    else if (key == "size")
      a.file_size = json::integer(v, "fileinfo.size");
    else if (key == "magic")
      a.file_type.assign(json::str(v, "fileinfo.magic"));
  }
}

// url.full for an HTTP path seen on `server` ("/gate.php" -> http://host[:port]/gate.php);
// proxy requests carry the absolute URL already.
void build_url(Alert& a, std::string host, const std::string& path, const Endpoint& server) {
  if (path.empty()) return;
  std::string lower_path = to_lower(path.substr(0, 8));
  if (lower_path.rfind("http://", 0) == 0 || lower_path.rfind("https://", 0) == 0) {
    a.url_full = path;
    return;
  }
  if (host.empty()) host = server.ip;
  if (host.empty()) return;
  bool v6 = host.find(':') != std::string::npos;
  a.url_full = "http://";
  if (v6) a.url_full += '[';
  a.url_full += host;
  if (v6) a.url_full += ']';
  if (server.port >= 0 && server.port != 80 && server.port != 443) {
    a.url_full += ':';
    a.url_full += std::to_string(server.port);
  }
  if (path.front() != '/') a.url_full += '/';
  a.url_full += path;
}

}  // namespace

void FlowContext::merge(const FlowContext& o) {
  for (auto [mine, theirs] :
       {std::pair{&hostname, &o.hostname}, {&path, &o.path}, {&user_agent, &o.user_agent},
        {&method, &o.method}, {&referrer, &o.referrer}, {&dns_name, &o.dns_name},
        {&dns_type, &o.dns_type}, {&sni, &o.sni}, {&file_name, &o.file_name},
        {&file_type, &o.file_type}, {&file_md5, &o.file_md5}, {&file_sha1, &o.file_sha1},
        {&file_sha256, &o.file_sha256}})
    if (mine->empty()) *mine = *theirs;
  if (status < 0) status = o.status;
  if (file_size < 0) file_size = o.file_size;
}

void apply_flow_context(Alert& a, const FlowContext& c) {
  if (a.user_agent.empty()) a.user_agent = c.user_agent;
  if (a.http_method.empty()) a.http_method = c.method;
  if (a.referrer.empty()) a.referrer = c.referrer;
  if (a.http_status < 0) a.http_status = c.status;
  if (a.dns_question.empty()) {
    a.dns_question = c.dns_name;
    a.dns_type = c.dns_type;
  }
  if (a.tls_sni.empty()) a.tls_sni = c.sni;
  bool server_is_source = a.source.port >= 0 && a.destination.port >= 0 &&
                          a.source.port < 1024 && a.destination.port >= 1024;
  Endpoint& server = server_is_source ? a.source : a.destination;
  std::string host = c.hostname.empty() ? c.sni : c.hostname;
  if (server.domain.empty() && !host.empty() && !canonical_ip(host)) server.domain = host;
  if (a.url_full.empty()) build_url(a, host, c.path, server);
  if (a.file_name.empty() && a.file_md5.empty() && a.file_sha1.empty() && a.file_sha256.empty()) {
    a.file_name = c.file_name;
    a.file_type = c.file_type;
    a.file_md5 = c.file_md5;
    a.file_sha1 = c.file_sha1;
    a.file_sha256 = c.file_sha256;
    a.file_size = c.file_size;
  }
}

bool parse_eve(element root, std::string_view line, Alert& a, FlowContext* context) {
  std::string_view event_type;
  element alert, http, dns, tls, fileinfo;
  bool has_alert = false, has_http = false, has_dns = false, has_tls = false, has_file = false;
  std::string_view ts, proto, app_proto, direction;
  simdjson::dom::object top = json::object_of(root);
  for (auto [key, v] : top) {
    if (key.empty()) continue;
    switch (key[0]) {
      case 'a':
        if (key == "alert") {
          alert = v;
          has_alert = true;
        } else if (key == "app_proto") {
          app_proto = json::str(v, "app_proto");
        }
        break;
      case 'c':
        if (key == "community_id") a.community_id.assign(json::str(v, "community_id"));
        break;
      case 'd':
        if (key == "dest_ip")
          read_ip(v, "dest_ip", a.destination.ip);
        else if (key == "dest_port")
          a.destination.port = read_port(v, "dest_port");
        else if (key == "dns") {
          dns = v;
          has_dns = true;
        } else if (key == "direction") {
          direction = json::str(v, "direction");
        }
        break;
      case 'e':
        if (key == "event_type") event_type = json::str(v, "event_type");
        break;
      case 'f':
        if (key == "flow_id") {
          a.flow_id = json::scalar(v, "flow_id");
        } else if (key == "fileinfo") {
          fileinfo = v;
          has_file = true;
        }
        break;
      case 'h':
        if (key == "http") {
          http = v;
          has_http = true;
        } else if (key == "host") {
          a.observer_hostname.assign(json::str(v, "host"));
        }
        break;
      case 'p':
        if (key == "proto") proto = json::str(v, "proto");
        break;

      case 's':
        if (key == "src_ip")
          read_ip(v, "src_ip", a.source.ip);
        else if (key == "src_port")
          a.source.port = read_port(v, "src_port");
        break;
      case 't':
        if (key == "timestamp")
          ts = json::str(v, "timestamp");
        else if (key == "tls") {
          tls = v;
          has_tls = true;
        } else if (key == "tx_id") {
          a.vendor_fields.emplace_back("tx_id", json::scalar(v, "tx_id"));
        }
        break;
      default:
        break;
    }
  }
  if (event_type.empty()) throw RecordError("EVE event has no event_type");
  if (event_type != "alert") {
    if (context) {
      context->flow_id.clear();
      if (a.flow_id.empty() || !(has_http || has_dns || has_tls || has_file)) return false;
      // The context events' own fields, read the way an alert's are. A context event with a
      // field of the wrong type gives no context (it is skipped, as before, not rejected).
      std::string path;
      try {
        if (has_http) read_http(http, a, path);
        if (has_dns) read_dns(dns, a);
        if (has_tls && tls.is_object()) {
          element sni;
          if (json::member(tls, "sni", sni)) a.tls_sni.assign(json::str(sni, "tls.sni"));
        }
        if (has_file) read_fileinfo(fileinfo, a);
      } catch (const RecordError&) {
        return false;
      }
      FlowContext& c = *context;
      c.flow_id = a.flow_id;
      c.hostname = a.url_domain;
      c.path = std::move(path);
      c.user_agent = a.user_agent;
      c.method = a.http_method;
      c.referrer = a.referrer;
      c.status = a.http_status;
      c.dns_name = a.dns_question;
      c.dns_type = a.dns_type;
      c.sni = a.tls_sni;
      c.file_name = a.file_name;
      c.file_type = a.file_type;
      c.file_md5 = a.file_md5;
      c.file_sha1 = a.file_sha1;
      c.file_sha256 = a.file_sha256;
      c.file_size = a.file_size;
    }
    return false;
  }
  if (!has_alert) throw RecordError("EVE alert event has no alert object");

  if (!ts.empty()) {
    auto t = time::parse_rfc3339(ts);
    if (!t) throw RecordError("timestamp " + quoted(ts) + " is not a time");
    a.timestamp = *t;
    a.has_timestamp = true;
  }
  if (!a.flow_id.empty()) a.vendor_fields.insert(a.vendor_fields.begin(), {"flow_id", a.flow_id});
  a.vendor_key = "suricata";
  std::string alert_src_ip;
  read_alert(alert, a, alert_src_ip);
  if (!alert_src_ip.empty()) {
    // alert.source/target (rules with the "target" keyword) say who attacks; compare
    // canonical forms, Suricata may spell an IPv6 address two ways.
    auto s = canonical_ip(alert_src_ip), src = canonical_ip(a.source.ip);
    a.attacker = (s && src && *s == *src) ? Attacker::Source : Attacker::Destination;
  }

  a.transport = to_lower(proto);
  if (!app_proto.empty() && app_proto != "failed") a.protocol.assign(app_proto);
  std::string path;
  if (has_http) read_http(http, a, path);
  if (has_dns) read_dns(dns, a);
  if (has_tls) {
    if (!tls.is_object()) throw RecordError("tls is not an object");
    element sni;
    if (json::member(tls, "sni", sni)) a.tls_sni.assign(json::str(sni, "tls.sni"));
  }
  if (has_file) read_fileinfo(fileinfo, a);
  // HTTP host, TLS SNI and the URL belong to the server side. An alert on a response
  // (direction "to_client", or a well-known source port talking to an ephemeral one) has the
  // server as its source.
  bool server_is_source =
      direction == "to_client" ||
      (direction.empty() && a.source.port >= 0 && a.destination.port >= 0 &&
       a.source.port < 1024 && a.destination.port >= 1024);
  Endpoint& server = server_is_source ? a.source : a.destination;
  std::string host = a.url_domain.empty() ? a.tls_sni : a.url_domain;
  if (!host.empty() && !canonical_ip(host)) server.domain = host;
  build_url(a, host, path, server);
  a.url_domain.clear();  // the writer derives it from url.full

  a.dataset = "suricata.eve";
  a.categories = {"intrusion_detection", "network"};
  a.observer_vendor = "OISF";
  a.observer_product = "Suricata";
  a.observer_type = "ids";
  a.id_product = "Suricata";
  a.id_native.assign(trim_view(line));
  return true;
}

}  // namespace tr::ingest
