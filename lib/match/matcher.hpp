// The IOC matching engine: typed indicators in, typed values out. Used by tr-ioc-check for
// endpoint artifacts and meant for tr-enrich's blocklists too.
//
// Semantics (each rule is what a responder expects, not what grep does):
//  - hashes (md5, sha1, sha256, sha512): exact, lower-case hex. The digests of empty content
//    are refused as indicators: every empty file on every host would match.
//  - ip and cidr: longest-to-shortest prefix lookup in one hash table per prefix length that
//    is in use (an exact IP is a /32 or /128). Networks broader than /8 (IPv4) or /16 (IPv6),
//    and the unspecified/broadcast/loopback addresses, are refused as indicators.
//  - domain: the value and every parent ("a.b.evil.example" hits "evil.example"). A
//    single-label name ("com", "localhost") is refused.
//  - url: normalised (lower-case scheme and host, default port dropped, fragment dropped,
//    empty path "/"), compared without the scheme; the URL's host is also indexed as a weak
//    "domain in a URL" key.
//  - filename: exact, case-insensitive. path: Windows paths ("C:\..", "\\server\..", or with
//    backslashes) are case-insensitive with "/" read as "\"; POSIX paths are exact. A path
//    also offers its file name to the filename rules.
//  - registry: case-insensitive; hive names unified (HKEY_LOCAL_MACHINE and \REGISTRY\MACHINE
//    are HKLM ...); a key indicator also covers its subkeys and values; a key under
//    HKU\<sid>\ also matches HKCU indicators.
//  - mutex: exact. process: a command line, exact after collapsing runs of white space.
//  - email: canonical_email. regex: RE2, applied to every string an artifact offers; a
//    pattern that matches the empty string or any probe text is refused as "matches
//    everything".
//
// Storage is compact (one arena for values, an open-addressing table of keys, postings for
// indicators that share a key) so a million indicators load in well under a second and about
// 100 MB. Indicators are added, then finish() is called once, then match() may be called
// from any number of threads.
#pragma once
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace re2 {
class RE2;
}

namespace tr::match {

namespace detail {
// Allocates large arrays on 2 MiB boundaries and asks for transparent huge pages
// (madvise): the key table is probed at random, and with 4 KiB pages nearly every probe of a
// large table also misses the TLB. Small arrays use plain new.
void* huge_alloc(std::size_t bytes);
void huge_free(void* p, std::size_t bytes) noexcept;
template <class T>
struct HugeAllocator {
  using value_type = T;
  HugeAllocator() = default;
  template <class U>
  HugeAllocator(const HugeAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(huge_alloc(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { huge_free(p, n * sizeof(T)); }
  bool operator==(const HugeAllocator&) const noexcept { return true; }
};
}  // namespace detail

// What an indicator or an artifact value is. The names are the observable types of design.md
// (plus sha512 and regex).
enum class Type : uint8_t {
  Ip,
  Cidr,
  Domain,
  Url,
  Md5,
  Sha1,
  Sha256,
  Sha512,
  Filename,
  Path,
  Registry,
  Mutex,
  Process,
  Email,
  Regex,
};
std::string_view type_name(Type t);
// Parses a type name, also accepting common aliases (ipv4, ipv6, ip-dst, hostname, fqdn,
// sha-256, file, regkey, cmdline, ...). nullopt for an unknown name.
std::optional<Type> parse_type(std::string_view name);

// Canonical value of `raw` for indicator type `t`, or an error (why it cannot be an indicator:
// invalid, or so broad that it would match everything).
struct Canonical {
  std::string value;
  std::string error;  // empty when valid
};
Canonical canonicalise(Type t, std::string_view raw);

// Helpers shared with the artifact side.
std::string normalise_path(std::string_view p);      // see the header comment
std::string normalise_registry(std::string_view k);  // "HKEY_LOCAL_MACHINE\\Software" -> "hklm\\software"
std::optional<std::string> normalise_url(std::string_view u);  // without scheme
std::string_view path_basename(std::string_view p);
// True for the md5/sha1/sha256/sha512 of empty content (lower-case hex).
bool is_empty_digest(std::string_view hex);

// Where an indicator came from.
struct Origin {
  std::string source;    // "cape:1234", "stix:indicator--...", "list:iocs.txt"
  std::string incident;  // may be empty
  bool historic = false;  // from the store's past indicators
  bool operator==(const Origin&) const = default;
};

// How a hit came about; decides strength together with the indicator's type.
enum class Via : uint8_t { Exact, Parent, Network, UrlHost, FileName, Regex };
std::string_view via_name(Via v);

struct Hit {
  uint32_t indicator = 0;
  Via via = Via::Exact;
};

// A stored indicator as seen from outside.
struct IndicatorView {
  Type type;
  std::string_view value;
  const Origin* origin;
  int64_t first_seen;
};

class Matcher {
 public:
  Matcher();
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  // Adds one indicator; `value` is canonicalised here. Returns the refusal reason, or "" on
  // success. Adding the same (type, value, origin) twice keeps one.
  std::string add(Type type, std::string_view value, const Origin& origin, int64_t first_seen = 0) {
    return add(type, value, origin.source, origin.incident, origin.historic, first_seen);
  }
  std::string add(Type type, std::string_view value, std::string_view source,
                  std::string_view incident, bool historic, int64_t first_seen = 0);
  // Sizes the tables for about n indicators (saves rehashing while loading).
  void reserve(std::size_t n);
  // Finishes indexing (add() defers it) and builds the regex set. Call once after the last
  // add() and before match(); size() counts duplicates of the last few adds until then.
  void finish();

  // Appends the hits for one artifact value of type `t` (canonical or raw: values are
  // normalised here). Regex indicators are tried by match_text().
  void match(Type t, std::string_view value, std::vector<Hit>& out) const;
  // Starts loading the table slots match(t, value) will read, so that the cache misses of
  // several values overlap: call it for each value of a record, then match() each.
  void prefetch(Type t, std::string_view value) const;
  // Regex indicators over any text.
  void match_text(std::string_view text, std::vector<Hit>& out) const;
  bool has_regex() const { return !regex_index_.empty(); }

  IndicatorView indicator(uint32_t i) const;
  std::size_t size() const { return indicators_.size(); }
  std::size_t size(Type t) const { return per_type_[static_cast<int>(t)]; }

 private:
  enum class Key : uint8_t { Net4, Net6, Domain, Url, UrlHost, Hash, Filename, Path, Registry,
                             Mutex, Process, Email };
  // 12 bytes each: values live in one arena of at most 4 GiB.
  struct KeyEntry {
    uint32_t off;
    uint32_t len : 24;
    Key kind : 8;
    uint32_t head;  // first posting
  };
  struct Posting {
    uint32_t indicator;
    uint32_t next;  // UINT32_MAX ends the list
  };
  struct Entry {
    uint32_t off;
    uint32_t len : 24;
    Type type : 8;
    uint32_t origin;
  };

  uint32_t intern_origin(std::string_view source, std::string_view incident, bool historic);
  uint64_t store_bytes(std::string_view s);
  std::string_view bytes(uint64_t off, uint32_t len) const { return {arena_.data() + off, len}; }
  // Indexes indicator under the key at key_off (arena) with hash h; false when the same
  // indicator (type, value, origin) is there already.
  bool index(Key kind, uint32_t key_off, uint32_t key_len, uint64_t h, uint32_t indicator);
  void flush_pending();
  int64_t find(Key kind, std::string_view key) const;  // key index or -1
  void emit(Key kind, std::string_view key, Via via, std::vector<Hit>& out) const;
  void grow();
  static uint64_t hash_key(Key kind, std::string_view key);
  void match_ip(std::string_view value, std::vector<Hit>& out) const;

  std::string arena_;
  std::vector<Entry> indicators_;
  std::vector<int64_t> first_seen_;  // parallel to indicators_, only once one is non-zero
  std::vector<KeyEntry> keys_;
  std::vector<Posting> postings_;
  std::vector<uint64_t, detail::HugeAllocator<uint64_t>> slots_;  // tag << 32 | key + 1; 0 empty
  struct Pending {  // an added indicator whose key is not indexed yet (see flush_pending)
    uint32_t indicator, key_off, key_len;
    Key kind;
    bool url;
    uint64_t hash;
  };
  static constexpr std::size_t kBatch = 16;
  std::vector<Pending> pending_;
  std::vector<Origin> origins_;
  std::unordered_map<std::string, uint32_t> origin_index_;
  uint32_t last_origin_ = UINT32_MAX;
  std::bitset<33> v4_lengths_;
  std::bitset<129> v6_lengths_;
  std::size_t per_type_[16] = {};
  // Regex indicators: patterns and their indicator ids, compiled into one RE2::Set.
  std::vector<uint32_t> regex_index_;
  struct RegexSet;
  std::unique_ptr<RegexSet> regex_;
};

// Strength of a hit, for verdicts: strong hits make a host infected, weak ones suspicious.
// Strong: a hash, an exact IP or a network of /24 (IPv6 /48) or longer, an exact domain or
// subdomain, an exact URL, a mutex, an e-mail address. Weak: a file name, a path, a registry
// key, a command line, a regex, a broad network, a domain found only as a URL's host.
bool is_strong(const IndicatorView& ind, Via via);

}  // namespace tr::match
