// Vendor JSON documents -> alerts: Proofpoint TAP SIEM API records, FireEye/Trellix alert
// notifications (NX/EX/CM/MAS, JSON "normal"/"extended" and the CM API's camelCase form),
// and Splunk results (search export lines, webhook payloads, result rows). Mappings and
// severity tables in tr-ingest(1).
//
// Surprises kept here on purpose:
//  - TAP: message events say threatID/campaignID, click events campaignId and threatURL vs
//    threatUrl; `recipient` is a list for messages and a string for clicks; a click's time is
//    the later of clickTime and threatTime (URLs are often condemned after the click).
//  - FireEye: `alert`, `malware` and `cnc-service` are an object for one item and an array for
//    several; all numbers may be strings; `occurred` is "YYYY-MM-DD HH:MM:SS+00".
//  - Splunk: every value of a webhook result is a string; multi-value fields are arrays.
#include <functional>
#include <string>

#include "ingest/json_util.hpp"
#include "core/error.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string_view sv(element obj, std::string_view key) {
  element x;
  if (!json::member(obj, key, x)) return {};
  std::string_view s;
  if (x.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

std::string text(element obj, std::string_view key) {
  element x;
  if (!json::member(obj, key, x)) return {};
  if (x.is_object() || x.is_array()) return {};
  return json::scalar(x, key);
}

// Items of a member that is an array, or the member itself when it is one object.
template <class Fn>
void each(element obj, std::string_view key, Fn fn) {
  element x;
  if (!json::member(obj, key, x)) return;
  if (x.is_array()) {
    simdjson::dom::array arr = json::array_of(x);
    for (element e : arr) fn(e);
  } else if (x.is_object()) {
    fn(x);
  }
}

void strings_of(element obj, std::string_view key, std::vector<std::string>& out) {
  element x;
  if (!json::member(obj, key, x)) return;
  std::string_view s;
  if (x.get_string().get(s) == simdjson::SUCCESS) {
    if (!s.empty()) out.emplace_back(s);
  } else if (x.is_array()) {
    simdjson::dom::array arr = json::array_of(x);
    for (element e : arr)
      if (e.get_string().get(s) == simdjson::SUCCESS && !s.empty()) out.emplace_back(s);
  }
}

void set_time(Alert& a, std::string_view s, std::string_view field) {
  if (s.empty()) return;
  auto t = time::parse_rfc3339(s);
  if (!t) t = time::parse_epoch(s);
  if (!t) throw RecordError(std::string(field) + " " + ingest::quoted(s) + " is not a time");
  a.timestamp = *t;
  a.has_timestamp = true;
}

void check_ip(std::string_view s, std::string_view field) {
  if (!s.empty() && !is_canonical_ipv4(s) && !canonical_ip(s))
    throw RecordError(std::string(field) + " " + ingest::quoted(s) + " is not an IP address");
}

// ---------------------------------------------------------------------------------------
// Proofpoint TAP

std::string_view lower_class(std::string_view c, std::string& buf) {
  buf = to_lower(c);
  if (buf == "malware" || buf == "phish" || buf == "spam" || buf == "impostor") return buf;
  if (buf == "phishing") return "phish";
  return "other";
}

void tap_common(element ev, Alert& a) {
  a.observer_vendor = "Proofpoint";
  a.observer_product = "TAP";
  a.observer_type = "email";
  a.dataset = "proofpoint.tap";
  a.categories = {"email", "threat"};
  a.id_product = "Proofpoint TAP";
  a.vendor_key = "proofpoint";
  std::string_view guid = sv(ev, "GUID");
  if (!guid.empty()) a.vendor_fields.emplace_back("GUID", std::string(guid));
  std::string_view msg_id = sv(ev, "messageID");
  if (!msg_id.empty()) a.email_message_id.assign(msg_id);
  std::string sender_ip(sv(ev, "senderIP"));
  check_ip(sender_ip, "senderIP");
  a.source.ip = sender_ip;
}

void tap_threat(element t, Alert& a, bool click) {
  std::string buf;
  std::string_view cls = lower_class(sv(t, "classification"), buf);
  a.classification.assign(cls);
  std::string threat_id = text(t, "threatID");
  std::string_view status = sv(t, "threatStatus");
  std::string_view url = sv(t, "threatUrl");
  if (url.empty()) url = sv(t, "threatURL");
  std::string campaign = text(t, "campaignID");
  if (campaign.empty()) campaign = text(t, "campaignId");
  a.rule_id = threat_id;
  if (!threat_id.empty()) a.vendor_fields.emplace_back("threatID", threat_id);
  if (!status.empty()) a.vendor_fields.emplace_back("threatStatus", std::string(status));
  if (!url.empty()) a.vendor_fields.emplace_back("threatUrl", std::string(url));
  if (!campaign.empty()) a.vendor_fields.emplace_back("campaignID", campaign);
  if (!click) {
    std::string_view type = sv(t, "threatType");
    std::string_view threat = sv(t, "threat");
    a.rule_name = "Proofpoint TAP " + std::string(cls) + " " + std::string(type) + " threat";
    if (type == "url" || threat.find("://") != std::string_view::npos) {
      a.url_full.assign(threat);
    } else if (type == "attachment" && hash_type(threat) != "") {
      if (hash_type(threat) == "sha256") a.file_sha256.assign(threat);
      else if (hash_type(threat) == "md5") a.file_md5.assign(threat);
    } else if (!threat.empty()) {
      a.message = "Proofpoint TAP " + std::string(cls) + " threat: " + std::string(threat);
    }
  }
}

int tap_severity(std::string_view cls, bool stopped) {
  if (cls == "spam") return 25;
  if (cls == "malware" || cls == "phish" || cls == "impostor") return stopped ? 50 : 100;
  return stopped ? 25 : 50;
}

// kind: "messagesDelivered", "messagesBlocked", "clicksPermitted", "clicksBlocked" or ""
// (a bare record: told apart by its fields).
void parse_tap_record(element ev, std::string_view kind, std::string_view line, Alert& a,
                      const std::function<void(Alert&)>& emit) {
  bool click = kind.rfind("clicks", 0) == 0;
  element x;
  if (kind.empty()) click = json::member(ev, "clickTime", x) || json::member(ev, "clickIP", x);
  if (click) {
    a.clear();
    tap_common(ev, a);
    tap_threat(ev, a, true);
    // The clicker is the victim; the URL (and the mail's sender) the attacker.
    std::string click_ip(sv(ev, "clickIP"));
    check_ip(click_ip, "clickIP");
    if (!a.source.ip.empty()) a.add_observable("ip", a.source.ip, "attacker");
    a.source.ip = click_ip;
    a.attacker = Attacker::Destination;
    a.url_full.assign(sv(ev, "url"));
    a.user_agent.assign(sv(ev, "userAgent"));
    std::string_view recipient = sv(ev, "recipient");
    if (!recipient.empty()) {
      a.email_to.emplace_back(recipient);
      a.user_email.assign(recipient);
    }
    std::string_view sender = sv(ev, "sender");
    if (!sender.empty()) a.email_sender.assign(sender);
    auto ct = time::parse_rfc3339(sv(ev, "clickTime"));
    auto tt = time::parse_rfc3339(sv(ev, "threatTime"));
    if (!ct && !tt) throw RecordError("TAP click has no clickTime");
    a.timestamp = std::max(ct.value_or(0), tt.value_or(0));
    a.has_timestamp = true;
    bool blocked = kind == "clicksBlocked";
    // A bare record does not say whether the click was let through: no event.action then.
    a.action = kind.empty() ? "" : blocked ? "blocked" : "allowed";
    a.rule_name = "Proofpoint TAP " + a.classification + " URL click " +
                  (blocked ? "blocked" : kind.empty() ? "" : "permitted");
    while (!a.rule_name.empty() && a.rule_name.back() == ' ') a.rule_name.pop_back();
    a.severity = tap_severity(a.classification, blocked);
    a.event_id.assign(sv(ev, "id"));
    a.id_native = std::string(sv(ev, "GUID")) + "\x1f" + a.event_id + "\x1f" + a.rule_id;
    emit(a);
    return;
  }
  // A message: one alert per threat of threatsInfoMap.
  // A bare record does not say whether it was delivered; a quarantine folder says blocked.
  bool blocked = kind == "messagesBlocked" || !sv(ev, "quarantineFolder").empty();
  bool known = !kind.empty() || blocked;
  auto fill = [&]() {
    a.clear();
    tap_common(ev, a);
    set_time(a, sv(ev, "messageTime"), "messageTime");
    a.event_id.assign(sv(ev, "id"));
    strings_of(ev, "fromAddress", a.email_from);
    std::string_view sender = sv(ev, "sender");
    if (!sender.empty()) a.email_sender.assign(sender);
    strings_of(ev, "toAddresses", a.email_to);
    if (a.email_to.empty()) strings_of(ev, "recipient", a.email_to);
    strings_of(ev, "ccAddresses", a.email_cc);
    strings_of(ev, "replyToAddress", a.email_reply_to);
    a.email_subject.assign(sv(ev, "subject"));
    if (a.email_to.size() == 1) a.user_email = a.email_to[0];
    for (const auto& r : a.email_to) a.add_observable("email", r, "victim");
    a.action = !known ? "" : blocked ? "blocked" : "delivered";
    std::string qid = text(ev, "QID");
    if (!qid.empty()) a.vendor_fields.emplace_back("QID", qid);
    // Attachments: every part's hashes are related; a malicious part's name goes to file.name.
    each(ev, "messageParts", [&](element p) {
      std::string_view md5 = sv(p, "md5"), sha = sv(p, "sha256"), name = sv(p, "filename");
      if (!sha.empty()) a.add_observable("sha256", sha, "related");
      if (!md5.empty()) a.add_observable("md5", md5, "related");
      if (!name.empty() && name != "text.txt" && name != "text.html")
        a.add_observable("filename", name, "related");
    });
  };
  std::size_t n = 0;
  each(ev, "threatsInfoMap", [&](element t) {
    fill();
    tap_threat(t, a, false);
    // the attachment that carried the threat
    if (!a.file_sha256.empty())
      each(ev, "messageParts", [&](element p) {
        if (iequals(sv(p, "sha256"), a.file_sha256)) a.file_name.assign(sv(p, "filename"));
      });
    a.severity = tap_severity(a.classification, blocked);
    a.id_native = std::string(sv(ev, "GUID")) + "\x1f" + a.event_id + "\x1f" + a.rule_id;
    emit(a);
    ++n;
  });
  if (n == 0) {  // no threat listed: one alert for the message, classified by its scores
    fill();
    int64_t best = 0;
    for (auto [key, cls] : {std::pair{"phishScore", "phish"}, std::pair{"malwareScore", "malware"},
                            std::pair{"impostorScore", "impostor"}, std::pair{"spamScore", "spam"}}) {
      element s;
      if (!json::member(ev, key, s)) continue;
      double v = 0;
      if (s.get_double().get(v) != simdjson::SUCCESS) {
        int64_t i = 0;
        if (s.get_int64().get(i) == simdjson::SUCCESS) v = static_cast<double>(i);
      }
      if (v > static_cast<double>(best)) {
        best = static_cast<int64_t>(v);
        a.classification = cls;
      }
    }
    if (a.classification.empty()) a.classification = "other";
    a.rule_name = "Proofpoint TAP message (" + a.classification + ")";
    a.severity = tap_severity(a.classification, blocked);
    a.id_native = std::string(sv(ev, "GUID")) + "\x1f" + a.event_id;
    if (a.id_native.size() <= 2) a.id_native.assign(trim_view(line));
    emit(a);
  }
}

// ---------------------------------------------------------------------------------------
// FireEye / Trellix JSON notifications

// The first of `keys` that `obj` has; false when none.
bool member_any(element obj, std::initializer_list<std::string_view> keys, element& out) {
  for (auto k : keys)
    if (json::member(obj, k, out)) return true;
  return false;
}

bool has_member(element obj, std::initializer_list<std::string_view> keys) {
  element x;
  for (auto k : keys)
    if (json::member(obj, k, x)) return true;
  return false;
}

void fireeye_endpoint(element e, Endpoint& ep, std::string_view name) {
  if (!e.is_object()) return;
  std::string ip = text(e, "ip");
  check_ip(ip, std::string(name) + ".ip");
  ep.ip = ip;
  std::string port = text(e, "port");
  if (!port.empty()) ep.port = parse_port(port);
  ep.mac = text(e, "mac");
  ep.domain = text(e, "host");
}

void parse_fireeye_alert(element doc, element al, std::string_view line, Alert& a) {
  a.observer_vendor = "FireEye";
  std::string product = text(doc, "product");
  if (product.empty()) product = text(al, "product");
  a.observer_product = product.empty() ? "MPS" : product;
  a.observer_type = "ids";
  a.observer_hostname = text(doc, "appliance");
  if (a.observer_hostname.empty()) a.observer_hostname = text(al, "sensor");
  a.dataset = "fireeye.json";
  a.vendor_key = "fireeye";
  std::string id = text(al, "id");
  std::string name = text(al, "name");
  a.rule_name = name;
  a.event_id = id;
  a.action = text(al, "action");
  std::string sev = to_lower(text(al, "severity"));
  a.severity = sev == "crit" ? 100 : sev == "majr" ? 75 : sev == "minr" ? 50 : -1;
  std::string occurred = text(al, "occurred");
  if (occurred.empty()) occurred = text(al, "attackTime");
  if (!occurred.empty()) {
    auto t = time::parse_rfc3339(occurred);
    if (!t) throw RecordError("occurred " + ingest::quoted(occurred) + " is not a time");
    a.timestamp = *t;
    a.has_timestamp = true;
  }
  element src, dst, smtp, ex, md, cnc;
  if (json::member(al, "src", src)) {
    fireeye_endpoint(src, a.source, "src");
    std::string mail_from = text(src, "smtp-mail-from");
    if (!mail_from.empty()) a.email_from.push_back(mail_from);
  }
  if (json::member(al, "dst", dst)) {
    fireeye_endpoint(dst, a.destination, "dst");
    std::string mail_to = text(dst, "smtp-to");
    if (!mail_to.empty()) a.email_to.push_back(mail_to);
  }
  if (member_any(al, {"smtp-message", "smtpMessage"}, smtp) && smtp.is_object()) {
    a.email_subject = text(smtp, "subject");
    a.email_message_id = text(smtp, "id");
  }
  std::string url = text(al, "alert-url");
  if (url.empty()) url = text(al, "alertUrl");
  if (!url.empty()) a.vendor_fields.emplace_back("alert_url", url);
  if (json::member(al, "explanation", ex) && ex.is_object()) {
    std::string proto = text(ex, "protocol");
    if (!proto.empty()) a.transport = to_lower(proto);
    bool first = true;
    if (member_any(ex, {"malware-detected", "malwareDetected"}, md)) each(md, "malware", [&](element m) {
      std::string mname = text(m, "name"), md5 = text(m, "md5sum"), sha = text(m, "sha256");
      if (first) {
        a.threat_name = mname;
        a.file_md5 = md5;
        a.file_sha256 = sha;
        a.file_name = text(m, "original");
        a.file_type = text(m, "type");
        std::string murl = text(m, "url");
        if (!murl.empty()) a.url_full = murl;
        first = false;
      } else {
        if (!md5.empty()) a.add_observable("md5", md5, "attacker");
        if (!sha.empty()) a.add_observable("sha256", sha, "attacker");
      }
    });
    bool has_cnc = member_any(ex, {"cnc-services", "cncServices"}, cnc);
    if (has_cnc) each(cnc, "cnc-service", [&](element c) {
      std::string addr = text(c, "address");
      if (!addr.empty()) a.add_observable(canonical_ip(addr) ? "ip" : "domain", addr, "attacker");
    });
    if (has_cnc) each(cnc, "cncService", [&](element c) {
      std::string addr = text(c, "address");
      if (!addr.empty()) a.add_observable(canonical_ip(addr) ? "ip" : "domain", addr, "attacker");
    });
  }
  std::string lname = to_lower(name);
  for (char& c : lname)
    if (c == '_') c = '-';
  if (lname == "malware-callback" || lname == "domain-match") {
    a.classification = "c2";
    a.attacker = Attacker::Destination;
  } else if (lname == "malware-object" || lname == "infection-match" || lname == "web-infection") {
    a.classification = "malware";
    a.attacker = Attacker::Destination;
  } else if (lname == "ips-event") {
    a.classification = "exploit";
  } else if (!a.threat_name.empty() && lname.find("malware") != std::string::npos) {
    a.classification = "malware";
  }
  if (!a.threat_name.empty()) a.message = name + ": " + a.threat_name;
  a.categories = {"intrusion_detection", "malware"};
  a.id_product = "FireEye";
  if (!id.empty())
    a.id_native = a.observer_hostname + "\x1f" + text(doc, "appliance-id") + "\x1f" + id;
  else
    a.id_native.assign(trim_view(line));
}

// ---------------------------------------------------------------------------------------
// Splunk

std::string first_of(element row, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    element x;
    if (!json::member(row, k, x)) continue;
    if (x.is_array()) {
      simdjson::dom::array arr = json::array_of(x);
      for (element e : arr) {
        std::string_view s;
        if (e.get_string().get(s) == simdjson::SUCCESS && !s.empty()) return std::string(s);
      }
      continue;
    }
    std::string v = json::scalar(x, k);
    if (!v.empty()) return v;
  }
  return {};
}

void parse_splunk_row(element row, element envelope, std::string_view line, Alert& a) {
  if (!row.is_object()) throw RecordError("Splunk result is not an object");
  a.observer_vendor = "Splunk";
  a.observer_product = "Splunk";
  a.observer_type = "siem";
  a.dataset = "splunk";
  a.vendor_key = "splunk";
  std::string t = first_of(row, {"_time"});
  if (!t.empty()) set_time(a, t, "_time");
  std::string src = first_of(row, {"src_ip", "src", "srcip", "source_ip"});
  std::string dst = first_of(row, {"dest_ip", "dest", "dst", "destination_ip"});
  if (canonical_ip(src)) a.source.ip = src; else if (!src.empty()) a.source.domain = src;
  if (canonical_ip(dst)) a.destination.ip = dst; else if (!dst.empty()) a.destination.domain = dst;
  a.source.port = parse_port(first_of(row, {"src_port"}));
  a.destination.port = parse_port(first_of(row, {"dest_port", "dst_port"}));
  std::string host = first_of(row, {"dest_nt_host", "dest_host"});
  if (!host.empty()) a.host_name = host;
  a.user_name = first_of(row, {"user", "username", "dest_user", "src_user"});
  a.url_full = first_of(row, {"url", "URL"});
  a.user_agent = first_of(row, {"http_user_agent", "user_agent"});
  a.http_method = first_of(row, {"http_method"});
  a.file_name = first_of(row, {"file_name"});
  std::string hash = first_of(row, {"file_hash", "sha256", "md5", "sha1"});
  std::string_view ht = hash_type(hash);
  if (ht == "sha256") a.file_sha256 = hash; else if (ht == "sha1") a.file_sha1 = hash;
  else if (ht == "md5") a.file_md5 = hash;
  std::string sender = first_of(row, {"sender", "src_user_email"});
  if (!sender.empty()) a.email_from.push_back(sender);
  strings_of(row, "recipient", a.email_to);
  a.email_subject = first_of(row, {"subject"});
  a.email_message_id = first_of(row, {"message_id", "internal_message_id"});
  a.transport = to_lower(first_of(row, {"transport", "protocol"}));
  a.protocol = to_lower(first_of(row, {"app"}));
  a.action = first_of(row, {"action"});
  a.rule_id = first_of(row, {"signature_id", "rule_id"});
  std::string search = text(envelope, "search_name");
  a.rule_name = first_of(row, {"signature", "rule_name", "rule_title", "search_name"});
  if (a.rule_name.empty()) a.rule_name = search;
  a.rule_category = first_of(row, {"category"});
  a.observer_hostname = first_of(row, {"host"});
  std::string sev = to_lower(first_of(row, {"severity", "urgency", "priority"}));
  a.severity = sev == "critical" ? 100 : sev == "high" ? 75 : sev == "medium" ? 50
             : (sev == "low" || sev == "informational") ? 25 : -1;
  if (a.severity < 0) {
    int64_t n = parse_uint(sev);
    if (n >= 0) a.severity = n > 100 ? 100 : static_cast<int>(n);
  }
  std::string sid = text(envelope, "sid");
  for (auto [k, v] : {std::pair<std::string_view, std::string>{"sid", sid},
                      {"search_name", search},
                      {"results_link", text(envelope, "results_link")},
                      {"index", first_of(row, {"index"})},
                      {"sourcetype", first_of(row, {"sourcetype"})},
                      {"risk_score", first_of(row, {"risk_score"})},
                      {"event_id", first_of(row, {"event_id"})}})
    if (!v.empty()) a.vendor_fields.emplace_back(std::string(k), v);
  a.id_product = "Splunk";
  std::string cd = first_of(row, {"_cd"}), idx = first_of(row, {"index"});
  std::string event_id = first_of(row, {"event_id"});
  if (!event_id.empty())
    a.id_native = event_id;
  else if (!cd.empty())
    a.id_native = idx + "\x1f" + cd + "\x1f" + t;
  else
    a.id_native.assign(trim_view(line));
}

// ---------------------------------------------------------------------------------------
// Proofpoint Threat Response "JSON Alert Source 2.0"

void ptr_endpoint(element obj, std::string_view key, Endpoint& ep, std::string& user,
                  std::string_view name) {
  element e;
  if (!json::member(obj, key, e) || !e.is_object()) return;
  std::string ip = text(e, "ip_address");
  if (ip.empty()) ip = text(e, "ip");
  check_ip(ip, std::string(name) + ".ip_address");
  ep.ip = ip;
  ep.domain = text(e, "host_name");
  if (ep.domain.empty()) ep.domain = text(e, "host");
  std::string port = text(e, "port");
  if (!port.empty()) ep.port = parse_port(port);
  ep.mac = text(e, "mac_address");
  user = text(e, "user");
}

void parse_ptr(element root, std::string_view line, Alert& a) {
  a.dataset = "proofpoint.tr";
  a.vendor_key = "ptr";
  element det;
  if (json::member(root, "detector", det) && det.is_object()) {
    a.observer_vendor = text(det, "vendor");
    a.observer_product = text(det, "product");
    if (a.observer_product.empty()) a.observer_product = text(det, "name");
    a.observer_hostname = text(det, "host_name");
  }
  if (a.observer_product.empty()) a.observer_product = "JSON alert source";
  std::string attacker_user, target_user;
  ptr_endpoint(root, "attacker", a.source, attacker_user, "attacker");
  ptr_endpoint(root, "target", a.destination, target_user, "target");
  a.attacker = Attacker::Source;
  if (!attacker_user.empty()) a.source.user = attacker_user;
  if (!target_user.empty()) a.user_name = target_user;
  each(root, "cnc_hosts", [&](element h) {
    std::string host = text(h, "host");
    if (!host.empty()) a.add_observable(canonical_ip(host) ? "ip" : "domain", host, "attacker");
  });
  each(root, "forensics_hosts", [&](element h) {
    std::string host = text(h, "host");
    if (!host.empty()) a.add_observable(canonical_ip(host) ? "ip" : "domain", host, "related");
  });
  element em;
  if (json::member(root, "email", em) && em.is_object()) {
    strings_of(em, "from", a.email_from);
    strings_of(em, "to", a.email_to);
    strings_of(em, "cc", a.email_cc);
    a.email_subject = text(em, "subject");
    a.email_message_id = text(em, "message_id");
  }
  element ti;
  std::string occurred;
  if (json::member(root, "threat_info", ti) && ti.is_object()) {
    a.threat_name = text(ti, "name");
    a.file_name = text(ti, "filename");
    a.url_full = text(ti, "url");
    a.url_is_threat = true;
    occurred = text(ti, "occurred_at");
    for (std::string_view h : {"md5", "sha1", "sha256"}) {
      std::string v = text(ti, h);
      std::string_view t = hash_type(v);
      if (t == "md5") a.file_md5 = v;
      else if (t == "sha1") a.file_sha1 = v;
      else if (t == "sha256") a.file_sha256 = v;
    }
  }
  if (occurred.empty()) occurred = text(root, "occurred_at");
  if (!occurred.empty()) set_time(a, occurred, "threat_info.occurred_at");
  std::string cls = to_lower(text(root, "classification"));
  std::string_view c = classify_text(cls);
  if (cls == "malware" || cls == "phish" || cls == "spam" || cls == "c2" || cls == "exploit" ||
      cls == "scan" || cls == "policy" || cls == "impostor")
    c = cls;
  a.classification.assign(c);
  a.rule_category = text(root, "classification");
  std::string sev = to_lower(text(root, "severity"));
  a.severity = (sev == "critical") ? 100 : (sev == "major" || sev == "high") ? 75
             : (sev == "minor" || sev == "medium") ? 50 : (sev == "info" || sev == "informational" || sev == "low") ? 25 : -1;
  a.message = text(root, "description");
  a.rule_name = a.threat_name.empty() ? a.message : a.threat_name;
  std::string link = text(root, "link_attribute");
  if (!link.empty()) a.vendor_fields.emplace_back("link_attribute", link);
  a.categories = {"threat"};
  a.id_product = "Proofpoint TR/" + a.observer_product;
  a.id_native.assign(trim_view(line));
}

}  // namespace

bool parse_vendor_json(element root, std::string_view line, Alert& a,
                       const std::function<void(Alert&)>& emit) {
  element x;
  // Proofpoint TAP: an API response (queryEndTime + arrays) or one record.
  if (json::member(root, "queryEndTime", x) || json::member(root, "messagesDelivered", x) ||
      json::member(root, "clicksPermitted", x)) {
    bool any = false;
    for (std::string_view kind :
         {"messagesDelivered", "messagesBlocked", "clicksPermitted", "clicksBlocked"}) {
      each(root, kind, [&](element ev) {
        parse_tap_record(ev, kind, line, a, emit);
        any = true;
      });
    }
    return any;
  }
  if (json::member(root, "threatsInfoMap", x) || json::member(root, "clickTime", x) ||
      (json::member(root, "GUID", x) && json::member(root, "messageID", x))) {
    parse_tap_record(root, "", line, a, emit);
    return true;
  }
  // FireEye: {"msg":..., "product":..., "alert": {...} | [...]}
  if (json::member(root, "alert", x) && (x.is_object() || x.is_array()) &&
      has_member(root, {"product", "appliance", "msg", "version", "appliance-id"})) {
    bool any = false;
    each(root, "alert", [&](element al) {
      a.clear();
      parse_fireeye_alert(root, al, line, a);
      emit(a);
      any = true;
    });
    return any;
  }
  // Proofpoint Threat Response JSON Alert Source 2.0: attacker/target/detector/threat_info.
  if ((json::member(root, "attacker", x) || json::member(root, "target", x)) && x.is_object() &&
      has_member(root, {"detector", "threat_info", "link_attribute", "cnc_hosts", "classification"})) {
    a.clear();
    parse_ptr(root, line, a);
    emit(a);
    return true;
  }
  // Splunk: export lines {"preview":..,"result":{..}}, webhook {"result":{..},"sid":..}.
  if (json::member(root, "result", x) && x.is_object()) {
    element p;
    bool preview = false;
    if (json::member(root, "preview", p) && p.get_bool().get(preview) != simdjson::SUCCESS)
      preview = false;
    if (preview) return false;  // partial results of a running search: the final ones follow
    a.clear();
    parse_splunk_row(x, root, line, a);
    emit(a);
    return true;
  }
  if (json::member(root, "messages", x) || json::member(root, "lastrow", x)) return false;
  if (json::member(root, "_time", x) && (json::member(root, "_raw", x) || json::member(root, "_cd", x) ||
                                         json::member(root, "search_name", x))) {
    a.clear();
    parse_splunk_row(root, root, line, a);
    emit(a);
    return true;
  }
  // FireEye NX network metadata: a Suricata-style event inside "rawmsg"; not an alert.
  if (json::member(root, "rawmsg", x) && json::member(root, "deviceid", x)) return false;
  throw RecordError("unrecognised JSON event (no format matched; try --format)");
}

}  // namespace tr::ingest
