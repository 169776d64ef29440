#include "ingest/fast.hpp"

#include <openssl/evp.h>

#include <memory>

#include "core/error.hpp"

namespace tr::ingest {
namespace {

struct Sha256 {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha256() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

}  // namespace

void append_id(std::string& out, std::string_view prefix, std::string_view a, std::string_view b) {
  thread_local Sha256 h;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const char sep = '\x1f';
  if (!h.md || !h.ctx || EVP_DigestInit_ex(h.ctx, h.md, nullptr) != 1 ||
      EVP_DigestUpdate(h.ctx, a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(h.ctx, &sep, 1) != 1 ||
      EVP_DigestUpdate(h.ctx, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(h.ctx, digest, &len) != 1)
    throw Error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  out.append(prefix);
  out.push_back('-');
  for (int i = 0; i < 8; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
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

void append_rfc3339(std::string& out, time::Millis t) {
  int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  int64_t rem = t - days * 86400000;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 0 || y > 9999) {  // out of the 4-digit range: the foundation's formatter decides
    out += time::format_rfc3339(t);
    return;
  }
  unsigned ms = static_cast<unsigned>(rem % 1000), s = static_cast<unsigned>(rem / 1000);
  char b[24] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
                static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10), '-',
                static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10), '-',
                static_cast<char>('0' + d / 10), static_cast<char>('0' + d % 10), 'T',
                static_cast<char>('0' + s / 36000), static_cast<char>('0' + s / 3600 % 10), ':',
                static_cast<char>('0' + s % 3600 / 600), static_cast<char>('0' + s % 3600 / 60 % 10),
                ':', static_cast<char>('0' + s % 60 / 10), static_cast<char>('0' + s % 10), '.',
                static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                static_cast<char>('0' + ms % 10), 'Z'};
  out.append(b, 24);
}

}  // namespace tr::ingest
