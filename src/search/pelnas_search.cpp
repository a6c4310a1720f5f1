#include "search/pelnas_search.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

#include "common/error.h"
#include "search/feature_bins.h"
#include <fmt/format.h>

namespace pelnas {

// ---- options ---------------------------------------------------------------------------------

int PelnasSearchOptions::planned_evaluations(int niches) const {
  const int g = generations == kGenerationsFromBudget ? kDefaultGenerations : generations;
  return niches * (seeds_per_niche + g * children_per_niche_generation());
}

int PelnasSearchOptions::generations_for_budget(int budget, int niches) const {
  if (generations != kGenerationsFromBudget) return generations;
  const int per_generation = niches * children_per_niche_generation();
  const int rest = budget - seeding_evaluations(niches);
  return rest <= 0 ? 0 : (rest + per_generation - 1) / per_generation;
}

int PelnasSearchOptions::max_generations(int budget, int niches) const {
  const int planned = generations_for_budget(budget, niches);
  // Past the plan only to make up a shortfall, while generations still find new children (the cap
  // only guards against an operator that keeps finding a trickle).
  return generations == kGenerationsFromBudget ? 2 * planned + 10 : planned;
}

void PelnasSearchOptions::check_budget(int budget, int niches) const {
  const int seeding = seeding_evaluations(niches);
  if (budget < seeding)
    throw Error(fmt::format("budget {} is below the seeding cost of the PEL-NAS search: {} niche(s) x {} seeds per niche "
                            "= {} evaluations; the minimum budget is {}",
                            budget, niches, seeds_per_niche, seeding, seeding));
  if (generations != kGenerationsFromBudget && planned_evaluations(niches) < budget)
    throw Error(fmt::format("budget {} is more than generations={} can spend ({} niche(s) x ({} seeds + {} generations x {} "
                            "children) = {} evaluations); leave generations unset to derive them from the budget ({} "
                            "generations), or lower the budget",
                            budget, generations, niches, seeds_per_niche, generations, children_per_niche_generation(),
                            planned_evaluations(niches), [&] {
                              PelnasSearchOptions a = *this;
                              a.generations = kGenerationsFromBudget;
                              return a.generations_for_budget(budget, niches);
                            }()));
}

void PelnasSearchOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("pelnas search option '" + field + "': " + what); };
  if (generations < 0 && generations != kGenerationsFromBudget)
    bad("generations", "must be >= 0, or -1 for as many as the budget pays for, got " + std::to_string(generations));
  if (children_per_call < 1) bad("children_per_call", "must be >= 1, got " + std::to_string(children_per_call));
  if (calls_per_niche < 2) bad("calls_per_niche", "must be >= 2 (one knowledge update + at least one proposal call), got " + std::to_string(calls_per_niche));
  if (seeds_per_niche < 1) bad("seeds_per_niche", "must be >= 1, got " + std::to_string(seeds_per_niche));
  if (!(crossover_probability >= 0 && crossover_probability <= 1)) bad("crossover_probability", "must be in [0, 1]");
  if (max_proposal_rounds < 1) bad("max_proposal_rounds", "must be >= 1, got " + std::to_string(max_proposal_rounds));
  if (concurrency < 0) bad("concurrency", "must be >= 0 (0 = the operator's preference)");
  if (allocation != "equal" && allocation != "front") bad("allocation", "must be 'equal' or 'front', got '" + allocation + "'");
  if (min_children_per_niche < 0) bad("min_children_per_niche", "must be >= 0, got " + std::to_string(min_children_per_niche));
  if (min_children_per_niche > children_per_niche_generation())
    bad("min_children_per_niche", "must be <= children per niche and generation (" + std::to_string(children_per_niche_generation()) + ")");
  if (!(allocation_size_exponent >= 0 && allocation_size_exponent <= 2)) bad("allocation_size_exponent", "must be in [0, 2]");
  if (migrant_parents < 0) bad("migrant_parents", "must be >= 0, got " + std::to_string(migrant_parents));
  if (operator_name.empty()) bad("operator", "must name an operator");
  if (!operator_options.is_object()) bad("operator_options", "must be a JSON object");
  if (!no_partition && partition.empty() && partition_table.is_null()) bad("partition", "must name a built-in partition or a CSV file");
}

nlohmann::json PelnasSearchOptions::to_json() const {
  nlohmann::json j = {{"partition", partition},
                      {"no_partition", no_partition},
                      {"generations", generations},
                      {"children_per_call", children_per_call},
                      {"calls_per_niche", calls_per_niche},
                      {"seeds_per_niche", seeds_per_niche},
                      {"operator", operator_name},
                      {"operator_options", operator_options},
                      {"crossover_probability", crossover_probability},
                      {"max_proposal_rounds", max_proposal_rounds},
                      {"concurrency", concurrency},
                      {"allocation", allocation},
                      {"min_children_per_niche", min_children_per_niche},
                      {"allocation_size_exponent", allocation_size_exponent},
                      {"migrant_parents", migrant_parents}};
  if (!partition_table.is_null()) j["partition_table"] = partition_table;
  if (!feature_bins.is_null()) j["feature_bins"] = feature_bins;
  return j;
}

PelnasSearchOptions PelnasSearchOptions::from_json(const nlohmann::json& j) {
  PelnasSearchOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("pelnas search options: expected a JSON object");
  nlohmann::json known = o.to_json();
  known["partition_table"] = nullptr;
  known["feature_bins"] = nullptr;
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      std::string valid;
      for (const auto& [k, v] : known.items()) valid += (valid.empty() ? "" : ", ") + k;
      throw Error("pelnas search options: unknown key '" + key + "' (valid: " + valid + ")");
    }
    try {
      if (key == "partition") o.partition = value.get<std::string>();
      else if (key == "partition_table") o.partition_table = value;
      else if (key == "feature_bins") o.feature_bins = FeatureBinOptions::from_json(value).to_json();
      else if (key == "no_partition") o.no_partition = value.get<bool>();
      else if (key == "generations") o.generations = value.get<int>();
      else if (key == "children_per_call") o.children_per_call = value.get<int>();
      else if (key == "calls_per_niche") o.calls_per_niche = value.get<int>();
      else if (key == "seeds_per_niche") o.seeds_per_niche = value.get<int>();
      else if (key == "operator") o.operator_name = value.get<std::string>();
      else if (key == "operator_options") o.operator_options = value;
      else if (key == "crossover_probability") o.crossover_probability = value.get<double>();
      else if (key == "max_proposal_rounds") o.max_proposal_rounds = value.get<int>();
      else if (key == "concurrency") o.concurrency = value.get<int>();
      else if (key == "allocation") o.allocation = value.get<std::string>();
      else if (key == "min_children_per_niche") o.min_children_per_niche = value.get<int>();
      else if (key == "allocation_size_exponent") o.allocation_size_exponent = value.get<double>();
      else if (key == "migrant_parents") o.migrant_parents = value.get<int>();
    } catch (const nlohmann::json::exception&) {
      throw Error("pelnas search option '" + key + "' has the wrong type (got " + value.dump() + ")");
    }
  }
  o.validate();
  return o;
}

Partition PelnasSearchOptions::resolve_partition() const {
  if (no_partition) return Partition::whole_space();
  if (!partition_table.is_null()) return Partition::from_json(partition_table);
  return Partition::load(partition);
}

int PelnasSearchOptions::niche_count(const std::string& space) const {
  if (!feature_bins.is_null() || space != "nb201")
    return no_partition ? 1 : FeatureBinOptions::from_json(feature_bins).bins;
  return resolve_partition().size();
}

std::unique_ptr<NichePartition> PelnasSearchOptions::make_niches(const Problem& problem) const {
  const SearchSpace& space = problem.space();
  if (!feature_bins.is_null() || space.name() != "nb201") {
    FeatureBinOptions o = FeatureBinOptions::from_json(feature_bins);
    if (no_partition) o.bins = 1;
    return std::make_unique<FeatureBinNiches>(space, o);
  }
  const Evaluator& ev = problem.evaluator();
  PartitionContext ctx{ev.data_ptr(), ev.dataset(), &ev.cost_source()};
  return std::make_unique<NicheMap>(resolve_partition(), ctx);
}

nlohmann::json PelnasSearchOptions::resolved_operator_options() const {
  nlohmann::json o = operator_options;
  if (!o.contains("crossover_probability")) o["crossover_probability"] = crossover_probability;
  return o;
}

// ---- checkpoint ----------------------------------------------------------------------------

static OperatorStats stats_from_json(const nlohmann::json& j) {
  OperatorStats s;
  if (!j.is_object()) return s;
  if (j.contains("counters"))
    for (const auto& [k, v] : j["counters"].items()) s.counters[k] = v.get<std::int64_t>();
  s.prompt_tokens = j.value("prompt_tokens", std::int64_t{0});
  s.completion_tokens = j.value("completion_tokens", std::int64_t{0});
  return s;
}

// ---- the search --------------------------------------------------------------------------------

PelnasSearch::PelnasSearch(PelnasSearchOptions options) : options_(std::move(options)) {
  options_.validate();
  operator_ = OperatorRegistry::instance().make(options_.operator_name, options_.resolved_operator_options());
}

OperatorStats PelnasSearch::operator_stats() const {
  OperatorStats s = operator_stats_base_;
  s.merge(operator_->stats());
  return s;
}

PelnasCheckpoint PelnasSearch::checkpoint() const {
  PelnasCheckpoint c;
  c.generation = generation_done_;
  if (problem_) c.archive = problem_->archive();
  c.niches = niches_;
  const auto rngs = rng_states();
  for (std::size_t k = 0; k < rngs.size(); ++k) c.niches[k].rng_state = rngs[k];
  c.counters = counters_;
  c.operator_stats = operator_stats().to_json();
  c.operator_state = operator_->save_state();
  return c;
}

std::vector<std::string> PelnasSearch::rng_states() const {
  std::vector<std::string> out;
  for (const auto& r : rngs_) out.push_back(r.serialize());
  return out;
}

std::vector<int> PelnasSearch::quotas(const Problem& problem, int per_niche) const {
  // When the budget cannot pay for every niche, share what is left evenly (lower niches first).
  const int n = static_cast<int>(niches_.size());
  std::vector<int> q(n, per_niche);
  const int remaining = problem.remaining();
  if (remaining < per_niche * n)
    for (int k = 0; k < n; ++k) q[k] = std::min(per_niche, remaining / n + (k < remaining % n ? 1 : 0));
  return q;
}

std::vector<int> PelnasSearch::allocate(const Problem& problem) const {
  const int n = static_cast<int>(niches_.size());
  const int per = options_.children_per_niche_generation();
  if (options_.allocation == "equal" || n == 1) return quotas(problem, per);
  const int total = std::min(per * n, problem.remaining());
  const int floor_each = std::min(options_.min_children_per_niche, total / n);
  std::vector<int> q(n, floor_each);
  int rest = total - floor_each * n;
  // Weights: the niche's share of the current global front (plus one, so an empty niche still
  // draws) times a size factor (bigger niches have more cost levels to cover).
  std::vector<double> w(n, 1.0);
  for (const auto& e : archive_front(problem))
    if (e.niche >= 0 && e.niche < n) w[e.niche] += 1.0;
  for (int k = 0; k < n; ++k) w[k] *= std::pow(std::max(1.0, niche_sizes_[k]), options_.allocation_size_exponent);
  double sum = 0;
  for (double x : w) sum += x;
  // Largest remainder, ties to the lower niche: deterministic.
  std::vector<std::pair<double, int>> frac;
  int given = 0;
  for (int k = 0; k < n; ++k) {
    const double exact = rest * w[k] / sum;
    const int whole = static_cast<int>(std::floor(exact));
    q[k] += whole;
    given += whole;
    frac.emplace_back(exact - whole, k);
  }
  std::stable_sort(frac.begin(), frac.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int i = 0; i < rest - given; ++i) ++q[frac[static_cast<std::size_t>(i) % frac.size()].second];
  return q;
}

void PelnasSearch::reset_fronts() const {
  niche_fronts_.assign(niches_.size(), {});
  niche_fronts_fed_.assign(niches_.size(), 0);
  archive_front_.clear();
  archive_front_fed_ = 0;
  histories_.assign(niches_.size(), {});
}

bool PelnasSearch::niche_used_up(int niche) const {
  // Members are distinct evaluated cells of the niche; its size counts the cells with a cost on the
  // device (an estimate for sampled spaces, never reached there). A niche holding a cell that cannot
  // be evaluated (no accuracy) never counts as used up: the operator is then asked as before.
  return static_cast<double>(niches_[static_cast<std::size_t>(niche)].members.size()) >= niche_sizes_[static_cast<std::size_t>(niche)];
}

const NicheHistory& PelnasSearch::niche_history(const Problem& problem, int niche) const {
  const auto k = static_cast<std::size_t>(niche);
  if (histories_.size() != niches_.size()) reset_fronts();
  const auto& entries = problem.archive().entries();
  NicheHistory& h = histories_[k];
  // The states of the last round are gone by now, so this appends in place (no copy on write).
  for (std::size_t i = h.size(); i < niches_[k].members.size(); ++i)
    h.push_back(entries[static_cast<std::size_t>(niches_[k].members[i] - 1)]);
  return h;
}

std::vector<EvaluatedArch> PelnasSearch::niche_front(const Problem& problem, int niche) const {
  const auto k = static_cast<std::size_t>(niche);
  if (niche_fronts_.size() != niches_.size()) reset_fronts();
  const auto& entries = problem.archive().entries();
  const auto& members = niches_[k].members;
  for (std::size_t& fed = niche_fronts_fed_[k]; fed < members.size(); ++fed) {
    const auto pos = static_cast<std::size_t>(members[fed] - 1);
    niche_fronts_[k].add(pos, entries[pos]);
  }
  std::vector<EvaluatedArch> out;
  for (std::size_t pos : niche_fronts_[k].ids()) out.push_back(entries[pos]);
  return out;
}

std::vector<EvaluatedArch> PelnasSearch::archive_front(const Problem& problem) const {
  const auto& entries = problem.archive().entries();
  for (; archive_front_fed_ < entries.size(); ++archive_front_fed_) archive_front_.add(archive_front_fed_, entries[archive_front_fed_]);
  std::vector<EvaluatedArch> out;
  for (std::size_t pos : archive_front_.ids()) out.push_back(entries[pos]);
  return out;
}

std::vector<EvaluatedArch> PelnasSearch::final_front() const {
  if (!problem_) return {};
  Archive u;
  for (std::size_t k = 0; k < niches_.size(); ++k)
    for (const auto& e : niche_front(*problem_, static_cast<int>(k))) u.add(e);
  return u.pareto_front();
}

NicheState PelnasSearch::build_state(const Problem& problem, int k, int generation, int wanted) const {
  NicheState s;
  s.space = &problem.space();
  s.niche = &niche_map_->niches()[k];
  s.generation = generation;
  s.parents = niche_front(problem, k);
  if (options_.migrant_parents > 0) {
    // Global-front members of other niches, nearest in cost to this niche's front first.
    std::vector<std::pair<double, EvaluatedArch>> near;
    double lo = 1e300, hi = -1e300;
    for (const auto& p : s.parents) lo = std::min(lo, p.cost), hi = std::max(hi, p.cost);
    for (const auto& e : archive_front(problem))
      if (e.niche != k) near.emplace_back(e.cost < lo ? lo - e.cost : (e.cost > hi ? e.cost - hi : 0.0), e);
    std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (int i = 0; i < options_.migrant_parents && i < static_cast<int>(near.size()); ++i) s.parents.push_back(near[i].second);
  }
  const auto& entries = problem.archive().entries();
  for (int order : niches_[k].last_children) s.last_children.push_back(entries[order - 1]);
  s.last_rationales = niches_[k].last_rationales;
  s.history = niche_history(problem, k);  // shared, not copied
  s.knowledge = niches_[k].knowledge;
  s.dataset = problem.space().dataset();
  s.device = problem.evaluator().cost_name();
  s.cost_unit = problem.evaluator().cost_unit();
  s.seen = [&problem](const ArchCode& a) { return problem.seen(a); };
  s.cost = [&problem](const ArchCode& a) { return problem.cost_of(a); };
  if (const auto names = problem.evaluator().extra_cost_names(); !names.empty()) {
    // Prompts name every cost objective: "fpga_latency, fpga_energy" in "ms, mJ".
    const auto units = problem.evaluator().extra_cost_units();
    for (std::size_t k = 0; k < names.size(); ++k) {
      s.device += ", " + names[k];
      s.cost_unit += ", " + units[k];
      s.extra_cost_units.push_back(units[k]);
    }
    s.extra_costs = [&problem](const ArchCode& a) { return problem.extra_costs_of(a); };
  }
  s.children_wanted = wanted;
  return s;
}

void PelnasSearch::seed(Problem& problem) {
  const int n = static_cast<int>(niches_.size());
  const auto q = quotas(problem, options_.seeds_per_niche);
  std::vector<std::optional<std::vector<ArchCode>>> members(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) members[k] = niche_map_->members(k);
  // The seeds of all niches are drawn first with copies of the niche Rngs (the draws do not depend
  // on evaluation results) so their accuracies are computed as one batch; the loop below then
  // draws the same archs again and evaluates them from the memo.
  std::vector<ArchCode> batch;
  for (int k = 0; k < n; ++k) {
    Rng rng = rngs_[k];
    if (!members[k]) {
      for (const ArchCode& c : sample_unseen(problem, k, q[k], rng)) batch.push_back(c);
      continue;
    }
    std::vector<ArchCode> pool = *members[k];
    int got = 0;
    for (std::size_t i = 0; i < pool.size() && got < q[k]; ++i) {
      const auto j = static_cast<std::size_t>(rng.uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
      std::swap(pool[i], pool[j]);
      if (problem.seen(pool[i])) continue;
      batch.push_back(pool[i]);
      ++got;
    }
  }
  problem.prefetch(batch);
  auto take = [&](int k, const ArchCode& c) {
    if (auto e = problem.evaluate(c, 0, k)) {
      niches_[k].members.push_back(e->order);
      niches_[k].last_children.push_back(e->order);
      niches_[k].last_rationales.push_back("random seed of the niche");
      ++counters_["evaluated:seed"];
      return true;
    }
    return false;
  };
  for (int k = 0; k < n; ++k) {
    int got = 0;
    if (!members[k]) {
      // Sampled niches: the same draws as above; a seed without an accuracy is replaced by more draws.
      for (int round = 0; round < 3 && got < q[k] && !problem.exhausted(); ++round)
        for (const ArchCode& c : sample_unseen(problem, k, q[k] - got, rngs_[k]))
          if (!problem.exhausted() && take(k, c)) ++got;
    } else {
      std::vector<ArchCode> pool = std::move(*members[k]);
      // Partial Fisher-Yates over the niche's members: uniform, without repetition, deterministic.
      for (std::size_t i = 0; i < pool.size() && got < q[k] && !problem.exhausted(); ++i) {
        const auto j = static_cast<std::size_t>(rngs_[k].uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
        std::swap(pool[i], pool[j]);
        if (problem.seen(pool[i])) continue;
        if (take(k, pool[i])) ++got;
      }
    }
    if (on_progress) on_progress({0, k, n, problem.evaluations(), problem.budget().evaluations, operator_stats().prompt_tokens + operator_stats().completion_tokens});
  }
}

std::vector<ArchCode> PelnasSearch::sample_unseen(const Problem& problem, int k, int wanted, Rng& rng) const {
  std::vector<ArchCode> out;
  std::set<ArchCode> taken;
  const SearchSpace& space = problem.space();
  // About size() draws hit an equal-frequency niche; the bound keeps a nearly used-up niche finite.
  const int max_draws = 1000 + 200 * niche_map_->size() * std::max(1, wanted);
  for (int d = 0; d < max_draws && static_cast<int>(out.size()) < wanted; ++d) {
    const ArchCode c = ArchCode::from_encoding(space.sample(rng));
    if (niche_map_->niche_of(c) != k || problem.seen(c) || !taken.insert(c).second || !problem.in_domain(c)) continue;
    out.push_back(c);
  }
  return out;
}

int PelnasSearch::enumerate_unseen(Problem& problem, int k, int generation, int wanted, std::vector<int>& children,
                                   std::vector<std::string>& rationales) {
  // A used-up listed niche has no unseen member (and listing it scans the whole space): every
  // generation of a long run asked this of each used-up niche. Nothing drawn, nothing changes.
  if (niche_map_->listable() && niche_used_up(k)) return 0;
  auto members = niche_map_->members(k);
  std::vector<ArchCode> pool;
  if (members) {
    for (const ArchCode& a : *members)
      if (!problem.seen(a)) pool.push_back(a);
  }
  int got = 0;
  auto take = [&](const ArchCode& c) {
    if (auto e = problem.evaluate(c, generation, k)) {
      niches_[k].members.push_back(e->order);
      children.push_back(e->order);
      rationales.push_back("unseen member of the niche (the operator proposed none)");
      ++got;
      ++counters_["evaluated:enumerated"];
    }
  };
  if (!members) {
    for (const ArchCode& c : sample_unseen(problem, k, wanted, rngs_[k]))
      if (!problem.exhausted()) take(c);
    return got;
  }
  // Partial Fisher-Yates, as in the seeding: uniform, without repetition, deterministic.
  for (std::size_t i = 0; i < pool.size() && got < wanted && !problem.exhausted(); ++i) {
    const auto j = static_cast<std::size_t>(rngs_[k].uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
    std::swap(pool[i], pool[j]);
    take(pool[i]);
  }
  return got;
}

void PelnasSearch::evolve(Problem& problem, int generation) {
  const int n = static_cast<int>(niches_.size());
  std::vector<int> need = allocate(problem);
  std::vector<std::vector<int>> children(n);
  std::vector<std::vector<std::string>> rationales(n);
  int limit = options_.concurrency > 0 ? options_.concurrency : operator_->preferred_concurrency();
  limit = std::max(1, limit);
  // Operators may propose anything; only legal architectures of the space reach the Problem.
  const SearchSpace& space = problem.space();
  auto legal = [&space](const ArchCode& c) { return c.size() == space.length() && space.legal(c.encoding()); };

  for (int round = 0; round < options_.max_proposal_rounds; ++round) {
    std::vector<int> active;
    for (int k = 0; k < n; ++k)
      if (need[k] > 0) active.push_back(k);
    if (active.empty() || problem.exhausted()) break;
    // (a) states
    std::vector<NicheState> states;
    for (int k : active) states.push_back(build_state(problem, k, generation, need[k]));
    // (b) operator calls, concurrently in batches of `limit`; each niche uses only its own Rng.
    std::vector<std::vector<ProposedChild>> proposals(active.size());
    std::vector<std::exception_ptr> errors(active.size());
    // Every cell of a used-up niche is evaluated: nothing the operator proposes could be taken, and
    // asking would only burn its retries (max_attempts draws, then up to 20,000 random ones) every
    // generation of a long run. Its knowledge is still updated (as in every generation).
    std::vector<char> used_up(active.size());
    for (std::size_t i = 0; i < active.size(); ++i) used_up[i] = niche_used_up(active[i]);
    auto work = [&](std::size_t i) {
      try {
        const int k = active[i];
        if (round == 0) operator_->update_knowledge(states[i], rngs_[k]);
        if (!used_up[i]) proposals[i] = operator_->propose(states[i], rngs_[k]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    };
    if (!pool_ || pool_->threads() != limit) pool_ = std::make_unique<ThreadPool>(limit);
    pool_->parallel_for(active.size(), work);
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    // (c) validate and evaluate in niche order. The children that would be evaluated if every
    // evaluation succeeds are known before any is evaluated: their accuracies are computed first as
    // one batch (one proxy batch for a predictor), so the loop below takes them from the memo.
    {
      std::vector<ArchCode> batch;
      int budget_left = problem.remaining();
      for (std::size_t i = 0; i < active.size(); ++i) {
        const int k = active[i];
        int wanted = need[k];
        std::set<ArchCode> seen_in_batch;
        for (const auto& child : proposals[i]) {
          if (wanted <= 0 || budget_left <= 0) break;
          if (!seen_in_batch.insert(child.code).second) continue;
          if (!legal(child.code) || !problem.in_domain(child.code) || niche_map_->niche_of(child.code) != k || problem.seen(child.code)) continue;
          batch.push_back(child.code);
          --wanted;
          --budget_left;
        }
      }
      problem.prefetch(batch);
    }
    bool any = false;
    for (std::size_t i = 0; i < active.size(); ++i) {
      const int k = active[i];
      if (round == 0) {
        niches_[k].knowledge = states[i].knowledge;
        ++counters_["knowledge_updates"];
      }
      std::set<ArchCode> batch;
      for (const auto& child : proposals[i]) {
        ++counters_["proposed"];
        if (need[k] <= 0) { ++counters_["rejected:surplus"]; continue; }
        if (problem.exhausted()) { ++counters_["rejected:budget"]; continue; }
        const ArchCode& code = child.code;
        if (batch.count(code)) { ++counters_["rejected:duplicate_in_batch"]; continue; }
        batch.insert(code);
        if (!legal(code)) { ++counters_["rejected:illegal"]; continue; }
        if (!problem.in_domain(code)) { ++counters_["rejected:no_cost_on_device"]; continue; }
        if (niche_map_->niche_of(code) != k) { ++counters_["rejected:outside_niche"]; continue; }
        if (problem.seen(code)) { ++counters_["rejected:seen"]; continue; }
        auto e = problem.evaluate(code, generation, k);
        if (!e) { ++counters_["rejected:no_accuracy"]; continue; }
        ++counters_["evaluated:" + (child.origin.empty() ? std::string("child") : child.origin)];
        niches_[k].members.push_back(e->order);
        children[k].push_back(e->order);
        rationales[k].push_back(child.rationale);
        --need[k];
        any = true;
      }
      if (on_progress) on_progress({generation, k, n, problem.evaluations(), problem.budget().evaluations, operator_stats().prompt_tokens + operator_stats().completion_tokens});
    }
    if (!any) break;
    if (round + 1 < options_.max_proposal_rounds)
      for (int k = 0; k < n; ++k)
        if (need[k] > 0) ++counters_["extra_proposal_rounds"];
  }
  // The allocation can leave the niches that still have unseen cells without children while the
  // ones it fed are used up: a generation that evaluated nothing at all gives every niche, in order,
  // up to its usual share from what is left of it.
  bool none = true;
  for (int k = 0; k < n; ++k) none = none && children[k].empty();
  for (int k = 0; none && k < n && !problem.exhausted(); ++k)
    if (need[k] <= 0) enumerate_unseen(problem, k, generation, options_.children_per_niche_generation(), children[k], rationales[k]);
  for (int k = 0; k < n; ++k) {
    // The operator found nothing usable for this niche (its neighbourhoods are used up, or every
    // proposal was rejected): draw from what is left of the niche instead, so no cell is out of reach.
    if (need[k] > 0 && children[k].empty() && !problem.exhausted())
      need[k] -= enumerate_unseen(problem, k, generation, need[k], children[k], rationales[k]);
    if (need[k] > 0) counters_["shortfall"] += need[k];
    niches_[k].last_children = std::move(children[k]);
    niches_[k].last_rationales = std::move(rationales[k]);
  }
}

void PelnasSearch::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  problem_ = &problem;
  niche_map_ = options_.make_niches(problem);
  const int n = niche_map_->size();
  niches_.assign(n, {});
  reset_fronts();
  niche_sizes_.assign(n, 0);
  for (int k = 0; k < n; ++k) niche_sizes_[k] = niche_map_->size_of(k);
  rngs_.clear();
  for (int k = 0; k < n; ++k) rngs_.push_back(rng.split(static_cast<std::uint64_t>(k)));
  planned_generations_ = options_.generations_for_budget(problem.budget().evaluations, n);
  const int cap = options_.max_generations(problem.budget().evaluations, n);
  int start = 0;
  if (has_resume_) {
    if (problem.evaluations() != 0) throw Error("pelnas search: resume needs a fresh problem");
    CheckpointExpectations expect;
    expect.niches = n;
    expect.generations = cap;
    expect.budget = problem.budget().evaluations;
    expect.niche_of = [this](const ArchCode& a) { return niche_map_->niche_of(a); };
    const Evaluator& ev = problem.evaluator();
    if (problem.space().name() == "nb201") expect.index_of = [&ev](const ArchCode& a) { return ev.data().index_of(a.nb201()); };
    expect.cost_of = [&problem](const ArchCode& a) { return problem.cost_of(a); };
    expect.print = [&problem](const ArchCode& a) { return problem.arch_string(a); };
    expect.extra_costs_of = [&problem](const ArchCode& a) { return problem.extra_costs_of(a); };
    expect.extra_cost_names = ev.extra_cost_names();
    resume_.validate(expect);  // never continue from an inconsistent state
    problem.restore(resume_.archive);
    niches_ = resume_.niches;
    for (int k = 0; k < n; ++k) rngs_[k] = Rng::deserialize(niches_[k].rng_state);
    counters_ = resume_.counters;
    operator_stats_base_ = stats_from_json(resume_.operator_stats);
    operator_->restore_state(resume_.operator_state);
    generation_done_ = resume_.generation;
    start = resume_.generation + 1;
    reset_fronts();
    if (counters_.count("stopped:no_unseen_cells")) start = cap + 1;  // it had stopped there
  }
  auto report = [&](int g) {
    generation_done_ = g;
    if (!callback) return true;
    return callback({g, problem.evaluations(), &problem.archive()}) == CallbackAction::Continue;
  };
  for (int g = start; g <= cap; ++g) {
    if (problem.exhausted()) break;
    const int before = problem.evaluations();
    if (g == 0) seed(problem);
    else evolve(problem, g);
    if (g > planned_generations_) ++counters_["extra_generations"];
    // Not one niche had an unseen cell left that could be evaluated: later generations could only
    // repeat this one. Stop after it (the budget cannot be spent) and say so in the counters.
    const bool stuck = problem.evaluations() == before;
    if (stuck) counters_["stopped:no_unseen_cells"] = 1;
    if (!report(g)) return;
    if (stuck) break;
  }
  if (!problem.exhausted()) counters_["budget_unspent"] = problem.remaining();
}

void PelnasSearch::check_budget(int budget) const {
  // The space is not known here: feature_bins (set by the caller for non-NB201 spaces) or NB201.
  options_.check_budget(budget, options_.niche_count(options_.feature_bins.is_null() ? "nb201" : "other"));
}

std::unique_ptr<Search> make_pelnas_search(const nlohmann::json& options) {
  return std::make_unique<PelnasSearch>(PelnasSearchOptions::from_json(options));
}

}  // namespace pelnas
