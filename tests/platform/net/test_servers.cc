#include "tests/platform/net/test_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace kiosk::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string ServersDir() { return std::string(KIOSK_SOURCE_DIR) + "/tests/servers"; }

// Debian's python3 (packaging/apt-build.txt) when present: a version
// manager's shim first in PATH can add a second to every server start.
std::string Python() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

bool WaitForExit(pid_t pid, milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// One HTTP/1.0 GET over a plain socket, for the fault server's control
// endpoint: deliberately not the code under test.
Result<std::string> SimpleGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Io(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return Status::Network("control connect failed");
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return Status::Network("control write failed");
  }
  std::string answer;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (answer.rfind("HTTP/1.1 200", 0) != 0 && answer.rfind("HTTP/1.0 200", 0) != 0) {
    return Status::Network("control request " + path + " answered: " + answer.substr(0, 40));
  }
  const size_t body = answer.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : answer.substr(body + 4);
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::vector<std::string>& argv,
                                                            milliseconds startup_timeout) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Status::Io("pipe failed");
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return Status::Io("pipe failed");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Status::Io(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Dies with the test process, however it ends.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  auto process = std::unique_ptr<ServerProcess>(new ServerProcess());
  process->pid_ = pid;
  process->stdin_fd_ = in_pipe[1];

  std::string line;
  const auto deadline = steady_clock::now() + startup_timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    pollfd p{out_pipe[0], POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buffer[512];
    const ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  close(out_pipe[0]);  // later output goes to a closed pipe: the servers print nothing more
  if (line.find('\n') == std::string::npos) {
    return Status::Io(argv[1] + " did not start (first line: \"" + line + "\")");
  }
  std::istringstream words(line.substr(0, line.find('\n')));
  std::string word;
  while (words >> word) {
    const size_t eq = word.find('=');
    if (eq != std::string::npos) process->info_[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return process;
}

ServerProcess::~ServerProcess() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitForExit(pid_, milliseconds(3000))) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_, milliseconds(3000));
  }
}

std::string ServerProcess::Get(const std::string& key) const {
  auto it = info_.find(key);
  return it == info_.end() ? std::string() : it->second;
}

int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WaitForLogText(const fs::path& log, const std::string& needle) {
  const auto deadline = steady_clock::now() + milliseconds(2000);
  while (ReadFile(log).find(needle) == std::string::npos) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

Result<std::unique_ptr<FaultServer>> FaultServer::Start(bool with_tls) {
  auto server = std::unique_ptr<FaultServer>(new FaultServer());
  std::vector<std::string> argv = {Python(),
                                   ServersDir() + "/fault_server.py",
                                   "--root",
                                   server->root_.path().string(),
                                   "--max-seconds",
                                   "120",
                                   "--exit-on-stdin-eof"};
  if (with_tls) {
    argv.push_back("--tls-dir");
    argv.push_back(server->tls_dir_.path().string());
  }
  auto process = ServerProcess::Start(argv, milliseconds(15000));
  if (!process.ok()) return process.status();
  server->process_ = std::move(*process);
  server->http_port_ = std::atoi(server->process_->Get("http").c_str());
  server->https_port_ = std::atoi(server->process_->Get("https").c_str());
  if (server->http_port_ <= 0) return Status::Io("fault server printed no port");
  return server;
}

std::string FaultServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + path;
}
std::string FaultServer::HttpsUrl(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(https_port_) + path;
}
std::string FaultServer::ca_file() const { return (tls_dir_.path() / "ca.pem").string(); }

Status FaultServer::SetFault(const std::string& path, const std::string& fault) {
  auto r = SimpleGet(http_port_, "/_control/set?path=" + UrlEncode(path) + "&fault=" + fault);
  return r.ok() ? Status::Ok() : r.status();
}

Status FaultServer::ClearFaults() {
  auto r = SimpleGet(http_port_, "/_control/clear");
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<std::string>> FaultServer::RequestLog() { return Lines("/_control/requests"); }
Result<std::vector<std::string>> FaultServer::PeerLog() { return Lines("/_control/peers"); }

Result<std::vector<std::string>> FaultServer::Lines(const std::string& control_path) {
  auto r = SimpleGet(http_port_, control_path);
  if (!r.ok()) return r.status();
  std::vector<std::string> lines;
  std::istringstream in(*r);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Result<std::unique_ptr<NginxServer>> NginxServer::Start(const std::string& extra_server_conf) {
  auto server = std::unique_ptr<NginxServer>(new NginxServer());
  std::vector<std::string> argv = {Python(),
                                   ServersDir() + "/nginx_server.py",
                                   "--root",
                                   server->root_.path().string(),
                                   "--workdir",
                                   server->work_.path().string(),
                                   "--max-seconds",
                                   "120",
                                   "--exit-on-stdin-eof"};
  if (!extra_server_conf.empty()) {
    const fs::path extra = server->work_.path() / "extra.conf";
    WriteFile(extra, extra_server_conf);
    argv.push_back("--extra-conf");
    argv.push_back(extra.string());
  }
  auto process = ServerProcess::Start(argv, milliseconds(20000));
  if (!process.ok()) return process.status();
  server->process_ = std::move(*process);
  server->http_port_ = std::atoi(server->process_->Get("http").c_str());
  server->https_port_ = std::atoi(server->process_->Get("https").c_str());
  server->ca_file_ = server->process_->Get("ca");
  server->other_ca_file_ = server->process_->Get("other_ca");
  if (server->http_port_ <= 0) return Status::Io("nginx_server.py printed no port");
  return server;
}

std::string NginxServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + path;
}
std::string NginxServer::HttpsUrl(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(https_port_) + path;
}

Result<std::unique_ptr<ByteCountingRelay>> ByteCountingRelay::Start(int target_port) {
  auto relay = std::unique_ptr<ByteCountingRelay>(new ByteCountingRelay());
  auto process = ServerProcess::Start(
      {Python(), ServersDir() + "/tcp_relay.py", "--target", std::to_string(target_port),
       "--count-file", (relay->dir_.path() / "counts").string(), "--max-seconds", "120",
       "--exit-on-stdin-eof"},
      milliseconds(15000));
  if (!process.ok()) return process.status();
  relay->process_ = std::move(*process);
  relay->port_ = std::atoi(relay->process_->Get("port").c_str());
  if (relay->port_ <= 0) return Status::Io("tcp_relay.py printed no port");
  return relay;
}

ByteCountingRelay::Counts ByteCountingRelay::Read() const {
  Counts counts;
  std::istringstream in(ReadFile(dir_.path() / "counts"));
  in >> counts.connections >> counts.to_server >> counts.to_client;
  return counts;
}

}  // namespace kiosk::testing
