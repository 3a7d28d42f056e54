// EventThread: a named thread running one io_context until stop(). Timer: a one-shot
// steady_timer whose callback is guarded by a generation number, so that cancel() and a new
// schedule() win even over an expiry that Asio has already queued.

#include "takahe/http/event_thread.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>

#include "event_thread_impl.h"
#include "internal.h"
#include "takahe/http/messages.h"

namespace takahe::http {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;

namespace {

/// Linux limits thread names to 15 characters.
constexpr std::size_t kMaxThreadName = 15;

void runLoop(const std::shared_ptr<EventThread::Impl>& impl) {
  const std::string name = impl->name.substr(0, kMaxThreadName);
  ::pthread_setname_np(::pthread_self(), name.c_str());
  for (;;) {
    try {
      impl->io.run();
      break;  // stopped
    } catch (const std::exception& e) {
      TAKAHE_LOG(detail::logger(), HTTP_EVENT_TASK_FAILED, impl->name, e.what());
    } catch (...) {
      TAKAHE_LOG(detail::logger(), HTTP_EVENT_TASK_FAILED, impl->name, "unknown exception");
    }
  }
  impl->finished = true;
}

}  // namespace

EventThread::EventThread(std::string name) : impl_(std::make_shared<Impl>(std::move(name))) {
  // The thread shares the state, so that a destructor running on the thread itself can detach.
  thread_ = std::thread([impl = impl_] { runLoop(impl); });
  impl_->id = thread_.get_id();
}

EventThread::~EventThread() {
  if (impl_->onThread()) {
    impl_->io.stop();
    thread_.detach();  // it ends after the current task and frees the shared state
    return;
  }
  stop();
}

void EventThread::stop() {
  impl_->io.stop();
  if (impl_->onThread()) {
    return;  // the destructor joins, from another thread
  }
  std::lock_guard lock(impl_->join_mutex);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void EventThread::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

bool EventThread::onThread() const { return impl_->onThread(); }

asio::io_context& EventThread::io() { return impl_->io; }

// ---------------------------------------------------------------------------------------------

struct Timer::Impl : std::enable_shared_from_this<Timer::Impl> {
  explicit Impl(std::shared_ptr<EventThread::Impl> thread_in)
      : thread(std::move(thread_in)), timer(thread->io) {}

  /// On the event thread: starts the wait for schedule() number `gen`, unless superseded.
  void arm(uint64_t gen, std::chrono::milliseconds delay) {
    {
      std::lock_guard lock(mutex);
      if (generation != gen) {
        return;
      }
    }
    timer.expires_after(delay);
    timer.async_wait([weak = weak_from_this(), gen](const ErrorCode&) {
      if (auto self = weak.lock()) {
        self->fire(gen);
      }
    });
  }

  void fire(uint64_t gen) {
    std::function<void()> run;
    {
      std::lock_guard lock(mutex);
      if (generation != gen || !scheduled) {
        return;  // cancelled or replaced, even if Asio already queued this expiry
      }
      scheduled = false;
      run = std::move(fn);
      fn = nullptr;
      running = true;
    }
    try {
      run();
    } catch (const std::exception& e) {
      TAKAHE_LOG(detail::logger(), HTTP_EVENT_TASK_FAILED, thread->name, e.what());
    } catch (...) {
      TAKAHE_LOG(detail::logger(), HTTP_EVENT_TASK_FAILED, thread->name, "unknown exception");
    }
    {
      std::lock_guard lock(mutex);
      running = false;
    }
    idle.notify_all();
  }

  /// On the event thread: frees the pending wait early if `gen` is still the latest.
  void cancelWait(uint64_t gen) {
    {
      std::lock_guard lock(mutex);
      if (generation != gen) {
        return;  // a later schedule() owns the timer now
      }
    }
    timer.cancel();
  }

  std::shared_ptr<EventThread::Impl> thread;  // keeps the io_context alive
  asio::steady_timer timer;                   // used on the event thread only

  mutable std::mutex mutex;  // guards what follows
  std::condition_variable idle;
  uint64_t generation = 0;  // bumped by every schedule(), cancel() and the destructor
  bool scheduled = false;
  bool running = false;  // fn is running on the event thread
  std::function<void()> fn;
};

Timer::Timer(EventThread& thread) : impl_(std::make_shared<Impl>(thread.impl_)) {}

Timer::~Timer() {
  std::function<void()> dropped;
  const bool on_thread = impl_->thread->onThread();
  {
    std::unique_lock lock(impl_->mutex);
    ++impl_->generation;
    impl_->scheduled = false;
    dropped = std::move(impl_->fn);
    impl_->fn = nullptr;
    if (!on_thread) {
      impl_->idle.wait(lock, [this] { return !impl_->running; });
    }
  }
  if (on_thread) {
    impl_->timer.cancel();
  }
  // From another thread the wait (which holds only a weak reference) is cancelled when the
  // steady_timer is destroyed with the last reference.
}

void Timer::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  std::function<void()> replaced;
  uint64_t gen = 0;
  {
    std::lock_guard lock(impl_->mutex);
    gen = ++impl_->generation;
    impl_->scheduled = true;
    replaced = std::exchange(impl_->fn, std::move(fn));
  }
  if (impl_->thread->onThread()) {
    impl_->arm(gen, delay);
  } else {
    asio::post(impl_->thread->io, [weak = impl_->weak_from_this(), gen, delay] {
      if (auto self = weak.lock()) {
        self->arm(gen, delay);
      }
    });
  }
}

void Timer::cancel() {
  std::function<void()> dropped;
  uint64_t gen = 0;
  {
    std::lock_guard lock(impl_->mutex);
    gen = ++impl_->generation;
    impl_->scheduled = false;
    dropped = std::move(impl_->fn);
    impl_->fn = nullptr;
  }
  if (impl_->thread->onThread()) {
    impl_->timer.cancel();
  } else {
    asio::post(impl_->thread->io, [weak = impl_->weak_from_this(), gen] {
      if (auto self = weak.lock()) {
        self->cancelWait(gen);
      }
    });
  }
}

bool Timer::pending() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->scheduled;
}

}  // namespace takahe::http
