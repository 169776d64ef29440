#include "schema/observable.hpp"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>

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

std::optional<std::string> canonical_ip(std::string_view s) {
  s = trim(s);
  if (is_canonical_ipv4(s)) return std::string(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char addr[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, buf, addr) == 1) {
    inet_ntop(AF_INET, addr, out, sizeof out);
    return std::string(out);
  }
  // Drop an IPv6 zone id ("fe80::1%eth0"): it names a local interface, not an address.
  if (char* pct = std::strchr(buf, '%')) *pct = 0;
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    inet_ntop(AF_INET6, addr, out, sizeof out);
    return std::string(out);
  }
  return std::nullopt;
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

std::optional<std::string> canonical_domain(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return std::nullopt;
  std::string out = lower(s);
  std::size_t label = 0;
  bool any_alpha = false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (c == '.') {
      if (label == 0 || label > 63) return std::nullopt;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              static_cast<unsigned char>(c) >= 0x80;  // IDN in UTF-8, kept as given
    if (!ok) return std::nullopt;
    if ((c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80) any_alpha = true;
    ++label;
  }
  if (label == 0 || label > 63) return std::nullopt;
  // All-numeric dotted text is an IP address, not a domain.
  if (!any_alpha && canonical_ip(out)) return std::nullopt;
  return out;
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

std::optional<std::string> url_host(std::string_view url) {
  url = trim(url);
  auto scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return canonical_ip(host.substr(1, close - 1));
  }
  auto colon = host.rfind(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (auto ip = canonical_ip(host)) return ip;
  return canonical_domain(host);
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
  if (type == "domain" || type == "host") {
    if (type == "host") {
      std::string_view v = trim(value);
      if (v.empty() || has_control(v) || v.size() > 255) return std::nullopt;
      return lower(v);
    }
    return canonical_domain(value);
  }
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
