// A tiny header-only test harness for the native core's ctest executables.
//
//   TEST(name) { CHECK(cond); CHECK_EQ(a, b); REQUIRE(cond); }
//   int main() { return RUN_ALL(); }
//
// CHECK and CHECK_EQ record a failure (file:line, and both values for CHECK_EQ) and go on;
// REQUIRE and REQUIRE_EQ also return from the test, for preconditions later checks depend on.
// RUN_ALL() runs every registered test in registration order, prints one line per test when it
// ends ("[  OK  ] name" or "[FAILED] name"; failure details go to stderr as they happen) and a
// final line "N passed, M failed", and returns non-zero if any test failed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace check {

using TestFn = void (*)();

struct TestCase {
  const char* name;
  TestFn fn;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

inline int& current_failures() {
  static int n = 0;
  return n;
}

struct Registrar {
  Registrar(const char* name, TestFn fn) { registry().push_back(TestCase{name, fn}); }
};

// ---- printing values -------------------------------------------------------------------------

inline std::string quote(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : s) {
    if (++shown > 200) {
      out += "...(" + std::to_string(s.size()) + " bytes)";
      break;
    }
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

template <typename T, typename = void>
struct Streamable : std::false_type {};
template <typename T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

template <typename T>
std::string show(const T& v);

template <typename T>
std::string show_one(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return quote(v);
  } else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
    return v ? quote(std::string(v)) : std::string("(null)");
  } else if constexpr (std::is_array_v<T> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>) {
    return quote(std::string(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, signed char> ||
                       std::is_same_v<T, unsigned char>) {
    return std::to_string(static_cast<int>(v)) + " " + quote(std::string(1, static_cast<char>(v)));
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<long long>(v));
  } else if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
    std::ostringstream os;
    os << static_cast<const void*>(v);
    return os.str();
  } else if constexpr (Streamable<T>::value) {
    std::ostringstream os;
    os << v;
    return os.str();
  } else {
    return "(unprintable)";
  }
}

template <typename T>
std::string show_vec(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); i++) {
    if (i) out += ", ";
    if (i >= 32) {
      out += "... " + std::to_string(v.size()) + " items";
      break;
    }
    out += show(v[i]);
  }
  return out + "]";
}

template <typename T>
struct IsVector : std::false_type {};
template <typename T, typename A>
struct IsVector<std::vector<T, A>> : std::true_type {};

template <typename T>
std::string show(const T& v) {
  if constexpr (IsVector<T>::value) {
    return show_vec(v);
  } else {
    return show_one(v);
  }
}

// ---- comparing values ------------------------------------------------------------------------

template <typename T>
constexpr bool kPlainInt = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                           !std::is_same_v<T, char>;

// Integers of mixed signedness compare by value (no -Wsign-compare, no surprises).
template <typename A, typename B>
bool equal(const A& a, const B& b) {
  if constexpr (kPlainInt<A> && kPlainInt<B>) {
    if constexpr (std::is_signed_v<A> == std::is_signed_v<B>) {
      return a == b;
    } else if constexpr (std::is_signed_v<A>) {
      return a >= 0 && static_cast<std::make_unsigned_t<A>>(a) == b;
    } else {
      return b >= 0 && a == static_cast<std::make_unsigned_t<B>>(b);
    }
  } else if constexpr ((std::is_same_v<std::decay_t<A>, const char*> ||
                        std::is_same_v<std::decay_t<A>, char*>) &&
                       (std::is_same_v<std::decay_t<B>, const char*> ||
                        std::is_same_v<std::decay_t<B>, char*>)) {
    return std::string(a) == std::string(b);
  } else {
    return a == b;
  }
}

inline void report(const char* file, int line, const std::string& what) {
  current_failures()++;
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  std::fflush(stderr);
}

inline bool check_true(bool ok, const char* file, int line, const char* expr) {
  if (!ok) report(file, line, std::string("CHECK(") + expr + ")");
  return ok;
}

template <typename A, typename B>
bool check_eq(const A& a, const B& b, const char* file, int line, const char* ea, const char* eb) {
  if (equal(a, b)) return true;
  report(file, line,
         std::string("CHECK_EQ(") + ea + ", " + eb + ")\n    left:  " + show(a) + "\n    right: " + show(b));
  return false;
}

inline int run_all() {
  int passed = 0, failed = 0;
  for (const TestCase& t : registry()) {
    current_failures() = 0;
    t.fn();
    bool ok = current_failures() == 0;
    if (ok) {
      passed++;
    } else {
      failed++;
    }
    std::fprintf(stdout, "[%s] %s\n", ok ? "  OK  " : "FAILED", t.name);
    std::fflush(stdout);
  }
  std::fprintf(stdout, "%d passed, %d failed\n", passed, failed);
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK_CONCAT_INNER(a, b) a##b
#define CHECK_CONCAT(a, b) CHECK_CONCAT_INNER(a, b)

#define TEST(name)                                                                          \
  static void CHECK_CONCAT(test_fn_, name)();                                               \
  static const ::check::Registrar CHECK_CONCAT(test_reg_, name)(#name,                      \
                                                               &CHECK_CONCAT(test_fn_, name)); \
  static void CHECK_CONCAT(test_fn_, name)()

#define CHECK(cond) ((void)::check::check_true(static_cast<bool>(cond), __FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b) ((void)::check::check_eq((a), (b), __FILE__, __LINE__, #a, #b))
#define REQUIRE(cond)                                                              \
  do {                                                                             \
    if (!::check::check_true(static_cast<bool>(cond), __FILE__, __LINE__, #cond)) \
      return;                                                                      \
  } while (0)
#define REQUIRE_EQ(a, b)                                                        \
  do {                                                                          \
    if (!::check::check_eq((a), (b), __FILE__, __LINE__, #a, #b)) return;       \
  } while (0)
#define FAIL(msg) ::check::report(__FILE__, __LINE__, std::string(msg))

#define RUN_ALL() ::check::run_all()
