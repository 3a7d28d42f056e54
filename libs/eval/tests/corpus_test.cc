// Replays the fuzz seed corpus (tests/corpus/eval) through the fuzz target, so that every
// build runs it; the target aborts on any broken invariant.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

TEST_CASE("the fuzz target accepts every seed in the corpus", "[eval]") {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TAKAHE_EVAL_CORPUS)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    REQUIRE(in);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    CHECK(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()) == 0);
    ++count;
  }
  CHECK(count >= 10);
}
