#include "data/pickle_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "data/pickle_callables.h"

namespace pelnas::pickle {

namespace {

// Containers cannot outgrow the file (every item costs at least one opcode byte), so only their
// depth is bounded (arrays: data/pickle_callables.cpp).
constexpr std::size_t kMaxDepth = 1000;

// Opcodes of pickle protocols 2-5 that this reader accepts (names as in pickletools).
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
      try {
        step(op);
      } catch (const Fault& f) {
        fail(f.what);
      }
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
    auto v = make_value(k);
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
    auto v = make_value(Kind::Str);
    v->text = s;
    push(v);
  }
  void push_bytes(std::string_view s) {
    auto v = make_value(Kind::Bytes);
    v->text = s;
    push(v);
  }
  void push_int(std::int64_t i) {
    auto v = make_value(Kind::Int);
    v->integer = i;
    push(v);
  }
  void push_tuple(std::vector<ValuePtr> items) {
    auto v = make_value(Kind::Tuple);
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
      case EMPTY_TUPLE: push(make_value(Kind::Tuple)); return;
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
        auto v = make_value(Kind::Float);
        v->number = std::bit_cast<double>(bits);
        push(v);
        return;
      }
      case NONE: push(make_value(Kind::None)); return;
      case NEWTRUE:
      case NEWFALSE: {
        auto v = make_value(Kind::Bool);
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
        push(whitelisted_global(module, name));
        return;
      }
      case STACK_GLOBAL: {
        auto name = pop(), module = pop();
        if (module->kind != Kind::Str || name->kind != Kind::Str) fail("STACK_GLOBAL needs two str values");
        push(whitelisted_global(module->text, name->text));
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
        push(make_value(Kind::PendingArray));
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
