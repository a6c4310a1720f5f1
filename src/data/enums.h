#pragma once
// The named axes of the benchmark: datasets, devices, hardware metrics and accuracy metrics.
// Every enum has to_string / *_from_string; parsing errors list the valid names.
#include <array>
#include <string>
#include <string_view>

namespace pelnas {

enum class Dataset { Cifar10, Cifar100, ImageNet16_120 };
inline constexpr std::array<Dataset, 3> kAllDatasets = {Dataset::Cifar10, Dataset::Cifar100, Dataset::ImageNet16_120};
std::string_view to_string(Dataset d);    // "cifar10", "cifar100", "ImageNet16-120"
Dataset dataset_from_string(std::string_view s);  // also accepts "c10", "c100", "in16", "imagenet16-120"
std::string_view short_name(Dataset d);   // "c10", "c100", "in16" (the table column prefixes)
int num_classes(Dataset d);               // 10, 100, 120
int input_size(Dataset d);                // 32, 32, 16

// The six HW-NAS-Bench devices.
enum class Device { EdgeGpu, Raspi4, EdgeTpu, Pixel3, Eyeriss, Fpga };
inline constexpr std::array<Device, 6> kAllDevices = {Device::EdgeGpu, Device::Raspi4, Device::EdgeTpu,
                                                      Device::Pixel3,  Device::Eyeriss, Device::Fpga};
std::string_view to_string(Device d);     // "edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga"
Device device_from_string(std::string_view s);
bool is_hwnasbench_device(std::string_view s);

enum class HwMetric { Latency, Energy, ArithmeticIntensity };
inline constexpr std::array<HwMetric, 3> kAllHwMetrics = {HwMetric::Latency, HwMetric::Energy,
                                                          HwMetric::ArithmeticIntensity};
std::string_view to_string(HwMetric m);   // "latency", "energy", "arithmetic_intensity"
HwMetric hw_metric_from_string(std::string_view s);
std::string_view unit(HwMetric m);        // "ms", "mJ", "ops/byte"
// Whether HW-NAS-Bench has this (device, metric) at all (e.g. no edgetpu energy).
bool hwnasbench_has(Device d, HwMetric m);
// "fpga_latency" etc., the HW-NAS-Bench metric key.
std::string hwnasbench_key(Device d, HwMetric m);

// Which accuracy of an architecture: 200-epoch test accuracy (the evaluation ground truth),
// 200-epoch validation accuracy (CIFAR-10 only: the cifar10-valid split), and the 12-epoch values.
enum class AccuracyMetric { Test, Valid, Test12, Valid12 };
std::string_view to_string(AccuracyMetric m);  // "test", "valid", "test12", "valid12"
AccuracyMetric accuracy_metric_from_string(std::string_view s);

}  // namespace pelnas
