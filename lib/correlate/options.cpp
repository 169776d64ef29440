#include "correlate/options.hpp"

#include <algorithm>

#include "config/config.hpp"
#include "core/error.hpp"

namespace tr::correlate {

namespace {

enum Attr : int {
  kAttackerIp, kTargetIp, kRelatedIp,
  kAttackerDomain, kTargetDomain, kRelatedDomain,
  kAttackerUrl, kTargetUrl, kRelatedUrl,
  kAttackerEmail, kTargetEmail, kRelatedEmail,
  kAttackerUser, kTargetUser, kAttackerHost, kTargetHost,
  kFileHash, kMessageId, kCidr, kFilename, kPath, kProcess, kMutex, kRegistry,
  kAttrCount
};

int side(std::string_view role) {
  if (role == "attacker") return 0;
  if (role == "victim" || role == "target") return 1;
  return 2;
}

}  // namespace

const std::vector<std::string>& attribute_names() {
  static const std::vector<std::string> names = {
      "attacker_ip",    "target_ip",    "related_ip",    "attacker_domain", "target_domain",
      "related_domain", "attacker_url", "target_url",    "related_url",     "attacker_email",
      "target_email",   "related_email", "attacker_user", "target_user",    "attacker_host",
      "target_host",    "file_hash",    "message_id",    "cidr",            "filename",
      "path",           "process",      "mutex",         "registry"};
  return names;
}

int attribute_of(std::string_view type, std::string_view role) {
  int s = side(role);
  if (type == "ip") return kAttackerIp + s;
  if (type == "domain") return kAttackerDomain + s;
  if (type == "url") return kAttackerUrl + s;
  if (type == "email") return kAttackerEmail + s;
  if (type == "user") return s == 0 ? kAttackerUser : kTargetUser;
  if (type == "host") return s == 0 ? kAttackerHost : kTargetHost;
  if (type == "md5" || type == "sha1" || type == "sha256") return kFileHash;
  if (type == "message_id") return kMessageId;
  if (type == "cidr") return kCidr;
  if (type == "filename") return kFilename;
  if (type == "path") return kPath;
  if (type == "process") return kProcess;
  if (type == "mutex") return kMutex;
  if (type == "registry") return kRegistry;
  return -1;
}

LinkSet LinkSet::defaults() {
  // A target's identity (user, host name, mailbox) links; its address (DHCP) does not.
  LinkSet s;
  for (int a : {kAttackerIp, kAttackerDomain, kAttackerUrl, kAttackerEmail, kAttackerUser,
                kAttackerHost, kTargetUser, kTargetHost, kTargetDomain, kTargetEmail,
                kRelatedDomain, kRelatedUrl, kFileHash, kMessageId, kMutex})
    s.bits_ |= uint64_t{1} << a;
  return s;
}

LinkSet LinkSet::parse(const std::vector<std::string>& names) {
  LinkSet s;
  const auto& all = attribute_names();
  auto add = [&](int a) { s.bits_ |= uint64_t{1} << a; };
  for (const auto& item : names) {
    std::string_view rest = item;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string name(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (name.empty()) continue;
      auto it = std::find(all.begin(), all.end(), name);
      if (it != all.end()) {
        add(static_cast<int>(it - all.begin()));
      } else if (name == "default") {
        s.bits_ |= defaults().bits_;
      } else if (name == "sender") {
        add(kAttackerEmail);
      } else if (name == "recipient") {
        add(kTargetEmail);
      } else if (name == "hash") {
        add(kFileHash);
      } else if (name == "ip" || name == "domain" || name == "url" || name == "email") {
        int base = attribute_of(name, "attacker");
        for (int i = 0; i < 3; ++i) add(base + i);
      } else if (name == "user") {
        add(kAttackerUser), add(kTargetUser);
      } else if (name == "host") {
        add(kAttackerHost), add(kTargetHost);
      } else {
        LinkSet every;
        every.bits_ = ~uint64_t{0} >> (64 - kAttrCount);
        throw UsageError("--link: unknown attribute \"" + name + "\" (one of " + every.str() +
                         ", or ip, domain, url, email, user, host, hash, sender, recipient, "
                         "default)");
      }
    }
  }
  if (s.bits_ == 0) throw UsageError("--link: no attributes given");
  return s;
}

std::string LinkSet::str() const {
  std::string out;
  const auto& all = attribute_names();
  for (int i = 0; i < kAttrCount; ++i) {
    if (!contains(i)) continue;
    if (!out.empty()) out += ',';
    out += all[static_cast<std::size_t>(i)];
  }
  return out;
}

namespace {

time::Millis duration_or(const std::string& flag, const char* name, const Config& c,
                         const std::string& key, time::Millis fallback) {
  if (!flag.empty()) {
    auto d = time::parse_duration(flag);
    if (!d || *d <= 0) throw UsageError(std::string(name) + ": \"" + flag +
                                        "\" is not a duration (e.g. 90s, 15m, 24h, 7d)");
    return *d;
  }
  return c.get_duration(key, fallback);
}

}  // namespace

Options resolve(const Flags& f, const Config& c) {
  Options o;
  o.window = duration_or(f.window, "--window", c, "correlate.window", o.window);
  if (o.window <= 0) throw UsageError("--window must be positive");
  if (!f.late.empty()) {
    auto d = time::parse_duration(f.late);
    if (!d) throw UsageError("--late: \"" + f.late + "\" is not a duration (e.g. 0s, 15m, 1h)");
    o.late = *d;
  } else {
    o.late = c.get_duration("correlate.late", o.late);
  }
  if (!f.link.empty()) {
    o.links = LinkSet::parse(f.link);
  } else if (c.has("correlate.link")) {
    o.links = LinkSet::parse(c.get_strings("correlate.link"));
  }
  o.never_link_files = f.never_link;
  if (f.never_link.empty() && c.has("correlate.never_link_file"))
    o.never_link_files.push_back(c.get_path("correlate.never_link_file"));
  o.never_link_values = c.get_strings("correlate.never_link");
  o.warninglists = !f.warninglists.empty() ? f.warninglists : c.get_path("correlate.warninglists");
  auto positive = [](int v, const char* name) {
    if (v < 1) throw UsageError(std::string(name) + " must be at least 1");
    return v;
  };
  o.campaign_min = positive(f.campaign_min >= 0 ? f.campaign_min
                                                : static_cast<int>(c.get_int(
                                                      "correlate.campaign_min", o.campaign_min)),
                            "--campaign-min");
  o.botnet_min = positive(f.botnet_min >= 0 ? f.botnet_min
                                            : static_cast<int>(c.get_int("correlate.botnet_min",
                                                                         o.botnet_min)),
                          "--botnet-min");
  o.hub_min = positive(f.hub_min >= 0 ? f.hub_min
                                      : static_cast<int>(c.get_int("correlate.hub_min", o.hub_min)),
                       "--hub-min");
  o.hub_share = f.hub_share >= 0 ? f.hub_share : c.get_double("correlate.hub_share", o.hub_share);
  if (!(o.hub_share > 0 && o.hub_share <= 1))
    throw UsageError("--hub-share must be above 0 and at most 1");
  o.explain = f.explain;
  o.incidents_only = f.incidents_only;
  return o;
}

}  // namespace tr::correlate
