// tr::Error and its kinds, and the exit statuses they become.
//
// Library code reports trouble by throwing one of these; only cli::Tool::run turns them into
// a process status (see style.md section 4). Precedence when several apply: 4 > 3 > 1 > 0.
#pragma once
#include <stdexcept>
#include <string>

namespace tr {

enum ExitStatus : int {
  kExitOk = 0,        // success
  kExitFound = 1,     // the tool's "found something" answer (infected host, stale incident)
  kExitUsage = 2,     // usage or configuration error; no data written
  kExitRejected = 3,  // some input records were rejected, the rest went through
  kExitExternal = 4,  // an external system (network, device, API, store, disk) failed
};

// Base of every error tr throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad flags, bad configuration, an unreadable input named on the command line: status 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// One input record cannot be used. Caught at the record boundary, reported with its position,
// counted; the stream goes on (or stops with status 3 under --strict).
class RecordError : public Error {
 public:
  using Error::Error;
};

// The network, a device, an API, the store or the disk failed: status 4.
class ExternalError : public Error {
 public:
  using Error::Error;
};

}  // namespace tr
