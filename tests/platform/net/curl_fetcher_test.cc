// CurlFetcher against real servers: nginx for the protocol (validators, 304,
// TLS) and the fault server for everything a network can do wrong. Every
// failure must be a Network error that says what happened, and arrive within
// a bounded time.
#include "kiosk/platform/net/curl_fetcher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/platform/net/test_servers.h"

namespace kiosk {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FaultServer;
using testing::NginxServer;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Small limits so the slow cases finish in about a second.
CurlFetcherOptions FastOptions() {
  CurlFetcherOptions options;
  options.connect_timeout = milliseconds(2000);
  options.total_timeout = milliseconds(5000);
  options.low_speed_bytes_per_s = 1024;
  options.low_speed_window = seconds(1);
  return options;
}

std::unique_ptr<CurlFetcher> MakeFetcher(CurlFetcherOptions options = FastOptions()) {
  auto fetcher = CurlFetcher::Create(std::move(options));
  REQUIRE_MESSAGE(fetcher.ok(), fetcher.status().ToString());
  return std::move(*fetcher);
}

std::unique_ptr<NginxServer> StartNginx() {
  auto server = NginxServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  return std::move(*server);
}

std::unique_ptr<FaultServer> StartFaultServer(bool with_tls = false) {
  auto server = FaultServer::Start(with_tls);
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  return std::move(*server);
}

// Runs a fetch that must fail, checks the failure is a Network error whose
// message contains `expected`, and that it came within `limit`.
void ExpectNetworkError(CurlFetcher& fetcher, const FetchRequest& request,
                        const std::string& expected, milliseconds limit = milliseconds(3000)) {
  const auto start = std::chrono::steady_clock::now();
  auto response = fetcher.Fetch(request);
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  INFO("url: ", request.url);
  REQUIRE_FALSE(response.ok());
  INFO("message: ", response.status().message());
  CHECK(response.status().code() == Status::Code::kNetwork);
  CHECK(Contains(response.status().message(), expected));
  CHECK(took < limit);
}

FetchRequest Get(const std::string& url) {
  FetchRequest request;
  request.url = url;
  return request;
}

TEST_CASE("nginx: a 200 carries the body, the ETag and Last-Modified") {
  auto nginx = StartNginx();
  testing::WriteFile(nginx->root() / "bundle" / "manifest.json", "{\"version\": 1}\n");
  auto fetcher = MakeFetcher();

  auto response = fetcher->Fetch(Get(nginx->Url("/bundle/manifest.json")));
  REQUIRE_MESSAGE(response.ok(), response.status().ToString());
  CHECK(response->http_status == 200);
  CHECK(response->body == "{\"version\": 1}\n");
  CHECK(response->etag.starts_with("\""));
  CHECK(response->etag.ends_with("\""));
  CHECK(response->last_modified.ends_with(" GMT"));
  CHECK(response->wire_bytes > response->body.size() + 100);  // headers both ways

  // The request said who it was.
  CHECK(testing::WaitForLogText(nginx->access_log(), "\"" + KioskUserAgent() + "\""));
  CHECK(KioskUserAgent().starts_with("kiosk/"));
}

TEST_CASE("nginx: conditional requests get a 304 with no body and few wire bytes") {
  auto nginx = StartNginx();
  const auto file = nginx->root() / "manifest.json";
  testing::WriteFile(file, std::string(20000, 'm'));
  auto fetcher = MakeFetcher();
  auto first = fetcher->Fetch(Get(nginx->Url("/manifest.json")));
  REQUIRE(first.ok());
  REQUIRE(first->http_status == 200);

  SUBCASE("If-None-Match") {
    FetchRequest again = Get(nginx->Url("/manifest.json"));
    again.if_none_match = first->etag;
    auto response = fetcher->Fetch(again);
    REQUIRE(response.ok());
    CHECK(response->http_status == 304);
    CHECK(response->body.empty());
    CHECK(response->wire_bytes < 1024);
    CHECK(response->etag == first->etag);
  }
  SUBCASE("If-Modified-Since alone") {
    FetchRequest again = Get(nginx->Url("/manifest.json"));
    again.if_modified_since = first->last_modified;
    auto response = fetcher->Fetch(again);
    REQUIRE(response.ok());
    CHECK(response->http_status == 304);
    CHECK(response->body.empty());
  }
  SUBCASE("a changed file is a 200 with new validators despite the old ones") {
    testing::WriteFile(file, std::string(20001, 'n'));
    FetchRequest again = Get(nginx->Url("/manifest.json"));
    again.if_none_match = first->etag;
    auto response = fetcher->Fetch(again);
    REQUIRE(response.ok());
    CHECK(response->http_status == 200);
    CHECK(response->body.size() == 20001);
    CHECK(response->etag != first->etag);
  }
}

TEST_CASE("nginx: a missing file is a 404 answer, not a transport error") {
  auto nginx = StartNginx();
  auto fetcher = MakeFetcher();
  auto response = fetcher->Fetch(Get(nginx->Url("/nothing/here.json")));
  REQUIRE(response.ok());
  CHECK(response->http_status == 404);
  CHECK(response->etag.empty());
}

TEST_CASE("nginx: the body limit is on the body asked for, not on error pages or redirects") {
  auto started = NginxServer::Start("    location = /_test/moved { return 302 /tiny.json; }\n");
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  NginxServer& nginx = **started;
  testing::WriteFile(nginx.root() / "tiny.json", "[]");
  auto fetcher = MakeFetcher();

  // nginx's 404 page is ~150 bytes: cut to the limit, still a 404.
  FetchRequest missing = Get(nginx.Url("/missing.json"));
  missing.max_body_bytes = 2;
  auto not_found = fetcher->Fetch(missing);
  REQUIRE_MESSAGE(not_found.ok(), not_found.status().ToString());
  CHECK(not_found->http_status == 404);
  CHECK(not_found->body.size() == 2);

  // The redirect's own ~150-byte page does not count against the 2 bytes.
  FetchRequest moved = Get(nginx.Url("/_test/moved"));
  moved.max_body_bytes = 2;
  auto followed = fetcher->Fetch(moved);
  REQUIRE_MESSAGE(followed.ok(), followed.status().ToString());
  CHECK(followed->http_status == 200);
  CHECK(followed->body == "[]");

  // One byte less than the file: refused from its Content-Length.
  FetchRequest small = Get(nginx.Url("/tiny.json"));
  small.max_body_bytes = 1;
  ExpectNetworkError(*fetcher, small, "body larger than the 1-byte limit");
}

TEST_CASE("nginx over HTTPS: the pinned test CA is trusted, anything else is refused") {
  auto nginx = StartNginx();
  testing::WriteFile(nginx->root() / "slides.json", "[]");

  SUBCASE("pinned test CA: 200 and then 304") {
    CurlFetcherOptions options = FastOptions();
    options.pinned_ca_file = nginx->ca_file();
    auto fetcher = MakeFetcher(options);
    auto response = fetcher->Fetch(Get(nginx->HttpsUrl("/slides.json")));
    REQUIRE_MESSAGE(response.ok(), response.status().ToString());
    CHECK(response->http_status == 200);
    CHECK(response->body == "[]");
    FetchRequest again = Get(nginx->HttpsUrl("/slides.json"));
    again.if_none_match = response->etag;
    auto unchanged = fetcher->Fetch(again);
    REQUIRE(unchanged.ok());
    CHECK(unchanged->http_status == 304);
  }
  SUBCASE("system CAs only: the test CA is unknown") {
    auto fetcher = MakeFetcher();
    ExpectNetworkError(*fetcher, Get(nginx->HttpsUrl("/slides.json")),
                       "TLS certificate did not verify");
  }
  SUBCASE("a different CA pinned") {
    CurlFetcherOptions options = FastOptions();
    options.pinned_ca_file = nginx->other_ca_file();
    auto fetcher = MakeFetcher(options);
    ExpectNetworkError(*fetcher, Get(nginx->HttpsUrl("/slides.json")),
                       "TLS certificate did not verify");
  }
  SUBCASE("a redirect from https to http is refused") {
    CurlFetcherOptions options = FastOptions();
    options.pinned_ca_file = nginx->ca_file();
    auto fetcher = MakeFetcher(options);
    ExpectNetworkError(*fetcher, Get(nginx->HttpsUrl("/_test/to-http?to=slides.json")), "refused");
  }
}

TEST_CASE("a pinned CA file that cannot be read fails at creation") {
  CurlFetcherOptions options;
  options.pinned_ca_file = "/nonexistent/ca.pem";
  auto fetcher = CurlFetcher::Create(options);
  REQUIRE_FALSE(fetcher.ok());
  CHECK(fetcher.status().code() == Status::Code::kIo);
  CHECK(Contains(fetcher.status().message(), "/nonexistent/ca.pem"));
}

TEST_CASE("the production options follow the unit's config") {
  UpdateConfig config;
  config.pinned_ca_file = "/etc/kiosk/ca.pem";
  const CurlFetcherOptions options = CurlFetcherOptionsFor(config);
  CHECK(options.pinned_ca_file == "/etc/kiosk/ca.pem");
  CHECK(options.low_speed_bytes_per_s == 1024);
  CHECK(options.low_speed_window == seconds(15));
}

TEST_CASE("fault server: HTTP error statuses are answers") {
  auto server = StartFaultServer();
  auto fetcher = MakeFetcher();
  for (int status : {404, 500}) {
    auto response = fetcher->Fetch(Get(server->Url("/_fault/" + std::to_string(status))));
    REQUIRE(response.ok());
    CHECK(response->http_status == status);
    CHECK(response->body == "fault " + std::to_string(status) + "\n");
  }
  // A fault set on an ordinary path through the control endpoint.
  testing::WriteFile(server->root() / "b" / "manifest.json", "{}");
  REQUIRE(server->SetFault("/b/manifest.json", "500").ok());
  auto faulted = fetcher->Fetch(Get(server->Url("/b/manifest.json")));
  REQUIRE(faulted.ok());
  CHECK(faulted->http_status == 500);
  REQUIRE(server->ClearFaults().ok());
  auto normal = fetcher->Fetch(Get(server->Url("/b/manifest.json")));
  REQUIRE(normal.ok());
  CHECK(normal->http_status == 200);
  CHECK(normal->body == "{}");
}

TEST_CASE("connection refused is named with the address") {
  auto fetcher = MakeFetcher();
  const int port = testing::UnusedPort();
  ExpectNetworkError(*fetcher, Get("http://127.0.0.1:" + std::to_string(port) + "/manifest.json"),
                     "connection refused to 127.0.0.1:" + std::to_string(port));
}

TEST_CASE("transport faults are Network errors that say what happened, in bounded time") {
  auto server = StartFaultServer();
  auto fetcher = MakeFetcher();
  const std::string port = std::to_string(server->http_port());

  SUBCASE("a server that never answers hits the low-speed limit first") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/hang")),
                       "server stalled: no answer from 127.0.0.1:" + port + " for 1 s");
  }
  SUBCASE("a server that never answers hits the total timeout") {
    CurlFetcherOptions options = FastOptions();
    options.total_timeout = milliseconds(1000);
    options.low_speed_window = seconds(10);
    auto impatient = MakeFetcher(options);
    ExpectNetworkError(*impatient, Get(server->Url("/_fault/hang")),
                       "no complete answer from 127.0.0.1:" + port + " within 1 s (timeout)");
  }
  SUBCASE("a server that drips bytes is cut off by the low-speed limit") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/drip")),
                       "server too slow: below 1024 B/s for 1 s", milliseconds(4000));
  }
  SUBCASE("a body shorter than its Content-Length") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/truncate")),
                       "truncated body from 127.0.0.1:" + port + ": got 100 of 1000 bytes");
  }
  SUBCASE("a body over the limit, announced by Content-Length") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/oversize")),
                       "body larger than the 1048576-byte limit");
  }
  SUBCASE("a body over the limit, chunked so its size is unknown up front") {
    FetchRequest request = Get(server->Url("/_fault/oversize-chunked?bytes=200000"));
    request.max_body_bytes = 100000;
    ExpectNetworkError(*fetcher, request, "body larger than the 100000-byte limit");
  }
  SUBCASE("an error answer with a huge body is returned as that error, cut short") {
    FetchRequest request = Get(server->Url("/_fault/error-huge"));
    request.max_body_bytes = 1000;
    auto response = fetcher->Fetch(request);
    REQUIRE_MESSAGE(response.ok(), response.status().ToString());
    CHECK(response->http_status == 404);
    CHECK(response->body.size() == 1000);
  }
  SUBCASE("a body exactly at the limit is accepted") {
    FetchRequest request = Get(server->Url("/_fault/oversize-chunked?bytes=100000"));
    request.max_body_bytes = 100000;
    auto response = fetcher->Fetch(request);
    REQUIRE_MESSAGE(response.ok(), response.status().ToString());
    CHECK(response->body.size() == 100000);
  }
  SUBCASE("a redirect loop") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/redirect-loop")),
                       "too many redirects (more than 3)");
  }
  SUBCASE("a single redirect is followed, and the final validators are kept") {
    testing::WriteFile(server->root() / "real.json", "real");
    auto response = fetcher->Fetch(Get(server->Url("/_fault/redirect?to=/real.json")));
    REQUIRE_MESSAGE(response.ok(), response.status().ToString());
    CHECK(response->http_status == 200);
    CHECK(response->body == "real");
    CHECK_FALSE(response->etag.empty());
  }
  SUBCASE("a connection closed without an answer") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/close")),
                       "127.0.0.1:" + port + " closed the connection without answering");
  }
  SUBCASE("garbage instead of HTTP") {
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/garbage")),
                       "127.0.0.1:" + port + " did not answer in HTTP");
  }
  SUBCASE("the same fetcher works again after a failure") {
    testing::WriteFile(server->root() / "ok.txt", "fine");
    ExpectNetworkError(*fetcher, Get(server->Url("/_fault/truncate")), "truncated body");
    auto response = fetcher->Fetch(Get(server->Url("/ok.txt")));
    REQUIRE_MESSAGE(response.ok(), response.status().ToString());
    CHECK(response->body == "fine");
  }
}

TEST_CASE("consecutive fetches reuse the connection") {
  auto server = StartFaultServer();
  testing::WriteFile(server->root() / "manifest.json", "{}");
  auto fetcher = MakeFetcher();
  for (int i = 0; i < 3; ++i) REQUIRE(fetcher->Fetch(Get(server->Url("/manifest.json"))).ok());
  auto peers = server->PeerLog();
  REQUIRE(peers.ok());
  std::vector<std::string> manifest_ports;
  for (const std::string& line : *peers) {
    if (line.starts_with("/manifest.json ")) manifest_ports.push_back(line.substr(15));
  }
  REQUIRE(manifest_ports.size() == 3);
  CHECK(manifest_ports[1] == manifest_ports[0]);
  CHECK(manifest_ports[2] == manifest_ports[0]);
}

// Waits until the server has seen `line` in its request log (the request is
// on the wire), up to 5 s.
bool WaitForRequest(FaultServer& server, const std::string& line) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto log = server.RequestLog();
    if (log.ok() && std::find(log->begin(), log->end(), line) != log->end()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

TEST_CASE("Abort ends a transfer in progress at once, and the fetcher fetches no more") {
  auto server = StartFaultServer();
  // The production limits: a trickle above the floor would hold it 120 s.
  auto fetcher = MakeFetcher(CurlFetcherOptions{});
  std::string path;
  SUBCASE("a body trickling just above the low-speed floor") { path = "/_fault/trickle"; }
  SUBCASE("a server that accepted the request and stays silent") { path = "/_fault/hang"; }
  CAPTURE(path);

  std::atomic<bool> returned{false};
  std::optional<Result<FetchResponse>> result;
  std::chrono::steady_clock::time_point returned_at;
  std::thread worker([&] {
    result = fetcher->Fetch(Get(server->Url(path)));
    returned_at = std::chrono::steady_clock::now();
    returned = true;
  });
  REQUIRE(WaitForRequest(*server, "GET " + path));
  std::this_thread::sleep_for(milliseconds(1500));  // well into the transfer
  const bool returned_before_abort = returned;
  const auto abort_at = std::chrono::steady_clock::now();
  fetcher->Abort();
  worker.join();

  CHECK_FALSE(returned_before_abort);  // the server really was holding it
  CHECK(returned_at - abort_at < seconds(1));
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->ok());
  CHECK(result->status().code() == Status::Code::kNetwork);
  CHECK(result->status().message() ==
        server->Url(path) + ": transfer aborted (the updater is stopping)");

  // Retired: a later fetch fails the same way at once, without a request.
  testing::WriteFile(server->root() / "manifest.json", "{}");
  ExpectNetworkError(*fetcher, Get(server->Url("/manifest.json")),
                     "transfer aborted (the updater is stopping)", milliseconds(1000));
  auto log = server->RequestLog();
  REQUIRE(log.ok());
  CHECK(std::count(log->begin(), log->end(), "GET /manifest.json") == 0);
}

TEST_CASE("Abort before any fetch retires the fetcher at once") {
  auto server = StartFaultServer();
  testing::WriteFile(server->root() / "manifest.json", "{}");
  auto fetcher = MakeFetcher();
  fetcher->Abort();
  fetcher->Abort();  // idempotent
  ExpectNetworkError(*fetcher, Get(server->Url("/manifest.json")),
                     server->Url("/manifest.json") + ": transfer aborted (the updater is stopping)",
                     milliseconds(1000));
}

// Sets an environment variable for one scope (tests run on one thread).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("the standard proxy variables are honoured") {
  auto proxy = StartFaultServer();  // serves absolute-form requests from its root
  testing::WriteFile(proxy->root() / "manifest.json", "via the proxy");
  ScopedEnv http_proxy("http_proxy", proxy->Url(""));
  ScopedEnv no_proxy("no_proxy", "");
  ScopedEnv no_proxy_upper("NO_PROXY", "");
  auto fetcher = MakeFetcher();
  // .invalid never resolves (RFC 2606): only the proxy can answer.
  auto response = fetcher->Fetch(Get("http://kiosk-signs.invalid/manifest.json"));
  REQUIRE_MESSAGE(response.ok(), response.status().ToString());
  CHECK(response->http_status == 200);
  CHECK(response->body == "via the proxy");
}

TEST_CASE("fault server over HTTPS: a downgrade redirect to http is refused") {
  auto server = StartFaultServer(/*with_tls=*/true);
  testing::WriteFile(server->root() / "manifest.json", "{}");
  CurlFetcherOptions options = FastOptions();
  options.pinned_ca_file = server->ca_file();
  auto fetcher = MakeFetcher(options);

  auto direct = fetcher->Fetch(Get(server->HttpsUrl("/manifest.json")));
  REQUIRE_MESSAGE(direct.ok(), direct.status().ToString());
  CHECK(direct->body == "{}");
  ExpectNetworkError(*fetcher, Get(server->HttpsUrl("/_fault/redirect-to-http?to=/manifest.json")),
                     "redirect to http://127.0.0.1:" + std::to_string(server->http_port()) +
                         "/manifest.json refused");
  // The http side was never asked for the file.
  auto log = server->RequestLog();
  REQUIRE(log.ok());
  int manifest_requests = 0;
  for (const std::string& line : *log) manifest_requests += line == "GET /manifest.json";
  CHECK(manifest_requests == 1);
}

TEST_CASE("a validator with a line break is refused before anything is sent") {
  auto fetcher = MakeFetcher();
  FetchRequest request = Get("http://127.0.0.1:1/x");
  request.if_none_match = "\"abc\"\r\nX-Injected: 1";
  auto response = fetcher->Fetch(request);
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kInvalid);
}

}  // namespace
}  // namespace kiosk
