// modules:
// Line framing: the lines handed out, joined with newlines, are the input (minus the CR of
// CRLF endings and minus over-long lines, which are reported with their true length).
#include <unistd.h>

#include <cstdint>
#include <string>

#include "check.hpp"
#include "jsonl/line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fds[2];
  if (pipe(fds) != 0) return 0;
  std::string in(reinterpret_cast<const char*>(data), size > 60000 ? 60000 : size);
  if (write(fds[1], in.data(), in.size()) != static_cast<ssize_t>(in.size())) return 0;
  close(fds[1]);
  const std::size_t max_line = 64;
  tr::jsonl::LineReader r(fds[0], "f", max_line);
  tr::jsonl::Line line;
  std::size_t pos = 0, expect_no = 0;
  while (r.next(line)) {
    ++expect_no;
    TR_FUZZ_CHECK(line.number == expect_no);
    std::size_t nl = in.find('\n', pos);
    std::size_t end = nl == std::string::npos ? in.size() : nl;
    std::string_view raw(in.data() + pos, end - pos);
    if (line.too_long) {
      TR_FUZZ_CHECK(raw.size() > max_line);
      TR_FUZZ_CHECK(line.length == raw.size());
    } else {
      std::string_view want = raw;
      if (!want.empty() && want.back() == '\r') want.remove_suffix(1);
      TR_FUZZ_CHECK(line.text == want);
    }
    pos = end + 1;
  }
  TR_FUZZ_CHECK(pos >= in.size());
  close(fds[0]);
  return 0;
}
