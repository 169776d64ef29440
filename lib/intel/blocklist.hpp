// Blocklists: local feed files matched against an alert's observables.
//
// One matching engine serves tr-ioc-check and tr-enrich: LocalBlocklists loads feed files into
// lib/match's Matcher (one indicator per entry, its origin the list's name) and answers behind
// BlocklistMatcher, so the enrichment stage does not care which engine answers. What matches
// is the Matcher's semantics (matcher.hpp): exact IPs and networks, exact domains and parent
// domains ("a.evil.example" hits a listed "evil.example"), URLs (normalised, and their host),
// hashes and e-mail addresses; tr-enrich adds the domain of an e-mail address and reads a
// "host" observable as a domain. Each list reports its most specific hit once: the longest
// network, the name itself before a parent, the exact URL before its host.
//
// Feed formats read (`format: auto` guesses per line):
//   plain   one value a line, "#" or ";" comments, a trailing comment after the value
//   drop    Spamhaus DROP "1.10.16.0/20 ; SBL256894"
//   hosts   "0.0.0.0 evil.example" (hosts-file blocklists)
//   csv     URLhaus / Feodo CSV: the first field that is a URL, IP, network, hash or domain
//   dshield DShield block.txt "start<TAB>end<TAB>prefix..."
//   json    one JSON object a line (URLhaus/ThreatFox dumps, Spamhaus DROP JSON): the first
//           of url, ioc, ioc_value, cidr, ip, domain, sha256_hash, md5_hash
// Feed text is untrusted: every value is validated and canonicalised by the Matcher; lines
// that are not values, and values the Matcher refuses as too broad (a /4 network, a loopback
// address, a bare TLD, the digest of empty content), are counted as invalid, never matched.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/matcher.hpp"

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
  // Starts loading what match() of this observable will read (a hint; may do nothing), so
  // that its cache misses overlap with other work on the alert.
  virtual void prefetch(std::string_view type, std::string_view value) const {
    (void)type;
    (void)value;
  }
};

struct LoadStats {
  std::size_t lines = 0, entries = 0, invalid = 0;
};

class LocalBlocklists : public BlocklistMatcher {
 public:
  // Loads a file as list `name` (several files may share a name). Throws UsageError when the
  // file cannot be read or for an unknown format.
  LoadStats load_file(const std::string& path, const std::string& name,
                      const std::string& format = "auto");
  LoadStats load_text(std::string_view text, const std::string& name,
                      const std::string& format = "auto");

  void match(std::string_view type, std::string_view value,
             std::vector<BlockHit>& out) const override;
  std::size_t size() const override { return matcher_.size(); }
  void prefetch(std::string_view type, std::string_view value) const override;
  const match::Matcher& matcher() const { return matcher_; }

 private:
  std::size_t list_index(const match::Origin* origin) const;
  static std::optional<match::Type> matcher_type(std::string_view type);
  // Matches `probe` as `t`; reports hits as the observable (type, value).
  void report(match::Type t, std::string_view probe, std::string_view type,
              std::string_view value, std::vector<BlockHit>& out) const;
  match::Matcher matcher_;
  std::vector<std::string> names_;  // in load order: the order hits are reported in
};

// Parses one feed line in `format`; returns the raw value to add, or "" when the line holds
// none (comment, blank). Exposed for tests and for feed validation.
std::string_view feed_value(std::string_view line, std::string_view format, std::string& scratch);

}  // namespace tr::intel
