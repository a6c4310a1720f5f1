#include "data/enums.h"

#include <algorithm>
#include <cctype>

#include "common/error.h"

namespace pelnas {

namespace {
template <class E, std::size_t N>
E parse_enum(std::string_view what, std::string_view s, const std::array<E, N>& all) {
  std::string valid;
  for (E e : all) {
    if (to_string(e) == s) return e;
    valid += (valid.empty() ? "" : ", ") + std::string(to_string(e));
  }
  throw Error("unknown " + std::string(what) + " '" + std::string(s) + "' (valid: " + valid + ")");
}
std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}
}  // namespace

std::string_view to_string(Dataset d) {
  switch (d) {
    case Dataset::Cifar10: return "cifar10";
    case Dataset::Cifar100: return "cifar100";
    case Dataset::ImageNet16_120: return "ImageNet16-120";
  }
  return "?";
}
std::string_view short_name(Dataset d) {
  switch (d) {
    case Dataset::Cifar10: return "c10";
    case Dataset::Cifar100: return "c100";
    case Dataset::ImageNet16_120: return "in16";
  }
  return "?";
}
Dataset dataset_from_string(std::string_view s) {
  const std::string l = lower(s);
  if (l == "cifar10" || l == "c10") return Dataset::Cifar10;
  if (l == "cifar100" || l == "c100") return Dataset::Cifar100;
  if (l == "imagenet16-120" || l == "in16" || l == "imagenet16") return Dataset::ImageNet16_120;
  return parse_enum("dataset", s, kAllDatasets);
}
int num_classes(Dataset d) { return d == Dataset::Cifar10 ? 10 : d == Dataset::Cifar100 ? 100 : 120; }
int input_size(Dataset d) { return d == Dataset::ImageNet16_120 ? 16 : 32; }

std::string_view to_string(Device d) {
  switch (d) {
    case Device::EdgeGpu: return "edgegpu";
    case Device::Raspi4: return "raspi4";
    case Device::EdgeTpu: return "edgetpu";
    case Device::Pixel3: return "pixel3";
    case Device::Eyeriss: return "eyeriss";
    case Device::Fpga: return "fpga";
  }
  return "?";
}
Device device_from_string(std::string_view s) { return parse_enum("device", lower(s), kAllDevices); }
bool is_hwnasbench_device(std::string_view s) {
  for (Device d : kAllDevices)
    if (to_string(d) == s) return true;
  return false;
}

std::string_view to_string(HwMetric m) {
  switch (m) {
    case HwMetric::Latency: return "latency";
    case HwMetric::Energy: return "energy";
    case HwMetric::ArithmeticIntensity: return "arithmetic_intensity";
  }
  return "?";
}
HwMetric hw_metric_from_string(std::string_view s) { return parse_enum("hardware metric", lower(s), kAllHwMetrics); }
std::string_view unit(HwMetric m) {
  switch (m) {
    case HwMetric::Latency: return "ms";
    case HwMetric::Energy: return "mJ";
    case HwMetric::ArithmeticIntensity: return "ops/byte";
  }
  return "?";
}
bool hwnasbench_has(Device d, HwMetric m) {
  switch (m) {
    case HwMetric::Latency: return true;
    case HwMetric::Energy: return d == Device::EdgeGpu || d == Device::Eyeriss || d == Device::Fpga;
    case HwMetric::ArithmeticIntensity: return d == Device::Eyeriss;
  }
  return false;
}
std::string hwnasbench_key(Device d, HwMetric m) { return std::string(to_string(d)) + "_" + std::string(to_string(m)); }

std::string_view to_string(AccuracyMetric m) {
  switch (m) {
    case AccuracyMetric::Test: return "test";
    case AccuracyMetric::Valid: return "valid";
    case AccuracyMetric::Test12: return "test12";
    case AccuracyMetric::Valid12: return "valid12";
  }
  return "?";
}
AccuracyMetric accuracy_metric_from_string(std::string_view s) {
  static constexpr std::array<AccuracyMetric, 4> all = {AccuracyMetric::Test, AccuracyMetric::Valid,
                                                        AccuracyMetric::Test12, AccuracyMetric::Valid12};
  return parse_enum("accuracy metric", lower(s), all);
}

}  // namespace pelnas
