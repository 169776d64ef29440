// Feeds a fuzz input to a line stage as the runner would (one call per non-empty line, with its
// position; rejected lines dropped), ends the stream, and returns the records' text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "record/stage.hpp"

namespace tr::fuzz {

inline std::vector<std::string> feed_lines(LineStage& stage, std::string_view in) {
  VectorSink sink;
  std::size_t line_no = 0, start = 0;
  while (start <= in.size()) {
    std::size_t nl = in.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? in.size() : nl;
    std::string_view line = in.substr(start, end - start);
    ++line_no;
    if (!line.empty()) {
      try {
        stage.on_line(line, {"f", line_no}, sink);
      } catch (const RecordError&) {
      }
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  try {
    stage.on_end(sink);
  } catch (const RecordError&) {
  }
  std::vector<std::string> out;
  for (const auto& r : sink.records) out.push_back(r.text());
  return out;
}

}  // namespace tr::fuzz
