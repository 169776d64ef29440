#include "cli/tool.hpp"
#include "intel/enrich.hpp"

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-enrich",
                     "Add who was hit, what is known about the attacker, and a score to alerts");
  tr::intel::EnrichOptions opt;
  CLI::App& app = tool.app();
  app.add_option("--users", opt.users, "User directory export (CSV or JSON)");
  app.add_option("--assets", opt.assets, "Asset inventory (CSV or JSON)");
  app.add_option("--geoip", opt.geoip, "MaxMind City or Country database (.mmdb)");
  app.add_option("--asn", opt.asn, "MaxMind ASN database (.mmdb)");
  app.add_option("--blocklist", opt.blocklists, "Blocklist file, or NAME=FILE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--blocklist-format", opt.blocklist_format,
                 "Format of --blocklist files: auto, plain, drop, hosts, csv, dshield, json")
      ->capture_default_str();
  tool.add_inputs();
  tool.add_offline();
  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    opt.merge_config(ctx.config());
    tr::intel::Enricher enricher(opt, ctx.config(), [&](const std::string& m) { ctx.warn(m); });
    tr::intel::run_enrich(ctx, enricher);
  });
}
