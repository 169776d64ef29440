// Internal context, the "who" of an alert: the user directory and the asset inventory.
//
// Both load from a CSV export (header row, column names as the directory tools spell them)
// or from JSON (an array of objects, or one object per line). Lookups are by lower-cased
// keys; assets also by IP address and network (longest prefix wins).
//
// A row that cannot be used (no name, a bad IP) is skipped and reported through `warn`, with
// its file and line: directory exports are messy, and one bad row must not stop enrichment.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "intel/ip_table.hpp"

namespace tr::intel {

using Warn = std::function<void(const std::string&)>;

struct User {
  std::string name, email, display_name, title, department, manager;
  std::vector<std::string> groups;
  bool vip = false;  // marked in the export
};

struct Asset {
  std::string host;
  std::vector<std::string> ips;  // addresses and networks as written (canonical)
  std::string owner, business_unit, criticality, role;
};

class Directory {
 public:
  // CSV when the file name ends in .csv or the text does not start with '[' or '{'.
  void load(const std::string& path, const Warn& warn);
  void add(User u);
  // By account name ("jdoe", "CORP\jdoe", "jdoe@corp.example" as a UPN) or e-mail address.
  const User* by_name(std::string_view name) const;
  const User* by_email(std::string_view email) const;
  std::size_t size() const { return users_.size(); }

 private:
  std::vector<User> users_;
  std::unordered_map<std::string, std::size_t> names_, emails_;
};

class Assets {
 public:
  void load(const std::string& path, const Warn& warn);
  // Returns false when an address in `a.ips` is not an IP or network.
  bool add(Asset a);
  // By host name; "wks-042.corp.example" also finds "wks-042" and the reverse.
  const Asset* by_host(std::string_view host) const;
  // The asset whose address or network holds `ip` (longest prefix); `network` gets the entry.
  const Asset* by_ip(std::string_view ip, std::string* network = nullptr) const;
  std::size_t size() const { return assets_.size(); }

 private:
  std::vector<Asset> assets_;
  std::unordered_map<std::string, std::size_t> hosts_;
  mutable IpTable<std::size_t> ips_;  // frozen on first lookup after add()
};

// "true", "yes", "y", "1", "x" (any case) are true.
bool truthy(std::string_view s);
std::string lower_ascii(std::string_view s);

}  // namespace tr::intel
