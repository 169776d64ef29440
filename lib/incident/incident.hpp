// tr-incident: case work over the case store (design.md, "The case store"; issue 8).
//
// Who calls it: tools/tr-incident/main.cpp, one function per subcommand. Every function works
// on a cli::Context (store, actor, output, diagnostics) and never writes to stdout/stderr
// itself.
//
// Invariants:
//  - Every change to an incident happens in one write transaction together with its timeline
//    event (with the actor and time) and its audit entry, so the three never disagree and two
//    writers (an analyst and a cron import) serialise instead of losing an update.
//  - Import is idempotent: importing the same records again changes nothing and adds no
//    events. An import never lowers an incident's severity or priority and never touches the
//    fields analysts own (status, assignee, resolution); it unions alerts, tags, targets.
//  - Strings from alerts are escaped for their target: cli::term_safe for the terminal,
//    html_escape for HTML, dot_escape for Graphviz, csv_field for CSV (with a leading quote
//    against spreadsheet formula injection).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/tool.hpp"
#include "record/stage.hpp"
#include "store/cases.hpp"

namespace tr::incident {

enum class Format { Table, Json, Csv };
Format parse_format(const std::string& s);  // throws UsageError

// ---- import ----
struct ImportOptions {
  std::size_t batch = 1000;   // records per transaction
  bool pass_through = false;  // also write every record to stdout
};

struct ImportStats {
  std::size_t alerts_new = 0, alerts_seen = 0, incidents_created = 0, incidents_updated = 0,
              incidents_merged = 0, verdicts = 0, actions = 0, skipped = 0, unattached = 0;
};

class ImportStage : public Stage {
 public:
  ImportStage(cli::Context& ctx, ImportOptions opt);
  ~ImportStage() override;
  void on_record(Record rec, Sink& out) override;
  void on_end(Sink& out) override;
  const ImportStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ImportStats stats_;
};

// ---- analyst changes (each one transaction + timeline event + audit entry) ----
struct UpdateArgs {
  std::optional<std::string> status, assignee, priority;
  std::vector<std::string> add_tags, remove_tags;
};
void update(cli::Context& ctx, const std::string& id, const UpdateArgs& args);
void note(cli::Context& ctx, const std::string& id, const std::string& text);
void close(cli::Context& ctx, const std::string& id, const std::string& resolution);
void reopen(cli::Context& ctx, const std::string& id);
// Merges `from` into `into`: alerts, verdicts, actions, observables and targets move; `from`
// is closed as a duplicate pointing at `into`.
void merge(cli::Context& ctx, const std::string& into, const std::string& from);

// ---- views ----
struct ListArgs {
  store::ListFilter filter;
  Format format = Format::Table;
  bool colour = false;
};
void list(cli::Context& ctx, const ListArgs& args);
// `stale`: open incidents not touched for `older` ms; notes a finding (status 1) when any.
void stale(cli::Context& ctx, int64_t older, Format format, bool colour);
void show(cli::Context& ctx, const std::string& id, Format format, bool colour);
void graph(cli::Context& ctx, const std::string& id, const std::string& format);

// ---- KPIs and reports ----
struct SlaTargets {  // ms per priority index 0..3 (P1..P4)
  int64_t triage[4], contain[4], resolve[4];
};
SlaTargets sla_from_config(const Config& config);
void kpi(cli::Context& ctx, int64_t since, Format format);
void report_by(cli::Context& ctx, const std::string& facet, int64_t since, int64_t limit,
               Format format);
// The self-contained HTML report, written to `path`.
void report_html(cli::Context& ctx, const std::string& path, int64_t since);

// ---- audit ----
// Checks the hash chain; reports each broken entry on stderr and notes a finding (status 1).
// `anchor`, when given, is an entry hash from an earlier export that must still be in the
// chain: the only way to notice entries cut from the end.
void audit_verify(cli::Context& ctx, const std::string& anchor = "");
void audit_export(cli::Context& ctx);

// ---- shared helpers (tested directly) ----
std::string html_escape(std::string_view s);
std::string dot_escape(std::string_view s);
std::string csv_field(std::string_view s);
double median(std::vector<int64_t> v);
// A human duration: "45s", "3h12m", "2d4h".
std::string human_duration(int64_t ms);

}  // namespace tr::incident
