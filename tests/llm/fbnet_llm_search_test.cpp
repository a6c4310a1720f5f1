// `pelnas search --space fbnet --operator llm` against the local fake OpenAI-compatible server: the
// prompts are the FBNet templates (prompts/fbnet/) filled with the space's description, example and
// the FLOPs bin of the niche; the model's children are checked through the space, so a reply naming
// an unknown block is rejected, counted and corrected (the correction names the layer), never
// evaluated. No real model is reachable from the test machines; the scripted model stands in.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "common/csv.h"
#include "common/rng.h"
#include "hardware/fbnet_lut.h"
#include "space/fbnet_arch.h"
#include "llm/fake_chat_server.h"
#include "pelnas_build_paths.h"
#include "space/search_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

std::string evaluator() { return test::evaluator_fixture_command("fbnet_evaluator.py"); }

// The space's example with layer 5 renamed to a block FBNet does not have.
std::string illegal_string(const SearchSpace& space) {
  Encoding e = space.parse(space.prompt_example());
  std::string s;
  for (int l = 0; l < space.length(); ++l) s += (l ? "-" : "") + (l == 5 ? std::string("k7_e9") : space.positions()[l].choices[e[l]]);
  return s;
}

struct ModelLog {
  std::mutex mutex;
  std::set<std::string> proposed;  // legal strings the model gave
  int proposals = 0;
};

// A deterministic stand-in for a chat model: reads the niche's FLOPs range from the prompt and
// proposes sampled FBNet networks inside it (with a margin for the printed precision); its first
// proposal is a single child with an illegal block name.
std::function<ScriptedReply(const nlohmann::json&)> scripted_model(std::shared_ptr<const SearchSpace> space,
                                                                   std::shared_ptr<ModelLog> log) {
  return [space, log](const nlohmann::json& req) {
    const std::string text = test::request_text(req);
    if (text.find("Task: revise") != std::string::npos)
      return ScriptedReply::ok(R"({"positive": [{"rule": "use k5_e6 in the last stage", "evidence": []}], "negative": ["avoid skip in stage 1"]})");
    std::smatch m;
    double lo = 0, hi = 1e300;
    if (std::regex_search(text, m, std::regex(R"(flops in \[([0-9.e+-]+), ([0-9.e+-]+)\))"))) {
      lo = std::stod(m[1]);
      hi = std::stod(m[2]);
    } else if (std::regex_search(text, m, std::regex(R"(flops at least ([0-9.e+-]+))"))) {
      lo = std::stod(m[1]);
    } else {
      return ScriptedReply::ok("I do not understand the niche.");
    }
    std::lock_guard lock(log->mutex);
    const int call = ++log->proposals;
    nlohmann::json kids = nlohmann::json::array();
    if (call == 1) {  // only the illegal child, so the operator must ask again
      kids.push_back({{"architecture_code", illegal_string(*space)}, {"rationale", "a 7x7 kernel"}});
      return ScriptedReply::ok(nlohmann::json{{"children", kids}}.dump());
    }
    Rng rng(static_cast<std::uint64_t>(call));
    for (int tries = 0; tries < 20000 && kids.size() < 4; ++tries) {
      const Encoding e = space->sample(rng);
      const double flops = space->feature_value(e, "flops");
      const std::string s = space->print(e);
      if (flops < lo * (1 + 1e-4) || flops > hi * (1 - 1e-4) || log->proposed.count(s) || text.find(s) != std::string::npos) continue;
      log->proposed.insert(s);
      kids.push_back({{"architecture_code", s}, {"rationale", "one parent's stages with larger kernels"}});
    }
    return ScriptedReply::ok(nlohmann::json{{"children", kids}}.dump());
  };
}

TEST(FbnetLlmSearch, ProposalsAreCheckedThroughTheSpaceAndIllegalBlocksAreRejectedNotEvaluated) {
  std::shared_ptr<const SearchSpace> space = make_search_space("fbnet", "cifar100");
  const std::string root = test::temp_dir("fbnet-llm");
  const std::string out = root + "/run", asked = root + "/asked.txt";
  auto log = std::make_shared<ModelLog>();
  FakeChatServer server;
  server.set_fallback(scripted_model(space, log));
  const auto r = test::run_cli({"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "pixel3", "--algorithm",
                                "pelnas", "--budget", "20", "--seeds-per-niche", "2", "--seed", "3", "--evaluator", evaluator(),
                                "--operator", "llm", "--llm-model", "test-model", "--llm-base-url", server.base_url(),
                                "--llm-timeout", "5", "--llm-concurrency", "1", "--out", out, "--json"},
                               {"FBNET_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The archive: the budget spent on distinct legal FBNet strings, some of them the model's children.
  const auto t = CsvTable::read(out + "/archive.csv");
  ASSERT_EQ(t.rows(), 20u);
  std::set<std::string> archs;
  int from_model = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string s(t.cell(i, t.column("arch_str")));
    EXPECT_EQ(space->print(space->parse(s)), s);
    EXPECT_TRUE(archs.insert(s).second) << s << " evaluated twice";
    if (t.integer(i, t.column("generation")) > 0) {
      EXPECT_TRUE(log->proposed.count(s)) << s << " was evaluated as a child but the model never proposed it";
      ++from_model;
    }
  }
  EXPECT_GE(from_model, 1);

  // The illegal reply was rejected and counted, never evaluated.
  const std::string bad = illegal_string(*space);
  EXPECT_EQ(archs.count(bad), 0u);
  EXPECT_EQ(test::read_file(asked).find("k7_e9"), std::string::npos);
  const auto summary = nlohmann::json::parse(r.out);
  const auto& counters = summary.at("operator_stats").at("counters");
  EXPECT_GE(counters.value("rejected:illegal_cell", 0), 1) << counters.dump();
  EXPECT_GE(counters.value("children_accepted", 0), from_model) << counters.dump();

  // The prompts: FBNet's system text with the space's description and example (no NB201 cell),
  // the niche's FLOPs range, and a correction naming the layer of the unknown block.
  const auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  bool corrected = false, niche_range = false;
  for (const auto& q : requests) {
    const auto& msgs = q.body.at("messages");
    ASSERT_EQ(msgs.at(0).at("role"), "system");
    const std::string sys = msgs.at(0).at("content").get<std::string>();
    EXPECT_NE(sys.find(space->prompt_description()), std::string::npos) << sys;
    EXPECT_NE(sys.find(space->prompt_example()), std::string::npos) << sys;
    EXPECT_EQ(sys.find("NAS-Bench-201"), std::string::npos) << sys;
    const std::string text = test::request_text(q.body);
    if (text.find("could not be fully used") != std::string::npos && text.find("position 5 is 'k7_e9'") != std::string::npos)
      corrected = true;
    if (std::regex_search(text, std::regex(R"(Niche "flops [0-9] of [0-9]": flops (in \[|at least))"))) niche_range = true;
  }
  EXPECT_TRUE(corrected) << "no corrective message named the unknown block";
  EXPECT_TRUE(niche_range);
  EXPECT_TRUE(std::filesystem::exists(out + "/llm_cache.sqlite"));
}

// Three objectives on FBNet through the llm operator: the prompts name both costs of the device with
// their units, every child's costs are the LUT's (checked against FbnetLut), the front is
// non-dominated in all three objectives.
TEST(FbnetLlmSearch, ThreeObjectivePromptsNameEveryCostAndChildrenCarryBoth) {
  std::shared_ptr<const SearchSpace> space = make_search_space("fbnet", "cifar100");
  const std::string out = test::temp_dir("fbnet-llm-3obj") + "/run";
  auto log = std::make_shared<ModelLog>();
  FakeChatServer server;
  server.set_fallback(scripted_model(space, log));
  const auto r = test::run_cli({"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "fpga", "--objectives",
                                "accuracy,latency,energy", "--algorithm", "pelnas", "--budget", "20", "--seeds-per-niche", "2",
                                "--seed", "5", "--evaluator", evaluator(), "--operator", "llm", "--llm-model", "test-model",
                                "--llm-base-url", server.base_url(), "--llm-timeout", "5", "--llm-concurrency", "1", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FbnetLut lut = FbnetLut::load(test::data_dir() + "/fbnet_hw_lut.csv");
  const auto t = CsvTable::read(out + "/archive.csv");
  ASSERT_EQ(t.rows(), 20u);
  int children = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const FbnetArch a = FbnetArch::parse(t.cell(i, t.column("arch_str")));
    EXPECT_NEAR(t.number(i, t.column("latency")), lut.cost(a, FbnetDataset::Cifar100, "fpga_latency"), 1e-9);
    EXPECT_NEAR(t.number(i, t.column("energy")), lut.cost(a, FbnetDataset::Cifar100, "fpga_energy"), 1e-9);
    children += t.integer(i, t.column("generation")) > 0;
  }
  EXPECT_GE(children, 1);
  bool named = false;
  for (const auto& q : server.requests()) {
    const std::string text = test::request_text(q.body);
    named = named || (text.find("fpga_latency, fpga_energy") != std::string::npos && text.find("mJ") != std::string::npos);
  }
  EXPECT_TRUE(named) << "no prompt named both cost objectives";
}

// A run stopped after generation 1 and resumed ends exactly as an uninterrupted run: the resumed run
// re-runs the seeded search, the prompts already answered come from the run's response cache (the
// model is not asked them again), and the rest are asked in the same order.
TEST(FbnetLlmSearch, StoppedRunResumesToTheUninterruptedResult) {
  std::shared_ptr<const SearchSpace> space = make_search_space("fbnet", "cifar100");
  const std::string root = test::temp_dir("fbnet-llm-resume");
  auto run = [&](FakeChatServer& server, const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a = {"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "pixel3", "--algorithm",
                                  "pelnas", "--budget", "36", "--seeds-per-niche", "2", "--children-per-call", "2", "--seed", "5",
                                  "--evaluator", evaluator(), "--operator", "llm", "--llm-model", "test-model", "--llm-base-url",
                                  server.base_url(), "--llm-timeout", "5", "--llm-concurrency", "1", "--out", out};
    a.insert(a.end(), extra.begin(), extra.end());
    return test::run_cli(a);
  };
  FakeChatServer whole_server, cut_server;
  whole_server.set_fallback(scripted_model(space, std::make_shared<ModelLog>()));
  cut_server.set_fallback(scripted_model(space, std::make_shared<ModelLog>()));
  const auto w = run(whole_server, root + "/whole", {});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const auto stopped = run(cut_server, root + "/cut", {"--stop-after-generation", "1"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("stopped after generation 1"), std::string::npos) << stopped.out;
  const std::size_t asked_before = cut_server.requests().size();
  ASSERT_GE(asked_before, 1u);
  const auto resumed = test::run_cli({"search", "--resume", root + "/cut"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv"})
    EXPECT_EQ(test::read_file(root + "/cut/" + f), test::read_file(root + "/whole/" + f)) << f;
  const auto t = CsvTable::read(root + "/cut/archive.csv");
  EXPECT_EQ(t.rows(), 36u);
  EXPECT_GT(t.integer(t.rows() - 1, t.column("generation")), 1);
  // Every prompt was sent to the model once over the stop and the resume, as in the uninterrupted run.
  EXPECT_EQ(cut_server.requests().size(), whole_server.requests().size());
  EXPECT_GT(cut_server.requests().size(), asked_before);
}

// A space without templates in the prompts directory is refused before anything is evaluated,
// naming the directory that was looked for.
TEST(FbnetLlmSearch, MissingSpaceTemplatesAreRefusedNamingTheDirectory) {
  const std::string root = test::temp_dir("fbnet-llm-noprompts");
  const std::string prompts = root + "/prompts", asked = root + "/asked.txt";
  std::filesystem::create_directories(prompts);
  for (const char* name : {"system", "knowledge_update", "guided_evolution", "corrective"})
    std::filesystem::copy_file(std::string(PELNAS_SOURCE_DIR) + "/prompts/" + name + ".md", prompts + "/" + name + ".md");
  const auto r = test::run_cli({"search", "--space", "fbnet", "--data", test::data_dir(), "--algorithm", "pelnas", "--budget", "20",
                                "--evaluator", evaluator(), "--operator", "llm", "--llm-model", "test-model", "--llm-base-url",
                                "http://127.0.0.1:9/v1", "--prompts", prompts, "--out", root + "/run"},
                               {"FBNET_EVALUATOR_ASKED=" + asked});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string& e : {std::string("no prompt templates for the fbnet space"), prompts + "/fbnet"})
    EXPECT_NE(r.err.find(e), std::string::npos) << "expected '" << e << "' in: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(asked)) << "an architecture was evaluated before the refusal";
}

}  // namespace
}  // namespace pelnas
