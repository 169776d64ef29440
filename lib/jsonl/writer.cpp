#include "jsonl/writer.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "core/error.hpp"

namespace tr::jsonl {
namespace {
constexpr std::size_t kFlushAt = 64u << 10;
}

Writer::~Writer() {
  try {
    if (!failed_) flush();
  } catch (...) {
  }
}

void Writer::line(std::string_view line) {
  buf_.append(line);
  buf_.push_back('\n');
  ++records_;
  if (unbuffered_ || buf_.size() >= kFlushAt) flush();
}

void Writer::raw(std::string_view bytes) {
  buf_.append(bytes);
  if (unbuffered_ || buf_.size() >= kFlushAt) flush();
}

void Writer::flush() {
  if (buf_.empty()) return;
  std::string pending;
  pending.swap(buf_);
  write_all(pending.data(), pending.size());
}

void Writer::write_all(const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      failed_ = true;
      if (errno == EPIPE) throw PipeClosed{};
      throw ExternalError(std::string("writing output failed: ") + std::strerror(errno));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace tr::jsonl
