// modules:
// Canonical observables: canonicalising is idempotent, canonical values never hold control
// characters, canonical domains are ASCII (IDNs in punycode), canonical IPs are never
// IPv4-mapped IPv6, URL hosts are canonical domains or IPs, and a URL's match key is the same
// before and after canonicalising it.
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "check.hpp"
#include "schema/observable.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* types[] = {"ip",   "cidr", "domain", "url",  "email", "sha256", "md5",
                                "sha1", "user", "host",   "path", "registry"};
  for (const char* type : types) {
    auto v = tr::canonical(type, in);
    if (!v) continue;
    TR_FUZZ_CHECK(!v->empty());
    for (unsigned char c : *v) TR_FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    TR_FUZZ_CHECK(tr::canonical(type, *v) == v);
  }
  if (auto d = tr::canonical_domain(in))
    for (unsigned char c : *d) TR_FUZZ_CHECK(c < 0x80 && !(c >= 'A' && c <= 'Z'));
  if (auto ip = tr::canonical_ip(in)) {
    // Not IPv4-mapped (::ffff:0:0/96). Judged on the address bytes: ::ffff:2ff:2f:f:2f:4 is
    // a different, unmapped address whose text also starts with "::ffff:".
    unsigned char a[16];
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (inet_pton(AF_INET6, ip->c_str(), a) == 1) TR_FUZZ_CHECK(std::memcmp(a, mapped, 12) != 0);
  }
  if (auto u = tr::canonical_url(in)) {
    auto k = tr::url_match_key(in);
    TR_FUZZ_CHECK(tr::url_match_key(*u) == k);
  }
  if (auto h = tr::url_host(in)) {
    TR_FUZZ_CHECK(tr::canonical_ip(*h) == h || tr::canonical_domain(*h) == h);
  }
  return 0;
}
