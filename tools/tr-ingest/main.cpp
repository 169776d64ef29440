#include <filesystem>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/pull.hpp"
#include "time/time.hpp"

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-ingest", "Turn security product events into alert records");
  tr::ingest::Options opt;
  bool list = false;
  tool.app().add_option("-f,--format", opt.format,
                        "Input format: auto (default), a name --list-formats shows, or the name "
                        "of a --mapping");
  std::vector<std::string> mapping_files;
  tool.app()
      .add_option("-m,--mapping", mapping_files,
                  "YAML mapping file: one more format for a product without a built-in "
                  "one (repeatable; tr-ingest(1), MAPPING FILES)")
      ->allow_extra_args(false);
  tool.app().add_flag("--keep-raw", opt.keep_raw, "Keep the original event in event.original");
  tool.app().add_option("--join-window", opt.join_window,
                        "Input lines a Suricata alert waits for its flow's http/dns/tls/fileinfo "
                        "events (default 1000; 0 writes at once)");
  tool.app().add_flag("--list-formats", list, "List the input formats and exit");
  tr::ingest::PullOptions pull;
  tool.app()
      .add_option("--from", pull.source, "Pull from a vendor API instead of files: tap or splunk")
      ->check(CLI::IsMember({"tap", "splunk"}));
  tool.app().add_option("--since", pull.since,
                        "With --from: how far back the first run reads (default 1h for tap, "
                        "15m for splunk); later runs resume from the cursor in the store");
  tool.app().add_option("--search", pull.search, "With --from splunk: the search to export");
  tool.app().add_option("--url", pull.url, "With --from: the API's base URL");
  tool.add_offline();
  tool.add_inputs();
  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    // Mappings named in the configuration (paths relative to its folder), then --mapping.
    std::vector<std::string> files;
    for (const auto& f : ctx.config().get_strings("ingest.mappings")) {
      std::filesystem::path p = tr::expand_home(f);
      if (p.is_relative() && !ctx.config().path().empty())
        p = std::filesystem::path(ctx.config().path()).parent_path() / p;
      files.push_back(p.string());
    }
    files.insert(files.end(), mapping_files.begin(), mapping_files.end());
    opt.mappings = tr::ingest::load_mappings(files);
    if (list) {
      for (const auto& f : tr::ingest::formats())
        ctx.out().line(std::string(f.name) + "\t" + std::string(f.description));
      for (const auto& m : opt.mappings)
        ctx.out().line(m->name() + "\t" +
                       (m->description().empty() ? "" : tr::cli::term_safe(m->description()) + " ") +
                       "(mapping " + m->file() + ")");
      return;
    }
    opt.max_document = ctx.max_line();
    // --strict stops at a bad line without an end of stream: hold nothing back then.
    if (ctx.strict()) opt.join_window = 0;
    tr::ingest::IngestStage stage(opt, tr::time::format_rfc3339(tr::time::now()));
    stage.reject = [&](const tr::SourcePos& pos, const std::string& reason) {
      ctx.reject(pos, reason);
    };
    if (!pull.source.empty()) {
      if (!ctx.inputs().empty()) throw tr::UsageError("--from reads an API; give no input files");
      tr::ingest::pull(ctx, stage, pull);
      if (ctx.rejected() > 0)
        ctx.error(std::to_string(ctx.rejected()) + " API records rejected");
    } else {
      if (!pull.since.empty() || !pull.search.empty() || !pull.url.empty())
        throw tr::UsageError("--since, --search and --url go with --from");
      tr::cli::run_lines(ctx, stage);
      if (ctx.interrupted()) {
        // No end of stream: still write the complete alerts held for their flow's context.
        struct : tr::Sink {
          tr::cli::Context* ctx;
          void emit(tr::Record rec) override { ctx->out().line(rec.text()); }
          void emit_text(std::string_view json) override { ctx->out().line(json); }
        } sink;
        sink.ctx = &ctx;
        stage.release_held(sink);
      }
    }
    ctx.info(std::to_string(stage.alerts()) + " alerts written, " +
             std::to_string(stage.skipped()) + " events skipped (not alerts), " +
             std::to_string(ctx.rejected()) + " lines rejected");
  });
}
