// Cisco Firepower / FTD security-event syslog -> alert (integrations.md B7; tr-ingest(1)).
//
// "%FTD-<level>-4300NN: Key: Value, Key: Value, ..." (FMC-managed sensors write %NGIPS-).
// Since 6.3 empty fields are left out and the order changes between versions, so the body is
// read into pairs, never by position. Values may contain ", " (Message, Classification, a
// user agent): a pair ends only where ", " is followed by something shaped like a key
// ("[A-Za-z][A-Za-z0-9_ ]*: "). Other FTD message ids (VPN, AAA, ...) are valid syslog but
// not security events: skipped.
#include <vector>

#include "core/error.hpp"
#include "ingest/parsers.hpp"

namespace tr::ingest {
namespace {

struct Kv {
  std::string_view key, value;
};

bool key_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return false;
  char c = s[i];
  if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  for (std::size_t j = i + 1; j < s.size() && j < i + 48; ++j) {
    c = s[j];
    if (c == ':') return j + 1 < s.size() && s[j + 1] == ' ';
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '_' || c == ' '))
      return false;
  }
  return false;
}

std::string_view unquote(std::string_view v) {
  v = trim_view(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

void split_pairs(std::string_view body, std::vector<Kv>& out) {
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t colon = body.find(": ", start);
    if (colon == std::string_view::npos) throw RecordError("FTD event field has no \": \"");
    std::string_view key = trim_view(body.substr(start, colon - start));
    std::size_t vstart = colon + 2, end = vstart;
    for (;;) {
      end = body.find(", ", end);
      if (end == std::string_view::npos || key_at(body, end + 2)) break;
      end += 2;
    }
    std::size_t vend = end == std::string_view::npos ? body.size() : end;
    out.push_back({key, unquote(body.substr(vstart, vend - vstart))});
    if (end == std::string_view::npos) break;
    start = end + 2;
  }
}

int priority_severity(std::string_view p) {
  int64_t n = parse_uint(p);
  if (n == 1) return 75;
  if (n == 2) return 50;
  if (n >= 3) return 25;
  if (iequals(p, "high")) return 75;
  if (iequals(p, "medium")) return 50;
  if (iequals(p, "low")) return 25;
  return -1;
}

}  // namespace

bool parse_ftd(std::string_view line, std::size_t tag, Alert& a) {
  std::string_view s = line.substr(tag);  // "%FTD-1-430001: ..."
  std::size_t dash1 = s.find('-'), dash2 = s.find('-', dash1 + 1);
  if (dash1 == std::string_view::npos || dash2 == std::string_view::npos)
    throw RecordError("FTD message tag is malformed");
  std::string_view product = s.substr(1, dash1 - 1);
  std::size_t id_end = s.find_first_of(": ", dash2 + 1);
  std::string_view msg_id = s.substr(dash2 + 1, id_end - dash2 - 1);
  if (msg_id.size() != 6 || msg_id.substr(0, 4) != "4300") return false;  // not a security event
  if (id_end == std::string_view::npos || s.substr(id_end, 2) != ": ")
    throw RecordError("FTD " + std::string(msg_id) + " event has no fields");
  std::string_view body = s.substr(id_end + 2);
  if (tag > 0) parse_syslog_prefix(line.substr(0, tag), a);

  std::vector<Kv> kv;
  kv.reserve(48);
  split_pairs(body, kv);
  std::string_view sid, gid, rev, priority, event_priority, first_packet, connection_id,
      device_uuid, instance_id, inline_result, ac_action, si_ip, si_category, disposition;
  for (const auto& [k, v] : kv) {
    if (v.empty()) continue;
    if (k == "SrcIP") {
      if (!canonical_ip(v)) throw RecordError("SrcIP " + quoted(v) + " is not an IP address");
      a.source.ip.assign(v);
    } else if (k == "DstIP") {
      if (!canonical_ip(v)) throw RecordError("DstIP " + quoted(v) + " is not an IP address");
      a.destination.ip.assign(v);
    } else if (k == "SrcPort") {
      a.source.port = parse_port(v);
    } else if (k == "DstPort") {
      a.destination.port = parse_port(v);
    } else if (k == "Protocol") {
      a.transport = to_lower(v);
    } else if (k == "ApplicationProtocol") {
      a.protocol = to_lower(v);
    } else if (k == "GID") {
      gid = v;
    } else if (k == "SID") {
      sid = v;
    } else if (k == "Revision") {
      rev = v;
    } else if (k == "Message") {
      a.rule_name.assign(v);
    } else if (k == "Classification") {
      a.rule_category.assign(v);
    } else if (k == "Priority") {
      priority = v;
    } else if (k == "EventPriority") {
      event_priority = v;
    } else if (k == "IntrusionPolicy") {
      a.rule_ruleset.assign(v);
    } else if (k == "InlineResult") {
      inline_result = v;
    } else if (k == "AccessControlRuleAction") {
      ac_action = v;
    } else if (k == "User") {
      if (v != "No Authentication Required" && v != "Unknown") a.user_name.assign(v);
    } else if (k == "FirstPacketSecond") {
      first_packet = v;
    } else if (k == "ConnectionID") {
      connection_id = v;
    } else if (k == "DeviceUUID") {
      device_uuid = v;
    } else if (k == "InstanceID") {
      instance_id = v;
    } else if (k == "URI" || k == "URL") {
      if (v != "Unknown") a.url_full.assign(v);
    } else if (k == "UserAgent") {
      a.user_agent.assign(v);
    } else if (k == "HTTPReferer") {
      a.referrer.assign(v);
    } else if (k == "ReferencedHost") {
      a.add_observable("domain", v, "related");
    } else if (k == "FileName") {
      a.file_name.assign(v);
    } else if (k == "FileType") {
      a.file_type.assign(v);
    } else if (k == "FileSize") {
      a.file_size = parse_uint(v);
    } else if (k == "FileSHA256") {
      a.file_sha256.assign(v);
    } else if (k == "ThreatName") {
      if (v != "Unknown") a.threat_name.assign(v);
    } else if (k == "SHA_Disposition") {
      disposition = v;
    } else if (k == "SecIntMatchingIP") {
      si_ip = v;
    } else if (k == "IPReputationSICategory" || k == "DNSSICategory" || k == "URLSICategory") {
      si_category = v;
    } else if (k == "FileDirection") {
      a.vendor_fields.emplace_back("FileDirection", std::string(v));
    } else if (k == "FileAction") {
      a.action.assign(v);
    } else {
      a.vendor_fields.emplace_back(std::string(k), std::string(v));
    }
  }
  a.vendor_key = "ftd";
  a.vendor_fields.insert(a.vendor_fields.begin(), {"message_id", std::string(msg_id)});
  if (!device_uuid.empty()) a.vendor_fields.emplace_back("DeviceUUID", std::string(device_uuid));
  if (!connection_id.empty())
    a.vendor_fields.emplace_back("ConnectionID", std::string(connection_id));
  if (!first_packet.empty()) {
    auto t = time::parse_rfc3339(first_packet);
    if (!t) throw RecordError("FirstPacketSecond " + quoted(first_packet) + " is not a time");
    a.timestamp = *t;
    a.has_timestamp = true;
  }
  a.observer_vendor = "Cisco";
  a.observer_product = product == "NGIPS" ? "Firepower" : "Firepower Threat Defense";
  a.observer_type = "ids";
  a.dataset = "cisco.ftd";

  if (msg_id == "430001") {  // intrusion event
    if (!sid.empty())
      a.rule_id = std::string(gid.empty() ? "1" : gid) + ":" + std::string(sid) + ":" +
                  std::string(rev.empty() ? "0" : rev);
    a.severity = priority_severity(!priority.empty() ? priority : event_priority);
    if (a.severity < 0) a.severity = 50;
    a.categories = {"intrusion_detection", "network"};
    a.action = inline_result.empty() ? std::string(ac_action) : to_lower(inline_result);
  } else if (msg_id == "430004" || msg_id == "430005") {  // file / malware event
    a.rule_id = std::string(msg_id);
    a.rule_name = msg_id == "430005" ? "File malware event" : "File event";
    if (!a.threat_name.empty()) a.rule_name += ": " + a.threat_name;
    bool malware = msg_id == "430005" || iequals(disposition, "Malware");
    a.severity = iequals(disposition, "Malware") ? 100 : malware ? 75 : 50;
    a.categories = {"malware", "file"};
    if (malware) a.classification = "malware";
    if (!disposition.empty()) a.vendor_fields.emplace_back("SHA_Disposition", std::string(disposition));
    a.attacker = Attacker::Destination;  // the file came from the server side
    for (const auto& [k, v] : a.vendor_fields)
      if (k == "FileDirection" && v == "Upload") a.attacker = Attacker::Source;
  } else {  // 430002/430003 connection events: alerts when security intelligence matched
    a.rule_id = std::string(msg_id);
    a.rule_name = msg_id == "430002" ? "Connection event (start)" : "Connection event (end)";
    a.action.assign(ac_action);
    a.categories = {"network"};
    if (!si_ip.empty() || !si_category.empty()) {
      a.rule_name = "Security intelligence match";
      if (!si_category.empty()) a.rule_name += ": " + std::string(si_category);
      a.severity = 75;
      a.rule_category.assign(si_category);
      if (si_ip == "Destination") a.attacker = Attacker::Destination;
      if (si_ip == "Source") a.attacker = Attacker::Source;
    } else {
      a.severity = iequals(ac_action, "Block") ? 50 : 25;
      a.classification = iequals(ac_action, "Block") ? "policy" : "other";
    }
  }
  a.id_product = "Cisco/FTD";
  if (!connection_id.empty() && !first_packet.empty()) {
    a.id_native = std::string(device_uuid.empty() ? std::string_view(a.observer_hostname) : device_uuid);
    for (std::string_view p : {instance_id, connection_id, first_packet, msg_id, sid,
                               std::string_view(a.file_sha256)}) {
      a.id_native += '\x1f';
      a.id_native += p;
    }
  } else {
    a.id_native.assign(trim_view(line));
  }
  return true;
}

}  // namespace tr::ingest
