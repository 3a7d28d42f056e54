// Load benchmark (hidden): ./dhcpsrv_tests "[bench]"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "lease_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

long rssKiB() {
  std::string status = readFile("/proc/self/status");
  auto pos = status.find("VmRSS:");
  return pos == std::string::npos ? -1 : std::strtol(status.c_str() + pos + 6, nullptr, 10);
}

double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("Loading a million leases", "[.bench]") {
  constexpr uint32_t kLeases = 1000000;
  TempDir dir;
  MemfileConfig cfg;
  cfg.path = dir.file("kea-leases4.csv");
  {
    // Typical rows: 6-byte MAC, client-id 01+MAC, a short hostname, 100 subnets.
    int fd = ::open(cfg.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    std::string buf = lease4CsvHeader();
    Lease4 l;
    l.valid_lifetime = 86400;
    for (uint32_t i = 0; i < kLeases; ++i) {
      l.address = IPv4Address(0x0a000000 + i * 7 % 0x00ffffff + 1);
      Bytes mac = {0x02,
                   0x00,
                   static_cast<uint8_t>(i >> 24),
                   static_cast<uint8_t>(i >> 16),
                   static_cast<uint8_t>(i >> 8),
                   static_cast<uint8_t>(i)};
      l.hwaddr = HwAddr(1, mac);
      Bytes cid = {1};
      cid.insert(cid.end(), mac.begin(), mac.end());
      l.client_id = ClientId(cid);
      l.cltt = 1700000000 + i % 86400;
      l.subnet_id = SubnetId(i % 100 + 1);
      l.hostname = "host-" + std::to_string(i);
      appendLease4CsvRow(buf, l);
      if (buf.size() > (1 << 20)) {
        REQUIRE(::write(fd, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size()));
        buf.clear();
      }
    }
    REQUIRE(::write(fd, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size()));
    ::close(fd);
  }
  malloc_trim(0);
  long before = rssKiB();
  auto start = std::chrono::steady_clock::now();
  double cpu = cpuSeconds();
  {
    MemfileLeaseStore4 store(cfg);
    double load = secondsSince(start);
    double load_cpu = cpuSeconds() - cpu;
    long after = rssKiB();
    REQUIRE(store.size() == kLeases);
    std::printf("memfile load: %u leases in %.2f s (%.2f s CPU); RSS +%ld KiB = %.0f bytes/lease\n",
                kLeases, load, load_cpu, after - before, (after - before) * 1024.0 / kLeases);

    auto q = std::chrono::steady_clock::now();
    size_t found = 0;
    for (uint32_t i = 0; i < 100000; ++i) {
      found +=
          store
              .getByHwAddr(HwAddr(1, Bytes{0x02, 0x00, 0, static_cast<uint8_t>(i >> 16),
                                           static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}))
              .size();
    }
    std::printf("100000 getByHwAddr: %.3f s (%zu found)\n", secondsSince(q), found);
    q = std::chrono::steady_clock::now();
    auto expired = store.getExpired(1700000000 + 86400 + 3600, 100);
    std::printf("getExpired(100): %.6f s (%zu)\n", secondsSince(q), expired.size());
    q = std::chrono::steady_clock::now();
    auto page = store.getBySubnet(SubnetId(7));
    std::printf("getBySubnet (10000 leases): %.3f s (%zu)\n", secondsSince(q), page.size());
    q = std::chrono::steady_clock::now();
    double ucpu = cpuSeconds();
    for (uint32_t i = 0; i < 100000; ++i) {
      auto l = store.getPage(IPv4Address(0x0a000000 + i * 67), 1);
      REQUIRE(l.size() == 1);
      l[0].cltt += 60;
      store.update(l[0]);
    }
    std::printf("100000 renewals (get + update + journal write): %.2f s (%.2f s CPU)\n",
                secondsSince(q), cpuSeconds() - ucpu);
    CHECK(found == 100000);
    CHECK(expired.size() == 100);
  }
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  std::rename(cfg.path.c_str(), paths.input.c_str());
  start = std::chrono::steady_clock::now();
  cpu = cpuSeconds();
  auto report = runLeaseFileCleanup4(paths);
  std::printf("lease file cleanup of %zu rows: %.2f s (%.2f s CPU)\n", report.rows_read,
              secondsSince(start), cpuSeconds() - cpu);
  CHECK(report.leases_written == kLeases);
}
