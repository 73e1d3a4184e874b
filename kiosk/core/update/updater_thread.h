// Runs an Updater's polls on a worker thread so that no poll ever blocks the
// render thread. The worker sleeps on a condition variable until the
// updater's next poll is due (by the injected Clock's monotonic time), until
// PollNow() or until Stop().
//
// Because the Clock is an interface (a test clock does not drive
// std::condition_variable), the worker re-reads it at least every
// `max_sleep` (default 1 s); with the real clock it simply sleeps until the
// poll is due or that slice ends, whichever comes first.
//
// Threading: Start/PollNow/Stop/polls_completed are safe from any thread.
// The Updater is used only by the worker once Start() has been called.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "kiosk/core/clock.h"
#include "kiosk/core/update/updater.h"

namespace kiosk::update {

class UpdaterThread {
 public:
  // updater must have been Start()ed; updater and clock must outlive this.
  UpdaterThread(Updater& updater, const Clock& clock, Millis max_sleep = Millis(1000));
  ~UpdaterThread();  // Stop()s
  UpdaterThread(const UpdaterThread&) = delete;
  UpdaterThread& operator=(const UpdaterThread&) = delete;

  void Start();
  // Polls as soon as the worker is free (e.g. an administrator's request).
  void PollNow();
  // Stops the worker and joins it, promptly whatever it is doing: a poll in
  // progress is aborted (Updater::AbortPoll, which retires the fetcher), so
  // Stop returns within the Fetcher's abort bound (well under a second for
  // CurlFetcher), not its timeouts; the aborted poll is not reported as a
  // failure. The Updater polls no more afterwards: to resume updates, make
  // a new Updater (with a new Fetcher) and a new UpdaterThread. Idempotent.
  void Stop();

  int polls_completed() const;
  // Waits until at least n polls have completed or the timeout (real time)
  // passes; returns whether they did. For tests and shutdown logic.
  bool WaitForPolls(int n, std::chrono::milliseconds timeout) const;

 private:
  void Run();

  Updater& updater_;
  const Clock& clock_;
  const Millis max_sleep_;
  mutable std::mutex mu_;
  mutable std::condition_variable wake_;
  mutable std::condition_variable polled_;
  bool stop_ = false;
  bool poll_now_ = false;
  int polls_ = 0;
  std::thread worker_;
};

}  // namespace kiosk::update
