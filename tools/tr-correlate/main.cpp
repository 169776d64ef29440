#include <malloc.h>

#include "cli/tool.hpp"
#include "correlate/stage.hpp"

int main(int argc, char** argv) {
  // Groups are built and freed by the hundred thousand: keep freed memory instead of handing
  // it back to the kernel and faulting it in again.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  // The pass's scratch arrays are large: keep them on the heap rather than in mappings that
  // every pass would fault in again.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  tr::cli::Tool tool("tr-correlate",
                     "Group alerts that share observables into incidents; name campaigns and "
                     "botnets");
  tr::correlate::Flags f;
  bool incremental = false;
  CLI::App& app = tool.app();
  app.add_option("-w,--window", f.window, "Time window within which shared values link (24h)");
  app.add_option("--link", f.link,
                 "Link attributes, comma-separated (e.g. target_user,attacker_ip,file_hash)")
      ->expected(1)
      ->allow_extra_args(false);
  app.add_option("--never-link", f.never_link, "File of values that never link (repeatable)")
      ->expected(1)
      ->allow_extra_args(false);
  app.add_option("--warninglists", f.warninglists, "Folder of MISP warninglists (JSON)");
  app.add_option("--campaign-min", f.campaign_min,
                 "Distinct targets of one attacker indicator that make a campaign (3)");
  app.add_option("--botnet-min", f.botnet_min,
                 "Distinct internal hosts on one C2 indicator that make a botnet (3)");
  app.add_option("--hub-min", f.hub_min, "Alerts a value needs before it can be a hub (50)");
  app.add_option("--hub-share", f.hub_share,
                 "Share of an hour's alerts that makes a value a hub (0.2)");
  app.add_option("--late", f.late, "How far out of order alerts may arrive (15m)");
  app.add_flag("--explain", f.explain, "Add to each incident why each alert belongs");
  app.add_flag("--incidents-only", f.incidents_only, "Write only incidents, not the alerts");
  app.add_flag("--incremental", incremental,
               "Join open incidents of the store (implied by --store)");
  tool.add_inputs();
  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    tr::correlate::Options opt = tr::correlate::resolve(f, ctx.config());
    opt.use_store = incremental || app.get_option("--store")->count() > 0 ||
                    ctx.config().get_bool("correlate.incremental", false);
    auto never = tr::correlate::load_never_link(opt, [&](const std::string& m) { ctx.warn(m); });
    std::unique_ptr<tr::correlate::IncidentSource> store;
    if (opt.use_store) store = tr::correlate::store_source(ctx, opt);
    tr::correlate::CorrelateStage stage(opt, never, store.get(), ctx);
    tr::cli::run_lines(ctx, stage, "records");
  });
}
