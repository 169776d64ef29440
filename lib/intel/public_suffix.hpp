// Registrable domains from the Public Suffix List (https://publicsuffix.org/list/), so that
// an RDAP lookup for "a.b.example.co.uk" asks the registry about "example.co.uk", the name it
// holds, rather than "b.example.co.uk" (404) or "co.uk" (the registry itself).
//
// The list format: one rule a line; "//" comments; "*.ck" (every name under ck is a public
// suffix), "!www.ck" (an exception: www.ck is registrable after all). Lines between
// "===BEGIN PRIVATE DOMAINS===" and its END are rules of companies (github.io, blogspot.com):
// registries only know the ICANN names, so RDAP asks with `icann_only`. Rules in Unicode
// ("公司.cn") are kept in their A-label form (xn--55qx5d.cn) with the same libidn2 mapping
// as schema's canonical_domain, so both sides compare as canonical domains do.
//
// The algorithm is the list's own (publicsuffix.org/list, "Algorithm"): an exception rule
// wins; otherwise the matching rule with the most labels; otherwise the implicit rule "*"
// (the last label). Debian ships the list in the `publicsuffix` package.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tr::intel {

inline constexpr const char* kDefaultPublicSuffixList =
    "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
 public:
  // Parses list text. Rules that are not domain names are skipped (counted in skipped()).
  static PublicSuffixList parse(std::string_view text);
  // Reads and parses a file; throws UsageError when it cannot be read or holds no rules.
  static PublicSuffixList load(const std::string& path);

  // The public suffix of a canonical domain (lower case, A-labels, no trailing dot), e.g.
  // "co.uk" for "a.b.example.co.uk". Without `icann_only`, private rules count too.
  std::string_view public_suffix(std::string_view domain, bool icann_only = true) const;
  // The registrable domain (public suffix plus one label): "example.co.uk". nullopt when the
  // domain is itself a public suffix ("co.uk", "kawasaki.jp" under "*.kawasaki.jp").
  std::optional<std::string_view> registrable(std::string_view domain,
                                              bool icann_only = true) const;

  std::size_t size() const { return rules_.size(); }
  std::size_t skipped() const { return skipped_; }

 private:
  enum : uint8_t {
    kNormal = 1,
    kWildcard = 2,
    kException = 4,  // ICANN section bits; the private section's are these << 3
  };
  uint8_t flags(std::string_view suffix, bool icann_only) const;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint8_t, Hash, std::equal_to<>> rules_;
  std::size_t skipped_ = 0;
};

}  // namespace tr::intel
