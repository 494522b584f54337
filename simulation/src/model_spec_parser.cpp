// `model:` as a map: a model written in the scenario (or in a model file), or an SBML file.
// YAML -> equations::ModelSpec, with every expression's characters located in the file, so that
// an error inside an expression points at the character itself. The schema is documented in
// docs/scenario_reference.md ("A model written in the scenario").
#include "model_spec_parser.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include "cartsim/core/text.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "cartsim/simulation/model_file.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim {
namespace {

using equations::ModelSpec;
using equations::SourceText;

/// Smallest value of a positive parameter whose range is not given (a parameter keeps the sign
/// of its value; 0 is excluded so that the model may divide by it).
constexpr double positive_floor = 1e-300;
constexpr std::uintmax_t max_model_file_bytes = 64u << 20;

// ---------------------------------------------------------------------------------------------
// Where each character of a scalar is

/// 1-based (line, column) of every character of `value`, the text of the scalar that starts at
/// `at` in `text`: found by walking the source from there, skipping what YAML removes (quotes,
/// escapes, indentation, line breaks folded into spaces). Empty when the walk fails (e.g. an
/// escape sequence), so that errors fall back to the scalar's own position.
std::vector<std::pair<int, int>> locate(const std::string& text, const InputLocation& at,
                                        const std::string& value) {
  std::vector<std::pair<int, int>> out;
  if (text.empty() || at.line <= 0 || at.column <= 0) {
    return out;
  }
  // Offset of (line, column).
  std::size_t offset = 0;
  for (int line = 1; line < at.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string::npos) {
      return out;
    }
    ++offset;
  }
  offset += static_cast<std::size_t>(at.column - 1);
  if (offset >= text.size()) {
    return out;
  }
  char quote = 0;
  if (text[offset] == '"' || text[offset] == '\'') {
    quote = text[offset];
    ++offset;
  } else if (text[offset] == '|' || text[offset] == '>') {
    offset = text.find('\n', offset);  // the content starts on the next line
    if (offset == std::string::npos) {
      return out;
    }
  }
  // Line and column of each source offset, computed as the walk advances.
  int line = at.line;
  int column = at.column + (quote != 0 ? 1 : 0);
  std::size_t j = offset;
  auto step = [&] {
    if (text[j] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++j;
  };
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  for (char c : value) {
    if (is_space(c)) {
      out.emplace_back(line, column);
      if (j < text.size() && is_space(text[j])) {
        step();
      }
      continue;
    }
    while (j < text.size() && text[j] != c &&
           (is_space(text[j]) || (quote == '"' && text[j] == '\\'))) {
      step();
    }
    if (j >= text.size() || text[j] != c) {
      return {};
    }
    out.emplace_back(line, column);
    step();
    if (quote == '\'' && c == '\'' && j < text.size() && text[j] == '\'') {
      step();  // '' is one quote in a single-quoted scalar
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

class SpecParser {
 public:
  explicit SpecParser(const std::string& text) : text_(text) {}

  SourceText expression(const YamlNode& node) const {
    if (!node.is_scalar()) {
      node.fail("expected an expression (text such as \"k * x\", or a number), got " +
                node.describe());
    }
    SourceText s;
    s.text = node.string();
    s.where = node.location();
    s.positions = locate(text_, s.where, s.text);
    if (s.text.find_first_not_of(" \t\r\n") == std::string::npos) {
      node.fail("the expression is empty");
    }
    return s;
  }

  static double bound(const YamlNode& node) {
    if (node.is_scalar() && !node.quoted()) {
      const std::string text = node.string();
      if (text == "inf" || text == ".inf" || text == "+inf") {
        return std::numeric_limits<double>::infinity();
      }
      if (text == "-inf" || text == "-.inf") {
        return -std::numeric_limits<double>::infinity();
      }
    }
    return node.number();
  }

  static std::string text_of(const YamlNode& node) { return node.string(); }

  std::vector<equations::StateSpec> states(const YamlNode& node) const {
    node.check_unique_keys();
    std::vector<equations::StateSpec> out;
    for (const auto& entry : node.entries()) {
      equations::StateSpec s;
      s.name = entry.name;
      s.where = entry.key.location();
      if (entry.value.is_map()) {
        entry.value.check_keys({"initial", "unit", "description", "nonnegative"});
        s.initial = expression(entry.value.required("initial"));
        if (const auto unit = entry.value.find("unit")) {
          s.unit = unit->string();
        }
        if (const auto description = entry.value.find("description")) {
          s.description = description->string();
        }
        if (const auto nonnegative = entry.value.find("nonnegative")) {
          s.nonnegative = nonnegative->boolean();
        }
      } else if (entry.value.is_null()) {
        entry.key.fail(fmt::format(
            "state '{}' needs an initial value: '{}: 10' or '{}: {{initial: 10, unit: cells}}'",
            s.name, s.name, s.name));
      } else {
        s.initial = expression(entry.value);
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<equations::ParameterSpec> parameters(const YamlNode& node) const {
    node.check_unique_keys();
    std::vector<equations::ParameterSpec> out;
    for (const auto& entry : node.entries()) {
      equations::ParameterSpec p;
      p.name = entry.name;
      p.where = entry.key.location();
      std::optional<YamlNode> range;
      if (entry.value.is_map()) {
        entry.value.check_keys({"value", "unit", "range", "source", "description", "internal"});
        const YamlNode value = entry.value.required("value");
        p.value = value.number();
        p.value_where = value.location();
        if (const auto unit = entry.value.find("unit")) {
          p.unit = unit->string();
        }
        if (const auto source = entry.value.find("source")) {
          p.source = source->string();
        }
        if (const auto description = entry.value.find("description")) {
          p.description = description->string();
        }
        if (const auto internal = entry.value.find("internal")) {
          p.internal = internal->boolean();
        }
        range = entry.value.find("range");
      } else {
        p.value = entry.value.number();
        p.value_where = entry.value.location();
      }
      if (range) {
        const auto items = range->items();
        if (items.size() != 2) {
          range->fail("a range is [min, max] (inclusive; use inf or -inf for no bound)");
        }
        p.min = bound(items[0]);
        p.max = bound(items[1]);
        if (!(p.min <= p.max)) {
          range->fail(fmt::format("range [{}, {}] is empty (min must be <= max)", p.min, p.max));
        }
        if (p.value < p.min || p.value > p.max) {
          entry.value.required("value").fail(
              fmt::format("value {} is outside the range [{}, {}] of parameter '{}'", p.value,
                          p.min, p.max, p.name));
        }
      } else if (p.value > 0.0) {
        p.min = positive_floor;  // keeps its sign; never 0
      } else if (p.value < 0.0) {
        p.max = -positive_floor;
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  std::vector<equations::ObservableSpec> observables(const YamlNode& node) const {
    node.check_unique_keys();
    std::vector<equations::ObservableSpec> out;
    for (const auto& entry : node.entries()) {
      equations::ObservableSpec o;
      o.name = entry.name;
      o.where = entry.key.location();
      if (entry.value.is_map()) {
        entry.value.check_keys({"expression", "unit", "description"});
        o.expression = expression(entry.value.required("expression"));
        if (const auto unit = entry.value.find("unit")) {
          o.unit = unit->string();
        }
        if (const auto description = entry.value.find("description")) {
          o.description = description->string();
        }
      } else {
        o.expression = expression(entry.value);
      }
      out.push_back(std::move(o));
    }
    return out;
  }

  std::vector<equations::EquationSpec> equations(const YamlNode& node) const {
    node.check_unique_keys();  // a state written twice is a duplicate key here
    std::vector<equations::EquationSpec> out;
    for (const auto& entry : node.entries()) {
      out.push_back({entry.name, expression(entry.value), entry.key.location()});
    }
    return out;
  }

  /// `name(a, b): body`
  std::vector<equations::FunctionSpec> functions(const YamlNode& node) const {
    node.check_unique_keys();
    std::vector<equations::FunctionSpec> out;
    for (const auto& entry : node.entries()) {
      equations::FunctionSpec f;
      f.where = entry.key.location();
      const std::string& key = entry.name;
      const auto open = key.find('(');
      const auto close = key.rfind(')');
      if (open == std::string::npos || close != key.size() - 1 || close < open) {
        entry.key.fail(fmt::format(
            "a function is written 'name(argument, ...): body', e.g. 'hill(x, k, n): x^n / (k^n "
            "+ x^n)'; got '{}'",
            key));
      }
      auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(' ');
        const auto e = s.find_last_not_of(' ');
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
      };
      f.name = trim(key.substr(0, open));
      const std::string args = key.substr(open + 1, close - open - 1);
      std::size_t start = 0;
      while (start <= args.size() && !trim(args).empty()) {
        const auto comma = args.find(',', start);
        f.arguments.push_back(trim(args.substr(start, comma - start)));
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
      f.body = expression(entry.value);
      out.push_back(std::move(f));
    }
    return out;
  }

  std::vector<equations::AssignmentSpec> assignments(const YamlNode& node) const {
    node.check_unique_keys();
    std::vector<equations::AssignmentSpec> out;
    for (const auto& entry : node.entries()) {
      out.push_back({entry.name, expression(entry.value), entry.key.location()});
    }
    return out;
  }

  std::vector<equations::EventSpec> events(const YamlNode& node) const {
    std::vector<equations::EventSpec> out;
    for (const auto& item : node.items()) {
      item.check_keys({"name", "when", "let", "assign", "repeat", "at_start"});
      equations::EventSpec e;
      e.where = item.location();
      if (const auto name = item.find("name")) {
        e.name = name->string();
      }
      e.trigger = expression(item.required("when"));
      if (const auto let = item.find("let")) {
        e.let = assignments(*let);
      }
      e.assign = assignments(item.required("assign"));
      if (const auto repeat = item.find("repeat")) {
        e.repeat = repeat->boolean();
      }
      if (const auto at_start = item.find("at_start")) {
        e.at_start = at_start->boolean();
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  static std::vector<equations::MetricEntry> metrics(const YamlNode& node) {
    std::vector<equations::MetricEntry> out;
    for (const auto& item : node.items()) {
      item.check_keys(
          {"name", "kind", "variable", "level", "from", "to", "at", "unit", "description"});
      MetricSpec m;
      m.name = item.required("name").string();
      const YamlNode kind = item.required("kind");
      if (!parse_metric_kind(kind.string(), m.kind)) {
        kind.fail(unknown_name_message("metric kind", kind.string(), metric_kind_names(),
                                       "metric kinds"));
      }
      m.variable = item.required("variable").string();
      auto number = [&](std::string_view key, double& into, bool (*uses)(MetricKind)) {
        if (const auto v = item.find(key)) {
          if (!uses(m.kind)) {
            v->fail(fmt::format("'{}' does not apply to metric kind '{}'", key, to_string(m.kind)));
          }
          into = v->number();
        }
      };
      number("level", m.level, metric_uses_level);
      number("from", m.from, metric_uses_window);
      number("to", m.to, metric_uses_window);
      number("at", m.at, metric_uses_time);
      if (metric_uses_level(m.kind) && !item.find("level")) {
        item.fail(fmt::format("metric kind '{}' needs 'level'", to_string(m.kind)));
      }
      if (metric_uses_time(m.kind) && !item.find("at")) {
        item.fail(fmt::format("metric kind '{}' needs 'at' (days)", to_string(m.kind)));
      }
      if (const auto unit = item.find("unit")) {
        m.unit = unit->string();
      }
      m.description = item.find("description")
                          ? item.find("description")->string()
                          : fmt::format("{} of {}", to_string(m.kind), m.variable);
      out.push_back({std::move(m), item.location()});
    }
    return out;
  }

 private:
  const std::string& text_;
};

std::string read_file(const std::filesystem::path& path, const InputLocation& referenced_at,
                      std::string_view what) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    throw ConfigError(referenced_at,
                      fmt::format("cannot read the {} '{}': no such file", what, path.string()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw ConfigError(referenced_at, fmt::format("cannot read the {} '{}': not a regular file",
                                                 what, path.string()));
  }
  if (std::filesystem::file_size(path, error) > max_model_file_bytes) {
    throw ConfigError(referenced_at, fmt::format("the {} '{}' is larger than {} MiB", what,
                                                 path.string(), max_model_file_bytes >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw ConfigError(referenced_at, fmt::format("cannot read the {} '{}': {}", what, path.string(),
                                                 code != 0 ? std::generic_category().message(code)
                                                           : std::string("cannot open the file")));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

/// yaml-cpp 0.7 loops without end on a document whose first token is ',' (issue 21): refuse it.
void refuse_leading_comma(const std::string& text, const std::string& path) {
  std::size_t i = 0;
  int line = 1;
  int column = 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
      continue;
    }
    if (c == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      ++column;
      continue;
    }
    break;
  }
  if (i < text.size() && text[i] == ',') {
    throw ConfigError(InputLocation{path, line, column, ""},
                      "invalid YAML: a document cannot start with ','");
  }
}

/// `path` as given, relative to the directory of the file that names it.
std::filesystem::path relative_to(const std::string& path, const std::string& referring_file) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || referring_file.empty() || referring_file.front() == '<') {
    return p;
  }
  return std::filesystem::path(referring_file).parent_path() / p;
}

}  // namespace

equations::ModelSpec parse_model_spec(const YamlNode& node, const std::string& text) {
  node.check_keys({"name", "title", "description", "references", "deviations", "solver",
                   "check_units", "states", "parameters", "functions", "observables", "equations",
                   "events", "metrics"});
  SpecParser p(text);
  ModelSpec spec;
  spec.where = node.location();
  auto text_key = [&](std::string_view key, std::string& into) {
    if (const auto v = node.find(key)) {
      into = v->string();
    }
  };
  text_key("name", spec.name);
  text_key("title", spec.title);
  text_key("description", spec.summary);
  text_key("references", spec.references);
  text_key("deviations", spec.deviations);
  if (const auto solver = node.find("solver")) {
    spec.default_solver = solver->string();
    const auto names = solver_names();
    if (std::find(names.begin(), names.end(), spec.default_solver) == names.end()) {
      solver->fail(unknown_name_message("solver", spec.default_solver, names, "solvers"));
    }
  }
  if (const auto check = node.find("check_units")) {
    spec.check_units = check->boolean();
  }
  const YamlNode states = node.required("states");
  spec.states = p.states(states);
  if (const auto parameters = node.find("parameters"); parameters && !parameters->is_null()) {
    spec.parameters = p.parameters(*parameters);
  }
  if (const auto functions = node.find("functions"); functions && !functions->is_null()) {
    spec.functions = p.functions(*functions);
  }
  if (const auto observables = node.find("observables"); observables && !observables->is_null()) {
    spec.observables = p.observables(*observables);
  }
  spec.equations = p.equations(node.required("equations"));
  if (const auto events = node.find("events"); events && !events->is_null()) {
    spec.events = p.events(*events);
  }
  if (const auto metrics = node.find("metrics"); metrics && !metrics->is_null()) {
    spec.metrics = SpecParser::metrics(*metrics);
  }
  return spec;
}

std::shared_ptr<const OdeModel> load_model_file(const std::string& path,
                                                const InputLocation& referenced_at) {
  const std::string text = read_file(path, referenced_at, "model file");
  refuse_leading_comma(text, path);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    InputLocation where{path, 0, 0, ""};
    if (!e.mark.is_null()) {
      where.line = e.mark.line + 1;
      where.column = e.mark.column + 1;
    }
    throw ConfigError(where, "invalid YAML: " + e.msg);
  }
  if (documents.size() != 1 || !documents.front().IsMap()) {
    throw ConfigError(InputLocation{path, 1, 1, ""},
                      "a model file is one YAML map with the keys of a scenario's 'model:' map "
                      "(states, parameters, equations, ...)");
  }
  const YamlNode root = YamlNode::root(documents.front(), path);
  return equations::compile_model(parse_model_spec(root, text));
}

std::shared_ptr<const OdeModel> parse_model_map(const YamlNode& node, const std::string& text) {
  if (node.find("file") || node.find("sbml")) {
    node.check_keys({"file", "sbml"});
    if (node.find("file") && node.find("sbml")) {
      node.fail("give either 'file' (a model file) or 'sbml' (an SBML file), not both");
    }
    if (const auto file = node.find("file")) {
      const std::string path = relative_to(file->string(), node.file()).string();
      return load_model_file(path, file->location());
    }
    const YamlNode sbml = *node.find("sbml");
    const std::string path = relative_to(sbml.string(), node.file()).string();
    const std::string xml = read_file(path, sbml.location(), "SBML file");
    try {
      return equations::compile_model(sbml::import_sbml_string(xml, path));
    } catch (const ConfigError& e) {
      // Point at the scenario's reference; say where in the SBML file.
      const InputLocation& at = e.where();
      std::string where =
          at.line > 0 ? fmt::format(" at line {}, column {}", at.line, at.column) : std::string();
      if (!at.yaml_path.empty()) {
        where += " (" + at.yaml_path + ")";
      }
      sbml.fail(fmt::format("in the SBML file '{}'{}: {}", path, where, e.message()));
    }
  }
  return equations::compile_model(parse_model_spec(node, text));
}

}  // namespace cartsim

namespace cartsim {

bool is_sbml_path(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".xml" || ext == ".sbml" || ext == ".XML" || ext == ".SBML";
}

std::shared_ptr<const Model> load_model_from_file(const std::filesystem::path& path) {
  const InputLocation at{path.string(), 0, 0, ""};
  if (is_sbml_path(path)) {
    const std::string xml = read_file(path, at, "SBML file");
    return equations::compile_model(sbml::import_sbml_string(xml, path.string()));
  }
  const std::string text = read_file(path, at, "file");
  refuse_leading_comma(text, path.string());
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    InputLocation where = at;
    if (!e.mark.is_null()) {
      where.line = e.mark.line + 1;
      where.column = e.mark.column + 1;
    }
    throw ConfigError(where, "invalid YAML: " + e.msg);
  }
  if (root.IsMap() && root["states"]) {
    return load_model_file(path.string(), at);
  }
  return load_scenario(path).bound_model;
}

}  // namespace cartsim
