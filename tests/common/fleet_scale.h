// The fleet at scale: N simulated units (tests/common/simulated_fleet.h, one
// client id and password each) on one real mosquitto, driven through
// `kiosk fleet` as an administrator would. Shared by the benchmark
// (tests/bench/fleet_scale_bench.cc, 500 units, prints figures) and the test
// (tests/app/fleet_scale_test.cc, 50 units, asserts correctness only).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kiosk/app/fleet_command.h"
#include "kiosk/core/clock.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/common/mosquitto_broker.h"
#include "tests/common/simulated_fleet.h"
#include "tests/common/temp_dir.h"

namespace kiosk::testing {

struct FleetScaleReport {
  int units = 0;
  std::string error;  // set when the run could not go on
  // Correctness.
  int listed_online = 0;    // units `kiosk fleet list` showed online
  int connected_first = 0;  // units connected after the first start
  int reached = 0;          // units that received check-now --all
  int replies = 0;          // replies `kiosk fleet check-now --all` counted
  int check_now_exit = -1;  // its exit code
  int reconnected = 0;      // units connected again after the broker restart
  int listed_after_restart = 0;
  // Figures.
  double first_connect_s = 0;       // start to every unit connected
  double check_now_s = 0;           // `kiosk fleet check-now --all`, wall time
  std::vector<double> reconnect_s;  // per unit, from the broker's restart
  int refused_attempts = 0;         // connect attempts while the broker was down
  double broker_down_s = 0;
  double broker_cpu_connect_s = 0, broker_cpu_idle_s = 0, broker_cpu_check_s = 0,
         broker_cpu_reconnect_s = 0, idle_window_s = 0;
  long broker_peak_rss_kib = 0;  // VmHWM of the first broker process
  long broker_peak_rss_after_restart_kib = 0;
  size_t status_payload_bytes = 0, status_topic_bytes = 0;
};

// utime + stime of a process, in seconds.
inline double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::ostringstream read;
  read << in.rdbuf();
  const std::string text = read.str();
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline long PeakRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

inline FleetScaleReport RunFleetScale(int units, std::ostream& log) {
  using SteadyClock = std::chrono::steady_clock;
  auto seconds_since = [](SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
  };
  FleetScaleReport report;
  report.units = units;
  TempDir dir("kiosk-fleet-scale");
  MosquittoOptions broker_options;
  broker_options.users = {{"fleet-admin", "admin-secret"}};
  std::vector<SimulatedUnitSpec> specs;
  for (int i = 0; i < units; ++i) {
    SimulatedUnitSpec spec;
    char name[32];
    std::snprintf(name, sizeof(name), "unit-%03d", i);
    spec.name = name;
    spec.password = "pw-" + spec.name + "-" + std::to_string(i * 7919);
    spec.tags = {i % 2 ? "hotel-x" : "station"};
    spec.status = SampleUnitStatus(spec.name, 40 + i % 3, spec.tags);
    spec.screenshot_png = std::string("\x89PNG\r\n\x1a\n", 8);
    broker_options.users.push_back({spec.name, spec.password});
    specs.push_back(spec);
  }
  MosquittoBroker broker(dir.path() / "broker", broker_options);
  if (!broker.ok()) return report.error = broker.error(), report;
  std::ofstream(dir.path() / "admin.pass") << "admin-secret\n";
  PosixFileStore store;
  SystemClock clock;
  auto fleet_command = [&](std::vector<std::string> args, std::string& out) {
    std::vector<std::string> all = {"fleet"};
    all.insert(all.end(), args.begin(), args.end());
    for (std::string option : {std::string("--broker"), broker.url(), std::string("--username"),
                               std::string("fleet-admin"), std::string("--password-file"),
                               (dir.path() / "admin.pass").string(), std::string("--wait"),
                               std::string("2"), std::string("--timeout"), std::string("30")}) {
      all.push_back(option);
    }
    std::ostringstream o, e;
    int code = RunFleetCommand(all, store, clock, o, e);
    out = o.str() + e.str();
    return code;
  };
  auto count_online = [](const std::string& table) {
    int n = 0;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);)
      if (line.find("  online since ") != std::string::npos) ++n;
    return n;
  };

  SimulatedFleetOptions fleet_options;
  fleet_options.port = broker.port();
  SimulatedFleet fleet(specs, fleet_options);
  double cpu0 = ProcessCpuSeconds(broker.pid());
  auto start = SteadyClock::now();
  fleet.Start();  // every unit at once: the worst case of a power cut's return
  SimulatedFleet::WaitFor([&] { return fleet.CountConnected() == units; },
                          std::chrono::seconds(120));
  report.connected_first = fleet.CountConnected();
  report.first_connect_s = seconds_since(start);
  log << "fleet scale: " << report.connected_first << "/" << units << " units connected in "
      << report.first_connect_s << " s\n";
  // Statuses reach the broker just after CONNACK.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  double cpu1 = ProcessCpuSeconds(broker.pid());
  report.broker_cpu_connect_s = cpu1 - cpu0;

  std::string out;
  fleet_command({"list"}, out);
  report.listed_online = count_online(out);
  log << "fleet scale: kiosk fleet list shows " << report.listed_online << " online\n";
  if (report.listed_online != units) log << out.substr(0, 2000) << "\n";

  // Idle: connected units, nothing happening but keepalives.
  report.idle_window_s = 5;
  double idle0 = ProcessCpuSeconds(broker.pid());
  std::this_thread::sleep_for(std::chrono::seconds(5));
  report.broker_cpu_idle_s = ProcessCpuSeconds(broker.pid()) - idle0;

  double check0 = ProcessCpuSeconds(broker.pid());
  auto check_start = SteadyClock::now();
  report.check_now_exit = fleet_command({"check-now", "--all"}, out);
  report.check_now_s = seconds_since(check_start);
  report.broker_cpu_check_s = ProcessCpuSeconds(broker.pid()) - check0;
  {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (line.find(": started") != std::string::npos) ++report.replies;
  }
  for (const auto& state : fleet.States()) {
    bool got = std::any_of(state.commands.begin(), state.commands.end(), [](const auto& c) {
      return c.topic == "kiosk/cmd/all" && c.payload.find("check-now") != std::string::npos;
    });
    report.reached += got;
  }
  log << "fleet scale: check-now --all reached " << report.reached << ", " << report.replies
      << " replies, exit " << report.check_now_exit << "\n";
  report.broker_peak_rss_kib = PeakRssKib(broker.pid());
  report.status_payload_bytes = fleet.StatusPayloadBytes();
  report.status_topic_bytes = std::string("kiosk/unit/unit-000/status").size();

  // The broker dies (SIGKILL) and comes back 2 s later.
  broker.Stop();
  auto down = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // Reconnect times count from the restart (mosquitto listens within ~10 ms).
  auto back = SteadyClock::now();
  if (!broker.Start()) return report.error = broker.error(), report;
  report.broker_down_s = std::chrono::duration<double>(back - down).count();
  double cpu_r0 = ProcessCpuSeconds(broker.pid());
  SimulatedFleet::WaitFor(
      [&] {
        auto states = fleet.States();
        return std::all_of(states.begin(), states.end(),
                           [](const auto& s) { return s.connections >= 2 && s.connected; });
      },
      std::chrono::seconds(120));
  for (const auto& s : fleet.States()) {
    report.refused_attempts += s.connect_errors;
    if (s.connections >= 2) {
      ++report.reconnected;
      report.reconnect_s.push_back(std::chrono::duration<double>(s.connected_at[1] - back).count());
    }
  }
  std::sort(report.reconnect_s.begin(), report.reconnect_s.end());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  report.broker_cpu_reconnect_s = ProcessCpuSeconds(broker.pid()) - cpu_r0;
  report.broker_peak_rss_after_restart_kib = PeakRssKib(broker.pid());
  fleet_command({"list"}, out);
  report.listed_after_restart = count_online(out);
  log << "fleet scale: after the restart " << report.reconnected << " reconnected, list shows "
      << report.listed_after_restart << " online\n";
  fleet.Stop();
  return report;
}

}  // namespace kiosk::testing
