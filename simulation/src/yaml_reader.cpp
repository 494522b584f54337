#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <system_error>
#include <utility>

#include "cartsim/core/text.hpp"

namespace cartsim {
namespace {

constexpr std::size_t max_quoted_length = 40;

/// yaml-cpp tags a quoted scalar "!" and a plain one "?".
bool is_quoted(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() == "!";
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The YAML spellings of infinity and not-a-number (and the C spellings from_chars would accept).
bool is_non_finite_spelling(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    text.remove_prefix(1);
  }
  const std::string lower = lowercase(text);
  return lower == ".inf" || lower == ".nan" || lower == "inf" || lower == "nan" ||
         lower == "infinity";
}

/// True for the YAML 1.2 core-schema decimal float/int syntax:
/// [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_decimal_number(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t begin = i;
    while (i < text.size() && is_digit(text[i])) {
      ++i;
    }
    return i - begin;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    ++i;
  }
  const std::size_t integer_digits = digits();
  std::size_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction_digits = digits();
  }
  if (integer_digits == 0 && fraction_digits == 0) {
    return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      ++i;
    }
    if (digits() == 0) {
      return false;
    }
  }
  return i == text.size();
}

}  // namespace

YamlNode::YamlNode(YAML::Node node, std::string file, std::string path, YAML::Mark mark)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), mark_(mark) {}

YamlNode YamlNode::root(const YAML::Node& node, const std::string& file) {
  // An empty document has no position; report it at the start of the file.
  const YAML::Mark mark = node.Mark().is_null() ? YAML::Mark() : node.Mark();
  return YamlNode(node, file, "", mark);
}

InputLocation YamlNode::location() const {
  InputLocation where;
  where.file = file_;
  if (!mark_.is_null()) {
    where.line = mark_.line + 1;  // yaml-cpp counts from 0
    where.column = mark_.column + 1;
  }
  where.yaml_path = path_;
  return where;
}

bool YamlNode::quoted() const {
  return is_quoted(node_);
}

void YamlNode::fail(const std::string& message) const {
  throw ConfigError(location(), message);
}

std::string YamlNode::describe() const {
  if (!node_.IsDefined()) {
    return "nothing";
  }
  if (node_.IsNull()) {
    return "an empty value";
  }
  if (node_.IsMap()) {
    return "a map";
  }
  if (node_.IsSequence()) {
    return "a list";
  }
  std::string text = node_.Scalar();
  if (text.size() > max_quoted_length) {
    text = text.substr(0, max_quoted_length) + "...";
  }
  return is_quoted(node_) ? "the quoted string '" + text + "'" : "'" + text + "'";
}

double YamlNode::number() const {
  if (!node_.IsScalar() || is_quoted(node_)) {
    fail("expected a number, got " + describe());
  }
  std::string_view text = node_.Scalar();
  if (is_non_finite_spelling(text)) {
    fail("expected a finite number, got " + describe());
  }
  if (!is_decimal_number(text)) {
    fail("expected a number, got " + describe());
  }
  if (text.front() == '+') {
    text.remove_prefix(1);  // from_chars does not take a leading '+'
  }
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    fail("number " + describe() + " is outside the range of a double");
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    fail("expected a number, got " + describe());
  }
  return value;
}

std::uint64_t YamlNode::integer() const {
  if (!node_.IsScalar() || is_quoted(node_)) {
    fail("expected a non-negative integer, got " + describe());
  }
  std::string_view text = node_.Scalar();
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) {
    fail("expected a non-negative integer, got " + describe());
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    fail(fmt::format("integer {} is too large (at most {})", describe(),
                     std::numeric_limits<std::uint64_t>::max()));
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    fail("expected a non-negative integer, got " + describe());
  }
  return value;
}

std::string YamlNode::string() const {
  if (!node_.IsScalar()) {
    fail("expected a string, got " + describe());
  }
  return node_.Scalar();
}

bool YamlNode::boolean() const {
  if (node_.IsScalar() && !is_quoted(node_)) {
    const std::string& text = node_.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") {
      return true;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      return false;
    }
  }
  fail("expected true or false, got " + describe());
}

void YamlNode::expect_map() const {
  if (!node_.IsMap()) {
    fail("expected a map (key: value entries), got " + describe());
  }
}

void YamlNode::expect_list() const {
  if (!node_.IsSequence()) {
    fail("expected a list, got " + describe());
  }
}

std::string YamlNode::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::vector<YamlEntry> YamlNode::entries() const {
  expect_map();
  std::vector<YamlEntry> out;
  out.reserve(node_.size());
  for (const auto& pair : node_) {
    const YAML::Node& key = pair.first;
    const YAML::Node& value = pair.second;
    if (!key.IsScalar()) {
      YamlNode(key, file_, path_, key.Mark().is_null() ? mark_ : key.Mark())
          .fail("a key must be a plain name, got " + YamlNode(key, file_, path_, mark_).describe());
    }
    const std::string name = key.Scalar();
    const std::string path = child_path(name);
    // yaml-cpp places an empty value at the next token, often on the following line; the key is
    // where the user looks.
    const YAML::Mark value_mark =
        (value.IsNull() || value.Mark().is_null()) ? key.Mark() : value.Mark();
    out.push_back(YamlEntry{name, YamlNode(key, file_, path, key.Mark()),
                            YamlNode(value, file_, path, value_mark)});
  }
  return out;
}

std::optional<YamlNode> YamlNode::find(std::string_view key) const {
  for (auto& entry : entries()) {
    if (entry.name == key) {
      return std::move(entry.value);
    }
  }
  return std::nullopt;
}

YamlNode YamlNode::required(std::string_view key) const {
  if (auto value = find(key)) {
    return *value;
  }
  fail("missing required key '" + std::string(key) + "'");
}

void YamlNode::check_unique_keys() const {
  std::map<std::string, int, std::less<>> first_line;
  for (const auto& entry : entries()) {
    const int line = entry.key.location().line;
    const auto [it, inserted] = first_line.emplace(entry.name, line);
    if (!inserted) {
      entry.key.fail(
          fmt::format("duplicate key '{}' (first given on line {})", entry.name, it->second));
    }
  }
}

void YamlNode::check_keys(const std::vector<std::string>& allowed) const {
  check_unique_keys();
  for (const auto& entry : entries()) {
    if (std::find(allowed.begin(), allowed.end(), entry.name) == allowed.end()) {
      entry.key.fail(unknown_name_message("key", entry.name, allowed, "allowed keys"));
    }
  }
}

std::vector<YamlNode> YamlNode::items() const {
  expect_list();
  std::vector<YamlNode> out;
  out.reserve(node_.size());
  std::size_t index = 0;
  for (const auto& item : node_) {
    const YAML::Mark mark = item.Mark().is_null() ? mark_ : item.Mark();
    out.emplace_back(item, file_, fmt::format("{}[{}]", path_, index), mark);
    ++index;
  }
  return out;
}

}  // namespace cartsim
