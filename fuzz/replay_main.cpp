// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the folders given, for builds
// without libFuzzer: the seed corpus and the regressions become an ordinary test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::size_t n = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path dir(argv[i]);
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++n;
    }
  }
  // Also the empty input and a few degenerate ones, so a target is never run on nothing.
  const char* extra[] = {"", "\n", "{", "\xff", "{\"kind\":\"alert\"}"};
  for (const char* e : extra) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(e), std::char_traits<char>::length(e));
    ++n;
  }
  std::printf("%zu inputs replayed\n", n);
  return 0;
}
