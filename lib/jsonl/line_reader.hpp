// Line framing for every input tr reads: JSON Lines, syslog, CEF, CSV.
//
// Reads a file descriptor in large blocks and hands out one line at a time with its 1-based
// number. A trailing "\r" is dropped. A line longer than the limit is not buffered: the reader
// skips to its end and reports it as `too_long` (with its length so far), so a 50 MB line costs
// no more memory than the limit. Memory is bounded by the limit plus one block.
//
// Blank lines are returned (callers decide; the record reader skips them).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tr::jsonl {

inline constexpr std::size_t kDefaultMaxLine = 16u << 20;  // 16 MiB

struct Line {
  std::string_view text;   // valid until the next call to next()
  std::size_t number = 0;  // 1-based
  bool too_long = false;   // text is empty; `length` says how long the line was at least
  std::size_t length = 0;
};

class LineReader {
 public:
  // Does not own fd. `name` is used in diagnostics ("-" shows as "<stdin>").
  LineReader(int fd, std::string name, std::size_t max_line = kDefaultMaxLine);
  // Opens a path ("-" is stdin). Throws UsageError when it cannot be opened.
  static LineReader open(const std::string& path, std::size_t max_line = kDefaultMaxLine);
  LineReader(LineReader&&) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  ~LineReader();

  // Returns false at end of input. Throws ExternalError on a read error.
  bool next(Line& line);
  const std::string& name() const { return name_; }
  std::size_t bytes_read() const { return total_; }

 private:
  bool fill();  // reads more into buf_; false at EOF

  int fd_;
  bool owns_fd_ = false;
  std::string name_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes are buf_[begin_, end_)
  bool eof_ = false;
  std::size_t line_no_ = 0;
  std::size_t total_ = 0;
};

}  // namespace tr::jsonl
