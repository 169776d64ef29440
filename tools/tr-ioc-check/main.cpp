#include "cli/tool.hpp"
#include "core/error.hpp"
#include "match/check.hpp"
#include "match/collect.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-ioc-check",
                     "Check endpoint snapshots against indicators of compromise: a verdict per "
                     "host (infected, suspicious, clean) with the evidence");
  CLI::App& app = tool.app();
  tr::match::CheckOptions opt;
  bool history = false, no_history = false, no_keep = false;
  app.add_option("-i,--iocs", opt.iocs,
                 "IOC file: sandbox report, STIX, MISP, indicator records, CSV or list ('-': "
                 "stdin); repeatable")
      ->allow_extra_args(false);
  app.add_option("--ioc-format", opt.ioc_format,
                 "Format of the IOC files: auto, sandbox, stix, misp, jsonl, csv, list")
      ->check(CLI::IsMember({"auto", "sandbox", "stix", "misp", "jsonl", "csv", "list"}))
      ->capture_default_str();
  app.add_flag("--history", history, "Also match every indicator kept in the store (default "
                                     "when a store exists)");
  app.add_flag("--no-history", no_history, "Do not match the store's past indicators");
  app.add_option("--incident", opt.incident, "Incident id to put on verdicts");
  app.add_option("--host", opt.host, "Host name for osqueryi output, which names none");
  app.add_option("--max-matches", opt.max_matches, "Most matches listed per host")
      ->capture_default_str();
  app.add_flag("--no-keep", no_keep, "Do not keep the snapshots in the store for retro-hunting");
  tool.add_inputs();

  CLI::App* collect = app.add_subcommand(
      "collect", "Collect a snapshot of this Linux endpoint as artifact records");
  tr::match::CollectOptions copt;
  std::string since = "24h";
  std::string max_size = "67108864";
  collect->add_option("--since", since, "Files changed within this long (e.g. 24h, 7d)")
      ->capture_default_str();
  collect->add_option("--path", copt.paths,
                      "Folder to scan for changed files; repeatable (default: /tmp /var/tmp "
                      "/dev/shm /etc /usr/local/bin /root)")
      ->allow_extra_args(false);
  collect->add_option("--only", copt.only,
                      "Collect only this artifact type (process, connection, listening, file, "
                      "persistence, module); repeatable")
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"process", "connection", "listening", "file", "persistence",
                             "module"}));
  collect->add_option("--max-size", max_size, "Hash files up to this many bytes")
      ->capture_default_str();
  collect->add_option("--host", copt.host, "Host name to report (default: this machine's)");
  collect->add_option("--root", copt.root,
                      "Read a mounted system under DIR instead of / (its DIR/proc too); paths "
                      "are reported without DIR");

  CLI::App* import = app.add_subcommand(
      "import", "Keep indicators in the store (with their source and incident) for later checks");
  std::vector<std::string> import_files;
  import->add_option("files", import_files, "IOC files ('-': stdin)")->required();
  import->add_option("--incident", opt.incident, "Incident the indicators belong to");
  import->add_option("--ioc-format", opt.ioc_format, "Format of the IOC files")
      ->check(CLI::IsMember({"auto", "sandbox", "stix", "misp", "jsonl", "csv", "list"}));

  CLI::App* retro = app.add_subcommand(
      "retro", "Re-check every stored snapshot against indicators imported since the last run");
  retro->add_flag("--dry-run", opt.dry_run, "Report, but do not remember this run");
  retro->add_option("--max-matches", opt.max_matches, "Most matches listed per host");
  retro->add_option("--incident", opt.incident,
                    "Incident for the new findings (default: the indicators' own)");

  CLI::App* prune = app.add_subcommand(
      "prune", "Delete stored snapshots: all but the newest N per host, or those older than AGE");
  int64_t prune_keep = -1;
  std::string prune_older;
  prune->add_option("--keep", prune_keep, "Keep the newest N snapshots of each host");
  prune->add_option("--older", prune_older, "Delete snapshots collected longer ago than AGE "
                                            "(e.g. 30d)");

  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    if (history && no_history) throw tr::UsageError("--history and --no-history exclude each other");
    opt.history = history ? 1 : no_history ? 0 : -1;
    opt.keep = !no_keep;
    if (collect->parsed()) {
      auto s = tr::time::parse_duration(since);
      if (!s) throw tr::UsageError("--since: not a duration: " + since);
      copt.since_ms = *s;
      while (copt.root.size() > 1 && copt.root.back() == '/') copt.root.pop_back();
      if (copt.root == "/") copt.root.clear();
      if (!copt.root.empty()) copt.proc = copt.root + "/proc";
      try {
        copt.max_size = std::stoll(max_size);
      } catch (const std::exception&) {
        throw tr::UsageError("--max-size: not a number of bytes: " + max_size);
      }
      auto stats = tr::match::collect(copt, [&](const std::string& rec) { ctx.out().line(rec); });
      ctx.info("collected " + std::to_string(stats.records) + " artifacts; " +
               std::to_string(stats.unreadable) + " items could not be read (run as root for all)");
    } else if (import->parsed()) {
      tr::match::run_import(ctx, import_files, opt);
    } else if (prune->parsed()) {
      int64_t older = 0;
      if (!prune_older.empty()) {
        auto d = tr::time::parse_duration(prune_older);
        if (!d || *d <= 0) throw tr::UsageError("--older: not a duration: " + prune_older);
        older = *d;
      }
      if (prune->count("--keep") && prune_keep < 0)
        throw tr::UsageError("--keep: needs a number of snapshots, 0 or more");
      tr::match::run_prune(ctx, prune_keep, older);
    } else if (retro->parsed()) {
      auto once = ctx.store_exists() ? ctx.store().singleton("ioc-retro") : nullptr;
      if (ctx.store_exists() && !once)
        return ctx.info("another tr-ioc-check retro holds the store's job lock; skipped");
      tr::match::run_retro(ctx, opt);
    } else {
      tr::match::run_check(ctx, opt);
    }
  });
}
