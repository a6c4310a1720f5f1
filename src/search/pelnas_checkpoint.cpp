#include "search/pelnas_checkpoint.h"

#include <limits>
#include <set>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/rng.h"

namespace pelnas {

namespace jf = json_fields;

namespace {

constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();

std::vector<int> orders(const nlohmann::json& j, const std::string& path) {
  jf::array(j, path);
  std::vector<int> out;
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(static_cast<int>(jf::integer(j[i], jf::join(path, i), 1, kNumArchs)));
  return out;
}

}  // namespace

std::map<std::string, std::int64_t> counters_from_json(const nlohmann::json& j, const std::string& path) {
  jf::object(j, path);
  std::map<std::string, std::int64_t> out;
  for (const auto& [k, v] : j.items()) {
    if (k.empty()) throw Error(path + ": a counter has an empty name");
    out[k] = jf::integer(v, jf::join(path, k), 0, kMaxI64);
  }
  return out;
}

nlohmann::json checked_operator_stats(const nlohmann::json& j, const std::string& path) {
  jf::object(j, path);
  for (const auto& [k, v] : j.items()) {
    if (k == "counters") counters_from_json(v, jf::join(path, k));
    else if (k == "prompt_tokens" || k == "completion_tokens") jf::integer(v, jf::join(path, k), 0, kMaxI64);
    else throw Error(jf::join(path, k) + ": unknown field (expected counters, prompt_tokens, completion_tokens)");
  }
  return j;
}

NicheRecord niche_record_from_json(const nlohmann::json& n, const std::string& at) {
  jf::object(n, at);
  NicheRecord r;
  r.members = orders(jf::member(n, at, "members"), jf::join(at, "members"));
  r.last_children = orders(jf::member(n, at, "last_children"), jf::join(at, "last_children"));
  const auto& rat = jf::array(jf::member(n, at, "last_rationales"), jf::join(at, "last_rationales"));
  for (std::size_t i = 0; i < rat.size(); ++i) r.last_rationales.push_back(jf::string(rat[i], jf::join(jf::join(at, "last_rationales"), i)));
  try {
    r.knowledge = KnowledgeBase::from_json(jf::member(n, at, "knowledge"));
  } catch (const Error& e) {
    throw Error(jf::join(at, "knowledge") + ": " + e.what());
  }
  const std::string rng_path = jf::join(at, "rng");
  r.rng_state = jf::string(jf::member(n, at, "rng"), rng_path);
  try {
    (void)Rng::deserialize(r.rng_state);
  } catch (const Error& e) {
    throw Error(rng_path + ": " + e.what());
  }
  return r;
}

nlohmann::json PelnasCheckpoint::to_json() const {
  nlohmann::json ns = nlohmann::json::array();
  for (const auto& n : niches)
    ns.push_back({{"members", n.members},
                  {"last_children", n.last_children},
                  {"last_rationales", n.last_rationales},
                  {"knowledge", n.knowledge.to_json()},
                  {"rng", n.rng_state}});
  return {{"generation", generation}, {"archive", archive.to_json()}, {"niches", ns}, {"counters", counters},
          {"operator_stats", operator_stats}, {"operator_state", operator_state}};
}

PelnasCheckpoint PelnasCheckpoint::from_json(const nlohmann::json& j, const std::string& path) {
  jf::object(j, path);
  PelnasCheckpoint c;
  c.generation = static_cast<int>(jf::integer(jf::member(j, path, "generation"), jf::join(path, "generation"), 0, kMaxInt));
  c.archive = Archive::from_json(jf::member(j, path, "archive"), jf::join(path, "archive"));
  const std::string np = jf::join(path, "niches");
  const auto& ns = jf::array(jf::member(j, path, "niches"), np);
  for (std::size_t k = 0; k < ns.size(); ++k) c.niches.push_back(niche_record_from_json(ns[k], jf::join(np, k)));
  c.counters = counters_from_json(jf::member(j, path, "counters"), jf::join(path, "counters"));
  c.operator_stats = checked_operator_stats(jf::member(j, path, "operator_stats"), jf::join(path, "operator_stats"));
  c.operator_state = j.contains("operator_state") ? jf::object(j["operator_state"], jf::join(path, "operator_state"))
                                                  : nlohmann::json::object();
  for (const auto& [key, v] : j.items())
    if (key != "generation" && key != "archive" && key != "niches" && key != "counters" && key != "operator_stats" &&
        key != "operator_state")
      throw Error(jf::join(path, key) + ": unknown field");
  return c;
}

void PelnasCheckpoint::validate(const CheckpointExpectations& ex, const std::string& path) const {
  auto bad = [&](const std::string& field, const std::string& what) { throw CheckpointError(jf::join(path, field) + ": " + what); };
  if (generation > ex.generations)
    bad("generation", "expected a completed generation in [0, " + std::to_string(ex.generations) + "] (the most generations this run may take: its plan plus top-ups), got " +
                          std::to_string(generation));
  const auto& entries = archive.entries();
  const int size = static_cast<int>(entries.size());
  if (entries.empty())
    bad("archive", "expected the architectures evaluated up to generation " + std::to_string(generation) +
                       " (at least the niche seeds), got an empty archive");
  if (size > ex.budget)
    bad("archive", "holds " + std::to_string(size) + " evaluations, more than the run's budget of " + std::to_string(ex.budget));
  std::set<ArchCode> codes;
  auto str = [&ex](const ArchCode& c) {
    if (ex.print) return ex.print(c);
    std::string s;
    for (int p = 0; p < c.size(); ++p) s += (p ? "," : "") + std::to_string(c[p]);
    return "[" + s + "]";
  };
  int last_generation = 0;
  for (int i = 0; i < size; ++i) {
    const auto& e = entries[static_cast<std::size_t>(i)];
    const std::string at = "archive[" + std::to_string(i) + "]";
    if (e.order != i + 1) bad(at + ".order", "expected " + std::to_string(i + 1) + " (entries in evaluation order), got " + std::to_string(e.order));
    if (!codes.insert(e.code).second) bad(at + ".arch", "architecture " + str(e.code) + " appears twice in the archive");
    if (ex.index_of && ex.index_of(e.code) != e.index)
      bad(at + ".index", "expected " + std::to_string(ex.index_of(e.code)) + " (the NB201 index of " + str(e.code) + "), got " +
                             std::to_string(e.index));
    if (ex.cost_of) {
      const auto c = ex.cost_of(e.code);
      if (!c) bad(at + ".arch", str(e.code) + " has no cost on this run's device (outside the search domain)");
      if (*c != e.cost) bad(at + ".cost", "expected " + nlohmann::json(*c).dump() + " (the device's cost of " + str(e.code) + "), got " +
                                              nlohmann::json(e.cost).dump());
    }
    if (ex.extra_costs_of) {
      // Every objective, not only the first cost: a run resumed with other objectives is refused.
      const auto extra = ex.extra_costs_of(e.code);
      auto name = [&](std::size_t k) { return k < ex.extra_cost_names.size() ? ex.extra_cost_names[k] : "cost " + std::to_string(k + 2); };
      if (e.extra_costs.size() != extra.size()) {
        std::string names;
        for (std::size_t k = 0; k < extra.size(); ++k) names += (k ? ", " : "") + name(k);
        bad(at + ".extra_costs", "expected " + std::to_string(extra.size()) + " value(s) after the first cost (this run's objectives" +
                                     (names.empty() ? std::string(" have none") : ": " + names) + "), got " +
                                     std::to_string(e.extra_costs.size()));
      }
      for (std::size_t k = 0; k < extra.size(); ++k) {
        const std::string field = at + ".extra_costs[" + std::to_string(k) + "] (" + name(k) + ")";
        if (!extra[k]) bad(field, str(e.code) + " has no " + name(k) + " on this run's device (outside the search domain)");
        if (*extra[k] != e.extra_costs[k])
          bad(field, "expected " + nlohmann::json(*extra[k]).dump() + " (the device's " + name(k) + " of " + str(e.code) +
                         "), got " + nlohmann::json(e.extra_costs[k]).dump());
      }
    }
    if (e.generation > generation)
      bad(at + ".generation", "expected at most " + std::to_string(generation) + " (the last completed generation), got " +
                                  std::to_string(e.generation));
    if (e.generation < last_generation)
      bad(at + ".generation", "expected generations in evaluation order (>= " + std::to_string(last_generation) + "), got " +
                                  std::to_string(e.generation));
    last_generation = e.generation;
    if (e.niche < 0 || e.niche >= ex.niches)
      bad(at + ".niche", "expected a niche in [0, " + std::to_string(ex.niches - 1) + "], got " + std::to_string(e.niche));
    if (ex.niche_of && ex.niche_of(e.code) != e.niche)
      bad(at + ".niche", "expected " + std::to_string(ex.niche_of(e.code)) + " (the niche " + str(e.code) + " falls in), got " +
                             std::to_string(e.niche));
  }
  if (static_cast<int>(niches.size()) != ex.niches)
    bad("niches", "expected " + std::to_string(ex.niches) + " niche records (the partition's niches), got " + std::to_string(niches.size()));
  std::size_t members = 0;
  for (int k = 0; k < ex.niches; ++k) {
    const auto& n = niches[static_cast<std::size_t>(k)];
    const std::string at = "niches[" + std::to_string(k) + "]";
    for (const auto* list : {&n.members, &n.last_children}) {
      const std::string field = at + (list == &n.members ? ".members" : ".last_children");
      int previous = 0;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const int o = (*list)[i];
        const std::string f = field + "[" + std::to_string(i) + "]";
        if (o < 1 || o > size)
          bad(f, "expected an archive order in [1, " + std::to_string(size) + "], got " + std::to_string(o));
        if (o <= previous) bad(f, "expected increasing archive orders without repeats, got " + std::to_string(o) + " after " + std::to_string(previous));
        previous = o;
        const auto& e = entries[static_cast<std::size_t>(o - 1)];
        if (e.niche != k) bad(f, "archive entry " + std::to_string(o) + " belongs to niche " + std::to_string(e.niche) + ", not " + std::to_string(k));
        if (list == &n.last_children && e.generation != generation)
          bad(f, "archive entry " + std::to_string(o) + " was evaluated in generation " + std::to_string(e.generation) +
                     ", not in the last completed generation " + std::to_string(generation));
      }
    }
    for (std::size_t i = 0; i < n.last_children.size(); ++i)
      if (!std::binary_search(n.members.begin(), n.members.end(), n.last_children[i]))
        bad(at + ".last_children[" + std::to_string(i) + "]", "archive entry " + std::to_string(n.last_children[i]) + " is not a member of the niche");
    if (n.last_rationales.size() != n.last_children.size())
      bad(at + ".last_rationales", "expected one rationale per last child (" + std::to_string(n.last_children.size()) + "), got " +
                                       std::to_string(n.last_rationales.size()));
    for (const auto* rules : {&n.knowledge.positive, &n.knowledge.negative})
      for (std::size_t i = 0; i < rules->size(); ++i)
        if ((*rules)[i].round < 0 || (*rules)[i].round > generation)
          bad(at + ".knowledge." + (rules == &n.knowledge.positive ? "positive" : "negative") + "[" + std::to_string(i) + "].round",
              "expected a generation in [0, " + std::to_string(generation) + "], got " + std::to_string((*rules)[i].round));
    members += n.members.size();
  }
  if (members != entries.size())
    bad("niches", "the niches list " + std::to_string(members) + " members but the archive holds " + std::to_string(size) +
                      " evaluations (every evaluation belongs to exactly one niche)");
}

}  // namespace pelnas
