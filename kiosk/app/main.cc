// kiosk: awareness signage player. `kiosk --help` lists the commands; every
// flag is documented in README.md.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kiosk/app/bundle_command.h"
#include "kiosk/app/commands.h"
#include "kiosk/app/fleet_command.h"
#include "kiosk/app/paths.h"
#include "kiosk/app/player.h"
#include "kiosk/core/config.h"
#include "kiosk/core/log.h"
#include "kiosk/core/time_zone.h"
#include "kiosk/core/update/trust.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/sdl_event_source.h"
#include "kiosk/platform/sdl_memory.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/kiosk/kiosk.json";

constexpr const char* kUsage = R"(kiosk: multilingual awareness signage player

usage:
  kiosk [run] [options]        show the slides, fullscreen, until SIGTERM
  kiosk render --out DIR [--at YYYY-MM-DDTHH:MM] [options]
                               write every slide as PNG, as the screen shows it;
                               with --at, only what the unit shows at that local
                               time (config time_zone) by the slides' schedules
  kiosk validate DIR [--size WxH] [--root ROOT_JSON] [--languages TAGS]
                               check a bundle; lists every problem, exit 1 if any;
                               warns of slides lacking one of the unit's
                               languages (TAGS, default fr,en), of times no
                               slide is scheduled, and prints the week's timeline
  kiosk bundle build SRC OUT [--version N] [--expires-in DAYS] [--root ROOT_JSON]
                               make a publishable bundle: copies SRC's files,
                               writes manifest.json (expires in DAYS, default
                               30), prints the minisign command
  kiosk bundle verify DIR --key PUBKEY
                               check a signed bundle as a unit would
  kiosk fleet [list|outdated|check-now|reload|screenshot] --broker URL ...
                               the fleet from one place, over its MQTT broker:
                               every unit's state, units not on the newest
                               version, commands, screenshots
                               ('kiosk fleet --help'; docs/fleet-admin.md)
  kiosk version                print the version

  --root ROOT_JSON     (validate, bundle build) check the contact against the one
                       this root document pins, not the built-in one

options (run and render):
  --config FILE        configuration (default /etc/kiosk/kiosk.json; a missing
                       default file means all defaults)
  --content DIR        show the bundle in DIR (its slides.json) instead of the
                       built-in content; an invalid bundle is refused and the
                       built-in content shown
  --size WxH           panel or window size (default: the display's mode; 1920x1080
                       for render)
  --rotate DEG         0, 90, 180 or 270: turn the picture clockwise on the panel
  --layout MODE        bilingual or pair (two languages on each slide) or
                       alternate (one language at a time)
  --languages TAGS     the unit's languages in its order, comma-separated:
                       fr,en (the default), iu,fr,en, ar,en ...
options (run only):
  --windowed           a window instead of fullscreen; Esc quits
  --allow-root         run as root (refused otherwise: the player needs no privilege)
  --exit-after SEC     exit cleanly after SEC seconds (tests, benchmarks)
  --capture-dir DIR    write each settled frame as DIR/frame-NNN.png (at most 200)
  --test-render-reset  after the first frame, queue SDL's render target and
                       device reset events, as a GPU reset does (tests)

signals: SIGTERM and SIGINT exit cleanly; SIGHUP reloads configuration and content.
)";

struct Args {
  std::vector<std::string> positional;
  std::optional<std::string> config, content, size, rotate, layout, languages, out, capture_dir,
      root, at;
  std::optional<double> exit_after;
  bool windowed = false, allow_root = false, test_render_reset = false;
};

// The contact a root document pins (read, not verified: this is the
// administrator's own file, and units verify it themselves).
kiosk::Result<kiosk::PinnedContact> PinnedContactOf(const std::string& root_file) {
  std::ifstream in(root_file, std::ios::binary);
  if (!in) return kiosk::Status::NotFound("--root " + root_file + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto root = kiosk::update::ParseRootDocument(text.str(), root_file);
  if (!root.ok()) return root.status();
  return root->contact;
}

// "iu,fr,en" as the JSON list ["iu","fr","en"], for the config's own checks.
std::string LanguageList(const std::string& comma_separated) {
  nlohmann::json list = nlohmann::json::array();
  size_t start = 0;
  while (start <= comma_separated.size()) {
    size_t end = comma_separated.find(',', start);
    if (end == std::string::npos) end = comma_separated.size();
    list.push_back(comma_separated.substr(start, end - start));
    start = end + 1;
  }
  return list.dump();
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "kiosk: %s\nRun 'kiosk --help' for usage.\n", message.c_str());
  return 2;
}

std::optional<std::string> ParseArgs(int argc, char** argv, int first, Args& args) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::optional<std::string>& slot) -> bool {
      if (i + 1 >= argc) return false;
      slot = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--config")
      ok = value(args.config);
    else if (a == "--content")
      ok = value(args.content);
    else if (a == "--size")
      ok = value(args.size);
    else if (a == "--rotate")
      ok = value(args.rotate);
    else if (a == "--layout")
      ok = value(args.layout);
    else if (a == "--languages")
      ok = value(args.languages);
    else if (a == "--out")
      ok = value(args.out);
    else if (a == "--root")
      ok = value(args.root);
    else if (a == "--capture-dir")
      ok = value(args.capture_dir);
    else if (a == "--at")
      ok = value(args.at);
    else if (a == "--exit-after") {
      std::optional<std::string> v;
      ok = value(v);
      if (ok) {
        char* end = nullptr;
        double seconds = std::strtod(v->c_str(), &end);
        if (*end != '\0' || seconds <= 0) return "--exit-after expects seconds, got " + *v;
        args.exit_after = seconds;
      }
    } else if (a == "--windowed")
      args.windowed = true;
    else if (a == "--allow-root")
      args.allow_root = true;
    else if (a == "--test-render-reset")
      args.test_render_reset = true;
    else if (a.rfind("--", 0) == 0)
      return "unknown option " + a;
    else
      args.positional.push_back(a);
    if (!ok) return a + " expects a value";
  }
  return std::nullopt;
}

// Builds the configuration: the file, where a bad field keeps its default and
// is reported in problems (never all settings lost for one typo), then the
// command-line overrides, checked with the same rules as the file but strict:
// a bad flag is an error, for the person typing it.
kiosk::Result<kiosk::ConfigLoad> BuildConfig(const Args& args) {
  // Only the default path may be absent (a unit that was never configured).
  kiosk::PosixFileStore disk;
  kiosk::ConfigLoad load = kiosk::LoadConfigFile(disk, args.config.value_or(kDefaultConfig),
                                                 /*fallback=*/kiosk::Config{},
                                                 /*missing_ok=*/!args.config);
  std::string overrides = "{\"display\": {";
  std::string sep;
  auto quoted = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  if (args.size) overrides += sep + "\"size\": " + quoted(*args.size), sep = ", ";
  if (args.layout) overrides += sep + "\"layout\": " + quoted(*args.layout), sep = ", ";
  if (args.languages)
    overrides += sep + "\"languages\": " + LanguageList(*args.languages), sep = ", ";
  if (args.rotate) {
    char* end = nullptr;
    long deg = std::strtol(args.rotate->c_str(), &end, 10);
    if (*end != '\0')
      return kiosk::Status::Invalid("--rotate expects 0, 90, 180 or 270, got " + *args.rotate);
    overrides += sep + "\"rotation\": " + std::to_string(deg), sep = ", ";
  }
  overrides += "}}";
  auto parsed = kiosk::ParseConfig(overrides, "command line");
  if (!parsed.problems.empty()) {
    std::string all;
    for (const auto& p : parsed.problems) {
      // A flag is refused, not kept: drop the "; keeping ..." of the file's rule.
      all += (all.empty() ? "" : "\n") + p.substr(0, p.rfind("; keeping"));
    }
    return kiosk::Status::Invalid(all);
  }
  kiosk::Config& config = load.config;
  if (args.size) {
    config.display.width = parsed.config.display.width;
    config.display.height = parsed.config.display.height;
  }
  if (args.layout) config.display.layout = parsed.config.display.layout;
  if (args.languages) config.display.languages = parsed.config.display.languages;
  if (args.rotate) config.display.rotation_degrees = parsed.config.display.rotation_degrees;
  return load;
}

// Each problem of the file as an error, each warning as a warning.
void LogConfigLoad(const kiosk::ConfigLoad& load) {
  for (const auto& p : load.problems) kiosk::LogError("configuration: " + p);
  for (const auto& w : load.warnings) kiosk::LogWarning("configuration: " + w);
}

int Run(const Args& args) {
  if (::geteuid() == 0 && !args.allow_root) {
    std::fprintf(stderr,
                 "kiosk: refusing to run as root: the player needs no privilege. Run it as the "
                 "kiosk user (see systemd/kiosk.service), or pass --allow-root.\n");
    return 1;
  }
  if (!args.positional.empty()) return UsageError("unexpected argument " + args.positional[0]);
  if (args.at) return UsageError("--at is for render only");
  auto load = BuildConfig(args);
  if (!load.ok()) return UsageError(load.status().message());
  LogConfigLoad(*load);
  kiosk::PlayerOptions options;
  options.config = load->config;
  options.config_problems = load->problems;
  options.config_warnings = load->warnings;
  options.config_path = args.config.value_or(kDefaultConfig);
  if (args.content) options.content_dir = *args.content;
  options.data_dir = kiosk::DataDir();
  options.windowed = args.windowed;
  options.test_render_reset = args.test_render_reset;
  if (args.exit_after) options.exit_after_ms = static_cast<int>(*args.exit_after * 1000);
  if (args.capture_dir) options.capture_dir = *args.capture_dir;
  return kiosk::RunPlayer(options);
}

// "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS", a real date and time.
std::optional<kiosk::LocalTime> ParseLocalTime(const std::string& text) {
  const std::string shape = text.size() == 16 ? "dddd-dd-ddTdd:dd" : "dddd-dd-ddTdd:dd:dd";
  if (text.size() != shape.size()) return std::nullopt;
  for (size_t i = 0; i < shape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return std::nullopt;
  }
  auto number = [&](size_t at, size_t n) { return std::stoi(text.substr(at, n)); };
  kiosk::LocalTime t{number(0, 4),  number(5, 2),  number(8, 2),
                     number(11, 2), number(14, 2), text.size() == 19 ? number(17, 2) : 0};
  if (t.year < 1970 || t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59 ||
      t.second > 59 || kiosk::AddDays(t, 0) != t) {
    return std::nullopt;
  }
  return t;
}

int Render(const Args& args) {
  if (!args.out) return UsageError("render needs --out DIR");
  if (!args.positional.empty()) return UsageError("unexpected argument " + args.positional[0]);
  auto load = BuildConfig(args);
  if (!load.ok()) return UsageError(load.status().message());
  LogConfigLoad(*load);
  const kiosk::Config& config = load->config;
  kiosk::RenderOptions options;
  options.data_dir = kiosk::DataDir();
  options.content_dir =
      args.content ? std::filesystem::path(*args.content) : options.data_dir / "content";
  options.out_dir = *args.out;
  options.display = config.display;
  if (args.at) {
    options.at = ParseLocalTime(*args.at);
    if (!options.at) {
      return UsageError("--at expects a local date and time as YYYY-MM-DDTHH:MM, got " + *args.at);
    }
    options.time_zone = config.time_zone;
    const std::string zone = config.time_zone.empty() ? "the system's time zone (" +
                                                            kiosk::SystemTimeZone()->name() + ")"
                                                      : config.time_zone;
    std::fprintf(stderr, "kiosk render: what the unit shows at %s, %s\n",
                 kiosk::ToString(*options.at).c_str(), zone.c_str());
  }
  if (config.display.width > 0) {
    options.width = config.display.width;
    options.height = config.display.height;
  }
  auto written = kiosk::RenderBundle(options);
  if (!written.ok()) {
    std::fprintf(stderr, "kiosk render: %s\n", written.status().message().c_str());
    return 1;
  }
  for (const auto& path : *written) std::printf("%s\n", path.c_str());
  // The frames are still written (they show what a unit with this damage
  // shows), but they are not what a healthy unit shows: say so, and fail.
  auto font_problems = kiosk::FontProblems(options.data_dir);
  for (const auto& p : font_problems)
    std::fprintf(stderr, "kiosk render: WARNING: %s\n", p.c_str());
  if (!font_problems.empty()) {
    std::fprintf(stderr,
                 "kiosk render: WARNING: the pinned fonts are damaged; these frames use "
                 "substitute fonts and differ from what units show (reinstall kiosk)\n");
    return 1;
  }
  return 0;
}

int Validate(const Args& args) {
  if (args.positional.size() != 1) return UsageError("validate needs one bundle directory");
  int w = 0, h = 0;
  if (args.size && std::sscanf(args.size->c_str(), "%dx%d", &w, &h) != 2) {
    return UsageError("--size expects WIDTHxHEIGHT, got " + *args.size);
  }
  kiosk::PinnedContact pinned = kiosk::BuiltinContact();
  if (args.root) {
    auto contact = PinnedContactOf(*args.root);
    if (!contact.ok()) return UsageError(contact.status().message());
    pinned = *contact;
  }
  std::vector<std::string> languages = kiosk::kDefaultLanguages;
  if (args.languages) {
    auto parsed = kiosk::ParseConfig(
        "{\"display\": {\"languages\": " + LanguageList(*args.languages) + "}}", "--languages");
    if (!parsed.problems.empty()) {
      const std::string& p = parsed.problems.front();
      return UsageError(p.substr(0, p.rfind("; ")));
    }
    languages = parsed.config.display.languages;
  }
  auto problems = kiosk::CheckBundleDir(args.positional[0], kiosk::DataDir(), w, h, pinned);
  for (const auto& p : problems) std::printf("%s\n", p.c_str());
  for (const auto& line : kiosk::LineBreakReport(args.positional[0], kiosk::DataDir())) {
    std::printf("%s\n", line.c_str());
  }
  for (const auto& line : kiosk::LanguageReport(args.positional[0], languages)) {
    std::printf("%s\n", line.c_str());
  }
  for (const auto& line : kiosk::ScheduleReport(args.positional[0])) {
    std::printf("%s\n", line.c_str());
  }
  if (!problems.empty()) {
    std::printf("%s: %zu problem%s\n", args.positional[0].c_str(), problems.size(),
                problems.size() == 1 ? "" : "s");
    return 1;
  }
  std::printf("%s: valid\n", args.positional[0].c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Slide-sized buffers (8 MiB at 1080p) always come from mmap and go back
  // to the system when freed: glibc's adaptive threshold would otherwise
  // keep them in the heap after the first free, and a 512 MB Pi Zero 2 W
  // would carry their ghosts. Two arenas are plenty for our three threads.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 2);
  // Before SDL allocates anything (it frees with what it allocated with).
  kiosk::UseHugePagesForLargeSdlBuffers();
  // Before any thread exists, so all of them inherit the mask.
  kiosk::BlockSignals();
  std::string command = argc > 1 ? argv[1] : "run";
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version" || command == "version") {
    std::printf("kiosk %s\n", KIOSK_VERSION);
    return 0;
  }
  if (command == "bundle") {
    std::vector<std::string> words(argv + 1, argv + argc);
    // --root ROOT_JSON: check the content against the contact that root
    // document pins (changing the hotline), not the built-in one.
    kiosk::PinnedContact pinned = kiosk::BuiltinContact();
    for (size_t i = 0; i < words.size(); ++i) {
      if (words[i] != "--root") continue;
      if (i + 1 >= words.size()) return UsageError("--root expects a root.json file");
      auto contact = PinnedContactOf(words[i + 1]);
      if (!contact.ok()) return UsageError(contact.status().message());
      pinned = *contact;
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i),
                  words.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      break;
    }
    auto data_dir = kiosk::DataDir();
    return kiosk::RunBundleCommand(words, [&](const std::filesystem::path& dir) {
      return kiosk::CheckContent(dir, data_dir, 0, 0, pinned);
    });
  }
  if (command == "fleet") {
    return kiosk::RunFleetCommand(std::vector<std::string>(argv + 1, argv + argc));
  }
  int first = 2;
  if (command.rfind("--", 0) == 0) {
    command = "run";
    first = 1;
  }
  Args args;
  if (auto error = ParseArgs(argc, argv, first, args)) return UsageError(*error);
  if (command == "run") return Run(args);
  if (command == "render") return Render(args);
  if (command == "validate") return Validate(args);
  return UsageError("unknown command " + command);
}
