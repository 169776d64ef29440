// CLI devices: Cisco ASA, Cisco IOS and Juniper SRX. The toolkit renders the exact lines an
// operator (or an SSH session) types; with `path:` they are appended to a change-ticket file.
// Without `ssh:` entries stay `planned` until a listing of the device (sync --from-file)
// shows them, so nothing is recorded as applied that was not.
//
// Values are validated before they get here; each renderer checks again that a value is an
// address or an LDH name, since a newline in a value would be a second command.
//
// Listing: each device's own answer to its show command (show_command(), in the syntax we
// render) is read back by parse_listing(), over SSH or from a file the operator saved. The
// answer is untrusted text: it is read line by line with RE2 (linear time), lines longer
// than kMaxLine are skipped, only the section of our group counts, and every value found
// must pass check_value() before it becomes an entry.
#include <fcntl.h>
#include <unistd.h>

#include <re2/re2.h>

#include <algorithm>
#include <optional>

#include <cerrno>
#include <cstring>
#include <map>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
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

constexpr std::size_t kMaxLine = 1000;

// Calls fn(line) for each line of `text` (CR stripped, over-long lines skipped).
template <typename Fn>
void each_line(std::string_view text, Fn fn) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() <= kMaxLine) fn(line);
    start = nl + 1;
  }
}

// An entry for a listed address, network ("a.b.c.d m.m.m.m", "a.b.c.d/len") or host.
std::optional<Entry> listed_net(std::string_view addr, std::string_view mask_or_len) {
  std::string text(addr);
  if (!mask_or_len.empty()) {
    std::string m(mask_or_len);
    if (m.find('.') != std::string::npos) {
      Net mask;
      if (!parse_net(m, mask) || mask.v6) return std::nullopt;
      int len = 0;
      bool ended = false;
      for (int i = 0; i < 4; ++i)
        for (int b = 7; b >= 0; --b) {
          bool one = (mask.addr[i] >> b) & 1;
          if (one && ended) return std::nullopt;  // not a contiguous netmask
          if (one) ++len; else ended = true;
        }
      m = std::to_string(len);
    }
    text += "/" + m;
  }
  Net n;
  if (!parse_net(text, n)) return std::nullopt;
  Entry e;
  bool host = n.len == (n.v6 ? 128 : 32);
  e.type = host ? "ip" : "cidr";
  Checked c = check_value(e.type, host ? n.address() : n.address() + "/" + std::to_string(n.len));
  if (!c.ok) return std::nullopt;
  e.value = c.value;
  return e;
}

// "12:00 04 December 2026": Cisco's time-range clock format, in UTC, rounded up to the minute
// so a block never ends early.
std::string cisco_time(int64_t ms) {
  static const char* months[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};
  time_t t = static_cast<time_t>((ms + 59999) / 60000 * 60);
  struct tm g {};
  gmtime_r(&t, &g);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d:%02d %02d %s %d", g.tm_hour, g.tm_min, g.tm_mday,
                months[g.tm_mon], g.tm_year + 1900);
  return buf;
}

// IOS ACE sequence number for a time-range name: 1 .. 2000000000, from its digest.
int64_t ace_sequence(const std::string& range) {
  std::string h = sha256_hex(range).substr(0, 12);
  return static_cast<int64_t>(std::stoull(h, nullptr, 16) % 2000000000ULL) + 1;
}

// An ACE's address ("host a.b.c.d", "a.b.c.d m.m.m.m", "2001:db8::/32") as an entry.
// IOS writes wildcard masks ("0.0.0.255"), ASA netmasks.
std::optional<Entry> listed_ace_address(const std::string& text, bool wildcard) {
  if (text.starts_with("host ")) return listed_net(std::string_view(text).substr(5), "");
  auto sp = text.find(' ');
  if (sp != std::string::npos) {
    std::string mask = text.substr(sp + 1);
    if (wildcard) {
      Net w;
      if (!parse_net(mask, w) || w.v6) return std::nullopt;
      mask.clear();
      for (int i = 0; i < 4; ++i)
        mask += (i ? "." : "") + std::to_string(255 - w.addr[i]);
    }
    return listed_net(std::string_view(text).substr(0, sp), mask);
  }
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  return listed_net(std::string_view(text).substr(0, slash), std::string_view(text).substr(slash + 1));
}

std::optional<Entry> listed_domain(std::string_view name) {
  Checked c = check_value("domain", name);
  if (!c.ok) return std::nullopt;
  Entry e;
  e.type = "domain";
  e.value = c.value;
  return e;
}

class CliDevice : public Device {
 public:
  explicit CliDevice(const DeviceConfig& c) : Device(c.name, c.str("type")) {
    if (c.node["path"]) ticket_ = c.path("path");
    save_ = c.flag("save", true);
    // Time-range expiry (ASA, IOS): an ip/cidr entry with an expiry gets its own deny ACE in
    // `acl:` bound to a time-range that ends with the block, so the device stops enforcing
    // on time even when no `tr-block expire` runs; expire still deletes both.
    time_range_ = c.flag("time_range", false);
    if (time_range_) {
      acl_ = c.ident("acl", "");
      if (acl_.empty()) c.fail("acl", "is required with time_range (the ACL that gets the deny lines)");
      direction_ = c.str("direction", "source");
      if (direction_ != "source" && direction_ != "destination")
        c.fail("direction", "must be source or destination");
    }
    // Members sync must never lift: the placeholder that keeps a group non-empty.
    for (const auto& v : c.config.get_strings("devices." + c.name + ".keep")) keep_.push_back(v);
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
  // Runs one SSH session with `input` on its standard input; returns what the device printed.
  // Devices report command errors in their output, often with status 0.
  std::string run_ssh(const std::string& input) const {
    CommandResult r = run_command(ssh_, input);
    if (r.status == 127) throw ExternalError("cannot run " + ssh_[0]);
    std::string all = r.out + "\n" + r.err;
    each_line(all, [&](std::string_view line) {
      for (const char* bad : {"% Invalid", "% Incomplete", "% Ambiguous", "% Duplicate", "ERROR:", "error:",
                              "syntax error", "unknown command"})
        if (line.find(bad) != std::string_view::npos)
          throw ExternalError("device refused a command: " + std::string(line.substr(0, 200)));
    });
    if (r.status != 0)
      throw ExternalError("ssh ended with status " + std::to_string(r.status) +
                          (r.err.empty() ? "" : ": " + r.err.substr(0, r.err.find('\n')).substr(0, 200)));
    return r.out;
  }
  // Sends the commands over SSH, or appends them to the ticket file when one is configured.
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    std::string text = render(op, e, now);
    if (!ssh_.empty()) {
      run_ssh(session(text));
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
  // Renewing a time-range entry moves its end; anything else has no expiry on the device.
  std::string renew(const Entry& e, int64_t now) override {
    if (!timed(e)) return "renewed in the store";
    return apply("renew", e, now);
  }
  // The operational command whose answer lists what the device holds, and the session
  // around it (pager off, leave).
  virtual std::string show_command() const = 0;
  virtual std::string show_session(const std::string& cmd) const = 0;
  // Entries in a device's answer to show_command(); `keep:` members are left out.
  virtual std::vector<Entry> parse(std::string_view text) const = 0;
  std::optional<std::vector<Entry>> parse_listing(std::string_view text) const override {
    std::vector<Entry> out;
    for (auto& e : parse(text))
      if (std::find(keep_.begin(), keep_.end(), e.value) == keep_.end()) out.push_back(std::move(e));
    return out;
  }
  std::optional<std::vector<Entry>> current() override {
    if (ssh_.empty()) return std::nullopt;
    return parse_listing(run_ssh(show_session(show_command())));
  }
  std::string listing_hint() const override { return show_command(); }
  bool renew_pushes() const override { return time_range_; }

 protected:
  bool timed(const Entry& e) const {
    return time_range_ && e.expires && (e.type == "ip" || e.type == "cidr");
  }
  // TR-EXP-<block id digits>, or the name sync found on the device.
  static std::string range_name(const Entry& e) {
    static const re2::RE2 name_re(R"(TR-EXP-[0-9a-f]{1,32})");
    std::string n = !e.ref.empty() ? e.ref : "TR-EXP-" + (e.id.size() > 2 ? e.id.substr(2) : e.id);
    if (!re2::RE2::FullMatch(n, name_re)) throw RecordError("no valid time-range name for this entry");
    return n;
  }
  // The ACE's match part for the entry: "ip host X any" (source) or "ip any host X".
  std::string ace_match(const std::string& address) const {
    return direction_ == "source" ? "ip " + address + " any" : "ip any " + address;
  }
  // Reads "deny ip ADDR any time-range TR-EXP-..." (or "any ADDR") from an ACE line.
  std::optional<Entry> parse_ace(std::string_view line) const {
    static const re2::RE2 src_re(
        R"(deny ip (host \S+|\S+/\d+|\S+ \d+\.\d+\.\d+\.\d+) any time-range (TR-EXP-[0-9a-f]{1,32})(?: .*)?$)");
    static const re2::RE2 dst_re(
        R"(deny ip any (host \S+|\S+/\d+|\S+ \d+\.\d+\.\d+\.\d+) time-range (TR-EXP-[0-9a-f]{1,32})(?: .*)?$)");
    std::string addr, name;
    re2::StringPiece sp(line.data(), line.size());
    if (!re2::RE2::PartialMatch(sp, direction_ == "source" ? src_re : dst_re, &addr, &name))
      return std::nullopt;
    auto e = listed_ace_address(addr, type() == "ios");
    if (e) e->ref = name;
    return e;
  }
  bool time_range_ = false;
  std::string acl_, direction_ = "source";

  std::string ticket_;
  bool save_ = true;
  std::vector<std::string> ssh_;
  std::vector<std::string> keep_;
};

class Asa : public CliDevice {
 public:
  explicit Asa(const DeviceConfig& c) : CliDevice(c) {
    group_ = c.ident("group", "TR-BLOCK");
    method_ = c.str("method", "object-group");
    if (method_ != "object-group" && method_ != "shun")
      c.fail("method", "must be object-group or shun");
  }
  std::string show_command() const override {
    if (method_ == "shun") return "show shun";
    std::string cmd = "show running-config object-group id " + group_;
    if (time_range_) cmd += "\nshow running-config access-list " + acl_;
    return cmd;
  }
  std::string show_session(const std::string& cmd) const override {
    return "terminal pager 0\n" + cmd + "\nexit\n";
  }
  std::vector<Entry> parse(std::string_view text) const override {
    static const re2::RE2 shun_re(R"(^shun \([^)]*\) (\S+) )");
    static const re2::RE2 group_re(R"(^object-group network (\S+)\s*$)");
    static const re2::RE2 object_re(R"(^ network-object object tr-(\S+)\s*$)");
    static const re2::RE2 host_re(R"(^ network-object host (\S+)\s*$)");
    static const re2::RE2 net_re(R"(^ network-object (\S+?)(?:/(\d+))?(?: (\S+))?\s*$)");
    std::vector<Entry> out;
    bool ours = false;
    each_line(text, [&](std::string_view line) {
      re2::StringPiece sp(line.data(), line.size());
      std::string a, b, c;
      std::optional<Entry> e;
      if (method_ == "shun") {
        if (re2::RE2::PartialMatch(sp, shun_re, &a)) e = listed_net(a, "");
      } else if (time_range_ && line.starts_with("access-list " + acl_ + " ")) {
        ours = false;
        e = parse_ace(line);
      } else if (re2::RE2::FullMatch(sp, group_re, &a)) {
        ours = a == group_;
      } else if (!line.empty() && line[0] != ' ') {
        ours = false;  // another section
      } else if (!ours) {
      } else if (re2::RE2::FullMatch(sp, object_re, &a)) {
        e = listed_domain(a);
      } else if (re2::RE2::FullMatch(sp, host_re, &a)) {
        e = listed_net(a, "");
      } else if (re2::RE2::FullMatch(sp, net_re, &a, &b, &c)) {
        if (!b.empty() && c.empty()) e = listed_net(a, b);
        else if (b.empty() && !c.empty()) e = listed_net(a, c);
      }
      if (e) out.push_back(*e);
    });
    return out;
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
    bool add = op == "block" || op == "renew";
    std::string out;
    if (method_ == "shun") {
      // shun is source-only, not in the running config, and has no timeout.
      Net n = need_net(e);
      if (n.len != (n.v6 ? 128 : 32)) throw RecordError("shun takes a single address");
      return std::string(add ? "" : "no ") + "shun " + n.address() + "\n";
    }
    if (timed(e)) {
      Net n = need_net(e);
      std::string address = n.len == (n.v6 ? 128 : 32) ? "host " + n.address()
                            : n.v6 ? n.address() + "/" + std::to_string(n.len)
                                   : n.address() + " " + n.mask();
      std::string range = range_name(e);
      std::string ace = "access-list " + acl_ + " extended deny " + ace_match(address) +
                        " time-range " + range + "\n";
      if (add) {
        out += "time-range " + range + "\n absolute end " + cisco_time(*e.expires) + "\n";
        if (op == "block") out += "access-list " + acl_ + " line 1 " + ace.substr(13 + acl_.size());
      } else {
        out += "no " + ace + "no time-range " + range + "\n";
      }
    } else if (e.type == "domain") {
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
  std::string show_command() const override {
    std::string timed_cmd = time_range_ ? "\nshow ip access-lists " + acl_ : "";
    if (method_ == "null-route") return "show running-config | include Null0" + timed_cmd;
    return "show running-config | section object-group network " + group_ + timed_cmd;
  }
  std::string show_session(const std::string& cmd) const override {
    return "terminal length 0\n" + cmd + "\nexit\n";
  }
  std::vector<Entry> parse(std::string_view text) const override {
    static const re2::RE2 route_re(R"(^ip route (\S+) (\S+) Null0 tag (\d+)(?: .*)?$)");
    static const re2::RE2 route6_re(R"(^ipv6 route (\S+)/(\d+) Null0 tag (\d+)(?: .*)?$)");
    static const re2::RE2 group_re(R"(^object-group network (\S+)\s*$)");
    static const re2::RE2 host_re(R"(^ host (\S+)\s*$)");
    static const re2::RE2 net_re(R"(^ (\d+\.\d+\.\d+\.\d+) (\d+\.\d+\.\d+\.\d+)\s*$)");
    static const re2::RE2 acl_re(R"(^Extended IP access list (\S+)\s*$)");
    static const re2::RE2 acl_cfg_re(R"(^ip access-list extended (\S+)\s*$)");
    std::vector<Entry> out;
    bool ours = false, in_acl = false;
    const std::string tag = std::to_string(tag_);
    each_line(text, [&](std::string_view line) {
      re2::StringPiece sp(line.data(), line.size());
      std::string a, b, t;
      std::optional<Entry> e;
      if (re2::RE2::FullMatch(sp, acl_re, &a) || re2::RE2::FullMatch(sp, acl_cfg_re, &a)) {
        in_acl = time_range_ && a == acl_;
        ours = false;
      } else if (in_acl && !line.empty() && line[0] == ' ') {
        e = parse_ace(line);
      } else if (method_ == "null-route") {
        in_acl = false;
        if ((re2::RE2::FullMatch(sp, route_re, &a, &b, &t) ||
             re2::RE2::FullMatch(sp, route6_re, &a, &b, &t)) && t == tag)
          e = listed_net(a, b);
      } else if (re2::RE2::FullMatch(sp, group_re, &a)) {
        ours = a == group_;
        in_acl = false;
      } else if (!line.empty() && line[0] != ' ') {
        ours = in_acl = false;
      } else if (!ours) {
      } else if (re2::RE2::FullMatch(sp, host_re, &a)) {
        e = listed_net(a, "");
      } else if (re2::RE2::FullMatch(sp, net_re, &a, &b)) {
        e = listed_net(a, b);
      }
      if (e) out.push_back(*e);
    });
    return out;
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
    bool add = op == "block" || op == "renew";
    Net n = need_net(e);
    std::string no = add ? "" : "no ";
    std::string out;
    if (timed(e)) {
      // IOS appends ACEs at the end, after the ACL's final permit: each gets a sequence
      // number from its time-range name, below the operator's final permit (2147483647).
      if (n.v6) throw RecordError("IOS time-range ACEs take IPv4 only");
      std::string range = range_name(e);
      std::string seq = std::to_string(ace_sequence(range));
      std::string address = n.len == 32 ? "host " + n.address() : n.address() + " " + n.wildcard();
      if (add) {
        out += "time-range " + range + "\n absolute end " + cisco_time(*e.expires) + "\n";
        if (op == "block")
          out += "ip access-list extended " + acl_ + "\n " + seq + " deny " + ace_match(address) +
                 " time-range " + range + "\n";
      } else {
        out += "ip access-list extended " + acl_ + "\n no " + seq + "\nno time-range " + range + "\n";
      }
    } else if (method_ == "null-route") {
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
  std::string show_command() const override {
    return "show configuration security address-book " + book_ + " | display set";
  }
  std::string show_session(const std::string& cmd) const override { return cmd + "\nexit\n"; }
  // Reads `| display set` lines and the default brace format alike: address objects by name,
  // then the members of our address-set resolved through them.
  std::vector<Entry> parse(std::string_view text) const override {
    static const re2::RE2 set_addr_re(
        R"(^set security address-book (\S+) address (\S+) (?:dns-name )?(\S+)\s*$)");
    static const re2::RE2 set_member_re(
        R"(^set security address-book (\S+) address-set (\S+) address (\S+)\s*$)");
    static const re2::RE2 open_re(R"(^\s*(\S+(?: \S+)?) \{\s*$)");
    static const re2::RE2 close_re(R"(^\s*\}\s*$)");
    static const re2::RE2 addr_re(R"(^\s*address (\S+) (\S+);\s*$)");
    static const re2::RE2 dns_re(R"(^\s*dns-name (\S+);\s*$)");
    static const re2::RE2 member_re(R"(^\s*address (\S+);\s*$)");
    std::map<std::string, std::string> objects;  // name -> value text
    std::vector<std::string> members;
    std::vector<std::string> stack;
    each_line(text, [&](std::string_view line) {
      re2::StringPiece sp(line.data(), line.size());
      std::string a, b, c;
      if (re2::RE2::FullMatch(sp, set_addr_re, &a, &b, &c)) {
        if (a == book_) objects[b] = c;
      } else if (re2::RE2::FullMatch(sp, set_member_re, &a, &b, &c)) {
        if (a == book_ && b == set_) members.push_back(c);
      } else if (re2::RE2::FullMatch(sp, open_re, &a)) {
        if (stack.size() < 16) stack.push_back(a);
      } else if (re2::RE2::FullMatch(sp, close_re)) {
        if (!stack.empty()) stack.pop_back();
      } else if (!stack.empty() && stack.back() == "address-set " + set_ &&
                 re2::RE2::FullMatch(sp, member_re, &a)) {
        members.push_back(a);
      } else if (re2::RE2::FullMatch(sp, addr_re, &a, &b)) {
        objects[a] = b;
      } else if (!stack.empty() && stack.back().starts_with("address ") &&
                 re2::RE2::FullMatch(sp, dns_re, &a)) {
        objects[stack.back().substr(8)] = a;
      }
    });
    std::vector<Entry> out;
    for (const auto& m : members) {
      auto it = objects.find(m);
      if (it == objects.end()) continue;
      const std::string& v = it->second;
      std::optional<Entry> e;
      if (auto slash = v.find('/'); slash != std::string::npos)
        e = listed_net(std::string_view(v).substr(0, slash), std::string_view(v).substr(slash + 1));
      else if (Net n; parse_net(v, n))
        e = listed_net(v, "");
      else
        e = listed_domain(v);
      if (!e) continue;
      e->ref = m;
      out.push_back(*e);
    }
    return out;
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
    // An object found by sync under another name is deleted by that name.
    if (op != "block" && !e.ref.empty()) {
      static const re2::RE2 name_re(R"([A-Za-z0-9][A-Za-z0-9._-]{0,62})");
      if (!re2::RE2::FullMatch(e.ref, name_re)) throw RecordError("not a valid object name");
      object = e.ref;
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

// Check Point SAM rules (fw samp, R80.20+), typed in Expert mode over SSH or rendered for a
// ticket: an immediate drop with its own timeout, no policy install. Removal needs the rule's
// uid, which only `fw samp get` shows: over SSH the rules are listed first; in a ticket the
// uid comes from a listing given to sync --from-file, else the ticket says how to find it.
// `fw samp del` leaves the gateway enforcing until the next policy load, so every removal is
// followed by the flush-only rule `fw samp add -t 2 quota flush true`.
class CheckPointSam : public CliDevice {
 public:
  explicit CheckPointSam(const DeviceConfig& c) : CliDevice(c) {
    direction_ = c.str("direction", "both");
    if (direction_ != "source" && direction_ != "destination" && direction_ != "both")
      c.fail("direction", "must be source, destination or both");
    target_ = c.node["target"] ? c.ident("target", "") : "";
  }
  bool supports(std::string_view t) const override { return t == "ip"; }
  bool renew_pushes() const override { return true; }
  std::string renew(const Entry& e, int64_t now) override { return apply("block", e, now); }
  std::string session(const std::string& c) const override { return c + "exit\n"; }
  std::string show_command() const override { return "fw samp get"; }
  std::string show_session(const std::string& cmd) const override { return cmd + "\nexit\n"; }
  static std::string rule_name(const Entry& e) {
    static const re2::RE2 id_re(R"(b-[0-9a-f]{1,32})");
    if (!re2::RE2::FullMatch(e.id, id_re)) throw RecordError("no valid block id for a SAM rule name");
    return "tr-" + e.id.substr(2);
  }
  std::string render(std::string_view op, const Entry& e, int64_t now) const override {
    Net n = need_net(e);
    if (n.len != (n.v6 ? 128 : 32)) throw RecordError("SAM rules take single addresses");
    std::string ip = n.address();
    std::string out;
    if (op == "block" || op == "renew") {
      // Every word is fixed or validated: the rule name is our id, the comment the incident
      // id (a safe alphabet), so nothing needs quoting in the shell.
      std::string head = "fw samp add -a d -l r";
      if (int64_t secs = ttl_seconds(e, now); secs > 0) head += " -t " + std::to_string(secs);
      if (!target_.empty()) head += " -f " + target_;
      head += " -n " + rule_name(e);
      if (!e.incident.empty() && is_safe_incident_id(e.incident)) head += " -c " + e.incident;
      if (direction_ != "destination") out += head + " ip -s " + ip + "\n";
      if (direction_ != "source") out += head + " ip -d " + ip + "\n";
      return out;
    }
    if (!e.ref.empty()) {
      for (const auto& uid : split_uids(e.ref)) out += "fw samp del '" + uid + "'\n";
    } else {
      out += "# fw samp get, then fw samp del '<uid>' for each rule on " + ip + "\n";
    }
    return out + "fw samp add -t 2 quota flush true\n";
  }
  static std::vector<std::string> split_uids(const std::string& ref) {
    static const re2::RE2 uid_re(R"(<[0-9A-Fa-f,]{1,200}>)");
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= ref.size()) {
      std::size_t sp = ref.find(' ', start);
      if (sp == std::string::npos) sp = ref.size();
      std::string uid = ref.substr(start, sp - start);
      if (!re2::RE2::FullMatch(uid, uid_re)) throw RecordError("not a valid SAM rule uid");
      out.push_back(uid);
      start = sp + 1;
    }
    return out;
  }
  // `fw samp get` lines: "operation=add uid=<...> target=all timeout=86400 action=drop
  // name=tr-... src_ip_addr=203.0.113.7 ...". Only rules named tr-... are ours; the uids of a
  // value's rules (one per direction) are kept, space-separated, in the entry's ref.
  std::vector<Entry> parse(std::string_view text) const override {
    static const re2::RE2 uid_re(R"(\buid=(<[0-9A-Fa-f,]{1,200}>))");
    static const re2::RE2 name_re(R"(\bname=tr-[0-9a-f]{1,32}\b)");
    static const re2::RE2 src_re(R"(\bsrc_ip_addr=(\S+))");
    static const re2::RE2 dst_re(R"(\bdst_ip_addr=(\S+))");
    std::map<std::string, Entry> by_value;
    std::vector<std::string> order;
    each_line(text, [&](std::string_view line) {
      re2::StringPiece sp(line.data(), line.size());
      std::string uid, ip;
      if (!re2::RE2::PartialMatch(sp, uid_re, &uid) || !re2::RE2::PartialMatch(sp, name_re)) return;
      if (!re2::RE2::PartialMatch(sp, src_re, &ip) && !re2::RE2::PartialMatch(sp, dst_re, &ip)) return;
      auto e = listed_net(ip, "");
      if (!e) return;
      auto [it, fresh] = by_value.emplace(e->value, *e);
      if (fresh) order.push_back(e->value);
      if (it->second.ref.find(uid) == std::string::npos)
        it->second.ref += (it->second.ref.empty() ? "" : " ") + uid;
    });
    std::vector<Entry> out;
    for (const auto& v : order) out.push_back(by_value[v]);
    return out;
  }
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    if (op != "unblock" || ssh_.empty() || !e.ref.empty()) return CliDevice::apply(op, e, now);
    // Over SSH: find the rules' uids first.
    Entry found = e;
    for (const auto& listed : parse(run_ssh(show_session(show_command()))))
      if (listed.value == e.value) found.ref = listed.ref;
    if (found.ref.empty()) return "no SAM rule for " + e.value + " (already gone)";
    return CliDevice::apply(op, found, now);
  }

 private:
  std::string direction_, target_;
};

}  // namespace

std::unique_ptr<Device> make_checkpoint_sam(const DeviceConfig& c) {
  return std::make_unique<CheckPointSam>(c);
}

namespace {
}  // namespace

std::unique_ptr<Device> make_asa(const DeviceConfig& c) { return std::make_unique<Asa>(c); }
std::unique_ptr<Device> make_ios(const DeviceConfig& c) { return std::make_unique<Ios>(c); }
std::unique_ptr<Device> make_srx(const DeviceConfig& c) { return std::make_unique<Srx>(c); }

}  // namespace tr::devices
