// Accuracy signals by name: the default `valid` is each dataset's best validation accuracy, the
// oracle is named table:test, and bad names say what is valid.
#include <gtest/gtest.h>

#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(AccuracySignal, ValidIsTheBestValidationAccuracyOfEachDataset) {
  const auto data = test::data();
  // What the data holds (README of the data, section 9): 200-epoch validation for CIFAR-10 only.
  ASSERT_TRUE(data->has_accuracy(Dataset::Cifar10, AccuracyMetric::Valid));
  ASSERT_FALSE(data->has_accuracy(Dataset::Cifar100, AccuracyMetric::Valid));
  ASSERT_FALSE(data->has_accuracy(Dataset::ImageNet16_120, AccuracyMetric::Valid));
  EXPECT_EQ(resolve_accuracy_signal("valid", Dataset::Cifar10, *data), "table:valid");
  EXPECT_EQ(resolve_accuracy_signal("valid", Dataset::Cifar100, *data), "table:valid12");
  EXPECT_EQ(resolve_accuracy_signal("valid", Dataset::ImageNet16_120, *data), "table:valid12");
  EXPECT_EQ(std::string(kDefaultAccuracySignal), "valid");
  // Aliases, including the spelling of runs before the validation default.
  EXPECT_EQ(resolve_accuracy_signal("table", Dataset::Cifar10, *data), "table:test");
  EXPECT_EQ(resolve_accuracy_signal("test", Dataset::Cifar100, *data), "table:test");
  EXPECT_EQ(resolve_accuracy_signal("test12", Dataset::Cifar10, *data), "table:test12");
  EXPECT_EQ(resolve_accuracy_signal("table:valid12", Dataset::Cifar10, *data), "table:valid12");
  EXPECT_TRUE(is_oracle_signal("table:test"));
  EXPECT_FALSE(is_oracle_signal("table:valid"));

  // The source reads the column it names.
  AccuracySourceOptions o;
  o.data = data;
  o.dataset = Dataset::Cifar100;
  auto src = make_accuracy_source("valid", o);
  EXPECT_EQ(src->name(), "table:valid12");
  for (int i : {0, 9930, 15624})
    EXPECT_EQ(src->accuracy(i, data->arch(i)), data->accuracy(i, Dataset::Cifar100, AccuracyMetric::Valid12));
  o.dataset = Dataset::Cifar10;
  src = make_accuracy_source("valid", o);
  EXPECT_EQ(src->name(), "table:valid");
  EXPECT_EQ(src->accuracy(6111, data->arch(6111)), data->accuracy(6111, Dataset::Cifar10, AccuracyMetric::Valid));
  EXPECT_NEAR(*src->accuracy(6111, data->arch(6111)), 91.6067, 1e-4);  // the data README's best cifar10-valid value
}

TEST(AccuracySignal, BadNamesSayWhatIsValid) {
  const auto data = test::data();
  const std::string unknown = test::error_of([&] { resolve_accuracy_signal("oracle", Dataset::Cifar10, *data); });
  for (const char* name : {"'oracle'", "valid,", "table:valid", "table:valid12", "table:test12", "table:test", "predictor"})
    EXPECT_NE(unknown.find(name), std::string::npos) << name << " in: " << unknown;
  const std::string missing = test::error_of([&] { resolve_accuracy_signal("table:valid", Dataset::ImageNet16_120, *data); });
  EXPECT_NE(missing.find("ImageNet16-120"), std::string::npos) << missing;
  EXPECT_NE(missing.find("it has: external, predictor, table:test, table:test12, table:valid12"), std::string::npos) << missing;
  EXPECT_EQ(missing.find("table:valid,"), std::string::npos) << missing;
}

TEST(AccuracySignal, DescriptionsNameTheSignal) {
  EXPECT_NE(accuracy_signal_description("table:test").find("oracle"), std::string::npos);
  EXPECT_NE(accuracy_signal_description("table:valid").find("never saw test accuracy"), std::string::npos);
  EXPECT_NE(accuracy_signal_description("predictor").find("predicted"), std::string::npos);
  const std::string help = accuracy_signal_help();
  for (const char* name : {"  valid (default): ", "  table:valid: ", "  table:valid12: ", "  table:test12: ", "  table:test: ",
                           "  predictor: "})
    EXPECT_NE(help.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace pelnas
