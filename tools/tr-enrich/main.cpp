#include "cli/tool.hpp"
#include "intel/enrich.hpp"
#include "intel/reputation.hpp"
#include "store/store.hpp"

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
  app.add_flag("--vt", opt.vt, "Look up hashes, domains, IPs and URLs on VirusTotal");
  app.add_flag("--rdap", opt.rdap, "Look up domain registration dates (RDAP)");
  app.add_flag("--abuseipdb", opt.abuseipdb, "Look up public IPs on AbuseIPDB");
  app.add_flag("--passive", opt.passive,
               "Intelligence from local data and the cache only (no lookups)");
  tool.add_inputs();
  tool.add_offline();
  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    opt.merge_config(ctx.config());
    tr::intel::Enricher enricher(opt, ctx.config(), [&](const std::string& m) { ctx.warn(m); });
    auto settings = tr::intel::IntelSettings::from_config(ctx.config(), opt.vt, opt.abuseipdb,
                                                          opt.rdap, ctx.offline() || opt.passive);
    std::unique_ptr<tr::intel::IntelServices> services;
    if (settings.any()) {
      services = std::make_unique<tr::intel::IntelServices>(
          settings, &ctx.store(), [&](const std::string& m) { ctx.debug(m); });
      enricher.set_remote(services.get());
    }
    tr::intel::run_enrich(ctx, enricher);
  });
}
