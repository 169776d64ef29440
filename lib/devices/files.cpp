// File devices: a plain-text External Dynamic List, a DNS Response Policy Zone and a Blue
// Coat ProxySG local policy (CPL) category. Each file is regenerated from the live entries
// and replaced atomically, so a polling device never reads half a file.
#include <algorithm>

#include "config/config.hpp"
#include "core/error.hpp"
#include "devices/adapters.hpp"
#include "devices/validate.hpp"
#include "time/time.hpp"

namespace tr::devices {
namespace {

std::string expiry_note(const Entry& e) {
  std::string s;
  if (!e.incident.empty() && is_safe_incident_id(e.incident)) s += " " + e.incident;
  if (e.expires) s += " expires " + time::format_rfc3339(*e.expires);
  return s;
}

void need_entry_value(const Entry& e) {
  // Defence in depth: validated values never hold these, but a file line must not split.
  for (char c : e.value)
    if (c == '\n' || c == '\r' || c == ';' || c == ' ' || c == '\0' || c == '#')
      throw RecordError("value holds a character not allowed in a list file");
}

class FileDevice : public Device {
 public:
  FileDevice(const DeviceConfig& c)
      : Device(c.name, c.str("type")), path_(c.path("path")) {
    reload_ = c.config.get_strings("devices." + c.name + ".reload");
  }
  std::vector<std::string> reload_command() const override { return reload_; }
  Mode mode() const override { return Mode::File; }
  std::string path() const override { return path_; }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    // The line that appears in (block) or leaves (unblock) the published file.
    need_entry_value(e);
    std::string lines = line(e);
    std::string out;
    std::size_t start = 0;
    while (start < lines.size()) {
      auto nl = lines.find('\n', start);
      out += (op == "block" ? "+" : "-") + lines.substr(start, nl - start + 1);
      start = nl + 1;
    }
    return out;
  }
  virtual std::string line(const Entry& e) const = 0;

 protected:
  std::string path_;
  std::vector<std::string> reload_;
};

class Edl : public FileDevice {
 public:
  explicit Edl(const DeviceConfig& c) : FileDevice(c) {
    list_ = c.str("list", "ip");
    if (list_ != "ip" && list_ != "domain" && list_ != "url")
      c.fail("list", "must be ip, domain or url");
    wildcards_ = c.flag("wildcards", true);
    comments_ = c.flag("comments", true);
    // refresh: {device: pan, name: TR-IP} tells a PAN-OS device to fetch this list after
    // each publish (the EDL object's name on the firewall).
    if (YAML::Node r = c.node["refresh"]) {
      if (!r.IsMap() || !r["device"] || !r["name"])
        c.fail("refresh", "must be a map {device: NAME, name: EDL-NAME}");
      refresh_.device = r["device"].as<std::string>();
      refresh_.list_type = list_;
      DeviceConfig sub{c.config, c.name, r, c.offline};
      refresh_.name = sub.ident("name", "");
    }
  }
  std::optional<Refresh> refresh() const override {
    if (refresh_.device.empty()) return std::nullopt;
    return refresh_;
  }
  bool supports(std::string_view t) const override {
    if (list_ == "ip") return t == "ip" || t == "cidr";
    if (list_ == "domain") return t == "domain";
    return t == "url" || t == "domain";
  }
  std::string line(const Entry& e) const override {
    std::string note = comments_ ? expiry_note(e) : "";
    if (e.type == "url") {
      std::string u = url_without_scheme(e.value);
      if (u.size() > 254) throw RecordError("URL longer than 254 characters for an EDL");
      return u + note + "\n";
    }
    if (e.type == "domain") {
      if (list_ == "url") return e.value + "/" + note + "\n";
      // "*.example" does not match "example" on PAN-OS: emit both.
      std::string s = e.value + note + "\n";
      if (wildcards_) s += "*." + e.value + note + "\n";
      return s;
    }
    return e.value + note + "\n";
  }
  std::string render_file(const std::vector<Entry>& live, int64_t now) const override {
    std::string out = "# tr-block EDL " + name() + " (" + list_ + ") generated " +
                      time::format_rfc3339(now) + "\n";
    std::size_t n = 0;
    for (const auto& e : live) {
      if (!supports(e.type)) continue;
      need_entry_value(e);
      out += line(e);
      ++n;
    }
    if (n == 0) out += "# empty\n";
    return out;
  }

 private:
  std::string list_;
  bool wildcards_ = true, comments_ = true;
  Refresh refresh_;
};

// Reversed trigger name of an rpz-ip owner: "32.7.113.0.203" for 203.0.113.7/32; IPv6 uses
// reversed 16-bit groups with "zz" for the longest run of zero groups.
std::string rpz_ip_owner(const Net& n) {
  std::string s = std::to_string(n.len);
  if (!n.v6) {
    for (int i = 3; i >= 0; --i) s += "." + std::to_string(n.addr[i]);
    return s;
  }
  int groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = (n.addr[2 * i] << 8) | n.addr[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i > 1) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  static const char* hex = "0123456789abcdef";
  auto group_text = [&](int g) {
    std::string t;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int d = (g >> shift) & 15;
      if (d || started || shift == 0) {
        t += hex[d];
        started = true;
      }
    }
    return t;
  };
  for (int i = 7; i >= 0; --i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best + best_len - 1) s += ".zz";
      continue;
    }
    s += "." + group_text(groups[i]);
  }
  return s;
}

class Rpz : public FileDevice {
 public:
  explicit Rpz(const DeviceConfig& c) : FileDevice(c) {
    std::string origin = c.str("origin", "rpz.tr.local");
    Checked o = check_value("host", origin);
    if (!o.ok) c.fail("origin", "is not a valid zone name");
    origin_ = o.value;
    std::string action = c.str("action", "nxdomain");
    if (action == "nxdomain") target_ = ".";
    else if (action == "nodata") target_ = "*.";
    else if (action == "drop") target_ = "rpz-drop.";
    else c.fail("action", "must be nxdomain, nodata or drop");
    subdomains_ = c.flag("subdomains", true);
  }
  bool supports(std::string_view t) const override {
    return t == "domain" || t == "ip" || t == "cidr";
  }
  std::string line(const Entry& e) const override {
    std::string note = e.expires ? " ; expires " + time::format_rfc3339(*e.expires) : "";
    if (e.type == "domain") {
      std::string s = e.value + " CNAME " + target_ + note + "\n";
      if (subdomains_) s += "*." + e.value + " CNAME " + target_ + note + "\n";
      return s;
    }
    Net n;
    if (!parse_net(e.value, n)) throw RecordError("not an address for an rpz-ip trigger");
    return rpz_ip_owner(n) + ".rpz-ip CNAME " + target_ + note + "\n";
  }
  std::string render_file(const std::vector<Entry>& live, int64_t now) const override {
    // The serial must grow on every change: seconds since the epoch do, and fit 32 bits.
    std::string out = "; tr-block RPZ " + name() + " generated " + time::format_rfc3339(now) +
                      "\n$ORIGIN " + origin_ + ".\n$TTL 300\n@ IN SOA localhost. hostmaster.localhost. ( " +
                      std::to_string(now / 1000) + " 3600 600 604800 300 )\n  IN NS localhost.\n";
    for (const auto& e : live) {
      if (!supports(e.type)) continue;
      need_entry_value(e);
      out += line(e);
    }
    return out;
  }
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_, target_;
  bool subdomains_ = true;
};

class BlueCoat : public FileDevice {
 public:
  explicit BlueCoat(const DeviceConfig& c) : FileDevice(c) {
    category_ = c.ident("category", "TR_Block");
    exception_ = c.ident("exception", "policy_denied");
  }
  bool supports(std::string_view t) const override {
    return t == "domain" || t == "url" || t == "ip";
  }
  std::string line(const Entry& e) const override {
    // One entry per line, protocol stripped; ';' would start a comment, so it was
    // percent-encoded by validation and is refused here if it ever arrives.
    std::string v = e.type == "url" ? url_without_scheme(e.value) : e.value;
    if (v.find_first_of(";\n\r \"'") != std::string::npos)
      throw RecordError("value holds a character not allowed in CPL");
    return v + "\n";
  }
  std::string render_file(const std::vector<Entry>& live, int64_t now) const override {
    std::string out = "; tr-block local policy " + name() + " generated " +
                      time::format_rfc3339(now) + "\ndefine category " + category_ + "\n";
    for (const auto& e : live) {
      if (!supports(e.type)) continue;
      out += line(e);
    }
    out += "end\n<Proxy>\n  category=" + category_ + " exception(" + exception_ + ")\n";
    return out;
  }

 private:
  std::string category_, exception_;
};

}  // namespace

std::string url_without_scheme(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  std::string scheme = p == std::string::npos ? "" : url.substr(0, p);
  auto host_end = rest.find_first_of("/?");
  std::string host = rest.substr(0, host_end);
  std::string tail = host_end == std::string::npos ? "" : rest.substr(host_end);
  if ((scheme == "http" && host.ends_with(":80")) || (scheme == "https" && host.ends_with(":443")))
    host = host.substr(0, host.rfind(':'));
  return host + tail;
}

std::unique_ptr<Device> make_edl(const DeviceConfig& c) { return std::make_unique<Edl>(c); }
std::unique_ptr<Device> make_rpz(const DeviceConfig& c) { return std::make_unique<Rpz>(c); }
std::unique_ptr<Device> make_bluecoat(const DeviceConfig& c) {
  return std::make_unique<BlueCoat>(c);
}

}  // namespace tr::devices
