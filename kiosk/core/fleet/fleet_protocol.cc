#include "kiosk/core/fleet/fleet_protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kiosk/core/update/rfc3339.h"

namespace kiosk::fleet {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string Dump(const ordered_json& j) {
  // Names and messages may carry bytes from the network: replace invalid
  // UTF-8 rather than throw.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace

const char* CommandName(CommandKind kind) {
  switch (kind) {
    case CommandKind::kCheckNow:
      return "check-now";
    case CommandKind::kScreenshot:
      return "screenshot";
    case CommandKind::kReload:
      return "reload";
  }
  return "";
}

std::optional<CommandKind> CommandNamed(std::string_view name) {
  for (CommandKind kind :
       {CommandKind::kCheckNow, CommandKind::kScreenshot, CommandKind::kReload}) {
    if (name == CommandName(kind)) return kind;
  }
  return std::nullopt;
}

bool IsCommandId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

CommandPolicy::CommandPolicy(std::string unit, std::vector<std::string> tags, const Clock& clock)
    : unit_(std::move(unit)), clock_(clock) {
  subscriptions_.push_back(UnitTopics(unit_).commands);
  for (const auto& tag : tags) {
    std::string topic = TagCommandTopic(tag);
    if (std::find(subscriptions_.begin(), subscriptions_.end(), topic) == subscriptions_.end()) {
      subscriptions_.push_back(std::move(topic));
    }
  }
  subscriptions_.push_back(AllCommandTopic());
}

std::vector<std::string> CommandPolicy::Subscriptions() const { return subscriptions_; }

Decision CommandPolicy::Decide(std::string_view topic, std::string_view payload) {
  Decision d;
  if (std::find(subscriptions_.begin(), subscriptions_.end(), topic) == subscriptions_.end()) {
    d.why =
        "a message on " + std::string(topic) + ", which this unit did not subscribe to; ignored";
    return d;
  }
  d.action = Decision::Action::kRefuse;
  if (payload.size() > kMaxCommandBytes) {
    d.why = "a command of " + std::to_string(payload.size()) + " bytes on " + std::string(topic) +
            ": expected at most " + std::to_string(kMaxCommandBytes) + " bytes; refused";
    return d;
  }
  json command = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (command.is_discarded() || !command.is_object()) {
    d.why = "a command on " + std::string(topic) + " that is not a JSON object; refused";
    return d;
  }
  auto id = command.find("id");
  if (id == command.end() || !id->is_string() || !IsCommandId(id->get<std::string>())) {
    d.why = "a command on " + std::string(topic) +
            " without an id of 1-64 letters, digits, '.', '_' or '-'; refused";
    return d;
  }
  d.reply_id = id->get<std::string>();
  auto name = command.find("command");
  if (name != command.end() && name->is_string()) d.command = name->get<std::string>();
  auto unit = command.find("unit");
  if (unit != command.end() && (!unit->is_string() || unit->get<std::string>() != unit_)) {
    d.why = "command " + d.reply_id + " names unit " + unit->dump() + ", not this unit (\"" +
            unit_ + "\"); refused";
    return d;
  }
  d.kind = CommandNamed(d.command);
  if (!d.kind) {
    d.why = "command " + d.reply_id + ": expected \"command\" to be \"check-now\", " +
            "\"screenshot\" or \"reload\", got " +
            (name == command.end() ? std::string("none") : name->dump()) + "; refused";
    return d;
  }
  std::optional<Millis>* last = &last_check_now_;
  Millis every = kCheckNowEvery;
  if (*d.kind == CommandKind::kReload) {
    last = &last_reload_;
    every = kReloadEvery;
  } else if (*d.kind == CommandKind::kScreenshot) {
    last = &last_screenshot_;
    every = kScreenshotEvery;
  }
  const Millis now = clock_.Monotonic();
  if (*last && now - **last < every) {
    d.action = Decision::Action::kRateLimited;
    d.why = "command " + d.reply_id + " (" + d.command + "): at most one every " +
            std::to_string(every.count() / 1000) + " s; the next in " +
            std::to_string((every - (now - **last)).count() / 1000 + 1) + " s";
    return d;
  }
  *last = now;
  d.action = Decision::Action::kAct;
  d.why = "command " + d.reply_id + " (" + d.command + ") on " + std::string(topic);
  return d;
}

std::string ReplyJson(const std::string& id, const std::string& command, const std::string& result,
                      const std::string& message, int64_t at_unix) {
  ordered_json j;
  j["id"] = id;
  j["command"] = command;
  j["result"] = result;
  j["message"] = message;
  j["at"] = update::FormatRfc3339Utc(at_unix);
  return Dump(j);
}

std::string PresenceOnlineJson(int64_t since_unix) {
  ordered_json j;
  j["online"] = true;
  j["since"] = update::FormatRfc3339Utc(since_unix);
  return Dump(j);
}

std::string PresenceWillJson() { return R"({"online":false})"; }

std::string PresenceStoppedJson(int64_t now_unix) {
  ordered_json j;
  j["online"] = false;
  j["since"] = update::FormatRfc3339Utc(now_unix);
  j["reason"] = "stopped";
  return Dump(j);
}

std::string StatusMessageJson(const StatusMessageInput& in, const update::UnitStatus& status) {
  ordered_json j;
  j["schema"] = 1;
  j["unit"] = in.unit;
  j["tags"] = in.tags;
  j["player_version"] = in.player_version;
  j["sent_at"] = update::FormatRfc3339Utc(in.sent_at);
  j["uptime_s"] = in.uptime_s;
  j["heartbeat_s"] = in.heartbeat_s;
  // Exactly the status file's object, so the admin side reads one format.
  j["status"] = ordered_json::parse(update::UnitStatusToJson(status));
  ordered_json fleet = ordered_json::object();
  if (in.last_command) {
    ordered_json last;
    last["id"] = in.last_command->id;
    last["command"] = in.last_command->command;
    last["result"] = in.last_command->result;
    last["at"] = update::FormatRfc3339Utc(in.last_command->at);
    fleet["last_command"] = std::move(last);
  }
  j["fleet"] = std::move(fleet);
  return Dump(j);
}

Millis StatusSchedule::NextDue() const {
  if (!last_sent_) return pending_ ? Millis(0) : Millis::max();
  const Millis heartbeat = *last_sent_ + heartbeat_;
  if (!pending_) return heartbeat;
  return std::min(heartbeat, *last_sent_ + kMinGap);
}

Millis ReconnectBackoff::NextDelay() {
  double r = random01_();
  r = std::clamp(r, 0.0, 1.0);
  const Millis delay(static_cast<int64_t>(r * static_cast<double>(backoff_.count())));
  backoff_ = std::min(backoff_ * 2, kMost);
  return delay;
}

void ReconnectBackoff::Disconnected(Millis at) {
  if (connected_at_ && at - *connected_at_ > kStable) backoff_ = kFirst;
  connected_at_.reset();
}

}  // namespace kiosk::fleet
