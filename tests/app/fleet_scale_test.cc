// 50 simulated units on one mosquitto, through `kiosk fleet`: every status
// present, check-now --all reaches every unit, and after the broker is killed
// and restarted every unit reconnects. Correctness only; the 500-unit figures
// are the benchmark's (tests/bench/fleet_scale_bench.cc).
#include "tests/common/fleet_scale.h"

#include <doctest/doctest.h>

#include <sstream>

namespace kiosk {
namespace {

TEST_CASE(
    "fleet scale: 50 units present, all reached by check-now --all, all back after a broker "
    "restart") {
  std::ostringstream log;
  auto r = testing::RunFleetScale(50, log);
  INFO(log.str());
  REQUIRE(r.error.empty());
  CHECK(r.connected_first == 50);
  CHECK(r.listed_online == 50);
  CHECK(r.reached == 50);
  CHECK(r.replies == 50);
  CHECK(r.check_now_exit == 0);
  CHECK(r.reconnected == 50);
  CHECK(r.listed_after_restart == 50);
  // Jitter: the units did not all come back at the same instant.
  REQUIRE(r.reconnect_s.size() == 50);
  CHECK(r.reconnect_s.back() > r.reconnect_s.front());
}

}  // namespace
}  // namespace kiosk
