#include "space/search_space.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/rng.h"

namespace pelnas {

double SearchSpace::log10_size() const {
  double s = 0;
  for (const auto& p : positions()) s += std::log10(static_cast<double>(p.choices.size()));
  return s;
}

std::optional<std::uint64_t> SearchSpace::cardinality() const {
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 53;
  std::uint64_t n = 1;
  for (const auto& p : positions()) {
    const auto c = static_cast<std::uint64_t>(p.choices.size());
    if (c != 0 && n > kLimit / c) return std::nullopt;
    n *= c;
  }
  return n;
}

void SearchSpace::check_shape(const Encoding& e) const {
  if (auto why = SearchSpace::illegal_reason(e)) throw Error(fmt::format("{} encoding: {}", name(), *why));
}

std::optional<std::string> SearchSpace::illegal_reason(const Encoding& e) const {
  const auto& pos = positions();
  if (e.size() != pos.size())
    return fmt::format("{} positions given, the {} space has {}", e.size(), name(), pos.size());
  for (std::size_t p = 0; p < pos.size(); ++p)
    if (e[p] < 0 || e[p] >= static_cast<int>(pos[p].choices.size()))
      return fmt::format("position {} ({}) has choice {}, expected 0..{}", p, pos[p].name, e[p],
                         pos[p].choices.size() - 1);
  return std::nullopt;
}

Encoding SearchSpace::sample(Rng& rng) const {
  const auto& pos = positions();
  // Rejection keeps the draw uniform over the legal set; product spaces accept the first draw.
  for (int attempt = 0; attempt < 100000; ++attempt) {
    Encoding e(pos.size());
    for (std::size_t p = 0; p < pos.size(); ++p)
      e[p] = static_cast<int>(rng.uniform_int(0, static_cast<std::int64_t>(pos[p].choices.size()) - 1));
    if (legal(e)) return e;
  }
  throw Error(fmt::format("{}: no legal architecture in 100000 uniform draws", name()));
}

std::vector<Encoding> SearchSpace::neighbours(const Encoding& e) const {
  check_shape(e);
  const auto& pos = positions();
  std::vector<Encoding> out;
  for (std::size_t p = 0; p < pos.size(); ++p)
    for (int c = 0; c < static_cast<int>(pos[p].choices.size()); ++c) {
      if (c == e[p]) continue;
      Encoding n = e;
      n[p] = c;
      if (legal(n)) out.push_back(std::move(n));
    }
  return out;
}

Encoding SearchSpace::mutate(const Encoding& e, Rng& rng, int changes) const {
  check_shape(e);
  const auto& pos = positions();
  std::vector<int> mutable_positions;
  for (std::size_t p = 0; p < pos.size(); ++p)
    if (pos[p].choices.size() > 1) mutable_positions.push_back(static_cast<int>(p));
  if (mutable_positions.empty()) return e;
  changes = std::clamp(changes, 1, static_cast<int>(mutable_positions.size()));
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Encoding m = e;
    std::vector<int> order = mutable_positions;
    // Partial Fisher-Yates: the first `changes` entries are a uniform subset.
    for (int i = 0; i < changes; ++i) {
      const auto j = rng.uniform_int(i, static_cast<std::int64_t>(order.size()) - 1);
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
      const int p = order[static_cast<std::size_t>(i)];
      const auto n = static_cast<std::int64_t>(pos[static_cast<std::size_t>(p)].choices.size());
      int c = static_cast<int>(rng.uniform_int(0, n - 2));  // a different choice, uniformly
      if (c >= e[static_cast<std::size_t>(p)]) ++c;
      m[static_cast<std::size_t>(p)] = c;
    }
    if (legal(m)) return m;
  }
  throw Error(fmt::format("{}: no legal mutation of {} in 1000 draws", name(), print(e)));
}

Encoding SearchSpace::crossover(const Encoding& a, const Encoding& b, Rng& rng) const {
  check_shape(a);
  check_shape(b);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Encoding c(a.size());
    for (std::size_t p = 0; p < a.size(); ++p) c[p] = rng.bernoulli(0.5) ? a[p] : b[p];
    if (legal(c)) return c;
  }
  throw Error(fmt::format("{}: no legal crossover of {} and {} in 1000 draws", name(), print(a), print(b)));
}

std::uint64_t SearchSpace::hash(const Encoding& e) const {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](unsigned char byte) {
    h ^= byte;
    h *= 0x100000001b3ULL;
  };
  for (char ch : name()) mix(static_cast<unsigned char>(ch));
  mix(0);
  for (int v : e) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int k = 0; k < 4; ++k) mix(static_cast<unsigned char>(u >> (8 * k)));
  }
  return h;
}

double SearchSpace::feature_value(const Encoding& e, std::string_view feature) const {
  const auto& fs = features();
  for (std::size_t i = 0; i < fs.size(); ++i)
    if (fs[i].name == feature) return feature_values(e)[i];
  std::string valid;
  for (const auto& f : fs) valid += (valid.empty() ? "" : ", ") + f.name;
  throw Error(fmt::format("unknown {} feature '{}' (valid: {})", name(), feature, valid));
}

// ---- registry ----

SearchSpaceRegistry& SearchSpaceRegistry::instance() {
  static SearchSpaceRegistry* registry = [] {
    auto* r = new SearchSpaceRegistry;
    register_builtin_spaces(*r);
    return r;
  }();
  return *registry;
}

void SearchSpaceRegistry::add(SpaceEntry entry) {
  for (const auto& e : entries_)
    if (e.name == entry.name) throw Error("search space '" + entry.name + "' registered twice");
  if (entry.datasets.empty()) throw Error("search space '" + entry.name + "' registered without a dataset");
  entries_.push_back(std::move(entry));
}

std::vector<std::string> SearchSpaceRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

const SpaceEntry& SearchSpaceRegistry::entry(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e;
  throw Error(fmt::format("unknown search space '{}' (valid: {})", name, fmt::join(names(), ", ")));
}

std::unique_ptr<SearchSpace> SearchSpaceRegistry::make(std::string_view name, const std::string& dataset) const {
  const SpaceEntry& e = entry(name);
  return e.make(dataset.empty() ? e.datasets.front() : dataset);
}

std::unique_ptr<SearchSpace> make_search_space(std::string_view name, const std::string& dataset) {
  return SearchSpaceRegistry::instance().make(name, dataset);
}

namespace {
std::mutex& builder_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string, std::less<>>& builder_spaces() {
  static std::set<std::string, std::less<>> s;
  return s;
}
}  // namespace

bool has_network_builder(std::string_view space) {
  std::lock_guard lock(builder_mutex());
  return builder_spaces().count(space) > 0;
}

void mark_network_builder(std::string_view space) {
  std::lock_guard lock(builder_mutex());
  builder_spaces().emplace(space);
}

}  // namespace pelnas
