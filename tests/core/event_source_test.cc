#include "kiosk/core/event_source.h"

#include <doctest/doctest.h>

#include <thread>

namespace kiosk {
namespace {

TEST_CASE("QueuedEventSource: events come out in order; an empty queue times out with kNone") {
  QueuedEventSource events;
  CHECK(events.Wait(Millis(0)).kind == PlayerEvent::Kind::kNone);
  events.Post(PlayerEvent{PlayerEvent::Kind::kSignal, 1});
  events.Post(PlayerEvent{PlayerEvent::Kind::kBundleApplied});
  PlayerEvent first = events.Wait(Millis(0));
  CHECK(first.kind == PlayerEvent::Kind::kSignal);
  CHECK(first.signal == 1);
  CHECK(events.Wait(Millis(0)).kind == PlayerEvent::Kind::kBundleApplied);
  CHECK(events.Wait(Millis(1)).kind == PlayerEvent::Kind::kNone);
}

TEST_CASE("QueuedEventSource: an event posted from another thread wakes a waiting loop") {
  QueuedEventSource events;
  std::thread poster([&] { events.Post(PlayerEvent{PlayerEvent::Kind::kTrustChanged}); });
  // A generous bound: the wait ends on the event, long before this.
  CHECK(events.Wait(Millis(60'000)).kind == PlayerEvent::Kind::kTrustChanged);
  poster.join();
}

}  // namespace
}  // namespace kiosk
