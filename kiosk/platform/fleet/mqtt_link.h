// The fleet link (docs/fleet.md): a thin adapter from the unit's side of the
// fleet protocol (kiosk/core/fleet/fleet_protocol.h) to libmosquitto, on a
// thread of its own. It connects to the configured broker (TLS with the
// pinned CA, username and password file or client certificate), sets its
// retained last will to "offline", announces itself online, subscribes to
// its command topics, publishes the unit's status (retained) on change (at
// most one per 2 s) and at every heartbeat, and hands each command that
// CommandPolicy accepts to the player. Broker down, refused credentials,
// network gone: it retries with backoff and full jitter, and says why in the
// status file (FleetLinkStatus) through the state handler; the player never
// waits for it.
//
// Threading: every public member is safe from any thread and never blocks
// on the network. The handlers are called on the link's thread, without its
// lock held: they may call Reply, but must not block.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kiosk/core/clock.h"
#include "kiosk/core/config.h"
#include "kiosk/core/fleet/fleet_protocol.h"
#include "kiosk/core/update/status_report.h"

struct mosquitto;
struct mosquitto_message;

namespace kiosk {

struct MqttLinkOptions {
  FleetConfig config;
  std::string player_version;
  Millis started{0};  // the player's start (monotonic), for uptime_s
};

class MqttLink {
 public:
  // A command CommandPolicy accepted: kind and id. The handler starts it
  // and answers with Reply.
  using CommandHandler = std::function<void(fleet::CommandKind kind, const std::string& id)>;
  using StateHandler = std::function<void(const update::FleetLinkStatus&)>;

  // clock must outlive this. Nothing happens until Start().
  MqttLink(MqttLinkOptions options, const Clock& clock, CommandHandler on_command,
           StateHandler on_state);
  ~MqttLink();  // Stop()s
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  // Starts the thread: the first connection attempt is at once.
  void Start();
  // On a clean stop the unit says it stopped ({"online":false,"reason":
  // "stopped"}, retained) and disconnects, so the broker sends no last
  // will; within about a second (plus up to 2 s waiting for the broker to
  // take the message). Idempotent.
  void Stop();

  // The unit's status changed (a StatusBoard observer: cheap, no call back).
  void StatusChanged(const update::UnitStatus& status);
  // Answers a command on the unit's reply topic, and notes it as the last
  // command in the next status.
  void Reply(const std::string& id, fleet::CommandKind kind, const std::string& result,
             const std::string& message);
  // Publishes PNG bytes, retained, on the unit's screenshot topic. Returns
  // false when the link is down (the message is not kept for later).
  bool PublishScreenshot(const std::string& png);

  // The link's state now (also given to the state handler on every change).
  update::FleetLinkStatus state() const;

 private:
  void Run();
  // Sets up a new libmosquitto client; false (with the state saying why) when
  // the configuration cannot be used.
  bool Configure(mosquitto* mosq);
  void OnConnect(int rc);
  void OnDisconnect(int rc);
  void OnMessage(const mosquitto_message* message);
  void OnPublish(int mid);
  void PublishStatusIfDue();
  void Publish(const std::string& topic, const std::string& payload, bool retain,
               int* mid = nullptr);
  // Updates the state under the lock, then tells the state handler.
  void SetState(const std::function<void(update::FleetLinkStatus&)>& change);
  void Fail(const std::string& why);
  bool stopping() const;

  const MqttLinkOptions options_;
  const Clock& clock_;
  CommandHandler on_command_;
  StateHandler on_state_;
  const fleet::UnitTopics topics_;
  fleet::CommandPolicy policy_;  // the link's thread only
  mosquitto* mosq_ = nullptr;    // made and destroyed on the link's thread

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;                               // guarded by mu_
  bool connected_ = false;                          // guarded by mu_
  update::FleetLinkStatus state_;                   // guarded by mu_
  std::optional<update::UnitStatus> status_;        // guarded by mu_
  fleet::StatusSchedule schedule_;                  // guarded by mu_
  std::optional<fleet::LastCommand> last_command_;  // guarded by mu_
  bool refused_ = false;  // the link's thread only: this attempt's CONNACK said no
  int stopped_mid_ = -1;  // the link's thread only
  bool stopped_acked_ = false;
  std::thread thread_;
};

}  // namespace kiosk
