#include "cli/tool.hpp"
int main(int argc, char** argv) {
  tr::cli::Tool tool("tr-ingest", "Turn security product events into alert records");
  tool.add_inputs();
  return tool.run(argc, argv, [&](tr::cli::Context&) {});
}
