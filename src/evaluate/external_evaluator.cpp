#include "evaluate/external_evaluator.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <spdlog/spdlog.h>
#include <sstream>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/line_process.h"

namespace pelnas {

namespace fs = std::filesystem;

void ExternalEvaluatorOptions::validate() const {
  if (command.find_first_not_of(" \t") == std::string::npos)
    throw Error("evaluator: 'command' is empty (give the program to run, e.g. --evaluator 'python3 my_eval.py')");
  if (!(timeout_seconds > 0) || !(timeout_seconds <= 7 * 24 * 3600.0))
    throw Error(fmt::format("evaluator: 'timeout_seconds' must be in (0, 604800] seconds, got {}", timeout_seconds));
  if (!working_dir.empty() && !fs::path(working_dir).is_absolute())
    throw Error("evaluator: 'working_dir' must be an absolute path, got '" + working_dir + "'");
}

nlohmann::json ExternalEvaluatorOptions::to_json() const {
  return {{"command", command}, {"working_dir", working_dir}, {"timeout_seconds", timeout_seconds}};
}

ExternalEvaluatorOptions ExternalEvaluatorOptions::from_json(const nlohmann::json& j) {
  namespace jf = json_fields;
  jf::object(j, "evaluator");
  ExternalEvaluatorOptions o;
  o.command = jf::string(jf::member(j, "evaluator", "command"), "evaluator.command", false);
  o.working_dir = jf::string(jf::member(j, "evaluator", "working_dir"), "evaluator.working_dir");
  o.timeout_seconds = jf::number(jf::member(j, "evaluator", "timeout_seconds"), "evaluator.timeout_seconds", 1e-3, 7 * 24 * 3600.0);
  o.validate();
  return o;
}

ExternalAccuracy::ExternalAccuracy(ExternalEvaluatorOptions options, Dataset dataset)
    : ExternalAccuracy(std::move(options), std::shared_ptr<const SearchSpace>(make_search_space("nb201", std::string(to_string(dataset))))) {}

ExternalAccuracy::ExternalAccuracy(ExternalEvaluatorOptions options, std::shared_ptr<const SearchSpace> space)
    : options_(std::move(options)), space_(std::move(space)) {
  options_.validate();
  if (!options_.run_dir.empty()) load_journal();
}

ExternalAccuracy::~ExternalAccuracy() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

std::string ExternalAccuracy::run_hint() const {
  if (options_.run_dir.empty()) return "";
  return fmt::format(" Its stderr is in {}. The {} answers received are kept in {}; continue with: pelnas search --resume {}",
                     (fs::path(options_.run_dir) / kEvaluatorLogFile).string(), answers_.size(),
                     (fs::path(options_.run_dir) / kEvaluatorResultsFile).string(), options_.run_dir);
}

void ExternalAccuracy::fail(const std::string& what) {
  std::string ended;
  if (process_) {
    ended = process_->finish(std::chrono::milliseconds(200));
    if (ended.rfind("did not exit", 0) == 0) ended = "was stopped by pelnas";
    process_.reset();
  }
  throw Error(fmt::format("evaluator `{}`: {}{}.{}", options_.command, what,
                          ended.empty() ? std::string() : " (the program " + ended + ")", run_hint()));
}

// Each line: {"arch": ..., "dataset": ..., "accuracy": x} or {"arch", "dataset", "error": "..."}.
// A last line without '\n' is the torn write of a killed process: dropped (and cut off the file).
void ExternalAccuracy::load_journal() {
  const std::string path = (fs::path(options_.run_dir) / kEvaluatorResultsFile).string();
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (!text.empty() && text.back() != '\n') {
      const auto keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
      spdlog::warn("{}: dropping an incomplete last line (written when the run was killed)", path);
      text.resize(keep);
      fs::resize_file(path, keep);
    }
    std::istringstream lines(text);
    std::string line;
    long number = 0;
    while (std::getline(lines, line)) {
      ++number;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        throw InputError(path, number, std::string("expected a JSON object: ") + e.what());
      }
      try {
        namespace jf = json_fields;
        jf::object(j, "(line)");
        std::string arch;
        try {
          arch = space_->print(space_->parse(jf::string(jf::member(j, "", "arch"), "arch")));
        } catch (const SpaceParseError& e) {
          throw Error(std::string("arch: ") + e.what());
        }
        const std::string ds = jf::string(jf::member(j, "", "dataset"), "dataset");
        if (ds != space_->dataset()) throw Error("dataset: expected " + space_->dataset() + " (this run's), got " + ds);
        Answer a;
        if (j.contains("accuracy")) a.accuracy = jf::number(j["accuracy"], "accuracy", 0, 100);
        else (void)jf::string(jf::member(j, "", "error"), "error");
        answers_[arch] = a;
      } catch (const InputError&) {
        throw;
      } catch (const Error& e) {
        throw InputError(path, number, e.what());
      }
    }
  }
}

void ExternalAccuracy::append_journal(const Item& item, const Answer& a, const std::string& error) {
  if (options_.run_dir.empty()) return;
  if (journal_fd_ < 0) {  // opened on the first answer: the run directory may not exist before
    const std::string path = (fs::path(options_.run_dir) / kEvaluatorResultsFile).string();
    journal_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (journal_fd_ < 0) throw Error("evaluator: cannot open " + path + ": " + std::strerror(errno));
  }
  nlohmann::json j = {{"arch", item.arch}, {"dataset", space_->dataset()}};
  if (item.index) j["index"] = *item.index;
  if (a.accuracy) j["accuracy"] = *a.accuracy;
  else j["error"] = error;
  const std::string line = j.dump() + "\n";
  // One write per line (O_APPEND): a kill leaves at most a torn last line, which load_journal drops.
  if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw Error(fmt::format("evaluator: cannot append to {}: {}", (fs::path(options_.run_dir) / kEvaluatorResultsFile).string(),
                            std::strerror(errno)));
}

std::optional<double> ExternalAccuracy::accuracy(int index, const Arch& arch) {
  const int indices[] = {index};
  const Arch archs[] = {arch};
  return accuracies(indices, archs).front();
}

std::vector<std::optional<double>> ExternalAccuracy::accuracies(std::span<const int> indices, std::span<const Arch> archs) {
  if (indices.size() != archs.size()) throw Error("ExternalAccuracy::accuracies: indices and archs differ in length");
  if (space_->name() != "nb201") throw Error("ExternalAccuracy: NB201 cells asked of an evaluator of the " + space_->name() + " space");
  std::vector<Item> items;
  items.reserve(archs.size());
  for (std::size_t i = 0; i < archs.size(); ++i) items.push_back({archs[i].str(), indices[i]});
  return ask(items);
}

std::vector<std::optional<double>> ExternalAccuracy::code_accuracies(const SearchSpace& space, std::span<const ArchCode> codes) {
  if (space.name() != space_->name() || space.dataset() != space_->dataset())
    throw Error("ExternalAccuracy: architectures of " + space.name() + "/" + space.dataset() + " asked of an evaluator of " +
                space_->name() + "/" + space_->dataset());
  std::vector<Item> items;
  items.reserve(codes.size());
  for (const ArchCode& c : codes) items.push_back({space_->print(c.encoding()), std::nullopt});
  return ask(items);
}

std::vector<std::optional<double>> ExternalAccuracy::ask(const std::vector<Item>& items) {
  // The batch: archs not answered before (by this process or in the journal), each once.
  std::map<std::int64_t, Item> pending;  // by id
  std::set<std::string> queued;
  nlohmann::json candidates = nlohmann::json::array();
  for (const Item& item : items) {
    if (answers_.count(item.arch) || !queued.insert(item.arch).second) continue;
    const std::int64_t id = next_id_++;
    pending.emplace(id, item);
    nlohmann::json c = {{"id", id}, {"space", space_->name()}, {"arch", item.arch}, {"dataset", space_->dataset()}};
    if (item.index) c["index"] = *item.index;
    candidates.push_back(std::move(c));
  }
  if (!pending.empty()) {
    if (!process_) {
      std::string log;
      if (!options_.run_dir.empty()) {
        log = (fs::path(options_.run_dir) / kEvaluatorLogFile).string();
        std::ofstream(log, std::ios::app) << fmt::format("--- pelnas: starting evaluator `{}` in {} (time {})\n",
                                                         options_.command, options_.working_dir.empty() ? "." : options_.working_dir,
                                                         static_cast<long long>(std::time(nullptr)));
      }
      process_ = std::make_unique<LineProcess>(options_.command, options_.working_dir, log);
      spdlog::info("evaluator started: `{}` (pid {})", options_.command, process_->pid());
    }
    const std::int64_t batch = ++batches_;
    const std::size_t total = pending.size();
    process_->send(nlohmann::json{{"protocol", kEvaluatorProtocol}, {"batch", batch}, {"candidates", candidates}}.dump() + "\n");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(options_.timeout_seconds));
    std::string line;
    std::size_t lines_read = 0;
    const auto where = [&] { return fmt::format("batch {} ({} candidates, {} answered)", batch, total, total - pending.size()); };
    while (!pending.empty()) {
      const auto status = process_->read_line(line, deadline);
      if (status == LineProcess::ReadStatus::Timeout)
        fail(fmt::format("no complete answer within {} s (--evaluator-timeout) for {}", options_.timeout_seconds, where()));
      if (status == LineProcess::ReadStatus::Eof)
        fail(fmt::format("closed its output (exited?) before answering {}", where()));
      if (status == LineProcess::ReadStatus::TooLong)
        fail(fmt::format("output line {} of {} is longer than 1 MiB", lines_read + 1, where()));
      ++lines_read;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines carry nothing
      const std::string shown = line.size() > 200 ? line.substr(0, 200) + "..." : line;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception&) {
        const bool non_finite = line.find("NaN") != std::string::npos || line.find("Infinity") != std::string::npos;
        fail(fmt::format("output line {} of {} is not JSON{}: '{}' (write one JSON object per line on stdout; logs go to stderr)",
                         lines_read, where(),
                         non_finite ? " (NaN/Infinity are not numbers in JSON: report a failed candidate with \"error\")" : "",
                         shown));
      }
      const auto bad = [&](const std::string& what) { fail(fmt::format("output line {} of {}: {}: '{}'", lines_read, where(), what, shown)); };
      if (!j.is_object()) bad("expected a JSON object {\"id\": ..., \"accuracy\": ...}");
      if (!j.contains("id")) bad("missing \"id\" (echo the id of the candidate it answers)");
      if (!j["id"].is_number_integer()) bad("\"id\" must be the integer id pelnas sent");
      const std::int64_t id = json_fields::get_integral<std::int64_t>(j["id"]);
      const auto it = pending.find(id);
      if (it == pending.end()) bad(fmt::format("unknown id {} (not a candidate of this batch, or answered twice)", id));
      for (const auto& [key, value] : j.items())
        if (key != "id" && key != "accuracy" && key != "error")
          bad("unknown field \"" + key + "\" (an answer has \"id\" and either \"accuracy\" (percent) or \"error\"; the cost comes from --device)");
      Answer a;
      std::string error;
      if (j.contains("accuracy") == j.contains("error")) bad("expected exactly one of \"accuracy\" and \"error\"");
      if (j.contains("accuracy")) {
        const auto& v = j["accuracy"];
        if (!v.is_number()) bad("\"accuracy\" must be a number (percent, 0-100)");
        const double x = v.get<double>();
        if (!std::isfinite(x) || x < 0 || x > 100) bad(fmt::format("\"accuracy\" must be a percentage in [0, 100], got {}", x));
        a.accuracy = x;
      } else {
        if (!j["error"].is_string()) bad("\"error\" must be a string saying why the candidate failed");
        error = j["error"].get<std::string>();
        spdlog::warn("evaluator: candidate {} ({}) failed: {}", id, it->second.arch, error);
      }
      consecutive_errors_ = a.accuracy ? 0 : consecutive_errors_ + 1;
      append_journal(it->second, a, error);
      answers_[it->second.arch] = a;
      ++asked_;
      pending.erase(it);
    }
    if (journal_fd_ >= 0) ::fdatasync(journal_fd_);
    // A program that fails everything would make the search ask about the whole space.
    if (consecutive_errors_ >= kMaxConsecutiveErrors)
      fail(fmt::format("reported an error for the last {} candidates in a row (see the warnings above and {}); stopping "
                       "instead of asking about every architecture",
                       consecutive_errors_, kEvaluatorResultsFile));
  }
  std::vector<std::optional<double>> out;
  out.reserve(items.size());
  for (const Item& item : items) out.push_back(answers_.at(item.arch).accuracy);
  return out;
}

}  // namespace pelnas
