// EventThread and Timer: task order and thread, stop semantics, timer schedule/cancel/replace,
// including a cancel that arrives after Asio has already queued the expiry.

#include "takahe/http/event_thread.h"

#include <pthread.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using takahe::http::test::waitFor;

namespace {

using Clock = std::chrono::steady_clock;

/// Runs `fn` on the event thread and waits for it.
template <typename Fn>
auto onEventThread(EventThread& thread, Fn fn) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto future = task.get_future();
  thread.post([&task] { task(); });
  REQUIRE(future.wait_for(3s) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("EventThread runs posted tasks in order on its own named thread", "[http][event]") {
  EventThread thread("takahe-test-event-thread");
  CHECK_FALSE(thread.onThread());
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> on_thread{0};
  for (int i = 0; i < 1000; ++i) {
    thread.post([&, i] {
      on_thread += thread.onThread() ? 1 : 0;
      std::lock_guard lock(mutex);
      order.push_back(i);
    });
  }
  REQUIRE(waitFor([&] {
    std::lock_guard lock(mutex);
    return order.size() == 1000;
  }));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(order[i] == i);
  }
  CHECK(on_thread == 1000);
  const std::string name = onEventThread(thread, [] {
    char buf[32] = {};
    pthread_getname_np(pthread_self(), buf, sizeof(buf));
    return std::string(buf);
  });
  CHECK(name == "takahe-test-eve");  // cut to Linux's 15 characters
}

TEST_CASE("EventThread::stop() drops queued tasks, is idempotent and joins", "[http][event]") {
  EventThread thread("stop-test");
  std::promise<void> started;
  std::atomic<bool> first_done{false};
  std::atomic<bool> second_ran{false};
  thread.post([&] {
    started.set_value();
    std::this_thread::sleep_for(100ms);
    first_done = true;
  });
  thread.post([&] { second_ran = true; });
  started.get_future().wait();
  thread.stop();  // waits for the running task, drops the queued one
  CHECK(first_done);
  CHECK_FALSE(second_ran);
  thread.stop();
  thread.post([&] { second_ran = true; });  // accepted, never run
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(second_ran);
}

TEST_CASE("EventThread::stop() on the event thread stops it; the destructor joins",
          "[http][event]") {
  std::atomic<bool> after_ran{false};
  {
    EventThread thread("self-stop");
    std::promise<void> stopped;
    thread.post([&] {
      thread.stop();
      stopped.set_value();
    });
    thread.post([&] { after_ran = true; });
    REQUIRE(stopped.get_future().wait_for(3s) == std::future_status::ready);
  }
  CHECK_FALSE(after_ran);
}

TEST_CASE("a task that throws is logged and the thread goes on", "[http][event]") {
  EventThread thread("throw-test");
  thread.post([] { throw std::runtime_error("task failure for the test"); });
  CHECK(onEventThread(thread, [] { return 42; }) == 42);
}

TEST_CASE("Timer runs its callback once after the delay, on the event thread", "[http][timer]") {
  EventThread thread("timer-test");
  Timer timer(thread);
  CHECK_FALSE(timer.pending());
  std::atomic<int> runs{0};
  std::atomic<bool> on_thread{false};
  const auto start = Clock::now();
  std::atomic<Clock::rep> fired_after{0};
  timer.schedule(50ms, [&] {
    on_thread = thread.onThread();
    fired_after = (Clock::now() - start).count();
    ++runs;
  });
  CHECK(timer.pending());
  REQUIRE(waitFor([&] { return runs == 1; }));
  CHECK(on_thread);
  CHECK(Clock::duration(fired_after.load()) >= 50ms);
  CHECK_FALSE(timer.pending());
  std::this_thread::sleep_for(80ms);
  CHECK(runs == 1);
}

TEST_CASE("Timer: schedule replaces a pending callback and cancel drops it", "[http][timer]") {
  EventThread thread("timer-replace");
  Timer timer(thread);
  std::atomic<int> first{0}, second{0};
  timer.schedule(40ms, [&] { ++first; });
  timer.schedule(60ms, [&] { ++second; });
  REQUIRE(waitFor([&] { return second == 1; }));
  std::this_thread::sleep_for(60ms);
  CHECK(first == 0);

  timer.schedule(40ms, [&] { ++first; });
  timer.cancel();
  CHECK_FALSE(timer.pending());
  std::this_thread::sleep_for(100ms);
  CHECK(first == 0);

  // The same from the event thread.
  onEventThread(thread, [&] {
    timer.schedule(30ms, [&] { ++first; });
    timer.schedule(40ms, [&] { ++second; });
    return 0;
  });
  REQUIRE(waitFor([&] { return second == 2; }));
  CHECK(first == 0);
}

TEST_CASE("Timer: cancel on the event thread wins over an expiry already queued", "[http][timer]") {
  EventThread thread("timer-race");
  Timer timer(thread);
  std::atomic<int> runs{0};
  onEventThread(thread, [&] {
    timer.schedule(1ms, [&] { ++runs; });
    // The expiry is due (and queued by Asio) before this task ends.
    std::this_thread::sleep_for(30ms);
    timer.cancel();
    return 0;
  });
  std::this_thread::sleep_for(50ms);
  CHECK(runs == 0);
  // A schedule after a queued expiry runs only the new callback, once.
  std::atomic<int> replaced{0};
  onEventThread(thread, [&] {
    timer.schedule(1ms, [&] { ++runs; });
    std::this_thread::sleep_for(30ms);
    timer.schedule(20ms, [&] { ++replaced; });
    return 0;
  });
  REQUIRE(waitFor([&] { return replaced == 1; }));
  std::this_thread::sleep_for(50ms);
  CHECK(runs == 0);
  CHECK(replaced == 1);
}

TEST_CASE("Timer: a callback may schedule its own timer again", "[http][timer]") {
  EventThread thread("timer-periodic");
  Timer timer(thread);
  std::atomic<int> ticks{0};
  std::function<void()> tick = [&] {
    if (++ticks < 5) {
      timer.schedule(5ms, tick);
    }
  };
  timer.schedule(5ms, tick);
  REQUIRE(waitFor([&] { return ticks == 5; }));
  std::this_thread::sleep_for(30ms);
  CHECK(ticks == 5);
  CHECK_FALSE(timer.pending());
}

TEST_CASE("Timer: the callback never runs after destruction", "[http][timer]") {
  EventThread thread("timer-destroy");
  std::atomic<int> runs{0};
  {
    Timer timer(thread);
    timer.schedule(30ms, [&] { ++runs; });
  }
  std::this_thread::sleep_for(80ms);
  CHECK(runs == 0);

  // Destroyed from another thread while the callback runs: the destructor waits for it.
  std::atomic<bool> finished{false};
  std::promise<void> started;
  auto timer = std::make_unique<Timer>(thread);
  timer->schedule(1ms, [&] {
    started.set_value();
    std::this_thread::sleep_for(80ms);
    finished = true;
  });
  started.get_future().wait();
  timer.reset();
  CHECK(finished);

  // Destroyed on the event thread, by another task.
  auto on_thread_timer = std::make_unique<Timer>(thread);
  on_thread_timer->schedule(20ms, [&] { ++runs; });
  onEventThread(thread, [&] {
    on_thread_timer.reset();
    return 0;
  });
  std::this_thread::sleep_for(60ms);
  CHECK(runs == 0);
}

TEST_CASE("Timer may outlive a stopped EventThread", "[http][timer]") {
  std::atomic<int> runs{0};
  auto thread = std::make_unique<EventThread>("timer-outlive");
  Timer timer(*thread);
  timer.schedule(10ms, [&] { ++runs; });
  thread->stop();
  thread.reset();
  timer.schedule(10ms, [&] { ++runs; });  // posted to a stopped io_context: never runs
  timer.cancel();
  std::this_thread::sleep_for(30ms);
  CHECK(runs == 0);
}
