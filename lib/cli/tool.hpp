// The runner every binary uses: common flags, configuration, inputs, diagnostics, signals and
// the one place where errors become exit statuses (style.md sections 2 and 4).
//
//   int main(int argc, char** argv) {
//     tr::cli::Tool tool("tr-x", "What it does");
//     tool.add_inputs();                      // [FILE...], "-" or none = stdin
//     return tool.run(argc, argv, [&](tr::cli::Context& ctx) { ... });
//   }
//
// Library code reports through Context (reject(), warn(), note_finding(), ...) and never writes
// to stdout/stderr itself or calls exit().
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "jsonl/line_reader.hpp"
#include "jsonl/writer.hpp"
#include "record/record.hpp"
#include "record/stage.hpp"

namespace tr::store {
class Store;
}

namespace tr::cli {

class Context {
 public:
  explicit Context(std::string tool);
  ~Context();

  const std::string& tool() const { return tool_; }
  jsonl::Writer& out() { return out_; }
  const Config& config() const { return config_; }

  // Diagnostics on stderr, "tool: message". Attacker-controlled parts must go through
  // term_safe() first (callers building messages from record values do so).
  void error(const std::string& msg);
  void warn(const std::string& msg);
  void info(const std::string& msg);   // -v
  void debug(const std::string& msg);  // -vv

  // A rejected input record: "tool: file:line: reason; record rejected". Counts it; under
  // --strict throws StrictStop, which ends the run with status 3.
  void reject(const SourcePos& pos, const std::string& reason);
  std::size_t rejected() const { return rejected_; }
  // Counts records read, for the end-of-run summary ("3 of 51234 lines rejected").
  void count_read(std::size_t n = 1) { read_ += n; }
  std::size_t read() const { return read_; }

  // The tool's "found something" answer: status 1 unless trouble outranks it.
  void note_finding() { found_ = true; }
  // An external system failed but the run went on: status 4 at the end.
  void note_external_failure(const std::string& msg);

  // The store, opened on first use (--store > TR_STORE > config > default path).
  store::Store& store();
  bool store_exists() const;
  const std::string& store_path() const { return store_path_; }

  bool interrupted() const;
  bool strict() const { return strict_; }
  bool offline() const { return offline_; }
  int verbosity() const { return verbosity_; }
  std::size_t max_line() const { return max_line_; }
  const std::vector<std::string>& inputs() const { return inputs_; }
  // The actor for audit and timeline entries: --actor, TR_ACTOR, or the login name.
  std::string actor() const;

  // A progress line on stderr, only when stderr is a terminal; throttled.
  void progress(std::size_t records, std::size_t bytes);
  void end_progress();

  // Status from what happened: 4 > 3 > 1 > 0.
  int status() const;

 private:
  friend class Tool;
  std::string tool_;
  jsonl::Writer out_;
  Config config_;
  std::unique_ptr<store::Store> store_;
  std::string store_flag_, store_path_, config_flag_, actor_flag_, output_path_;
  std::vector<std::string> inputs_;
  bool strict_ = false, offline_ = false, unbuffered_ = false, quiet_ = false;
  int verbosity_ = 0;
  std::size_t max_line_ = jsonl::kDefaultMaxLine;
  std::size_t rejected_ = 0, read_ = 0;
  bool found_ = false, external_failed_ = false;
  bool progress_shown_ = false;
  int64_t last_progress_ = 0;
};

// Thrown by Context::reject under --strict.
struct StrictStop {};

class Tool {
 public:
  Tool(std::string name, std::string description);
  CLI::App& app() { return app_; }
  Context& context() { return ctx_; }
  // Adds the positional [FILE...] inputs to `app` (default: the main app).
  void add_inputs(CLI::App* app = nullptr);
  // Adds --offline (tools that talk to the network).
  void add_offline(CLI::App* app = nullptr);
  // Adds --actor (tools that change cases or devices).
  void add_actor(CLI::App* app = nullptr);
  int run(int argc, char** argv, const std::function<void(Context&)>& body);

 private:
  std::string name_;
  CLI::App app_;
  Context ctx_;
};

// Reads every input (files or stdin) as JSON Lines records and drives `stage`, rejecting bad
// lines with their position. Emitted records go to ctx.out().
void run_stream(Context& ctx, tr::Stage& stage);
// Same over raw lines (vendor logs, or records a stage parses itself on a hot path, as
// tr-correlate does); `unit` names them in the summary ("3 of 51234 lines rejected").
void run_lines(Context& ctx, tr::LineStage& stage, const char* unit = "lines");

// Makes attacker-controlled text safe for a terminal: controls, DEL, C1 and bidi overrides
// become \xNN or \u{NNNN}; text longer than `max` is cut with "…".
std::string term_safe(std::string_view s, std::size_t max = 200);

}  // namespace tr::cli
