#include "kiosk/core/fleet_view.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kiosk/core/config.h"
#include "kiosk/core/fleet/fleet_protocol.h"
#include "kiosk/core/json_fields.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::fleet {
namespace {

using nlohmann::json;

// Reads the fields of a unit's message. Units may add fields in later
// versions, so unknown fields are not errors here (unlike files people
// write); a field of the wrong type is. null reads as absent: the status file
// writes null for "not yet".
class MessageReader {
 public:
  MessageReader(std::vector<std::string>& errors, std::string topic)
      : errors_(errors), topic_(std::move(topic)) {}

  const json* Field(const json& object, const std::string& path, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    (void)path;
    return &*it;
  }
  std::string String(const json& object, const std::string& path, const char* key) {
    const json* v = Field(object, path, key);
    if (!v) return "";
    if (!v->is_string()) return Wrong(path, key, "a string", *v), "";
    return v->get<std::string>();
  }
  std::optional<int64_t> Integer(const json& object, const std::string& path, const char* key) {
    const json* v = Field(object, path, key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) return Wrong(path, key, "an integer", *v), std::nullopt;
    return v->get<int64_t>();
  }
  std::optional<bool> Bool(const json& object, const std::string& path, const char* key) {
    const json* v = Field(object, path, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) return Wrong(path, key, "true or false", *v), std::nullopt;
    return v->get<bool>();
  }
  std::optional<int64_t> Time(const json& object, const std::string& path, const char* key) {
    std::string text = String(object, path, key);
    if (text.empty()) return std::nullopt;
    auto t = update::ParseRfc3339Utc(text);
    if (!t) {
      errors_.push_back(topic_ + ": " + path + "." + key +
                        ": expected an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ), got \"" + text +
                        "\"");
    }
    return t;
  }
  std::vector<std::string> Strings(const json& object, const std::string& path, const char* key) {
    const json* v = Field(object, path, key);
    std::vector<std::string> out;
    if (!v) return out;
    if (!v->is_array()) return Wrong(path, key, "an array of strings", *v), out;
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Wrong(path, std::string(key) + "[" + std::to_string(i) + "]", "a string", (*v)[i]);
        continue;
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  const json& Object(const json& object, const std::string& path, const char* key) {
    static const json kNull;
    const json* v = Field(object, path, key);
    if (!v) return kNull;
    if (!v->is_object()) return Wrong(path, key, "an object", *v), kNull;
    return *v;
  }

 private:
  void Wrong(const std::string& path, const std::string& key, const char* expected,
             const json& got) {
    errors_.push_back(topic_ + ": " + path + "." + key + ": expected " + expected + ", got " +
                      JsonTypeName(got));
  }
  std::vector<std::string>& errors_;
  std::string topic_;
};

Status Problems(const std::vector<std::string>& errors) {
  std::string all;
  for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
  return Status::Invalid(all);
}

Status ApplyPresence(UnitRow& row, std::string_view payload, const std::string& topic) {
  auto parsed = ParseJsonText(payload, topic);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string> errors;
  MessageReader read(errors, topic);
  const json& doc = *parsed;
  if (!doc.is_object()) return Status::Invalid(topic + ": $: expected an object");
  auto online = read.Bool(doc, "$", "online");
  if (!online && errors.empty()) errors.push_back(topic + ": $.online: missing (true or false)");
  auto since = read.Time(doc, "$", "since");
  std::string reason = read.String(doc, "$", "reason");
  if (!errors.empty()) return Problems(errors);
  row.online = online;
  row.online_since = since;
  row.offline_reason = reason;
  return Status::Ok();
}

Status ApplyStatus(UnitRow& row, std::string_view payload, const std::string& topic) {
  auto parsed = ParseJsonText(payload, topic);
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  if (!doc.is_object()) return Status::Invalid(topic + ": $: expected an object");
  std::vector<std::string> errors;
  MessageReader read(errors, topic);
  UnitRow next;
  next.name = row.name;
  next.online = row.online;
  next.online_since = row.online_since;
  next.offline_reason = row.offline_reason;
  next.has_status = true;
  auto schema = read.Integer(doc, "$", "schema");
  if (schema && *schema != 1) {
    errors.push_back(topic + ": $.schema: expected 1, got " + std::to_string(*schema) +
                     " (a newer unit: update kiosk on this machine)");
  }
  std::string unit = read.String(doc, "$", "unit");
  if (!unit.empty() && unit != row.name) {
    errors.push_back(topic + ": $.unit: expected \"" + row.name +
                     "\" (the unit of the topic), got \"" + unit + "\"");
  }
  next.tags = read.Strings(doc, "$", "tags");
  next.player_version = read.String(doc, "$", "player_version");
  next.last_seen = read.Time(doc, "$", "sent_at");
  next.uptime_s = read.Integer(doc, "$", "uptime_s");
  next.heartbeat_s = read.Integer(doc, "$", "heartbeat_s");
  const json& status = read.Object(doc, "$", "status");
  const json& shown = read.Object(status, "$.status", "shown");
  next.shown_source = read.String(shown, "$.status.shown", "source");
  next.shown_version = read.Integer(shown, "$.status.shown", "version");
  next.shown_published = read.String(shown, "$.status.shown", "published");
  next.shown_name = read.String(shown, "$.status.shown", "name");
  next.stale = read.Bool(status, "$.status", "stale").value_or(false);
  next.stale_reasons = read.Strings(status, "$.status", "stale_reasons");
  next.last_check = read.String(status, "$.status", "last_check");
  next.last_check_result = read.String(status, "$.status", "last_check_result");
  const json& last_error = read.Object(status, "$.status", "last_error");
  next.last_error_time = read.String(last_error, "$.status.last_error", "time");
  next.last_error_reason = read.String(last_error, "$.status.last_error", "reason");
  next.problems = read.Strings(status, "$.status", "problems");
  const json& display = read.Object(status, "$.status", "display");
  std::string state = read.String(display, "$.status.display", "state");
  auto width = read.Integer(display, "$.status.display", "width");
  auto height = read.Integer(display, "$.status.display", "height");
  next.display = state;
  if (state == "showing" && width && height) {
    next.display += " " + std::to_string(*width) + "x" + std::to_string(*height);
  }
  if (!errors.empty()) return Problems(errors);
  row = std::move(next);
  return Status::Ok();
}

}  // namespace

Status FleetView::Apply(std::string_view topic, std::string_view payload) {
  auto parsed = ParseUnitTopic(topic);
  if (!parsed) return Status::Ok();
  if (parsed->kind != UnitTopicKind::kPresence && parsed->kind != UnitTopicKind::kStatus) {
    return Status::Ok();
  }
  const std::string topic_name(topic);
  UnitRow& row = units_[parsed->unit];
  row.name = parsed->unit;
  if (payload.empty()) {
    // A cleared retained message: the unit was removed from the fleet.
    if (parsed->kind == UnitTopicKind::kPresence) {
      row.online.reset(), row.online_since.reset(), row.offline_reason.clear();
    } else {
      UnitRow cleared;
      cleared.name = row.name;
      cleared.online = row.online;
      cleared.online_since = row.online_since;
      cleared.offline_reason = row.offline_reason;
      row = std::move(cleared);
    }
    if (!row.online && !row.has_status) units_.erase(parsed->unit);
    return Status::Ok();
  }
  Status result = parsed->kind == UnitTopicKind::kPresence ? ApplyPresence(row, payload, topic_name)
                                                           : ApplyStatus(row, payload, topic_name);
  row.message_error = result.ok() ? "" : result.message();
  return result;
}

const UnitRow* FleetView::Find(std::string_view name) const {
  auto it = units_.find(std::string(name));
  return it == units_.end() ? nullptr : &it->second;
}

std::vector<UnitRow> FilterByTag(const FleetView& view, std::string_view tag) {
  std::vector<UnitRow> out;
  for (const auto& [name, row] : view.units()) {
    if (tag.empty() || std::find(row.tags.begin(), row.tags.end(), tag) != row.tags.end()) {
      out.push_back(row);
    }
  }
  return out;
}

std::optional<int64_t> NewestVersion(const FleetView& view) {
  std::optional<int64_t> newest;
  for (const auto& [name, row] : view.units()) {
    if (row.shown_version && (!newest || *row.shown_version > *newest)) {
      newest = row.shown_version;
    }
  }
  return newest;
}

std::vector<OutdatedRow> Outdated(const std::vector<UnitRow>& rows, int64_t newest) {
  std::vector<OutdatedRow> out;
  for (const auto& row : rows) {
    if (!row.has_status) {
      out.push_back({row, "no status yet"});
    } else if (!row.shown_version) {
      out.push_back({row, row.shown_source.empty() ? "shows nothing"
                          : row.shown_source == "builtin"
                              ? "shows built-in content"
                              : "shows " + row.shown_source + " content with no version"});
    } else if (*row.shown_version < newest) {
      out.push_back({row, "shows v" + std::to_string(*row.shown_version)});
    } else if (*row.shown_version > newest) {
      // Newer than asked for is not outdated.
      continue;
    }
  }
  return out;
}

std::string Ago(int64_t then, int64_t now) {
  int64_t s = now - then;
  if (s < 0) return "in the future";
  if (s < 60) return std::to_string(s) + " s ago";
  if (s < 3600) return std::to_string(s / 60) + " min ago";
  if (s < 86400) return std::to_string(s / 3600) + " h ago";
  int64_t days = s / 86400;
  return std::to_string(days) + (days == 1 ? " day ago" : " days ago");
}

std::string StateCell(const UnitRow& row) {
  if (!row.online) return "unknown";
  if (*row.online) {
    return row.online_since ? "online since " + update::FormatRfc3339Utc(*row.online_since)
                            : "online";
  }
  std::string out = "OFFLINE";
  if (row.online_since) {
    out += " since " + update::FormatRfc3339Utc(*row.online_since);
  } else if (row.last_seen) {
    out += ", last seen " + update::FormatRfc3339Utc(*row.last_seen);
  }
  if (!row.offline_reason.empty()) out += " (" + row.offline_reason + ")";
  return out;
}

std::string FormatTable(const std::vector<UnitRow>& rows, int64_t now) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(
      {"UNIT", "STATE", "SHOWN", "PUBLISHED", "STALE", "LAST CHECK", "LAST ERROR", "DISPLAY"});
  for (const auto& row : rows) {
    std::string state = StateCell(row);
    int64_t since = row.online_since.value_or(row.last_seen.value_or(0));
    if (row.online.has_value() && (row.online_since || row.last_seen))
      state += " (" + Ago(since, now) + ")";
    std::string shown = "-";
    if (row.shown_version) {
      shown = "v" + std::to_string(*row.shown_version);
      if (row.shown_source != "network" && !row.shown_source.empty())
        shown += " (" + row.shown_source + ")";
    } else if (!row.shown_source.empty()) {
      shown = row.shown_source;
    }
    std::string stale = !row.has_status ? "-" : row.stale ? "STALE" : "no";
    if (row.stale && !row.stale_reasons.empty()) {
      stale += ": ";
      for (size_t i = 0; i < row.stale_reasons.size(); ++i)
        stale += (i ? "; " : "") + row.stale_reasons[i];
    }
    std::string check = row.last_check.empty() ? "-" : row.last_check + " " + row.last_check_result;
    std::string error =
        row.last_error_reason.empty() ? "-" : row.last_error_time + " " + row.last_error_reason;
    if (!row.message_error.empty()) error = "unreadable message: " + row.message_error;
    if (!row.problems.empty()) {
      error += " [" + std::to_string(row.problems.size()) + " problem" +
               (row.problems.size() == 1 ? "" : "s") + ": " + row.problems.front() + "]";
    }
    cells.push_back({row.name, state, shown,
                     row.shown_published.empty() ? "-" : row.shown_published, stale, check, error,
                     row.display.empty() ? "-" : row.display});
  }
  std::vector<size_t> widths(cells[0].size(), 0);
  for (const auto& line : cells)
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 2, ' ');
    }
    out += text + "\n";
  }
  return out;
}

bool IsKnownCommand(std::string_view command) { return CommandNamed(command).has_value(); }

std::string CommandJson(std::string_view command, std::string_view id, std::string_view unit) {
  json doc = {{"command", command}, {"id", id}};
  if (!unit.empty()) doc["unit"] = unit;
  return doc.dump();
}

Result<Reply> ParseReply(std::string_view payload, std::string_view topic) {
  const std::string topic_name(topic);
  auto parsed = ParseJsonText(payload, topic_name);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Status::Invalid(topic_name + ": $: expected an object");
  std::vector<std::string> errors;
  MessageReader read(errors, topic_name);
  Reply reply;
  reply.id = read.String(*parsed, "$", "id");
  reply.command = read.String(*parsed, "$", "command");
  reply.result = read.String(*parsed, "$", "result");
  reply.message = read.String(*parsed, "$", "message");
  reply.at = read.String(*parsed, "$", "at");
  if (reply.result.empty() && errors.empty()) {
    errors.push_back(topic_name +
                     ": $.result: missing (started, done, refused, rate-limited or failed)");
  }
  if (!errors.empty()) return Problems(errors);
  return reply;
}

}  // namespace kiosk::fleet
