// The administrator's MQTT session on libmosquitto: connect with a username
// and password (TLS with a pinned CA for mqtts://), subscribe, publish, and
// receive messages in the caller's thread. A thin adapter: what the messages
// mean is kiosk/core/fleet_view.h.
//
// Not thread-safe: one thread drives a session (Pump runs the network loop in
// the caller's thread; no thread of libmosquitto's own).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/fleet_admin_config.h"
#include "kiosk/core/status.h"

struct mosquitto;

namespace kiosk::fleet {

struct MqttMessage {
  std::string topic;
  std::string payload;
  // Set on a retained message delivered because we subscribed (what the
  // broker kept); clear on a message published while we were subscribed.
  bool retained = false;
};

struct AdminSessionOptions {
  BrokerAddress broker;
  std::string username;
  std::string password;
  std::string ca_file;      // mqtts:// only; empty: the system's CAs
  std::string client_cert;  // mqtts:// only; PEM, with client_key, or both empty
  std::string client_key;
  std::string client_id;
  std::chrono::milliseconds connect_timeout{5000};
};

class MqttAdminSession {
 public:
  // Connects and waits for the broker's answer. Errors say which:
  // Network "broker unreachable: HOST:PORT: <why>" (refused, no route, TLS
  // failure), Rejected "not authorised: the broker refused USER (wrong
  // username or password)".
  static Result<std::unique_ptr<MqttAdminSession>> Connect(const AdminSessionOptions& options);
  ~MqttAdminSession();
  MqttAdminSession(const MqttAdminSession&) = delete;
  MqttAdminSession& operator=(const MqttAdminSession&) = delete;

  // Subscribes to topics (QoS 1) and waits until the broker acknowledged
  // them; Rejected if the broker refused one (the account may not read it).
  Status Subscribe(const std::vector<std::string>& topics);
  // Publishes at QoS 1 and waits for the broker's acknowledgement.
  Status Publish(const std::string& topic, const std::string& payload);
  // Runs the network loop for up to duration, handing every message to
  // on_message, and returns early once done() is true (checked after each
  // message and every 50 ms). Network if the connection is lost.
  Status Pump(std::chrono::milliseconds duration,
              const std::function<void(MqttMessage)>& on_message,
              const std::function<bool()>& done = nullptr);

 private:
  MqttAdminSession() = default;
  struct State;
  Status LoopOnce(int timeout_ms);
  mosquitto* mosq_ = nullptr;
  std::unique_ptr<State> state_;
};

}  // namespace kiosk::fleet
