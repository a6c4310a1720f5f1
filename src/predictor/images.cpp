#include "predictor/images.h"

#include <filesystem>
#include <fstream>
#include <numeric>

#include <fmt/format.h>

#include "common/error.h"
#include "common/rng.h"

namespace pelnas {

std::string_view to_string(ImageFormat f) {
  switch (f) {
    case ImageFormat::Cifar10: return "cifar10";
    case ImageFormat::Cifar100: return "cifar100";
    case ImageFormat::ImageNet16: return "imagenet16";
    case ImageFormat::ImageNet16Wide: return "imagenet16-u16";
  }
  return "?";
}

ImageFormat image_format_from_string(std::string_view s) {
  for (auto f : {ImageFormat::Cifar10, ImageFormat::Cifar100, ImageFormat::ImageNet16, ImageFormat::ImageNet16Wide})
    if (s == to_string(f)) return f;
  throw Error(fmt::format("unknown image format '{}' (expected cifar10, cifar100, imagenet16 or imagenet16-u16)", s));
}

int record_size(ImageFormat f) {
  switch (f) {
    case ImageFormat::Cifar10: return 1 + 3072;
    case ImageFormat::Cifar100: return 2 + 3072;
    case ImageFormat::ImageNet16: return 1 + 768;
    case ImageFormat::ImageNet16Wide: return 2 + 768;
  }
  return 0;
}

int image_side(ImageFormat f) {
  return (f == ImageFormat::Cifar10 || f == ImageFormat::Cifar100) ? 32 : 16;
}

int label_limit(ImageFormat f) {
  switch (f) {
    case ImageFormat::Cifar10: return 10;
    case ImageFormat::Cifar100: return 100;
    case ImageFormat::ImageNet16: return 120;
    case ImageFormat::ImageNet16Wide: return 1000;
  }
  return 0;
}

namespace {

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(path, 0, "image file not found (expected a CIFAR/ImageNet16 binary record file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot open image file");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

}  // namespace

ImageSet read_images(const std::string& path, ImageFormat format) {
  const auto bytes = read_bytes(path);
  const std::size_t rec = static_cast<std::size_t>(record_size(format));
  if (bytes.empty()) throw InputError(path, 0, "image file is empty");
  if (bytes.size() % rec != 0)
    throw InputError(path, 0,
                     fmt::format("size {} bytes is not a multiple of the {} record size {} (truncated or wrong format?)",
                                 bytes.size(), to_string(format), rec));
  const std::size_t n = bytes.size() / rec;
  const std::size_t label_bytes = format == ImageFormat::Cifar10 || format == ImageFormat::ImageNet16 ? 1 : 2;
  ImageSet set;
  set.format = format;
  set.side = image_side(format);
  set.source = path;
  set.labels.resize(n);
  set.pixels.resize(n * set.image_bytes());
  const int limit = label_limit(format);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* r = bytes.data() + i * rec;
    int label = 0;
    switch (format) {
      case ImageFormat::Cifar10:
      case ImageFormat::ImageNet16: label = r[0]; break;
      case ImageFormat::Cifar100:
        if (r[0] >= 20)
          throw InputError(path, 0, fmt::format("record {} (byte offset {}): coarse label {} out of range 0..19",
                                                i + 1, i * rec, r[0]));
        label = r[1];
        break;
      case ImageFormat::ImageNet16Wide: label = r[0] | (r[1] << 8); break;
    }
    if (label >= limit)
      throw InputError(path, 0, fmt::format("record {} (byte offset {}): label {} out of range 0..{} for the {} format",
                                            i + 1, i * rec, label, limit - 1, to_string(format)));
    set.labels[i] = label;
    std::copy(r + label_bytes, r + rec, set.pixels.begin() + static_cast<std::ptrdiff_t>(i * set.image_bytes()));
  }
  return set;
}

ImageFormat default_format(Dataset d) {
  switch (d) {
    case Dataset::Cifar10: return ImageFormat::Cifar10;
    case Dataset::Cifar100: return ImageFormat::Cifar100;
    case Dataset::ImageNet16_120: return ImageFormat::ImageNet16;
  }
  return ImageFormat::Cifar10;
}

std::string default_image_file(Dataset d) {
  switch (d) {
    case Dataset::Cifar10: return "cifar10_train_sample.bin";
    case Dataset::Cifar100: return "cifar100_sample.bin";
    case Dataset::ImageNet16_120: return "imagenet16_sample.bin";
  }
  return "";
}

ImageFormat guess_format(const std::string& path, Dataset d) {
  if (d != Dataset::ImageNet16_120) return default_format(d);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, 0, "image file not found (expected an ImageNet16 binary record file)");
  const bool narrow = size > 0 && size % 769 == 0, wide = size > 0 && size % 770 == 0;
  if (narrow && !wide) return ImageFormat::ImageNet16;
  if (wide && !narrow) return ImageFormat::ImageNet16Wide;
  throw InputError(path, 0,
                   fmt::format("size {} bytes fits {} ImageNet16 record format (769 bytes: u8 label; 770 bytes: "
                               "u16 label)", size, narrow ? "both the" : "neither"));
}

ImageSet load_images_for(const std::string& path, Dataset d) {
  const ImageFormat format = guess_format(path, d);
  ImageSet set = read_images(path, format);
  if (set.side != input_size(d))
    throw InputError(path, 0, fmt::format("{}x{} images do not fit the {} network ({}x{} input)", set.side, set.side,
                                          to_string(d), input_size(d), input_size(d)));
  if (format == ImageFormat::ImageNet16Wide) {  // keep the ImageNet16-120 classes only
    ImageSet kept = set;
    kept.labels.clear();
    kept.pixels.clear();
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (set.labels[i] >= num_classes(d)) continue;
      kept.labels.push_back(set.labels[i]);
      auto first = set.pixels.begin() + static_cast<std::ptrdiff_t>(i * set.image_bytes());
      kept.pixels.insert(kept.pixels.end(), first, first + static_cast<std::ptrdiff_t>(set.image_bytes()));
    }
    if (kept.labels.empty())
      throw InputError(path, 0, fmt::format("no record has a label below {} ({} classes)", num_classes(d), to_string(d)));
    set = std::move(kept);
  }
  return set;
}

Normalisation nb201_normalisation(Dataset d) {
  // NAS-Bench-201's get_datasets: constants in 0..255 divided by 255.
  auto scaled = [](std::array<float, 3> v) {
    for (auto& x : v) x /= 255.0f;
    return v;
  };
  switch (d) {
    case Dataset::Cifar10: return {scaled({125.3f, 123.0f, 113.9f}), scaled({63.0f, 62.1f, 66.7f})};
    case Dataset::Cifar100: return {scaled({129.3f, 124.1f, 112.4f}), scaled({68.2f, 65.4f, 70.4f})};
    case Dataset::ImageNet16_120: return {scaled({122.68f, 116.66f, 104.01f}), scaled({63.22f, 61.26f, 65.09f})};
  }
  return {};
}

Minibatch choose_minibatch(const ImageSet& images, Dataset d, int batch_size, std::uint64_t seed) {
  if (batch_size < 1) throw Error(fmt::format("batch size must be >= 1 (got {})", batch_size));
  if (static_cast<std::size_t>(batch_size) > images.size())
    throw Error(fmt::format("batch size {} exceeds the {} usable images in {}", batch_size, images.size(), images.source));
  if (images.side != input_size(d))
    throw Error(fmt::format("{}x{} images do not fit the {} network", images.side, images.side, to_string(d)));
  std::vector<std::size_t> order(images.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed);
  rng.shuffle(order);
  const auto norm = nb201_normalisation(d);
  const std::size_t plane = static_cast<std::size_t>(images.side) * images.side;
  Minibatch mb;
  mb.batch = batch_size;
  mb.side = images.side;
  mb.data.resize(static_cast<std::size_t>(batch_size) * 3 * plane);
  mb.labels.resize(static_cast<std::size_t>(batch_size));
  for (int b = 0; b < batch_size; ++b) {
    const std::size_t src = order[static_cast<std::size_t>(b)];
    mb.labels[static_cast<std::size_t>(b)] = images.labels[src];
    for (int c = 0; c < 3; ++c) {
      const std::uint8_t* in = images.pixels.data() + src * 3 * plane + c * plane;
      float* out = mb.data.data() + (static_cast<std::size_t>(b) * 3 + c) * plane;
      for (std::size_t p = 0; p < plane; ++p) out[p] = (in[p] / 255.0f - norm.mean[c]) / norm.std[c];
    }
  }
  const auto name = std::filesystem::path(images.source).filename().string();
  mb.description = fmt::format("{}: {} of {} images, seed {}", name, batch_size, images.size(), seed);
  return mb;
}

Minibatch noise_minibatch(Dataset d, int batch_size, std::uint64_t seed) {
  if (batch_size < 1) throw Error(fmt::format("batch size must be >= 1 (got {})", batch_size));
  Minibatch mb;
  mb.batch = batch_size;
  mb.side = input_size(d);
  mb.noise = true;
  Rng rng(seed);
  mb.data.resize(static_cast<std::size_t>(batch_size) * 3 * mb.side * mb.side);
  for (auto& x : mb.data) x = static_cast<float>(rng.normal());
  mb.labels.resize(static_cast<std::size_t>(batch_size));
  for (auto& l : mb.labels) l = rng.uniform_int(0, num_classes(d) - 1);
  mb.description = fmt::format("Gaussian noise (no images): batch {}, seed {}", batch_size, seed);
  return mb;
}

}  // namespace pelnas
