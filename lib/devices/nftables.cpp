// nftables named sets with per-element timeouts, for Linux hosts and routers (and, in tests,
// a network namespace). nft runs through execve with a fixed argument vector; the statements
// go to `nft -f -` on its standard input, one transaction per change. Values in them are
// canonical addresses (validated twice), so nothing from an alert can add a statement.
//
// On first use the table, the two sets (flags interval,timeout) and drop rules in the input,
// forward and output hooks are created when the table does not exist yet.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "devices/adapters.hpp"
#include "devices/validate.hpp"

namespace tr::devices {
namespace {

class Nftables : public Device {
 public:
  explicit Nftables(const DeviceConfig& c) : Device(c.name, c.str("type")) {
    family_ = c.str("family", "inet");
    if (family_ != "inet" && family_ != "ip" && family_ != "ip6" && family_ != "bridge" &&
        family_ != "netdev")
      c.fail("family", "must be inet, ip, ip6, bridge or netdev");
    table_ = c.ident("table", "tr");
    set4_ = c.ident("set4", "block4");
    set6_ = c.ident("set6", "block6");
    netns_ = c.node["netns"] ? c.ident("netns", "") : "";
    nft_ = c.str("nft", "nft");
    setup_ = c.flag("setup", true);
  }
  Mode mode() const override { return Mode::Push; }
  bool supports(std::string_view t) const override { return t == "ip" || t == "cidr"; }
  bool renew_pushes() const override { return true; }

  std::string element(const Entry& e, int64_t now, bool with_timeout) const {
    Net n;
    if (!parse_net(e.value, n)) throw RecordError("not an address for an nftables set");
    std::string v = n.address();
    if (n.len != (n.v6 ? 128 : 32)) v += "/" + std::to_string(n.len);
    int64_t secs = ttl_seconds(e, now);
    if (with_timeout && secs > 0) v += " timeout " + std::to_string(secs) + "s";
    return v;
  }
  std::string set_of(const Entry& e) const { return e.value.find(':') == std::string::npos ? set4_ : set6_; }
  std::string render(std::string_view op, const Entry& e, int64_t now) const override {
    std::string target = family_ + " " + table_ + " " + set_of(e);
    std::string plain = element(e, now, false);
    // add is a no-op for an existing element and delete fails for a missing one, and a
    // timeout cannot be changed in place: add, delete, (re-)add in one transaction.
    std::string s = "add element " + target + " { " + plain + " }\n";
    s += "delete element " + target + " { " + plain + " }\n";
    if (op == "block") s += "add element " + target + " { " + element(e, now, true) + " }\n";
    return s;
  }
  std::vector<std::string> argv(std::vector<std::string> rest) const {
    std::vector<std::string> a;
    if (!netns_.empty()) a = {"ip", "netns", "exec", netns_};
    a.push_back(nft_);
    for (auto& r : rest) a.push_back(std::move(r));
    return a;
  }
  void ensure() {
    if (!setup_ || ready_) return;
    CommandResult have = run_command(argv({"list", "table", family_, table_}), "");
    if (have.status == 127) throw ExternalError("cannot run " + nft_ + " (is nftables installed?)");
    if (have.status != 0) {
      std::string t = family_ + " " + table_;
      std::string s = "add table " + t + "\n";
      s += "add set " + t + " " + set4_ + " { type ipv4_addr; flags interval,timeout; }\n";
      s += "add set " + t + " " + set6_ + " { type ipv6_addr; flags interval,timeout; }\n";
      if (family_ == "inet" || family_ == "ip" || family_ == "ip6") {
        s += "add chain " + t + " input { type filter hook input priority -10; policy accept; }\n";
        s += "add chain " + t + " forward { type filter hook forward priority -10; policy accept; }\n";
        s += "add chain " + t + " output { type filter hook output priority -10; policy accept; }\n";
        for (auto [proto, set] : {std::pair{"ip", set4_}, std::pair{"ip6", set6_}}) {
          if ((family_ == "ip" && std::string(proto) == "ip6") || (family_ == "ip6" && std::string(proto) == "ip")) continue;
          s += "add rule " + t + " input " + proto + " saddr @" + set + " counter drop\n";
          s += "add rule " + t + " forward " + proto + " saddr @" + set + " counter drop\n";
          s += "add rule " + t + " forward " + proto + " daddr @" + set + " counter drop\n";
          s += "add rule " + t + " output " + proto + " daddr @" + set + " counter drop\n";
        }
      }
      CommandResult r = run_command(argv({"-f", "-"}), s);
      if (r.status != 0) throw ExternalError("nft: setting up table " + t + " failed: " + first_line(r.err));
    }
    ready_ = true;
  }
  static std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return s.substr(0, std::min<std::size_t>(nl, 200));
  }
  std::string apply(std::string_view op, const Entry& e, int64_t now) override {
    ensure();
    CommandResult r = run_command(argv({"-f", "-"}), render(op, e, now));
    if (r.status == 127) throw ExternalError("cannot run " + nft_);
    if (r.status != 0) throw ExternalError("nft failed: " + first_line(r.err));
    return "nft: " + std::string(op == "block" ? "added to " : "removed from ") + set_of(e);
  }
  std::optional<std::vector<Entry>> current() override {
    ensure();
    std::vector<Entry> out;
    for (const auto& set : {set4_, set6_}) {
      CommandResult r = run_command(argv({"-j", "list", "set", family_, table_, set}), "");
      if (r.status != 0) throw ExternalError("nft list set failed: " + first_line(r.err));
      auto j = nlohmann::json::parse(r.out, nullptr, false);
      if (!j.is_object() || !j.contains("nftables")) throw ExternalError("nft -j: unexpected output");
      for (const auto& item : j["nftables"]) {
        if (!item.contains("set") || !item["set"].contains("elem")) continue;
        for (auto el : item["set"]["elem"]) {
          if (el.is_object() && el.contains("elem")) el = el["elem"]["val"];
          std::string value;
          if (el.is_string()) value = el.get<std::string>();
          else if (el.is_object() && el.contains("prefix"))
            value = el["prefix"]["addr"].get<std::string>() + "/" +
                    std::to_string(el["prefix"]["len"].get<int>());
          else continue;
          Entry e;
          e.type = value.find('/') == std::string::npos ? "ip" : "cidr";
          Checked c = check_value(e.type, value);
          if (!c.ok) continue;
          e.value = c.value;
          out.push_back(e);
        }
      }
    }
    return out;
  }

 private:
  std::string family_, table_, set4_, set6_, netns_, nft_;
  bool setup_ = true, ready_ = false;
};

}  // namespace

std::unique_ptr<Device> make_nftables(const DeviceConfig& c) { return std::make_unique<Nftables>(c); }

}  // namespace tr::devices
