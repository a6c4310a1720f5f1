#pragma once
// The values a data pickle holds (data/pickle_reader.h parses them): nested dicts / lists / tuples of
// None, bools, ints, floats, str and bytes, NumPy float arrays, and the intermediate objects of the
// whitelisted NumPy reductions.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pelnas::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

enum class Kind {
  None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict,
  Array,  // a NumPy ndarray of numbers, converted to float64 (C order)
  // Intermediate objects of the NumPy reductions; never left in a finished tree unless the file
  // pickles a bare dtype or callable.
  Global, Dtype, PendingArray,
};
std::string_view to_string(Kind k);

// Whitelisted callables a GLOBAL / STACK_GLOBAL may name.
enum class Callable { Reconstruct, Ndarray, Dtype, Scalar, FromBuffer, CodecsEncode };

struct Value {
  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  // Iterative, so a hostile file nesting a million lists cannot overflow the stack on destruction.
  ~Value();

  Kind kind = Kind::None;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;                                   // Str (UTF-8) or Bytes (raw)
  std::vector<ValuePtr> items;                        // List, Tuple
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // Dict, insertion order
  std::vector<double> array;                          // Array values
  std::vector<std::int64_t> shape;                    // Array shape
  Callable callable = Callable::Reconstruct;          // Global
  char dtype_code = 'f';                              // Dtype: 'f' float, 'i' int
  int dtype_size = 8;                                 // Dtype: bytes per item
  char byte_order = '<';                              // Dtype: '<' or '>'

  // Convenience for schema checks. `get` returns nullptr when a Dict has no such str key.
  const Value* get(std::string_view key) const;
  bool is_number() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
  double as_double() const;  // Int / Float / Bool; throws Error otherwise
  std::size_t length() const;  // items of a List/Tuple, entries of a Dict, values of an Array
  std::string describe() const;  // short type description for error messages
};

// A fresh value of this kind.
ValuePtr make_value(Kind k);

}  // namespace pelnas::pickle
