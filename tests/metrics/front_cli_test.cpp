// `pelnas front` as a user runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

namespace pelnas {
namespace {

std::string shipped_rows(const std::string& file, const std::string& prefix) {
  std::istringstream in(test::read_file(test::data_dir() + "/" + file));
  std::string line, out;
  std::getline(in, line);
  out = line + "\n";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) out += line + "\n";
  return out;
}

TEST(FrontCli, CsvIsByteIdenticalToTheShippedFront) {
  const std::string data = "--data=" + test::data_dir();
  // The shipped fronts have every cell as a candidate: --include-degenerate.
  auto r = test::run_cli({"front", "--dataset", "cifar10", "--device", "fpga", "--metric", "energy", "--csv",
                          "--include-degenerate", data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, shipped_rows("nb201_pareto_fronts.csv", "cifar10,fpga_energy,"));
  // By default the degenerate cells are not candidates; on fpga energy none of them is on the front,
  // so only n_candidates changes (15625 - 341).
  auto def = test::run_cli({"front", "--dataset", "cifar10", "--device", "fpga", "--metric", "energy", "--csv", data});
  ASSERT_EQ(def.exit_code, 0) << def.err;
  std::string expected = r.out;
  for (std::size_t p = expected.find(",15625,"); p != std::string::npos; p = expected.find(",15625,", p))
    expected.replace(p, 7, ",15284,");
  EXPECT_EQ(def.out, expected);
  r = test::run_cli({"front", "--dataset", "cifar10", "--device", "edgetpu", "--csv", data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, shipped_rows("nb201_pareto_fronts_subset.csv", "cifar10,edgetpu_latency,"));
}

TEST(FrontCli, JsonAndTable) {
  auto r = test::run_cli({"front", "--dataset", "cifar100", "--device", "flops", "--json", "--data=" + test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("front_size").get<int>(), 13);
  EXPECT_EQ(j.at("front").size(), 13u);
  EXPECT_EQ(j.at("front").back().at("index").get<int>(), 9930);  // best cifar100 accuracy
  r = test::run_cli({"front", "--data=" + test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fpga_latency"), std::string::npos);
  EXPECT_NE(r.out.find("6111"), std::string::npos);
}

TEST(FrontCli, BadInputExitsTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"front", "--device", "toaster"},
                                                                {"front", "--dataset", "mnist"},
                                                                {"front", "--metric", "speed"},
                                                                {"front", "--device", "edgetpu", "--metric", "energy"}}) {
    auto a = args;
    a.push_back("--data=" + test::data_dir());
    const auto r = test::run_cli(a);
    EXPECT_EQ(r.exit_code, 2) << args[2];
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace pelnas
