#include "annotation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "cartsim/core/expression.hpp"
#include "cartsim/sbml/sbml.hpp"

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    namespace {
  std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\n':
          out += "&#10;";
          break;
        default:
          out += c;
      }
    }
    return out;
  }

  const XMLNode* cartsim_child(const SBase& element, const std::string& name) {
    const XMLNode* annotation = element.getAnnotation();
    if (annotation == nullptr) {
      return nullptr;
    }
    for (unsigned i = 0; i < annotation->getNumChildren(); ++i) {
      const XMLNode& child = annotation->getChild(i);
      if (child.getURI() == annotation_namespace && child.getName() == name) {
        return &child;
      }
    }
    return nullptr;
  }

  std::optional<std::string> attribute(const XMLNode& node, const char* name) {
    if (!node.hasAttr(name)) {
      return std::nullopt;
    }
    return node.getAttrValue(name);
  }

  double to_number(const std::string& text) {
    if (text == "inf") {
      return std::numeric_limits<double>::infinity();
    }
    if (text == "-inf") {
      return -std::numeric_limits<double>::infinity();
    }
    return std::stod(text);
  }

  std::string text_of(const XMLNode& node) {
    std::string out;
    for (unsigned i = 0; i < node.getNumChildren(); ++i) {
      const XMLNode& child = node.getChild(i);
      out += child.isText() ? child.getCharacters() : text_of(child);
    }
    return out;
  }

  /// The symbol of a unit kind with its scale and multiplier, e.g. (litre, -6) -> "uL".
  std::string unit_symbol(const Unit& u) {
    const int scale = u.getScale();
    const double multiplier = u.getMultiplier();
    const auto kind = u.getKind();
    if (kind == UNIT_KIND_SECOND && scale == 0) {
      if (multiplier == 1) {
        return "s";
      }
      if (multiplier == 60) {
        return "min";
      }
      if (multiplier == 3600) {
        return "h";
      }
      if (multiplier == 86400) {
        return "d";
      }
      if (multiplier == 604800) {
        return "wk";
      }
    }
    if (multiplier != 1.0) {
      return "";
    }
    auto prefixed = [&](const char* base) -> std::string {
      switch (scale) {
        case 3:
          return std::string("k") + base;
        case 0:
          return base;
        case -1:
          return std::string("d") + base;
        case -2:
          return std::string("c") + base;
        case -3:
          return std::string("m") + base;
        case -6:
          return std::string("u") + base;
        case -9:
          return std::string("n") + base;
        case -12:
          return std::string("p") + base;
        case -15:
          return std::string("f") + base;
        default:
          return "";
      }
    };
    switch (kind) {
      case UNIT_KIND_SECOND:
        return prefixed("s");
      case UNIT_KIND_LITRE:
      case UNIT_KIND_LITER:
        return prefixed("L");
      case UNIT_KIND_MOLE:
        return prefixed("mol");
      case UNIT_KIND_GRAM:
        return prefixed("g");
      case UNIT_KIND_METRE:
      case UNIT_KIND_METER:
        return prefixed("m");
      case UNIT_KIND_ITEM:
        return scale == 0 ? "items" : "";
      case UNIT_KIND_DIMENSIONLESS:
        return scale == 0 ? "1" : "";
      default:
        return scale == 0 ? UnitKind_toString(kind) : "";
    }
  }

}  // namespace

std::string number_attribute(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "inf" : "-inf";
  }
  return expr::format_number(v);
}

Annotation read_annotation(const SBase& element) {
  Annotation a;
  const XMLNode* info = cartsim_child(element, "info");
  if (info == nullptr) {
    return a;
  }
  a.name = attribute(*info, "name");
  a.unit = attribute(*info, "unit");
  a.description = attribute(*info, "description");
  a.source = attribute(*info, "source");
  a.trigger = attribute(*info, "trigger");
  if (const auto v = attribute(*info, "min")) {
    a.min = to_number(*v);
  }
  if (const auto v = attribute(*info, "max")) {
    a.max = to_number(*v);
  }
  auto flag = [&](const char* key) -> std::optional<bool> {
    if (const auto v = attribute(*info, key)) {
      return *v == "true";
    }
    return std::nullopt;
  };
  a.internal = flag("internal");
  a.nonnegative = flag("nonnegative");
  a.repeat = flag("repeat");
  a.generated = flag("generated").value_or(false);
  return a;
}

void read_model_info(const Model& model, equations::ModelSpec& spec) {
  const XMLNode* node = cartsim_child(model, "model");
  if (node == nullptr) {
    return;
  }
  if (const auto v = attribute(*node, "name")) {
    spec.name = *v;
  }
  if (const auto v = attribute(*node, "title")) {
    spec.title = *v;
  }
  if (const auto v = attribute(*node, "solver")) {
    spec.default_solver = *v;
  }
  if (const auto v = attribute(*node, "check_units")) {
    spec.check_units = *v == "true";
  }
  spec.summary.clear();
  spec.references.clear();
  for (unsigned i = 0; i < node->getNumChildren(); ++i) {
    const XMLNode& child = node->getChild(i);
    if (child.getURI() != annotation_namespace) {
      continue;
    }
    if (child.getName() == "description") {
      spec.summary = text_of(child);
    } else if (child.getName() == "references") {
      spec.references = text_of(child);
    } else if (child.getName() == "deviations") {
      spec.deviations = text_of(child);
    } else if (child.getName() == "metric") {
      equations::MetricEntry entry;
      MetricSpec& m = entry.metric;
      m.name = child.getAttrValue("name");
      parse_metric_kind(child.getAttrValue("kind"), m.kind);
      m.variable = child.getAttrValue("variable");
      m.unit = child.getAttrValue("unit");
      m.description = child.getAttrValue("description");
      if (child.hasAttr("level")) {
        m.level = to_number(child.getAttrValue("level"));
      }
      if (child.hasAttr("from")) {
        m.from = to_number(child.getAttrValue("from"));
      }
      if (child.hasAttr("to")) {
        m.to = to_number(child.getAttrValue("to"));
      }
      if (child.hasAttr("at")) {
        m.at = to_number(child.getAttrValue("at"));
      }
      entry.where = spec.where;
      spec.metrics.push_back(std::move(entry));
    }
  }
}

std::string info_annotation(const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string out =
      fmt::format("<annotation><cartsim:info xmlns:cartsim=\"{}\"", annotation_namespace);
  for (const auto& [key, value] : attributes) {
    out += fmt::format(" {}=\"{}\"", key, escape(value));
  }
  return out + "/></annotation>";
}

std::string model_annotation(const equations::ModelSpec& spec) {
  std::string out = fmt::format(
      "<annotation><cartsim:model xmlns:cartsim=\"{}\" name=\"{}\" title=\"{}\" solver=\"{}\" "
      "check_units=\"{}\">",
      annotation_namespace, escape(spec.name), escape(spec.title), escape(spec.default_solver),
      spec.check_units ? "true" : "false");
  out += "<cartsim:description>" + escape(spec.summary) + "</cartsim:description>";
  out += "<cartsim:references>" + escape(spec.references) + "</cartsim:references>";
  out += "<cartsim:deviations>" + escape(spec.deviations) + "</cartsim:deviations>";
  for (const auto& entry : spec.metrics) {
    const MetricSpec& m = entry.metric;
    out += fmt::format(
        "<cartsim:metric name=\"{}\" kind=\"{}\" variable=\"{}\" unit=\"{}\" description=\"{}\"",
        escape(m.name), to_string(m.kind), escape(m.variable), escape(m.unit),
        escape(m.description));
    if (metric_uses_level(m.kind)) {
      out += fmt::format(" level=\"{}\"", number_attribute(m.level));
    }
    if (metric_uses_window(m.kind)) {
      out +=
          fmt::format(" from=\"{}\" to=\"{}\"", number_attribute(m.from), number_attribute(m.to));
    }
    if (metric_uses_time(m.kind)) {
      out += fmt::format(" at=\"{}\"", number_attribute(m.at));
    }
    out += "/>";
  }
  return out + "</cartsim:model></annotation>";
}

std::string unit_text(const Model& model, const std::string& units) {
  if (units.empty()) {
    return "";
  }
  const UnitDefinition* def = model.getUnitDefinition(units);
  if (def == nullptr) {
    const auto kind = UnitKind_forName(units.c_str());
    if (kind == UNIT_KIND_INVALID) {
      return units;
    }
    Unit u(model.getLevel(), model.getVersion());
    u.setKind(kind);
    u.setExponent(1.0);
    u.setScale(0);
    u.setMultiplier(1.0);
    const std::string symbol = unit_symbol(u);
    return symbol.empty() ? units : symbol;
  }
  std::vector<std::string> up, down;
  for (unsigned i = 0; i < def->getNumUnits(); ++i) {
    const Unit* u = def->getUnit(i);
    const std::string symbol = unit_symbol(*u);
    if (symbol.empty()) {
      return def->isSetName() ? def->getName() : def->getId();
    }
    if (symbol == "1") {
      continue;
    }
    const double e = u->getExponentAsDouble();
    const double a = std::abs(e);
    const std::string factor = a == 1.0 ? symbol : symbol + "^" + expr::format_number(a);
    (e < 0 ? down : up).push_back(factor);
  }
  std::string out;
  for (const auto& f : up) {
    out += (out.empty() ? "" : "*") + f;
  }
  if (out.empty()) {
    out = "1";
  }
  if (!down.empty()) {
    std::string d;
    for (const auto& f : down) {
      d += (d.empty() ? "" : "*") + f;
    }
    out += "/" + (down.size() > 1 ? "(" + d + ")" : d);
  }
  return out;
}

std::string notes_text(const SBase& element) {
  if (!element.isSetNotes()) {
    return "";
  }
  const std::string xml = element.getNotesString();
  std::string out;
  bool in_tag = false;
  bool space = false;
  for (char c : xml) {
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (c == '>') {
      in_tag = false;
      space = true;
      continue;
    }
    if (in_tag) {
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out += ' ';
    }
    space = false;
    out += c;
  }
  constexpr std::size_t max_length = 2000;
  if (out.size() > max_length) {
    out = out.substr(0, max_length) + " ...";
  }
  return out;
}

}  // namespace cartsim::sbml
