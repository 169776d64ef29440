#include "intel/remote.hpp"

namespace tr::intel {

std::string VtVerdict::verdict() const {
  if (!found) return "unknown";
  if (malicious > 0) return "malicious";
  if (suspicious > 0) return "suspicious";
  return "clean";
}

}  // namespace tr::intel
