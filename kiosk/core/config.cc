#include "kiosk/core/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "kiosk/core/content.h"
#include "kiosk/core/json_fields.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {
namespace {

using nlohmann::json;

// Where the problems and warnings of one file go, each prefixed with the file.
class Report {
 public:
  Report(std::string file, ConfigLoad& out) : file_(std::move(file)), out_(out) {}
  void Problem(const std::string& path, const std::string& what) {
    out_.problems.push_back(file_ + ": " + path + ": " + what);
  }
  void Warning(const std::string& path, const std::string& what) {
    out_.warnings.push_back(file_ + ": " + path + ": " + what);
  }
  // A problem already worded "FILE: PATH: what" (a JsonErrors message).
  void Worded(std::string message) { out_.problems.push_back(std::move(message)); }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  ConfigLoad& out_;
};

// How a kept value reads in a problem.
template <typename Number>
requires std::is_arithmetic_v<Number> std::string Shown(Number v) { return json(v).dump(); }
std::string Shown(const std::string& v) { return json(v).dump(); }
std::string Shown(const std::vector<std::string>& v) { return json(v).dump(); }

// "the defaults" at start, "the last good values" on reload: says which the
// fallback of a whole section (or file) is.
template <typename T>
std::string KeptSection(const T& fallback, const char* what) {
  return fallback == T{} ? std::string("keeping the default ") + what
                         : std::string("keeping the last good ") + what;
}

// One JSON object of the file (the root or a section), read field by field:
// a field absent leaves its output alone (the caller starts from defaults),
// one present and valid is taken, one present and invalid takes its fallback
// and is reported with the value kept. Finish() reports unknown fields.
class Section {
 public:
  Section(Report& report, const json& object, std::string path)
      : report_(report), object_(object), path_(std::move(path)) {}

  Report& report() { return report_; }
  std::string PathOf(std::string_view key) const { return path_ + "." + std::string(key); }

  // The field's value, or nullptr when absent. Marks key as known.
  const json* Find(std::string_view key) {
    known_.emplace_back(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  // check(value, error) returns the field's value, or nullopt with error set
  // to "expected ..., got ...". Returns true when the file's value was taken.
  template <typename T, typename CheckFn, typename ShowFn>
  bool Read(std::string_view key, T& out, const T& fallback, CheckFn check, ShowFn show) {
    const json* v = Find(key);
    if (v == nullptr) return false;
    std::string error;
    if (std::optional<T> value = check(*v, error)) {
      out = std::move(*value);
      return true;
    }
    out = fallback;
    report_.Problem(PathOf(key), error + "; keeping " + show(fallback));
    return false;
  }
  template <typename T, typename CheckFn>
  bool Read(std::string_view key, T& out, const T& fallback, CheckFn check) {
    return Read(key, out, fallback, check, [](const T& v) { return Shown(v); });
  }

  // A list of strings. A non-string element (and with unique, a repeated
  // one) is reported and dropped, the others kept; a value that is not a list
  // at all keeps fallback.
  void ReadStrings(std::string_view key, std::vector<std::string>& out,
                   const std::vector<std::string>& fallback, bool unique = false) {
    const json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_array()) {
      out = fallback;
      report_.Problem(PathOf(key), "expected a list of strings, got " + JsonTypeName(*v) +
                                       "; keeping " + Shown(fallback));
      return;
    }
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      const std::string path = PathOf(key) + "[" + std::to_string(i) + "]";
      const auto here = v->begin() + static_cast<std::ptrdiff_t>(i);
      const auto earlier = unique ? std::find(v->begin(), here, item) : here;
      if (!item.is_string()) {
        report_.Problem(path, "expected a string, got " + JsonTypeName(item) + "; ignored");
      } else if (earlier != here) {
        report_.Problem(path, "expected each value once, got the value of [" +
                                  std::to_string(earlier - v->begin()) + "] again; ignored");
      } else {
        out.push_back(item.get<std::string>());
      }
    }
  }

  // A nested object: read(section) when it is one; when it is something
  // else, keep_fallback() and one problem saying what was kept.
  template <typename ReadFn, typename KeepFn>
  void ReadSection(std::string_view key, const std::string& kept, ReadFn read,
                   KeepFn keep_fallback) {
    const json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_object()) {
      keep_fallback();
      report_.Problem(PathOf(key), "expected an object, got " + JsonTypeName(*v) + "; " + kept);
      return;
    }
    Section section(report_, *v, PathOf(key));
    read(section);
    section.Finish();
  }

  void Finish() {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (std::find(known_.begin(), known_.end(), it.key()) == known_.end()) {
        report_.Problem(PathOf(it.key()), "unknown field; ignored");
      }
    }
  }

 private:
  Report& report_;
  const json& object_;
  std::string path_;
  std::vector<std::string> known_;
};

// Checks, each (value, error) -> optional value.
template <typename T>
auto IntegerIn(int64_t min, int64_t max) {
  return [min, max](const json& v, std::string& error) -> std::optional<T> {
    std::string expected =
        "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!v.is_number_integer()) {
      error = expected + ", got " + JsonTypeName(v);
      return std::nullopt;
    }
    // Unsigned values above int64's range are out of range too.
    bool huge = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
    if (huge || v.get<int64_t>() < min || v.get<int64_t>() > max) {
      error = expected + ", got " + v.dump();
      return std::nullopt;
    }
    return static_cast<T>(v.get<int64_t>());
  };
}

auto NumberIn(double min, double max) {
  return [min, max](const json& v, std::string& error) -> std::optional<double> {
    if (!v.is_number() || !(v.get<double>() >= min && v.get<double>() <= max)) {
      error = "expected a number from " + json(min).dump() + " to " + json(max).dump() + ", got " +
              (v.is_number() ? v.dump() : JsonTypeName(v));
      return std::nullopt;
    }
    return v.get<double>();
  };
}

std::optional<std::string> AnyString(const json& v, std::string& error) {
  if (!v.is_string()) {
    error = "expected a string, got " + JsonTypeName(v);
    return std::nullopt;
  }
  return v.get<std::string>();
}

// A string for which is_good holds; expected says what it should look like.
template <typename Pred>
auto StringWhere(std::string expected, Pred is_good) {
  return [expected, is_good](const json& v, std::string& error) -> std::optional<std::string> {
    if (!v.is_string()) {
      error = "expected " + expected + ", got " + JsonTypeName(v);
      return std::nullopt;
    }
    auto s = v.get<std::string>();
    if (!is_good(s)) {
      error = "expected " + expected + ", got " + json(s).dump();
      return std::nullopt;
    }
    return s;
  };
}

// display.languages: a list of language tags. An element that is not a tag
// (or repeats one) is reported and dropped, the others kept; a value that is
// not a list, or leaves no language, keeps fallback: a unit always shows
// some language.
void ReadLanguages(Section& s, std::vector<std::string>& out,
                   const std::vector<std::string>& fallback) {
  const json* v = s.Find("languages");
  if (v == nullptr) return;
  const std::string path = s.PathOf("languages");
  if (!v->is_array()) {
    out = fallback;
    s.report().Problem(path,
                       "expected a list of language tags such as [\"fr\", \"en\", \"iu\"], got " +
                           JsonTypeName(*v) + "; keeping " + Shown(fallback));
    return;
  }
  std::vector<std::string> tags;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.is_string() || !IsLanguageTag(item.get<std::string>())) {
      s.report().Problem(item_path,
                         "expected a language tag such as \"fr\", \"iu\" or \"sr-Latn\", got " +
                             (item.is_string() ? item.dump() : JsonTypeName(item)) + "; ignored");
    } else if (std::find(tags.begin(), tags.end(), item.get<std::string>()) != tags.end()) {
      s.report().Problem(item_path,
                         "expected each language once, got " + item.dump() + " again; ignored");
    } else {
      tags.push_back(item.get<std::string>());
    }
  }
  if (tags.empty()) {
    out = fallback;
    s.report().Problem(path, "expected at least one language tag; keeping " + Shown(fallback));
    return;
  }
  out = std::move(tags);
}

// display.power: {"on": [schedule, ...]}. All or nothing: any problem keeps
// fallback's schedule whole, and every problem names what was kept.
void ReadPower(Section& s, ScreenPowerConfig& out, const ScreenPowerConfig& fallback) {
  const json* v = s.Find("power");
  if (v == nullptr) return;
  const std::string path = s.PathOf("power");
  const std::string kept = fallback.on.empty()
                               ? std::string("keeping no screen schedule (the screen stays on)")
                               : "keeping the last good screen schedule (" +
                                     std::to_string(fallback.on.size()) + " window" +
                                     (fallback.on.size() == 1 ? ")" : "s)");
  JsonErrors errors(s.report().file());
  ScreenPowerConfig read;
  ObjectReader r(errors, *v, path);
  if (r.is_object()) {
    if (const json* on = r.Array("on", true)) {
      if (on->empty()) {
        errors.Add(
            r.PathOf("on"),
            "expected at least one window such as {\"weekdays\": [\"mon\"], \"hours\": "
            "[{\"from\": \"07:00\", \"until\": \"22:00\"}]} (leave power out for always on)");
      }
      for (size_t i = 0; i < on->size(); ++i) {
        auto window =
            ReadScheduleObject(errors, (*on)[i], r.PathOf("on") + "[" + std::to_string(i) + "]");
        if (window) read.on.push_back(std::move(*window));
      }
    }
    if (auto device = r.String("cec_device", false)) {
      if (device->rfind("/dev/", 0) != 0) {
        errors.Add(r.PathOf("cec_device"),
                   "expected a CEC device such as \"/dev/cec0\", got " + json(*device).dump());
      } else {
        read.cec_device = *device;
      }
    }
    r.Finish();
  }
  if (errors.empty()) {
    out = std::move(read);
    return;
  }
  out = fallback;
  for (const auto& m : errors.messages()) s.report().Worded(m + "; " + kept);
}

void ReadDisplay(Section& s, DisplayConfig& d, const DisplayConfig& fallback) {
  auto layout_name = [](LanguageLayout l) {
    return std::string(l == LanguageLayout::kAlternate ? "\"alternate\"" : "\"bilingual\"");
  };
  s.Read(
      "layout", d.layout, fallback.layout,
      [](const json& v, std::string& error) -> std::optional<LanguageLayout> {
        if (v == "bilingual" || v == "pair") return LanguageLayout::kBilingual;
        if (v == "alternate") return LanguageLayout::kAlternate;
        error = "expected one of \"bilingual\", \"pair\", \"alternate\", got " +
                (v.is_string() ? v.dump() : JsonTypeName(v));
        return std::nullopt;
      },
      layout_name);
  ReadLanguages(s, d.languages, fallback.languages);
  s.Read("rotation", d.rotation_degrees, fallback.rotation_degrees,
         [](const json& v, std::string& error) -> std::optional<int> {
           if (v.is_number_integer()) {
             for (int degrees : {0, 90, 180, 270}) {
               if (v == degrees) return degrees;
             }
           }
           error =
               "expected 0, 90, 180 or 270, got " + (v.is_number() ? v.dump() : JsonTypeName(v));
           return std::nullopt;
         });
  std::pair<int, int> size{d.width, d.height};
  s.Read(
      "size", size, {fallback.width, fallback.height},
      [](const json& v, std::string& error) -> std::optional<std::pair<int, int>> {
        const std::string expected = "expected \"WIDTHxHEIGHT\" with each side from 64 to 8192";
        if (!v.is_string()) {
          error = expected + ", got " + JsonTypeName(v);
          return std::nullopt;
        }
        int w = 0, h = 0;
        char x = 0;
        std::istringstream in(v.get<std::string>());
        if (!(in >> w >> x >> h) || x != 'x' || !in.eof() || w < 64 || h < 64 || w > 8192 ||
            h > 8192) {
          error = expected + ", got " + v.dump();
          return std::nullopt;
        }
        return std::pair{w, h};
      },
      [](const std::pair<int, int>& wh) {
        return wh.first == 0
                   ? std::string("the display's mode")
                   : "\"" + std::to_string(wh.first) + "x" + std::to_string(wh.second) + "\"";
      });
  d.width = size.first;
  d.height = size.second;
  s.Read("crossfade_ms", d.crossfade_ms, fallback.crossfade_ms, IntegerIn<int>(0, 5000));
  s.Read("margin_percent", d.margin_percent, fallback.margin_percent, NumberIn(0.0, 15.0));
  ReadPower(s, d.power, fallback.power);
}

void ReadUpdates(Section& s, UpdateConfig& u, const UpdateConfig& fallback) {
  auto is_url = [](const std::string& v) {
    return v.empty() || v.rfind("https://", 0) == 0 || v.rfind("http://", 0) == 0;
  };
  auto show_url = [](const std::string& v) {
    return v.empty() ? std::string("no URL (updates off)") : Shown(v);
  };
  if (s.Read("url", u.url, fallback.url, StringWhere("an https:// (or http://) URL", is_url),
             show_url) &&
      u.url.rfind("http://", 0) == 0) {
    s.report().Warning(s.PathOf("url"),
                       "plain http:// — content is still verified by its signature, but anyone "
                       "on the network path can read and delay updates; use https://");
  }
  s.Read("poll_interval_s", u.poll_interval_s, fallback.poll_interval_s,
         IntegerIn<int>(10, 7 * 24 * 3600));
  s.ReadStrings("trusted_keys", u.trusted_keys, fallback.trusted_keys);
  s.Read("pinned_ca_file", u.pinned_ca_file, fallback.pinned_ca_file, AnyString);
  int64_t max_mb = static_cast<int64_t>(u.max_bundle_bytes >> 20);
  s.Read("max_bundle_mb", max_mb, static_cast<int64_t>(fallback.max_bundle_bytes >> 20),
         IntegerIn<int64_t>(1, 1024));
  u.max_bundle_bytes = static_cast<uint64_t>(max_mb) << 20;
}

// The URL is kept without a key: the updater refuses every bundle and says
// "no trusted key", so nothing unsigned is ever shown either way, and the
// status file shows the unit trying.
void CheckUpdateKeys(Report& report, const UpdateConfig& u) {
  if (!u.url.empty() && u.trusted_keys.empty()) {
    report.Problem("$.updates.trusted_keys",
                   "required when updates.url is set: expected at least one minisign public key, "
                   "got none; keeping the URL, and no update is applied until a key is set");
  }
}

void ReadContact(Section& s, PinnedContact& c, const PinnedContact& fallback) {
  s.Read("hotline", c.hotline, fallback.hotline,
         StringWhere("a North American number such as \"1-800-292-1168\"",
                     [](const std::string& v) { return IsPhoneNumber(v); }));
  s.Read("email", c.email, fallback.email,
         StringWhere("an e-mail address", [](const std::string& v) { return IsEmailAddress(v); }));
}

void ReadTrust(Section& s, TrustConfig& t, const TrustConfig& fallback) {
  // The same key twice would let one key count twice towards the threshold.
  s.ReadStrings("root_keys", t.root_keys, fallback.root_keys, /*unique=*/true);
  // Checked against the keys just read: with no root key, 1 (the default)
  // is the only threshold.
  const int64_t most = std::max<int64_t>(1, static_cast<int64_t>(t.root_keys.size()));
  s.Read("root_threshold", t.root_threshold, fallback.root_threshold,
         [most](const json& v, std::string& error) -> std::optional<int> {
           auto n = IntegerIn<int>(1, most)(v, error);
           if (!n) error += " (at most the number of root_keys)";
           return n;
         });
  s.ReadSection(
      "contact",
      KeptSection(fallback.contact, "contact") + " (" + fallback.contact.hotline + ", " +
          fallback.contact.email + ")",
      [&](Section& c) { ReadContact(c, t.contact, fallback.contact); },
      [&] { t.contact = fallback.contact; });
}

// The fleet section. unit, tags and username are resolved against the
// device section afterwards (ResolveFleetNames), which may come later in
// the file.
void ReadFleet(Section& s, FleetConfig& f, const FleetConfig& fallback, bool& tags_given) {
  s.Read("broker", f.broker_url, fallback.broker_url,
         [](const json& v, std::string& error) -> std::optional<std::string> {
           const std::string expected =
               "expected \"mqtts://host:port\" (or \"mqtt://\" to 127.0.0.1 or localhost)";
           if (!v.is_string()) {
             error = expected + ", got " + JsonTypeName(v);
             return std::nullopt;
           }
           auto address = ParseBrokerUrl(v.get<std::string>());
           if (!address.ok()) {
             error = address.status().message() + ", got " + v.dump();
             return std::nullopt;
           }
           return v.get<std::string>();
         });
  if (f.broker_url.empty()) {
    s.report().Problem(s.PathOf("broker"),
                       "required: expected \"mqtts://host:port\", got none; the fleet link is off");
  }
  auto name_check = StringWhere("a name of letters, digits, '.', '_' and '-' (at most 64)",
                                [](const std::string& v) { return IsFleetUnitName(v); });
  s.Read("unit", f.unit, fallback.unit, name_check);
  const json* tags = s.Find("tags");
  tags_given = tags != nullptr;
  if (tags_given) {
    s.ReadStrings("tags", f.tags, fallback.tags, /*unique=*/true);
    std::vector<std::string> good;
    for (size_t i = 0; i < f.tags.size(); ++i) {
      if (IsFleetUnitName(f.tags[i])) {
        good.push_back(f.tags[i]);
      } else {
        s.report().Problem(s.PathOf("tags"),
                           "expected tags of letters, digits, '.', '_' and '-' (at most 64), got " +
                               Shown(f.tags[i]) + "; ignored");
      }
    }
    f.tags = std::move(good);
  }
  s.Read("username", f.username, fallback.username, name_check);
  s.Read("password_file", f.password_file, fallback.password_file, AnyString);
  s.Read("ca_file", f.ca_file, fallback.ca_file, AnyString);
  s.Read("client_cert", f.client_cert, fallback.client_cert, AnyString);
  s.Read("client_key", f.client_key, fallback.client_key, AnyString);
  if (f.client_cert.empty() != f.client_key.empty()) {
    s.report().Problem(s.PathOf(f.client_cert.empty() ? "client_cert" : "client_key"),
                       "required with the other: expected both client_cert and client_key, got "
                       "one; neither is used");
    f.client_cert.clear();
    f.client_key.clear();
  }
  // libmosquitto refuses a keepalive under 5 s.
  s.Read("keepalive_s", f.keepalive_s, fallback.keepalive_s, IntegerIn<int>(5, 3600));
  s.Read("heartbeat_s", f.heartbeat_s, fallback.heartbeat_s, IntegerIn<int>(10, 24 * 3600));
}

// The fleet's names from the device section when the file gave none.
void ResolveFleetNames(Report& report, Config& config, bool tags_given) {
  FleetConfig& f = *config.fleet;
  if (f.unit.empty()) {
    if (IsFleetUnitName(config.device_name)) {
      f.unit = config.device_name;
    } else {
      report.Problem("$.fleet.unit",
                     "required when device.name is not a unit name: expected letters, digits, "
                     "'.', '_' and '-' (at most 64), got device.name " +
                         Shown(config.device_name) + "; the fleet link is off");
    }
  }
  if (!tags_given) {
    f.tags.clear();
    for (const auto& tag : config.venue_tags) {
      if (IsFleetUnitName(tag)) {
        f.tags.push_back(tag);
      } else {
        report.Warning("$.device.venue_tags",
                       "the fleet takes no commands for tag " + Shown(tag) +
                           ": a tag is letters, digits, '.', '_' and '-' (set fleet.tags)");
      }
    }
  }
  if (f.username.empty()) f.username = f.unit;
}

}  // namespace

bool IsFleetUnitName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<BrokerAddress> ParseBrokerUrl(std::string_view url) {
  BrokerAddress address;
  std::string_view rest;
  if (url.rfind("mqtts://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("mqtt://", 0) == 0) {
    address.tls = false;
    address.port = 1883;
    rest = url.substr(7);
  } else {
    return Status::Invalid("expected mqtts://host:port");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest;
  // The port follows the last ':' after any [IPv6] literal.
  const size_t bracket = rest.rfind(']');
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    const std::string_view digits = rest.substr(colon + 1);
    int port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9' || port > 65535) return Status::Invalid("expected a port number");
      port = port * 10 + (c - '0');
    }
    if (digits.empty() || port < 1 || port > 65535) {
      return Status::Invalid("expected a port from 1 to 65535");
    }
    address.port = port;
  }
  if (host.empty() || host.find_first_of("/@?# ") != std::string_view::npos) {
    return Status::Invalid("expected a host name (no user, path or query)");
  }
  if (!address.tls && !IsLoopbackHost(host)) {
    return Status::Invalid(
        "expected mqtts:// (plain mqtt:// only to 127.0.0.1 or localhost: the password would "
        "cross the network in clear)");
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  address.host = std::string(host);
  return address;
}

ConfigLoad ParseConfig(std::string_view text, const std::string& file, const Config& fallback) {
  ConfigLoad load;
  const std::string kept_all = KeptSection(fallback, "configuration");
  auto parsed = ParseJsonText(text, file);
  if (!parsed.ok()) {
    load.config = fallback;
    load.problems.push_back(parsed.status().message() + "; " + kept_all);
    return load;
  }
  Report report(file, load);
  if (!parsed->is_object()) {
    load.config = fallback;
    report.Problem("$", "expected an object, got " + JsonTypeName(*parsed) + "; " + kept_all);
    return load;
  }
  Config& config = load.config;
  Section root(report, *parsed, "$");
  root.ReadSection(
      "display", KeptSection(fallback.display, "display settings"),
      [&](Section& s) { ReadDisplay(s, config.display, fallback.display); },
      [&] { config.display = fallback.display; });
  root.ReadSection(
      "updates", KeptSection(fallback.updates, "update settings"),
      [&](Section& s) { ReadUpdates(s, config.updates, fallback.updates); },
      [&] { config.updates = fallback.updates; });
  CheckUpdateKeys(report, config.updates);
  root.ReadSection(
      "trust", KeptSection(fallback.trust, "trust settings"),
      [&](Section& s) { ReadTrust(s, config.trust, fallback.trust); },
      [&] { config.trust = fallback.trust; });
  const bool device_default = fallback.device_name.empty() && fallback.venue_tags.empty();
  root.ReadSection(
      "device",
      device_default ? "keeping the default device settings"
                     : "keeping the last good device settings",
      [&](Section& s) {
        s.Read("name", config.device_name, fallback.device_name, AnyString);
        s.ReadStrings("venue_tags", config.venue_tags, fallback.venue_tags);
      },
      [&] {
        config.device_name = fallback.device_name;
        config.venue_tags = fallback.venue_tags;
      });
  root.Read("time_zone", config.time_zone, fallback.time_zone,
            StringWhere("an IANA time zone name from the tz database such as \"America/Toronto\"",
                        [](const std::string& v) { return LoadTimeZone(v).ok(); }),
            [](const std::string& v) {
              return v.empty() ? std::string("the system's time zone (/etc/localtime)") : Shown(v);
            });
  bool fleet_tags_given = false;
  root.ReadSection(
      "fleet", KeptSection(fallback.fleet, "fleet settings"),
      [&](Section& s) {
        config.fleet.emplace();
        ReadFleet(s, *config.fleet, fallback.fleet.value_or(FleetConfig{}), fleet_tags_given);
      },
      [&] { config.fleet = fallback.fleet; });
  // A fleet kept whole from fallback was resolved when it was read.
  if (config.fleet && config.fleet != fallback.fleet) {
    ResolveFleetNames(report, config, fleet_tags_given);
  }
  std::string state_dir = config.state_dir.string();
  root.Read("state_dir", state_dir, fallback.state_dir.string(), AnyString);
  config.state_dir = state_dir;
  std::string status_file = config.status_file.string();
  root.Read("status_file", status_file, fallback.status_file.string(), AnyString);
  config.status_file = status_file;
  root.Finish();
  return load;
}

ConfigLoad LoadConfigFile(FileStore& store, const std::filesystem::path& path,
                          const Config& fallback, bool missing_ok) {
  auto text = store.ReadFile(path);
  if (!text.ok()) {
    const bool missing = text.status().code() == Status::Code::kNotFound;
    ConfigLoad load;
    if (missing && missing_ok) return load;  // every default
    load.config = fallback;
    load.problems.push_back(path.string() + (missing ? ": no such file; " : ": cannot be read; ") +
                            KeptSection(fallback, "configuration"));
    return load;
  }
  return ParseConfig(*text, path.string(), fallback);
}

}  // namespace kiosk
