#pragma once

// Turning log arguments into text and filling message placeholders. Header-only parts are
// templates used by Logger; nothing here depends on log4cplus.

#include <charconv>
#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace takahe::log {

/// Replaces each placeholder %1, %2, ... %N in `format` with args[N-1]. A placeholder may appear
/// several times. A placeholder without an argument stays in the text as written ("%3"), so the
/// mistake is visible; arguments that no placeholder uses are appended as " [extra: a, b]".
std::string formatMessage(std::string_view format, std::span<const std::string> args);

namespace detail {
template <typename T>
inline constexpr bool kAlwaysFalse = false;
}  // namespace detail

/// Text of one log argument: strings as they are, bool as true/false, numbers in decimal
/// (floating point in shortest form), objects through a `toString()` method or a free
/// `toString(v)` found by argument-dependent lookup, enums as their number.
template <typename T>
std::string toLogString(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    return std::string(1, v);
  } else if constexpr (std::is_pointer_v<T> && std::is_convertible_v<T, const char*>) {
    return v == nullptr ? std::string("(null)") : std::string(v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, res.ptr);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(v);
  } else if constexpr (requires {
                         { v.toString() } -> std::convertible_to<std::string>;
                       }) {
    return v.toString();
  } else if constexpr (requires {
                         { toString(v) } -> std::convertible_to<std::string>;
                       }) {
    return toString(v);
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<std::underlying_type_t<T>>(v));
  } else {
    static_assert(detail::kAlwaysFalse<T>,
                  "log argument needs to be string-like, a number, or have toString()");
  }
}

}  // namespace takahe::log
