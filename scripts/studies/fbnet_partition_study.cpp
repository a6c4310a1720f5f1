// Which FBNet complexity feature's bins best separate latency ranges on a device (issue 11:
// FBNet partitions chosen with a measured argument, as the paper chose conv3x3 counts for NB201).
//
// Protocol: N architectures drawn uniformly from the FBNet space (FbnetSpace::sample, Rng seed 0),
// cost = HW-NAS-Bench LUT latency (hardware/fbnet_lut.h) on the dataset's macro structure. For
// every feature of FbnetSpace::features(): K equal-frequency bins (thresholds at the feature's
// K-quantiles; ties keep equal values together) and
//   eta2     = 1 - within-bin variance / total variance of latency (share of the latency variance
//              the bins explain; 1 = bins are disjoint latency ranges),
//   spearman = rank correlation of the feature with latency,
//   overlap  = mean over adjacent bins of |IQR_i intersect IQR_{i+1}| / |IQR_i union IQR_{i+1}|.
// Deterministic (seeded); no timing.
//
// Build and run (after scripts/build.sh):
//   g++ -std=c++20 -O2 -Isrc -Ibuild/generated scripts/studies/fbnet_partition_study.cpp \
//       build/libpelnas_core.a -lfmt -o /tmp/fbnet_partition_study
//   /tmp/fbnet_partition_study ../shared/data/fbnet_hw_lut.csv [N] [K]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "common/rng.h"
#include "hardware/fbnet_lut.h"
#include "space/fbnet_space.h"

using namespace pelnas;

namespace {

std::vector<double> rank_of(const std::vector<double>& x) {
  std::vector<std::size_t> o(x.size());
  std::iota(o.begin(), o.end(), 0);
  std::sort(o.begin(), o.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < o.size();) {
    std::size_t j = i;
    while (j + 1 < o.size() && x[o[j + 1]] == x[o[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[o[k]] = (static_cast<double>(i + j)) / 2.0;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s LUT [N=20000] [K=6]\n", argv[0]);
    return 2;
  }
  const FbnetLut lut = FbnetLut::load(argv[1]);
  const int n = argc > 2 ? std::atoi(argv[2]) : 20000;
  const int k = argc > 3 ? std::atoi(argv[3]) : 6;
  for (FbnetDataset d : {FbnetDataset::Cifar100, FbnetDataset::ImageNet}) {
    FbnetSpace space(d);
    Rng rng(0);
    std::vector<Encoding> archs;
    for (int i = 0; i < n; ++i) archs.push_back(space.sample(rng));
    const auto& fs = space.features();
    std::vector<std::vector<double>> feat(fs.size(), std::vector<double>(archs.size()));
    for (std::size_t i = 0; i < archs.size(); ++i) {
      const auto v = space.feature_values(archs[i]);
      for (std::size_t f = 0; f < fs.size(); ++f) feat[f][i] = v[f];
    }
    for (const char* metric : {"pixel3_latency", "fpga_latency", "edgegpu_latency", "raspi4_latency", "eyeriss_latency"}) {
      std::vector<double> lat(archs.size());
      for (std::size_t i = 0; i < archs.size(); ++i) lat[i] = lut.cost(FbnetSpace::decode(archs[i]), d, metric);
      const double mean = std::accumulate(lat.begin(), lat.end(), 0.0) / n;
      double total = 0;
      for (double x : lat) total += (x - mean) * (x - mean);
      std::printf("\n%s %s: latency min %.3f median %.3f max %.3f ms (N=%d, K=%d bins)\n", std::string(to_string(d)).c_str(),
                  metric, *std::min_element(lat.begin(), lat.end()), quantile(lat, 0.5),
                  *std::max_element(lat.begin(), lat.end()), n, k);
      std::printf("  %-14s %7s %9s %8s %5s\n", "feature", "eta2", "spearman", "overlap", "bins");
      for (std::size_t f = 0; f < fs.size(); ++f) {
        std::vector<double> th;
        for (int b = 1; b < k; ++b) th.push_back(quantile(feat[f], static_cast<double>(b) / k));
        th.erase(std::unique(th.begin(), th.end()), th.end());
        std::vector<std::vector<double>> bins(th.size() + 1);
        for (std::size_t i = 0; i < archs.size(); ++i) {
          const auto b = static_cast<std::size_t>(std::upper_bound(th.begin(), th.end(), feat[f][i]) - th.begin());
          bins[b].push_back(lat[i]);
        }
        double within = 0;
        int used = 0;
        std::vector<std::pair<double, double>> iqr;
        for (auto& b : bins) {
          if (b.empty()) continue;
          ++used;
          const double m = std::accumulate(b.begin(), b.end(), 0.0) / static_cast<double>(b.size());
          for (double x : b) within += (x - m) * (x - m);
          iqr.push_back({quantile(b, 0.25), quantile(b, 0.75)});
        }
        double overlap = 0;
        for (std::size_t i = 0; i + 1 < iqr.size(); ++i) {
          const double inter = std::max(0.0, std::min(iqr[i].second, iqr[i + 1].second) - std::max(iqr[i].first, iqr[i + 1].first));
          const double uni = std::max(iqr[i].second, iqr[i + 1].second) - std::min(iqr[i].first, iqr[i + 1].first);
          overlap += uni > 0 ? inter / uni : 1.0;
        }
        if (iqr.size() > 1) overlap /= static_cast<double>(iqr.size() - 1);
        std::printf("  %-14s %7.3f %9.3f %8.3f %5d\n", fs[f].name.c_str(), 1 - within / total,
                    pearson(rank_of(feat[f]), rank_of(lat)), overlap, used);
      }
    }
  }
  return 0;
}
