// The evolution operator's screening model: the ridge fit of AdditiveAccuracyModel and nth_of_merged.
#include "search/screening_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "common/error.h"

namespace pelnas {

namespace {

// Where each position's choices start in a flat (position, choice) vector.
std::vector<int> choice_offsets(const SearchSpace& space) {
  std::vector<int> off;
  int at = 0;
  for (const auto& p : space.positions()) {
    off.push_back(at);
    at += static_cast<int>(p.choices.size());
  }
  off.push_back(at);
  return off;
}

}  // namespace

double nth_of_merged(const std::vector<double>& a, const std::vector<double>& b, std::size_t k) {
  const std::size_t take = k + 1;
  for (std::size_t j = 0; j <= b.size() && j <= take; ++j) {
    const std::size_t i = take - j;
    if (i > a.size()) continue;
    const bool left_ok = i == 0 || j == b.size() || a[i - 1] <= b[j];
    const bool right_ok = j == 0 || i == a.size() || b[j - 1] <= a[i];
    if (left_ok && right_ok) return i == 0 ? b[j - 1] : (j == 0 ? a[i - 1] : std::max(a[i - 1], b[j - 1]));
  }
  throw Error("evolution operator: quantile index out of range");  // k >= |a| + |b|: a bug
}

AdditiveAccuracyModel AdditiveAccuracyModel::fit(const SearchSpace& space, const NicheHistory::Stats* history,
                                                 const std::vector<const EvaluatedArch*>& more, double ridge, double floor) {
  AdditiveAccuracyModel m;
  const std::size_t n_history = history ? history->accuracy.size() : 0;
  if (n_history + more.size() < 3) return m;
  m.offset = choice_offsets(space);
  const int L = space.length();
  const int P = m.offset.back();
  m.theta.assign(static_cast<std::size_t>(P), 0.0);
  for (std::size_t d = 0; d < n_history; ++d) m.mean += std::max(history->accuracy[d], floor);
  for (const auto* d : more) m.mean += std::max(d->accuracy, floor);
  m.mean /= static_cast<double>(n_history + more.size());
  std::vector<double> a(static_cast<std::size_t>(P) * P, 0.0), b(static_cast<std::size_t>(P), 0.0);
  if (history)
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(history->pairs[i]);
  for (std::size_t d = 0; d < n_history; ++d) {
    const double t = std::max(history->accuracy[d], floor) - m.mean;
    const std::uint16_t* f = &history->feature_of[d * static_cast<std::size_t>(L)];
    for (int e = 0; e < L; ++e) b[f[e]] += t;
  }
  std::vector<int> idx(static_cast<std::size_t>(L));
  for (const auto* d : more) {
    for (int e = 0; e < L; ++e) idx[e] = m.offset[e] + d->code[e];
    for (int i : idx) {
      b[i] += std::max(d->accuracy, floor) - m.mean;
      for (int j : idx) a[static_cast<std::size_t>(i) * P + j] += 1;
    }
  }
  for (int i = 0; i < P; ++i) a[static_cast<std::size_t>(i) * P + i] += ridge;
  for (int c = 0; c < P; ++c) {
    int piv = c;
    for (int r = c + 1; r < P; ++r)
      if (std::abs(a[static_cast<std::size_t>(r) * P + c]) > std::abs(a[static_cast<std::size_t>(piv) * P + c])) piv = r;
    if (piv != c) {
      for (int k = 0; k < P; ++k) std::swap(a[static_cast<std::size_t>(c) * P + k], a[static_cast<std::size_t>(piv) * P + k]);
      std::swap(b[c], b[piv]);
    }
    for (int r = c + 1; r < P; ++r) {
      const double f = a[static_cast<std::size_t>(r) * P + c] / a[static_cast<std::size_t>(c) * P + c];
      if (f == 0) continue;
      for (int k = c; k < P; ++k) a[static_cast<std::size_t>(r) * P + k] -= f * a[static_cast<std::size_t>(c) * P + k];
      b[r] -= f * b[c];
    }
  }
  for (int c = P - 1; c >= 0; --c) {
    double v = b[c];
    for (int k = c + 1; k < P; ++k) v -= a[static_cast<std::size_t>(c) * P + k] * m.theta[k];
    m.theta[c] = v / a[static_cast<std::size_t>(c) * P + c];
  }
  m.fitted = true;
  return m;
}

}  // namespace pelnas
