#include "cli/tool.hpp"
#include "ingest/ingest.hpp"
#include "time/time.hpp"

int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-ingest", "Turn security product events into alert records");
  tr::ingest::Options opt;
  bool list = false;
  std::vector<std::string> names;
  for (const auto& f : tr::ingest::formats()) names.emplace_back(f.name);
  tool.app()
      .add_option("-f,--format", opt.format, "Input format (default: auto; see --list-formats)")
      ->check(CLI::IsMember(names));
  tool.app().add_flag("--keep-raw", opt.keep_raw, "Keep the original event in event.original");
  tool.app().add_flag("--list-formats", list, "List the input formats and exit");
  tool.add_inputs();
  return tool.run(argc, argv, [&](tr::cli::Context& ctx) {
    if (list) {
      for (const auto& f : tr::ingest::formats())
        ctx.out().line(std::string(f.name) + "\t" + std::string(f.description));
      return;
    }
    opt.max_document = ctx.max_line();
    tr::ingest::IngestStage stage(opt, tr::time::format_rfc3339(tr::time::now()));
    stage.reject = [&](const tr::SourcePos& pos, const std::string& reason) {
      ctx.reject(pos, reason);
    };
    tr::cli::run_lines(ctx, stage);
    ctx.info(std::to_string(stage.alerts()) + " alerts written, " +
             std::to_string(stage.skipped()) + " events skipped (not alerts), " +
             std::to_string(ctx.rejected()) + " lines rejected");
  });
}
