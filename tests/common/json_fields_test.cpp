// json_fields::get_integral: an integral read of a JSON number that refuses what the type cannot
// hold. nlohmann::json's get<int>() casts a float with static_cast (undefined behaviour outside the
// range: fuzz_checkpoint found "generations": 2e125 in a run's config.json), truncates 3.7 to 3 and
// wraps integers that do not fit.
#include "common/json_fields.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <new>

#include "run/search_run.h"
#include "search/pelnas_search.h"

namespace pelnas {
namespace {

using nlohmann::json;
using json_fields::get_integral;
using json_fields::IntegerOutOfRange;

TEST(JsonFields, GetIntegralTakesWhatFitsAndRefusesWhatDoesNot) {
  EXPECT_EQ(get_integral<int>(json(7)), 7);
  EXPECT_EQ(get_integral<int>(json(-7)), -7);
  EXPECT_EQ(get_integral<int>(json(3.0)), 3);  // an integral float is an integer
  EXPECT_EQ(get_integral<int>(json(std::numeric_limits<int>::max())), std::numeric_limits<int>::max());
  EXPECT_EQ(get_integral<int>(json(std::numeric_limits<int>::min())), std::numeric_limits<int>::min());
  EXPECT_EQ(get_integral<std::uint64_t>(json(std::numeric_limits<std::uint64_t>::max())), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(get_integral<std::int64_t>(json(-1.0e18)), -1000000000000000000LL);
  for (const json& bad : {json(2e125), json(-2e125), json(3.7), json(-0.5), json(2147483648.0), json(-2147483649.0),
                          json(std::int64_t{1} << 40), json(std::numeric_limits<std::uint64_t>::max())}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_THROW(get_integral<int>(bad), IntegerOutOfRange);
  }
  EXPECT_THROW(get_integral<std::size_t>(json(-1)), IntegerOutOfRange);
  EXPECT_THROW(get_integral<std::uint64_t>(json(-1.0)), IntegerOutOfRange);
  EXPECT_THROW(get_integral<std::uint64_t>(json(18446744073709551616.0)), IntegerOutOfRange);  // 2^64
  EXPECT_THROW(get_integral<std::int64_t>(json(9223372036854775808.0)), IntegerOutOfRange);    // 2^63
  EXPECT_THROW(get_integral<std::int64_t>(json(std::numeric_limits<std::uint64_t>::max())), IntegerOutOfRange);
  try {
    get_integral<int>(json(2e125));
  } catch (const Error& e) {  // bad input (exit code 2), not a library exception
    EXPECT_EQ(std::string(e.what()), "expected an integer in [-2147483648, 2147483647], got 2e+125");
  }
  EXPECT_THROW(get_integral<int>(json(true)), IntegerOutOfRange);  // the library reads it as 1
  // Not a number at all: the library's type error, as before.
  EXPECT_THROW(get_integral<int>(json("7")), nlohmann::json::type_error);
}

TEST(JsonFields, OptionsAndRunConfigsRefuseIntegersThatDoNotFitNamingTheField) {
  // The input fuzz_checkpoint found: a run's config.json whose search options hold 2e125.
  try {
    (void)PelnasSearchOptions::from_json({{"generations", 2e125}});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "pelnas search option 'generations': expected an integer in [-2147483648, 2147483647], got 2e+125");
  }
  EXPECT_THROW((void)PelnasSearchOptions::from_json({{"children_per_call", 2.5}}), Error);
  RunConfig c;
  c.data_dir = "/data";
  json j = c.to_json();
  j["search"]["generations"] = 2e125;
  try {
    (void)RunConfig::from_json(j);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "search: pelnas search option 'generations': expected an integer in [-2147483648, 2147483647], got 2e+125");
  }
}

TEST(JsonFields, MalformedDocumentMessageTakesBothKindsAndPassesOthersThrough) {
  // What a reader's catch (...) handler sees: the text of a library error or of an integer that
  // does not fit, for its one wrapper; any other exception (its own validation) goes on unchanged.
  const auto handled = [](const std::function<void()>& read) -> std::string {
    try {
      read();
    } catch (...) {
      return "malformed: " + json_fields::malformed_document_message();
    }
    return "no exception";
  };
  EXPECT_EQ(handled([] { const json doc = json::parse("{"); (void)doc; }).rfind("malformed: [json.exception.parse_error.101]", 0), 0u);
  EXPECT_EQ(handled([] { const json doc = json::parse("1e999"); (void)doc; }).rfind("malformed: [json.exception.out_of_range.406]", 0), 0u);
  EXPECT_EQ(handled([] { (void)get_integral<int>(json(3.5)); }), "malformed: expected an integer in [-2147483648, 2147483647], got 3.5");
  EXPECT_EQ(handled([] {}), "no exception");
  try {
    (void)handled([] { throw Error("a rule of the reader"); });
    FAIL() << "swallowed";
  } catch (const IntegerOutOfRange&) {
    FAIL() << "changed type";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "a rule of the reader");
  }
  EXPECT_THROW((void)handled([] { throw std::bad_alloc(); }), std::bad_alloc);
}

}  // namespace
}  // namespace pelnas
