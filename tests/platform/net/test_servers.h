// Real servers for the network tests, each a child process that dies with the
// test: the fault-injecting server (tests/servers/fault_server.py) and a
// private nginx (tests/servers/nginx_server.py, which also makes the test CA
// and a certificate for 127.0.0.1 with the openssl CLI).
//
// Cleanup is guaranteed three ways: the destructors stop the child (doctest's
// REQUIRE throws, so they run when a test fails); the child gets SIGKILL if
// the test process dies (PR_SET_PDEATHSIG); and each server exits by itself
// when its stdin pipe closes or after max_seconds.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/status.h"
#include "tests/common/temp_dir.h"

namespace kiosk::testing {

// A child process whose first stdout line is "key=value key=value ...".
class ServerProcess {
 public:
  // Starts argv (argv[0] looked up in PATH) and waits up to startup_timeout
  // for the first line.
  static Result<std::unique_ptr<ServerProcess>> Start(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds startup_timeout);
  // Stops the child: closes its stdin, SIGTERM, SIGKILL after 3 s.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // A value from the first line, or "" if absent.
  std::string Get(const std::string& key) const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::map<std::string, std::string> info_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
int UnusedPort();

// Writes bytes to a file, creating parent directories.
void WriteFile(const std::filesystem::path& path, const std::string& bytes);
std::string ReadFile(const std::filesystem::path& path);
// Rereads a log file until it contains `needle` or 2 s pass: nginx writes its
// access log after it answers, so a line can land just after the client has
// its response.
bool WaitForLogText(const std::filesystem::path& log, const std::string& needle);

// tests/servers/fault_server.py serving root() over HTTP, and over HTTPS with
// a certificate from ca_file() when started with_tls.
class FaultServer {
 public:
  static Result<std::unique_ptr<FaultServer>> Start(bool with_tls = false);

  const std::filesystem::path& root() const { return root_.path(); }
  std::string Url(const std::string& path) const;       // http://127.0.0.1:<port><path>
  std::string HttpsUrl(const std::string& path) const;  // needs with_tls
  std::string ca_file() const;                          // needs with_tls
  int http_port() const { return http_port_; }

  // Makes an ordinary path misbehave like /_fault/<fault> (see the script).
  Status SetFault(const std::string& path, const std::string& fault);
  Status ClearFaults();
  // "METHOD path" lines, oldest first.
  Result<std::vector<std::string>> RequestLog();
  // "path client-port" lines, oldest first: requests with the same port came
  // over the same connection.
  Result<std::vector<std::string>> PeerLog();

 private:
  FaultServer() = default;
  Result<std::vector<std::string>> Lines(const std::string& control_path);
  TempDir root_;
  TempDir tls_dir_;
  std::unique_ptr<ServerProcess> process_;
  int http_port_ = 0;
  int https_port_ = 0;
};

// nginx serving root() on 127.0.0.1 over HTTP and HTTPS. extra_server_conf is
// pasted into the server block.
class NginxServer {
 public:
  static Result<std::unique_ptr<NginxServer>> Start(const std::string& extra_server_conf = "");

  const std::filesystem::path& root() const { return root_.path(); }
  std::string Url(const std::string& path) const;
  std::string HttpsUrl(const std::string& path) const;
  int https_port() const { return https_port_; }
  std::string ca_file() const { return ca_file_; }              // signed the server cert
  std::string other_ca_file() const { return other_ca_file_; }  // did not
  std::filesystem::path access_log() const { return work_.path() / "access.log"; }

 private:
  NginxServer() = default;
  TempDir root_;
  TempDir work_;
  std::unique_ptr<ServerProcess> process_;
  int http_port_ = 0;
  int https_port_ = 0;
  std::string ca_file_;
  std::string other_ca_file_;
};

// tests/servers/tcp_relay.py: forwards 127.0.0.1:port() to a target port and
// counts the bytes, TLS included (for the benchmark).
class ByteCountingRelay {
 public:
  struct Counts {
    uint64_t connections = 0;  // closed so far
    uint64_t to_server = 0;
    uint64_t to_client = 0;
  };
  static Result<std::unique_ptr<ByteCountingRelay>> Start(int target_port);
  int port() const { return port_; }
  // Totals over the connections closed so far.
  Counts Read() const;

 private:
  ByteCountingRelay() = default;
  TempDir dir_;
  std::unique_ptr<ServerProcess> process_;
  int port_ = 0;
};

}  // namespace kiosk::testing
