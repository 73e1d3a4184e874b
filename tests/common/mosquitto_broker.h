// A real Eclipse Mosquitto broker for tests, on 127.0.0.1 at free ports:
// password file (mosquitto_passwd -U), the repository's ACL
// (fleet/mosquitto/acl) unless a test gives its own, an optional WebSockets
// listener. Killed (SIGKILL) when the object goes; Stop/Start keep the same
// ports, so clients can be seen reconnecting after a broker restart.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kiosk::testing {

struct MosquittoOptions {
  // username, password
  std::vector<std::pair<std::string, std::string>> users;
  // Empty: the repository's fleet/mosquitto/acl (KIOSK_SOURCE_DIR).
  std::filesystem::path acl_file;
  bool websockets = false;
  // Extra lines for mosquitto.conf (e.g. a TLS listener of the test's own).
  std::string extra_config;
};

// A port nobody listens on now (bind to port 0, read it, close).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

inline bool LoopbackPortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

class MosquittoBroker {
 public:
  // dir: a directory of the test's own (config, password file and log go there).
  MosquittoBroker(std::filesystem::path dir, MosquittoOptions options)
      : dir_(std::move(dir)), options_(std::move(options)) {
    port_ = FreeLoopbackPort();
    if (options_.websockets) ws_port_ = FreeLoopbackPort();
    std::filesystem::create_directories(dir_);
    {
      std::ofstream users(dir_ / "passwd");
      for (const auto& [name, password] : options_.users) users << name << ':' << password << '\n';
    }
    std::string hash = "mosquitto_passwd -U '" + (dir_ / "passwd").string() + "' >'" +
                       (dir_ / "passwd.log").string() + "' 2>&1";
    if (!options_.users.empty() && std::system(hash.c_str()) != 0) {
      error_ = "mosquitto_passwd -U failed (is the mosquitto package installed?)";
      return;
    }
    std::filesystem::path acl = options_.acl_file;
    if (acl.empty()) acl = std::filesystem::path(KIOSK_SOURCE_DIR) / "fleet/mosquitto/acl";
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "per_listener_settings false\n"
         << "allow_anonymous false\n"
         << "persistence false\n"
         << "user root\n"  // as root it would switch to `mosquitto`, who cannot read dir_
         << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n"
         << "log_type all\n"
         << "password_file " << (dir_ / "passwd").string() << "\n"
         << "acl_file " << acl.string() << "\n"
         << "max_keepalive 65535\n"
         << "listener " << port_ << " 127.0.0.1\n";
    if (options_.websockets) {
      conf << "listener " << ws_port_ << " 127.0.0.1\nprotocol websockets\n";
    }
    conf << options_.extra_config << "\n";
    conf.close();
    Start();
  }
  ~MosquittoBroker() { Stop(); }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts mosquitto and waits (up to 10 s) until its listeners accept.
  bool Start() {
    if (pid_ > 0) return true;
    std::string conf = (dir_ / "mosquitto.conf").string();
    pid_ = fork();
    if (pid_ == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execlp("mosquitto", "mosquitto", "-c", conf.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "mosquitto exited at start; see " + (dir_ / "mosquitto.log").string();
        return false;
      }
      if (LoopbackPortAccepts(port_) && (!options_.websockets || LoopbackPortAccepts(ws_port_))) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    error_ = "mosquitto did not listen on 127.0.0.1:" + std::to_string(port_) + " within 10 s";
    return false;
  }
  // SIGKILL, as a crash or power cut of the broker would.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  bool ok() const { return error_.empty() && pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  int websockets_port() const { return ws_port_; }
  pid_t pid() const { return pid_; }
  std::filesystem::path log_file() const { return dir_ / "mosquitto.log"; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }

 private:
  std::filesystem::path dir_;
  MosquittoOptions options_;
  int port_ = -1, ws_port_ = -1;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace kiosk::testing
