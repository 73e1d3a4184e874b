// Simulated kiosk units for the admin side's tests and the scale benchmark:
// real libmosquitto clients that follow the fleet protocol (docs/fleet.md
// "Topics and messages") as a unit does: username = unit name, client id
// kiosk-unit-<name>, retained last will {"online":false}, retained presence
// and status on connect (and every heartbeat), subscriptions to their own
// command topic, their tags' and all, replies to check-now / reload /
// screenshot with the protocol's rate limits, a retained PNG for screenshot.
// Reconnects as the protocol says: backoff 1 s doubling to 300 s, full
// jitter, reset after a connection that lasted > 60 s.
//
// All units run on ONE thread that polls every socket (so 500 units are 500
// sockets, not 500 threads). Kill() closes a unit's socket without a
// DISCONNECT, as kill -9 or a power cut would, so the broker publishes its
// will. Everything else is read under the fleet's lock through the
// accessors.
#pragma once

#include <mosquitto.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace kiosk::testing {

struct SimulatedUnitSpec {
  std::string name;
  std::string password;
  std::vector<std::string> tags;
  // The status file's object ("status" in the status message); see
  // SampleUnitStatus.
  nlohmann::json status;
  // What `screenshot` publishes.
  std::string screenshot_png;
};

// A status object as the player writes it (docs/bundle-format.md "Status
// file"), showing bundle version (0: built-in content).
inline nlohmann::json SampleUnitStatus(const std::string& name, int64_t version,
                                       const std::vector<std::string>& tags) {
  nlohmann::json shown = {
      {"source", version > 0 ? "network" : "builtin"},
      {"version", version > 0 ? nlohmann::json(version) : nlohmann::json()},
      {"applied_at", "2026-11-29T10:05:12Z"},
      {"expires", "2027-01-31T00:00:00Z"},
      {"published", version > 0 ? nlohmann::json("2026-11-29T10:00:00Z") : nlohmann::json()},
      {"name", "Lobby, winter 2026"},
      {"hotline", "1-800-292-1168"},
      {"email", "HumanTrafficking@ottawapolice.ca"},
      {"languages", {"fr", "en"}}};
  return {{"device_name", name},
          {"venue_tags", tags},
          {"updates_enabled", true},
          {"shown", shown},
          {"trust", "root v3: 1 content key, 1 signature needed"},
          {"last_check", "2026-11-29T10:35:12Z"},
          {"last_check_result", "unchanged"},
          {"last_success", "2026-11-29T10:35:12Z"},
          {"last_error", nullptr},
          {"consecutive_failures", 0},
          {"stale", false},
          {"stale_reasons", nlohmann::json::array()},
          {"clock_synchronized", true},
          {"next_poll", "2026-11-29T10:40:12Z"},
          {"problems", nlohmann::json::array()},
          {"warnings", nlohmann::json::array()},
          {"display",
           {{"state", "showing"},
            {"video_driver", "KMSDRM"},
            {"width", 1920},
            {"height", 1080},
            {"rotation", 0}}}};
}

inline std::string Rfc3339Now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

struct SimulatedFleetOptions {
  int port = 0;
  int keepalive_s = 60;
  int heartbeat_s = 300;
  // The protocol's backoff; tests may shorten it.
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
};

class SimulatedFleet {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Command {
    std::string topic;
    std::string payload;
  };

  // What a test can read about a unit.
  struct UnitState {
    bool connected = false;
    bool killed = false;
    int connections = 0;     // successful CONNACKs so far
    int connect_errors = 0;  // failed connect attempts (broker down, refused)
    std::vector<Command> commands;
    std::vector<SteadyTime> connected_at;  // one per CONNACK
    std::string last_connack_error;
  };

  SimulatedFleet(std::vector<SimulatedUnitSpec> specs, SimulatedFleetOptions options)
      : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
    for (auto& spec : specs) {
      auto unit = std::make_unique<Unit>();
      unit->fleet = this;
      unit->spec = std::move(spec);
      unit->rng.seed(std::hash<std::string>{}(unit->spec.name));
      units_.push_back(std::move(unit));
    }
  }
  ~SimulatedFleet() { Stop(); }
  SimulatedFleet(const SimulatedFleet&) = delete;
  SimulatedFleet& operator=(const SimulatedFleet&) = delete;

  // Connects every unit (first attempts spread over spread) and runs the loop.
  void Start(std::chrono::milliseconds spread = std::chrono::milliseconds(0)) {
    auto now = std::chrono::steady_clock::now();
    for (auto& unit : units_) {
      std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(spread.count(), 0));
      unit->next_attempt = now + std::chrono::milliseconds(jitter(unit->rng));
      unit->backoff = options_.first_backoff;
    }
    running_ = true;
    thread_ = std::thread([this] { Loop(); });
  }

  void Stop() {
    if (!running_.exchange(false)) return;
    thread_.join();
    for (auto& unit : units_) {
      if (unit->mosq) {
        if (unit->state.connected) {
          // A clean stop, as the protocol says.
          std::string stopped =
              R"({"online":false,"since":")" + Rfc3339Now() + R"(","reason":"stopped"})";
          mosquitto_publish(unit->mosq, nullptr, PresenceTopic(*unit).c_str(),
                            static_cast<int>(stopped.size()), stopped.data(), 1, true);
          mosquitto_disconnect(unit->mosq);
          mosquitto_loop(unit->mosq, 50, 1);
        }
        mosquitto_destroy(unit->mosq);
        unit->mosq = nullptr;
      }
    }
  }

  // As kill -9: the socket closes with no DISCONNECT; the unit stays down.
  void Kill(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& unit : units_) {
      if (unit->spec.name != name) continue;
      unit->state.killed = true;
      unit->kill_requested = true;
    }
  }

  UnitState State(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& unit : units_)
      if (unit->spec.name == name) return unit->state;
    return {};
  }
  std::vector<UnitState> States() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<UnitState> out;
    for (const auto& unit : units_) out.push_back(unit->state);
    return out;
  }
  int CountConnected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(std::count_if(units_.begin(), units_.end(),
                                          [](const auto& u) { return u->state.connected; }));
  }
  // Status payload bytes of the first unit (for the bandwidth figure).
  size_t StatusPayloadBytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return units_.empty() ? 0 : StatusJson(*units_.front()).size();
  }
  size_t size() const { return units_.size(); }

  // Polls cond every 20 ms until true or timeout; returns cond().
  static bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cond()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

 private:
  struct Unit {
    SimulatedFleet* fleet = nullptr;
    SimulatedUnitSpec spec;
    mosquitto* mosq = nullptr;
    UnitState state;
    bool kill_requested = false;
    bool connecting = false;
    SteadyTime next_attempt{};
    SteadyTime connected_since{};
    SteadyTime next_heartbeat{};
    std::chrono::milliseconds backoff{1000};
    std::map<std::string, SteadyTime> last_run;  // rate limits
    std::mt19937_64 rng;
  };

  static std::string PresenceTopic(const Unit& u) {
    return "kiosk/unit/" + u.spec.name + "/presence";
  }

  std::string StatusJson(const Unit& u) const {
    nlohmann::json doc = {{"schema", 1},
                          {"unit", u.spec.name},
                          {"tags", u.spec.tags},
                          {"player_version", "0.1.0"},
                          {"sent_at", Rfc3339Now()},
                          {"uptime_s", 1234},
                          {"heartbeat_s", options_.heartbeat_s},
                          {"status", u.spec.status}};
    return doc.dump();
  }

  void Publish(Unit& u, const std::string& kind, const std::string& payload, bool retain) {
    std::string topic = "kiosk/unit/" + u.spec.name + "/" + kind;
    mosquitto_publish(u.mosq, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                      payload.data(), 1, retain);
  }

  void Reply(Unit& u, const std::string& id, const std::string& command, const std::string& result,
             const std::string& message) {
    nlohmann::json reply = {{"id", id},
                            {"command", command},
                            {"result", result},
                            {"message", message},
                            {"at", Rfc3339Now()}};
    Publish(u, "reply", reply.dump(), false);
  }

  void OnConnect(Unit& u, int rc) {
    std::lock_guard<std::mutex> lock(mutex_);
    u.connecting = false;
    if (rc != 0) {
      u.state.last_connack_error = mosquitto_connack_string(rc);
      ++u.state.connect_errors;
      return;
    }
    u.state.connected = true;
    ++u.state.connections;
    u.connected_since = std::chrono::steady_clock::now();
    u.state.connected_at.push_back(u.connected_since);
    std::string presence = R"({"online":true,"since":")" + Rfc3339Now() + R"("})";
    Publish(u, "presence", presence, true);
    Publish(u, "status", StatusJson(u), true);
    u.next_heartbeat = u.connected_since + std::chrono::seconds(options_.heartbeat_s);
    std::vector<std::string> topics = {"kiosk/cmd/unit/" + u.spec.name, "kiosk/cmd/all"};
    for (const auto& tag : u.spec.tags) topics.push_back("kiosk/cmd/tag/" + tag);
    for (const auto& t : topics) mosquitto_subscribe(u.mosq, nullptr, t.c_str(), 1);
  }

  void OnMessage(Unit& u, const mosquitto_message* msg) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string payload(static_cast<const char*>(msg->payload),
                        static_cast<size_t>(msg->payloadlen));
    u.state.commands.push_back({msg->topic, payload});
    auto doc = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    std::string id = doc.is_object() && doc.contains("id") && doc["id"].is_string()
                         ? doc["id"].get<std::string>()
                         : "";
    std::string command = doc.is_object() && doc.contains("command") && doc["command"].is_string()
                              ? doc["command"].get<std::string>()
                              : "";
    if (id.empty()) return;
    if (doc.contains("unit") && doc["unit"] != u.spec.name) return;
    if (command != "check-now" && command != "reload" && command != "screenshot") {
      Reply(u, id, command, "refused", "unknown command \"" + command + "\"");
      return;
    }
    auto now = std::chrono::steady_clock::now();
    auto limit = std::chrono::seconds(command == "screenshot" ? 10 : 30);
    auto last = u.last_run.find(command);
    if (last != u.last_run.end() && now - last->second < limit) {
      Reply(u, id, command, "rate-limited",
            "at most once per " + std::to_string(limit.count()) + " s");
      return;
    }
    u.last_run[command] = now;
    if (command == "check-now") {
      Reply(u, id, command, "started", "checking for a new bundle");
    } else if (command == "reload") {
      Reply(u, id, command, "done", "configuration reloaded");
    } else {
      Publish(u, "screenshot", u.spec.screenshot_png, true);
      Reply(u, id, command, "done",
            "640x360 PNG, " + std::to_string(u.spec.screenshot_png.size()) + " bytes");
    }
  }

  void OnDisconnect(Unit& u) {
    std::lock_guard<std::mutex> lock(mutex_);
    ScheduleReconnect(u);
  }

  // Call with mutex_ held.
  void ScheduleReconnect(Unit& u) {
    auto now = std::chrono::steady_clock::now();
    if (u.state.connected && now - u.connected_since > std::chrono::seconds(60)) {
      u.backoff = options_.first_backoff;
    }
    u.state.connected = false;
    u.connecting = false;
    std::uniform_int_distribution<int64_t> jitter(0, u.backoff.count());
    u.next_attempt = now + std::chrono::milliseconds(jitter(u.rng));
    u.backoff = std::min(u.backoff * 2, options_.max_backoff);
  }

  void Attempt(Unit& u) {
    if (!u.mosq) {
      std::string id = "kiosk-unit-" + u.spec.name;
      u.mosq = mosquitto_new(id.c_str(), true, &u);
      mosquitto_int_option(u.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
      mosquitto_username_pw_set(u.mosq, u.spec.name.c_str(), u.spec.password.c_str());
      const std::string will = R"({"online":false})";
      std::string topic = PresenceTopic(u);
      mosquitto_will_set(u.mosq, topic.c_str(), static_cast<int>(will.size()), will.data(), 1,
                         true);
      mosquitto_connect_callback_set(u.mosq, [](mosquitto*, void* obj, int rc) {
        auto* unit = static_cast<Unit*>(obj);
        unit->fleet->OnConnect(*unit, rc);
      });
      mosquitto_message_callback_set(u.mosq, [](mosquitto*, void* obj, const mosquitto_message* m) {
        auto* unit = static_cast<Unit*>(obj);
        unit->fleet->OnMessage(*unit, m);
      });
      mosquitto_disconnect_callback_set(u.mosq, [](mosquitto*, void* obj, int) {
        auto* unit = static_cast<Unit*>(obj);
        unit->fleet->OnDisconnect(*unit);
      });
      int rc = mosquitto_connect(u.mosq, "127.0.0.1", options_.port, options_.keepalive_s);
      Attempted(u, rc);
    } else {
      Attempted(u, mosquitto_reconnect(u.mosq));
    }
  }

  void Attempted(Unit& u, int rc) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (rc == MOSQ_ERR_SUCCESS) {
      u.connecting = true;
      u.next_attempt = SteadyTime::max();
    } else {
      ++u.state.connect_errors;
      ScheduleReconnect(u);
    }
  }

  void Loop() {
    std::vector<pollfd> fds;
    std::vector<Unit*> polled;
    while (running_) {
      auto now = std::chrono::steady_clock::now();
      fds.clear();
      polled.clear();
      for (auto& unit : units_) {
        Unit& u = *unit;
        bool kill, attempt, heartbeat;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          kill = u.kill_requested;
          u.kill_requested = false;
          attempt = !u.state.killed && !u.state.connected && !u.connecting && now >= u.next_attempt;
          heartbeat = u.state.connected && now >= u.next_heartbeat;
          if (heartbeat) u.next_heartbeat = now + std::chrono::seconds(options_.heartbeat_s);
        }
        if (kill && u.mosq) {
          int sock = mosquitto_socket(u.mosq);
          if (sock >= 0) ::shutdown(sock, SHUT_RDWR);
          mosquitto_destroy(u.mosq);  // closes the socket, sends nothing
          u.mosq = nullptr;
          std::lock_guard<std::mutex> lock(mutex_);
          u.state.connected = false;
          continue;
        }
        if (u.state.killed) continue;
        if (attempt) Attempt(u);
        if (heartbeat) {
          std::lock_guard<std::mutex> lock(mutex_);
          Publish(u, "status", StatusJson(u), true);
        }
        if (!u.mosq) continue;
        int sock = mosquitto_socket(u.mosq);
        if (sock < 0) continue;
        short events = POLLIN;
        if (mosquitto_want_write(u.mosq)) events |= POLLOUT;
        fds.push_back({sock, events, 0});
        polled.push_back(&u);
      }
      ::poll(fds.data(), fds.size(), 20);
      for (size_t i = 0; i < fds.size(); ++i) {
        Unit& u = *polled[i];
        int rc = MOSQ_ERR_SUCCESS;
        if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) rc = mosquitto_loop_read(u.mosq, 1);
        if (rc == MOSQ_ERR_SUCCESS && (fds[i].revents & POLLOUT)) {
          rc = mosquitto_loop_write(u.mosq, 1);
        }
        if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(u.mosq);
        if (rc != MOSQ_ERR_SUCCESS) {
          std::lock_guard<std::mutex> lock(mutex_);
          if (u.state.connected || u.connecting) ScheduleReconnect(u);
        }
      }
    }
  }

  SimulatedFleetOptions options_;
  std::vector<std::unique_ptr<Unit>> units_;
  mutable std::mutex mutex_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace kiosk::testing
