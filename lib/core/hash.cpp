#include "core/hash.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

#include "core/error.hpp"

namespace tr {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string to_hex(const unsigned char* p, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  return out;
}

// One digest context per thread, reused: creating one per call showed in tr-ingest profiles.
EVP_MD_CTX* thread_ctx() {
  thread_local MdCtx ctx(EVP_MD_CTX_new());
  return ctx.get();
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), buf, &n, md, nullptr);
  return to_hex(buf, n);
}

}  // namespace

std::string sha256_hex(std::string_view data) { return digest(EVP_sha256(), data); }
std::string sha1_hex(std::string_view data) { return digest(EVP_sha1(), data); }
std::string md5_hex(std::string_view data) { return digest(EVP_md5(), data); }

FileDigests hash_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ExternalError(path + ": " + std::strerror(errno));
  MdCtx c5(EVP_MD_CTX_new()), c1(EVP_MD_CTX_new()), c256(EVP_MD_CTX_new());
  EVP_DigestInit_ex(c5.get(), EVP_md5(), nullptr);
  EVP_DigestInit_ex(c1.get(), EVP_sha1(), nullptr);
  EVP_DigestInit_ex(c256.get(), EVP_sha256(), nullptr);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw ExternalError(path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    EVP_DigestUpdate(c5.get(), buf, n);
    EVP_DigestUpdate(c1.get(), buf, n);
    EVP_DigestUpdate(c256.get(), buf, n);
  }
  ::close(fd);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  FileDigests d;
  EVP_DigestFinal_ex(c5.get(), out, &n);
  d.md5 = to_hex(out, n);
  EVP_DigestFinal_ex(c1.get(), out, &n);
  d.sha1 = to_hex(out, n);
  EVP_DigestFinal_ex(c256.get(), out, &n);
  d.sha256 = to_hex(out, n);
  return d;
}

void append_id(std::string& out, std::string_view prefix,
               std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* c = thread_ctx();
  static const char sep = '\x1f';
  EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
  bool first = true;
  for (auto p : parts) {
    if (!first) EVP_DigestUpdate(c, &sep, 1);
    first = false;
    EVP_DigestUpdate(c, p.data(), p.size());
  }
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(c, d, &n);
  static const char* hex = "0123456789abcdef";
  out.append(prefix);
  out.push_back('-');
  for (int i = 0; i < 8; ++i) {
    out.push_back(hex[d[i] >> 4]);
    out.push_back(hex[d[i] & 15]);
  }
}

std::string make_id(std::string_view prefix, std::initializer_list<std::string_view> parts) {
  std::string id;
  id.reserve(prefix.size() + 17);
  append_id(id, prefix, parts);
  return id;
}

}  // namespace tr
