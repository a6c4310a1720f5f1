#include "common/csv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

namespace pelnas {

TEST(Csv, ParsesFieldsAndMissingValues) {
  auto t = CsvTable::parse("a,b,c\n1,,x\n2.5,3,\"q,uoted\"\n", "mem.csv");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_TRUE(std::isnan(t.number_or_nan(0, 1)));
  EXPECT_DOUBLE_EQ(t.number(1, 0), 2.5);
  EXPECT_EQ(t.cell(1, 2), "q,uoted");
  EXPECT_EQ(t.integer(1, 1), 3);
}

TEST(Csv, RaggedRowNamesFileAndLine) {
  try {
    CsvTable::parse("a,b\n1,2\n3\n", "bad.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3"), std::string::npos) << e.what();
  }
}

TEST(Csv, NonNumberNamesColumnAndLine) {
  auto t = CsvTable::parse("a,b\n1,2\n3,abc\n", "n.csv");
  try {
    t.number(1, 1);
    FAIL();
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("n.csv:3"), std::string::npos) << m;
    EXPECT_NE(m.find("'b'"), std::string::npos) << m;
  }
}

TEST(Csv, ShortTextSurvivesMove) {
  auto t = CsvTable::parse("a\n1\n", "m.csv");
  CsvTable moved = std::move(t);
  EXPECT_EQ(moved.cell(0, 0), "1");
}

}  // namespace pelnas
