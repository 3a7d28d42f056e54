#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"

using takahe::cc::Value;
using takahe::stats::Counter;
using takahe::stats::StatsStore;
using namespace std::chrono_literals;

namespace {

const std::string kTs = R"("\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")";

// Sample values of one statistic in a statistic-get answer, newest first.
std::vector<int64_t> sampleValues(const Value& answer, const std::string& name) {
  std::vector<int64_t> out;
  const Value* samples = answer.find(name);
  REQUIRE(samples != nullptr);
  for (const auto& s : samples->asList()) {
    REQUIRE(s.asList().size() == 2);
    out.push_back(s.asList()[0].asInt());
  }
  return out;
}

}  // namespace

TEST_CASE("statistic-get answers in Kea's shape, newest sample first", "[stats]") {
  StatsStore stats;
  stats.set("pkt4-received", 124);
  Counter received = stats.counter("pkt4-received");
  received.inc();
  Value v = stats.get("pkt4-received");
  std::regex re("^\\{\"pkt4-received\":\\[\\[125," + kTs + "\\],\\[124," + kTs + "\\]\\]\\}$");
  INFO(v.toJson());
  CHECK(std::regex_match(v.toJson(), re));
  // Reading again without a change adds no sample.
  CHECK(sampleValues(stats.get("pkt4-received"), "pkt4-received") ==
        std::vector<int64_t>{125, 124});
  // Timestamps are not older than their successors.
  const Value again = stats.get("pkt4-received");
  const auto& list = again.find("pkt4-received")->asList();
  CHECK(list[0].asList()[1].asString() >= list[1].asList()[1].asString());
}

TEST_CASE("unknown statistics give an empty map and false", "[stats]") {
  StatsStore stats;
  CHECK(stats.get("nope").toJson() == "{}");
  CHECK(stats.getAll().toJson() == "{}");
  CHECK_FALSE(stats.exists("nope"));
  CHECK(stats.value("nope") == 0);
  CHECK_FALSE(stats.reset("nope"));
  CHECK_FALSE(stats.remove("nope"));
  CHECK_FALSE(stats.setMaxSampleAge("nope", 10s));
  CHECK_FALSE(stats.setMaxSampleCount("nope", 10));
}

TEST_CASE("statistic-get-all lists every statistic by name with its samples", "[stats]") {
  StatsStore stats;
  stats.set("subnet[1].assigned-addresses", 7);
  stats.counter("pkt4-received").add(3);
  stats.add("pkt4-discover-received", 2);
  Value all = stats.getAll();
  REQUIRE(all.isMap());
  std::vector<std::string> keys;
  for (const auto& [k, v] : all.asMap()) {
    keys.push_back(k);
  }
  CHECK(keys == std::vector<std::string>{"pkt4-discover-received", "pkt4-received",
                                         "subnet[1].assigned-addresses"});
  CHECK(sampleValues(all, "pkt4-received") == std::vector<int64_t>{3, 0});
  CHECK(sampleValues(all, "subnet[1].assigned-addresses") == std::vector<int64_t>{7});
  CHECK(sampleValues(all, "pkt4-discover-received") == std::vector<int64_t>{2});
  CHECK(stats.names() == keys);
  CHECK(stats.size() == 3);
  CHECK(stats.value("pkt4-received") == 3);
}

TEST_CASE("history keeps 20 samples by default and follows the count limit", "[stats]") {
  StatsStore stats;
  for (int i = 1; i <= 30; ++i) {
    stats.set("x", i);
  }
  auto values = sampleValues(stats.get("x"), "x");
  REQUIRE(values.size() == 20);
  CHECK(values.front() == 30);
  CHECK(values.back() == 11);

  CHECK(stats.setMaxSampleCount("x", 5));
  CHECK(sampleValues(stats.get("x"), "x") == std::vector<int64_t>{30, 29, 28, 27, 26});
  stats.set("x", 31);
  CHECK(sampleValues(stats.get("x"), "x") == std::vector<int64_t>{31, 30, 29, 28, 27});
  CHECK_THROWS_AS(stats.setMaxSampleCount("x", 0), takahe::Error);

  // The -all variant applies to existing statistics and to new ones.
  stats.set("y", 1);
  stats.set("y", 2);
  stats.set("y", 3);
  stats.setMaxSampleCountAll(2);
  CHECK(sampleValues(stats.get("x"), "x") == std::vector<int64_t>{31, 30});
  CHECK(sampleValues(stats.get("y"), "y") == std::vector<int64_t>{3, 2});
  for (int i = 0; i < 5; ++i) {
    stats.set("z", i);
  }
  CHECK(sampleValues(stats.get("z"), "z") == std::vector<int64_t>{4, 3});

  // A store built with a custom default count.
  StatsStore small(3);
  for (int i = 0; i < 5; ++i) {
    small.set("a", i);
  }
  CHECK(sampleValues(small.get("a"), "a") == std::vector<int64_t>{4, 3, 2});
}

TEST_CASE("the age limit drops old samples and replaces the count limit", "[stats]") {
  StatsStore stats;
  for (int i = 0; i < 30; ++i) {
    stats.set("x", i);
  }
  // Age 0: only the current value survives.
  CHECK(stats.setMaxSampleAge("x", 0s));
  CHECK(sampleValues(stats.get("x"), "x") == std::vector<int64_t>{29});
  // Age 1 s: 25 quick samples are all kept (no count limit any more) ...
  CHECK(stats.setMaxSampleAge("x", 1s));
  for (int i = 100; i < 125; ++i) {
    stats.set("x", i);
  }
  CHECK(sampleValues(stats.get("x"), "x").size() == 26);
  // ... until they are older than a second.
  std::this_thread::sleep_for(1100ms);
  stats.set("x", 200);
  CHECK(sampleValues(stats.get("x"), "x") == std::vector<int64_t>{200});

  // Defaults with count 0 put new statistics under the age limit.
  StatsStore aged(0, 0s);
  for (int i = 0; i < 5; ++i) {
    aged.set("a", i);
  }
  CHECK(sampleValues(aged.get("a"), "a") == std::vector<int64_t>{4});
  aged.setMaxSampleAgeAll(3600s);
  for (int i = 5; i < 30; ++i) {
    aged.set("b", i);
  }
  CHECK(sampleValues(aged.get("b"), "b").size() == 25);
}

TEST_CASE("counter writes are sampled lazily and the first sample is the current value",
          "[stats]") {
  StatsStore stats;
  Counter c = stats.counter("pkt4-ack-sent");
  CHECK(stats.exists("pkt4-ack-sent"));
  CHECK(sampleValues(stats.get("pkt4-ack-sent"), "pkt4-ack-sent") == std::vector<int64_t>{0});
  c.inc();
  c.inc();
  c.add(5);
  CHECK(c.value() == 7);
  // Three writes, one new sample: history granularity is the read.
  CHECK(sampleValues(stats.get("pkt4-ack-sent"), "pkt4-ack-sent") == std::vector<int64_t>{7, 0});
  c.set(3);
  stats.snapshot();
  c.inc();
  CHECK(sampleValues(stats.get("pkt4-ack-sent"), "pkt4-ack-sent") ==
        std::vector<int64_t>{4, 3, 7, 0});
  // Obtaining a second handle keeps the value.
  Counter again = stats.counter("pkt4-ack-sent");
  again.inc();
  CHECK(c.value() == 5);
  CHECK(stats.value("pkt4-ack-sent") == 5);
}

TEST_CASE("reset sets the value to 0 with one fresh sample", "[stats]") {
  StatsStore stats;
  Counter c = stats.counter("a");
  c.add(10);
  stats.set("b", 4);
  stats.set("b", 5);
  CHECK(stats.reset("a"));
  CHECK(c.value() == 0);
  CHECK(sampleValues(stats.get("a"), "a") == std::vector<int64_t>{0});
  c.inc();
  CHECK(sampleValues(stats.get("a"), "a") == std::vector<int64_t>{1, 0});
  stats.resetAll();
  CHECK(sampleValues(stats.get("a"), "a") == std::vector<int64_t>{0});
  CHECK(sampleValues(stats.get("b"), "b") == std::vector<int64_t>{0});
  CHECK(stats.value("b") == 0);
}

TEST_CASE("removed statistics disappear until written again", "[stats]") {
  StatsStore stats;
  Counter c = stats.counter("pkt4-received");
  c.add(9);
  stats.set("other", 1);
  CHECK(stats.remove("pkt4-received"));
  CHECK_FALSE(stats.exists("pkt4-received"));
  CHECK(stats.get("pkt4-received").toJson() == "{}");
  CHECK(stats.names() == std::vector<std::string>{"other"});
  CHECK_FALSE(stats.remove("pkt4-received"));
  // Writing through the old handle brings it back, counting from 0.
  c.inc();
  CHECK(stats.exists("pkt4-received"));
  CHECK(sampleValues(stats.get("pkt4-received"), "pkt4-received") == std::vector<int64_t>{1});
  // So does a control-plane write.
  stats.remove("other");
  stats.add("other", 2);
  CHECK(sampleValues(stats.get("other"), "other") == std::vector<int64_t>{2});
}

TEST_CASE("counter handles survive removeAll", "[stats]") {
  StatsStore stats;
  std::vector<Counter> counters;
  for (int i = 0; i < 50; ++i) {
    counters.push_back(stats.counter("subnet[" + std::to_string(i) + "].assigned-addresses"));
    counters.back().add(i);
  }
  stats.removeAll();
  CHECK(stats.getAll().toJson() == "{}");
  CHECK(stats.size() == 0);
  counters[7].add(3);
  counters[42].set(11);
  Value all = stats.getAll();
  CHECK(all.size() == 2);
  CHECK(sampleValues(all, "subnet[7].assigned-addresses") == std::vector<int64_t>{3});
  CHECK(sampleValues(all, "subnet[42].assigned-addresses") == std::vector<int64_t>{11});
  // A detached counter ignores writes.
  Counter detached;
  detached.inc();
  CHECK_FALSE(detached.attached());
  CHECK(detached.value() == 0);
  CHECK(counters[0].attached());
}

TEST_CASE("increments from 4 threads sum exactly while the control thread reads", "[stats]") {
  StatsStore stats;
  Counter received = stats.counter("pkt4-received");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200000;
  std::atomic<bool> done{false};
  std::atomic<bool> reading{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&stats, &reading, t] {
      // Start once the reader runs, so that reads and writes overlap (bounded wait).
      for (int spin = 0; spin < 1000000 && !reading.load(); ++spin) {
        std::this_thread::yield();
      }
      Counter c = stats.counter("pkt4-received");
      Counter own = stats.counter("worker[" + std::to_string(t) + "].packets");
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        own.add(2);
      }
    });
  }
  // Catch2 assertions are not thread-safe: the reader only records what it saw.
  bool monotonic = true;
  int reads = 0;
  std::thread reader([&] {
    int64_t last = 0;
    for (int i = 0; i < 100000 && (i < 100 || !done.load()); ++i) {
      Value v = stats.get("pkt4-received");
      int64_t newest = v.find("pkt4-received")->asList().front().asList()[0].asInt();
      monotonic = monotonic && newest >= last;  // only increments happen
      last = newest;
      stats.snapshot();
      (void)stats.getAll();
      ++reads;
      reading = true;
    }
  });
  for (auto& w : workers) {
    w.join();
  }
  done = true;
  reader.join();
  CHECK(monotonic);
  CHECK(reads > 0);
  CHECK(received.value() == int64_t{kThreads} * kPerThread);
  CHECK(sampleValues(stats.get("pkt4-received"), "pkt4-received").front() ==
        int64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    CHECK(stats.value("worker[" + std::to_string(t) + "].packets") == 2 * kPerThread);
  }
}

TEST_CASE("reset and remove race safely with counter writes", "[stats]") {
  StatsStore stats;
  Counter c = stats.counter("busy");
  std::atomic<bool> done{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < 2; ++t) {
    workers.emplace_back([c, &done] {
      for (int i = 0; i < 2000000 && !done.load(std::memory_order_relaxed); ++i) {
        c.inc();
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    switch (i % 4) {
      case 0:
        stats.reset("busy");
        break;
      case 1:
        stats.removeAll();
        break;
      case 2:
        (void)stats.getAll();
        break;
      default:
        stats.setMaxSampleCountAll(1 + i % 7);
    }
  }
  done = true;
  for (auto& w : workers) {
    w.join();
  }
  // After the writers stop, one more write makes the statistic visible with a sane value.
  c.inc();
  CHECK(stats.exists("busy"));
  CHECK(stats.value("busy") >= 1);
  CHECK(stats.value("busy") <= 4000001);
}
