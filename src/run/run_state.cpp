#include "run/run_state.h"

#include <limits>

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas {

namespace jf = json_fields;

nlohmann::json checked_metric_row(const nlohmann::json& row, const std::string& path) {
  constexpr double kBig = std::numeric_limits<double>::max();
  jf::object(row, path);
  jf::integer(jf::member(row, path, "generation"), jf::join(path, "generation"), 0, std::numeric_limits<int>::max());
  jf::integer(jf::member(row, path, "evaluations"), jf::join(path, "evaluations"), 0, kNumArchs);
  for (const char* k : {"hv_ratio", "igd", "igd_plus", "hv"}) jf::number(jf::member(row, path, k), jf::join(path, k), -kBig, kBig);
  jf::integer(jf::member(row, path, "front_size"), jf::join(path, "front_size"), 0, kNumArchs);
  if (row.contains("llm_calls"))
    jf::integer(row["llm_calls"], jf::join(path, "llm_calls"), 0, std::numeric_limits<std::int64_t>::max());
  for (const auto& [k, v] : row.items())
    if (k != "generation" && k != "evaluations" && k != "hv_ratio" && k != "igd" && k != "igd_plus" && k != "hv" &&
        k != "front_size" && k != "llm_calls")
      throw Error(jf::join(path, k) + ": unknown field");
  return row;
}

nlohmann::json RunState::to_json() const {
  return {{"search", search.to_json()}, {"metrics", metrics}, {"events", events}, {"wall_seconds", wall_seconds}};
}

RunState RunState::from_json(const nlohmann::json& j, const std::string& path) {
  jf::object(j, path);
  RunState s;
  s.search = PelnasCheckpoint::from_json(jf::member(j, path, "search"), jf::join(path, "search"));
  const std::string mp = jf::join(path, "metrics");
  const auto& m = jf::array(jf::member(j, path, "metrics"), mp);
  for (std::size_t i = 0; i < m.size(); ++i) s.metrics.push_back(checked_metric_row(m[i], jf::join(mp, i)));
  s.events = jf::integer(jf::member(j, path, "events"), jf::join(path, "events"), 0, std::numeric_limits<std::int64_t>::max());
  s.wall_seconds = jf::number(jf::member(j, path, "wall_seconds"), jf::join(path, "wall_seconds"), 0, std::numeric_limits<double>::max());
  for (const auto& [k, v] : j.items())
    if (k != "search" && k != "metrics" && k != "events" && k != "wall_seconds") throw Error(jf::join(path, k) + ": unknown field");
  return s;
}

void RunState::check_metrics(const std::string& path) const {
  const std::string mp = jf::join(path, "metrics");
  const int g = search.generation;
  if (static_cast<int>(metrics.size()) != g + 1)
    throw CheckpointError(mp + ": expected one row per completed generation 0.." + std::to_string(g) + " (" + std::to_string(g + 1) +
                          " rows), got " + std::to_string(metrics.size()));
  // Evaluations up to each generation, from the archive (entries are in generation order).
  const auto& entries = search.archive.entries();
  std::size_t upto = 0;
  for (int i = 0; i <= g; ++i) {
    while (upto < entries.size() && entries[upto].generation <= i) ++upto;
    const auto& row = metrics[static_cast<std::size_t>(i)];
    const std::string at = jf::join(mp, static_cast<std::size_t>(i));
    if (json_fields::get_integral<std::int64_t>(row["generation"]) != i)
      throw CheckpointError(at + ".generation: expected " + std::to_string(i) + ", got " + row["generation"].dump());
    if (json_fields::get_integral<std::int64_t>(row["evaluations"]) != static_cast<std::int64_t>(upto))
      throw CheckpointError(at + ".evaluations: expected " + std::to_string(upto) + " (the archive's evaluations up to generation " +
                            std::to_string(i) + "), got " + row["evaluations"].dump());
  }
}

}  // namespace pelnas
