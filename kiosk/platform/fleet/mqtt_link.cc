#include "kiosk/platform/fleet/mqtt_link.h"

#include <errno.h>
#include <mosquitto.h>
#include <string.h>
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <sstream>

#include "kiosk/core/log.h"

namespace kiosk {
namespace {

constexpr int kQos = 1;
// How long the thread sleeps in libmosquitto at most: the latency of Stop()
// and of a due status message (the loop is woken at once by a publish from
// another thread).
constexpr int kLoopSliceMs = 1000;

void InitLibraryOnce() {
  // Only a unit with a fleet section ever gets here.
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

// What a CONNACK refusal means, in words for the status file.
std::string RefusalReason(int rc) {
  switch (rc) {
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client id rejected";
    case 3:
      return "broker unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorised";
    default:
      return mosquitto_connack_string(rc);
  }
}

std::string ErrorText(int rc, int saved_errno) {
  if (rc == MOSQ_ERR_ERRNO) return strerror(saved_errno);
  return mosquitto_strerror(rc);
}

Result<std::string> ReadPasswordFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status::Io("fleet.password_file " + path + ": " + strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    LogWarning("fleet: " + path + " can be read by others than its owner; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::Io("fleet.password_file " + path + ": cannot be read");
  std::string password = text.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  return password;
}

}  // namespace

MqttLink::MqttLink(MqttLinkOptions options, const Clock& clock, CommandHandler on_command,
                   StateHandler on_state)
    : options_(std::move(options)),
      clock_(clock),
      on_command_(std::move(on_command)),
      on_state_(std::move(on_state)),
      topics_(options_.config.unit),
      policy_(options_.config.unit, options_.config.tags, clock),
      schedule_(Millis(int64_t{options_.config.heartbeat_s} * 1000)) {
  state_.broker = options_.config.broker_url;
  state_.unit = options_.config.unit;
  state_.since = clock_.UnixSeconds();
}

MqttLink::~MqttLink() { Stop(); }

void MqttLink::Start() {
  if (thread_.joinable()) return;
  if (on_state_) on_state_(state());
  thread_ = std::thread([this] { Run(); });
}

void MqttLink::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MqttLink::stopping() const {
  std::lock_guard lock(mu_);
  return stop_;
}

update::FleetLinkStatus MqttLink::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void MqttLink::SetState(const std::function<void(update::FleetLinkStatus&)>& change) {
  update::FleetLinkStatus now;
  {
    std::lock_guard lock(mu_);
    change(state_);
    now = state_;
  }
  if (on_state_) on_state_(now);
}

void MqttLink::Fail(const std::string& why) {
  LogWarning("fleet: " + why);
  const int64_t at = clock_.UnixSeconds();
  SetState([&](update::FleetLinkStatus& s) {
    if (s.connected) s.since = at;
    s.connected = false;
    s.last_error = why;
    s.last_error_time = at;
  });
}

void MqttLink::StatusChanged(const update::UnitStatus& status) {
  std::lock_guard lock(mu_);
  status_ = status;
  schedule_.Changed();
}

void MqttLink::Reply(const std::string& id, fleet::CommandKind kind, const std::string& result,
                     const std::string& message) {
  const int64_t now = clock_.UnixSeconds();
  Publish(topics_.reply, fleet::ReplyJson(id, fleet::CommandName(kind), result, message, now),
          /*retain=*/false);
  std::lock_guard lock(mu_);
  last_command_ = fleet::LastCommand{id, fleet::CommandName(kind), result, now};
  schedule_.Changed();
}

bool MqttLink::PublishScreenshot(const std::string& png) {
  {
    std::lock_guard lock(mu_);
    if (!connected_) return false;
  }
  Publish(topics_.screenshot, png, /*retain=*/true);
  return true;
}

void MqttLink::Publish(const std::string& topic, const std::string& payload, bool retain,
                       int* mid) {
  // Safe from any thread (threaded mode): libmosquitto queues the packet
  // and wakes the link's thread, which sends it.
  if (mosq_ == nullptr) return;
  const int rc = mosquitto_publish(mosq_, mid, topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), kQos, retain);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
    LogWarning("fleet: cannot publish on " + topic + ": " + mosquitto_strerror(rc));
  }
}

bool MqttLink::Configure(mosquitto* mosq) {
  const FleetConfig& c = options_.config;
  mosquitto_threaded_set(mosq, true);
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(
      mosq, [](mosquitto*, void* self, int rc) { static_cast<MqttLink*>(self)->OnConnect(rc); });
  mosquitto_disconnect_callback_set(
      mosq, [](mosquitto*, void* self, int rc) { static_cast<MqttLink*>(self)->OnDisconnect(rc); });
  mosquitto_message_callback_set(mosq, [](mosquitto*, void* self, const mosquitto_message* m) {
    static_cast<MqttLink*>(self)->OnMessage(m);
  });
  mosquitto_publish_callback_set(
      mosq, [](mosquitto*, void* self, int mid) { static_cast<MqttLink*>(self)->OnPublish(mid); });
  const std::string will = fleet::PresenceWillJson();
  if (int rc = mosquitto_will_set(mosq, topics_.presence.c_str(), static_cast<int>(will.size()),
                                  will.data(), kQos, /*retain=*/true);
      rc != MOSQ_ERR_SUCCESS) {
    Fail(std::string("cannot set the last will: ") + mosquitto_strerror(rc));
    return false;
  }
  auto address = ParseBrokerUrl(c.broker_url);
  if (!address.ok()) {
    Fail("fleet.broker: " + address.status().message());
    return false;
  }
  if (address->tls) {
    const char* ca = c.ca_file.empty() ? nullptr : c.ca_file.c_str();
    const char* cert = c.client_cert.empty() ? nullptr : c.client_cert.c_str();
    const char* key = c.client_key.empty() ? nullptr : c.client_key.c_str();
    // No pinned CA: the system's, as updates do without pinned_ca_file.
    if (ca == nullptr) mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    if (int rc = mosquitto_tls_set(mosq, ca, ca == nullptr ? "/etc/ssl/certs" : nullptr, cert, key,
                                   nullptr);
        rc != MOSQ_ERR_SUCCESS) {
      Fail("TLS settings (fleet.ca_file, client_cert, client_key): " + ErrorText(rc, errno));
      return false;
    }
  }
  return true;
}

void MqttLink::Run() {
  InitLibraryOnce();
  const FleetConfig& c = options_.config;
  const std::string client_id = fleet::ClientId(c.unit);
  mosq_ = mosquitto_new(client_id.c_str(), /*clean_session=*/true, this);
  if (mosq_ == nullptr) {
    Fail(std::string("cannot make an MQTT client: ") + strerror(errno));
    return;
  }
  std::random_device seed;
  std::mt19937_64 engine(seed());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  fleet::ReconnectBackoff backoff([&] { return uniform(engine); });
  auto address = ParseBrokerUrl(c.broker_url);
  const bool usable = Configure(mosq_);
  bool first = true;
  while (usable && !stopping()) {
    if (!first) {
      const Millis delay = backoff.NextDelay();
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, delay, [this] { return stop_; })) break;
    }
    first = false;
    std::string password;
    if (!c.password_file.empty()) {
      auto read = ReadPasswordFile(c.password_file);
      if (!read.ok()) {
        Fail(read.status().message());
        continue;
      }
      password = std::move(*read);
    }
    mosquitto_username_pw_set(mosq_, c.username.c_str(),
                              c.password_file.empty() ? nullptr : password.c_str());
    refused_ = false;
    int rc = mosquitto_connect_async(mosq_, address->host.c_str(), address->port, c.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
      Fail("cannot reach broker " + c.broker_url + ": " + ErrorText(rc, errno));
      continue;
    }
    while (!stopping()) {
      Millis slice(kLoopSliceMs);
      {
        std::lock_guard lock(mu_);
        if (connected_)
          slice = std::clamp(schedule_.NextDue() - clock_.Monotonic(), Millis(0), slice);
      }
      rc = mosquitto_loop(mosq_, static_cast<int>(slice.count()), 1);
      if (rc != MOSQ_ERR_SUCCESS) break;
      PublishStatusIfDue();
    }
    const int saved_errno = errno;
    bool was_connected;
    {
      std::lock_guard lock(mu_);
      was_connected = connected_;
      connected_ = false;
    }
    if (was_connected) backoff.Disconnected(clock_.Monotonic());
    if (stopping()) {
      if (was_connected) {
        // Said, not left to the last will: this unit was stopped on purpose.
        Publish(topics_.presence, fleet::PresenceStoppedJson(clock_.UnixSeconds()),
                /*retain=*/true, &stopped_mid_);
        const Millis until = clock_.Monotonic() + Millis(2000);
        while (!stopped_acked_ && clock_.Monotonic() < until &&
               mosquitto_loop(mosq_, 100, 1) == MOSQ_ERR_SUCCESS) {
        }
        mosquitto_disconnect(mosq_);
        mosquitto_loop(mosq_, 100, 1);
        SetState([&](update::FleetLinkStatus& s) {
          s.connected = false;
          s.since = clock_.UnixSeconds();
        });
      }
      break;
    }
    if (!refused_) {
      Fail((was_connected ? "connection to broker lost: "
                          : "cannot reach broker " + c.broker_url + ": ") +
           ErrorText(rc, saved_errno));
    }
    mosquitto_disconnect(mosq_);
  }
  mosquitto_destroy(mosq_);
  mosq_ = nullptr;
}

void MqttLink::OnConnect(int rc) {
  if (rc != 0) {
    refused_ = true;
    Fail("broker refused: " + RefusalReason(rc));
    return;
  }
  const int64_t now = clock_.UnixSeconds();
  for (const auto& topic : policy_.Subscriptions()) {
    mosquitto_subscribe(mosq_, nullptr, topic.c_str(), kQos);
  }
  Publish(topics_.presence, fleet::PresenceOnlineJson(now), /*retain=*/true);
  {
    std::lock_guard lock(mu_);
    connected_ = true;
    schedule_.Connected();
  }
  LogInfo("fleet: connected to " + options_.config.broker_url + " as " + options_.config.unit);
  SetState([&](update::FleetLinkStatus& s) {
    s.connected = true;
    s.since = now;
  });
  PublishStatusIfDue();
}

void MqttLink::OnDisconnect(int rc) {
  if (rc != 0) LogInfo(std::string("fleet: disconnected: ") + mosquitto_strerror(rc));
}

void MqttLink::OnPublish(int mid) {
  if (mid == stopped_mid_) stopped_acked_ = true;
}

void MqttLink::OnMessage(const mosquitto_message* m) {
  const std::string_view topic = m->topic != nullptr ? m->topic : "";
  const std::string_view payload(static_cast<const char*>(m->payload),
                                 static_cast<size_t>(std::max(m->payloadlen, 0)));
  fleet::Decision d = policy_.Decide(topic, payload);
  using Action = fleet::Decision::Action;
  switch (d.action) {
    case Action::kIgnore:
      LogWarning("fleet: " + d.why);
      return;
    case Action::kRefuse:
    case Action::kRateLimited: {
      LogWarning("fleet: " + d.why);
      if (d.reply_id.empty()) return;
      const std::string result = d.action == Action::kRefuse ? "refused" : "rate-limited";
      const int64_t now = clock_.UnixSeconds();
      Publish(topics_.reply, fleet::ReplyJson(d.reply_id, d.command, result, d.why, now),
              /*retain=*/false);
      return;
    }
    case Action::kAct:
      LogInfo("fleet: " + d.why);
      if (on_command_) on_command_(*d.kind, d.reply_id);
      return;
  }
}

void MqttLink::PublishStatusIfDue() {
  std::string message;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.Monotonic();
    if (!connected_ || !status_ || !schedule_.Due(now)) return;
    fleet::StatusMessageInput in;
    in.unit = options_.config.unit;
    in.tags = options_.config.tags;
    in.player_version = options_.player_version;
    in.sent_at = clock_.UnixSeconds();
    in.uptime_s = (now - options_.started).count() / 1000;
    in.heartbeat_s = options_.config.heartbeat_s;
    in.last_command = last_command_;
    message = fleet::StatusMessageJson(in, *status_);
    schedule_.Sent(now);
  }
  Publish(topics_.status, message, /*retain=*/true);
}

}  // namespace kiosk
