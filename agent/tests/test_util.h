#pragma once

// Helpers shared by the agent tests: temporary folders, a fake AgentControl, and a way to run
// a RequestHandler on an io_context until it answers.

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "agent_commands.h"
#include "agent_config.h"
#include "request_handler.h"

#include "test_support.h"

namespace takahe::agent::test {

using takahe::testing::TempDir;

/// Records what the commands asked of the agent.
struct FakeAgent : AgentControl {
  AgentConfigPtr config;
  std::string file;
  int applied = 0;
  std::optional<int> shutdown_value;

  AgentConfigPtr currentConfig() const override { return config; }
  const std::string& configFile() const override { return file; }
  void applyConfig(AgentConfigPtr cfg) override {
    config = std::move(cfg);
    ++applied;
  }
  void shutdown(int exit_value) override { shutdown_value = exit_value; }
  int64_t startTime() const override { return 1000; }
  int64_t reloadTime() const override { return 2000; }
};

/// Hands `body` to the handler and runs `io` (on this thread) until the answer came, at most
/// 5 s.
inline std::optional<HttpAnswer> ask(RequestHandler& handler, boost::asio::io_context& io,
                                     const std::string& body) {
  std::optional<HttpAnswer> out;
  handler.handle(body, [&out](HttpAnswer a) {
    REQUIRE_FALSE(out.has_value());  // exactly once
    out = std::move(a);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!out && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return out;
}

}  // namespace takahe::agent::test
