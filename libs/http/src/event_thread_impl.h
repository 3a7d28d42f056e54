#pragma once

// The shared state of an EventThread: the io_context outlives the EventThread object while a
// Timer or HttpClient still refers to it (they hold this by shared_ptr).

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <string>
#include <thread>

#include "takahe/http/event_thread.h"

namespace takahe::http {

struct EventThread::Impl {
  explicit Impl(std::string name_in) : name(std::move(name_in)) {}

  bool onThread() const { return std::this_thread::get_id() == id; }

  const std::string name;
  /// Concurrency hint 1: one thread runs it, so Asio may skip some locking.
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread::id id;  // set once in the constructor, before any task can be queued
  /// The thread has left io_context::run() for good: no task runs any more.
  std::atomic<bool> finished{false};
  std::mutex join_mutex;  // stop() from two threads at once joins once
};

}  // namespace takahe::http
