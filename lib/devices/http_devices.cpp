// HTTP API devices over lib/net (retries with backoff on connection errors, 5xx and 429;
// --offline refuses before any traffic): Palo Alto PAN-OS User-ID tags, FortiGate REST v2,
// Cisco Umbrella Enforcement API and Check Point Management Web API sessions.
//
// Request bodies are built with a JSON encoder or XML/percent escaping, never by pasting
// values; values have been validated before they get here anyway. Secrets come from
// {env:}/{file:} config entries and never appear in messages (lib/net redacts query strings,
// which carry Umbrella's customerKey).
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <map>


#include "config/config.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "devices/adapters.hpp"
#include "devices/validate.hpp"
#include "net/http.hpp"
#include "time/time.hpp"

namespace tr::devices {
namespace {

using nlohmann::json;

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// "tr i-3f2a C2": what a device shows in its comment field, bounded.
std::string comment(const Entry& e) {
  std::string c = "tr";
  if (!e.incident.empty()) c += " " + e.incident;
  if (!e.reason.empty()) c += " " + e.reason;
  return c.substr(0, 200);
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// A base URL may be literal or {env: NAME} (tests point devices at a local server).
std::string base_url(const DeviceConfig& c, const std::string& fallback = "",
                     const std::string& key = "url") {
  YAML::Node n = c.node[key];
  std::string u;
  if (n && n.IsMap()) u = c.secret(key);
  else u = c.str(key, fallback);
  if (u.empty()) c.fail(key, "is required");
  if (!u.starts_with("https://") && !u.starts_with("http://")) c.fail(key, "must be http(s)");
  return trim_slash(u);
}

class HttpDevice : public Device {
 public:
  explicit HttpDevice(const DeviceConfig& c) : Device(c.name, c.str("type")) {
    net::ClientOptions o;
    o.offline = c.offline;
    o.retry.max_attempts = static_cast<int>(c.integer("retries", 4));
    o.retry.base_backoff_ms = c.integer("backoff_ms", 500);
    o.verify_tls = c.flag("verify_tls", true);
    if (c.node["ca_file"]) o.ca_file = c.path("ca_file");
    client_ = std::make_unique<net::Client>(o);
    timeout_ms_ = c.integer("timeout_ms", 30000);
  }
  Mode mode() const override { return Mode::Push; }

 protected:
  net::Response send(net::Request r) {
    r.timeout_ms = timeout_ms_;
    return client_->send(r);
  }
  // Renders a request the way it would go out, with secrets shown as ***.
  static std::string show(const std::string& method, const std::string& url,
                          const std::string& body) {
    return method + " " + url + (body.empty() ? "" : "\n" + body) + "\n";
  }
  std::unique_ptr<net::Client> client_;
  long timeout_ms_ = 30000;
};

// ---------------------------------------------------------------------------------------------
// PAN-OS XML API, two methods:
//  - tag (default): User-ID registration of the IP with a tag (timeout in seconds, 0 = never)
//    that a Dynamic Address Group matches; unregister to unblock. Users feed a Dynamic User
//    Group the same way. No commit.
//  - address-group: a static address object per entry (ip-netmask or fqdn) as a member of a
//    static address group that deny rules reference; every change is committed and the
//    commit job is polled until it finishes (FIN/OK), its errors reported.
// The API key is `key:` or, with `user:` and `password:`, generated once per run (keygen).
// Every answer is `<response status="success|error">`, HTTP 200 even for errors: the status
// attribute decides. Answers are parsed with pugixml (no DTD or entity expansion).
class PaloAlto : public HttpDevice {
 public:
  explicit PaloAlto(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c);
    if (c.node["key"]) {
      key_ = c.secret("key");
    } else {
      user_ = c.str("user");
      if (user_.empty()) c.fail("key", "is required (or user and password for keygen)");
      if (!check_value("user", user_).ok) c.fail("user", "is not a valid user name");
      password_ = c.secret("password");
    }
    method_ = c.str("method", "tag");
    if (method_ != "tag" && method_ != "address-group")
      c.fail("method", "must be tag or address-group");
    tag_ = c.ident("tag", "tr-block");
    group_ = c.ident("group", "TR-BLOCK");
    if (method_ == "address-group") {
      vsys_ = c.ident("vsys", "vsys1");
      device_ = c.ident("device_name", "localhost.localdomain");
      commit_admin_ = c.node["commit_admin"] ? c.ident("commit_admin", "") : "";
    } else {
      vsys_ = c.node["vsys"] ? c.ident("vsys", "vsys1") : "";
    }
    // Commits and EDL refreshes are jobs, polled until they finish.
    poll_ms_ = c.integer("poll_ms", 2000);
    max_polls_ = c.integer("max_polls", 300);
  }
  bool supports(std::string_view t) const override {
    if (method_ == "address-group") return t == "ip" || t == "cidr" || t == "domain";
    return t == "ip" || t == "cidr" || t == "user";
  }
  bool renew_pushes() const override { return method_ == "tag"; }

  // ---- requests (form bodies) ----
  std::string form(const std::string& type, const std::string& cmd) const {
    std::string body = "type=" + type + "&cmd=" + net::url_encode(cmd);
    if (!vsys_.empty() && type == "user-id") body += "&vsys=" + net::url_encode(vsys_);
    return body;
  }
  std::string config_form(const std::string& action, const std::string& xpath,
                          const std::string& element = "") const {
    std::string body = "type=config&action=" + action + "&xpath=" + net::url_encode(xpath);
    if (!element.empty()) body += "&element=" + net::url_encode(element);
    return body;
  }
  std::string uid_message(std::string_view op, const Entry& e, int64_t now) const {
    bool add = op == "block";
    // PAN-OS caps tag timeouts at 30 days; a longer block is re-registered by sync/renew.
    int64_t secs = std::min<int64_t>(ttl_seconds(e, now), 2592000);
    std::string member = add ? "<member timeout=\"" + std::to_string(secs) + "\">" +
                                   xml_escape(tag_) + "</member>"
                             : "<member>" + xml_escape(tag_) + "</member>";
    std::string entry;
    if (e.type == "user")
      entry = std::string(add ? "<register-user>" : "<unregister-user>") + "<entry user=\"" +
              xml_escape(e.value) + "\"><tag>" + member + "</tag></entry>" +
              (add ? "</register-user>" : "</unregister-user>");
    else
      entry = std::string(add ? "<register>" : "<unregister>") + "<entry ip=\"" +
              xml_escape(e.value) + "\"" + (add ? " persistent=\"0\"" : "") + "><tag>" + member +
              "</tag></entry>" + (add ? "</register>" : "</unregister>");
    return "<uid-message><type>update</type><payload>" + entry + "</payload></uid-message>";
  }
  std::string vsys_xpath() const {
    return "/config/devices/entry[@name='" + device_ + "']/vsys/entry[@name='" + vsys_ + "']";
  }
  std::string group_xpath() const {
    return vsys_xpath() + "/address-group/entry[@name='" + group_ + "']";
  }
  // Object names: letters, digits, '_', '.', '-', at most 63 characters. A long domain gets a
  // name from its digest (the value itself is in the object's fqdn).
  static std::string object_name(const Entry& e) {
    std::string n = "tr-" + e.value;
    for (char& ch : n)
      if (ch == '/' || ch == ':') ch = '_';
    if (n.size() > 63) n = "tr-h-" + sha256_hex(e.value).substr(0, 32);
    return n;
  }
  // The address object's content for a validated value (re-checked: it goes into XML).
  static std::string address_element(const Entry& e) {
    if (e.type == "domain") {
      Checked c = check_value("domain", e.value);
      if (!c.ok || c.value != e.value) throw RecordError("not a valid domain name");
      return "<fqdn>" + xml_escape(c.value) + "</fqdn>";
    }
    Net n;
    if ((e.type != "ip" && e.type != "cidr") || !parse_net(e.value, n))
      throw RecordError("not an address or network");
    return "<ip-netmask>" + n.address() + "/" + std::to_string(n.len) + "</ip-netmask>";
  }
  std::string commit_cmd() const {
    if (commit_admin_.empty()) return "<commit></commit>";
    // Partial commit: only this API admin's changes, never a human's pending edits.
    return "<commit><partial><admin><member>" + xml_escape(commit_admin_) +
           "</member></admin></partial></commit>";
  }
  struct Step {
    std::string body;
    bool missing_ok = false;  // a delete of something already gone is success
  };
  std::vector<Step> static_steps(std::string_view op, const Entry& e) const {
    std::string name = object_name(e);
    std::string addr = vsys_xpath() + "/address/entry[@name='" + name + "']";
    if (op == "block")
      return {{config_form("set", addr,
                           address_element(e) + "<description>" + xml_escape(comment(e)) +
                               "</description>")},
              {config_form("set", group_xpath(),
                           "<static><member>" + xml_escape(name) + "</member></static>")}};
    return {{config_form("delete", group_xpath() + "/static/member[text()='" + name + "']"), true},
            {config_form("delete", addr), true}};
  }
  std::string render(std::string_view op, const Entry& e, int64_t now) const override {
    std::string head = "POST " + url_ + "/api/ (X-PAN-KEY: ***)\n";
    if (method_ == "tag") return head + form("user-id", uid_message(op, e, now)) + "\n";
    std::string out;
    for (const auto& s : static_steps(op, e)) out += head + s.body + "\n";
    out += head + "type=commit&cmd=" + net::url_encode(commit_cmd()) + "\n";
    return out;
  }

  // ---- transport ----
  std::string key() {
    if (!key_.empty()) return key_;
    net::Request r;
    r.method = "POST";  // POST keeps the password out of URLs and logs
    r.url = url_ + "/api/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "type=keygen&user=" + net::url_encode(user_) + "&password=" + net::url_encode(password_);
    net::Response resp = send(r);
    pugi::xml_document doc;
    std::string k;
    bool parsed = parse(resp.body, doc);
    if (resp.status == 200 && parsed && success(doc))
      k = doc.child("response").child("result").child_value("key");
    if (k.empty())
      throw ExternalError("PAN-OS keygen failed (HTTP " + std::to_string(resp.status) + ")" +
                          (message(doc).empty() ? "" : ": " + message(doc)));
    key_ = k;
    return key_;
  }
  std::string call(const std::string& body) {
    net::Request r;
    r.method = "POST";
    r.url = url_ + "/api/";
    r.headers = {{"X-PAN-KEY", key()}, {"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = body;
    net::Response resp = send(r);
    if (resp.status == 401 || resp.status == 403)
      throw ExternalError("PAN-OS refused the API key (HTTP " + std::to_string(resp.status) + ")");
    if (resp.status != 200)
      throw ExternalError("PAN-OS answered HTTP " + std::to_string(resp.status));
    return resp.body;
  }
  static bool parse(const std::string& body, pugi::xml_document& doc) {
    return doc.load_buffer(body.data(), body.size(), pugi::parse_default & ~pugi::parse_doctype) &&
           doc.child("response");
  }
  static bool success(const pugi::xml_document& doc) {
    return std::string_view(doc.child("response").attribute("status").value()) == "success";
  }
  // The text of <msg> (with its <line>s) anywhere in the answer, one line, bounded.
  static std::string message(const pugi::xml_document& doc) {
    pugi::xml_node msg = doc.child("response").find_node(
        [](pugi::xml_node n) { return std::string_view(n.name()) == "msg"; });
    std::string out;
    if (!msg) return out;
    for (const pugi::xpath_node& t : msg.select_nodes(".//text()")) {
      std::string s = t.node().value();
      for (char& ch : s)
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      if (s.find_first_not_of(' ') == std::string::npos) continue;
      if (!out.empty()) out += "; ";
      out += s.substr(s.find_first_not_of(' '));
    }
    return out.substr(0, 300);
  }
  // Sends one request and returns its parsed answer; an error answer throws, unless it says
  // the wanted state is already there (`missing_ok` for deletes).
  void checked(const std::string& body, pugi::xml_document& doc, bool missing_ok,
               const std::string& what) {
    std::string answer = call(body);
    if (!parse(answer, doc)) throw ExternalError("PAN-OS " + what + ": answer is not a PAN-OS response");
    if (success(doc)) return;
    std::string msg = message(doc);
    if (missing_ok && (msg.find("doesn't exist") != std::string::npos ||
                       msg.find("does not exist") != std::string::npos ||
                       msg.find("No such node") != std::string::npos))
      return;
    throw ExternalError("PAN-OS " + what + " failed: " + (msg.empty() ? "unknown error" : msg));
  }
  // Commits (or runs an op that starts a job) and polls `show jobs id N` until FIN.
  std::string wait_job(const pugi::xml_document& started, const std::string& what) {
    std::string job = started.child("response").child("result").child_value("job");
    if (job.empty()) {
      std::string msg = message(started);
      return msg.empty() ? what + " done" : msg;  // "There are no changes to commit."
    }
    for (char ch : job)
      if (!std::isdigit(static_cast<unsigned char>(ch)))
        throw ExternalError("PAN-OS " + what + ": job id is not a number");
    for (int64_t i = 0; i < max_polls_; ++i) {
      pugi::xml_document doc;
      checked(form("op", "<show><jobs><id>" + job + "</id></jobs></show>"), doc, false,
              "show jobs");
      pugi::xml_node j = doc.child("response").child("result").child("job");
      std::string status = j.child_value("status"), result = j.child_value("result");
      if (status == "FIN") {
        if (result == "OK") return what + " job " + job + " finished OK";
        std::string details;
        for (pugi::xml_node line : j.child("details").children("line")) {
          std::string s = line.text().get();
          if (s.empty()) continue;
          if (!details.empty()) details += "; ";
          details += s;
        }
        throw ExternalError("PAN-OS " + what + " job " + job + " ended " +
                            (result.empty() ? "without a result" : result) +
                            (details.empty() ? "" : ": " + details.substr(0, 300)));
      }
      net::Clock::real().sleep_ms(poll_ms_);
    }
    throw ExternalError("PAN-OS " + what + " job " + job + " did not finish after " +
                        std::to_string(max_polls_) + " polls");
  }
  std::string commit() {
    pugi::xml_document doc;
    checked("type=commit&cmd=" + net::url_encode(commit_cmd()), doc, false, "commit");
    return wait_job(doc, "commit");
  }

  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    if (method_ == "address-group") {
      for (const auto& s : static_steps(op, e)) {
        pugi::xml_document doc;
        checked(s.body, doc, s.missing_ok, "config change");
      }
      return "PAN-OS: " + commit();
    }
    std::string body = call(form("user-id", uid_message(op, e, now)));
    pugi::xml_document doc;
    if (!parse(body, doc)) throw ExternalError("PAN-OS: answer is not a PAN-OS response");
    if (success(doc)) return "PAN-OS: success";
    // Re-registering an existing tag or unregistering a missing one is reported per entry
    // and means the goal is reached.
    std::string msg = message(doc);
    if (msg.empty()) msg = "unknown error";
    if (msg.find("already exists") != std::string::npos ||
        msg.find("not registered") != std::string::npos || msg.find("does not exist") != std::string::npos)
      return "PAN-OS: " + msg + " (already in the wanted state)";
    throw ExternalError("PAN-OS error: " + msg.substr(0, 200));
  }

  // Forces the firewall to fetch an External Dynamic List now (after `tr-block publish`).
  std::string refresh_list(std::string_view list_type, const std::string& name) override {
    std::string t(list_type);
    std::string cmd = "<request><system><external-list><refresh><type><" + t + "><name>" +
                      xml_escape(name) + "</name></" + t + "></type></refresh></external-list>" +
                      "</system></request>";
    pugi::xml_document doc;
    checked(form("op", cmd), doc, false, "EDL refresh of " + name);
    return "PAN-OS: " + wait_job(doc, "EDL refresh of " + name);
  }

  std::optional<std::vector<Entry>> current() override {
    if (method_ == "address-group") return current_static();
    pugi::xml_document doc;
    checked(form("op", "<show><object><registered-ip><tag><entry name=\"" + xml_escape(tag_) +
                           "\"/></tag></registered-ip></object></show>"),
            doc, false, "listing registered IPs");
    std::vector<Entry> out;
    for (pugi::xml_node entry : doc.child("response").child("result").children("entry")) {
      bool tagged = false;
      for (pugi::xml_node m : entry.child("tag").children("member"))
        tagged = tagged || tag_ == m.text().get();
      if (!tagged) continue;
      std::string v = entry.attribute("ip").value();
      Entry e;
      e.type = v.find('/') == std::string::npos ? "ip" : "cidr";
      Checked c = check_value(e.type, v);
      if (!c.ok) continue;
      e.value = c.value;
      out.push_back(e);
    }
    return out;
  }
  // The running configuration's group members, resolved through their address objects.
  std::vector<Entry> current_static() {
    pugi::xml_document group, addresses;
    checked(config_form("show", group_xpath()), group, false, "reading address group " + group_);
    checked(config_form("show", vsys_xpath() + "/address"), addresses, false, "reading addresses");
    std::map<std::string, Entry> objects;
    for (const pugi::xpath_node& x : addresses.select_nodes("/response/result//address/entry")) {
      pugi::xml_node a = x.node();
      Entry e;
      std::string v;
      if (a.child("fqdn")) {
        e.type = "domain";
        v = a.child_value("fqdn");
      } else {
        v = a.child_value("ip-netmask");
        if (v.ends_with("/32") || (v.find(':') != std::string::npos && v.ends_with("/128")))
          v = v.substr(0, v.rfind('/'));
        e.type = v.find('/') == std::string::npos ? "ip" : "cidr";
      }
      Checked c = check_value(e.type, v);
      if (!c.ok) continue;
      e.value = c.value;
      e.ref = a.attribute("name").value();
      objects[e.ref] = e;
    }
    std::vector<Entry> out;
    for (const pugi::xpath_node& x : group.select_nodes("/response/result//entry/static/member")) {
      std::string name = x.node().text().get();
      auto it = objects.find(name);
      // Only our own objects: a member a human added is not ours to lift.
      if (it == objects.end() || !name.starts_with("tr-")) continue;
      out.push_back(it->second);
    }
    return out;
  }

 private:
  std::string url_, key_, user_, password_, method_, tag_, group_, vsys_, device_, commit_admin_;
  int64_t poll_ms_ = 2000, max_polls_ = 300;
};

// ---------------------------------------------------------------------------------------------
// FortiGate: the quarantine ("banned users") list with expiry, or address objects in a group.
class FortiGate : public HttpDevice {
 public:
  explicit FortiGate(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c);
    token_ = c.secret("token");
    vdom_ = c.ident("vdom", "root");
    method_ = c.str("method", "quarantine");
    if (method_ != "quarantine" && method_ != "group") c.fail("method", "must be quarantine or group");
    group_ = c.ident("group", "TR-BLOCK");
  }
  bool supports(std::string_view t) const override {
    if (method_ == "quarantine") return t == "ip";
    return t == "ip" || t == "cidr" || t == "domain";
  }
  bool renew_pushes() const override { return method_ == "quarantine"; }

  struct Call {
    std::string method, path;
    json body;
    bool ok_if_exists = false, ok_if_missing = false;
  };
  std::string object_name(const Entry& e) const {
    std::string n = "tr-" + e.value;
    for (char& ch : n)
      if (ch == '/' || ch == ':') ch = '_';
    return n;
  }
  std::vector<Call> calls(std::string_view op, const Entry& e, int64_t now) const {
    bool add = op == "block";
    std::vector<Call> out;
    std::string q = "?vdom=" + net::url_encode(vdom_);
    if (method_ == "quarantine") {
      if (add)
        out.push_back({"POST", "/api/v2/monitor/user/banned/add_users" + q,
                       {{"ip_addresses", {e.value}}, {"expiry", ttl_seconds(e, now)}}});
      else
        out.push_back({"POST", "/api/v2/monitor/user/banned/clear_users" + q,
                       {{"ip_addresses", {e.value}}}});
      return out;
    }
    std::string name = object_name(e);
    bool v6 = e.value.find(':') != std::string::npos;
    std::string addr = v6 ? "address6" : "address", grp = v6 ? "addrgrp6" : "addrgrp";
    if (add) {
      json obj = {{"name", name}, {"comment", comment(e)}};
      if (e.type == "domain") {
        obj["type"] = "fqdn";
        obj["fqdn"] = e.value;
      } else {
        Net n;
        parse_net(e.value, n);
        if (v6) obj["ip6"] = n.address() + "/" + std::to_string(n.len);
        else obj["subnet"] = n.address() + " " + n.mask();
      }
      out.push_back({"POST", "/api/v2/cmdb/firewall/" + addr + q, obj, true, false});
      out.push_back({"POST",
                     "/api/v2/cmdb/firewall/" + grp + "/" + net::url_encode(group_) + "/member" + q,
                     {{"name", name}}, true, false});
    } else {
      out.push_back({"DELETE",
                     "/api/v2/cmdb/firewall/" + grp + "/" + net::url_encode(group_) + "/member/" +
                         net::url_encode(name) + q,
                     nullptr, false, true});
      out.push_back({"DELETE", "/api/v2/cmdb/firewall/" + addr + "/" + net::url_encode(name) + q,
                     nullptr, false, true});
    }
    return out;
  }
  std::string render(std::string_view op, const Entry& e, int64_t now) const override {
    std::string s;
    for (const auto& c : calls(op, e, now))
      s += show(c.method, url_ + c.path + " (Authorization: Bearer ***)",
                c.body.is_null() ? "" : c.body.dump());
    return s;
  }
  json call(const Call& c) {
    net::Request r;
    r.method = c.method;
    r.url = url_ + c.path;
    r.headers = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
    if (!c.body.is_null()) r.body = c.body.dump();
    net::Response resp = send(r);
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status == 401 || resp.status == 403)
      throw ExternalError("FortiGate refused the API token (HTTP " + std::to_string(resp.status) + ")");
    if (c.ok_if_missing && resp.status == 404) return j;
    int error = j.is_object() && j.contains("error") && j["error"].is_number() ? j["error"].get<int>() : 0;
    if (c.ok_if_exists && error == -5) return j;  // "already exists"
    if (resp.status != 200 || !j.is_object() || j.value("status", "") != "success")
      throw ExternalError("FortiGate " + c.method + " " + c.path.substr(0, c.path.find('?')) +
                          " failed: HTTP " + std::to_string(resp.status) +
                          (error ? " error " + std::to_string(error) : ""));
    return j;
  }
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    std::string rev;
    for (const auto& c : calls(op, e, now)) {
      json j = call(c);
      if (j.is_object() && j.contains("revision") && j["revision"].is_string()) rev = j["revision"];
    }
    return "FortiGate: success" + (rev.empty() ? "" : " (revision " + rev + ")");
  }
  std::optional<std::vector<Entry>> current() override {
    if (method_ != "quarantine") return std::nullopt;
    json j = call({"GET", "/api/v2/monitor/user/banned?vdom=" + net::url_encode(vdom_), nullptr});
    std::vector<Entry> out;
    if (j.contains("results") && j["results"].is_array())
      for (const auto& r : j["results"]) {
        if (!r.is_object() || !r.contains("ip_address") || !r["ip_address"].is_string()) continue;
        Checked c = check_value("ip", r["ip_address"].get<std::string>());
        if (!c.ok) continue;
        Entry e;
        e.type = "ip";
        e.value = c.value;
        out.push_back(e);
      }
    return out;
  }

 private:
  std::string url_, token_, vdom_, method_, group_;
};

// ---------------------------------------------------------------------------------------------
// Cisco Umbrella Enforcement API: an event blocks a domain; delete by name unblocks. Umbrella
// has no expiry of its own (tr-block expire deletes) and silently ignores popular domains.
class Umbrella : public HttpDevice {
 public:
  explicit Umbrella(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c, "https://s-platform.api.opendns.com");
    key_ = c.secret("key");
  }
  bool supports(std::string_view t) const override { return t == "domain"; }
  json event(const Entry& e, int64_t now) const {
    std::string t = time::format_rfc3339(now);
    return {{"alertTime", t},
            {"deviceId", "tr-block"},
            {"deviceVersion", TR_VERSION},
            {"dstDomain", e.value},
            {"dstUrl", "http://" + e.value + "/"},
            {"eventTime", t},
            {"protocolVersion", "1.0a"},
            {"providerName", "Security Platform"},
            {"eventType", "tr-block"},
            {"eventDescription", comment(e)},
            {"src", "tr"}};
  }
  std::string render(std::string_view op, const Entry& e, int64_t now) const override {
    if (op == "block") return show("POST", url_ + "/1.0/events?customerKey=***", event(e, now).dump());
    return show("DELETE", url_ + "/1.0/domains?customerKey=***&where%5Bname%5D=" +
                              net::url_encode(e.value), "");
  }
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    net::Request r;
    std::string key = "customerKey=" + net::url_encode(key_);
    if (op == "block") {
      r.method = "POST";
      r.url = url_ + "/1.0/events?" + key;
      r.headers = {{"Content-Type", "application/json"}};
      r.body = event(e, now).dump();
    } else {
      r.method = "DELETE";
      r.url = url_ + "/1.0/domains?" + key + "&where%5Bname%5D=" + net::url_encode(e.value);
    }
    net::Response resp = send(r);
    if (resp.status == 401 || resp.status == 403)
      throw ExternalError("Umbrella refused the customer key (HTTP " + std::to_string(resp.status) + ")");
    if (op == "block" && resp.status == 202) {
      json j = json::parse(resp.body, nullptr, false);
      std::string id = j.is_object() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
      return "Umbrella: accepted" + (id.empty() ? "" : " (event " + id.substr(0, 64) + ")") +
             "; domains with high popularity are not blocked by Umbrella's safeguard";
    }
    if (op != "block" && (resp.status == 200 || resp.status == 204 || resp.status == 404))
      return "Umbrella: deleted";
    throw ExternalError("Umbrella answered HTTP " + std::to_string(resp.status));
  }
  std::optional<std::vector<Entry>> current() override {
    std::vector<Entry> out;
    std::string next = url_ + "/1.0/domains?customerKey=" + net::url_encode(key_) + "&page=1&limit=200";
    for (int page = 0; page < 1000 && !next.empty(); ++page) {
      net::Request r;
      r.url = next;
      net::Response resp = send(r);
      if (resp.status != 200) throw ExternalError("Umbrella answered HTTP " + std::to_string(resp.status));
      json j = json::parse(resp.body, nullptr, false);
      if (!j.is_object()) throw ExternalError("Umbrella sent a list that is not JSON");
      if (j.contains("data") && j["data"].is_array())
        for (const auto& d : j["data"]) {
          if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) continue;
          Checked c = check_value("domain", d["name"].get<std::string>());
          if (!c.ok) continue;
          Entry e;
          e.type = "domain";
          e.value = c.value;
          e.ref = d.contains("id") ? d["id"].dump() : "";
          out.push_back(e);
        }
      next.clear();
      // Follow meta.next only on the same server (never let a list redirect us elsewhere).
      if (j.contains("meta") && j["meta"].is_object() && j["meta"].contains("next") &&
          j["meta"]["next"].is_string()) {
        std::string n = j["meta"]["next"];
        if (n.starts_with(url_ + "/")) next = n;
      }
    }
    return out;
  }

 private:
  std::string url_, key_;
};

// ---------------------------------------------------------------------------------------------
// Cisco Umbrella destination lists (Policies API v2): an OAuth2 client-credentials token (API
// key and secret as HTTP Basic, valid one hour), the block list found by name, destinations
// added with a comment, listed page by page, and removed by their Umbrella id (so removal
// first finds the id by listing). No expiry on Umbrella's side: `tr-block expire` removes.
class UmbrellaLists : public HttpDevice {
 public:
  explicit UmbrellaLists(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c, "https://api.umbrella.com");
    key_ = c.secret("key");
    secret_ = c.secret("secret");
    list_ = c.str("list", "");
    if (list_.empty()) c.fail("list", "is required (the name of a destination list with access block)");
    for (char ch : list_)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) c.fail("list", "holds a control character");
    page_size_ = c.integer("page_size", 100);
    if (page_size_ < 1 || page_size_ > 100) c.fail("page_size", "must be 1-100");
  }
  // URLs are left out: Umbrella stores them without a scheme, so a listing could not be
  // compared with the store's values.
  bool supports(std::string_view t) const override { return t == "domain" || t == "ip"; }
  static std::string destination(const Entry& e) { return e.value; }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    std::string s = show("POST", url_ + "/auth/v2/token (Basic ***)", "grant_type=client_credentials");
    s += show("GET", url_ + "/policies/v2/destinationlists (Authorization: Bearer ***)", "");
    std::string base = url_ + "/policies/v2/destinationlists/{" + list_ + "}/destinations";
    if (op == "block")
      return s + show("POST", base + " (Authorization: Bearer ***)",
                      json::array({{{"destination", destination(e)}, {"comment", comment(e)}}}).dump());
    s += show("GET", base + "?page=1&limit=" + std::to_string(page_size_) +
                         " (Authorization: Bearer ***)", "");
    return s + show("DELETE", base + "/remove (Authorization: Bearer ***)", "[{id of " + destination(e) + "}]");
  }
  std::string token() {
    if (!token_.empty()) return token_;
    net::Request r;
    r.method = "POST";
    r.url = url_ + "/auth/v2/token";
    r.basic_user = key_;
    r.basic_password = secret_;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "grant_type=client_credentials";
    net::Response resp = send(r);
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status != 200 || !j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
      throw ExternalError("Umbrella refused the token request (HTTP " + std::to_string(resp.status) + ")");
    token_ = j["access_token"];
    return token_;
  }
  json call(const std::string& method, const std::string& path, const std::string& body = "") {
    net::Request r;
    r.method = method;
    r.url = url_ + path;
    r.headers = {{"Authorization", "Bearer " + token()}, {"Accept", "application/json"}};
    if (!body.empty()) {
      r.headers.push_back({"Content-Type", "application/json"});
      r.body = body;
    }
    net::Response resp = send(r);
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status == 401 || resp.status == 403)
      throw ExternalError("Umbrella refused the request (HTTP " + std::to_string(resp.status) +
                          "): check the API key's scope (policies)");
    if (resp.status < 200 || resp.status > 299) {
      std::string msg = j.is_object() && j.contains("message") && j["message"].is_string()
                            ? ": " + j["message"].get<std::string>().substr(0, 200) : "";
      throw ExternalError("Umbrella " + method + " " + path.substr(0, path.find('?')) +
                          " failed: HTTP " + std::to_string(resp.status) + msg);
    }
    return j;
  }
  // Every page of a collection: `data` arrays until a short page or meta.total is reached.
  template <typename Fn>
  void each_page(const std::string& path, Fn fn) {
    for (int64_t page = 1; page <= 10000; ++page) {
      json j = call("GET", path + (path.find('?') == std::string::npos ? "?" : "&") + "page=" +
                               std::to_string(page) + "&limit=" + std::to_string(page_size_));
      if (!j.is_object() || !j.contains("data") || !j["data"].is_array())
        throw ExternalError("Umbrella sent a list without data");
      for (const auto& d : j["data"])
        if (d.is_object()) fn(d);
      int64_t total = -1;
      if (j.contains("meta") && j["meta"].is_object() && j["meta"].contains("total") &&
          j["meta"]["total"].is_number_integer())
        total = j["meta"]["total"].get<int64_t>();
      auto got = static_cast<int64_t>(j["data"].size());
      if (got < page_size_ || (total >= 0 && page * page_size_ >= total)) return;
    }
  }
  std::string list_id() {
    if (!list_id_.empty()) return list_id_;
    each_page("/policies/v2/destinationlists", [&](const json& d) {
      if (list_id_.empty() && d.value("name", "") == list_ && d.contains("id") &&
          d["id"].is_number_integer()) {
        if (d.value("access", "") != "block")
          throw ExternalError("Umbrella destination list " + list_ + " is not a block list");
        list_id_ = std::to_string(d["id"].get<int64_t>());
      }
    });
    if (list_id_.empty()) throw ExternalError("Umbrella has no destination list named " + list_);
    return list_id_;
  }
  // (destination, Umbrella id) of every entry on the list.
  std::vector<std::pair<std::string, int64_t>> destinations() {
    std::vector<std::pair<std::string, int64_t>> out;
    each_page("/policies/v2/destinationlists/" + list_id() + "/destinations", [&](const json& d) {
      if (!d.contains("destination") || !d["destination"].is_string()) return;
      int64_t id = 0;
      if (d.contains("id") && d["id"].is_number_integer()) id = d["id"];
      else if (d.contains("id") && d["id"].is_string()) id = std::strtoll(d["id"].get<std::string>().c_str(), nullptr, 10);
      out.emplace_back(d["destination"].get<std::string>(), id);
    });
    return out;
  }
  std::string apply(std::string_view op, const Entry& e, int64_t) override {
    std::string dest = destination(e);
    std::string base = "/policies/v2/destinationlists/" + list_id() + "/destinations";
    if (op == "block") {
      // Adding a destination already on the list is accepted by Umbrella as a no-op.
      call("POST", base, json::array({{{"destination", dest}, {"comment", comment(e)}}}).dump());
      return "Umbrella: added to destination list " + list_;
    }
    std::vector<int64_t> ids;
    // An entry found by sync carries its Umbrella id; others are looked up by value.
    if (!e.ref.empty() && e.ref.size() < 19 &&
        std::all_of(e.ref.begin(), e.ref.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      ids.push_back(std::stoll(e.ref));
    else
      for (const auto& [d, id] : destinations())
        if (d == dest && id > 0) ids.push_back(id);
    if (ids.empty()) return "Umbrella: not on destination list " + list_ + " (already removed)";
    call("DELETE", base + "/remove", json(ids).dump());
    return "Umbrella: removed from destination list " + list_;
  }
  std::optional<std::vector<Entry>> current() override {
    std::vector<Entry> out;
    for (const auto& [d, id] : destinations()) {
      Entry e;
      Net n;
      e.type = parse_net(d, n) ? "ip" : "domain";
      Checked c = check_value(e.type, d);
      if (!c.ok) continue;  // a URL or anything else tr-block does not put there
      e.value = c.value;
      e.ref = std::to_string(id);
      out.push_back(e);
    }
    return out;
  }

 private:
  std::string url_, key_, secret_, list_, token_, list_id_;
  int64_t page_size_ = 100;
};

// ---------------------------------------------------------------------------------------------
// Check Point Management API: one session per change (login, add-host, set-group, publish,
// poll the task, optionally install-policy, logout). On any error the session is discarded
// and logged out, so no object stays locked against the human admins.
class CheckPoint : public HttpDevice {
 public:
  explicit CheckPoint(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c);
    if (c.node["api_key"]) api_key_ = c.secret("api_key");
    else {
      user_ = c.str("user");
      if (user_.empty()) c.fail("user", "is required (or api_key)");
      password_ = c.secret("password");
    }
    group_ = c.ident("group", "TR-BLOCK");
    package_ = c.node["policy_package"] ? c.ident("policy_package", "Standard") : "";
    for (const auto& t : c.config.get_strings("devices." + c.name + ".targets")) targets_.push_back(t);
    poll_ms_ = c.integer("poll_ms", 1000);
    max_polls_ = c.integer("max_polls", 120);
  }
  bool supports(std::string_view t) const override { return t == "ip" || t == "cidr"; }
  std::string host_name(const Entry& e) const {
    std::string n = "tr-" + e.value;
    for (char& ch : n)
      if (ch == '/' || ch == ':') ch = '_';
    return n;
  }
  std::vector<std::pair<std::string, json>> steps(std::string_view op, const Entry& e) const {
    bool add = op == "block";
    std::string name = host_name(e);
    Net n;
    parse_net(e.value, n);
    bool network = n.len != (n.v6 ? 128 : 32);
    std::vector<std::pair<std::string, json>> s;
    if (add) {
      json obj = {{"name", name}, {"color", "red"}, {"comments", comment(e)},
                  {"ignore-warnings", true}};
      if (network) {
        obj["subnet"] = n.address();
        obj["mask-length"] = n.len;
        s.push_back({"add-network", obj});
      } else {
        obj["ip-address"] = n.address();
        s.push_back({"add-host", obj});
      }
      s.push_back({"set-group", {{"name", group_}, {"members", {{"add", name}}}}});
    } else {
      s.push_back({"set-group", {{"name", group_}, {"members", {{"remove", name}}}}});
      s.push_back({network ? "delete-network" : "delete-host", {{"name", name}}});
    }
    return s;
  }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    std::string out = show("POST", url_ + "/web_api/login", api_key_.empty()
                                                         ? json{{"user", user_}, {"password", "***"}}.dump()
                                                         : json{{"api-key", "***"}}.dump());
    for (const auto& [cmd, body] : steps(op, e))
      out += show("POST", url_ + "/web_api/" + cmd + " (X-chkp-sid: ***)", body.dump());
    out += show("POST", url_ + "/web_api/publish (X-chkp-sid: ***)", "{}");
    if (!package_.empty())
      out += show("POST", url_ + "/web_api/install-policy (X-chkp-sid: ***)", install_body().dump());
    out += show("POST", url_ + "/web_api/logout (X-chkp-sid: ***)", "{}");
    return out;
  }
  json install_body() const {
    json b = {{"policy-package", package_}, {"access", true}};
    if (!targets_.empty()) b["targets"] = targets_;
    return b;
  }
  net::Response post(const std::string& cmd, const json& body, const std::string& sid) {
    net::Request r;
    r.method = "POST";
    r.url = url_ + "/web_api/" + cmd;
    r.headers = {{"Content-Type", "application/json"}};
    if (!sid.empty()) r.headers.push_back({"X-chkp-sid", sid});
    r.body = body.dump();
    return send(r);
  }
  static std::string error_of(const net::Response& r) {
    json j = json::parse(r.body, nullptr, false);
    std::string code = j.is_object() ? j.value("code", "") : "";
    std::string msg = j.is_object() ? j.value("message", "") : "";
    return "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
           (msg.empty() ? "" : ": " + msg.substr(0, 160));
  }
  void wait_task(const std::string& sid, const json& answer, const std::string& what) {
    std::string task = answer.is_object() ? answer.value("task-id", "") : "";
    if (task.empty()) throw ExternalError("Check Point " + what + " returned no task-id");
    for (int64_t i = 0; i < max_polls_; ++i) {
      net::Response r = post("show-task", {{"task-id", task}, {"details-level", "full"}}, sid);
      if (r.status != 200) throw ExternalError("Check Point show-task failed: " + error_of(r));
      json j = json::parse(r.body, nullptr, false);
      std::string status;
      if (j.is_object() && j.contains("tasks") && j["tasks"].is_array() && !j["tasks"].empty())
        status = j["tasks"][0].value("status", "");
      if (status == "succeeded") return;
      if (status == "failed" || status == "partially succeeded")
        throw ExternalError("Check Point " + what + " task " + status);
      net::Clock::real().sleep_ms(poll_ms_);
    }
    throw ExternalError("Check Point " + what + " did not finish in time");
  }
  std::string apply(std::string_view op, const Entry& e, int64_t) override {
    json login = api_key_.empty() ? json{{"user", user_}, {"password", password_}} : json{{"api-key", api_key_}};
    login["session-name"] = "tr-block " + e.id;
    net::Response lr = post("login", login, "");
    if (lr.status != 200) throw ExternalError("Check Point login failed: " + error_of(lr));
    json lj = json::parse(lr.body, nullptr, false);
    std::string sid = lj.is_object() ? lj.value("sid", "") : "";
    if (sid.empty()) throw ExternalError("Check Point login returned no session id");
    try {
      for (const auto& [cmd, body] : steps(op, e)) {
        net::Response r = post(cmd, body, sid);
        if (r.status == 200) continue;
        std::string err = error_of(r);
        // Idempotency: an object that already exists (add) or is already gone (remove).
        bool exists = err.find("already exists") != std::string::npos ||
                      err.find("More than one object") != std::string::npos;
        bool missing = err.find("not_found") != std::string::npos ||
                       err.find("not found") != std::string::npos;
        if ((op == "block" && exists && cmd.starts_with("add-")) ||
            (op != "block" && missing))
          continue;
        throw ExternalError("Check Point " + cmd + " failed: " + err);
      }
      net::Response pr = post("publish", json::object(), sid);
      if (pr.status != 200) throw ExternalError("Check Point publish failed: " + error_of(pr));
      wait_task(sid, json::parse(pr.body, nullptr, false), "publish");
      std::string answer = "Check Point: published";
      if (!package_.empty()) {
        net::Response ir = post("install-policy", install_body(), sid);
        if (ir.status != 200) throw ExternalError("Check Point install-policy failed: " + error_of(ir));
        wait_task(sid, json::parse(ir.body, nullptr, false), "install-policy");
        answer += ", policy installed";
      }
      post("logout", json::object(), sid);
      return answer;
    } catch (const ExternalError&) {
      // Release the locks this session holds, then log out; errors here change nothing.
      try {
        post("discard", json::object(), sid);
        post("logout", json::object(), sid);
      } catch (const ExternalError&) {
      }
      throw;
    }
  }

 private:
  std::string url_, api_key_, user_, password_, group_, package_;
  std::vector<std::string> targets_;
  int64_t poll_ms_ = 1000, max_polls_ = 120;
};

// ---------------------------------------------------------------------------------------------
// Microsoft 365 over Graph (application permissions, client-credentials token):
//  - email_message: find the delivered message by internetMessageId in each mailbox (the
//    `mailboxes:` list, or every user of the tenant) and move it to the quarantine folder
//    (`folder:`, default the well-known "junkemail"; "deleteditems" for a soft delete);
//    release moves it from that folder back to the inbox. Finding by Message-ID again on
//    release means no message ids have to be kept.
//  - user: disable the account and revoke its sessions; unblock enables it again.
class O365 : public HttpDevice {
 public:
  explicit O365(const DeviceConfig& c) : HttpDevice(c) {
    url_ = base_url(c, "https://graph.microsoft.com");
    login_ = base_url(c, "https://login.microsoftonline.com", "login_url");
    tenant_ = c.ident("tenant", "");
    client_id_ = c.str("client_id");
    if (client_id_.empty()) c.fail("client_id", "is required");
    secret_ = c.secret("client_secret");
    folder_ = c.ident("folder", "junkemail");
    for (const auto& m : c.config.get_strings("devices." + c.name + ".mailboxes")) {
      Checked e = check_value("user", m);
      if (!e.ok) c.fail("mailboxes", "holds an invalid mailbox name");
      mailboxes_.push_back(m);
    }
  }
  bool supports(std::string_view t) const override { return t == "email_message" || t == "user"; }

  std::string filter(const Entry& e) const {
    std::string v = e.value;  // validated: no quotes; OData would double them
    return "?%24filter=" + net::url_encode("internetMessageId eq '" + v + "'") + "&%24select=id";
  }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    bool add = op == "block";
    std::string s = show("POST", login_ + "/" + tenant_ + "/oauth2/v2.0/token",
                         "client_id=" + client_id_ + "&client_secret=***&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials");
    if (e.type == "user") {
      std::string u = url_ + "/v1.0/users/" + net::url_encode(e.value);
      s += show("PATCH", u + " (Authorization: Bearer ***)", json{{"accountEnabled", !add}}.dump());
      if (add) s += show("POST", u + "/revokeSignInSessions (Authorization: Bearer ***)", "");
      return s;
    }
    std::string where = mailboxes_.empty() ? "{each user}" : "{mailbox}";
    std::string from = add ? "/messages" : "/mailFolders/" + folder_ + "/messages";
    s += show("GET", url_ + "/v1.0/users/" + where + from + filter(e) + " (Authorization: Bearer ***)", "");
    s += show("POST", url_ + "/v1.0/users/" + where + "/messages/{id}/move (Authorization: Bearer ***)",
              json{{"destinationId", add ? folder_ : "inbox"}}.dump());
    return s;
  }
  std::string token() {
    if (!token_.empty()) return token_;
    net::Request r;
    r.method = "POST";
    r.url = login_ + "/" + tenant_ + "/oauth2/v2.0/token";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "client_id=" + net::url_encode(client_id_) + "&client_secret=" + net::url_encode(secret_) +
             "&scope=" + net::url_encode("https://graph.microsoft.com/.default") +
             "&grant_type=client_credentials";
    net::Response resp = send(r);
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status != 200 || !j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
      throw ExternalError("Microsoft identity platform refused the token request (HTTP " +
                          std::to_string(resp.status) + ")");
    token_ = j["access_token"];
    return token_;
  }
  net::Response graph(const std::string& method, const std::string& url, const std::string& body = "") {
    net::Request r;
    r.method = method;
    r.url = url.starts_with("http") ? url : url_ + url;
    r.headers = {{"Authorization", "Bearer " + token()}};
    if (!body.empty()) {
      r.headers.push_back({"Content-Type", "application/json"});
      r.body = body;
    }
    net::Response resp = send(r);
    if (resp.status == 401 || resp.status == 403)
      throw ExternalError("Graph refused the request (HTTP " + std::to_string(resp.status) +
                          "): check the application permissions");
    return resp;
  }
  std::vector<std::string> mailboxes() {
    if (!mailboxes_.empty()) return mailboxes_;
    std::vector<std::string> out;
    std::string next = url_ + "/v1.0/users?%24select=id,userPrincipalName,mail&%24top=999";
    for (int page = 0; page < 10000 && !next.empty(); ++page) {
      net::Response r = graph("GET", next);
      if (r.status != 200) throw ExternalError("Graph users list failed: HTTP " + std::to_string(r.status));
      json j = json::parse(r.body, nullptr, false);
      if (!j.is_object()) throw ExternalError("Graph users list is not JSON");
      if (j.contains("value") && j["value"].is_array())
        for (const auto& u : j["value"])
          if (u.is_object() && u.contains("id") && u["id"].is_string()) out.push_back(u["id"]);
      next.clear();
      if (j.contains("@odata.nextLink") && j["@odata.nextLink"].is_string()) {
        std::string n = j["@odata.nextLink"];
        if (n.starts_with(url_ + "/")) next = n;  // never follow a link to another host
      }
    }
    return out;
  }
  std::string apply(std::string_view op, const Entry& e, int64_t) override {
    bool add = op == "block";
    if (e.type == "user") {
      std::string u = "/v1.0/users/" + net::url_encode(e.value);
      net::Response r = graph("PATCH", u, json{{"accountEnabled", !add}}.dump());
      if (r.status != 204 && r.status != 200)
        throw ExternalError("Graph could not " + std::string(add ? "disable" : "enable") +
                            " the account: HTTP " + std::to_string(r.status));
      if (add) {
        net::Response s = graph("POST", u + "/revokeSignInSessions");
        if (s.status != 200 && s.status != 204)
          throw ExternalError("Graph could not revoke sessions: HTTP " + std::to_string(s.status));
        return "Graph: account disabled, sessions revoked";
      }
      return "Graph: account enabled";
    }
    int moved = 0, mailboxes_seen = 0;
    for (const auto& mb : mailboxes()) {
      ++mailboxes_seen;
      std::string base = "/v1.0/users/" + net::url_encode(mb);
      std::string from = add ? "/messages" : "/mailFolders/" + net::url_encode(folder_) + "/messages";
      net::Response r = graph("GET", base + from + filter(e));
      if (r.status == 404) continue;  // no mailbox for that user
      if (r.status != 200) throw ExternalError("Graph message search failed: HTTP " + std::to_string(r.status));
      json j = json::parse(r.body, nullptr, false);
      if (!j.is_object() || !j.contains("value") || !j["value"].is_array()) continue;
      for (const auto& m : j["value"]) {
        if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
        std::string id = m["id"];
        net::Response mv = graph("POST", base + "/messages/" + net::url_encode(id) + "/move",
                                 json{{"destinationId", add ? folder_ : "inbox"}}.dump());
        if (mv.status != 201 && mv.status != 200)
          throw ExternalError("Graph move failed: HTTP " + std::to_string(mv.status));
        ++moved;
      }
    }
    return "Graph: " + std::to_string(moved) + " message(s) " + (add ? "moved to " + folder_ : "moved back to inbox") +
           " in " + std::to_string(mailboxes_seen) + " mailbox(es)";
  }

 private:
  std::string url_, login_, tenant_, client_id_, secret_, folder_, token_;
  std::vector<std::string> mailboxes_;
};

}  // namespace

std::unique_ptr<Device> make_paloalto(const DeviceConfig& c) { return std::make_unique<PaloAlto>(c); }
std::unique_ptr<Device> make_fortigate(const DeviceConfig& c) { return std::make_unique<FortiGate>(c); }
std::unique_ptr<Device> make_umbrella(const DeviceConfig& c) {
  std::string method = c.str("method", "enforcement");
  if (method == "destination-list") return std::make_unique<UmbrellaLists>(c);
  if (method != "enforcement") c.fail("method", "must be enforcement or destination-list");
  return std::make_unique<Umbrella>(c);
}
std::unique_ptr<Device> make_checkpoint(const DeviceConfig& c) {
  std::string method = c.str("method", "management");
  if (method == "sam") return make_checkpoint_sam(c);
  if (method != "management") c.fail("method", "must be management or sam");
  return std::make_unique<CheckPoint>(c);
}
std::unique_ptr<Device> make_o365(const DeviceConfig& c) { return std::make_unique<O365>(c); }

}  // namespace tr::devices
