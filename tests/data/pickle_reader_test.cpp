// The whitelisting pickle reader: every encoding of the fixtures, hand-assembled opcodes, and that
// corrupt input (every truncation, random byte flips, forbidden GLOBALs) is a clean pelnas::Error.
#include "data/pickle_reader.h"
#include "pelnas_build_paths.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.h"
#include "common/rng.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string fixture(const std::string& name) { return std::string(PELNAS_TEST_DIR) + "/fixtures/hwnasbench/" + name; }

// A byte string from a literal that may contain NUL bytes.
template <std::size_t N>
std::string bin(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string error_of(std::string_view bytes) {
  try {
    pickle::parse(bytes, "mem");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string be_double(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, 8);
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(bits >> (8 * (7 - i)));
  return s;
}

TEST(PickleReader, HandAssembledScalarsAndContainers) {
  // PROTO 2; MARK; BININT1 7; BININT2 300; BININT -5; LONG1 (2 bytes: -2); BINFLOAT 0.1; NONE; NEWTRUE;
  // SHORT_BINUNICODE 'é'; TUPLE; STOP
  std::string p = bin("\x80\x02(K\x07M\x2c\x01J\xfb\xff\xff\xff\x8a\x02\xfe\xffG") + be_double(0.1) + bin("N\x88\x8c\x02\xc3\xa9t.");
  auto v = pickle::parse(p);
  ASSERT_EQ(v->kind, pickle::Kind::Tuple);
  ASSERT_EQ(v->items.size(), 8u);
  EXPECT_EQ(v->items[0]->integer, 7);
  EXPECT_EQ(v->items[1]->integer, 300);
  EXPECT_EQ(v->items[2]->integer, -5);
  EXPECT_EQ(v->items[3]->integer, -2);
  EXPECT_EQ(v->items[4]->number, 0.1);
  EXPECT_EQ(v->items[5]->kind, pickle::Kind::None);
  EXPECT_TRUE(v->items[6]->boolean);
  EXPECT_EQ(v->items[7]->text, "\xc3\xa9");
}

TEST(PickleReader, MemoSharesObjects) {
  // [[], <same list>] via BINPUT/BINGET; appending to the memoised list shows through both.
  const std::string p = bin("\x80\x02]q\x00(]q\x01h\x01") + "e" + bin("h\x01K\x09") + "a0.";
  // After APPENDS the outer list is on the stack; BINGET 1 pushes the inner list; APPEND 9 into it; POP it.
  auto v = pickle::parse(p);
  ASSERT_EQ(v->kind, pickle::Kind::List);
  ASSERT_EQ(v->items.size(), 2u);
  EXPECT_EQ(v->items[0].get(), v->items[1].get());
  ASSERT_EQ(v->items[0]->items.size(), 1u);
  EXPECT_EQ(v->items[0]->items[0]->integer, 9);
}

TEST(PickleReader, CodecsEncodeBytesPath) {
  auto v = pickle::read_file(fixture("codecs_bytes_p2.pickle"));
  const pickle::Value* raw = v->get("raw");
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->kind, pickle::Kind::Bytes);
  EXPECT_EQ(raw->text, std::string("\x00\xff\xe9\x41", 4));
  ASSERT_NE(v->get("x"), nullptr);
  EXPECT_EQ(v->get("x")->number, 1.5);
}

TEST(PickleReader, EveryFixtureEncodingGivesTheSameTree) {
  const char* names[] = {"plain_p2", "plain_p3", "plain_p4", "plain_p5", "numpy_ndarray_p2", "numpy_ndarray_p3",
                         "numpy_ndarray_p4", "numpy_ndarray_p5", "numpy_scalars_p2", "numpy_scalars_p4"};
  for (const char* n : names) {
    SCOPED_TRACE(n);
    auto root = pickle::read_file(fixture(std::string(n) + ".pickle"));
    const pickle::Value* c10 = root->get("nasbench201") ? root->get("nasbench201")->get("cifar10") : nullptr;
    ASSERT_NE(c10, nullptr);
    const pickle::Value* lat = c10->get("edgegpu_latency");
    ASSERT_NE(lat, nullptr);
    const bool ndarray = std::string(n).find("ndarray") != std::string::npos;
    EXPECT_EQ(lat->kind, ndarray ? pickle::Kind::Array : pickle::Kind::List);
    EXPECT_EQ(lat->length(), 5u);
    const double first = ndarray ? lat->array[0] : lat->items[0]->as_double();
    EXPECT_EQ(first, 5.807418537139893);  // published HW-NAS-Bench value, index 0
    const pickle::Value* cfg = c10->get("config");
    ASSERT_NE(cfg, nullptr);
    ASSERT_EQ(cfg->length(), 5u);
    EXPECT_EQ(cfg->items[0]->get("num_classes")->integer, 10);
    EXPECT_EQ(cfg->items[0]->get("name")->text, "infer.tiny");
    ASSERT_NE(root->get("fbnet"), nullptr);
    EXPECT_EQ(root->get("fbnet")->length(), 8u);
  }
}

TEST(PickleReader, RefusesForeignGlobals) {
  std::string msg;
  try {
    pickle::read_file(fixture("bad_os_system.pickle"));
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("refusing GLOBAL 'os.system'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte offset 2"), std::string::npos) << msg;
  // STACK_GLOBAL spelling (protocol 4) of builtins.eval.
  msg = error_of(bin("\x80\x04\x8c\x08" "builtins\x8c\x04" "eval\x93."));
  EXPECT_NE(msg.find("refusing GLOBAL 'builtins.eval'"), std::string::npos) << msg;
  // A whitelisted module with a non-whitelisted name.
  msg = error_of("\x80\x02" "cnumpy\nload\n.");
  EXPECT_NE(msg.find("numpy.load"), std::string::npos) << msg;
}

TEST(PickleReader, CorruptStreamsNameTheByteOffset) {
  EXPECT_NE(error_of("\x80\x04}\xff.").find("unsupported opcode 0xff"), std::string::npos);
  EXPECT_NE(error_of("\x80\x04}\xff.").find("byte offset 3"), std::string::npos);
  EXPECT_NE(error_of("\x80\x09}.").find("protocol 9"), std::string::npos);
  EXPECT_NE(error_of("not a pickle").find("not a pickle"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02s.").find("stack underflow"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02h\x05.").find("memo key 5"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02}}.").find("2 values on the stack"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02}.junk").find("after the STOP"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x80\x02X\xff\xff\xff\x7f", 7)).find("truncated"), std::string::npos);
  // 0 * 5 items for a 40-byte float array
  const std::string msg = error_of(bin(
      "\x80\x03" "cnumpy.core.multiarray\n_reconstruct\n" "cnumpy\nndarray\nK\x00\x85" "C\x01" "b" "\x87R"
      "(K\x01K\x05\x85" "cnumpy\ndtype\n" "\x8c\x02" "f8K\x00K\x01\x87R" "(K\x03\x8c\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t"
      "b\x89" "C\x08" "12345678" "tb."));
  EXPECT_NE(msg.find("ndarray data has 8 bytes, shape and dtype need 40"), std::string::npos) << msg;
}

// n nested lists [[[...]]] built with EMPTY_LIST x n then APPEND x (n-1).
std::string nested_lists(std::size_t n) { return "\x80\x02" + std::string(n, ']') + std::string(n - 1, 'a') + "."; }

TEST(PickleReader, NestingDepthIsBounded) {
  auto v = pickle::parse(nested_lists(1000));
  std::size_t depth = 0;
  for (const pickle::Value* x = v.get(); x; x = x->items.empty() ? nullptr : x->items[0].get()) ++depth;
  EXPECT_EQ(depth, 1000u);
  EXPECT_NE(error_of(nested_lists(1001)).find("nested more than 1000 levels"), std::string::npos);
  // A million levels: refused, and neither the check nor the clean-up recurses a million frames.
  EXPECT_NE(error_of(nested_lists(1000000)).find("nested more than 1000 levels"), std::string::npos);
}

TEST(PickleReader, DepthThroughASharedSubtreeCounts) {
  // Memo 0 = a chain of 600 lists; the root list holds it directly and again under 600 more lists,
  // so the longest path is 1 + 600 + 600 levels even though the DAG has only ~1200 containers.
  std::string p = "\x80\x02]";                                     // root
  p += std::string(600, ']') + std::string(599, 'a') + "\x94";     // chain, memo 0
  p += "a";                                                        // root.append(chain)
  p += std::string(600, ']') + std::string("h\x00", 2) + std::string(600, 'a') + "a.";
  EXPECT_NE(error_of(p).find("nested more than 1000 levels"), std::string::npos) << error_of(p);
}

// Reference cycles would leak (shared_ptr never frees them; the sanitizer step's LeakSanitizer and the
// pickle fuzzer catch that) and send consumers into endless recursion: every one is refused.
TEST(PickleReader, ReferenceCyclesAreRefused) {
  // A list appended to itself: ] MEMOIZE BINGET 0 APPEND.
  EXPECT_NE(error_of(bin("\x80\x04]\x94h\x00" "a.")).find("reference cycle"), std::string::npos);
  // A dict holding itself: } MEMOIZE 'a' BINGET 0 SETITEM.
  EXPECT_NE(error_of(bin("\x80\x04}\x94\x8c\x01" "ah\x00" "s.")).find("reference cycle"), std::string::npos);
  // Through a tuple inside another list: A = []; B = [(A,)]; A.append(B).
  EXPECT_NE(error_of(bin("\x80\x04]\x94]h\x00\x85" "a\x94" "0h\x01" "a.")).find("reference cycle"), std::string::npos);
  // A cycle followed by a corrupt opcode: the error is the opcode, and nothing is leaked.
  EXPECT_NE(error_of(bin("\x80\x04]\x94h\x00" "a\xff")).find("unsupported opcode 0xff"), std::string::npos);
  // Shared (acyclic) references stay accepted: [A, A].
  auto v = pickle::parse(bin("\x80\x04](]\x94h\x00" "e."));
  ASSERT_EQ(v->kind, pickle::Kind::List);
  ASSERT_EQ(v->items.size(), 2u);
  EXPECT_EQ(v->items[0].get(), v->items[1].get());
}

TEST(PickleReader, DuplicateDictKeysKeepTheLastValueInOnePass) {
  // {'a': 1, 'b': 2, 'a': 3, 1: 4, 1: 5} -> a=3 (first position), b=2, 1=5.
  auto v = pickle::parse(bin("\x80\x04}(\x8c\x01" "aK\x01\x8c\x01" "bK\x02\x8c\x01" "aK\x03K\x01K\x04K\x01K\x05u."));
  ASSERT_EQ(v->entries.size(), 3u);
  EXPECT_EQ(v->entries[0].first->text, "a");
  EXPECT_EQ(v->entries[0].second->integer, 3);
  EXPECT_EQ(v->entries[1].second->integer, 2);
  EXPECT_EQ(v->entries[2].first->integer, 1);
  EXPECT_EQ(v->entries[2].second->integer, 5);
  // Many distinct keys: 50,000 int keys in one SETITEMS all survive (the benchmark
  // pickle_dict_keys measures that this is linear).
  std::string p = "\x80\x04}(";
  for (int i = 0; i < 50000; ++i) {
    p += 'J';
    for (int b = 0; b < 4; ++b) p += static_cast<char>((i >> (8 * b)) & 0xff);
    p += 'N';
  }
  p += "u.";
  EXPECT_EQ(pickle::parse(p)->entries.size(), 50000u);
}

std::string array_pickle(const std::string& shape_ops, const std::string& data) {
  // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype('f8'), False, data).
  return bin("\x80\x03" "cnumpy.core.multiarray\n_reconstruct\n" "cnumpy\nndarray\nK\x00\x85" "C\x01" "b" "\x87R" "(K\x01") +
         shape_ops + bin("cnumpy\ndtype\n" "\x8c\x02" "f8K\x00K\x01\x87R" "(K\x03\x8c\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t" "b\x89") +
         data + "tb.";
}

std::string long1(std::int64_t x) {
  std::string s = "\x8a\x08";
  for (int b = 0; b < 8; ++b) s += static_cast<char>((static_cast<std::uint64_t>(x) >> (8 * b)) & 0xff);
  return s;
}

TEST(PickleReader, ArrayShapeElementCountCannotOverflow) {
  // (2^40, 2^24) elements wraps to 0 in 64-bit arithmetic: must not pass as an empty array.
  const std::string wrap = array_pickle(long1(1LL << 40) + long1(1LL << 24) + "\x86", bin("C\x00"));
  EXPECT_NE(error_of(wrap).find("more than 1099511627776 elements"), std::string::npos) << error_of(wrap);
  // (2^32, 2^32): 2^64 wraps to 0 too.
  const std::string wrap2 = array_pickle(long1(1LL << 32) + long1(1LL << 32) + "\x86", bin("C\x00"));
  EXPECT_NE(error_of(wrap2).find("elements"), std::string::npos) << error_of(wrap2);
  EXPECT_NE(error_of(array_pickle(long1(-1) + "\x85", bin("C\x00"))).find("negative shape entry -1"), std::string::npos);
  // A genuine empty array and a 2-element one still parse.
  EXPECT_EQ(pickle::parse(array_pickle(bin("K\x00\x85"), bin("C\x00")))->length(), 0u);
  const auto two = pickle::parse(array_pickle(bin("K\x02\x85"), "C\x10" + std::string(16, '\0')));
  ASSERT_EQ(two->kind, pickle::Kind::Array);
  EXPECT_EQ(two->length(), 2u);
}

TEST(PickleReader, EveryTruncationIsACleanError) {
  const std::string good = test::read_file(fixture("numpy_ndarray_p2.pickle"));
  ASSERT_NO_THROW(pickle::parse(good));
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::string msg = error_of(std::string_view(good).substr(0, n));
    ASSERT_FALSE(msg.empty()) << "prefix of " << n << " bytes parsed without error";
  }
  const std::string msg = error_of(test::read_file(fixture("bad_truncated.pickle")));
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte offset"), std::string::npos) << msg;
}

TEST(PickleReader, RandomByteFlipsNeverCrash) {
  Rng rng(2024);
  for (const char* name : {"plain_p2.pickle", "numpy_ndarray_p4.pickle", "numpy_ndarray_p5.pickle", "numpy_scalars_p2.pickle"}) {
    const std::string good = test::read_file(fixture(name));
    for (int trial = 0; trial < 400; ++trial) {
      std::string bad = good;
      const int flips = 1 + static_cast<int>(rng.uniform_int(0, 3));
      for (int f = 0; f < flips; ++f)
        bad[rng.uniform_int(0, static_cast<std::int64_t>(bad.size()) - 1)] = static_cast<char>(rng.uniform_int(0, 255));
      try {
        pickle::parse(bad);  // a flip inside a float payload still parses: fine
      } catch (const Error&) {
        // expected for most flips
      }
    }
  }
}

}  // namespace
}  // namespace pelnas
