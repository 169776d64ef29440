#include <unistd.h>

#include <cstdlib>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "incident/incident.hpp"
#include "store/migrate.hpp"
#include "time/time.hpp"

namespace inc = tr::incident;

namespace {

int64_t duration(const std::string& flag, const std::string& text) {
  auto d = tr::time::parse_duration(text);
  if (!d) throw tr::UsageError(flag + " '" + tr::cli::term_safe(text) + "' is not a duration (e.g. 24h, 7d)");
  return *d;
}

std::vector<std::string> split(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      if (comma > start) out.push_back(s.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-incident", "The case store from the terminal: incidents, KPIs, reports, audit");
  auto& app = tool.app();
  tool.add_actor();
  app.require_subcommand(1, 1);

  std::string format = "table";
  auto add_format = [&](CLI::App* sub) {
    sub->add_option("--format", format, "Output format: table, json (JSON Lines) or csv")
        ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
  };

  // import
  inc::ImportOptions import_opt;
  auto* import = app.add_subcommand("import", "Import alert, incident, verdict and action records");
  tool.add_inputs(import);
  import->add_option("--batch", import_opt.batch, "Records per transaction")->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  import->add_flag("--pass-through", import_opt.pass_through,
                   "Also write every record to standard output");

  // list
  inc::ListArgs list_args;
  std::vector<std::string> statuses, priorities;
  std::string older, newer;
  auto* list = app.add_subcommand("list", "List incidents with filters");
  list->add_option("--status", statuses, "Status (new, triaged, contained, resolved, closed, "
                                         "false_positive, or open); repeat or comma-separate");
  list->add_option("--priority", priorities, "Priority P1..P4; repeat or comma-separate");
  list->add_option("--assignee", list_args.filter.assignee, "Assigned to NAME ('-': unassigned)");
  list->add_option("--tag", list_args.filter.tag, "Has TAG");
  list->add_option("--user", list_args.filter.user, "Targets user NAME");
  list->add_option("--department", list_args.filter.department, "Targets DEPARTMENT");
  list->add_option("--group", list_args.filter.group, "Targets members of GROUP");
  list->add_option("--host", list_args.filter.host, "Targets HOST");
  list->add_option("--older", older, "Created more than DURATION ago (e.g. 24h)");
  list->add_option("--newer", newer, "Created less than DURATION ago");
  list->add_option("--grep", list_args.filter.text, "TEXT in the title or id");
  list->add_option("--sort", list_args.filter.sort,
                   "Sort by priority, severity, created, updated, last_seen, alerts or id")
      ->capture_default_str();
  list->add_flag("--reverse", list_args.filter.reverse, "Reverse the order");
  list->add_option("--limit", list_args.filter.limit, "At most N incidents");
  add_format(list);

  // show, graph
  std::string id, other;
  auto* show = app.add_subcommand("show", "One incident: alerts, targets, context, verdicts, "
                                          "blocks, notes, timeline");
  show->add_option("id", id, "Incident id (or a unique prefix)")->required();
  add_format(show);
  std::string graph_format = "dot";
  auto* graph = app.add_subcommand("graph", "An incident's alerts and entities as a graph");
  graph->add_option("id", id, "Incident id")->required();
  graph->add_option("--format", graph_format, "Graph format: dot (Graphviz)")
      ->check(CLI::IsMember({"dot"}));

  // update, note, close, reopen, merge
  inc::UpdateArgs upd;
  std::string status_v, assignee_v, priority_v;
  std::vector<std::string> tags, untags;
  auto* update = app.add_subcommand("update", "Change status, assignee, priority or tags");
  update->add_option("id", id, "Incident id")->required();
  auto* o_status = update->add_option("--status", status_v, "New status");
  auto* o_assignee = update->add_option("--assignee", assignee_v, "Assign to NAME ('' unassigns)");
  auto* o_priority = update->add_option("--priority", priority_v, "New priority P1..P4");
  update->add_option("--tag", tags, "Add TAG (repeatable)");
  update->add_option("--untag", untags, "Remove TAG (repeatable)");
  std::string text;
  auto* note = app.add_subcommand("note", "Add a note to an incident's timeline");
  note->add_option("id", id, "Incident id")->required();
  note->add_option("text", text, "The note")->required();
  std::string resolution;
  auto* close = app.add_subcommand("close", "Close an incident with a resolution");
  close->add_option("id", id, "Incident id")->required();
  close->add_option("--resolution", resolution, "fixed, false_positive or duplicate")->required()
      ->check(CLI::IsMember({"fixed", "false_positive", "duplicate"}));
  auto* reopen = app.add_subcommand("reopen", "Reopen a closed incident");
  reopen->add_option("id", id, "Incident id")->required();
  auto* merge = app.add_subcommand("merge", "Merge incident B into incident A");
  merge->add_option("a", id, "The incident that stays")->required();
  merge->add_option("b", other, "The incident merged into A (closed as duplicate)")->required();

  // stale, kpi, report
  std::string stale_older = "24h";
  auto* stale = app.add_subcommand("stale", "Open incidents nobody touched for a while (status 1 "
                                            "when there are any)");
  stale->add_option("--older", stale_older, "Untouched for longer than DURATION")
      ->capture_default_str();
  add_format(stale);
  std::string since = "30d";
  auto* kpi = app.add_subcommand("kpi", "Times to detect, triage, contain, resolve; backlog; SLA");
  kpi->add_option("--since", since, "Incidents created in the last DURATION")->capture_default_str();
  add_format(kpi);
  std::string by, html;
  int64_t report_limit = 20;
  std::string report_since = "7d";
  auto* report = app.add_subcommand("report", "Who and what is targeted; the HTML report");
  report->add_option("--by", by, "user, department, group, host, source, classification or tag");
  report->add_option("--html", html, "Write the self-contained HTML report to FILE");
  report->add_option("--since", report_since, "Incidents seen in the last DURATION")
      ->capture_default_str();
  report->add_option("--limit", report_limit, "At most N rows (0: all)")->capture_default_str();
  add_format(report);

  // audit verify|export
  auto* audit = app.add_subcommand("audit", "The hash-chained audit trail");
  audit->require_subcommand(1, 1);
  auto* verify = audit->add_subcommand("verify", "Check the chain; status 1 when broken");
  std::string anchor;
  verify->add_option("--anchor", anchor,
                     "HASH of an entry from an earlier export that must still be in the chain");
  auto* aexport = audit->add_subcommand("export", "Write the trail as JSON Lines");

  // store migrate --to URL
  auto* store_cmd = app.add_subcommand("store", "Manage the case store itself");
  store_cmd->require_subcommand(1, 1);
  auto* migrate = store_cmd->add_subcommand(
      "migrate", "Copy this store (e.g. an SQLite file) into a new, empty store (PostgreSQL)");
  std::string migrate_to;
  migrate->add_option("--to", migrate_to, "Destination store: postgresql://USER@HOST/DB or a path")
      ->required();

  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    inc::Format fmt = inc::parse_format(format);
    const char* no_colour = std::getenv("NO_COLOR");
    bool colour = ::isatty(1) && app.get_option("--output")->count() == 0 &&
                  !(no_colour && *no_colour);
    if (*import) {
      inc::ImportStage stage(ctx, import_opt);
      tr::cli::run_stream(ctx, stage);
      const auto& s = stage.stats();
      ctx.info("imported " + std::to_string(s.alerts_new) + " new of " +
               std::to_string(s.alerts_seen) + " alerts, " + std::to_string(s.incidents_created) +
               " incidents created, " + std::to_string(s.incidents_updated) + " updated, " +
               std::to_string(s.incidents_merged) + " merged, " +
               std::to_string(s.verdicts) + " verdicts, " + std::to_string(s.actions) +
               " actions, " + std::to_string(s.skipped) + " other records skipped");
    } else if (*list) {
      list_args.filter.statuses = split(statuses);
      for (const auto& s : list_args.filter.statuses)
        if (s != "open" && !tr::store::is_incident_status(s))
          throw tr::UsageError("--status '" + tr::cli::term_safe(s) + "' is not a status");
      list_args.filter.priorities = split(priorities);
      int64_t now = tr::time::now();
      if (!older.empty()) list_args.filter.created_before = now - duration("--older", older);
      if (!newer.empty()) list_args.filter.created_after = now - duration("--newer", newer);
      list_args.format = fmt;
      list_args.colour = colour;
      inc::list(ctx, list_args);
    } else if (*show) {
      inc::show(ctx, id, fmt, colour);
    } else if (*graph) {
      inc::graph(ctx, id, graph_format);
    } else if (*update) {
      if (o_status->count()) upd.status = status_v;
      if (o_assignee->count()) upd.assignee = assignee_v;
      if (o_priority->count()) upd.priority = priority_v;
      upd.add_tags = split(tags);
      upd.remove_tags = split(untags);
      inc::update(ctx, id, upd);
    } else if (*note) {
      inc::note(ctx, id, text);
    } else if (*close) {
      inc::close(ctx, id, resolution);
    } else if (*reopen) {
      inc::reopen(ctx, id);
    } else if (*merge) {
      inc::merge(ctx, id, other);
    } else if (*stale) {
      inc::stale(ctx, duration("--older", stale_older), fmt, colour);
    } else if (*kpi) {
      inc::kpi(ctx, duration("--since", since), fmt);
    } else if (*report) {
      if (by.empty() == html.empty())
        throw tr::UsageError("report needs exactly one of --by FACET or --html FILE");
      if (!html.empty())
        inc::report_html(ctx, html, duration("--since", report_since));
      else
        inc::report_by(ctx, by, duration("--since", report_since), report_limit, fmt);
    } else if (*audit) {
      if (*verify) inc::audit_verify(ctx, anchor);
      if (*aexport) inc::audit_export(ctx);
    } else if (*migrate) {
      // Prints one line per table ("alerts 1234") and records the copy in the new audit trail.
      tr::store::Store& from = ctx.store();
      tr::store::Store to(tr::store::Store::resolve_path(migrate_to, ctx.config()));
      if (to.path() == from.path()) throw tr::UsageError("--to names the store being copied");
      auto copied = tr::store::copy_store(from, to, [&](const std::string& table, int64_t n) {
        if (n % 100000 == 0) ctx.info(table + ": " + std::to_string(n) + " rows");
      });
      tr::Json detail = {{"from", from.display_name()}, {"rows", copied.rows}};
      tr::store::Transaction tx(to.db());
      to.audit(ctx.actor(), "store.migrated", "", detail.dump());
      tx.commit();
      for (const auto& [table, n] : copied.tables)
        ctx.out().line(table + " " + std::to_string(n));
      ctx.info("copied " + std::to_string(copied.rows) + " rows into " + to.display_name());
    }
  });
}
