// CLI devices: Cisco ASA, Cisco IOS and Juniper SRX. The toolkit renders the exact lines an
// operator (or an SSH session) types; with `path:` they are appended to a change-ticket file.
// Entries on these devices stay `planned` until someone confirms them (there is no SSH
// transport yet), so nothing is recorded as applied that was not.
//
// Values are validated before they get here; each renderer checks again that a value is an
// address or an LDH name, since a newline in a value would be a second command.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "devices/adapters.hpp"
#include "devices/validate.hpp"
#include "time/time.hpp"

namespace tr::devices {
namespace {

Net need_net(const Entry& e) {
  Net n;
  if ((e.type != "ip" && e.type != "cidr") || !parse_net(e.value, n))
    throw RecordError("not an address or network");
  return n;
}

std::string need_name(const Entry& e) {
  Checked c = check_value("domain", e.value);
  if (!c.ok || c.value != e.value) throw RecordError("not a valid domain name");
  return c.value;
}

class CliDevice : public Device {
 public:
  explicit CliDevice(const DeviceConfig& c) : Device(c.name, c.str("type")) {
    if (c.node["path"]) ticket_ = c.path("path");
    save_ = c.flag("save", true);
  }
  Mode mode() const override { return Mode::Ticket; }
  std::string path() const override { return ticket_; }
  // Appends the commands to the ticket file when one is configured.
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    std::string text = render(op, e, now);
    if (ticket_.empty()) return "rendered for a change ticket";
    int fd = ::open(ticket_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) throw ExternalError(ticket_ + ": " + std::strerror(errno));
    std::string block = "! " + std::string(op) + " " + e.id + " " + time::format_rfc3339(now) +
                        "\n" + text;
    ssize_t n = ::write(fd, block.data(), block.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(block.size()))
      throw ExternalError(ticket_ + ": writing failed: " + std::strerror(err));
    return "appended to change ticket " + ticket_;
  }

 protected:
  std::string ticket_;
  bool save_ = true;
};

class Asa : public CliDevice {
 public:
  explicit Asa(const DeviceConfig& c) : CliDevice(c) {
    group_ = c.ident("group", "TR-BLOCK");
    method_ = c.str("method", "object-group");
    if (method_ != "object-group" && method_ != "shun")
      c.fail("method", "must be object-group or shun");
  }
  bool supports(std::string_view t) const override {
    if (method_ == "shun") return t == "ip";
    return t == "ip" || t == "cidr" || t == "domain";
  }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    bool add = op == "block";
    std::string out;
    if (method_ == "shun") {
      // shun is source-only, not in the running config, and has no timeout.
      Net n = need_net(e);
      if (n.len != (n.v6 ? 128 : 32)) throw RecordError("shun takes a single address");
      return std::string(add ? "" : "no ") + "shun " + n.address() + "\n";
    }
    if (e.type == "domain") {
      std::string name = need_name(e);
      std::string object = "tr-" + name;
      if (add) out += "object network " + object + "\n fqdn " + name + "\n";
      out += "object-group network " + group_ + "\n " + (add ? "" : "no ") +
             "network-object object " + object + "\n";
      if (!add) out += "no object network " + object + "\n";
    } else {
      Net n = need_net(e);
      std::string member;
      if (n.len == (n.v6 ? 128 : 32)) member = "host " + n.address();
      else if (n.v6) member = n.address() + "/" + std::to_string(n.len);
      else member = n.address() + " " + n.mask();
      out += "object-group network " + group_ + "\n " + (add ? "" : "no ") + "network-object " +
             member + "\n";
    }
    if (save_) out += "write memory\n";
    return out;
  }

 private:
  std::string group_, method_;
};

class Ios : public CliDevice {
 public:
  explicit Ios(const DeviceConfig& c) : CliDevice(c) {
    group_ = c.ident("group", "TR-BLOCK");
    method_ = c.str("method", "object-group");
    if (method_ != "object-group" && method_ != "null-route")
      c.fail("method", "must be object-group or null-route");
    tag_ = c.integer("tag", 666);
  }
  bool supports(std::string_view t) const override { return t == "ip" || t == "cidr"; }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    bool add = op == "block";
    Net n = need_net(e);
    std::string no = add ? "" : "no ";
    std::string out;
    if (method_ == "null-route") {
      // Drops traffic to the address (and from it with uRPF on the edge).
      if (n.v6)
        out = no + "ipv6 route " + n.address() + "/" + std::to_string(n.len) + " Null0 tag " +
              std::to_string(tag_) + "\n";
      else
        out = no + "ip route " + n.address() + " " + n.mask() + " Null0 tag " +
              std::to_string(tag_) + " name tr-" + e.id + "\n";
    } else {
      if (n.v6) throw RecordError("IOS network object-groups take IPv4 only; use null-route");
      std::string member = n.len == 32 ? "host " + n.address() : n.address() + " " + n.mask();
      out = "object-group network " + group_ + "\n " + no + member + "\n";
    }
    if (save_) out += "copy running-config startup-config\n";
    return out;
  }

 private:
  std::string group_, method_;
  int64_t tag_ = 666;
};

class Srx : public CliDevice {
 public:
  explicit Srx(const DeviceConfig& c) : CliDevice(c) {
    set_ = c.ident("address_set", "TR-BLOCK");
    book_ = c.ident("address_book", "global");
  }
  bool supports(std::string_view t) const override {
    return t == "ip" || t == "cidr" || t == "domain";
  }
  std::string render(std::string_view op, const Entry& e, int64_t) const override {
    bool add = op == "block";
    std::string object, spec;
    if (e.type == "domain") {
      std::string name = need_name(e);
      object = "tr-" + name;
      spec = "dns-name " + name;
    } else {
      Net n = need_net(e);
      object = "tr-" + n.address() + (n.len == (n.v6 ? 128 : 32) ? "" : "_" + std::to_string(n.len));
      for (char& ch : object)
        if (ch == ':') ch = '_';
      spec = n.address() + "/" + std::to_string(n.len);
    }
    std::string base = "security address-book " + book_ + " address";
    std::string out;
    if (add) {
      out += "set " + base + " " + object + " " + spec + "\n";
      out += "set " + base + "-set " + set_ + " address " + object + "\n";
    } else {
      out += "delete " + base + "-set " + set_ + " address " + object + "\n";
      out += "delete " + base + " " + object + "\n";
    }
    if (save_) out += "commit\n";
    return out;
  }

 private:
  std::string set_, book_;
};

}  // namespace

std::unique_ptr<Device> make_asa(const DeviceConfig& c) { return std::make_unique<Asa>(c); }
std::unique_ptr<Device> make_ios(const DeviceConfig& c) { return std::make_unique<Ios>(c); }
std::unique_ptr<Device> make_srx(const DeviceConfig& c) { return std::make_unique<Srx>(c); }

}  // namespace tr::devices
