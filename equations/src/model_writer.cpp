#include "cartsim/equations/model_writer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cartsim/core/expression.hpp"

namespace cartsim::equations {

namespace {

/// A double-quoted YAML string.
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "inf" : "-inf";
  }
  return expr::format_number(v);
}

}  // namespace

std::string write_model_yaml(const ModelSpec& spec, const std::string& header) {
  std::string out;
  std::size_t start = 0;
  while (!header.empty() && start <= header.size()) {
    const auto end = header.find('\n', start);
    out += "# " + header.substr(start, end - start) + "\n";
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) {
      out += fmt::format("{}: {}\n", key, quote(value));
    }
  };
  text("name", spec.name);
  text("title", spec.title);
  text("description", spec.summary);
  text("references", spec.references);
  text("deviations", spec.deviations);
  text("solver", spec.default_solver);
  if (!spec.check_units) {
    out += "check_units: false\n";
  }
  out += "states:\n";
  for (const auto& s : spec.states) {
    out += fmt::format("  {}:\n    initial: {}\n", s.name, quote(s.initial.text));
    if (!s.unit.empty()) {
      out += fmt::format("    unit: {}\n", quote(s.unit));
    }
    if (!s.description.empty()) {
      out += fmt::format("    description: {}\n", quote(s.description));
    }
    if (!s.nonnegative) {
      out += "    nonnegative: false\n";
    }
  }
  if (!spec.parameters.empty()) {
    out += "parameters:\n";
    for (const auto& p : spec.parameters) {
      out += fmt::format("  {}:\n    value: {}\n    range: [{}, {}]\n", p.name, number(p.value),
                         number(p.min), number(p.max));
      if (!p.unit.empty()) {
        out += fmt::format("    unit: {}\n", quote(p.unit));
      }
      if (!p.source.empty()) {
        out += fmt::format("    source: {}\n", quote(p.source));
      }
      if (!p.description.empty()) {
        out += fmt::format("    description: {}\n", quote(p.description));
      }
      if (p.internal) {
        out += "    internal: true\n";
      }
    }
  }
  if (!spec.functions.empty()) {
    out += "functions:\n";
    for (const auto& f : spec.functions) {
      std::string args;
      for (const auto& a : f.arguments) {
        args += (args.empty() ? "" : ", ") + a;
      }
      out += fmt::format("  {}({}): {}\n", f.name, args, quote(f.body.text));
    }
  }
  if (!spec.observables.empty()) {
    out += "observables:\n";
    for (const auto& o : spec.observables) {
      out += fmt::format("  {}:\n    expression: {}\n", o.name, quote(o.expression.text));
      if (!o.unit.empty()) {
        out += fmt::format("    unit: {}\n", quote(o.unit));
      }
      if (!o.description.empty()) {
        out += fmt::format("    description: {}\n", quote(o.description));
      }
    }
  }
  out += "equations:\n";
  for (const auto& e : spec.equations) {
    out += fmt::format("  {}: {}\n", e.state, quote(e.rate.text));
  }
  if (!spec.events.empty()) {
    out += "events:\n";
    for (const auto& e : spec.events) {
      out += fmt::format("  - name: {}\n    when: {}\n", quote(e.name), quote(e.trigger.text));
      if (!e.repeat) {
        out += "    repeat: false\n";
      }
      if (e.at_start) {
        out += "    at_start: true\n";
      }
      if (!e.let.empty()) {
        out += "    let:\n";
        for (const auto& l : e.let) {
          out += fmt::format("      {}: {}\n", l.target, quote(l.value.text));
        }
      }
      out += "    assign:\n";
      for (const auto& a : e.assign) {
        out += fmt::format("      {}: {}\n", a.target, quote(a.value.text));
      }
    }
  }
  if (!spec.metrics.empty()) {
    out += "metrics:\n";
    for (const auto& entry : spec.metrics) {
      const MetricSpec& m = entry.metric;
      out += fmt::format("  - name: {}\n    kind: {}\n    variable: {}\n", quote(m.name),
                         to_string(m.kind), quote(m.variable));
      if (metric_uses_level(m.kind)) {
        out += fmt::format("    level: {}\n", number(m.level));
      }
      if (metric_uses_window(m.kind)) {
        out += fmt::format("    from: {}\n", number(m.from));
        if (!std::isinf(m.to)) {
          out += fmt::format("    to: {}\n", number(m.to));
        }
      }
      if (metric_uses_time(m.kind)) {
        out += fmt::format("    at: {}\n", number(m.at));
      }
      if (!m.unit.empty()) {
        out += fmt::format("    unit: {}\n", quote(m.unit));
      }
      if (!m.description.empty()) {
        out += fmt::format("    description: {}\n", quote(m.description));
      }
    }
  }
  return out;
}

}  // namespace cartsim::equations
