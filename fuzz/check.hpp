// Property checks for fuzz targets: a failed property aborts, which libFuzzer reports as a
// crash with the input saved, and the replay test reports as a failure.
#pragma once
#include <cstdio>
#include <cstdlib>

#define TR_FUZZ_CHECK(cond)                                                       \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
