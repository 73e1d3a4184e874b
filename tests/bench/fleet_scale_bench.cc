// The fleet at scale (issue 10): 500 simulated units on one mosquitto.
// Prints figures, asserts nothing (tests/app/fleet_scale_test.cc checks
// correctness with 50 units). Usage: fleet_scale_bench [UNITS]
#include <cstdio>
#include <iostream>

#include "tests/common/fleet_scale.h"

int main(int argc, char** argv) {
  int units = argc > 1 ? std::atoi(argv[1]) : 500;
  auto r = kiosk::testing::RunFleetScale(units, std::cerr);
  if (!r.error.empty()) {
    std::fprintf(stderr, "fleet_scale_bench: %s\n", r.error.c_str());
    return 1;
  }
  auto pct = [&](double p) {
    if (r.reconnect_s.empty()) return 0.0;
    size_t i = static_cast<size_t>(p * static_cast<double>(r.reconnect_s.size() - 1));
    return r.reconnect_s[i];
  };
  std::printf("fleet scale: %d units (own client id and password each) on one mosquitto\n", units);
  std::printf("  every status present:   %d/%d listed online by kiosk fleet list\n",
              r.listed_online, units);
  std::printf("  first connect:          all %d connected in %.2f s (all started at once)\n",
              r.connected_first, r.first_connect_s);
  std::printf(
      "  check-now --all:        reached %d/%d units, %d replies counted, exit %d, %.2f s\n",
      r.reached, units, r.replies, r.check_now_exit, r.check_now_s);
  std::printf("  broker killed, restarted after %.1f s: %d/%d reconnected; %d refused attempts\n",
              r.broker_down_s, r.reconnected, units, r.refused_attempts);
  std::printf("  reconnect after restart: min %.2f s, p10 %.2f, p50 %.2f, p90 %.2f, max %.2f s\n",
              pct(0), pct(0.1), pct(0.5), pct(0.9), pct(1));
  // The spread, in 0.5 s buckets: no thundering herd.
  std::printf("  reconnects per 0.5 s after the restart:");
  int bucket = 0, count = 0;
  for (double t : r.reconnect_s) {
    while (t >= 0.5 * (bucket + 1)) {
      std::printf(" %d", count);
      count = 0;
      ++bucket;
    }
    ++count;
  }
  std::printf(" %d\n", count);
  std::printf(
      "  broker CPU: %.2f s for the first connect of all units, %.3f s in %.0f s idle "
      "(%.2f%%), %.2f s for check-now --all, %.2f s for the reconnect\n",
      r.broker_cpu_connect_s, r.broker_cpu_idle_s, r.idle_window_s,
      100.0 * r.broker_cpu_idle_s / r.idle_window_s, r.broker_cpu_check_s,
      r.broker_cpu_reconnect_s);
  std::printf("  broker peak RSS (VmHWM): %ld KiB (%.1f KiB per unit); after the restart %ld KiB\n",
              r.broker_peak_rss_kib, static_cast<double>(r.broker_peak_rss_kib) / units,
              r.broker_peak_rss_after_restart_kib);
  // Bytes per unit per hour at the defaults (heartbeat 300 s, keepalive 60 s),
  // counted from the message sizes: a QoS 1 PUBLISH is 1 + length (2 bytes
  // here) + 2 + topic + 2 (packet id) + payload, its PUBACK 4; PINGREQ and
  // PINGRESP 2 each.
  size_t publish = 1 + 2 + 2 + r.status_topic_bytes + 2 + r.status_payload_bytes;
  size_t mqtt_per_hour = 12 * (publish + 4) + 60 * (2 + 2);
  // On the wire: each of those 4 packets a TCP segment with its own ACK
  // (IPv4 20 + TCP 32 with timestamps = 52 bytes each, so 104 per packet),
  // and TLS 1.3 adds 22 bytes per record.
  size_t wire_per_hour = mqtt_per_hour + (12 * 2 + 60 * 2) * (104 + 22);
  std::printf("  status message: %zu bytes of JSON on a %zu-byte topic\n", r.status_payload_bytes,
              r.status_topic_bytes);
  std::printf(
      "  bytes per unit per hour at heartbeat 300 s, keepalive 60 s: %zu of MQTT (%.1f KiB), "
      "about %zu on the wire with TCP/IP and TLS (%.1f KiB)\n",
      mqtt_per_hour, static_cast<double>(mqtt_per_hour) / 1024, wire_per_hour,
      static_cast<double>(wire_per_hour) / 1024);
  return 0;
}
