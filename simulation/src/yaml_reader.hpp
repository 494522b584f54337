#pragma once
// Internal to the simulation library: yaml-cpp nodes that know where they came from.
//
// A YamlNode is a yaml-cpp node plus the file label, the YAML path that leads to it (e.g.
// "protocol[2].dose.amount") and its position in the text. Its typed getters read strictly (no
// quoted numbers, no yes/no booleans, no .inf/.nan) and throw ConfigError naming the file, line,
// column and path, so the scenario parser never deals with yaml-cpp's exceptions or marks.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/core/errors.hpp"

namespace cartsim {

struct YamlEntry;

class YamlNode {
 public:
  /// `mark` is where the node is reported: its own position, or a better one the caller knows
  /// (a key's position for an empty value, whose own mark yaml-cpp puts at the next token).
  YamlNode(YAML::Node node, std::string file, std::string path, YAML::Mark mark);

  /// The root node of a document read from `file`.
  static YamlNode root(const YAML::Node& node, const std::string& file);

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  /// File, 1-based line and column, and YAML path of this node.
  InputLocation location() const;
  /// Throws ConfigError(location(), message).
  [[noreturn]] void fail(const std::string& message) const;

  bool is_null() const { return node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_list() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  /// A scalar written in quotes (yaml-cpp tags non-plain scalars "!"): its text starts one
  /// column after location().
  bool quoted() const;
  /// What the node holds, for "got ..." in messages: "'abc'", "a list", "a map", "an empty value".
  std::string describe() const;

  /// A finite number (plain YAML scalar such as 2, -1.5, 1e-6).
  double number() const;
  /// A non-negative integer written in decimal digits.
  std::uint64_t integer() const;
  /// Any scalar, as written (plain or quoted).
  std::string string() const;
  /// `true` or `false` (also True/TRUE/False/FALSE).
  bool boolean() const;

  void expect_map() const;
  void expect_list() const;

  /// The entries of a map, in document order. Keys must be plain text.
  std::vector<YamlEntry> entries() const;
  /// The value of `key` in this map, if present.
  std::optional<YamlNode> find(std::string_view key) const;
  /// The value of `key`; "missing required key 'KEY'" at this map when absent.
  YamlNode required(std::string_view key) const;
  /// Rejects a key given twice, and any key not in `allowed` (listing them and the nearest match).
  void check_keys(const std::vector<std::string>& allowed) const;
  /// Rejects a key given twice (for maps whose keys are names, such as `parameters`).
  void check_unique_keys() const;

  /// The elements of a list, with paths "PATH[i]".
  std::vector<YamlNode> items() const;

 private:
  std::string child_path(std::string_view key) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  YAML::Mark mark_;
};

/// One `key: value` of a map.
struct YamlEntry {
  std::string name;  ///< the key's text
  YamlNode key;      ///< the key itself, for errors about the key (path ends in the key)
  YamlNode value;
};

}  // namespace cartsim
