#include "cli/tool.hpp"
#include "core/error.hpp"
#include "intel/enrich.hpp"
#include "intel/feeds.hpp"
#include "intel/recheck.hpp"
#include "intel/reputation.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

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
  std::string psl;
  app.add_option("--public-suffix-list", psl,
                 "Public Suffix List for RDAP's registrable domains (default: Debian's)");
  app.add_flag("--passive", opt.passive,
               "Intelligence from local data and the cache only (no lookups)");
  tool.add_inputs();
  tool.add_offline();

  CLI::App* feeds = app.add_subcommand("feeds", "Manage the configured blocklist feeds");
  CLI::App* update = feeds->add_subcommand("update", "Download every feed of enrich.feeds");
  feeds->require_subcommand(1);
  tool.add_offline(update);
  CLI::App* recheck = app.add_subcommand(
      "recheck", "Ask VirusTotal again about files it called unknown or clean");
  std::string older;
  recheck->add_option("--older", older, "Re-check answers at least this old (6h, 1d)")
      ->required();
  tool.add_offline(recheck);

  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    if (update->parsed()) {
      // Feed files are per host (feeds_dir), so the lock is too: it stops overlapping runs.
      auto once = ctx.store().singleton("feeds-update", /*per_host=*/true);
      if (!once) return ctx.info("another tr-enrich feeds update holds the job lock; skipped");
      auto specs = tr::intel::feeds_from_config(ctx.config());
      if (specs.empty()) throw tr::UsageError("no feeds configured (enrich.feeds)");
      tr::net::ClientOptions o;
      o.offline = ctx.offline();
      o.retry.max_attempts = static_cast<int>(ctx.config().get_int("enrich.feeds_attempts", 3));
      o.retry.base_backoff_ms = ctx.config().get_duration("enrich.feeds_backoff", 1000);
      o.log = [&](const std::string& m) { ctx.debug(m); };
      tr::net::Client client(o);
      auto results = tr::intel::update_feeds(specs, client, tr::intel::feeds_dir(),
                                             ctx.config().get_duration("enrich.timeout", 120000));
      for (const auto& r : results) {
        if (!r.ok)
          ctx.note_external_failure("feed " + r.name + ": " + tr::cli::term_safe(r.error) +
                                    "; keeping the last good copy");
        else if (r.not_modified)
          ctx.info("feed " + r.name + ": not modified");
        else
          ctx.info("feed " + r.name + ": " + std::to_string(r.stats.entries) + " entries (" +
                   std::to_string(r.stats.invalid) + " invalid lines)");
      }
      return;
    }
    opt.merge_config(ctx.config());
    for (const auto& name : opt.missing_feeds)
      ctx.warn("feed " + name + " has not been downloaded yet (tr-enrich feeds update)");
    bool cache_only = ctx.offline() || opt.passive;
    tr::intel::Enricher enricher(opt, ctx.config(), [&](const std::string& m) { ctx.warn(m); });
    auto settings = tr::intel::IntelSettings::from_config(
        ctx.config(), opt.vt || recheck->parsed(), opt.abuseipdb, opt.rdap, cache_only);
    if (!psl.empty()) {
      settings.public_suffix_list = psl;
      settings.public_suffix_list_set = true;
    }
    std::unique_ptr<tr::intel::IntelServices> services;
    if (settings.any()) {
      services = std::make_unique<tr::intel::IntelServices>(
          settings, &ctx.store(), [&](const std::string& m) { ctx.debug(m); },
          [&](const std::string& m) { ctx.warn(m); });
      enricher.set_remote(services.get());
    }
    if (recheck->parsed()) {
      auto older_ms = tr::time::parse_duration(older);
      if (!older_ms) throw tr::UsageError("--older: \"" + older + "\" is not a duration (6h, 1d)");
      if (cache_only) throw tr::UsageError("recheck needs the network (not --offline/--passive)");
      auto once = ctx.store().singleton("enrich-recheck");
      if (!once) return ctx.info("another tr-enrich recheck holds the store's job lock; skipped");
      tr::intel::run_recheck(ctx, *services, enricher, *older_ms);
      return;
    }
    tr::intel::run_enrich(ctx, enricher);
  });
}
