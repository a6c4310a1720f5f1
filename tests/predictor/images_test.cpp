// Image readers and minibatches against the documented contents of ../shared/data/images
// (README: record counts, first pixel bytes, per-class counts), plus malformed files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "common/error.h"
#include "predictor/images.h"
#include "predictor/nb201_network.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string image(const std::string& name) { return test::data_dir() + "/images/" + name; }

std::vector<int> class_counts(const ImageSet& s, int classes) {
  std::vector<int> c(static_cast<std::size_t>(classes), 0);
  for (int l : s.labels) ++c[static_cast<std::size_t>(l)];
  return c;
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(Images, Cifar10TestSampleMatchesTheOfficialBatch) {
  const auto s = read_images(image("cifar10_sample.bin"), ImageFormat::Cifar10);
  ASSERT_EQ(s.size(), 1000u);
  EXPECT_EQ(s.side, 32);
  const std::vector<int> first(s.pixels.begin(), s.pixels.begin() + 5);  // record 0, R plane
  EXPECT_EQ(first, (std::vector<int>{158, 159, 165, 166, 160}));
  EXPECT_EQ(class_counts(s, 10), (std::vector<int>{103, 89, 100, 103, 90, 86, 112, 102, 106, 109}));
}

TEST(Images, Cifar10TrainSample) {
  const auto s = load_images_for(image("cifar10_train_sample.bin"), Dataset::Cifar10);
  ASSERT_EQ(s.size(), 4000u);
  const std::vector<int> first(s.pixels.begin(), s.pixels.begin() + 5);
  EXPECT_EQ(first, (std::vector<int>{59, 43, 50, 68, 98}));
  EXPECT_EQ(class_counts(s, 10), (std::vector<int>{396, 366, 420, 384, 422, 393, 414, 385, 407, 413}));
  // The first training labels of data_batch_1.
  EXPECT_EQ(std::vector<int>(s.labels.begin(), s.labels.begin() + 10), (std::vector<int>{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}));
}

TEST(Images, Cifar100UsesFineLabels) {
  const auto s = load_images_for(image("cifar100_sample.bin"), Dataset::Cifar100);
  ASSERT_EQ(s.size(), 960u);
  const auto c = class_counts(s, 100);
  EXPECT_EQ(std::vector<int>(c.begin(), c.begin() + 10), (std::vector<int>{10, 12, 11, 8, 9, 11, 2, 11, 10, 12}));
  EXPECT_EQ(*std::min_element(c.begin(), c.end()), 2);
  EXPECT_EQ(*std::max_element(c.begin(), c.end()), 17);
  const auto t = read_images(image("cifar100_test_first20.bin"), ImageFormat::Cifar100);
  EXPECT_EQ(std::vector<int>(t.labels.begin(), t.labels.begin() + 5), (std::vector<int>{49, 33, 72, 51, 71}));
}

TEST(Images, ImageNet16WideFileFilteredTo120ClassesEqualsTheNarrowFile) {
  const auto narrow = load_images_for(image("imagenet16_sample.bin"), Dataset::ImageNet16_120);
  ASSERT_EQ(narrow.size(), 106u);
  EXPECT_EQ(narrow.format, ImageFormat::ImageNet16);
  EXPECT_EQ(guess_format(image("imagenet16_1k_sample.bin"), Dataset::ImageNet16_120), ImageFormat::ImageNet16Wide);
  const auto all = read_images(image("imagenet16_1k_sample.bin"), ImageFormat::ImageNet16Wide);
  EXPECT_EQ(all.size(), 960u);
  // Same source images in source order: filtering the u16 file to labels < 120 gives the u8 file.
  const auto wide = load_images_for(image("imagenet16_1k_sample.bin"), Dataset::ImageNet16_120);
  EXPECT_EQ(wide.labels, narrow.labels);
  EXPECT_EQ(wide.pixels, narrow.pixels);
}

TEST(Images, BadFilesGiveErrorsNamingTheProblem) {
  const auto dir = test::temp_dir("images");
  try {
    read_images(dir + "/absent.bin", ImageFormat::Cifar10);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.bin"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos);
  }
  std::vector<std::uint8_t> rec(3073, 7);
  rec[0] = 3;
  auto two = rec;
  two.insert(two.end(), rec.begin(), rec.end());
  write_bytes(dir + "/truncated.bin", std::vector<std::uint8_t>(two.begin(), two.end() - 5));
  try {
    read_images(dir + "/truncated.bin", ImageFormat::Cifar10);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a multiple of"), std::string::npos) << e.what();
  }
  two[3073] = 10;  // label of record 2 out of 0..9
  write_bytes(dir + "/label.bin", two);
  try {
    read_images(dir + "/label.bin", ImageFormat::Cifar10);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("record 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("label 10"), std::string::npos) << e.what();
  }
  write_bytes(dir + "/empty.bin", {});
  EXPECT_THROW(read_images(dir + "/empty.bin", ImageFormat::Cifar10), InputError);
  // 769 * 770 bytes fits both ImageNet16 record sizes: refuse to guess.
  write_bytes(dir + "/both.bin", std::vector<std::uint8_t>(769 * 770, 0));
  EXPECT_THROW(guess_format(dir + "/both.bin", Dataset::ImageNet16_120), InputError);
  // CIFAR-10 images do not fit the 16x16 network.
  EXPECT_THROW(load_images_for(image("cifar10_sample.bin"), Dataset::ImageNet16_120), InputError);
}

TEST(Images, MinibatchIsSeededAndNormalised) {
  const auto s = read_images(image("cifar10_sample.bin"), ImageFormat::Cifar10);
  const auto a = choose_minibatch(s, Dataset::Cifar10, 64, 3);
  const auto b = choose_minibatch(s, Dataset::Cifar10, 64, 3);
  const auto c = choose_minibatch(s, Dataset::Cifar10, 64, 4);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
  ASSERT_EQ(a.data.size(), 64u * 3 * 32 * 32);
  // Find which image went first and check its normalised first R pixel by hand.
  const auto norm = nb201_normalisation(Dataset::Cifar10);
  EXPECT_NEAR(norm.mean[0], 125.3 / 255, 1e-6);
  bool found = false;
  for (std::size_t i = 0; i < s.size() && !found; ++i) {
    const float expect = (s.pixels[i * 3072] / 255.0f - norm.mean[0]) / norm.std[0];
    const float expect_g = (s.pixels[i * 3072 + 1024] / 255.0f - norm.mean[1]) / norm.std[1];
    if (s.labels[i] == a.labels[0] && a.data[0] == expect && a.data[1024] == expect_g) found = true;
  }
  EXPECT_TRUE(found);
  EXPECT_THROW(choose_minibatch(s, Dataset::Cifar10, 1001, 0), Error);
  EXPECT_THROW(choose_minibatch(s, Dataset::Cifar10, 0, 0), Error);
}

TEST(Images, NoiseMinibatchIsSeededGaussian) {
  const auto a = noise_minibatch(Dataset::ImageNet16_120, 64, 1);
  const auto b = noise_minibatch(Dataset::ImageNet16_120, 64, 1);
  EXPECT_TRUE(a.noise);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.side, 16);
  double mean = 0, var = 0;
  for (float x : a.data) mean += x;
  mean /= static_cast<double>(a.data.size());
  for (float x : a.data) var += (x - mean) * (x - mean);
  var /= static_cast<double>(a.data.size());
  EXPECT_NEAR(mean, 0.0, 0.03);
  EXPECT_NEAR(var, 1.0, 0.05);
  for (auto l : a.labels) EXPECT_LT(l, 120);
}

// The analytic counts against the table for all 15,625 archs (every conv3x3 count), all datasets.
TEST(Nb201Network, AnalyticParamsAndFlopsMatchTheTable) {
  const auto data = test::data();
  std::vector<int> per_count(kNumEdges + 1, 0);
  for (int i = 0; i < data->size(); ++i) {
    const Arch& a = data->arch(i);
    ++per_count[static_cast<std::size_t>(a.count(Op::Conv3x3))];
    for (Dataset d : kAllDatasets) {
      EXPECT_NEAR(static_cast<double>(nb201_param_count(a, d)) / 1e6, data->params(i, d), 5e-7) << a.str();
      EXPECT_NEAR(static_cast<double>(nb201_flop_count(a, d)) / 1e6, data->flops(i, d), 5e-6) << a.str();
    }
  }
  for (int n : per_count) EXPECT_GT(n, 0);
}

}  // namespace
}  // namespace pelnas
