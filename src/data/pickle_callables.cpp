#include "data/pickle_callables.h"

#include <bit>

namespace pelnas::pickle {

namespace {

// Arrays cannot outgrow the file (their data is stored in full), so only the element count is bounded.
constexpr std::uint64_t kMaxArrayItems = 1ULL << 40;

[[noreturn]] void fault(const std::string& what) { throw Fault{what}; }

std::string expect_text(const Value& v) { return v.kind == Kind::Str || v.kind == Kind::Bytes ? v.text : ""; }

void set_dtype(Value& d, const std::string& descr) {
  std::string s = descr;
  char order = '<';
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '=' || s[0] == '|')) {
    order = s[0] == '>' ? '>' : '<';
    s = s.substr(1);
  }
  if (s == "f8") d.dtype_code = 'f', d.dtype_size = 8;
  else if (s == "f4") d.dtype_code = 'f', d.dtype_size = 4;
  else if (s == "i8") d.dtype_code = 'i', d.dtype_size = 8;
  else fault("numpy dtype '" + descr + "' is not supported (expected f8, f4 or i8)");
  d.byte_order = order;
}

// One raw item of a dtype, as a double (f8/f4) or an exact int64 (i8).
std::uint64_t load_bits(const unsigned char* p, int size, char order) {
  std::uint64_t v = 0;
  for (int i = 0; i < size; ++i) {
    const int shift = order == '<' ? 8 * i : 8 * (size - 1 - i);
    v |= static_cast<std::uint64_t>(p[i]) << shift;
  }
  return v;
}
double item_as_double(const unsigned char* p, const Value& dt) {
  const std::uint64_t bits = load_bits(p, dt.dtype_size, dt.byte_order);
  if (dt.dtype_code == 'i') return static_cast<double>(static_cast<std::int64_t>(bits));
  if (dt.dtype_size == 4) return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
  return std::bit_cast<double>(bits);
}

ValuePtr make_array(const Value& dtype, const std::vector<std::int64_t>& shape, std::string_view raw) {
  if (dtype.kind != Kind::Dtype) fault("ndarray with dtype " + dtype.describe() + ", expected numpy.dtype");
  // Element count with overflow-checked arithmetic: (2^40, 2^24) must not wrap to 0 elements.
  std::uint64_t n = 1;
  for (auto s : shape) {
    if (s < 0) fault("ndarray with a negative shape entry " + std::to_string(s));
    if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(s), &n) || n > kMaxArrayItems)
      fault("ndarray shape has more than " + std::to_string(kMaxArrayItems) + " elements");
  }
  if (raw.size() != n * static_cast<std::uint64_t>(dtype.dtype_size))
    fault("ndarray data has " + std::to_string(raw.size()) + " bytes, shape and dtype need " +
          std::to_string(n * dtype.dtype_size));
  auto a = make_value(Kind::Array);
  a->shape = shape;
  a->array.resize(n);
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  for (std::uint64_t i = 0; i < n; ++i) a->array[i] = item_as_double(p + i * dtype.dtype_size, dtype);
  return a;
}

std::vector<std::int64_t> shape_of(const Value& t) {
  if (t.kind != Kind::Tuple) fault("ndarray shape " + t.describe() + ", expected a tuple of ints");
  std::vector<std::int64_t> s;
  for (const auto& x : t.items) {
    if (x->kind != Kind::Int) fault("ndarray shape entry " + x->describe() + ", expected int");
    s.push_back(x->integer);
  }
  return s;
}

// Python str of code points 0..255 -> bytes (protocol 2's _codecs.encode(text, 'latin1')).
std::string latin1_bytes(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      if (cp > 0xFF) fault("_codecs.encode latin1 text has code point " + std::to_string(cp) + " > 255");
      out.push_back(static_cast<char>(cp));
      i += 2;
    } else {
      fault("_codecs.encode latin1 text has a code point > 255 or invalid UTF-8");
    }
  }
  return out;
}

}  // namespace

ValuePtr whitelisted_global(const std::string& module, const std::string& name) {
  auto g = make_value(Kind::Global);
  const bool numpy_core = module == "numpy.core.multiarray" || module == "numpy._core.multiarray";
  if (numpy_core && name == "_reconstruct") g->callable = Callable::Reconstruct;
  else if (numpy_core && name == "scalar") g->callable = Callable::Scalar;
  else if ((module == "numpy.core.numeric" || module == "numpy._core.numeric") && name == "_frombuffer")
    g->callable = Callable::FromBuffer;
  else if (module == "numpy" && name == "ndarray") g->callable = Callable::Ndarray;
  else if (module == "numpy" && name == "dtype") g->callable = Callable::Dtype;
  else if (module == "_codecs" && name == "encode") g->callable = Callable::CodecsEncode;
  else
    fault("refusing GLOBAL '" + module + "." + name +
          "': only numpy array/scalar/dtype reconstruction and _codecs.encode are allowed in a data pickle");
  return g;
}

ValuePtr reduce(const Value& fn, const Value& args) {
  if (fn.kind != Kind::Global) fault("REDUCE of a " + fn.describe() + ", expected a whitelisted callable");
  if (args.kind != Kind::Tuple) fault("REDUCE arguments are a " + args.describe() + ", expected a tuple");
  const auto& a = args.items;
  switch (fn.callable) {
    case Callable::Dtype: {
      if (a.empty() || a[0]->kind != Kind::Str) fault("numpy.dtype(...) needs a type string as first argument");
      auto d = make_value(Kind::Dtype);
      set_dtype(*d, a[0]->text);
      return d;
    }
    case Callable::Reconstruct:
      return make_value(Kind::PendingArray);  // the data arrives with BUILD
    case Callable::Scalar: {
      if (a.size() != 2 || a[0]->kind != Kind::Dtype || a[1]->kind != Kind::Bytes)
        fault("numpy scalar(...) needs (dtype, bytes) arguments");
      const Value& dt = *a[0];
      if (a[1]->text.size() != static_cast<std::size_t>(dt.dtype_size))
        fault("numpy scalar has " + std::to_string(a[1]->text.size()) + " bytes, dtype needs " + std::to_string(dt.dtype_size));
      const auto* p = reinterpret_cast<const unsigned char*>(a[1]->text.data());
      if (dt.dtype_code == 'i') {
        auto v = make_value(Kind::Int);
        v->integer = static_cast<std::int64_t>(load_bits(p, 8, dt.byte_order));
        return v;
      }
      auto v = make_value(Kind::Float);
      v->number = item_as_double(p, dt);
      return v;
    }
    case Callable::FromBuffer: {
      if (a.size() != 4 || a[0]->kind != Kind::Bytes) fault("numpy _frombuffer(...) needs (buffer, dtype, shape, order)");
      const std::string order = expect_text(*a[3]);
      if (order != "C" && !(order == "F" && shape_of(*a[2]).size() <= 1))
        fault("numpy _frombuffer order '" + order + "' not supported (expected C, or F for 1-D)");
      return make_array(*a[1], shape_of(*a[2]), a[0]->text);
    }
    case Callable::CodecsEncode: {
      if (a.size() != 2 || a[0]->kind != Kind::Str || a[1]->kind != Kind::Str || a[1]->text != "latin1")
        fault("_codecs.encode(...) needs (str, 'latin1') arguments");
      auto v = make_value(Kind::Bytes);
      v->text = latin1_bytes(a[0]->text);
      return v;
    }
    case Callable::Ndarray:
      fault("calling numpy.ndarray directly is not supported");
  }
  fault("unreachable");
}

void build(ValuePtr& obj, const Value& state) {
  if (obj->kind == Kind::Dtype) {
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    if (state.kind != Kind::Tuple || state.items.size() < 2 || state.items[1]->kind != Kind::Str)
      fault("numpy.dtype state " + state.describe() + ", expected (version, byteorder, ...)");
    const std::string& order = state.items[1]->text;
    if (order == ">") obj->byte_order = '>';
    else if (order == "<" || order == "|" || order == "=") obj->byte_order = '<';
    else fault("numpy.dtype byte order '" + order + "'");
    return;
  }
  if (obj->kind == Kind::PendingArray) {
    // (version, shape, dtype, is_fortran, raw)
    if (state.kind != Kind::Tuple || state.items.size() != 5)
      fault("ndarray state " + state.describe() + ", expected (version, shape, dtype, is_fortran, data)");
    const auto& s = state.items;
    const auto shape = shape_of(*s[1]);
    if (s[4]->kind != Kind::Bytes) fault("ndarray data is a " + s[4]->describe() + ", expected bytes (object arrays are not supported)");
    const bool fortran = s[3]->kind == Kind::Bool ? s[3]->boolean : s[3]->kind == Kind::Int && s[3]->integer != 0;
    if (fortran && shape.size() > 1) fault("Fortran-ordered multi-dimensional ndarray not supported");
    obj = make_array(*s[2], shape, s[4]->text);
    return;
  }
  fault("BUILD on a " + obj->describe() + " is not supported");
}

}  // namespace pelnas::pickle
