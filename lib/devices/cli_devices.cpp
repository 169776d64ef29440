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

#include "config/config.hpp"
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
    YAML::Node ssh = c.node["ssh"];
    if (ssh) {
      // An SSH session per change: ssh runs through execve with a fixed argument vector and
      // the validated command lines go to its standard input (no remote shell quoting).
      if (!ssh.IsMap()) c.fail("ssh", "must be a map {host, user, port, identity, command}");
      std::string host = ssh["host"] ? ssh["host"].as<std::string>() : "";
      Net n;
      if (!parse_net(host, n) && !check_value("host", host).ok) c.fail("ssh", "host is not a host name or address");
      std::vector<std::string> argv;
      if (ssh["command"]) {
        for (const auto& a : ssh["command"]) argv.push_back(a.as<std::string>());
      } else {
        argv = {"ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
      }
      if (argv.empty()) c.fail("ssh", "command must not be empty");
      if (ssh["port"]) argv.insert(argv.end(), {"-p", std::to_string(ssh["port"].as<int>())});
      if (ssh["identity"]) argv.insert(argv.end(), {"-i", expand_home(ssh["identity"].as<std::string>())});
      if (ssh["user"]) {
        std::string user = ssh["user"].as<std::string>();
        if (!check_value("user", user).ok) c.fail("ssh", "user is not a valid user name");
        argv.insert(argv.end(), {"-l", user});
      }
      argv.push_back("--");
      argv.push_back(host);
      ssh_ = argv;
    }
  }
  Mode mode() const override { return ssh_.empty() ? Mode::Ticket : Mode::Push; }
  std::string path() const override { return ticket_; }
  // The session around the commands (configuration mode in and out).
  virtual std::string session(const std::string& commands) const = 0;
  // Sends the commands over SSH, or appends them to the ticket file when one is configured.
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    std::string text = render(op, e, now);
    if (!ssh_.empty()) {
      CommandResult r = run_command(ssh_, session(text));
      if (r.status == 127) throw ExternalError("cannot run " + ssh_[0]);
      // Devices report command errors in their output, often with status 0.
      std::size_t start = 0;
      std::string all = r.out + "\n" + r.err;
      while (start < all.size()) {
        std::size_t nl = all.find('\n', start);
        if (nl == std::string::npos) nl = all.size();
        std::string line = all.substr(start, nl - start);
        for (const char* bad : {"% Invalid", "% Incomplete", "% Ambiguous", "ERROR:", "error:",
                                "syntax error", "unknown command"})
          if (line.find(bad) != std::string::npos)
            throw ExternalError("device refused a command: " + line.substr(0, 200));
        start = nl + 1;
      }
      if (r.status != 0)
        throw ExternalError("ssh ended with status " + std::to_string(r.status) +
                            (r.err.empty() ? "" : ": " + r.err.substr(0, r.err.find('\n')).substr(0, 200)));
      return "sent over SSH";
    }
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
  std::vector<std::string> ssh_;
};

class Asa : public CliDevice {
 public:
  explicit Asa(const DeviceConfig& c) : CliDevice(c) {
    group_ = c.ident("group", "TR-BLOCK");
    method_ = c.str("method", "object-group");
    if (method_ != "object-group" && method_ != "shun")
      c.fail("method", "must be object-group or shun");
  }
  std::string session(const std::string& c) const override {
    // shun is a privileged EXEC command; the rest is configuration.
    if (method_ == "shun") return "terminal pager 0\n" + c + "exit\n";
    return "terminal pager 0\nconfigure terminal\n" + c + "end\nexit\n";
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
  std::string session(const std::string& c) const override {
    // "copy running-config startup-config" is an EXEC command: leave config mode first.
    std::string cfg = c, tail;
    const std::string save = "copy running-config startup-config\n";
    if (auto p = cfg.find(save); p != std::string::npos) {
      cfg.erase(p, save.size());
      tail = save;
    }
    return "terminal length 0\nconfigure terminal\n" + cfg + "end\n" + tail + "exit\n";
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
  std::string session(const std::string& c) const override {
    // A private candidate configuration, so someone else's uncommitted changes stay theirs.
    return "configure private\n" + c + "exit\n";
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
