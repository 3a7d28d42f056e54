#pragma once

// A thread running an io_context (the home of a component's timers, HTTP clients and servers),
// and cancellable one-shot timers on it. Asio stays in src/; only the io_context is
// forward-declared, for HttpServer(thread.io(), ...).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace boost::asio {
class io_context;
}

namespace takahe::http {

class HttpClient;
class Timer;

/// One thread running an io_context: the home of a component's timers, HTTP clients and
/// servers. A task or timer callback that throws is logged (HTTP_EVENT_TASK_FAILED) and the
/// thread goes on.
class EventThread {
 public:
  /// Starts the thread, named `name` (cut to 15 characters) for ps/top/gdb.
  explicit EventThread(std::string name);
  /// stop(). When run on the event thread itself (a task destroying its owner), the thread is
  /// detached and ends after that task.
  ~EventThread();
  EventThread(const EventThread&) = delete;
  EventThread& operator=(const EventThread&) = delete;

  /// Stops the io_context and joins the thread; idempotent; queued tasks are dropped (never
  /// run). On the event thread itself it only stops the io_context (the join happens in the
  /// destructor, from another thread).
  void stop();
  /// Thread-safe; `fn` runs on the event thread, in the order of post() calls from one thread.
  void post(std::function<void()> fn);
  /// True when called on the event thread.
  bool onThread() const;
  /// For HttpServer(io, ...) on this thread. Objects using it must be destroyed before the
  /// EventThread (Timer and HttpClient keep the io_context itself alive).
  boost::asio::io_context& io();

  struct Impl;  // src/event_thread_impl.h

 private:
  friend class HttpClient;
  friend class Timer;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
};

/// A cancellable one-shot timer on an EventThread. Use schedule()/cancel() on the event thread;
/// they may also be called from other threads, then they are posted. `fn` runs on the event
/// thread.
class Timer {
 public:
  explicit Timer(EventThread& thread);
  /// Cancels; `fn` never runs after destruction. Called on another thread while `fn` is
  /// running, it waits for `fn` to return (so `fn` must not wait for that thread).
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Runs `fn` once after `delay`; replaces a pending one (which then never runs). `fn` may
  /// schedule the timer again.
  void schedule(std::chrono::milliseconds delay, std::function<void()> fn);
  /// When called on the event thread, `fn` will not run afterwards (also when its expiry is
  /// already queued). From another thread: it will not run unless it has already started.
  void cancel();
  /// A callback is scheduled and has not started yet.
  bool pending() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::http
