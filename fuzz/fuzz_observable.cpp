// modules:
// Canonical observables: canonicalising is idempotent, canonical values never hold control
// characters, and URL hosts are canonical domains or IPs.
#include <cstdint>
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
  if (auto h = tr::url_host(in)) {
    TR_FUZZ_CHECK(tr::canonical_ip(*h) == h || tr::canonical_domain(*h) == h);
  }
  return 0;
}
