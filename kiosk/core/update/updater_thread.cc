#include "kiosk/core/update/updater_thread.h"

#include <algorithm>

namespace kiosk::update {

UpdaterThread::UpdaterThread(Updater& updater, const Clock& clock, Millis max_sleep)
    : updater_(updater), clock_(clock), max_sleep_(std::max(max_sleep, Millis(1))) {}

UpdaterThread::~UpdaterThread() { Stop(); }

void UpdaterThread::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable()) return;
  stop_ = false;
  worker_ = std::thread([this] { Run(); });
}

void UpdaterThread::PollNow() {
  {
    std::lock_guard lock(mu_);
    poll_now_ = true;
  }
  wake_.notify_all();
}

void UpdaterThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  // A slow server must not hold SIGHUP or SIGTERM (and with them the render
  // loop and the watchdog) for the length of a download.
  updater_.AbortPoll();
  wake_.notify_all();
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

int UpdaterThread::polls_completed() const {
  std::lock_guard lock(mu_);
  return polls_;
}

bool UpdaterThread::WaitForPolls(int n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return polled_.wait_for(lock, timeout, [&] { return polls_ >= n; });
}

void UpdaterThread::Run() {
  std::unique_lock lock(mu_);
  // Read only by this thread: the updater is not thread-safe.
  Millis due = updater_.next_poll_at();
  while (!stop_) {
    if (poll_now_ || clock_.Monotonic() >= due) {
      poll_now_ = false;
      lock.unlock();  // a poll takes seconds; PollNow/Stop must not wait on it
      updater_.PollOnce();
      due = updater_.next_poll_at();
      lock.lock();
      ++polls_;
      polled_.notify_all();
      continue;
    }
    const Millis sleep = std::min(due - clock_.Monotonic(), max_sleep_);
    wake_.wait_for(lock, std::max(sleep, Millis(1)), [&] { return stop_ || poll_now_; });
  }
}

}  // namespace kiosk::update
