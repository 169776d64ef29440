#include "jsonl/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/error.hpp"

namespace tr::jsonl {
namespace {
constexpr std::size_t kBlock = 1u << 18;  // 256 KiB
}

LineReader::LineReader(int fd, std::string name, std::size_t max_line)
    : fd_(fd), name_(name == "-" ? "<stdin>" : std::move(name)), max_line_(max_line) {
  buf_.resize(kBlock * 2);
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_), owns_fd_(o.owns_fd_), name_(std::move(o.name_)), max_line_(o.max_line_),
      buf_(std::move(o.buf_)), begin_(o.begin_), end_(o.end_), eof_(o.eof_),
      line_no_(o.line_no_), total_(o.total_) {
  o.owns_fd_ = false;
  o.fd_ = -1;
}

LineReader::~LineReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

LineReader LineReader::open(const std::string& path, std::size_t max_line) {
  if (path == "-" || path.empty()) return LineReader(0, "-", max_line);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError(path + ": " + std::strerror(errno));
  LineReader r(fd, path, max_line);
  r.owns_fd_ = true;
  return r;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Make room: move unread bytes to the front, grow when a line needs more space.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kBlock) buf_.resize(end_ + kBlock);
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ExternalError(name_ + ": read failed: " + std::strerror(errno));
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<std::size_t>(n);
    total_ += static_cast<std::size_t>(n);
    return true;
  }
}

bool LineReader::next(Line& line) {
  std::size_t scanned = begin_;  // bytes before this have no newline
  for (;;) {
    const char* start = buf_.data() + scanned;
    const void* nl = std::memchr(start, '\n', end_ - scanned);
    if (nl) {
      std::size_t pos = static_cast<const char*>(nl) - buf_.data();
      std::size_t len = pos - begin_;
      ++line_no_;
      line.number = line_no_;
      if (len > max_line_) {  // only possible when the limit is smaller than one block
        line.too_long = true;
        line.length = len;
        line.text = {};
      } else {
        if (len > 0 && buf_[pos - 1] == '\r') --len;
        line.too_long = false;
        line.length = len;
        line.text = std::string_view(buf_.data() + begin_, len);
      }
      begin_ = pos + 1;
      return true;
    }
    scanned = end_;
    if (end_ - begin_ > max_line_) {
      // Too long: drop what we have and skip to the next newline without keeping it.
      std::size_t skipped = end_ - begin_;
      ++line_no_;
      begin_ = end_ = 0;
      for (;;) {
        if (!fill()) break;
        const void* p = std::memchr(buf_.data(), '\n', end_);
        if (p) {
          std::size_t pos = static_cast<const char*>(p) - buf_.data();
          skipped += pos;
          begin_ = pos + 1;
          break;
        }
        skipped += end_;
        begin_ = end_ = 0;
      }
      line.number = line_no_;
      line.too_long = true;
      line.length = skipped;
      line.text = {};
      return true;
    }
    std::size_t offset = scanned - begin_;
    if (!fill()) {
      if (end_ == begin_) return false;
      // Last line without a newline.
      std::size_t len = end_ - begin_;
      ++line_no_;
      line.number = line_no_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      line.too_long = false;
      line.length = len;
      line.text = std::string_view(buf_.data() + begin_, len);
      begin_ = end_;
      return true;
    }
    scanned = begin_ + offset;  // fill() moved the data to the front
  }
}

}  // namespace tr::jsonl
