#include "kiosk/core/time_zone.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace kiosk {
namespace {

using Seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

Seconds FromUnix(int64_t unix_seconds) { return Seconds(std::chrono::seconds(unix_seconds)); }
int64_t ToUnix(Seconds tp) { return tp.time_since_epoch().count(); }

cctz::civil_second ToCivil(const LocalTime& t) {
  return cctz::civil_second(t.year, t.month, t.day, t.hour, t.minute, t.second);
}

class CctzTimeZone final : public TimeZone {
 public:
  CctzTimeZone(std::string name, cctz::time_zone zone) : name_(std::move(name)), zone_(zone) {}

  const std::string& name() const override { return name_; }

  LocalTime ToLocal(int64_t unix_seconds) const override {
    cctz::civil_second cs = cctz::convert(FromUnix(unix_seconds), zone_);
    return LocalTime{
        static_cast<int>(cs.year()), cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second()};
  }

  std::vector<int64_t> InstantsReading(const LocalTime& local) const override {
    const cctz::time_zone::civil_lookup found = zone_.lookup(ToCivil(local));
    switch (found.kind) {
      case cctz::time_zone::civil_lookup::UNIQUE:
        return {ToUnix(found.pre)};
      case cctz::time_zone::civil_lookup::SKIPPED:
        return {ToUnix(found.trans)};
      case cctz::time_zone::civil_lookup::REPEATED:
        return {ToUnix(found.pre), ToUnix(found.post)};
    }
    return {ToUnix(found.pre)};
  }

  std::optional<int64_t> NextOffsetChange(int64_t unix_seconds) const override {
    cctz::time_zone::civil_transition transition;
    if (!zone_.next_transition(FromUnix(unix_seconds), &transition)) return std::nullopt;
    // The transition's instant is when the clock reads transition.to.
    const cctz::time_zone::civil_lookup found = zone_.lookup(transition.to);
    return ToUnix(found.trans);
  }

 private:
  std::string name_;
  cctz::time_zone zone_;
};

}  // namespace

int WeekdayOf(int year, int month, int day) {
  switch (cctz::get_weekday(cctz::civil_day(year, month, day))) {
    case cctz::weekday::monday:
      return 0;
    case cctz::weekday::tuesday:
      return 1;
    case cctz::weekday::wednesday:
      return 2;
    case cctz::weekday::thursday:
      return 3;
    case cctz::weekday::friday:
      return 4;
    case cctz::weekday::saturday:
      return 5;
    case cctz::weekday::sunday:
      return 6;
  }
  return 0;
}

LocalTime AddDays(const LocalTime& date, int days) {
  cctz::civil_day d = cctz::civil_day(date.year, date.month, date.day) + days;
  LocalTime out = date;
  out.year = static_cast<int>(d.year());
  out.month = d.month();
  out.day = d.day();
  return out;
}

std::string ToString(const LocalTime& t) {
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return text;
}

bool IsTimeZoneNameShape(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string::npos || name.find("//") != std::string::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

Result<std::unique_ptr<TimeZone>> LoadTimeZone(const std::string& name) {
  // The shape check keeps the name inside the zone directory (cctz reads
  // $TZDIR/<name>, /usr/share/zoneinfo by default).
  cctz::time_zone zone;
  if (!IsTimeZoneNameShape(name) || !cctz::load_time_zone(name, &zone)) {
    return Status::NotFound("time zone \"" + name +
                            "\": not in the system's tz database (/usr/share/zoneinfo); expected "
                            "an IANA name such as \"America/Toronto\"");
  }
  return std::unique_ptr<TimeZone>(std::make_unique<CctzTimeZone>(name, zone));
}

std::unique_ptr<TimeZone> SystemTimeZone() {
  // cctz::local_time_zone() reads $TZ, else /etc/localtime, else UTC.
  cctz::time_zone zone = cctz::local_time_zone();
  std::string name = zone.name();
  // Debian's /etc/localtime links into /usr/share/zoneinfo: name the zone
  // as the administrator set it rather than "localtime".
  std::error_code ec;
  const std::string target = std::filesystem::read_symlink("/etc/localtime", ec).string();
  const size_t at = target.find("zoneinfo/");
  if (name == "localtime" && !ec && at != std::string::npos) name = target.substr(at + 9);
  return std::make_unique<CctzTimeZone>(name, zone);
}

std::unique_ptr<TimeZone> UnitTimeZone(const std::string& configured, std::string* problem) {
  if (configured.empty()) return SystemTimeZone();
  auto zone = LoadTimeZone(configured);
  if (zone.ok()) return std::move(*zone);
  auto system = SystemTimeZone();
  if (problem != nullptr) {
    *problem = zone.status().message() + "; using the system's zone (" + system->name() + ")";
  }
  return system;
}

}  // namespace kiosk
