#include "data/pickle_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"

namespace pelnas::pickle {

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Array: return "ndarray";
    case Kind::Global: return "callable";
    case Kind::Dtype: return "numpy.dtype";
    case Kind::PendingArray: return "ndarray (unfinished)";
  }
  return "?";
}

Value::~Value() {
  if (items.empty() && entries.empty()) return;
  std::vector<ValuePtr> pending;
  auto take_children = [&pending](Value& v) {
    for (auto& c : v.items) pending.push_back(std::move(c));
    for (auto& [k, c] : v.entries) {
      pending.push_back(std::move(k));
      pending.push_back(std::move(c));
    }
    v.items.clear();
    v.entries.clear();
  };
  take_children(*this);
  while (!pending.empty()) {
    ValuePtr p = std::move(pending.back());
    pending.pop_back();
    if (p && p.use_count() == 1) take_children(*p);  // last owner: empty it before it dies
  }
}

const Value* Value::get(std::string_view key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [k, v] : entries)
    if (k->kind == Kind::Str && k->text == key) return v.get();
  return nullptr;
}

double Value::as_double() const {
  switch (kind) {
    case Kind::Float: return number;
    case Kind::Int: return static_cast<double>(integer);
    case Kind::Bool: return boolean ? 1.0 : 0.0;
    default: throw Error("expected a number, found " + describe());
  }
}

std::size_t Value::length() const {
  switch (kind) {
    case Kind::List:
    case Kind::Tuple: return items.size();
    case Kind::Dict: return entries.size();
    case Kind::Array: return array.size();
    default: return 0;
  }
}

std::string Value::describe() const {
  std::string s(to_string(kind));
  if (kind == Kind::Str) return s + " '" + (text.size() > 40 ? text.substr(0, 40) + "..." : text) + "'";
  if (kind == Kind::Int) return s + " " + std::to_string(integer);
  if (kind == Kind::List || kind == Kind::Tuple || kind == Kind::Dict || kind == Kind::Array)
    return s + " of length " + std::to_string(length());
  return s;
}

namespace {

ValuePtr make(Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

// Opcodes of pickle protocols 2-5 that this reader accepts (names as in pickletools).
// Limits of a data pickle. Containers and arrays cannot outgrow the file (every item costs at least
// one opcode byte, array data is stored in full), so only depth and the element count are bounded.
constexpr std::size_t kMaxDepth = 1000;
constexpr std::uint64_t kMaxArrayItems = 1ULL << 40;

enum Op : unsigned char {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', BINFLOAT = 'G', BININT = 'J', BININT1 = 'K', BININT2 = 'M',
  NONE = 'N', REDUCE = 'R', BINUNICODE = 'X', EMPTY_LIST = ']', APPEND = 'a', BUILD = 'b', GLOBAL = 'c',
  APPENDS = 'e', BINGET = 'h', LONG_BINGET = 'j', EMPTY_DICT = '}', BINPUT = 'q', LONG_BINPUT = 'r', SETITEM = 's',
  TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINBYTES = 'B', SHORT_BINBYTES = 'C', PROTO = 0x80, NEWOBJ = 0x81,
  TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a,
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
  BYTEARRAY8 = 0x96,
};

class Machine {
 public:
  Machine(std::string_view in, std::string name) : in_(in), name_(std::move(name)) {}
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  // A failed parse may leave lists and dicts that contain themselves (APPEND of a memoised list
  // into itself); shared_ptr never frees a cycle, so empty every container this parse created.
  ~Machine() {
    if (finished_) return;
    for (auto& w : containers_) {
      if (ValuePtr c = w.lock()) {
        std::vector<ValuePtr> items = std::move(c->items);
        auto entries = std::move(c->entries);
        c->items.clear();
        c->entries.clear();
      }
    }
  }

  ValuePtr run() {
    while (true) {
      if (pos_ >= in_.size())
        fail_at(pos_, "truncated: the stream ends without a STOP opcode (" + std::to_string(in_.size()) + " bytes read)");
      op_pos_ = pos_;
      const unsigned char op = static_cast<unsigned char>(in_[pos_++]);
      if (op == STOP) {
        if (!marks_.empty()) fail("STOP with an unclosed MARK");
        if (stack_.size() != 1) fail("STOP with " + std::to_string(stack_.size()) + " values on the stack (expected 1)");
        if (pos_ != in_.size())
          fail_at(pos_, std::to_string(in_.size() - pos_) + " unexpected bytes after the STOP opcode");
        check_shape(*stack_.back());
        finished_ = true;
        return stack_.back();
      }
      step(op);
    }
  }

 private:
  std::string_view in_;
  std::string name_;
  std::size_t pos_ = 0, op_pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, ValuePtr> memo_;
  bool finished_ = false;
  std::vector<std::weak_ptr<Value>> containers_;  // every list and dict made, for ~Machine
  // Keys of each dict under construction ("s" + text or "i" + integer), so a duplicate key is found
  // in O(1) instead of by a scan of the entries (quadratic on a 200k-key dict).
  std::unordered_map<const Value*, std::unordered_set<std::string>> dict_keys_;

  ValuePtr container(Kind k) {
    auto v = make(k);
    containers_.push_back(v);
    dict_keys_.erase(v.get());  // a new dict may reuse a freed one's address
    return v;
  }

  // The finished value must be a tree or a DAG (shared references are fine; cycles are not: the
  // HW-NAS-Bench file has none and consumers walk it recursively) at most kMaxDepth containers deep.
  // Iterative post-order depth-first search, each container visited once: O(nodes + edges).
  void check_shape(const Value& root) {
    auto is_container = [](const Value& v) { return v.kind == Kind::List || v.kind == Kind::Tuple || v.kind == Kind::Dict; };
    auto child = [](const Value& v, std::size_t i) -> const Value* {
      if (i < v.items.size()) return v.items[i].get();
      i -= v.items.size();
      if (i / 2 < v.entries.size()) return (i % 2 ? v.entries[i / 2].second : v.entries[i / 2].first).get();
      return nullptr;
    };
    auto too_deep = [this] {
      fail("containers nested more than " + std::to_string(kMaxDepth) + " levels deep (a data pickle is shallow)");
    };
    if (!is_container(root)) return;
    // Height (containers on the longest downward path) of each finished container; 0 = on the path.
    std::unordered_map<const Value*, std::size_t> height{{&root, 0}};
    struct Frame {
      const Value* v;
      std::size_t next = 0;    // next child: items, then entries' keys and values
      std::size_t below = 0;   // the greatest height among children seen so far
    };
    std::vector<Frame> path{{&root}};
    while (!path.empty()) {
      Frame& f = path.back();
      const Value* c = child(*f.v, f.next);
      if (!c) {  // f is finished
        const std::size_t h = f.below + 1;
        height[f.v] = h;
        path.pop_back();
        if (!path.empty()) path.back().below = std::max(path.back().below, h);
        continue;
      }
      ++f.next;
      if (!is_container(*c)) continue;
      auto [it, fresh] = height.try_emplace(c, 0);
      if (!fresh) {
        if (it->second == 0)
          fail("the data contains a reference cycle (a " + std::string(to_string(c->kind)) +
               " that contains itself); a data pickle is a tree");
        if (path.size() + it->second > kMaxDepth) too_deep();
        f.below = std::max(f.below, it->second);
        continue;
      }
      if (path.size() + 1 > kMaxDepth) too_deep();
      path.push_back({c});
    }
  }

  [[noreturn]] void fail_at(std::size_t offset, const std::string& what) const {
    throw Error(name_ + ": corrupt or unsupported pickle at byte offset " + std::to_string(offset) + ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(op_pos_, what); }

  std::string_view take(std::uint64_t n) {
    if (n > in_.size() - pos_)
      fail_at(op_pos_, "truncated: opcode needs " + std::to_string(n) + " more bytes at offset " + std::to_string(pos_) +
                           " but the stream has " + std::to_string(in_.size() - pos_) + " left");
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  template <class T>
  T le() {  // little-endian unsigned integer of sizeof(T) bytes
    const std::string_view b = take(sizeof(T));
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<unsigned char>(b[i])) << (8 * i);
    return v;
  }
  std::string line() {  // GLOBAL arguments are newline-terminated
    const std::size_t nl = in_.find('\n', pos_);
    if (nl == std::string_view::npos) fail("truncated: GLOBAL name without a newline");
    std::string s(in_.substr(pos_, nl - pos_));
    pos_ = nl + 1;
    return s;
  }

  ValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  ValuePtr& top() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    return stack_.back();
  }
  // Values pushed since the last MARK (the mark is removed).
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> out(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(m)),
                              std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return out;
  }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  void push_str(std::string_view s) {
    auto v = make(Kind::Str);
    v->text = s;
    push(v);
  }
  void push_bytes(std::string_view s) {
    auto v = make(Kind::Bytes);
    v->text = s;
    push(v);
  }
  void push_int(std::int64_t i) {
    auto v = make(Kind::Int);
    v->integer = i;
    push(v);
  }
  void push_tuple(std::vector<ValuePtr> items) {
    auto v = make(Kind::Tuple);
    v->items = std::move(items);
    push(v);
  }
  void memo_put(std::uint64_t key) {
    if (stack_.empty()) fail("memo store with an empty stack");
    memo_[key] = stack_.back();
  }
  void memo_get(std::uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " was never stored");
    push(it->second);
  }

  void set_items(Value& dict, std::vector<ValuePtr>& kv) {
    if (dict.kind != Kind::Dict) fail("SETITEM(S) on a " + dict.describe() + ", expected a dict");
    if (kv.size() % 2) fail("SETITEMS with an odd number of values");
    for (std::size_t i = 0; i < kv.size(); i += 2) {
      const Value& k = *kv[i];
      if (k.kind != Kind::Str && k.kind != Kind::Int) fail("dict key of type " + k.describe() + " (expected str or int)");
      auto& keys = dict_keys_[&dict];
      std::string key = k.kind == Kind::Str ? "s" + k.text : "i" + std::to_string(k.integer);
      if (keys.insert(std::move(key)).second) {
        dict.entries.emplace_back(kv[i], kv[i + 1]);
        continue;
      }
      // Python keeps the first key and the last value; the rare duplicate pays one scan.
      for (auto& [ek, ev] : dict.entries)
        if (ek->kind == k.kind && ek->text == k.text && ek->integer == k.integer) {
          ev = kv[i + 1];
          break;
        }
    }
  }
  void append(Value& list, std::vector<ValuePtr>& items) {
    if (list.kind != Kind::List) fail("APPEND(S) on a " + list.describe() + ", expected a list");
    for (auto& v : items) list.items.push_back(std::move(v));
  }

  ValuePtr global(const std::string& module, const std::string& name) {
    auto g = make(Kind::Global);
    const bool numpy_core = module == "numpy.core.multiarray" || module == "numpy._core.multiarray";
    if (numpy_core && name == "_reconstruct") g->callable = Callable::Reconstruct;
    else if (numpy_core && name == "scalar") g->callable = Callable::Scalar;
    else if ((module == "numpy.core.numeric" || module == "numpy._core.numeric") && name == "_frombuffer")
      g->callable = Callable::FromBuffer;
    else if (module == "numpy" && name == "ndarray") g->callable = Callable::Ndarray;
    else if (module == "numpy" && name == "dtype") g->callable = Callable::Dtype;
    else if (module == "_codecs" && name == "encode") g->callable = Callable::CodecsEncode;
    else
      fail("refusing GLOBAL '" + module + "." + name +
           "': only numpy array/scalar/dtype reconstruction and _codecs.encode are allowed in a data pickle");
    return g;
  }

  static std::string expect_text(const Value& v) { return v.kind == Kind::Str || v.kind == Kind::Bytes ? v.text : ""; }

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
    else fail("numpy dtype '" + descr + "' is not supported (expected f8, f4 or i8)");
    d.byte_order = order;
  }

  // One raw item of a dtype, as a double (f8/f4) or an exact int64 (i8).
  static std::uint64_t load_bits(const unsigned char* p, int size, char order) {
    std::uint64_t v = 0;
    for (int i = 0; i < size; ++i) {
      const int shift = order == '<' ? 8 * i : 8 * (size - 1 - i);
      v |= static_cast<std::uint64_t>(p[i]) << shift;
    }
    return v;
  }
  static double item_as_double(const unsigned char* p, const Value& dt) {
    const std::uint64_t bits = load_bits(p, dt.dtype_size, dt.byte_order);
    if (dt.dtype_code == 'i') return static_cast<double>(static_cast<std::int64_t>(bits));
    if (dt.dtype_size == 4) return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
    return std::bit_cast<double>(bits);
  }

  ValuePtr make_array(const Value& dtype, const std::vector<std::int64_t>& shape, std::string_view raw) {
    if (dtype.kind != Kind::Dtype) fail("ndarray with dtype " + dtype.describe() + ", expected numpy.dtype");
    // Element count with overflow-checked arithmetic: (2^40, 2^24) must not wrap to 0 elements.
    std::uint64_t n = 1;
    for (auto s : shape) {
      if (s < 0) fail("ndarray with a negative shape entry " + std::to_string(s));
      if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(s), &n) || n > kMaxArrayItems)
        fail("ndarray shape has more than " + std::to_string(kMaxArrayItems) + " elements");
    }
    if (raw.size() != n * static_cast<std::uint64_t>(dtype.dtype_size))
      fail("ndarray data has " + std::to_string(raw.size()) + " bytes, shape and dtype need " +
           std::to_string(n * dtype.dtype_size));
    auto a = make(Kind::Array);
    a->shape = shape;
    a->array.resize(n);
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    for (std::uint64_t i = 0; i < n; ++i) a->array[i] = item_as_double(p + i * dtype.dtype_size, dtype);
    return a;
  }

  std::vector<std::int64_t> shape_of(const Value& t) {
    if (t.kind != Kind::Tuple) fail("ndarray shape " + t.describe() + ", expected a tuple of ints");
    std::vector<std::int64_t> s;
    for (const auto& x : t.items) {
      if (x->kind != Kind::Int) fail("ndarray shape entry " + x->describe() + ", expected int");
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
        if (cp > 0xFF) fail("_codecs.encode latin1 text has code point " + std::to_string(cp) + " > 255");
        out.push_back(static_cast<char>(cp));
        i += 2;
      } else {
        fail("_codecs.encode latin1 text has a code point > 255 or invalid UTF-8");
      }
    }
    return out;
  }

  ValuePtr reduce(const Value& fn, const Value& args) {
    if (fn.kind != Kind::Global) fail("REDUCE of a " + fn.describe() + ", expected a whitelisted callable");
    if (args.kind != Kind::Tuple) fail("REDUCE arguments are a " + args.describe() + ", expected a tuple");
    const auto& a = args.items;
    switch (fn.callable) {
      case Callable::Dtype: {
        if (a.empty() || a[0]->kind != Kind::Str) fail("numpy.dtype(...) needs a type string as first argument");
        auto d = make(Kind::Dtype);
        set_dtype(*d, a[0]->text);
        return d;
      }
      case Callable::Reconstruct:
        return make(Kind::PendingArray);  // the data arrives with BUILD
      case Callable::Scalar: {
        if (a.size() != 2 || a[0]->kind != Kind::Dtype || a[1]->kind != Kind::Bytes)
          fail("numpy scalar(...) needs (dtype, bytes) arguments");
        const Value& dt = *a[0];
        if (a[1]->text.size() != static_cast<std::size_t>(dt.dtype_size))
          fail("numpy scalar has " + std::to_string(a[1]->text.size()) + " bytes, dtype needs " + std::to_string(dt.dtype_size));
        const auto* p = reinterpret_cast<const unsigned char*>(a[1]->text.data());
        if (dt.dtype_code == 'i') {
          auto v = make(Kind::Int);
          v->integer = static_cast<std::int64_t>(load_bits(p, 8, dt.byte_order));
          return v;
        }
        auto v = make(Kind::Float);
        v->number = item_as_double(p, dt);
        return v;
      }
      case Callable::FromBuffer: {
        if (a.size() != 4 || a[0]->kind != Kind::Bytes) fail("numpy _frombuffer(...) needs (buffer, dtype, shape, order)");
        const std::string order = expect_text(*a[3]);
        if (order != "C" && !(order == "F" && shape_of(*a[2]).size() <= 1))
          fail("numpy _frombuffer order '" + order + "' not supported (expected C, or F for 1-D)");
        return make_array(*a[1], shape_of(*a[2]), a[0]->text);
      }
      case Callable::CodecsEncode: {
        if (a.size() != 2 || a[0]->kind != Kind::Str || a[1]->kind != Kind::Str || a[1]->text != "latin1")
          fail("_codecs.encode(...) needs (str, 'latin1') arguments");
        auto v = make(Kind::Bytes);
        v->text = latin1_bytes(a[0]->text);
        return v;
      }
      case Callable::Ndarray:
        fail("calling numpy.ndarray directly is not supported");
    }
    fail("unreachable");
  }

  void build(ValuePtr& obj, const Value& state) {
    if (obj->kind == Kind::Dtype) {
      // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
      if (state.kind != Kind::Tuple || state.items.size() < 2 || state.items[1]->kind != Kind::Str)
        fail("numpy.dtype state " + state.describe() + ", expected (version, byteorder, ...)");
      const std::string& order = state.items[1]->text;
      if (order == ">") obj->byte_order = '>';
      else if (order == "<" || order == "|" || order == "=") obj->byte_order = '<';
      else fail("numpy.dtype byte order '" + order + "'");
      return;
    }
    if (obj->kind == Kind::PendingArray) {
      // (version, shape, dtype, is_fortran, raw)
      if (state.kind != Kind::Tuple || state.items.size() != 5)
        fail("ndarray state " + state.describe() + ", expected (version, shape, dtype, is_fortran, data)");
      const auto& s = state.items;
      const auto shape = shape_of(*s[1]);
      if (s[4]->kind != Kind::Bytes) fail("ndarray data is a " + s[4]->describe() + ", expected bytes (object arrays are not supported)");
      const bool fortran = s[3]->kind == Kind::Bool ? s[3]->boolean : s[3]->kind == Kind::Int && s[3]->integer != 0;
      if (fortran && shape.size() > 1) fail("Fortran-ordered multi-dimensional ndarray not supported");
      obj = make_array(*s[2], shape, s[4]->text);
      return;
    }
    fail("BUILD on a " + obj->describe() + " is not supported");
  }

  void step(unsigned char op) {
    switch (op) {
      case PROTO: {
        const int p = static_cast<unsigned char>(take(1)[0]);
        if (p < 2 || p > 5) fail("pickle protocol " + std::to_string(p) + " not supported (expected 2..5)");
        return;
      }
      case FRAME: le<std::uint64_t>(); return;  // frames only group bytes; the stream is already in memory
      case MARK: marks_.push_back(stack_.size()); return;
      case POP: pop(); return;
      case POP_MARK: pop_mark(); return;
      case EMPTY_DICT: push(container(Kind::Dict)); return;
      case EMPTY_LIST: push(container(Kind::List)); return;
      case EMPTY_TUPLE: push(make(Kind::Tuple)); return;
      case TUPLE: push_tuple(pop_mark()); return;
      case TUPLE1: {
        auto a = pop();
        push_tuple({a});
        return;
      }
      case TUPLE2: {
        auto b = pop(), a = pop();
        push_tuple({a, b});
        return;
      }
      case TUPLE3: {
        auto c = pop(), b = pop(), a = pop();
        push_tuple({a, b, c});
        return;
      }
      case SETITEM: {
        auto v = pop(), k = pop();
        std::vector<ValuePtr> kv{k, v};
        set_items(*top(), kv);
        return;
      }
      case SETITEMS: {
        auto kv = pop_mark();
        set_items(*top(), kv);
        return;
      }
      case APPEND: {
        std::vector<ValuePtr> v{pop()};
        append(*top(), v);
        return;
      }
      case APPENDS: {
        auto v = pop_mark();
        append(*top(), v);
        return;
      }
      case SHORT_BINUNICODE: push_str(take(le<std::uint8_t>())); return;
      case BINUNICODE: push_str(take(le<std::uint32_t>())); return;
      case BINUNICODE8: push_str(take(le<std::uint64_t>())); return;
      case SHORT_BINBYTES: push_bytes(take(le<std::uint8_t>())); return;
      case BINBYTES: push_bytes(take(le<std::uint32_t>())); return;
      case BINBYTES8:
      case BYTEARRAY8: push_bytes(take(le<std::uint64_t>())); return;
      case BININT: push_int(static_cast<std::int32_t>(le<std::uint32_t>())); return;
      case BININT1: push_int(le<std::uint8_t>()); return;
      case BININT2: push_int(le<std::uint16_t>()); return;
      case LONG1: {
        const std::size_t n = le<std::uint8_t>();
        if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit in int64");
        const std::string_view b = take(n);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
        if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80)) v |= ~0ULL << (8 * n);  // sign-extend
        push_int(static_cast<std::int64_t>(v));
        return;
      }
      case BINFLOAT: {
        const std::string_view b = take(8);
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(b[i]);  // big-endian
        auto v = make(Kind::Float);
        v->number = std::bit_cast<double>(bits);
        push(v);
        return;
      }
      case NONE: push(make(Kind::None)); return;
      case NEWTRUE:
      case NEWFALSE: {
        auto v = make(Kind::Bool);
        v->boolean = op == NEWTRUE;
        push(v);
        return;
      }
      case MEMOIZE: memo_put(memo_.size()); return;
      case BINPUT: memo_put(le<std::uint8_t>()); return;
      case LONG_BINPUT: memo_put(le<std::uint32_t>()); return;
      case BINGET: memo_get(le<std::uint8_t>()); return;
      case LONG_BINGET: memo_get(le<std::uint32_t>()); return;
      case GLOBAL: {
        const std::string module = line();
        const std::string name = line();
        push(global(module, name));
        return;
      }
      case STACK_GLOBAL: {
        auto name = pop(), module = pop();
        if (module->kind != Kind::Str || name->kind != Kind::Str) fail("STACK_GLOBAL needs two str values");
        push(global(module->text, name->text));
        return;
      }
      case REDUCE: {
        auto args = pop(), fn = pop();
        push(reduce(*fn, *args));
        return;
      }
      case NEWOBJ: {
        auto args = pop(), cls = pop();
        if (cls->kind != Kind::Global || cls->callable != Callable::Ndarray) fail("NEWOBJ of " + cls->describe() + " not supported");
        push(make(Kind::PendingArray));
        return;
      }
      case BUILD: {
        auto state = pop();
        build(top(), *state);
        return;
      }
      default: {
        static const char* hex = "0123456789abcdef";
        std::string code = "0x";
        code += hex[op >> 4];
        code += hex[op & 15];
        fail("unsupported opcode " + code + " (a data pickle of dicts, lists, floats and NumPy arrays does not use it)");
      }
    }
  }
};

}  // namespace

ValuePtr parse(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != PROTO)
    throw Error(name + ": not a pickle of protocol 2-5 (it does not start with the PROTO opcode 0x80)");
  return Machine(bytes, name).run();
}

ValuePtr read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open pickle file '" + path + "'");
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  return parse(bytes, path);
}

}  // namespace pelnas::pickle
