#include "cli/tool.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "core/error.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::cli {
namespace {

std::atomic<int> g_signal{0};

void on_signal(int sig) { g_signal.store(sig); }

void install_signals() {
  std::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR and the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Every diagnostic passes here. Callers put attacker-controlled text through term_safe; as a
// last line of defence a C0 control other than tab and newline (ESC above all) or DEL that
// still got into a message is shown as \xNN, so no escape sequence reaches the terminal raw.
void write_stderr(const std::string& s) {
  std::string line;
  line.reserve(s.size() + 1);
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      line += "\\x";
      line += hex[c >> 4];
      line += hex[c & 15];
    } else {
      line += static_cast<char>(c);
    }
  }
  line += '\n';
  const char* p = line.data();
  std::size_t n = line.size();
  while (n > 0) {
    ssize_t w = ::write(2, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

Context::Context(std::string tool) : tool_(std::move(tool)) {}
Context::~Context() = default;

void Context::error(const std::string& msg) {
  end_progress();
  write_stderr(tool_ + ": " + msg);
}
void Context::warn(const std::string& msg) {
  if (quiet_) return;
  end_progress();
  write_stderr(tool_ + ": warning: " + msg);
}
void Context::info(const std::string& msg) {
  if (verbosity_ < 1) return;
  end_progress();
  write_stderr(tool_ + ": " + msg);
}
void Context::debug(const std::string& msg) {
  if (verbosity_ < 2) return;
  end_progress();
  write_stderr(tool_ + ": debug: " + msg);
}

void Context::reject(const SourcePos& pos, const std::string& reason) {
  ++rejected_;
  error(pos.str() + ": " + reason + "; record rejected");
  if (strict_) throw StrictStop{};
}

void Context::note_external_failure(const std::string& msg) {
  external_failed_ = true;
  error(msg);
}

store::Store& Context::store() {
  if (!store_) store_ = std::make_unique<store::Store>(store_path_);
  return *store_;
}

bool Context::store_exists() const { return store::Store::exists(store_path_); }

bool Context::interrupted() const { return g_signal.load() != 0; }

std::string Context::actor() const {
  if (!actor_flag_.empty()) return actor_flag_;
  if (const char* a = std::getenv("TR_ACTOR"); a && *a) return a;
  if (const char* l = std::getenv("LOGNAME"); l && *l) return l;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (struct passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "unknown";
}

void Context::progress(std::size_t records, std::size_t bytes) {
  static const bool tty = ::isatty(2);
  if (!tty || quiet_) return;
  int64_t now = time::now();
  if (now - last_progress_ < 250) return;
  last_progress_ = now;
  char buf[128];
  std::snprintf(buf, sizeof buf, "\r%s: %zu records, %.1f MB", tool_.c_str(), records,
                bytes / 1e6);
  ssize_t ignored = ::write(2, buf, std::strlen(buf));
  (void)ignored;
  progress_shown_ = true;
}

void Context::end_progress() {
  if (!progress_shown_) return;
  progress_shown_ = false;
  ssize_t ignored = ::write(2, "\r\033[K", 4);
  (void)ignored;
}

int Context::status() const {
  if (external_failed_) return kExitExternal;
  if (rejected_ > 0) return kExitRejected;
  if (found_) return kExitFound;
  return kExitOk;
}

Tool::Tool(std::string name, std::string description)
    : name_(name), app_(std::move(description), name), ctx_(name) {
  app_.set_version_flag("--version", std::string(name) + " " TR_VERSION);
  app_.add_option("--config", ctx_.config_flag_, "Configuration file (default: TR_CONFIG, then "
                                                  "~/.config/tr/config.yaml)");
  app_.add_option("--store", ctx_.store_flag_,
                  "Case store (default: TR_STORE, config store.path, then "
                  "~/.local/share/tr/cases.db)");
  app_.add_flag("-q,--quiet", ctx_.quiet_, "Show errors only");
  app_.add_flag("-v,--verbose", ctx_.verbosity_, "More diagnostics (-vv for debug)");
  app_.add_flag("--strict", ctx_.strict_, "Stop at the first rejected record (status 3)");
  app_.add_flag("--unbuffered", ctx_.unbuffered_, "Flush output after every record");
  app_.add_option("-o,--output", ctx_.output_path_, "Write output to FILE instead of stdout");
  app_.add_option("--max-line", ctx_.max_line_, "Longest accepted input line in bytes")
      ->capture_default_str();
  app_.fallthrough();
  app_.require_subcommand(0, 1);
}

void Tool::add_inputs(CLI::App* app) {
  (app ? app : &app_)->add_option("files", ctx_.inputs_, "Input files (default or '-': stdin)");
}

void Tool::add_offline(CLI::App* app) {
  (app ? app : &app_)->add_flag("--offline", ctx_.offline_,
                                "No network: use only local data and the cache");
}

void Tool::add_actor(CLI::App* app) {
  (app ? app : &app_)->add_option("--actor", ctx_.actor_flag_,
                                  "Who is acting (default: TR_ACTOR, then the login name)");
}

int Tool::run(int argc, char** argv, const std::function<void(Context&)>& body) {
  install_signals();
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app_.exit(e);  // --help, --version: stdout, status 0
      return kExitOk;
    }
    std::string msg = e.what();
    write_stderr(name_ + ": " + msg);
    write_stderr("try '" + name_ + " --help'");
    return kExitUsage;
  }
  int stdin_count = 0;
  for (const auto& in : ctx_.inputs_) stdin_count += (in == "-");
  if (stdin_count > 1) {
    write_stderr(name_ + ": standard input ('-') can be named only once");
    return kExitUsage;
  }
  int status = kExitOk;
  try {
    ctx_.config_ = Config::load(ctx_.config_flag_);
    ctx_.store_path_ = store::Store::resolve_path(ctx_.store_flag_, ctx_.config_);
    ctx_.out_.set_unbuffered(ctx_.unbuffered_);
    if (!ctx_.output_path_.empty() && ctx_.output_path_ != "-") {
      int fd = ::open(ctx_.output_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) throw UsageError(ctx_.output_path_ + ": " + std::strerror(errno));
      ctx_.out_.set_fd(fd);
    }
    body(ctx_);
    ctx_.out_.flush();
    ctx_.end_progress();
    status = ctx_.status();
  } catch (const jsonl::PipeClosed&) {
    return kExitOk;  // the reader went away (| head): not an error, say nothing
  } catch (const StrictStop&) {
    try {
      ctx_.out_.flush();
    } catch (...) {
    }
    status = kExitRejected;
  } catch (const UsageError& e) {
    ctx_.error(e.what());
    return kExitUsage;
  } catch (const RecordError& e) {
    ctx_.error(e.what());
    status = kExitRejected;
  } catch (const ExternalError& e) {
    try {
      ctx_.out_.flush();
    } catch (...) {
    }
    ctx_.error(e.what());
    status = kExitExternal;
  } catch (const std::exception& e) {
    ctx_.error(std::string("internal error: ") + e.what());
    status = kExitExternal;
  }
  if (int sig = g_signal.load()) {
    // Let the shell see 130/143: default handler, then the same signal again.
    ctx_.store_.reset();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
  return status;
}

namespace {

// Writes a stage's output to the tool's stdout writer.
struct OutSink : Sink {
  Context& c;
  explicit OutSink(Context& c) : c(c) {}
  void emit(Record rec) override { c.out().line(rec.text()); }
  void emit_text(std::string_view json) override { c.out().line(json); }
};

// The read loop both runners share: every input (stdin when none), framing, the line-length
// bound, blank lines, rejects at the record boundary, progress and interruption. `handle` gets
// each non-blank line and throws RecordError to reject it.
template <class Handle>
void for_each_line(Context& ctx, Handle&& handle) {
  std::vector<std::string> inputs = ctx.inputs();
  if (inputs.empty()) inputs.push_back("-");
  std::size_t bytes_before = 0;
  for (const auto& path : inputs) {
    auto reader = jsonl::LineReader::open(path, ctx.max_line());
    jsonl::Line line;
    while (!ctx.interrupted() && reader.next(line)) {
      SourcePos pos{reader.name(), line.number};
      if (line.too_long) {
        ctx.count_read();
        ctx.reject(pos, "line is longer than " + std::to_string(ctx.max_line()) + " bytes (" +
                            std::to_string(line.length) + ")");
        continue;
      }
      if (line.text.find_first_not_of(" \t") == std::string_view::npos) continue;
      ctx.count_read();
      try {
        handle(line.text, pos);
      } catch (const RecordError& e) {
        ctx.reject(pos, e.what());
      }
      if ((line.number & 1023) == 0) ctx.progress(ctx.read(), bytes_before + reader.bytes_read());
    }
    bytes_before += reader.bytes_read();
  }
}

void summarise_rejects(Context& ctx, const char* unit) {
  if (ctx.rejected() > 0)
    ctx.error(std::to_string(ctx.rejected()) + " of " + std::to_string(ctx.read()) + " " + unit +
              " rejected");
}

}  // namespace

void run_stream(Context& ctx, tr::Stage& stage) {
  OutSink sink(ctx);
  for_each_line(ctx, [&](std::string_view text, const SourcePos& pos) {
    stage.on_record(Record::parse(text, pos), sink);
  });
  if (!ctx.interrupted()) stage.on_end(sink);
  summarise_rejects(ctx, "records");
}

void run_lines(Context& ctx, tr::LineStage& stage, const char* unit) {
  OutSink sink(ctx);
  for_each_line(ctx, [&](std::string_view text, const SourcePos& pos) {
    stage.on_line(text, pos, sink);
  });
  if (!ctx.interrupted()) stage.on_end(sink);
  summarise_rejects(ctx, unit);
}

namespace {

// The code point of the valid UTF-8 sequence at s[i] and its length, or length 0 when the
// bytes there are not one (overlong, surrogate, cut short, a stray continuation byte).
std::pair<char32_t, std::size_t> utf8_at(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  std::size_t n;
  char32_t cp;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return {0, 0};
  if (i + n > s.size()) return {0, 0};
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return {0, 0};
  return {cp, n};
}

// Code points a terminal acts on or that reorder text: C1 controls, ALM, LRM/RLM,
// LRE..RLO, LRI..PDI.
bool is_format_control(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string term_safe(std::string_view s, std::size_t max) {
  std::string out;
  std::size_t shown = 0;
  char buf[16];
  for (std::size_t i = 0; i < s.size(); ++shown) {
    if (shown >= max) {
      out += "\xE2\x80\xA6";  // …
      break;
    }
    auto [cp, n] = utf8_at(s, i);
    if (n == 0 || cp < 0x20 || cp == 0x7f) {
      // Controls, and bytes that are not UTF-8 (a lone 0x9b is CSI to an 8-bit terminal).
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
      i += 1;
    } else if (is_format_control(cp)) {
      std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
      out += buf;
      i += n;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace tr::cli
