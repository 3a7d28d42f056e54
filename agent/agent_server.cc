#include "agent_server.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <vector>

#include "agent_commands.h"
#include "agent_config.h"
#include "agent_hooks.h"
#include "agent_messages.h"
#include "forwarder.h"
#include "request_handler.h"
#include "takahe/http/http.h"
#include "takahe/log/config.h"
#include "takahe/process/command_registry.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::agent {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

/// Long enough for an answer written just before to leave (the listener writes asynchronously).
constexpr auto kAnswerGrace = 200ms;

bool sameTls(const std::optional<http::TlsConfig>& a, const std::optional<http::TlsConfig>& b) {
  if (!a || !b) {
    return !a && !b;
  }
  return a->trust_anchor == b->trust_anchor && a->cert_file == b->cert_file &&
         a->key_file == b->key_file && a->cert_required == b->cert_required;
}

bool sameAuth(const http::BasicAuthConfig& a, const http::BasicAuthConfig& b) {
  if (a.realm != b.realm || a.clients.size() != b.clients.size()) {
    return false;
  }
  for (size_t i = 0; i < a.clients.size(); ++i) {
    if (a.clients[i].user != b.clients[i].user || a.clients[i].password != b.clients[i].password) {
      return false;
    }
  }
  return true;
}

bool sameListener(const http::ServerConfig& a, const http::ServerConfig& b) {
  return a.address == b.address && a.port == b.port && sameTls(a.tls, b.tls) &&
         sameAuth(a.auth, b.auth) && a.headers == b.headers;
}

std::string describe(const http::ServerConfig& s) {
  return std::string(s.tls ? "https" : "http") + "://" + s.address + ":" + std::to_string(s.port) +
         (s.auth.clients.empty() ? "" : " (basic authentication)");
}

}  // namespace

struct AgentServer::Impl final : AgentControl {
  AgentOptions opts;
  asio::io_context io;
  asio::signal_set signals{io, SIGTERM, SIGINT, SIGHUP};
  asio::steady_timer shutdown_timer{io};
  asio::steady_timer reopen_timer{io};
  asio::steady_timer retire_timer{io};
  process::CommandRegistry registry;
  // After the registry (library commands live there), before everything that calls callouts.
  AgentHooks hooks{registry};
  UnixForwarder forwarder{io, kDefaultForwardTimeout};
  RequestHandler requests{registry, forwarder, *this, &hooks};
  AgentConfigPtr config;
  int64_t start_time = nowUnixSeconds();
  int64_t reload_time = nowUnixSeconds();
  int exit_code = 0;
  log::Logger logger{"takahe-ctrl-agent"};
  // Declared last: destroyed first, while everything its handler uses still exists.
  http::ServerConfig listener_config;
  std::optional<http::ServerConfig> pending_listener;
  std::vector<std::unique_ptr<http::HttpServer>> retired;
  std::unique_ptr<http::HttpServer> listener;

  http::Handler makeHandler() {
    return [this](const http::Request& req, http::Respond respond) {
      TAKAHE_LOG_DEBUG(logger, kDbgRequest, AGENT_REQUEST_RECEIVED, req.remote, req.user,
                       req.body.substr(0, 512));
      requests.handle(req.body, [respond = std::move(respond)](HttpAnswer a) {
        http::Response r;
        r.status = a.status;
        r.body = a.body.toJson();
        respond(std::move(r));
      });
    };
  }

  std::unique_ptr<http::HttpServer> openListener(const http::ServerConfig& sc) {
    auto srv = std::make_unique<http::HttpServer>(io, sc, makeHandler());
    srv->start();
    return srv;
  }

  /// Moves the listener to the settings of `cfg`. A new address or port is opened before the old
  /// one closes (a failure changes nothing); other changes on the same address and port need the
  /// old listener closed first, which happens once the current answer has left.
  void updateListener(const AgentConfig& cfg) {
    http::ServerConfig next = cfg.serverConfig();
    if (!listener) {
      listener = openListener(next);
      listener_config = next;
      return;
    }
    if (sameListener(listener_config, next)) {
      pending_listener.reset();
      reopen_timer.cancel();
      return;
    }
    if (next.address != listener_config.address || next.port != listener_config.port ||
        next.port == 0) {
      auto fresh = openListener(next);
      TAKAHE_LOG(logger, AGENT_LISTENER_CHANGED, describe(listener_config), describe(next));
      retire(std::move(listener));
      listener = std::move(fresh);
      listener_config = next;
      pending_listener.reset();
      reopen_timer.cancel();
      return;
    }
    pending_listener = next;
    reopen_timer.expires_after(kAnswerGrace);
    reopen_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        reopenListener();
      }
    });
  }

  void reopenListener() {
    if (!pending_listener) {
      return;
    }
    http::ServerConfig next = *pending_listener;
    pending_listener.reset();
    http::ServerConfig old = listener_config;
    listener->stop();
    listener.reset();
    try {
      listener = openListener(next);
      listener_config = next;
      TAKAHE_LOG(logger, AGENT_LISTENER_CHANGED, describe(old), describe(next));
    } catch (const std::exception& e) {
      try {
        listener = openListener(old);
        TAKAHE_LOG(logger, AGENT_LISTENER_RESTART_FAIL, e.what(),
                   "the previous listener serves again with its old settings");
      } catch (const std::exception& e2) {
        TAKAHE_LOG(logger, AGENT_LISTENER_RESTART_FAIL, e.what(),
                   std::string("the previous listener cannot be reopened either (") + e2.what() +
                       "); takahe-agent stops");
        exit_code = 1;
        io.stop();
      }
    }
  }

  /// Closes a replaced listener once the answer it is writing has left.
  void retire(std::unique_ptr<http::HttpServer> old) {
    retired.push_back(std::move(old));
    retire_timer.expires_after(kAnswerGrace);
    retire_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) {
        return;
      }
      for (auto& srv : retired) {
        srv->stop();
      }
      retired.clear();
    });
  }

  /// Moves the agent to `cfg`, all or nothing: hook libraries are checked before anything
  /// changes, loaded before the listener moves, and loaded again as they were when a later step
  /// fails.
  void applyConfig(AgentConfigPtr cfg, bool initial) {
    AgentConfigPtr previous = config;
    AgentHooks::validate(cfg->hooks_libraries);
    log::configure(cfg->loggers);  // validates first, changes nothing on error
    bool hooks_changed = false;
    try {
      hooks_changed = hooks.replace(cfg->hooks_libraries);  // restores the old set on failure
      updateListener(*cfg);
    } catch (...) {
      if (hooks_changed) {
        hooks.restore(previous ? previous->hooks_libraries
                               : std::vector<takahe::hooks::HookLibraryConfig>{});
      }
      if (previous) {
        try {
          log::configure(previous->loggers);
        } catch (...) {
        }
      }
      throw;
    }
    forwarder.setTimeout(cfg->forward_timeout);
    config = std::move(cfg);
    if (!initial) {
      reload_time = nowUnixSeconds();
    }
    for (const auto& w : config->warnings) {
      TAKAHE_LOG(logger, AGENT_CONFIG_WARNING, w);
    }
  }

  void stopAll() {
    reopen_timer.cancel();
    if (listener) {
      listener->stop();
    }
    for (auto& srv : retired) {
      srv->stop();
    }
    io.stop();
  }

  void waitSignals(AgentServer& owner) {
    signals.async_wait([this, &owner](const boost::system::error_code& ec, int sig) {
      if (ec) {
        return;
      }
      if (sig == SIGHUP) {
        owner.reload();
        waitSignals(owner);
        return;
      }
      TAKAHE_LOG(logger, AGENT_SHUTDOWN, sig == SIGTERM ? "SIGTERM" : "SIGINT");
      stopAll();
    });
  }

  // --- AgentControl -------------------------------------------------------------------------

  AgentConfigPtr currentConfig() const override { return config; }
  const std::string& configFile() const override { return opts.config_file; }
  void applyConfig(AgentConfigPtr cfg) override { applyConfig(std::move(cfg), false); }
  int64_t startTime() const override { return start_time; }
  int64_t reloadTime() const override { return reload_time; }

  void shutdown(int exit_value) override {
    exit_code = exit_value;
    TAKAHE_LOG(logger, AGENT_SHUTDOWN, "shutdown command");
    shutdown_timer.expires_after(kAnswerGrace);
    shutdown_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        stopAll();
      }
    });
  }
};

AgentServer::AgentServer(AgentOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
}

AgentServer::~AgentServer() {
  // Libraries go while everything they may reach still exists.
  impl_->hooks.unloadAll();
}

void AgentServer::start() {
  auto& m = *impl_;
  TAKAHE_LOG(m.logger, AGENT_STARTING, TAKAHE_VERSION, ::getpid());
  AgentConfigPtr cfg;
  try {
    cfg = loadAgentConfigFile(m.opts.config_file);
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, AGENT_CONFIG_LOAD_FAIL, m.opts.config_file, e.what());
    throw;
  }
  registerAgentCommands(m.registry, m);
  m.applyConfig(cfg, true);
  TAKAHE_LOG(m.logger, AGENT_CONFIG_LOADED, m.opts.config_file, m.config->control_sockets.size());
  m.waitSignals(*this);
  http::ServerConfig bound = m.listener_config;
  bound.port = m.listener->port();
  TAKAHE_LOG(m.logger, AGENT_STARTED, TAKAHE_VERSION, describe(bound));
}

int AgentServer::run() {
  impl_->io.run();
  // Libraries' unload() runs while logging is still up.
  impl_->hooks.unloadAll();
  return impl_->exit_code;
}

void AgentServer::stop() {
  asio::post(impl_->io, [m = impl_.get()] { m->stopAll(); });
}

bool AgentServer::reload() {
  auto& m = *impl_;
  try {
    m.applyConfig(loadAgentConfigFile(m.opts.config_file), false);
    TAKAHE_LOG(m.logger, AGENT_RECONFIGURED, m.opts.config_file);
    return true;
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, AGENT_RECONFIGURE_FAIL, m.opts.config_file, e.what());
    return false;
  }
}

uint16_t AgentServer::port() const { return impl_->listener ? impl_->listener->port() : 0; }

}  // namespace takahe::agent
