// Getting bytes from a URL, behind an interface so that the updater is tested
// with a fetcher that replays scripted responses and faults, and runs for real
// on libcurl (kiosk/platform/net).
//
// Threading: a Fetcher is used by one thread at a time (the updater's worker),
// except Abort(), which any thread may call at any time.
#pragma once

#include <cstdint>
#include <string>

#include "kiosk/core/status.h"

namespace kiosk {

struct FetchRequest {
  std::string url;
  // Conditional request validators from the previous 200 answer; empty = none.
  std::string if_none_match;      // sent as If-None-Match
  std::string if_modified_since;  // sent as If-Modified-Since (HTTP date, verbatim)
  // A 2xx body larger than this is refused (Status::Network) as soon as its
  // Content-Length or its bytes say so. Error pages and redirect bodies are
  // cut to this size and the answer still returned (a 404 stays a 404).
  uint64_t max_body_bytes = 1 << 20;
};

struct FetchResponse {
  int http_status = 0;        // 200, 304, 404, ... (the final one after redirects)
  std::string body;           // empty for 304
  std::string etag;           // ETag header of the answer, verbatim, or empty
  std::string last_modified;  // Last-Modified header, verbatim, or empty
  // Bytes that crossed the wire for this request, headers included, both
  // directions where the implementation can tell (for the benchmark).
  uint64_t wire_bytes = 0;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Ok with any HTTP status the server answered (the caller decides what a
  // 404 means); Status::Network for transport failures: DNS, refused
  // connection, TLS verification, timeout, too slow, too large, too many
  // redirects, truncated body. The message says which, for the status file.
  virtual Result<FetchResponse> Fetch(const FetchRequest& request) = 0;

  // Retires the fetcher, so that whoever owns the thread that fetches can
  // stop it at once (a SIGHUP or SIGTERM must not wait out a slow server).
  // Thread-safe: callable from any thread, also while another is in Fetch.
  // The Fetch in progress returns promptly (well under a second) with
  // Status::Network("<url>: transfer aborted (the updater is stopping)"),
  // and every later Fetch fails the same way at once. Idempotent.
  virtual void Abort() = 0;
};

// The message of a Fetch that Abort() ended or refused, for `url`.
inline std::string FetchAbortedMessage(const std::string& url) {
  return url + ": transfer aborted (the updater is stopping)";
}

}  // namespace kiosk
