#include "kiosk/platform/fleet/mqtt_admin.h"

#include <mosquitto.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>

namespace kiosk::fleet {
namespace {

using Clock = std::chrono::steady_clock;

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string Endpoint(const BrokerAddress& b) { return b.host + ":" + std::to_string(b.port); }

// One turn of the network loop on poll(2). mosquitto_loop() uses select(),
// which refuses a socket numbered 1024 or more (MOSQ_ERR_INVAL): a process
// with many files open (a test with hundreds of simulated units) would fail.
int LoopWithPoll(mosquitto* m, int timeout_ms) {
  int sock = mosquitto_socket(m);
  if (sock < 0) return MOSQ_ERR_NO_CONN;
  pollfd fd{sock, static_cast<short>(POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0)), 0};
  int ready = ::poll(&fd, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) return MOSQ_ERR_ERRNO;
  int rc = MOSQ_ERR_SUCCESS;
  if (ready > 0 && (fd.revents & (POLLIN | POLLERR | POLLHUP))) rc = mosquitto_loop_read(m, 1);
  if (rc == MOSQ_ERR_SUCCESS && ready > 0 && (fd.revents & POLLOUT))
    rc = mosquitto_loop_write(m, 1);
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(m);
  return rc;
}

}  // namespace

struct MqttAdminSession::State {
  int connack = -1;  // CONNACK return code once the broker answered
  bool disconnected = false;
  int disconnect_rc = 0;
  std::set<int> acked;  // mids of SUBACKs and PUBACKs
  bool sub_refused = false;
  std::deque<MqttMessage> inbox;
};

Result<std::unique_ptr<MqttAdminSession>> MqttAdminSession::Connect(
    const AdminSessionOptions& options) {
  InitLibraryOnce();
  std::unique_ptr<MqttAdminSession> session(new MqttAdminSession());
  session->state_ = std::make_unique<State>();
  State* state = session->state_.get();
  session->mosq_ = mosquitto_new(options.client_id.c_str(), /*clean_session=*/true, state);
  if (!session->mosq_) return Status::Internal("mosquitto_new failed");
  mosquitto* m = session->mosq_;
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (mosquitto_username_pw_set(m, options.username.c_str(), options.password.c_str()) !=
      MOSQ_ERR_SUCCESS) {
    return Status::Invalid("username or password not accepted by libmosquitto");
  }
  if (options.broker.tls) {
    for (const auto& [flag, file] : {std::pair{"--ca-file", &options.ca_file},
                                     std::pair{"--client-cert", &options.client_cert},
                                     std::pair{"--client-key", &options.client_key}}) {
      if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
        return Status::NotFound(std::string(flag) + " " + *file +
                                ": cannot be read: " + std::strerror(errno));
      }
    }
    const bool with_cert = !options.client_cert.empty() && !options.client_key.empty();
    int rc = mosquitto_tls_set(m, options.ca_file.empty() ? nullptr : options.ca_file.c_str(),
                               options.ca_file.empty() ? "/etc/ssl/certs" : nullptr,
                               with_cert ? options.client_cert.c_str() : nullptr,
                               with_cert ? options.client_key.c_str() : nullptr, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      return Status::Invalid("TLS settings (--ca-file " + options.ca_file + ", --client-cert " +
                             options.client_cert + ", --client-key " + options.client_key +
                             "): " + mosquitto_strerror(rc));
    }
  }
  mosquitto_connect_callback_set(
      m, [](mosquitto*, void* obj, int rc) { static_cast<State*>(obj)->connack = rc; });
  mosquitto_disconnect_callback_set(m, [](mosquitto*, void* obj, int rc) {
    auto* s = static_cast<State*>(obj);
    s->disconnected = true;
    s->disconnect_rc = rc;
  });
  mosquitto_subscribe_callback_set(
      m, [](mosquitto*, void* obj, int mid, int count, const int* granted) {
        auto* s = static_cast<State*>(obj);
        for (int i = 0; i < count; ++i)
          if (granted[i] >= 0x80) s->sub_refused = true;
        s->acked.insert(mid);
      });
  mosquitto_publish_callback_set(
      m, [](mosquitto*, void* obj, int mid) { static_cast<State*>(obj)->acked.insert(mid); });
  mosquitto_message_callback_set(m, [](mosquitto*, void* obj, const mosquitto_message* msg) {
    MqttMessage message;
    message.topic = msg->topic;
    message.payload.assign(static_cast<const char*>(msg->payload),
                           static_cast<size_t>(msg->payloadlen));
    message.retained = msg->retain;
    static_cast<State*>(obj)->inbox.push_back(std::move(message));
  });

  const std::string where = Endpoint(options.broker);
  // The TLS handshake fails in mosquitto_connect or in the loop after it,
  // depending on timing: both say the same, with the hint about the CA.
  auto unreachable = [&](int code) {
    std::string why =
        code == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(code);
    if (options.broker.tls) {
      why += " (TLS: is --ca-file the CA that signed the broker's certificate?)";
    }
    return Status::Network("broker unreachable: " + where + ": " + why);
  };
  int rc = mosquitto_connect(m, options.broker.host.c_str(), options.broker.port, 60);
  if (rc != MOSQ_ERR_SUCCESS) return unreachable(rc);
  auto deadline = Clock::now() + options.connect_timeout;
  while (state->connack < 0 && Clock::now() < deadline) {
    rc = LoopWithPoll(m, 100);
    if (rc != MOSQ_ERR_SUCCESS && state->connack < 0) return unreachable(rc);
  }
  if (state->connack < 0) {
    return Status::Network("broker unreachable: " + where + ": no answer to CONNECT within " +
                           std::to_string(options.connect_timeout.count() / 1000) + " s");
  }
  if (state->connack == 4 || state->connack == 5) {
    return Status::Rejected("not authorised: the broker at " + where + " refused user \"" +
                            options.username + "\" (wrong username or password)");
  }
  if (state->connack != 0) {
    return Status::Rejected("the broker at " + where +
                            " refused the connection: " + mosquitto_connack_string(state->connack));
  }
  return session;
}

MqttAdminSession::~MqttAdminSession() {
  if (!mosq_) return;
  mosquitto_disconnect(mosq_);
  LoopWithPoll(mosq_, 50);
  mosquitto_destroy(mosq_);
}

Status MqttAdminSession::LoopOnce(int timeout_ms) {
  int rc = LoopWithPoll(mosq_, timeout_ms);
  if (rc != MOSQ_ERR_SUCCESS || state_->disconnected) {
    return Status::Network(std::string("lost the connection to the broker: ") +
                           (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
  }
  return Status::Ok();
}

Status MqttAdminSession::Subscribe(const std::vector<std::string>& topics) {
  std::vector<char*> list;
  for (const auto& t : topics) list.push_back(const_cast<char*>(t.c_str()));
  int mid = 0;
  int rc = mosquitto_subscribe_multiple(mosq_, &mid, static_cast<int>(list.size()), list.data(), 1,
                                        0, nullptr);
  if (rc != MOSQ_ERR_SUCCESS)
    return Status::Network(std::string("subscribe: ") + mosquitto_strerror(rc));
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!state_->acked.count(mid)) {
    if (Clock::now() > deadline)
      return Status::Network("subscribe: no answer from the broker in 10 s");
    if (Status s = LoopOnce(100); !s.ok()) return s;
  }
  if (state_->sub_refused) {
    return Status::Rejected(
        "not authorised: the broker refused a subscription (this account may "
        "not read kiosk/unit/#; see the ACL in docs/fleet.md)");
  }
  return Status::Ok();
}

Status MqttAdminSession::Publish(const std::string& topic, const std::string& payload) {
  int mid = 0;
  int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), 1, false);
  if (rc != MOSQ_ERR_SUCCESS)
    return Status::Network("publish " + topic + ": " + mosquitto_strerror(rc));
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!state_->acked.count(mid)) {
    if (Clock::now() > deadline) return Status::Network("publish " + topic + ": no answer in 10 s");
    if (Status s = LoopOnce(100); !s.ok()) return s;
  }
  return Status::Ok();
}

Status MqttAdminSession::Pump(std::chrono::milliseconds duration,
                              const std::function<void(MqttMessage)>& on_message,
                              const std::function<bool()>& done) {
  auto deadline = Clock::now() + duration;
  while (true) {
    while (!state_->inbox.empty()) {
      MqttMessage message = std::move(state_->inbox.front());
      state_->inbox.pop_front();
      on_message(std::move(message));
    }
    if (done && done()) return Status::Ok();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Status::Ok();
    if (Status s = LoopOnce(static_cast<int>(std::min<int64_t>(left.count(), 50))); !s.ok())
      return s;
  }
}

}  // namespace kiosk::fleet
