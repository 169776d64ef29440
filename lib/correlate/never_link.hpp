// Values that must never join alerts: the mail gateway, the proxy, the DNS resolvers, the
// company's own domains, and the values on MISP warninglists.
//
// A never-link file holds one entry a line (# starts a comment):
//   203.0.113.5          an IP
//   10.0.0.0/8           a CIDR: every IP inside it
//   corp.example         a domain: it, its subdomains, and URLs on them
//   user:svc-backup      a value of one observable type (type:value)
// MISP warninglists are the JSON files of github.com/MISP/misp-warninglists (one list a file,
// `list` with `type` cidr, hostname, string, substring or regex), loaded from a folder
// (recursively, every *.json).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tr::correlate {

class NeverLink {
 public:
  NeverLink();
  ~NeverLink();
  NeverLink(NeverLink&&) noexcept;
  NeverLink& operator=(NeverLink&&) noexcept;

  // Adds one entry in the file syntax. Throws UsageError for an entry it cannot read.
  void add(std::string_view entry, const std::string& where = "");
  // Loads a never-link file. Throws UsageError ("file:line: reason") when unreadable or bad.
  void load_file(const std::string& path);
  // Loads every *.json warninglist under `dir`. Lists it cannot read are skipped with a
  // message appended to `warnings`. Returns the number of lists loaded.
  std::size_t load_warninglists(const std::string& dir, std::vector<std::string>& warnings);

  // Whether a canonical observable must not link.
  bool matches(std::string_view type, std::string_view value) const;
  bool empty() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tr::correlate
