// Blocklists: local feed files matched against an alert's observables.
//
// tr-ioc-check's matching engine (lib/match) is meant to serve this too; until it exists the
// matcher sits behind BlocklistMatcher so that the enrichment stage does not care which engine
// answers. LocalBlocklists is the stand-in: exact IPs and networks (longest prefix), exact
// domains and parent domains ("a.evil.example" hits a listed "evil.example"), exact URLs (and
// their host), hashes, and the domain of an e-mail address.
//
// Feed formats read (`format: auto` guesses per line):
//   plain   one value a line, "#" or ";" comments, a trailing comment after the value
//   drop    Spamhaus DROP "1.10.16.0/20 ; SBL256894"
//   hosts   "0.0.0.0 evil.example" (hosts-file blocklists)
//   csv     URLhaus / Feodo CSV: the first field that is a URL, IP, network, hash or domain
//   dshield DShield block.txt "start<TAB>end<TAB>prefix..."
//   json    one JSON object a line (URLhaus/ThreatFox dumps, Spamhaus DROP JSON): the first
//           of url, ioc, ioc_value, cidr, ip, domain, sha256_hash, md5_hash
// Feed text is untrusted: every value is validated and canonicalised; lines that are not
// values are counted as invalid, never matched.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/hash_index.hpp"
#include "intel/ip_table.hpp"

namespace tr::intel {

struct BlockHit {
  std::string type, value;  // the observable
  std::string list;         // the list's name
  std::string entry;        // the list entry that matched (a network, a parent domain)
};

class BlocklistMatcher {
 public:
  virtual ~BlocklistMatcher() = default;
  // Appends the hits for one canonical observable (type as in tr.observables).
  virtual void match(std::string_view type, std::string_view value,
                     std::vector<BlockHit>& out) const = 0;
  virtual std::size_t size() const = 0;
};

struct LoadStats {
  std::size_t lines = 0, entries = 0, invalid = 0;
};

class LocalBlocklists : public BlocklistMatcher {
 public:
  static constexpr std::size_t kMaxLists = 64;
  // Loads a file as list `name` (several files may share a name). Throws UsageError when the
  // file cannot be read, when there are more than 64 lists, or for an unknown format.
  LoadStats load_file(const std::string& path, const std::string& name,
                      const std::string& format = "auto");
  LoadStats load_text(std::string_view text, const std::string& name,
                      const std::string& format = "auto");

  void match(std::string_view type, std::string_view value,
             std::vector<BlockHit>& out) const override;
  std::size_t size() const override { return ips_.size() + strings_.size(); }
  // Sorts the tables after loading; match() freezes on first use otherwise.
  void freeze();

 private:
  int list_id(const std::string& name);
  bool add_value(std::string_view text, uint64_t bit);
  void report(uint64_t mask, std::string_view type, std::string_view value, std::string entry,
              std::vector<BlockHit>& out) const;
  const uint64_t* find_string(char type, std::string_view value) const;
  std::vector<std::string> names_;
  mutable IpTable<uint64_t> ips_;
  // Domains, URLs and hashes, keyed by a one-letter type prefix + canonical value: the text
  // in one arena, and (hash, offset, length, lists) entries sorted by hash. No per-entry
  // allocation, so a million entries load in well under a second.
  struct StringEntry {
    uint64_t hash;
    uint32_t offset, length;
    uint64_t mask;
  };
  std::string arena_;
  mutable std::vector<StringEntry> strings_;
  HashIndex string_index_;
  mutable bool strings_frozen_ = true;
};

// Parses one feed line in `format`; returns the raw value to add, or "" when the line holds
// none (comment, blank). Exposed for tests and for feed validation.
std::string_view feed_value(std::string_view line, std::string_view format, std::string& scratch);

}  // namespace tr::intel
