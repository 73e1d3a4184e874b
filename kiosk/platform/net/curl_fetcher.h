// kiosk::Fetcher on libcurl, for the updater's polls of a static web server
// (nginx, an object store, a CDN).
//
// What it guarantees, whatever the server does:
//  - TLS peers are always verified (there is deliberately no switch to turn
//    verification off); against the system's CAs, or only against a pinned
//    CA bundle when one is given. TLS 1.2 at least.
//  - Only http and https; at most 3 redirects; a redirect never leaves https
//    once the request started on https.
//  - A transfer ends within total_timeout, is cut off when it stays below
//    low_speed_bytes_per_s for low_speed_window, and never buffers more than
//    FetchRequest::max_body_bytes of body. The limit is on the body the
//    caller asked for: a 2xx body over it is a Network error (refused as soon
//    as Content-Length announces it, else when the bytes arrive), while the
//    body of an error answer or a redirect is cut to the limit and the answer
//    still returned, so a 404 page longer than a 9-byte file reads "HTTP 404".
//  - Every transport failure is Status::Network with a message a person can
//    act on ("connection refused to 127.0.0.1:8443", "TLS certificate did
//    not verify: ...", "body larger than the 1048576-byte limit", ...). Any
//    HTTP status the server answers (404, 500, 304...) is a successful Fetch.
//  - The standard proxy variables (http_proxy, https_proxy, no_proxy) are
//    honoured, as libcurl does by default.
//
//  - Abort() ends a transfer in progress within milliseconds, whatever it is
//    doing (resolving, connecting, waiting on a silent server, reading a
//    slow body): the transfer is driven through a curl multi handle that
//    Abort() wakes (curl_multi_wakeup), because libcurl's progress callback
//    comes only once a second while a server is silent.
//
// Threading: one CurlFetcher is used by one thread at a time (the Fetcher
// contract), except Abort(), which any thread may call. It keeps one curl
// easy handle (and one multi handle holding the connection cache) so
// consecutive polls reuse the connection (and the TLS session). Separate
// CurlFetchers may run on separate threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "kiosk/core/config.h"
#include "kiosk/core/fetcher.h"
#include "kiosk/core/status.h"

namespace kiosk {

struct CurlFetcherOptions {
  // PEM bundle of the only CAs to trust; empty = the system's CA store.
  std::string pinned_ca_file;
  // Time allowed for TCP connect plus TLS handshake.
  std::chrono::milliseconds connect_timeout{10'000};
  // Time allowed for a whole transfer, redirects included.
  std::chrono::milliseconds total_timeout{120'000};
  // A transfer slower than low_speed_bytes_per_s during a whole
  // low_speed_window is aborted, so a server that drips bytes cannot hold the
  // updater. libcurl measures the window in whole seconds (minimum 1).
  uint32_t low_speed_bytes_per_s = 1024;
  std::chrono::seconds low_speed_window{15};
};

// The production options for a unit's update settings.
CurlFetcherOptions CurlFetcherOptionsFor(const UpdateConfig& config);

// The User-Agent sent with every request: "kiosk/<version>".
std::string KioskUserAgent();

class CurlFetcher final : public Fetcher {
 public:
  // Io if the pinned CA file cannot be read; Internal if libcurl cannot be
  // initialised.
  static Result<std::unique_ptr<CurlFetcher>> Create(CurlFetcherOptions options);
  ~CurlFetcher() override;
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  // See the Fetcher contract and the guarantees above. A request whose
  // validators contain a line break is Invalid (it would inject headers).
  Result<FetchResponse> Fetch(const FetchRequest& request) override;
  // See the Fetcher contract. A resolver thread still blocked in
  // getaddrinfo() is left to finish on its own (CURLOPT_QUICK_EXIT) rather
  // than waited for.
  void Abort() override;

 private:
  struct Handle;  // the curl easy and multi handles and the error buffer
  CurlFetcher(CurlFetcherOptions options, std::unique_ptr<Handle> handle);

  CurlFetcherOptions options_;
  std::unique_ptr<Handle> handle_;
  std::atomic<bool> aborted_{false};
};

}  // namespace kiosk
