// tr-ingest's stage: recognises the format of each line (or uses the forced one), hands it to
// that format's parser (parsers.hpp) and writes the alert record. Lines that are valid events
// but not alerts (a Suricata flow record, an empty TAP window) are skipped and counted; lines
// that cannot be used throw RecordError and are rejected by the runner with their position.
//
// Memory stays flat: one simdjson parser, one Alert and one output buffer are reused for
// every line.
#pragma once
#include <simdjson.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/alert.hpp"
#include "ingest/flow_join.hpp"
#include "ingest/mapping.hpp"
#include "record/json_out.hpp"
#include "record/stage.hpp"

namespace tr::ingest {

enum class Format { Auto, Eve, Cef, Leef, Ftd, Panos, Tap, FireEye, Splunk, Ptr, WildFire, Mapping };

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
  // Largest multi-line JSON document collected (a pretty-printed API response).
  std::size_t max_document = 16u << 20;
  // Mapping files (--mapping, ingest.mappings): each is one more format, named by its
  // `name:`; auto-detection tries them before the built-in formats.
  std::vector<std::shared_ptr<const Mapping>> mappings;
  // Suricata alerts wait this many input lines for their flow's http/dns/tls/fileinfo events
  // (0: join only context seen before the alert); at most kJoinFlows flows of context and
  // kJoinBytes of held records are kept (flow_join.hpp).
  std::size_t join_window = 1000;
};
inline constexpr std::size_t kJoinFlows = 4096;
inline constexpr std::size_t kJoinBytes = 8u << 20;

// What auto-detection sees in one line (exposed for tests). `at` is set to where the format's
// own text starts (after a syslog prefix). Returns Format::Auto when nothing matches.
Format detect(std::string_view line, std::size_t& at);

class IngestStage : public LineStage {
 public:
  // `ingested` is the event.ingested time written into every alert (fixed per run).
  IngestStage(const Options& opt, std::string ingested);
  void on_line(std::string_view text, const SourcePos& pos, Sink& out) override;
  void on_end(Sink& out) override;
  // Writes the alerts held for their flow's context (after an interrupted run).
  void release_held(Sink& out) { join_.release(0, out, true); }
  // One whole document from an API (a TAP response, a Splunk export line): recognised like a
  // line, bad ones reported through `reject` with `pos`.
  void on_document(std::string_view text, const SourcePos& pos, Sink& out);
  // Reports a bad multi-line document found at end of input (the runner's reject); set by
  // the tool. Without it such a document throws RecordError from on_end.
  std::function<void(const SourcePos&, const std::string&)> reject;

  std::size_t alerts() const { return alerts_; }
  std::size_t skipped() const { return skipped_; }

 private:
  bool parse_json(std::string_view line, Alert& a);
  bool parse_json_value(simdjson::dom::element root, std::string_view line, Alert& a);
  bool dispatch(Format f, std::string_view line, std::size_t at, Alert& a);
  bool map_document(const Mapping& m, simdjson::dom::element doc, std::string_view raw, Alert& a);
  // A regex mapping over one line: false when no mapping's regex matched.
  bool map_line(const Mapping& m, std::string_view line);
  bool json_format(Format f) const;
  void emit(Alert& a);
  // A Suricata flow's context event arrived: remember it and rewrite its held alerts.
  void on_flow_context();
  // Multi-line JSON documents: collects lines until the brackets balance.
  bool collect(std::string_view text, const SourcePos& pos);
  // An XML document (a WildFire report): collects lines until </wildfire>.
  bool collect_xml(std::string_view text);
  bool collecting() const { return !doc_.empty() || doc_depth_ > 0 || doc_xml_; }
  void finish_document(Sink& out);
  static bool balanced(std::string_view t);

  Sink* sink_ = nullptr;
  std::string_view raw_;  // the current event's text, for --keep-raw
  std::string doc_;       // a multi-line document being collected
  SourcePos doc_pos_;
  int doc_depth_ = 0;
  bool doc_in_string_ = false, doc_escape_ = false, doc_overflow_ = false;
  bool doc_xml_ = false, doc_xml_done_ = false;
  std::size_t max_document_ = 16u << 20;

  Format forced_ = Format::Auto;
  const Mapping* forced_mapping_ = nullptr;
  std::vector<std::shared_ptr<const Mapping>> mappings_;
  std::vector<const Mapping*> json_mappings_, regex_mappings_;  // detectable ones, in order
  bool keep_raw_ = false;
  WriteContext wc_;
  simdjson::dom::parser parser_;
  Alert alert_;
  FlowJoin join_;
  FlowContext context_;
  std::size_t lines_ = 0;
  simdjson::dom::parser join_parser_;  // re-reads held alerts (parser_ may be mid-document)
  Alert join_alert_;
  JsonOut join_out_;
  JsonOut out_;
  std::string padded_;
  std::size_t alerts_ = 0, skipped_ = 0;
};

}  // namespace tr::ingest
