#include "kiosk/platform/net/curl_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <utility>

namespace kiosk {
namespace {

constexpr long kMaxRedirects = 3;

// curl_global_init is not guaranteed thread-safe on every libcurl build, so it
// runs exactly once, under the protection of a function-local static. It is
// never undone: the fetcher lives as long as the process.
CURLcode GlobalInitOnce() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

// Error answers and redirects may carry a body larger than the caller's
// limit (a 404 page for a 9-byte file); it is read and thrown away, up to
// this much, so that the caller sees "HTTP 404" rather than a size error.
constexpr uint64_t kMaxDiscardedBytes = 1 << 20;

struct Transfer {
  uint64_t max_body_bytes = 0;
  int status = 0;  // of the response being received (each of a redirect chain)
  bool body_too_large = false;
  // An error answer's body went past kMaxDiscardedBytes: the transfer was
  // stopped, the answer (status, first bytes of body) is still returned.
  bool error_body_cut = false;
  uint64_t discarded_bytes = 0;
  std::string body;
  std::string etag;
  std::string last_modified;

  bool IsSuccess() const { return status >= 200 && status < 300; }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (!transfer->IsSuccess()) {
    const uint64_t room = transfer->max_body_bytes -
                          std::min<uint64_t>(transfer->max_body_bytes, transfer->body.size());
    const size_t kept = static_cast<size_t>(std::min<uint64_t>(room, bytes));
    transfer->body.append(data, kept);
    transfer->discarded_bytes += bytes - kept;
    if (transfer->discarded_bytes > kMaxDiscardedBytes) {
      transfer->error_body_cut = true;
      return 0;
    }
    return bytes;
  }
  if (transfer->body.size() + bytes > transfer->max_body_bytes) {
    transfer->body_too_large = true;
    return 0;  // any count other than `bytes` aborts with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool NameIs(std::string_view name, std::string_view wanted) {
  return name.size() == wanted.size() &&
         std::equal(name.begin(), name.end(), wanted.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  // Each response of a redirect chain (and any 1xx) starts with a status line;
  // only the final response's validators describe the body we keep.
  if (line.starts_with("HTTP/")) {
    transfer->etag.clear();
    transfer->last_modified.clear();
    transfer->body.clear();
    transfer->discarded_bytes = 0;
    transfer->status = 0;
    const size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      for (size_t i = space + 1; i < line.size() && i < space + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') break;
        transfer->status = transfer->status * 10 + (line[i] - '0');
      }
    }
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  const std::string_view name = Trim(line.substr(0, colon));
  const std::string_view value = Trim(line.substr(colon + 1));
  if (NameIs(name, "ETag")) transfer->etag = std::string(value);
  if (NameIs(name, "Last-Modified")) transfer->last_modified = std::string(value);
  // Refuses up front a body announced over the limit, before any of it
  // arrives. Only for success answers: CURLOPT_MAXFILESIZE_LARGE would do
  // this for every response, error pages and redirects included.
  if (NameIs(name, "Content-Length") && transfer->IsSuccess()) {
    uint64_t announced = 0;
    bool digits = !value.empty();
    for (char c : value) {
      if (c < '0' || c > '9' || announced > (UINT64_MAX - 9) / 10) {
        digits = false;
        break;
      }
      announced = announced * 10 + static_cast<uint64_t>(c - '0');
    }
    if (digits && announced > transfer->max_body_bytes) {
      transfer->body_too_large = true;
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
  }
  return bytes;
}

// "host:port" of a URL, for messages; the URL itself if it does not parse.
std::string HostPort(const std::string& url) {
  CURLU* parsed = curl_url();
  std::string result = url;
  if (parsed != nullptr &&
      curl_url_set(parsed, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      result = std::string(host) + ":" + port;
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);
  return result;
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

bool IsHttps(const std::string& url) {
  return url.size() >= 8 && NameIs(std::string_view(url).substr(0, 8), "https://");
}

std::string Seconds(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

struct CurlFetcher::Handle {
  CURL* easy = nullptr;
  // Drives the easy handle's transfers so that Abort() can wake them, and
  // keeps the connection cache between them.
  CURLM* multi = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() {
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

namespace {

// Longest sleep between two looks at the abort flag if a wake-up were ever
// lost; libcurl's own timers (timeouts, low-speed checks) cut it shorter.
constexpr int kMaxPollMs = 200;

struct TransferEnd {
  enum class How { kDone, kAborted, kMultiError } how = How::kDone;
  CURLcode code = CURLE_OK;         // when kDone
  CURLMcode multi_code = CURLM_OK;  // when kMultiError
};

// Runs the transfer set up on `easy` to its end, or until `aborted` is seen
// (Abort() wakes curl_multi_poll, so that is at once). Leaves `easy` in
// `multi`; the caller removes it.
TransferEnd RunTransfer(CURLM* multi, CURL* easy, const std::atomic<bool>& aborted) {
  TransferEnd end;
  for (;;) {
    if (aborted.load()) {
      end.how = TransferEnd::How::kAborted;
      return end;
    }
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(multi, &running); mc != CURLM_OK) {
      end.how = TransferEnd::How::kMultiError;
      end.multi_code = mc;
      return end;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        end.code = message->data.result;
        return end;
      }
    }
    // Until a socket is ready, a libcurl timer is due or Abort() wakes us.
    if (CURLMcode mc = curl_multi_poll(multi, nullptr, 0, kMaxPollMs, nullptr); mc != CURLM_OK) {
      end.how = TransferEnd::How::kMultiError;
      end.multi_code = mc;
      return end;
    }
  }
}

}  // namespace

CurlFetcherOptions CurlFetcherOptionsFor(const UpdateConfig& config) {
  CurlFetcherOptions options;
  options.pinned_ca_file = config.pinned_ca_file;
  return options;
}

std::string KioskUserAgent() { return "kiosk/" KIOSK_VERSION; }

Result<std::unique_ptr<CurlFetcher>> CurlFetcher::Create(CurlFetcherOptions options) {
  if (!options.pinned_ca_file.empty() && !std::ifstream(options.pinned_ca_file).good()) {
    return Status::Io("pinned CA file " + options.pinned_ca_file + " cannot be read");
  }
  if (const CURLcode init = GlobalInitOnce(); init != CURLE_OK) {
    return Status::Internal(std::string("libcurl did not initialise: ") + curl_easy_strerror(init));
  }
  auto handle = std::make_unique<Handle>();
  handle->easy = curl_easy_init();
  if (handle->easy == nullptr) return Status::Internal("curl_easy_init failed");
  handle->multi = curl_multi_init();
  if (handle->multi == nullptr) return Status::Internal("curl_multi_init failed");
  CURL* easy = handle->easy;

  // Settings that never change between requests. Each curl_easy_setopt below
  // can only fail for an unknown option or out of memory; the options all
  // exist in the libcurl Debian 12 ships (7.88), which the build requires.
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle->error);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // we are on a worker thread
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  // Any server worth trusting speaks TLS 1.2 (2008); older versions are broken.
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options.pinned_ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.pinned_ca_file.c_str());
    // Without this a libcurl built with a default CA directory would trust
    // the system CAs as well, and the pin would pin nothing.
    curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
  }
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_bytes_per_s));
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options.low_speed_window.count())));
  const std::string user_agent = KioskUserAgent();
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());  // libcurl copies strings
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  return std::unique_ptr<CurlFetcher>(new CurlFetcher(std::move(options), std::move(handle)));
}

CurlFetcher::CurlFetcher(CurlFetcherOptions options, std::unique_ptr<Handle> handle)
    : options_(std::move(options)), handle_(std::move(handle)) {}

CurlFetcher::~CurlFetcher() = default;

void CurlFetcher::Abort() {
  aborted_.store(true);
  // Thread-safe by libcurl's contract; a wake-up before the fetching thread
  // sleeps is kept until then, so none is lost.
  curl_multi_wakeup(handle_->multi);
}

Result<FetchResponse> CurlFetcher::Fetch(const FetchRequest& request) {
  if (aborted_.load()) return Status::Network(FetchAbortedMessage(request.url));
  if (HasLineBreak(request.if_none_match) || HasLineBreak(request.if_modified_since)) {
    return Status::Invalid("conditional request validator contains a line break");
  }
  CURL* easy = handle_->easy;
  Transfer transfer;
  transfer.max_body_bytes = request.max_body_bytes;

  curl_slist* headers = nullptr;
  bool headers_ok = true;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers, line.c_str());
    if (grown == nullptr)
      headers_ok = false;
    else
      headers = grown;
  };
  if (!request.if_none_match.empty()) add_header("If-None-Match: " + request.if_none_match);
  if (!request.if_modified_since.empty()) {
    add_header("If-Modified-Since: " + request.if_modified_since);
  }
  if (!headers_ok) {
    curl_slist_free_all(headers);
    return Status::Internal("out of memory building request headers");
  }

  handle_->error[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  // A request that starts on https may only be redirected to https: a
  // downgrade would hand the body (and the decision to trust it) to anyone
  // on the path.
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR,
                   IsHttps(request.url) ? "https" : "http,https");
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);

  if (CURLMcode added = curl_multi_add_handle(handle_->multi, easy); added != CURLM_OK) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    return Status::Internal(std::string("libcurl could not start the transfer: ") +
                            curl_multi_strerror(added));
  }
  const TransferEnd end = RunTransfer(handle_->multi, easy, aborted_);
  // An aborted transfer may still be resolving the host on libcurl's
  // resolver thread; waiting for getaddrinfo() to give up could take many
  // seconds, so it is left to finish alone (the fetcher is retired anyway).
  if (end.how == TransferEnd::How::kAborted) curl_easy_setopt(easy, CURLOPT_QUICK_EXIT, 1L);
  curl_multi_remove_handle(handle_->multi, easy);       // closes a connection cut short
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);  // `headers` dies here
  curl_slist_free_all(headers);
  if (end.how == TransferEnd::How::kAborted) {
    return Status::Network(FetchAbortedMessage(request.url));
  }
  if (end.how == TransferEnd::How::kMultiError) {
    return Status::Internal("libcurl failed while fetching " + request.url + ": " +
                            curl_multi_strerror(end.multi_code));
  }
  const CURLcode code = end.code;

  char* effective_url_c = nullptr;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective_url_c);
  const std::string effective_url = effective_url_c ? effective_url_c : request.url;
  const std::string where = HostPort(effective_url);
  const std::string detail = handle_->error[0] != '\0' ? handle_->error : curl_easy_strerror(code);

  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.error_body_cut)) {
    std::string message;
    switch (code) {
      case CURLE_COULDNT_RESOLVE_HOST:
        message = "could not resolve the host of " + effective_url + ": " + detail;
        break;
      case CURLE_COULDNT_RESOLVE_PROXY:
        message = "could not resolve the proxy: " + detail;
        break;
      case CURLE_COULDNT_CONNECT: {
        long os_errno = 0;
        curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED) {
          message = "connection refused to " + where;
        } else {
          message = "could not connect to " + where + ": " + detail;
        }
        break;
      }
      case CURLE_OPERATION_TIMEDOUT: {
        // One code for four limits; libcurl's message says which. (Connect
        // times cannot tell: a reused connection reports 0.)
        const std::string_view text = detail;
        if (text.find("too slow") != std::string_view::npos) {
          long header_bytes = 0;
          curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);
          if (header_bytes == 0 && transfer.body.empty()) {
            message = "server stalled: no answer from " + where + " for " +
                      std::to_string(options_.low_speed_window.count()) + " s";
            break;
          }
          message = "server too slow: below " + std::to_string(options_.low_speed_bytes_per_s) +
                    " B/s for " + std::to_string(options_.low_speed_window.count()) + " s (" +
                    where + ")";
        } else if (text.find("Operation timed out") != std::string_view::npos) {
          message = "no complete answer from " + where + " within " +
                    Seconds(options_.total_timeout) + " (timeout)";
        } else if (text.find("Resolving timed out") != std::string_view::npos) {
          message = "could not resolve the host of " + effective_url + " in time: " + detail;
        } else {
          message = "could not connect to " + where + " within " +
                    Seconds(options_.connect_timeout) + " (timeout)";
        }
        break;
      }
      case CURLE_PEER_FAILED_VERIFICATION:
        message = "TLS certificate did not verify: " + detail + " (" + where + ")";
        break;
      case CURLE_SSL_CACERT_BADFILE:
        message = "pinned CA file " + options_.pinned_ca_file + " could not be loaded: " + detail;
        break;
      case CURLE_SSL_CONNECT_ERROR:
        message = "TLS handshake with " + where + " failed: " + detail;
        break;
      case CURLE_WRITE_ERROR:
        if (transfer.body_too_large) {
          message = "body larger than the " + std::to_string(request.max_body_bytes) +
                    "-byte limit: " + effective_url;
        } else {
          message = "could not store the body of " + effective_url + ": " + detail;
        }
        break;
      case CURLE_TOO_MANY_REDIRECTS:
        message = "too many redirects (more than " + std::to_string(kMaxRedirects) + ") from " +
                  request.url;
        break;
      case CURLE_UNSUPPORTED_PROTOCOL: {
        long redirects = 0;
        curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
        if (std::string_view(detail).find("HTTP/0.9") != std::string_view::npos) {
          // What libcurl makes of bytes that are not an HTTP status line.
          message = where + " did not answer in HTTP: " + detail;
        } else if (redirects > 0 || effective_url != request.url) {
          message = "redirect to " + effective_url + " refused: " +
                    (IsHttps(request.url)
                         ? std::string("a request made over https may only be redirected to https")
                         : std::string("only http and https are allowed"));
        } else {
          message = "unsupported URL (only http and https): " + request.url + ": " + detail;
        }
        break;
      }
      case CURLE_URL_MALFORMAT:
        message = "malformed URL " + request.url + ": " + detail;
        break;
      case CURLE_PARTIAL_FILE: {
        curl_off_t announced = -1;
        curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
        message = "truncated body from " + where + ": got " + std::to_string(transfer.body.size()) +
                  " of " +
                  (announced >= 0 ? std::to_string(announced) : std::string("the announced")) +
                  " bytes (" + effective_url + ")";
        break;
      }
      case CURLE_GOT_NOTHING:
        message = where + " closed the connection without answering";
        break;
      case CURLE_WEIRD_SERVER_REPLY:
        message = where + " did not answer in HTTP: " + detail;
        break;
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
        message = "connection to " + where + " broke: " + detail;
        break;
      default:
        message = "fetching " + effective_url + " failed: " + detail;
        break;
    }
    return Status::Network(std::move(message));
  }

  long http_status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
  long request_bytes = 0;
  long header_bytes = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);

  FetchResponse response;
  response.http_status = static_cast<int>(http_status);
  response.body = std::move(transfer.body);
  response.etag = std::move(transfer.etag);
  response.last_modified = std::move(transfer.last_modified);
  response.wire_bytes = static_cast<uint64_t>(request_bytes) + static_cast<uint64_t>(header_bytes) +
                        response.body.size();
  return response;
}

}  // namespace kiosk
