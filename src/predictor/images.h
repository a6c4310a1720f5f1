#pragma once
// Labelled image minibatches for the data-dependent zero-cost proxies, torch-free.
// Readers for the official CIFAR-10 / CIFAR-100 binary formats and the ImageNet16 record style of
// ../shared/data/images/README.md (fixed-size records, no header, R/G/B planes row-major), a seeded
// minibatch choice and NAS-Bench-201's per-dataset normalisation.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/enums.h"

namespace pelnas {

enum class ImageFormat {
  Cifar10,          // label:u8 (0..9), 3x32x32
  Cifar100,         // coarse:u8 (0..19), fine:u8 (0..99), 3x32x32; the fine label is used
  ImageNet16,       // label:u8 (0..119), 3x16x16
  ImageNet16Wide,   // label:u16 little-endian (0..999), 3x16x16
};
std::string_view to_string(ImageFormat f);  // "cifar10", "cifar100", "imagenet16", "imagenet16-u16"
ImageFormat image_format_from_string(std::string_view s);
int record_size(ImageFormat f);   // 3073, 3074, 769, 770
int image_side(ImageFormat f);    // 32 or 16
int label_limit(ImageFormat f);   // labels must be < this (10, 100, 120, 1000)

// Decoded images: pixels N x 3 x side x side (uint8, unnormalised) and one label per image.
struct ImageSet {
  ImageFormat format = ImageFormat::Cifar10;
  int side = 32;
  std::vector<std::uint8_t> pixels;
  std::vector<int> labels;
  std::string source;  // the file read
  std::size_t size() const { return labels.size(); }
  std::size_t image_bytes() const { return static_cast<std::size_t>(3) * side * side; }
};

// Reads a whole file of records. Throws InputError naming the file (and the record, 1-based, for a
// bad label) when the file is missing, empty, not a multiple of the record size, or has a label
// outside the format's range.
ImageSet read_images(const std::string& path, ImageFormat format);

// The format a dataset's network needs (side, label range). For ImageNet16-120 both ImageNet16
// formats fit: a u16-label file is told apart by its size (see guess_format).
ImageFormat default_format(Dataset d);
// The default sample file name inside <data dir>/images for a dataset.
std::string default_image_file(Dataset d);
// Which format a file for this dataset has: CIFAR datasets have one; for ImageNet16-120 the file
// size decides (a multiple of 769 or of 770 bytes). Throws InputError when neither/both fit.
ImageFormat guess_format(const std::string& path, Dataset d);

// Reads images for a dataset's network: checks that side and label range fit the dataset, and for
// ImageNet16-120 keeps only records with label < 120 (a u16-label file covers 1000 classes).
ImageSet load_images_for(const std::string& path, Dataset d);

// NAS-Bench-201's normalisation constants (per channel, on 0..1 pixel values).
struct Normalisation {
  std::array<float, 3> mean, std;
};
Normalisation nb201_normalisation(Dataset d);

// A minibatch ready for a network: B x 3 x side x side floats (normalised) and labels.
struct Minibatch {
  int batch = 0, side = 0;
  std::vector<float> data;
  std::vector<std::int64_t> labels;
  std::string description;  // e.g. "cifar10_train_sample.bin: 64 of 4000 images, seed 0"
  bool noise = false;       // true for the Gaussian-noise fallback
};

// A seeded choice of `batch_size` distinct images (pelnas::Rng shuffle, so the same on every
// platform). Throws pelnas::Error when batch_size is < 1 or exceeds the number of images.
Minibatch choose_minibatch(const ImageSet& images, Dataset d, int batch_size, std::uint64_t seed);
// Standard normal pixels and uniform labels (for when no images exist); seeded.
Minibatch noise_minibatch(Dataset d, int batch_size, std::uint64_t seed);

}  // namespace pelnas
