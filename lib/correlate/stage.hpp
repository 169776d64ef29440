// The tr-correlate stage: alerts in, each closed group out as its alerts (with tr.incident)
// followed by its incident record; other kinds pass through unchanged, at once.
#pragma once
#include <memory>

#include "cli/tool.hpp"
#include "correlate/correlator.hpp"
#include "record/stage.hpp"

namespace tr::correlate {

// The case store as an IncidentSource (read-only).
std::unique_ptr<IncidentSource> store_source(cli::Context& ctx, const Options& opt);

// Builds the never-link list from the options (files, config values, warninglists); warnings
// about skipped warninglists go to `warn`.
NeverLink load_never_link(const Options& opt, const std::function<void(const std::string&)>& warn);

// A line stage: each line is parsed once, here (run it with cli::run_lines(ctx, stage,
// "records")); a line that is no record is rejected with run_stream's reasons.
class CorrelateStage : public LineStage {
 public:
  CorrelateStage(const Options& opt, const NeverLink& never, IncidentSource* store,
                 cli::Context& ctx);
  void on_line(std::string_view text, const SourcePos& pos, Sink& out) override;
  void on_end(Sink& out) override;
  const Stats& stats() const { return correlator_.stats(); }

 private:
  cli::Context& ctx_;
  Options opt_;
  AlertReader reader_;
  Sink* sink_ = nullptr;
  std::string line_;  // an alert with tr.incident, being written
  Correlator correlator_;
};

}  // namespace tr::correlate
