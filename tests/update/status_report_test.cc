// The status file's JSON.
#include "kiosk/core/update/status_report.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace kiosk::update {
namespace {

TEST_CASE("status report: every field, times as RFC 3339 UTC, nulls when unknown") {
  UnitStatus s;
  s.device_name = "gare-centrale-1";
  s.venue_tags = {"station", "montreal"};
  s.updates_enabled = true;
  auto fresh = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(fresh["device_name"] == "gare-centrale-1");
  CHECK(fresh["venue_tags"] == nlohmann::json({"station", "montreal"}));
  CHECK(fresh["shown"]["source"] == "builtin");
  CHECK(fresh["shown"]["version"].is_null());
  CHECK(fresh["shown"]["applied_at"].is_null());
  CHECK(fresh["last_check"].is_null());
  CHECK(fresh["last_check_result"].is_null());
  CHECK(fresh["last_success"].is_null());
  CHECK(fresh["last_error"].is_null());
  CHECK(fresh["next_poll"].is_null());
  CHECK(fresh["stale"] == false);

  s.source = ContentSource::kNetwork;
  s.version = 42;
  s.applied_at = 1'795'946'400;
  s.last_check = 1'795'946'401;
  s.last_check_result = "failed";
  s.last_error_time = 1'795'946'401;
  s.last_error_reason = "manifest.json: HTTP 500 \xff";  // invalid UTF-8 must not throw
  s.next_poll = 1'795'946'431;
  s.stale_reasons = {"no successful check for 900 s (3 poll intervals)"};
  auto j = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(j["shown"]["source"] == "network");
  CHECK(j["shown"]["version"] == 42);
  CHECK(j["shown"]["applied_at"] == "2026-11-29T10:00:00Z");
  CHECK(j["last_error"]["time"] == "2026-11-29T10:00:01Z");
  CHECK(j["last_error"]["reason"].get<std::string>().rfind("manifest.json: HTTP 500", 0) == 0);
  CHECK(j["next_poll"] == "2026-11-29T10:00:31Z");
  CHECK(j["stale"] == true);
  CHECK(j["stale_reasons"] == nlohmann::json({"no successful check for 900 s (3 poll intervals)"}));
  CHECK(std::string(ContentSourceName(ContentSource::kCache)) == "cache");
  CHECK(std::string(ContentSourceName(ContentSource::kOverride)) == "override");

  // Expiry is judged on what is shown, by the time the unit can vouch for.
  s.stale_reasons.clear();
  s.expires = 1'795'946'500;
  s.honest_now = 1'795'946'499;
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["stale"] == false);
  s.honest_now = 1'795'946'500;
  auto expired = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(expired["stale"] == true);
  CHECK(expired["stale_reasons"][0] == "content v42 expired at 2026-11-29T10:01:40Z");
  s.honest_now.reset();  // an unsynchronised clock and no time floor: not judged
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["stale"] == false);
}

}  // namespace
}  // namespace kiosk::update
