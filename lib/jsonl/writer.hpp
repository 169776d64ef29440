// Buffered output over write(2), for stdout (or a file given with -o).
//
// Why not std::cout: write(2) reports errno dependably, so a closed pipe (EPIPE, SIGPIPE is
// ignored at start-up) becomes PipeClosed, which the runner turns into a quiet status 0, and a
// full disk becomes ExternalError (status 4). Lines are written whole; a flush happens when the
// buffer passes 64 KiB, per line with `unbuffered`, and at the end.
#pragma once
#include <string>
#include <string_view>

namespace tr::jsonl {

// Thrown when the reader of our output has gone away. Not an error.
struct PipeClosed {};

class Writer {
 public:
  explicit Writer(int fd = 1, bool unbuffered = false) : fd_(fd), unbuffered_(unbuffered) {}
  ~Writer();  // best-effort flush; errors there are ignored (call flush() to see them)
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Writes `line` and a newline.
  void line(std::string_view line);
  // Writes raw bytes (no newline added).
  void raw(std::string_view bytes);
  void flush();
  void set_unbuffered(bool on) { unbuffered_ = on; }
  void set_fd(int fd) { fd_ = fd; }
  std::size_t records() const { return records_; }

 private:
  void write_all(const char* p, std::size_t n);
  int fd_;
  bool unbuffered_;
  bool failed_ = false;
  std::string buf_;
  std::size_t records_ = 0;
};

}  // namespace tr::jsonl
