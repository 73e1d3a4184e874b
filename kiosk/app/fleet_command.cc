#include "kiosk/app/fleet_command.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "kiosk/core/fleet_admin_config.h"
#include "kiosk/core/fleet_view.h"
#include "kiosk/core/update/rfc3339.h"
#include "kiosk/platform/fleet/mqtt_admin.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

using std::chrono::milliseconds;

constexpr char kUsage[] =
    "usage: kiosk fleet [list] [--tag T]\n"
    "       kiosk fleet outdated [--newest N] [--tag T]\n"
    "       kiosk fleet check-now UNIT|--tag T|--all\n"
    "       kiosk fleet reload UNIT|--tag T|--all\n"
    "       kiosk fleet screenshot UNIT --out FILE.png\n"
    "options: --broker mqtts://HOST[:PORT] --username NAME --password-file FILE\n"
    "         --ca-file PEM --client-cert PEM --client-key PEM\n"
    "         (or --config admin.json with the same fields)\n"
    "         --wait SEC (collect retained messages, default 1)\n"
    "         --timeout SEC (wait for replies, default 10)\n";

struct FleetArgs {
  std::string subcommand = "list";
  std::vector<std::string> positional;
  std::optional<std::string> config, broker, username, password_file, ca_file, client_cert,
      client_key, tag, out;
  std::optional<int64_t> newest;
  bool all = false;
  milliseconds wait{1000}, timeout{10000};
};

int Usage(std::ostream& err, const std::string& why) {
  err << "kiosk fleet: " << why << "\n" << kUsage;
  return 2;
}

int Fail(std::ostream& err, const std::string& why) {
  err << "kiosk fleet: " << why << "\n";
  return 1;
}

std::optional<milliseconds> ParseSeconds(const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds <= 0 || seconds > 3600) {
    return std::nullopt;
  }
  return milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Empty on success, else the usage error.
std::string ParseFleetArgs(const std::vector<std::string>& args, FleetArgs& parsed) {
  bool have_subcommand = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::optional<std::string>& slot) {
      if (i + 1 >= args.size()) return false;
      slot = args[++i];
      return true;
    };
    bool ok = true;
    if (a == "--config") {
      ok = value(parsed.config);
    } else if (a == "--broker") {
      ok = value(parsed.broker);
    } else if (a == "--username") {
      ok = value(parsed.username);
    } else if (a == "--password-file") {
      ok = value(parsed.password_file);
    } else if (a == "--ca-file") {
      ok = value(parsed.ca_file);
    } else if (a == "--client-cert") {
      ok = value(parsed.client_cert);
    } else if (a == "--client-key") {
      ok = value(parsed.client_key);
    } else if (a == "--tag") {
      ok = value(parsed.tag);
      if (ok && !IsFleetUnitName(*parsed.tag)) {
        return "--tag expects a tag of letters, digits, '.', '_' or '-' (1 to 64), got \"" +
               *parsed.tag + "\"";
      }
    } else if (a == "--out") {
      ok = value(parsed.out);
    } else if (a == "--all") {
      parsed.all = true;
    } else if (a == "--newest") {
      std::optional<std::string> v;
      ok = value(v);
      if (ok) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || end != v->data() + v->size() || n < 1) {
          return "--newest expects a bundle version (a positive integer), got \"" + *v + "\"";
        }
        parsed.newest = n;
      }
    } else if (a == "--wait" || a == "--timeout") {
      std::optional<std::string> v;
      ok = value(v);
      if (ok) {
        auto ms = ParseSeconds(*v);
        if (!ms) return a + " expects seconds (0 to 3600), got \"" + *v + "\"";
        (a == "--wait" ? parsed.wait : parsed.timeout) = *ms;
      }
    } else if (a.rfind("--", 0) == 0) {
      return "unknown option " + a;
    } else if (!have_subcommand) {
      parsed.subcommand = a;
      have_subcommand = true;
    } else {
      parsed.positional.push_back(a);
    }
    if (!ok) return a + " expects a value";
  }
  return "";
}

// The connection settings: admin.json first, flags over it.
Result<fleet::AdminSessionOptions> SessionOptions(const FleetArgs& args, FileStore& store) {
  fleet::AdminConfig config;
  if (args.config) {
    auto text = store.ReadFile(*args.config);
    if (!text.ok()) return text.status().WithContext("--config " + *args.config);
    auto parsed = fleet::ParseAdminConfig(*text, *args.config);
    if (!parsed.ok()) return parsed.status();
    config = *parsed;
  }
  if (args.broker) config.broker = *args.broker;
  if (args.username) config.username = *args.username;
  if (args.password_file) config.password_file = *args.password_file;
  if (args.ca_file) config.ca_file = *args.ca_file;
  if (args.client_cert) config.client_cert = *args.client_cert;
  if (args.client_key) config.client_key = *args.client_key;
  if (config.broker.empty()) return Status::Invalid("no broker: give --broker or --config");
  if (config.username.empty()) return Status::Invalid("no username: give --username or --config");
  if (config.client_cert.empty() != config.client_key.empty()) {
    return Status::Invalid(
        "a client certificate needs its key: give both --client-cert and --client-key");
  }
  auto broker = ParseBrokerUrl(config.broker);
  if (!broker.ok()) {
    return Status::Invalid("broker URL \"" + config.broker + "\": " + broker.status().message());
  }
  fleet::AdminSessionOptions options;
  options.broker = *broker;
  options.username = config.username;
  options.ca_file = config.ca_file;
  options.client_cert = config.client_cert;
  options.client_key = config.client_key;
  if (!config.password_file.empty()) {
    auto password = fleet::ReadPasswordFile(store, config.password_file);
    if (!password.ok()) return password.status();
    options.password = *password;
  }
  std::random_device random;
  options.client_id = "kiosk-admin-" + config.username.substr(0, 32) + "-" +
                      std::to_string(getpid()) + "-" + std::to_string(random() % 100000);
  return options;
}

std::string FreshCommandId() {
  std::random_device random;
  std::mt19937_64 generator((static_cast<uint64_t>(random()) << 32) ^ random());
  static const char kHex[] = "0123456789abcdef";
  std::string id = "admin-";
  for (int i = 0; i < 16; ++i) id += kHex[generator() % 16];
  return id;
}

// A connected session that has collected the fleet's retained presence and
// status into view.
struct Fleet {
  std::unique_ptr<fleet::MqttAdminSession> session;
  fleet::FleetView view;
};

Result<Fleet> Collect(const FleetArgs& args, FileStore& store, std::ostream& err,
                      const std::vector<std::string>& extra_topics = {}) {
  auto options = SessionOptions(args, store);
  if (!options.ok()) return options.status();
  auto session = fleet::MqttAdminSession::Connect(*options);
  if (!session.ok()) return session.status();
  Fleet fleet{std::move(*session), {}};
  std::vector<std::string> topics = {"kiosk/unit/+/presence", "kiosk/unit/+/status"};
  topics.insert(topics.end(), extra_topics.begin(), extra_topics.end());
  if (Status s = fleet.session->Subscribe(topics); !s.ok()) return s;
  Status pumped = fleet.session->Pump(args.wait, [&](fleet::MqttMessage message) {
    Status applied = fleet.view.Apply(message.topic, message.payload);
    if (!applied.ok()) err << "kiosk fleet: warning: " << applied.message() << "\n";
  });
  if (!pumped.ok()) return pumped;
  return fleet;
}

std::string KnownUnits(const fleet::FleetView& view) {
  std::string names;
  size_t n = 0;
  for (const auto& [name, row] : view.units()) {
    if (n++ == 10) return names + ", ...";
    names += (names.empty() ? "" : ", ") + name;
  }
  return names.empty() ? "none" : names;
}

int List(const FleetArgs& args, FileStore& store, const Clock& clock, std::ostream& out,
         std::ostream& err) {
  if (!args.positional.empty()) return Usage(err, "unexpected argument " + args.positional[0]);
  auto fleet = Collect(args, store, err);
  if (!fleet.ok()) return Fail(err, fleet.status().message());
  auto rows = fleet::FilterByTag(fleet->view, args.tag.value_or(""));
  if (rows.empty()) {
    out << (args.tag ? "no unit has tag " + *args.tag
                     : "no units: none has published on this broker")
        << "\n";
    return 0;
  }
  out << fleet::FormatTable(rows, clock.UnixSeconds());
  size_t online = static_cast<size_t>(std::count_if(
      rows.begin(), rows.end(), [](const auto& r) { return r.online.value_or(false); }));
  out << rows.size() << " unit" << (rows.size() == 1 ? "" : "s") << ", " << online << " online\n";
  return 0;
}

int OutdatedCommand(const FleetArgs& args, FileStore& store, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) return Usage(err, "unexpected argument " + args.positional[0]);
  auto fleet = Collect(args, store, err);
  if (!fleet.ok()) return Fail(err, fleet.status().message());
  std::optional<int64_t> newest = args.newest ? args.newest : fleet::NewestVersion(fleet->view);
  if (!newest) {
    out << "no unit shows a published bundle; give --newest N\n";
    return fleet->view.units().empty() ? 0 : 1;
  }
  out << "newest version: v" << *newest << (args.newest ? " (--newest)" : " (seen in the fleet)")
      << "\n";
  auto outdated = fleet::Outdated(fleet::FilterByTag(fleet->view, args.tag.value_or("")), *newest);
  for (const auto& o : outdated) {
    out << o.row.name << ": " << o.why << ", " << fleet::StateCell(o.row) << "\n";
  }
  if (outdated.empty()) {
    out << "every unit shows v" << *newest << " or newer\n";
    return 0;
  }
  out << outdated.size() << " unit" << (outdated.size() == 1 ? "" : "s") << " not on v" << *newest
      << "\n";
  return 1;
}

// check-now and reload: one command to a unit, a tag or all; every reply
// with its id is collected until each unit asked has answered.
int SendCommand(const std::string& command, const FleetArgs& args, FileStore& store,
                std::ostream& out, std::ostream& err) {
  int targets = (args.positional.size() == 1) + (args.tag ? 1 : 0) + (args.all ? 1 : 0);
  if (args.positional.size() > 1) return Usage(err, "unexpected argument " + args.positional[1]);
  if (targets != 1) return Usage(err, command + " needs exactly one of UNIT, --tag T or --all");
  std::string unit = args.positional.empty() ? "" : args.positional[0];
  if (!unit.empty() && !IsFleetUnitName(unit)) {
    return Usage(err, "unit name \"" + unit +
                          "\": expected letters, digits, '.', '_' or '-' (1 to 64, not starting "
                          "with a symbol)");
  }
  auto fleet = Collect(args, store, err, {"kiosk/unit/+/reply"});
  if (!fleet.ok()) return Fail(err, fleet.status().message());

  // Who must answer: the named unit, else every online unit of the tag or
  // fleet. Offline units are listed but cannot answer.
  std::set<std::string> expected;
  std::vector<fleet::UnitRow> offline;
  std::string topic;
  if (!unit.empty()) {
    if (!fleet->view.Find(unit)) {
      return Fail(err, "unknown unit " + unit +
                           ": it has published no presence or status on this broker (units: " +
                           KnownUnits(fleet->view) + ")");
    }
    expected.insert(unit);
    topic = fleet::UnitCommandTopic(unit);
  } else {
    for (const auto& row : fleet::FilterByTag(fleet->view, args.tag.value_or(""))) {
      if (row.online.value_or(false)) {
        expected.insert(row.name);
      } else {
        offline.push_back(row);
      }
    }
    topic = args.tag ? fleet::TagCommandTopic(*args.tag) : fleet::AllCommandTopic();
  }
  const std::string id = FreshCommandId();
  if (Status s = fleet->session->Publish(topic, fleet::CommandJson(command, id, unit)); !s.ok()) {
    return Fail(err, s.message());
  }
  out << "sent " << command << " (id " << id << ") to " << topic << "; waiting up to "
      << static_cast<double>(args.timeout.count()) / 1000.0 << " s for " << expected.size()
      << " unit" << (expected.size() == 1 ? "" : "s") << "\n";
  std::map<std::string, fleet::Reply> replies;
  Status pumped = fleet->session->Pump(
      args.timeout,
      [&](fleet::MqttMessage message) {
        auto parsed_topic = fleet::ParseUnitTopic(message.topic);
        if (!parsed_topic || parsed_topic->kind != fleet::UnitTopicKind::kReply) return;
        auto reply = fleet::ParseReply(message.payload, message.topic);
        if (!reply.ok()) {
          err << "kiosk fleet: warning: " << reply.status().message() << "\n";
          return;
        }
        if (reply->id != id) return;  // another administrator's command
        // "started" may be followed by a final word; keep the last.
        replies[parsed_topic->unit] = *reply;
      },
      [&] {
        return std::all_of(expected.begin(), expected.end(),
                           [&](const std::string& name) { return replies.count(name) > 0; });
      });
  if (!pumped.ok()) return Fail(err, pumped.message());

  int failed = 0;
  for (const auto& [name, reply] : replies) {
    bool good = reply.result == "started" || reply.result == "done";
    if (!good && expected.count(name)) ++failed;
    out << name << ": " << reply.result << (reply.message.empty() ? "" : ": " + reply.message)
        << "\n";
  }
  for (const auto& name : expected) {
    if (replies.count(name)) continue;
    ++failed;
    const fleet::UnitRow* row = fleet->view.Find(name);
    out << name << ": NO REPLY within " << static_cast<double>(args.timeout.count()) / 1000.0
        << " s (" << (row ? fleet::StateCell(*row) : "unknown") << ")\n";
  }
  for (const auto& row : offline) {
    out << row.name << ": not asked, " << fleet::StateCell(row) << "\n";
  }
  out << replies.size() << " repl" << (replies.size() == 1 ? "y" : "ies") << ", " << failed
      << " unit" << (failed == 1 ? "" : "s") << " did not do it\n";
  return failed == 0 ? 0 : 1;
}

int Screenshot(const FleetArgs& args, FileStore& store, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) return Usage(err, "screenshot needs one UNIT");
  if (!args.out) return Usage(err, "screenshot needs --out FILE.png");
  const std::string& unit = args.positional[0];
  if (!IsFleetUnitName(unit)) return Usage(err, "unit name \"" + unit + "\" is not valid");
  auto fleet = Collect(
      args, store, err,
      {"kiosk/unit/+/reply", fleet::UnitTopicName(unit, fleet::UnitTopicKind::kScreenshot)});
  if (!fleet.ok()) return Fail(err, fleet.status().message());
  if (!fleet->view.Find(unit)) {
    return Fail(err, "unknown unit " + unit +
                         ": it has published no presence or status on this broker (units: " +
                         KnownUnits(fleet->view) + ")");
  }
  const std::string id = FreshCommandId();
  if (Status s = fleet->session->Publish(fleet::UnitCommandTopic(unit),
                                         fleet::CommandJson("screenshot", id, unit));
      !s.ok()) {
    return Fail(err, s.message());
  }
  std::optional<std::string> png;
  std::optional<fleet::Reply> reply;
  const std::string screenshot_topic =
      fleet::UnitTopicName(unit, fleet::UnitTopicKind::kScreenshot);
  const std::string reply_topic = fleet::UnitTopicName(unit, fleet::UnitTopicKind::kReply);
  Status pumped = fleet->session->Pump(
      args.timeout,
      [&](fleet::MqttMessage message) {
        // The retained screenshot from before the command arrives flagged
        // retained when we subscribe; a fresh one is published live.
        if (message.topic == screenshot_topic && !message.retained) png = message.payload;
        if (message.topic == reply_topic) {
          auto parsed = fleet::ParseReply(message.payload, message.topic);
          if (parsed.ok() && parsed->id == id) reply = *parsed;
        }
      },
      [&] { return png || (reply && reply->result != "done" && reply->result != "started"); });
  if (!pumped.ok()) return Fail(err, pumped.message());
  if (!png) {
    if (reply) return Fail(err, unit + " answered " + reply->result + ": " + reply->message);
    return Fail(err, unit + " sent no screenshot within " +
                         std::to_string(args.timeout.count() / 1000) + " s (" +
                         fleet::StateCell(*fleet->view.Find(unit)) + ")");
  }
  static const std::string kPngSignature = "\x89PNG\r\n\x1a\n";
  if (png->compare(0, kPngSignature.size(), kPngSignature) != 0) {
    return Fail(err, unit + " sent a screenshot that is not a PNG (" + std::to_string(png->size()) +
                         " bytes); nothing written");
  }
  if (Status s = store.WriteFileAtomic(*args.out, *png); !s.ok()) {
    return Fail(err, "--out " + *args.out + ": " + s.message());
  }
  out << "wrote " << *args.out << ": " << png->size() << " bytes from " << unit << "\n";
  return 0;
}

}  // namespace

int RunFleetCommand(const std::vector<std::string>& args, FileStore& store, const Clock& clock,
                    std::ostream& out, std::ostream& err) {
  size_t first = (!args.empty() && args[0] == "fleet") ? 1 : 0;
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(first), args.end());
  if (!rest.empty() && (rest[0] == "help" || rest[0] == "--help" || rest[0] == "-h")) {
    out << kUsage;
    return 0;
  }
  FleetArgs parsed;
  if (std::string error = ParseFleetArgs(rest, parsed); !error.empty()) return Usage(err, error);
  const std::string& sub = parsed.subcommand;
  if (sub == "list") return List(parsed, store, clock, out, err);
  if (sub == "outdated") return OutdatedCommand(parsed, store, out, err);
  if (sub == "check-now" || sub == "reload") return SendCommand(sub, parsed, store, out, err);
  if (sub == "screenshot") return Screenshot(parsed, store, out, err);
  return Usage(err, "unknown subcommand \"" + sub + "\"");
}

int RunFleetCommand(const std::vector<std::string>& args) {
  PosixFileStore store;
  SystemClock clock;
  return RunFleetCommand(args, store, clock, std::cout, std::cerr);
}

}  // namespace kiosk
