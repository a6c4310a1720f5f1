#include "run/knowledge_log.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <spdlog/spdlog.h>
#include <sstream>

#include "common/error.h"
#include "common/json_lines.h"
#include "common/json_fields.h"
#include "run/run_directory.h"
#include "search/operator.h"
#include "search/pelnas_checkpoint.h"

namespace pelnas {

namespace fs = std::filesystem;
namespace jf = json_fields;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// knowledge/gen_<ggg>.json files (runs before 2026-12-01): generation -> path.
std::map<int, std::string> generation_files(const std::string& run_dir) {
  std::map<int, std::string> out;
  std::error_code ec;
  if (!fs::is_directory(fs::path(run_dir) / "knowledge", ec)) return out;
  for (const auto& entry : fs::directory_iterator(fs::path(run_dir) / "knowledge")) {
    const std::string name = entry.path().filename().string();
    // gen_<digits>.json exactly (not the .tmp of an interrupted write)
    if (name.size() < 10 || name.compare(0, 4, "gen_") != 0 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    const std::string digits = name.substr(4, name.size() - 9);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    out[std::stoi(digits)] = entry.path().string();
  }
  return out;
}

}  // namespace

std::vector<KnowledgeLogLine> parse_knowledge_log(const std::string& text, const std::string& path) {
  std::vector<KnowledgeLogLine> out;
  for_each_json_line(text, path, "line (an edited or damaged file)", [&](nlohmann::json& j, long line, std::size_t end) {
    jf::object(j, "(line)");
    KnowledgeLogLine l;
    l.generation = static_cast<int>(jf::integer(jf::member(j, "", "generation"), "generation", 0, std::numeric_limits<int>::max()));
    if (!out.empty() && l.generation <= out.back().generation)
      throw Error("generation: expected more than " + std::to_string(out.back().generation) + " (the previous line's), got " +
                  std::to_string(l.generation));
    const auto& ns = jf::array(jf::member(j, "", "niches"), "niches");
    for (std::size_t k = 0; k < ns.size(); ++k) {
      const std::string at = jf::join("niches", k);
      const auto& n = jf::object(ns[k], at);
      jf::integer(jf::member(n, at, "niche"), jf::join(at, "niche"), 0, std::numeric_limits<int>::max());
      jf::string(jf::member(n, at, "name"), jf::join(at, "name"));
      jf::string(jf::member(n, at, "constraint"), jf::join(at, "constraint"));
      try {
        (void)KnowledgeBase::from_json(jf::member(n, at, "knowledge"));
      } catch (const Error& e) {
        throw Error(jf::join(at, "knowledge") + ": " + e.what());
      }
    }
    for (const auto& [key, v] : j.items())
      if (key != "generation" && key != "niches") throw Error(key + ": unknown field (expected generation, niches)");
    l.niches = std::move(j["niches"]);
    l.end = end;
    l.line = line;
    out.push_back(std::move(l));
  });
  return out;
}

std::map<int, KnowledgeSnapshot> read_knowledge_history(const std::string& run_dir, int last_generation) {
  std::map<int, KnowledgeSnapshot> out;
  for (const auto& [gen, path] : generation_files(run_dir)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_text(path));
    } catch (const nlohmann::json::exception& e) {
      throw Error(path + ": not valid JSON: " + e.what());
    }
    KnowledgeSnapshot snap;
    if (j.is_object() && j.contains("niches") && j["niches"].is_array())
      for (auto& n : j["niches"]) snap.push_back(std::make_shared<const nlohmann::json>(std::move(n)));
    out[gen] = std::move(snap);
  }
  const std::string path = (fs::path(run_dir) / KnowledgeLog::kFile).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  auto lines = parse_knowledge_log(read_text(path), path);
  if (lines.empty()) return out;
  // Niche index -> its latest object; an older run resumed by this version starts from its last
  // gen_<ggg>.json before the first line.
  std::map<int, std::shared_ptr<const nlohmann::json>> current;
  if (const auto before = out.lower_bound(lines.front().generation); before != out.begin())
    for (const auto& n : std::prev(before)->second)
      if (n->is_object() && n->contains("niche") && (*n)["niche"].is_number_integer()) current[json_fields::get_integral<int>((*n)["niche"])] = n;
  std::size_t next = 0;
  const int last = std::max(lines.back().generation, last_generation);
  for (int g = lines.front().generation; g <= last; ++g) {
    if (next < lines.size() && lines[next].generation == g) {
      for (auto& n : lines[next].niches) {
        const int k = json_fields::get_integral<int>(n["niche"]);
        current[k] = std::make_shared<const nlohmann::json>(std::move(n));
      }
      ++next;
    }
    KnowledgeSnapshot snap;
    for (const auto& [k, n] : current) snap.push_back(n);
    out[g] = std::move(snap);
  }
  return out;
}

void KnowledgeLog::keep_until(int generation, std::size_t niches) {
  for (const auto& [gen, path] : generation_files(dir_.path()))
    if (gen > generation) fs::remove(path);
  last_.clear();
  const std::string path = dir_.file(kFile);
  if (generation < 0 || !dir_.exists(kFile)) {
    dir_.write(kFile, "");
    return;
  }
  const std::string text = dir_.read(kFile);
  const auto lines = parse_knowledge_log(text, path);
  std::size_t keep = 0;
  for (const auto& l : lines) {
    if (l.generation > generation) break;
    last_.resize(niches);
    for (std::size_t i = 0; i < l.niches.size(); ++i) {
      const auto k = json_fields::get_integral<std::size_t>(l.niches[i]["niche"]);
      if (k >= niches)
        throw InputError(path, l.line, jf::join(jf::join("niches", i), "niche") + ": expected a niche index in [0, " +
                                           std::to_string(niches) + "), got " + std::to_string(k));
      last_[k] = KnowledgeBase::from_json(l.niches[i]["knowledge"]);
    }
    keep = l.end;
  }
  if (keep < text.size()) {
    spdlog::info("{}: dropping {} bytes written after generation {} (the last checkpoint)", path, text.size() - keep, generation);
    std::error_code ec;
    fs::resize_file(path, keep, ec);
    if (ec) throw Error("cannot truncate " + path + ": " + ec.message());
  }
}

std::size_t KnowledgeLog::append(int generation, const std::vector<NicheDescription>& descriptions,
                                 const std::vector<NicheRecord>& niches) {
  if (last_.size() < niches.size()) last_.resize(niches.size());
  nlohmann::json changed = nlohmann::json::array();
  for (std::size_t k = 0; k < niches.size(); ++k) {
    if (last_[k] && *last_[k] == niches[k].knowledge) continue;
    changed.push_back({{"niche", k}, {"name", descriptions.at(k).name}, {"constraint", descriptions.at(k).constraint},
                       {"knowledge", niches[k].knowledge.to_json()}});
    last_[k] = niches[k].knowledge;
  }
  if (changed.empty()) return 0;
  const std::size_t count = changed.size();
  const std::string line = nlohmann::json{{"generation", generation}, {"niches", std::move(changed)}}.dump() + "\n";
  const std::string path = dir_.file(kFile);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot append to " + path + ": " + std::strerror(errno));
  write_all_and_close(fd, line, path, true);
  return count;
}

}  // namespace pelnas
