#include "schema/observable.hpp"

#include <arpa/inet.h>
#include <idn2.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace tr {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Control characters, DEL, or bytes that are not valid UTF-8: never part of an observable.
// (fuzz_ingest: invalid bytes in a host name became U+FFFD on output and the value changed.)
bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return !simdjson::validate_utf8(s.data(), s.size());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

}  // namespace

bool is_observable_type(std::string_view t) {
  static constexpr std::array<std::string_view, 16> types = {
      "ip",       "cidr", "domain",   "url",      "email",  "sha256",  "sha1",      "md5",
      "user",     "host", "filename", "path",     "registry", "mutex", "process", "message_id"};
  return std::find(types.begin(), types.end(), t) != types.end();
}

bool is_observable_role(std::string_view r) {
  return r == "attacker" || r == "victim" || r == "target" || r == "related";
}

bool is_canonical_ipv4(std::string_view s, unsigned char* octets) {
  if (s.size() < 7 || s.size() > 15) return false;
  int part = 0, digits = 0, value = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || part == 3) return false;
      if (octets) octets[part] = static_cast<unsigned char>(value);
      ++part;
      digits = value = 0;
    } else if (c >= '0' && c <= '9') {
      if (digits == 1 && value == 0) return false;  // leading zero
      value = value * 10 + (c - '0');
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  if (digits == 0 || part != 3) return false;
  if (octets) octets[3] = static_cast<unsigned char>(value);
  return true;
}

namespace {

// A zone id names an interface of the machine that logged the address ("eth0", "en0", "12").
bool is_zone_id(std::string_view z) {
  if (z.empty() || z.size() > 15) return false;  // IFNAMSIZ - 1
  for (char c : z)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// Zones are meaningful only for scoped addresses: link-local unicast (fe80::/10) and
// interface- or link-local multicast (ff01::/16, ff02::/16).
bool is_scoped_v6(const unsigned char* a) {
  return (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||
         (a[0] == 0xFF && ((a[1] & 0x0F) == 1 || (a[1] & 0x0F) == 2));
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view s) {
  s = trim(s);
  if (is_canonical_ipv4(s)) return std::string(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 45 + 16) return std::nullopt;
  // Zone ids ("fe80::1%eth0") are accepted on scoped IPv6 addresses and dropped: the zone
  // names an interface of the logging machine, so it identifies nothing to another machine,
  // and two sensors that saw fe80::1 on different interfaces must key on the same value. A
  // zone on an IPv4 or a global address, or one that is not an interface name, is refused.
  std::string_view zone;
  if (auto pct = s.find('%'); pct != std::string_view::npos) {
    zone = s.substr(pct + 1);
    s = s.substr(0, pct);
    if (!is_zone_id(zone)) return std::nullopt;
  }
  if (s.empty() || s.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char addr[16];
  char out[INET6_ADDRSTRLEN];
  if (zone.empty() && inet_pton(AF_INET, buf, addr) == 1) {
    inet_ntop(AF_INET, addr, out, sizeof out);
    return std::string(out);
  }
  if (inet_pton(AF_INET6, buf, addr) != 1) return std::nullopt;
  if (!zone.empty() && !is_scoped_v6(addr)) return std::nullopt;
  // An IPv4-mapped address (::ffff:1.2.3.4, what a dual-stack socket logs for an IPv4 peer)
  // is that IPv4 host: it takes the IPv4 form, so a block on 1.2.3.4 catches it.
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(addr, mapped, 12) == 0) {
    inet_ntop(AF_INET, addr + 12, out, sizeof out);
    return std::string(out);
  }
  // glibc's inet_ntop writes RFC 5952 text: lower-case hex, no leading zeros, "::" for the
  // longest run (the first of equals) of two or more zero groups, never for a single one.
  inet_ntop(AF_INET6, addr, out, sizeof out);
  return std::string(out);
}

std::optional<std::string> canonical_cidr(std::string_view s) {
  s = trim(s);
  auto slash = s.find('/');
  if (slash == std::string_view::npos) {
    auto ip = canonical_ip(s);
    if (!ip) return std::nullopt;
    return *ip + (ip->find(':') == std::string::npos ? "/32" : "/128");
  }
  auto ip = canonical_ip(s.substr(0, slash));
  if (!ip) return std::nullopt;
  std::string_view len_text = s.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 3) return std::nullopt;
  int len = 0;
  for (char c : len_text) {
    if (c < '0' || c > '9') return std::nullopt;
    len = len * 10 + (c - '0');
  }
  bool v6 = ip->find(':') != std::string::npos;
  // An IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 network 10.0.0.0/8.
  if (!v6 && s.substr(0, slash).find(':') != std::string_view::npos) {
    if (len < 96) return std::nullopt;
    len -= 96;
  }
  int max = v6 ? 128 : 32;
  if (len > max) return std::nullopt;
  unsigned char addr[16];
  inet_pton(v6 ? AF_INET6 : AF_INET, ip->c_str(), addr);
  int bytes = max / 8;
  for (int i = 0; i < bytes; ++i) {
    int keep = std::clamp(len - i * 8, 0, 8);
    addr[i] &= static_cast<unsigned char>(keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF);
  }
  char out[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr, out, sizeof out);
  return std::string(out) + "/" + std::to_string(len);
}

namespace {

// The ASCII rules: lower case, labels of 1-63 letters, digits, '-' or '_', at most 253 in all,
// not an all-numeric dotted name (that is an IP address). `s` has no trailing dot.
std::optional<std::string> ascii_domain(std::string_view s) {
  if (s.empty() || s.size() > 253) return std::nullopt;
  std::string out = lower(s);
  std::size_t label = 0;
  bool any_alpha = false;
  for (char c : out) {
    if (c == '.') {
      if (label == 0 || label > 63) return std::nullopt;
      label = 0;
      continue;
    }
    bool alpha = c >= 'a' && c <= 'z';
    if (!alpha && !(c >= '0' && c <= '9') && c != '-' && c != '_') return std::nullopt;
    any_alpha |= alpha;
    ++label;
  }
  if (label == 0 || label > 63) return std::nullopt;
  if (!any_alpha && canonical_ip(out)) return std::nullopt;
  return out;
}

// An internationalised name in UTF-8 becomes its A-label (punycode) form, so "bücher.example",
// "BÜCHER.example." and "xn--bcher-kva.example" are one key. libidn2 with UTS #46 mapping
// (case folding, NFC, full-width dots) and IDNA2008 validity, NON-transitional: "faß.de" is
// xn--fa-hia.de, not fass.de. That is what current browsers (Chrome, Firefox, Safari) and
// resolvers look up and what registries delegate since IDNA2008, so it is the name the
// victim's traffic carries; transitional processing would merge two different registrable
// names. Homographs ("аpple.com" with a Cyrillic а) are distinct names and stay distinct,
// now visibly so (xn--pple-43d.com). Names libidn2 refuses (bidi rule, disallowed code
// points such as U+202E) have no canonical form.
std::optional<std::string> idn_domain(std::string_view s) {
  if (s.size() > 1024 || has_control(s)) return std::nullopt;
  std::string text(s);
  char* out = nullptr;
  auto lookup = [&](int mode) {
    return idn2_lookup_u8(reinterpret_cast<const uint8_t*>(text.c_str()),
                          reinterpret_cast<uint8_t**>(&out), IDN2_NFC_INPUT | mode) == IDN2_OK;
  };
  // libidn2's non-transitional mode also applies IDNA2008's stricter code point rules, which
  // refuse names browsers still resolve through UTS #46 ("i❤.ws" -> xn--i-7iq.ws). For a name
  // without the four deviation characters (ß ẞ ς ZWJ ZWNJ) both UTS #46 modes map alike, so
  // the transitional call gives the browser's answer; bidi controls are refused by both.
  static constexpr std::string_view deviations[] = {"\xC3\x9F", "\xE1\xBA\x9E", "\xCF\x82",
                                                    "\xE2\x80\x8C", "\xE2\x80\x8D"};
  bool deviation = std::any_of(std::begin(deviations), std::end(deviations),
                               [&](std::string_view d) { return s.find(d) != std::string_view::npos; });
  if (!lookup(IDN2_NONTRANSITIONAL) && (deviation || !lookup(IDN2_TRANSITIONAL)))
    return std::nullopt;
  std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
  std::string_view a(out);
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);  // "。" at the end maps to a dot
  return ascii_domain(a);
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

std::optional<std::string> canonical_domain(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (is_ascii(s)) return ascii_domain(s);  // the common case: no libidn2 call
  return idn_domain(s);
}

std::optional<std::string> canonical_hash(std::string_view s) {
  s = trim(s);
  if (s.size() != 32 && s.size() != 40 && s.size() != 64) return std::nullopt;
  std::string out = lower(s);
  for (char c : out)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return out;
}

std::optional<std::string> canonical_email(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.size() > 320)
    return std::nullopt;
  if (has_control(s) || s.find(' ') != std::string_view::npos) return std::nullopt;
  auto dom = canonical_domain(s.substr(at + 1));
  if (!dom) return std::nullopt;
  return lower(s.substr(0, at)) + "@" + *dom;
}

std::string_view hash_type(std::string_view hex) {
  switch (hex.size()) {
    case 32: return "md5";
    case 40: return "sha1";
    case 64: return "sha256";
    default: return "";
  }
}

bool is_private_ip(std::string_view ip) {
  unsigned char a[16];
  std::string text(ip);
  if (inet_pton(AF_INET, text.c_str(), a) == 1) {
    return a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
           a[0] == 127 || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64);
  }
  if (inet_pton(AF_INET6, text.c_str(), a) == 1) {
    return (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||
           text == "::1";
  }
  return false;
}

namespace {

// The parts of "scheme://userinfo@host:port/path?query#fragment" (RFC 3986 section 3), as
// views into the text. `scheme` is empty when there is no "scheme://".
struct UrlParts {
  std::string_view scheme, userinfo, host, port, rest;  // rest: path, query and fragment
  bool has_userinfo = false, has_port = false, bracketed = false;
};

bool is_scheme(std::string_view s) {
  if (s.empty() || s.size() > 32 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) return false;
  for (char c : s)
    if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

std::optional<UrlParts> split_url(std::string_view url) {
  UrlParts p;
  auto sep = url.find("://");
  if (sep != std::string_view::npos) {
    if (!is_scheme(url.substr(0, sep))) return std::nullopt;
    p.scheme = url.substr(0, sep);
    url.remove_prefix(sep + 3);
  }
  auto end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  p.rest = end == std::string_view::npos ? std::string_view() : url.substr(end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    p.userinfo = authority.substr(0, at);
    p.has_userinfo = true;
    authority.remove_prefix(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    p.host = authority.substr(1, close - 1);
    p.bracketed = true;
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return std::nullopt;
      p.port = authority.substr(1);
      p.has_port = true;
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    p.host = authority.substr(0, colon);
    p.port = authority.substr(colon + 1);
    p.has_port = true;
  } else {
    p.host = authority;
  }
  return p;
}

// Host of a URL: an IP (IPv6 in brackets when `brackets`) or a domain, canonical; nullopt
// when neither. Escaped unreserved characters in a name are decoded first ("%65vil.example").
std::string decode_unreserved(std::string_view s);
std::optional<std::string> url_host_text(const UrlParts& p, bool brackets) {
  if (p.bracketed) {
    auto ip = canonical_ip(p.host);
    if (!ip) return std::nullopt;
    if (brackets && ip->find(':') != std::string::npos) return "[" + *ip + "]";
    return ip;
  }
  if (auto ip = canonical_ip(p.host); ip && ip->find(':') == std::string::npos) return ip;
  if (p.host.find('%') != std::string_view::npos) return canonical_domain(decode_unreserved(p.host));
  return canonical_domain(p.host);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 section 6.2.2 for one component: "%41" (an unreserved character) becomes "A",
// other escapes get upper-case hex ("%2f" -> "%2F"; a reserved character stays escaped, so
// the path's meaning is unchanged), and bytes no URI may hold raw (space, '"', '<', '>', '`',
// '{', '}', non-ASCII UTF-8) are escaped as a browser sends them. Dot segments, '+' and
// backslashes are left alone: servers differ on what they mean.
void append_normalised(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      auto v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(v)) {
        out += static_cast<char>(v);
      } else {
        out += '%';
        out += hex[v >> 4];
        out += hex[v & 15];
      }
      i += 2;
    } else if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' ||
               c >= 0x80) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return "80";
  if (scheme == "https" || scheme == "wss") return "443";
  if (scheme == "ftp") return "21";
  return {};
}

// Percent-decodes unreserved characters only (for a host: "%65vil.example").
std::string decode_unreserved(std::string_view s) {
  std::string out;
  append_normalised(out, s);
  return out;
}

}  // namespace

namespace {

// The normalised URL, or nullopt when it has no "scheme://" with a valid host and port. With
// `key`, the scheme, user info and fragment are left out (url_match_key).
std::optional<std::string> normalise_url(std::string_view url, bool key) {
  auto p = split_url(url);
  if (!p || p->scheme.empty()) return std::nullopt;
  std::string scheme = lower(p->scheme);
  auto host = url_host_text(*p, true);
  if (!host) return std::nullopt;
  std::string out;
  out.reserve(url.size() + 8);
  if (!key) {
    out += scheme;
    out += "://";
    if (p->has_userinfo) {
      append_normalised(out, p->userinfo);
      out += '@';
    }
  }
  out += *host;
  if (p->has_port && !p->port.empty()) {
    std::string_view port = p->port;
    if (port.size() > 5) return std::nullopt;
    unsigned n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n > 65535) return std::nullopt;
    std::string text = std::to_string(n);  // ":080" is port 80
    if (text != default_port(scheme)) out += ":" + text;
  }
  std::string_view rest = p->rest;
  if (key) rest = rest.substr(0, rest.find('#'));
  // An empty path is "/" for the web schemes (RFC 7230 section 2.7.3): both send "GET /".
  if ((rest.empty() || rest.front() != '/') && !default_port(scheme).empty()) out += '/';
  append_normalised(out, rest);
  return out;
}

}  // namespace

std::optional<std::string> canonical_url(std::string_view url) {
  url = trim(url);
  if (url.empty() || url.size() > 8192 || has_control(url)) return std::nullopt;
  // Without "scheme://" (a path, "mailto:", a bare "host/path" from a proxy log), or with a
  // host or port that is not valid ("hxxp://evil[.]example"), there is nothing to normalise:
  // the value is kept as given and matches only itself.
  if (auto n = normalise_url(url, false)) return n;
  return std::string(url);
}

std::optional<std::string> url_match_key(std::string_view url) {
  url = trim(url);
  if (url.empty() || url.size() > 8192 || has_control(url)) return std::nullopt;
  if (url.find("://") == std::string_view::npos) return normalise_url("http://" + std::string(url), true);
  return normalise_url(url, true);
}

std::optional<std::string> url_host(std::string_view url) {
  auto p = split_url(trim(url));
  if (!p) return std::nullopt;
  return url_host_text(*p, false);
}

std::optional<std::string> email_domain(std::string_view email) {
  auto e = canonical_email(email);
  if (!e) return std::nullopt;
  return e->substr(e->rfind('@') + 1);
}

std::optional<std::string> canonical(std::string_view type, std::string_view value) {
  if (!is_observable_type(type)) return std::nullopt;  // found by fuzz_ingest: a "" hash type
  if (type == "ip") return canonical_ip(value);
  if (type == "cidr") return canonical_cidr(value);
  if (type == "domain") return canonical_domain(value);
  if (type == "host") {
    // An ASCII host name that is a DNS name takes the domain form ("WKS-042.corp.example." ->
    // "wks-042.corp.example"); others ("John's MacBook", "café-01" from an inventory) are
    // lower-cased as given: they name machines the analyst knows, not names to resolve.
    std::string_view v = trim(value);
    if (v.empty() || has_control(v) || v.size() > 255) return std::nullopt;
    if (is_ascii(v))
      if (auto d = ascii_domain(v.back() == '.' ? v.substr(0, v.size() - 1) : v)) return d;
    return lower(v);
  }
  if (type == "url") return canonical_url(value);
  if (type == "md5" || type == "sha1" || type == "sha256") {
    auto h = canonical_hash(value);
    if (!h || hash_type(*h) != type) return std::nullopt;
    return h;
  }
  if (type == "email") return canonical_email(value);
  std::string_view v = trim(value);
  if (v.empty() || has_control(v) || v.size() > 8192) return std::nullopt;
  if (type == "user") return lower(v);
  return std::string(v);
}

bool ObservableSet::add(std::string_view type, std::string_view value, std::string_view role) {
  auto v = canonical(type, value);
  if (!v) return false;
  for (const auto& o : items_)
    if (o.type == type && o.value == *v && o.role == role) return true;
  items_.push_back({std::string(type), std::move(*v), std::string(role)});
  return true;
}

}  // namespace tr
