// tr-ingest's stage: recognises the format of each line (or uses the forced one), hands it to
// that format's parser (parsers.hpp) and writes the alert record. Lines that are valid events
// but not alerts (a Suricata flow record, an empty TAP window) are skipped and counted; lines
// that cannot be used throw RecordError and are rejected by the runner with their position.
//
// Memory stays flat: one simdjson parser, one Alert and one output buffer are reused for
// every line.
#pragma once
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/alert.hpp"
#include "record/json_out.hpp"
#include "record/stage.hpp"

namespace tr::ingest {

enum class Format { Auto, Eve, Cef, Leef, Ftd, Panos, Tap, FireEye, Splunk };

struct FormatInfo {
  Format format;
  std::string_view name;
  std::string_view description;
};
// Every format, in the order --list-formats shows them.
const std::vector<FormatInfo>& formats();
std::optional<Format> format_by_name(std::string_view name);
std::string_view format_name(Format f);

struct Options {
  std::string format = "auto";
  bool keep_raw = false;
};

// What auto-detection sees in one line (exposed for tests). `at` is set to where the format's
// own text starts (after a syslog prefix). Returns Format::Auto when nothing matches.
Format detect(std::string_view line, std::size_t& at);

class IngestStage : public LineStage {
 public:
  // `ingested` is the event.ingested time written into every alert (fixed per run).
  IngestStage(const Options& opt, std::string ingested);
  void on_line(std::string_view text, const SourcePos& pos, Sink& out) override;

  std::size_t alerts() const { return alerts_; }
  std::size_t skipped() const { return skipped_; }

 private:
  bool parse_json(std::string_view line, Alert& a);
  bool dispatch(Format f, std::string_view line, std::size_t at, Alert& a);
  void emit(Sink& out);

  Format forced_ = Format::Auto;
  bool keep_raw_ = false;
  WriteContext wc_;
  simdjson::dom::parser parser_;
  Alert alert_;
  JsonOut out_;
  std::string padded_;
  std::size_t alerts_ = 0, skipped_ = 0;
};

}  // namespace tr::ingest
