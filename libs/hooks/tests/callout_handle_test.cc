#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "takahe/hooks/callout_handle.h"

using namespace takahe::hooks;

TEST_CASE("callout handle arguments keep their type") {
  CalloutHandle h;
  h.setArgument("count", 5);
  h.setArgument("name", std::string("eth0"));
  int count = 0;
  h.getArgument("count", count);
  CHECK(count == 5);
  std::string wrong;
  CHECK_THROWS_AS(h.getArgument("count", wrong), NoSuchArgument);
  CHECK_THROWS_AS(h.getArgument("missing", count), NoSuchArgument);
  *h.argument<int>("count") = 9;
  h.getArgument("count", count);
  CHECK(count == 9);
  CHECK(h.argument<double>("count") == nullptr);
  CHECK(h.getArgumentNames() == std::vector<std::string>{"count", "name"});
  h.deleteArgument("count");
  CHECK_FALSE(h.hasArgument("count"));
  h.deleteAllArguments();
  CHECK(h.getArgumentNames().empty());
}

TEST_CASE("callout handle contexts are private to each library") {
  CalloutHandle h;
  h.setCurrentLibrary(0);
  h.setContext("k", 1);
  h.setCurrentLibrary(1);
  CHECK_FALSE(h.hasContext("k"));
  int v = 0;
  CHECK_THROWS_AS(h.getContext("k", v), NoSuchArgument);
  h.setContext("k", 2);
  h.setCurrentLibrary(0);
  h.getContext("k", v);
  CHECK(v == 1);
  h.dropContexts(0);
  CHECK_FALSE(h.hasContext("k"));
  h.setCurrentLibrary(1);
  h.getContext("k", v);
  CHECK(v == 2);
}

TEST_CASE("prepare resets the next step") {
  CalloutHandle h;
  h.setStatus(NextStep::kDrop);
  h.prepare("pkt4_send", nullptr);
  CHECK(h.getStatus() == NextStep::kContinue);
  CHECK(h.hookName() == "pkt4_send");
  CHECK(std::string(nextStepName(NextStep::kPark)) == "park");
}
