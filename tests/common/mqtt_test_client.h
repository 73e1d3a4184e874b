// A plain libmosquitto client for tests, standing for an administrator (or a
// rogue client) on a test broker (tests/common/mosquitto_broker.h): connects
// with a username and password, subscribes, records every message, waits
// for one with a bound, publishes.
#pragma once

#include <mosquitto.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::testing {

struct MqttMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
};

class MqttTestClient {
 public:
  MqttTestClient(const std::string& client_id, const std::string& user,
                 const std::string& password) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(client_id.c_str(), true, this);
    mosquitto_username_pw_set(mosq_, user.c_str(), password.c_str());
    mosquitto_connect_callback_set(mosq_, [](mosquitto*, void* self, int rc) {
      auto* me = static_cast<MqttTestClient*>(self);
      std::lock_guard lock(me->mu_);
      me->connack_ = rc;
      me->cv_.notify_all();
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* me = static_cast<MqttTestClient*>(self);
      std::lock_guard lock(me->mu_);
      me->messages_.push_back(
          {m->topic,
           std::string(static_cast<const char*>(m->payload), static_cast<size_t>(m->payloadlen)),
           m->retain});
      me->cv_.notify_all();
    });
  }
  ~MqttTestClient() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, true);
    mosquitto_destroy(mosq_);
  }
  MqttTestClient(const MqttTestClient&) = delete;
  MqttTestClient& operator=(const MqttTestClient&) = delete;

  // Connects to 127.0.0.1:port and waits (up to 10 s) for the CONNACK;
  // returns its code (0 = accepted, -1 = none came).
  int Connect(int port) {
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) return -1;
    mosquitto_loop_start(mosq_);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return connack_ >= 0; });
    return connack_;
  }
  void Subscribe(const std::string& pattern) {
    mosquitto_subscribe(mosq_, nullptr, pattern.c_str(), 1);
  }
  // QoS 1, sent in the background.
  void Publish(const std::string& topic, const std::string& payload, bool retain = false) {
    int mid = 0;
    mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                      1, retain);
  }
  // The first message (in arrival order, from `from` on) on topic for which
  // accept holds, waiting up to timeout; nullopt if none.
  std::optional<MqttMessage> WaitFor(const std::string& topic, std::chrono::milliseconds timeout,
                                     const std::function<bool(const MqttMessage&)>& accept = {},
                                     size_t from = 0) {
    std::unique_lock lock(mu_);
    std::optional<MqttMessage> found;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < messages_.size(); ++i) {
        if (messages_[i].topic == topic && (!accept || accept(messages_[i]))) {
          found = messages_[i];
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<MqttMessage> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }

 private:
  mosquitto* mosq_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int connack_ = -1;
  std::vector<MqttMessage> messages_;
};

}  // namespace kiosk::testing
