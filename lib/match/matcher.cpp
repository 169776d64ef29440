#include "match/matcher.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

#include <arpa/inet.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "schema/observable.hpp"

namespace tr::match {
namespace {

constexpr uint32_t kEnd = UINT32_MAX;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace

// Digests of empty content: a sandbox lists them for every zero-byte file it sees.
bool is_empty_digest(std::string_view h) {
  return h == "d41d8cd98f00b204e9800998ecf8427e" ||
         h == "da39a3ee5e6b4b0d3255bfef95601890afd80709" ||
         h == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ||
         h == "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8"
              "318d2877eec2f63b931bd47417a81a538327af927da3e";
}

namespace {

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Parses "a.b.c.d", "v6" or either with "/len" into family (4/6), 16 bytes and a length.
bool parse_net(std::string_view s, int& family, unsigned char (&addr)[16], int& len) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  auto slash = s.find('/');
  std::string_view a = s.substr(0, slash);
  if (a.empty() || a.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, a.data(), a.size());
  buf[a.size()] = 0;
  std::memset(addr, 0, 16);
  if (inet_pton(AF_INET, buf, addr) == 1) {
    family = 4;
    len = 32;
  } else if (inet_pton(AF_INET6, buf, addr) == 1) {
    family = 6;
    len = 128;
  } else {
    return false;
  }
  // An IPv4-mapped address (::ffff:a.b.c.d, as dual-stack sockets report IPv4 peers) is the
  // IPv4 host, as in schema/observable.hpp's canonical_ip.
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  bool from_mapped = family == 6 && std::memcmp(addr, mapped, 12) == 0;
  if (from_mapped) {
    std::memmove(addr, addr + 12, 4);
    std::memset(addr + 4, 0, 12);
    family = 4;
    len = 32;
  }
  if (slash != std::string_view::npos) {
    std::string_view l = s.substr(slash + 1);
    if (l.empty() || l.size() > 3) return false;
    int n = 0;
    for (char c : l) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    if (from_mapped) n -= 96;
    if (n < 0 || n > len) return false;
    len = n;
  }
  return true;
}

void mask(unsigned char (&addr)[16], int len, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    int bits = len - i * 8;
    if (bits >= 8) continue;
    addr[i] = bits <= 0 ? 0 : static_cast<unsigned char>(addr[i] & (0xFF << (8 - bits)));
  }
}

std::string net_key(const unsigned char* addr, int len, int bytes) {
  std::string k(1 + static_cast<std::size_t>(bytes), '\0');
  k[0] = static_cast<char>(len);
  std::memcpy(k.data() + 1, addr, static_cast<std::size_t>(bytes));
  return k;
}

// The same key in a caller's buffer (the lookup path allocates nothing).
std::string_view net_key(char (&buf)[17], const unsigned char* addr, int len, int bytes) {
  buf[0] = static_cast<char>(len);
  std::memcpy(buf + 1, addr, static_cast<std::size_t>(bytes));
  return {buf, 1 + static_cast<std::size_t>(bytes)};
}

// Lower-case into a reused buffer.
std::string_view lower_into(std::string& buf, std::string_view s) {
  buf.assign(s);
  for (char& c : buf)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return buf;
}

// Address text: dotted quad written here (glibc's inet_ntop formats IPv4 through printf, a
// tenth of the load time of a million IPs), IPv6 by inet_ntop (RFC 5952 form).
std::string format_addr(int family, const unsigned char* addr) {
  if (family == 4) {
    char out[16];
    char* p = out;
    for (int i = 0; i < 4; ++i) {
      unsigned b = addr[i];
      if (i) *p++ = '.';
      if (b >= 100) *p++ = static_cast<char>('0' + b / 100);
      if (b >= 10) *p++ = static_cast<char>('0' + b / 10 % 10);
      *p++ = static_cast<char>('0' + b % 10);
    }
    return std::string(out, static_cast<std::size_t>(p - out));
  }
  char out[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, addr, out, sizeof out);
  return out;
}

std::string format_net(int family, const unsigned char* addr, int len) {
  return format_addr(family, addr) + "/" + std::to_string(len);
}

std::string collapse_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::Ip: return "ip";
    case Type::Cidr: return "cidr";
    case Type::Domain: return "domain";
    case Type::Url: return "url";
    case Type::Md5: return "md5";
    case Type::Sha1: return "sha1";
    case Type::Sha256: return "sha256";
    case Type::Sha512: return "sha512";
    case Type::Filename: return "filename";
    case Type::Path: return "path";
    case Type::Registry: return "registry";
    case Type::Mutex: return "mutex";
    case Type::Process: return "process";
    case Type::Email: return "email";
    case Type::Regex: return "regex";
  }
  return "?";
}

std::optional<Type> parse_type(std::string_view n) {
  std::string s = lower(trim(n));
  if (s == "ip" || s == "ipv4" || s == "ipv6" || s == "ip-dst" || s == "ip-src" ||
      s == "ipv4-addr" || s == "ipv6-addr" || s == "address")
    return Type::Ip;
  if (s == "cidr" || s == "network" || s == "net" || s == "ip-range") return Type::Cidr;
  if (s == "domain" || s == "hostname" || s == "fqdn" || s == "domain-name" || s == "host")
    return Type::Domain;
  if (s == "url" || s == "uri" || s == "link") return Type::Url;
  if (s == "md5") return Type::Md5;
  if (s == "sha1" || s == "sha-1") return Type::Sha1;
  if (s == "sha256" || s == "sha-256") return Type::Sha256;
  if (s == "sha512" || s == "sha-512") return Type::Sha512;
  if (s == "filename" || s == "file" || s == "file-name" || s == "name") return Type::Filename;
  if (s == "path" || s == "filepath" || s == "file-path") return Type::Path;
  if (s == "registry" || s == "regkey" || s == "registry-key" || s == "windows-registry-key" ||
      s == "key")
    return Type::Registry;
  if (s == "mutex" || s == "mutant") return Type::Mutex;
  if (s == "process" || s == "cmdline" || s == "command-line" || s == "command_line" ||
      s == "command")
    return Type::Process;
  if (s == "email" || s == "email-addr" || s == "email-src" || s == "email-dst")
    return Type::Email;
  if (s == "regex" || s == "regexp" || s == "re") return Type::Regex;
  if (s == "hash") return std::nullopt;  // ambiguous: decided by length in canonicalise_hash
  return std::nullopt;
}

std::string_view via_name(Via v) {
  switch (v) {
    case Via::Exact: return "exact";
    case Via::Parent: return "parent";
    case Via::Network: return "network";
    case Via::UrlHost: return "url-host";
    case Via::FileName: return "file-name";
    case Via::Regex: return "regex";
  }
  return "?";
}

std::string_view path_basename(std::string_view p) {
  auto slash = p.find_last_of("/\\");
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::string normalise_path(std::string_view raw) {
  std::string_view p = trim(raw);
  if (p.size() > 4 && (p.substr(0, 4) == "\\\\?\\" || p.substr(0, 4) == "\\??\\"))
    p.remove_prefix(4);
  bool windows = p.find('\\') != std::string_view::npos ||
                 (p.size() >= 2 && p[1] == ':' &&
                  ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')));
  if (!windows) return std::string(p);
  std::string out;
  out.reserve(p.size());
  for (char c : p) {
    if (c == '/') c = '\\';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '\\' && out.size() > 1 && out.back() == '\\') continue;  // keep a leading "\\"
    out += c;
  }
  while (out.size() > 3 && out.back() == '\\') out.pop_back();
  return out;
}

std::string normalise_registry(std::string_view raw) {
  std::string_view k = trim(raw);
  while (!k.empty() && k.front() == '\\' && !(k.size() > 9 && iequals(k.substr(0, 9), "\\registry")))
    k.remove_prefix(1);
  static const std::pair<std::string_view, std::string_view> hives[] = {
      {"hkey_local_machine", "hklm"}, {"\\registry\\machine", "hklm"},
      {"hkey_current_user", "hkcu"},  {"hkey_users", "hku"},
      {"\\registry\\user", "hku"},    {"hkey_classes_root", "hkcr"},
      {"hkey_current_config", "hkcc"}, {"hklm", "hklm"},
      {"hkcu", "hkcu"},               {"hku", "hku"},
      {"hkcr", "hkcr"},               {"hkcc", "hkcc"}};
  std::string out;
  for (const auto& [name, abbr] : hives) {
    if (k.size() >= name.size() && iequals(k.substr(0, name.size()), name) &&
        (k.size() == name.size() || k[name.size()] == '\\')) {
      out = abbr;
      k.remove_prefix(name.size());
      break;
    }
  }
  out.reserve(out.size() + k.size());
  for (char c : k) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '\\' && !out.empty() && out.back() == '\\') continue;
    out += c;
  }
  while (!out.empty() && out.back() == '\\') out.pop_back();
  return out;
}

// One URL normalisation for the toolkit (schema/observable.hpp): host case, IDN, default
// ports, percent-encoding; matched without scheme, user info and fragment.
std::optional<std::string> normalise_url(std::string_view raw) { return url_match_key(raw); }

Canonical canonicalise(Type t, std::string_view raw) {
  std::string_view v = trim(raw);
  if (v.empty()) return {"", "empty value"};
  if (v.size() > 8192) return {"", "value longer than 8192 bytes"};
  switch (t) {
    case Type::Ip:
    case Type::Cidr: {
      int family, len;
      unsigned char addr[16];
      if (!parse_net(v, family, addr, len)) return {"", "not an IP address or network"};
      int full = family == 4 ? 32 : 128;
      if (t == Type::Ip && len != full) t = Type::Cidr;
      if (len < (family == 4 ? 8 : 16))
        return {"", "network /" + std::to_string(len) + " is too broad (matches every address)"};
      unsigned char host[16];
      std::memcpy(host, addr, 16);
      mask(addr, len, family == 4 ? 4 : 16);
      if (std::memcmp(addr, host, 16) != 0) return {"", "network has host bits set"};
      if (len == full) {
        static const unsigned char zero[16] = {};
        bool unspecified = std::memcmp(addr, zero, family == 4 ? 4 : 16) == 0;
        bool broadcast = family == 4 && addr[0] == 255 && addr[1] == 255 && addr[2] == 255 &&
                         addr[3] == 255;
        bool loop = (family == 4 && addr[0] == 127) ||
                    (family == 6 && std::memcmp(addr, zero, 15) == 0 && addr[15] == 1);
        if (unspecified || broadcast || loop)
          return {"", "unspecified, broadcast or loopback address matches every host"};
        return {format_addr(family, addr), ""};
      }
      return {format_net(family, addr, len), ""};
    }
    case Type::Domain: {
      std::string_view d = v;
      if (d.size() > 2 && d.substr(0, 2) == "*.") d.remove_prefix(2);  // "*.evil.example"
      auto c = canonical_domain(d);
      if (!c) return {"", "not a domain name"};
      if (c->find('.') == std::string::npos)
        return {"", "single-label name is too broad for a domain indicator"};
      return {*c, ""};
    }
    case Type::Url: {
      auto c = normalise_url(v);
      if (!c) return {"", "not a URL"};
      auto sep = v.find("://");
      std::string scheme = sep == std::string_view::npos ? "http" : lower(v.substr(0, sep));
      return {scheme + "://" + *c, ""};
    }
    case Type::Md5:
    case Type::Sha1:
    case Type::Sha256:
    case Type::Sha512: {
      std::string h = lower(v);
      std::size_t want = t == Type::Md5 ? 32 : t == Type::Sha1 ? 40 : t == Type::Sha256 ? 64 : 128;
      if (h.size() != want || !is_hex(h))
        return {"", "not a " + std::string(type_name(t)) + " digest"};
      if (is_empty_digest(h)) return {"", "digest of empty content matches every empty file"};
      return {h, ""};
    }
    case Type::Filename: {
      if (has_control(v)) return {"", "control characters in a file name"};
      if (v.find_first_of("/\\") != std::string_view::npos)
        return {"", "a file name has no directory part (use a path indicator)"};
      if (v == "*" || v == "*.*" || v == "." || v == "..") return {"", "file name matches everything"};
      return {lower(v), ""};
    }
    case Type::Path: {
      if (has_control(v)) return {"", "control characters in a path"};
      std::string p = normalise_path(v);
      if (p == "/" || p == "*" || p.size() <= 3) return {"", "path is too broad"};
      return {p, ""};
    }
    case Type::Registry: {
      if (has_control(v)) return {"", "control characters in a registry key"};
      std::string k = normalise_registry(v);
      auto slash = k.find('\\');
      if (k.empty() || slash == std::string::npos)
        return {"", "a registry key needs a hive and a subkey"};
      return {k, ""};
    }
    case Type::Mutex:
    case Type::Process: {
      if (has_control(v)) return {"", "control characters in value"};
      std::string c = t == Type::Process ? collapse_space(v) : std::string(v);
      return {c, ""};
    }
    case Type::Email: {
      auto c = canonical_email(v);
      if (!c) return {"", "not an e-mail address"};
      return {*c, ""};
    }
    case Type::Regex: {
      RE2::Options opt;
      opt.set_log_errors(false);
      RE2 re(v, opt);
      if (!re.ok()) return {"", "bad regular expression: " + re.error()};
      static const char* probes[] = {"", "a", "Z", "0", "/", "\\", "x y",
                                     "C:\\Windows\\System32\\svchost.exe", "/usr/bin/bash"};
      if (RE2::PartialMatch("", re)) return {"", "regular expression matches the empty string"};
      int hits = 0;
      for (const char* p : probes) hits += RE2::PartialMatch(p, re) ? 1 : 0;
      if (hits >= 6) return {"", "regular expression matches almost anything"};
      return {std::string(v), ""};
    }
  }
  return {"", "unknown type"};
}

namespace detail {

constexpr std::size_t kHuge = 2u << 20;

void* huge_alloc(std::size_t bytes) {
  if (bytes < kHuge) return ::operator new(bytes);
  std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, rounded);
  if (!p) throw std::bad_alloc();
  ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without THP it is plain memory
  return p;
}

void huge_free(void* p, std::size_t bytes) noexcept {
  if (bytes < kHuge) ::operator delete(p);
  else std::free(p);
}

}  // namespace detail

struct Matcher::RegexSet {
  explicit RegexSet(const RE2::Options& o) : set(o, RE2::UNANCHORED) {}
  RE2::Set set;
  bool compiled = false;
};

Matcher::Matcher() { slots_.assign(1 << 12, 0); }

void Matcher::reserve(std::size_t n) {
  std::size_t want = 1 << 12;
  while (want < n * 2 + 2) want <<= 1;
  if (want > slots_.size()) {
    while (slots_.size() < want) grow();
  }
  indicators_.reserve(n);
  keys_.reserve(n);
  postings_.reserve(n);
  // Values average well under 24 bytes a line in the files this is used for; reserving avoids
  // the arena's doubling copy, which would briefly hold it twice.
  arena_.reserve(arena_.size() + n * 24);
}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

uint64_t Matcher::hash_key(Key kind, std::string_view key) {
  // libstdc++'s string hash (MurmurHash2-64), then the kind mixed in and a final avalanche so
  // the low bits used as the slot index are well spread.
  uint64_t h = std::hash<std::string_view>{}(key) ^ (static_cast<uint64_t>(kind) * 0x9E3779B97F4A7C15ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

uint32_t Matcher::intern_origin(std::string_view source, std::string_view incident,
                               bool historic) {
  // Indicators come in runs from one source: try the last origin before the map.
  if (last_origin_ != UINT32_MAX) {
    const Origin& o = origins_[last_origin_];
    if (o.source == source && o.incident == incident && o.historic == historic) return last_origin_;
  }
  std::string key;
  key.reserve(source.size() + incident.size() + 3);
  key.append(source).append(1, '\x1f').append(incident).append(1, '\x1f').append(1, historic ? 'h' : 'c');
  auto [it, fresh] = origin_index_.emplace(std::move(key), static_cast<uint32_t>(origins_.size()));
  if (fresh) origins_.push_back(Origin{std::string(source), std::string(incident), historic});
  last_origin_ = it->second;
  return it->second;
}

uint64_t Matcher::store_bytes(std::string_view s) {
  uint64_t off = arena_.size();
  if (off + s.size() > UINT32_MAX) throw std::length_error("more than 4 GiB of indicators");
  arena_.append(s);
  return off;
}

// A slot holds the key index + 1 (low half; 0 = empty) and the upper half of the key's hash,
// so a probe that meets another key usually needs no access to keys_ or the arena: one cache
// miss per lookup of an absent value, which is most lookups.
int64_t Matcher::find(Key kind, std::string_view key) const {
  std::size_t m = slots_.size() - 1;
  uint64_t h = hash_key(kind, key);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  std::size_t i = h & m;
  while (uint64_t s = slots_[i]) {
    if (static_cast<uint32_t>(s >> 32) == tag) {
      const KeyEntry& k = keys_[static_cast<uint32_t>(s) - 1];
      if (k.kind == kind && k.len == key.size() &&
          std::memcmp(arena_.data() + k.off, key.data(), key.size()) == 0)
        return static_cast<uint32_t>(s) - 1;
    }
    i = (i + 1) & m;
  }
  return -1;
}

void Matcher::grow() {
  decltype(slots_) slots(slots_.size() * 2, 0);
  std::size_t m = slots.size() - 1;
  for (uint32_t k = 0; k < keys_.size(); ++k) {
    uint64_t h = hash_key(keys_[k].kind, bytes(keys_[k].off, keys_[k].len));
    std::size_t i = h & m;
    while (slots[i]) i = (i + 1) & m;
    slots[i] = ((h >> 32) << 32) | (k + 1);
  }
  slots_.swap(slots);
}

bool Matcher::index(Key kind, uint32_t key_off, uint32_t key_len, uint64_t h, uint32_t indicator) {
  // One hash and one probe sequence: the first empty slot met is where a new key goes.
  if ((keys_.size() + 1) * 2 > slots_.size()) grow();
  std::size_t m = slots_.size() - 1;
  std::string_view key = bytes(key_off, key_len);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  std::size_t i = h & m;
  int64_t k = -1;
  while (uint64_t s = slots_[i]) {
    if (static_cast<uint32_t>(s >> 32) == tag) {
      const KeyEntry& ke = keys_[static_cast<uint32_t>(s) - 1];
      if (ke.kind == kind && ke.len == key.size() &&
          std::memcmp(arena_.data() + ke.off, key.data(), key.size()) == 0) {
        k = static_cast<uint32_t>(s) - 1;
        break;
      }
    }
    i = (i + 1) & m;
  }
  if (k < 0) {
    keys_.push_back({key_off, key_len, kind, kEnd});
    k = static_cast<int64_t>(keys_.size() - 1);
    slots_[i] = (static_cast<uint64_t>(tag) << 32) | static_cast<uint64_t>(k + 1);
  }
  KeyEntry& ke = keys_[static_cast<std::size_t>(k)];
  // Same indicator (type, value, origin) twice: keep one.
  const Entry& b = indicators_[indicator];
  for (uint32_t p = ke.head; p != kEnd; p = postings_[p].next) {
    const Entry& a = indicators_[postings_[p].indicator];
    if (a.type == b.type && a.origin == b.origin && bytes(a.off, a.len) == bytes(b.off, b.len))
      return false;
  }
  postings_.push_back({indicator, ke.head});
  ke.head = static_cast<uint32_t>(postings_.size() - 1);
  return true;
}

// Loading is bound by one cache miss per indicator (its slot in a table far larger than the
// cache). add() therefore only computes the key's hash and starts loading its slot; the keys
// are indexed in batches, by which time the slots have arrived. Duplicates found then are
// dropped by moving the batch's later indicators down (their ids are not known outside yet).
void Matcher::flush_pending() {
  if (pending_.empty()) return;
  uint32_t base = pending_.front().indicator;
  std::size_t postings_before = postings_.size();
  bool any_dead = false;
  for (Pending& p : pending_) {
    bool fresh = index(p.kind, p.key_off, p.key_len, p.hash, p.indicator);
    if (fresh && p.url) {
      // An URL's host is a weak key of its own ("a domain in a URL").
      std::string_view key = bytes(p.key_off, p.key_len);
      auto end = key.find_first_of("/:");
      std::string_view host = key.substr(0, end);
      if (!host.empty() && host.front() == '[') host = key.substr(1, key.find(']') - 1);
      uint32_t off = p.key_off + static_cast<uint32_t>(host.data() - key.data());
      index(Key::UrlHost, off, static_cast<uint32_t>(host.size()), hash_key(Key::UrlHost, host),
            p.indicator);
    }
    if (fresh) ++per_type_[static_cast<int>(indicators_[p.indicator].type)];
    else any_dead = true;
    p.url = fresh;  // from here on: kept
  }
  if (any_dead) {
    uint32_t next = base;
    std::vector<uint32_t> moved(pending_.size());
    for (std::size_t j = 0; j < pending_.size(); ++j) {
      uint32_t old = pending_[j].indicator;
      if (!pending_[j].url) continue;
      moved[j] = next;
      if (old != next) {
        indicators_[next] = indicators_[old];
        if (!first_seen_.empty()) first_seen_[next] = first_seen_[old];
      }
      ++next;
    }
    for (std::size_t q = postings_before; q < postings_.size(); ++q)
      postings_[q].indicator = moved[postings_[q].indicator - base];
    indicators_.resize(next);
    if (first_seen_.size() > next) first_seen_.resize(next);
  }
  pending_.clear();
}

std::string Matcher::add(Type type, std::string_view raw, std::string_view source,
                         std::string_view incident, bool historic, int64_t first_seen) {
  Canonical c = canonicalise(type, raw);
  if (!c.error.empty()) return c.error;
  if (type == Type::Regex) flush_pending();  // pending ids stay one consecutive range
  if (type == Type::Ip && c.value.find('/') != std::string::npos) type = Type::Cidr;
  if (type == Type::Cidr && c.value.find('/') == std::string::npos) type = Type::Ip;
  uint32_t id = static_cast<uint32_t>(indicators_.size());
  uint64_t off = store_bytes(c.value);
  indicators_.push_back({static_cast<uint32_t>(off), static_cast<uint32_t>(c.value.size()), type,
                         intern_origin(source, incident, historic)});
  if (first_seen != 0 && first_seen_.empty()) first_seen_.resize(id, 0);
  if (!first_seen_.empty()) first_seen_.push_back(first_seen);
  std::string_view v = bytes(off, static_cast<uint32_t>(c.value.size()));
  Key kind;
  uint32_t key_off = static_cast<uint32_t>(off), key_len = static_cast<uint32_t>(v.size());
  switch (type) {
    case Type::Ip:
    case Type::Cidr: {
      int family, len;
      unsigned char addr[16];
      parse_net(v, family, addr, len);
      std::string k = net_key(addr, len, family == 4 ? 4 : 16);
      if (family == 4) v4_lengths_.set(static_cast<std::size_t>(len));
      else v6_lengths_.set(static_cast<std::size_t>(len));
      // Binary keys are not the indicator's text: they go to the arena too.
      kind = family == 4 ? Key::Net4 : Key::Net6;
      key_off = static_cast<uint32_t>(store_bytes(k));
      key_len = static_cast<uint32_t>(k.size());
      break;
    }
    case Type::Domain: kind = Key::Domain; break;
    case Type::Url: {
      std::size_t skip = v.find("://") + 3;  // matched without the scheme
      kind = Key::Url;
      key_off += static_cast<uint32_t>(skip);
      key_len -= static_cast<uint32_t>(skip);
      break;
    }
    case Type::Md5:
    case Type::Sha1:
    case Type::Sha256:
    case Type::Sha512: kind = Key::Hash; break;
    case Type::Filename: kind = Key::Filename; break;
    case Type::Path: kind = Key::Path; break;
    case Type::Registry: kind = Key::Registry; break;
    case Type::Mutex: kind = Key::Mutex; break;
    case Type::Process: kind = Key::Process; break;
    case Type::Email: kind = Key::Email; break;
    case Type::Regex: {
      for (uint32_t r : regex_index_) {
        const Entry& e = indicators_[r];
        if (e.origin == indicators_[id].origin && bytes(e.off, e.len) == v) {
          indicators_.pop_back();
          if (first_seen_.size() > indicators_.size()) first_seen_.pop_back();
          arena_.resize(off);
          return "";
        }
      }
      regex_index_.push_back(id);
      ++per_type_[static_cast<int>(type)];
      return "";
    }
    default: return "unknown indicator type";
  }
  uint64_t h = hash_key(kind, bytes(key_off, key_len));
  __builtin_prefetch(&slots_[h & (slots_.size() - 1)], 1);
  pending_.push_back({id, key_off, key_len, kind, type == Type::Url, h});
  if (pending_.size() >= kBatch) flush_pending();
  return "";
}

void Matcher::finish() {
  flush_pending();
  if (regex_index_.empty()) return;
  RE2::Options opt;
  opt.set_log_errors(false);
  regex_ = std::make_unique<RegexSet>(opt);
  for (uint32_t r : regex_index_) {
    const Entry& e = indicators_[r];
    std::string err;
    regex_->set.Add(bytes(e.off, e.len), &err);  // validated in canonicalise()
  }
  regex_->compiled = regex_->set.Compile();
}

namespace {
thread_local bool tl_prefetch = false;  // emit() only touches the slot (see prefetch())
}  // namespace

void Matcher::prefetch(Type t, std::string_view value) const {
  thread_local std::vector<Hit> none;
  tl_prefetch = true;
  match(t, value, none);
  tl_prefetch = false;
}

void Matcher::emit(Key kind, std::string_view key, Via via, std::vector<Hit>& out) const {
  if (tl_prefetch) {
    __builtin_prefetch(&slots_[hash_key(kind, key) & (slots_.size() - 1)]);
    return;
  }
  int64_t k = find(kind, key);
  if (k < 0) return;
  for (uint32_t p = keys_[static_cast<std::size_t>(k)].head; p != kEnd; p = postings_[p].next)
    out.push_back({postings_[p].indicator, via});
}

void Matcher::match_ip(std::string_view value, std::vector<Hit>& out) const {
  int family, len;
  unsigned char addr[16];
  if (!parse_net(value, family, addr, len)) return;  // IPv4-mapped IPv6 comes back as IPv4
  int bytes_n = family == 4 ? 4 : 16;
  if (family == 4) {
    for (int l = 32; l >= 0; --l) {
      if (!v4_lengths_.test(static_cast<std::size_t>(l))) continue;
      unsigned char m[16];
      char kb[17];
      std::memcpy(m, addr, 16);
      mask(m, l, 4);
      emit(Key::Net4, net_key(kb, m, l, bytes_n), l == 32 ? Via::Exact : Via::Network, out);
    }
  } else {
    for (int l = 128; l >= 0; --l) {
      if (!v6_lengths_.test(static_cast<std::size_t>(l))) continue;
      unsigned char m[16];
      char kb[17];
      std::memcpy(m, addr, 16);
      mask(m, l, 16);
      emit(Key::Net6, net_key(kb, m, l, bytes_n), l == 128 ? Via::Exact : Via::Network, out);
    }
  }
}

void Matcher::match(Type t, std::string_view value, std::vector<Hit>& out) const {
  value = trim(value);
  if (value.empty()) return;
  switch (t) {
    case Type::Ip:
    case Type::Cidr: match_ip(value, out); break;
    case Type::Domain: {
      // Indicators are canonical; an artifact's name only needs lower case and no final dot.
      thread_local std::string buf;
      if (value.back() == '.') value.remove_suffix(1);
      if (value.empty() || value.size() > 253 * 4) return;
      std::string_view s;
      if (std::any_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        auto a = canonical_domain(value);  // an IDN in UTF-8: its punycode, as indicators hold it
        if (!a) return;
        s = buf = *a;
      } else {
        if (value.size() > 253) return;
        s = lower_into(buf, value);
      }
      emit(Key::UrlHost, s, Via::UrlHost, out);
      bool first = true;
      while (true) {
        emit(Key::Domain, s, first ? Via::Exact : Via::Parent, out);
        first = false;
        auto dot = s.find('.');
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
        if (s.find('.') == std::string_view::npos) break;  // never a bare TLD
      }
      break;
    }
    case Type::Url: {
      auto u = normalise_url(value);
      if (!u) return;
      emit(Key::Url, *u, Via::Exact, out);
      if (auto h = url_host(value)) {
        std::vector<Hit> hosts;
        if (canonical_ip(*h)) match_ip(*h, hosts);
        else match(Type::Domain, *h, hosts);
        for (Hit& hh : hosts) {
          if (hh.via == Via::UrlHost) continue;  // another URL on the same host: not evidence
          hh.via = Via::UrlHost;
          out.push_back(hh);
        }
      }
      break;
    }
    case Type::Md5:
    case Type::Sha1:
    case Type::Sha256:
    case Type::Sha512: {
      if (value.size() > 128) return;
      char buf[128];
      for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      }
      emit(Key::Hash, std::string_view(buf, value.size()), Via::Exact, out);
      break;
    }
    case Type::Filename: {
      thread_local std::string buf;
      emit(Key::Filename, lower_into(buf, value), Via::Exact, out);
      break;
    }
    case Type::Path: {
      std::string p = normalise_path(value);
      emit(Key::Path, p, Via::Exact, out);
      std::string_view base = path_basename(p);
      thread_local std::string buf;
      if (!base.empty()) emit(Key::Filename, lower_into(buf, base), Via::FileName, out);
      break;
    }
    case Type::Registry: {
      std::string k = normalise_registry(value);
      auto walk = [&](std::string_view s) {
        bool first = true;
        while (!s.empty()) {
          emit(Key::Registry, s, first ? Via::Exact : Via::Parent, out);
          first = false;
          auto slash = s.rfind('\\');
          if (slash == std::string_view::npos || s.find('\\') == slash) break;  // keep hive\x
          s = s.substr(0, slash);
        }
      };
      walk(k);
      // HKU\<sid>\Software\... is some user's HKCU\Software\...
      if (k.size() > 4 && k.compare(0, 4, "hku\\") == 0) {
        auto next = k.find('\\', 4);
        if (next != std::string::npos) walk("hkcu" + k.substr(next));
      }
      break;
    }
    case Type::Mutex: emit(Key::Mutex, value, Via::Exact, out); break;
    case Type::Process: emit(Key::Process, collapse_space(value), Via::Exact, out); break;
    case Type::Email: {
      if (auto e = canonical_email(value)) emit(Key::Email, *e, Via::Exact, out);
      break;
    }
    case Type::Regex: match_text(value, out); break;
  }
}

void Matcher::match_text(std::string_view text, std::vector<Hit>& out) const {
  if (!regex_ || !regex_->compiled) return;
  std::vector<int> which;
  if (!regex_->set.Match(text, &which)) return;
  std::sort(which.begin(), which.end());
  for (int w : which) out.push_back({regex_index_[static_cast<std::size_t>(w)], Via::Regex});
}

IndicatorView Matcher::indicator(uint32_t i) const {
  const Entry& e = indicators_[i];
  return {e.type, bytes(e.off, e.len), &origins_[e.origin], i < first_seen_.size() ? first_seen_[i] : 0};
}

bool is_strong(const IndicatorView& ind, Via via) {
  if (via == Via::UrlHost || via == Via::FileName || via == Via::Regex) return false;
  switch (ind.type) {
    case Type::Md5:
    case Type::Sha1:
    case Type::Sha256:
    case Type::Sha512:
    case Type::Ip:
    case Type::Domain:
    case Type::Url:
    case Type::Mutex:
    case Type::Email: return true;
    case Type::Cidr: {
      auto slash = ind.value.rfind('/');
      int len = std::atoi(std::string(ind.value.substr(slash + 1)).c_str());
      bool v6 = ind.value.find(':') != std::string_view::npos;
      return len >= (v6 ? 48 : 24);
    }
    default: return false;
  }
}

}  // namespace tr::match
