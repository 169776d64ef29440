// The shape of every streaming tool: a Stage gets one call per record and one at end of
// stream, and emits zero or more records to a Sink from either call (Miller's verbs).
// Kinds a stage does not own must be emitted unchanged (pass-through).
//
// A stage reports a bad record by throwing RecordError from on_record; the runner reports it
// with the record's position, counts it, and goes on (cli/stream.hpp).
#pragma once
#include "record/record.hpp"

namespace tr {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void emit(Record rec) = 0;
  // Emits already-serialised JSON (one object, no newline), for hot paths.
  virtual void emit_text(std::string_view json) = 0;
  virtual bool wants_more() const { return true; }
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual void on_record(Record rec, Sink& out) = 0;
  virtual void on_end(Sink& /*out*/) {}
};

// A stage over raw lines (vendor logs are not records yet): tr-ingest.
class LineStage {
 public:
  virtual ~LineStage() = default;
  // `file` and `line_no` locate the line; throw RecordError to reject it.
  virtual void on_line(std::string_view text, const SourcePos& pos, Sink& out) = 0;
  virtual void on_end(Sink& /*out*/) {}
};

// A sink that keeps records in memory (tests, small collections).
class VectorSink : public Sink {
 public:
  void emit(Record rec) override { records.push_back(std::move(rec)); }
  void emit_text(std::string_view json) override { records.push_back(Record::parse(json)); }
  std::vector<Record> records;
};

}  // namespace tr
