#include "common/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

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

TEST(Csv, QuotedFieldsAreUnquotedAndBadQuotesNameTheLine) {
  // Escaped quotes, an empty quoted field, a trailing empty field, CRLF line ends, blank lines.
  auto t = CsvTable::parse("h1,h2,h3\r\n\"a \"\"b\"\"\",\"\",\r\n\n\"x\",y,\"z,\"\"\"\n", "q.csv");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.cell(0, 0), "a \"b\"");
  EXPECT_EQ(t.cell(0, 1), "");
  EXPECT_EQ(t.cell(0, 2), "");
  EXPECT_EQ(t.cell(1, 0), "x");
  EXPECT_EQ(t.cell(1, 1), "y");
  EXPECT_EQ(t.cell(1, 2), "z,\"");
  EXPECT_EQ(t.line(1), 4);
  EXPECT_EQ(t.header()[2], "h3");
  for (const char* bad : {"a,b\n1,\"2\n", "a,b\n1,\"2\"x\n"}) {
    try {
      CsvTable::parse(bad, "bad.csv");
      FAIL() << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.csv:2"), std::string::npos) << e.what();
    }
  }
}

TEST(Csv, ReadsFilesWholeAndNamesMissingOnes) {
  const std::string path = testing::TempDir() + "/pelnas_csv_read_test.csv";
  std::string text = "i,v\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "," + std::to_string(i * 0.5) + "\n";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  const auto t = CsvTable::read(path);
  ASSERT_EQ(t.rows(), 5000u);
  EXPECT_EQ(t.integer(4999, 0), 4999);
  EXPECT_DOUBLE_EQ(t.number(4999, 1), 2499.5);
  EXPECT_EQ(t.line(4999), 5001);
  try {
    CsvTable::read(path + ".absent");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(".absent"), std::string::npos) << e.what();
  }
}

TEST(Csv, ShortTextSurvivesMove) {
  auto t = CsvTable::parse("a\n1\n", "m.csv");
  CsvTable moved = std::move(t);
  EXPECT_EQ(moved.cell(0, 0), "1");
}

}  // namespace pelnas
