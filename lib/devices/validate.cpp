#include "devices/validate.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "schema/observable.hpp"

namespace tr::devices {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

Checked bad(std::string why) { return {false, "", std::move(why)}; }
Checked good(std::string v) { return {true, std::move(v), ""}; }

// Any byte outside printable ASCII, or whitespace.
bool has_control_or_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return true;
  return false;
}

// LDH host name, lower case, labels of 1-63, total <= 253; `min_labels` labels at least.
std::optional<std::string> ldh_name(std::string_view s, int min_labels, std::string& why) {
  if (s.empty()) {
    why = "empty name";
    return std::nullopt;
  }
  if (has_control_or_space(s)) {
    why = "control character, space or non-ASCII byte (convert IDNs to xn-- first)";
    return std::nullopt;
  }
  std::string v = lower(s);
  if (v.back() == '.') v.pop_back();
  if (v.empty() || v.size() > 253) {
    why = "name is empty or longer than 253 characters";
    return std::nullopt;
  }
  int labels = 0;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t dot = v.find('.', start);
    if (dot == std::string::npos) dot = v.size();
    std::string_view label(v.data() + start, dot - start);
    if (label.empty() || label.size() > 63) {
      why = "empty label or label longer than 63 characters";
      return std::nullopt;
    }
    for (char c : label)
      if (!is_lower_alnum(c) && c != '-') {
        why = "character not allowed in a host name";
        return std::nullopt;
      }
    if (label.front() == '-' || label.back() == '-') {
      why = "label starts or ends with '-'";
      return std::nullopt;
    }
    ++labels;
    start = dot + 1;
    if (dot == v.size()) break;
  }
  if (labels < min_labels) {
    why = "needs at least " + std::to_string(min_labels) + " labels";
    return std::nullopt;
  }
  return v;
}

std::optional<Net> strict_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return std::nullopt;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  Net n;
  if (inet_pton(AF_INET, buf, n.addr.data()) == 1) {
    n.len = 32;
    return n;
  }
  if (inet_pton(AF_INET6, buf, n.addr.data()) == 1) {
    n.v6 = true;
    n.len = 128;
    return n;
  }
  return std::nullopt;
}

Checked check_url(std::string_view s) {
  if (s.size() > 2048) return bad("URL longer than 2048 characters");
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f || c == '\\')
      return bad("URL holds a control character, space, backslash or non-ASCII byte");
  auto colon = s.find("://");
  if (colon == std::string_view::npos) return bad("URL needs a scheme (http://, https://)");
  std::string scheme = lower(s.substr(0, colon));
  if (scheme != "http" && scheme != "https" && scheme != "ftp")
    return bad("URL scheme must be http, https or ftp");
  std::string_view rest = s.substr(colon + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::size_t host_end = rest.find_first_of("/?");
  std::string_view hostport = rest.substr(0, host_end);
  std::string_view tail = host_end == std::string_view::npos ? "" : rest.substr(host_end);
  if (hostport.find('@') != std::string_view::npos) return bad("URL with user info");
  std::string_view host = hostport, port;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad("URL host is not valid");
    host = hostport.substr(1, close - 1);
    port = hostport.substr(close + 1);
    if (!strict_ip(host) ) return bad("URL host is not valid");
  } else if (auto c = hostport.rfind(':'); c != std::string_view::npos) {
    host = hostport.substr(0, c);
    port = hostport.substr(c);
  }
  std::string host_text;
  if (auto ip = strict_ip(host)) {
    host_text = hostport.front() == '[' ? "[" + ip->address() + "]" : ip->address();
  } else {
    std::string why;
    auto name = ldh_name(host, 2, why);
    if (!name) return bad("URL host: " + why);
    host_text = *name;
  }
  if (!port.empty()) {
    if (port.size() < 2 || port.size() > 6 || port[0] != ':') return bad("URL port is not valid");
    for (char c : port.substr(1))
      if (c < '0' || c > '9') return bad("URL port is not valid");
  }
  // Percent-encode what would change meaning in a list file, CPL or a shell.
  std::string path;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : tail) {
    if (std::strchr("\"'<>{}|^`;", c)) {
      path += '%';
      path += hex[c >> 4];
      path += hex[c & 15];
    } else {
      path += static_cast<char>(c);
    }
  }
  return good(scheme + "://" + host_text + std::string(port) + path);
}

}  // namespace

bool is_safe_incident_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-') return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' && c != '-')
      return false;
  return true;
}

bool is_block_type(std::string_view t) {
  return t == "ip" || t == "cidr" || t == "domain" || t == "url" || t == "user" || t == "host" ||
         t == "email_message";
}

bool Net::contains(const Net& o) const {
  if (v6 != o.v6 || o.len < len) return false;
  for (int i = 0; i < len; ++i) {
    int byte = i / 8, bit = 7 - i % 8;
    if (((addr[byte] >> bit) & 1) != ((o.addr[byte] >> bit) & 1)) return false;
  }
  return true;
}

std::string Net::address() const {
  char out[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), out, sizeof out);
  return out;
}

std::string Net::mask() const {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    int keep = std::min(std::max(len - i * 8, 0), 8);
    int b = keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF;
    s += (i ? "." : "") + std::to_string(b);
  }
  return s;
}

std::string Net::wildcard() const {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    int keep = std::min(std::max(len - i * 8, 0), 8);
    int b = keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF;
    s += (i ? "." : "") + std::to_string(255 - b);
  }
  return s;
}

bool parse_net(std::string_view text, Net& out) {
  auto slash = text.find('/');
  auto ip = strict_ip(text.substr(0, slash));
  if (!ip) return false;
  if (slash != std::string_view::npos) {
    std::string_view len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3) return false;
    int len = 0;
    for (char c : len_text) {
      if (c < '0' || c > '9') return false;
      len = len * 10 + (c - '0');
    }
    if (len > (ip->v6 ? 128 : 32)) return false;
    ip->len = len;
  }
  out = *ip;
  return true;
}

Checked check_value(std::string_view type, std::string_view value) {
  if (value.empty()) return bad("empty value");
  if (value.front() == '-') return bad("value starts with '-'");
  if (type == "ip") {
    auto ip = strict_ip(value);
    if (!ip) return bad("not an IP address (no zone ids, no leading zeros, no prefix)");
    // ::ffff:203.0.113.7 is the IPv4 host: blocked as IPv6 it would miss its traffic and
    // duplicate a block on 203.0.113.7 (canonical_ip, schema/observable.hpp).
    return good(canonical_ip(ip->address()).value_or(ip->address()));
  }
  if (type == "cidr") {
    Net n;
    if (value.find('/') == std::string_view::npos || !parse_net(value, n))
      return bad("not a network in address/prefix form");
    Net zeroed = n;
    for (int i = n.len; i < (n.v6 ? 128 : 32); ++i)
      zeroed.addr[i / 8] &= static_cast<unsigned char>(~(1u << (7 - i % 8)));
    if (zeroed.addr != n.addr) return bad("network has host bits set");
    std::string text = n.address() + "/" + std::to_string(n.len);
    return good(canonical_cidr(text).value_or(text));  // ::ffff:10.0.0.0/104 is 10.0.0.0/8
  }
  if (type == "domain" || type == "host") {
    // An internationalised name is blocked as its punycode form, the name resolvers look up
    // (canonical_domain): "bücher.example" and "xn--bcher-kva.example" are one block.
    std::string idn;
    if (std::any_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      auto a = canonical_domain(value);
      if (!a) return bad("not a valid internationalised domain name");
      value = idn = *a;
    }
    std::string why;
    auto name = ldh_name(value, type == "domain" ? 2 : 1, why);
    if (!name) return bad("not a valid " + std::string(type) + " name: " + why);
    return good(*name);
  }
  if (type == "url") {
    // Scheme and host case, IDN host, default port and percent-escapes as for matching
    // (canonical_url), so one URL written two ways is one block. A raw space or control
    // character is still refused below, not escaped.
    std::string canon;
    if (std::none_of(value.begin(), value.end(), [](char c) { return c == ' ' || (c >= 0 && c < 0x20) || c == 0x7f; }))
      if (auto c = canonical_url(value)) value = canon = *c;
    return check_url(value);
  }
  if (type == "user") {
    if (value.size() > 128) return bad("user name longer than 128 characters");
    for (char c : value)  // (strchr finds the terminator: NUL needs its own test)
      if (c == 0 || (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("._@-\\", c)))
        return bad("user name may hold only letters, digits and . _ @ - \\");
    return good(std::string(value));
  }
  if (type == "email_message") {
    // An Internet Message-ID: <left@right>, printable ASCII without quotes or backslashes.
    std::string v(value);
    if (v.front() != '<') v = "<" + v + ">";
    if (v.size() > 998 || v.size() < 5 || v.back() != '>') return bad("not a Message-ID <id@host>");
    std::string_view inner(v.data() + 1, v.size() - 2);
    if (inner.find('@') == std::string_view::npos) return bad("not a Message-ID <id@host>");
    for (unsigned char c : inner)
      if (c <= 0x20 || c >= 0x7f || std::strchr("\"'\\<>;", c))
        return bad("Message-ID holds a character that is not allowed");
    return good(v);
  }
  return bad("unknown block type");
}

}  // namespace tr::devices
