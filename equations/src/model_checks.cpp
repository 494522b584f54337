#include "model_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/text.hpp"

namespace cartsim::equations {

using expr::Op;
using expr::SyntaxNode;
using Kind = expr::SyntaxNode::Kind;
using RangeOf = std::function<std::optional<Interval>(const std::string&)>;

namespace {

std::optional<Interval> valid(double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi)) {
    return std::nullopt;
  }
  return Interval{lo, hi};
}

std::optional<Interval> product(Interval a, Interval b) {
  const double c[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  for (double v : c) {
    if (std::isnan(v)) {
      return std::nullopt;  // 0 * inf: no bound
    }
  }
  return Interval{*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

bool contains_zero(Interval a) {
  return a.lo <= 0.0 && a.hi >= 0.0;
}

}  // namespace

std::optional<Interval> interval_of(const expr::SyntaxTree& tree, int node,
                                    const RangeOf& range_of) {
  const SyntaxNode& n = tree.node(node);
  auto child = [&](std::size_t k) { return interval_of(tree, n.children[k], range_of); };
  switch (n.kind) {
    case Kind::number:
      return Interval{n.number, n.number};
    case Kind::name:
      if (n.name == "pi") {
        return Interval{M_PI, M_PI};
      }
      return range_of(n.name);
    case Kind::unary: {
      const auto a = child(0);
      if (!a || n.op != Op::neg) {
        return std::nullopt;
      }
      return Interval{-a->hi, -a->lo};
    }
    case Kind::binary: {
      const auto a = child(0);
      const auto b = child(1);
      if (!a || !b) {
        return std::nullopt;
      }
      switch (n.op) {
        case Op::add:
          return valid(a->lo + b->lo, a->hi + b->hi);
        case Op::sub:
          return valid(a->lo - b->hi, a->hi - b->lo);
        case Op::mul:
          return product(*a, *b);
        case Op::div:
          if (contains_zero(*b)) {
            return std::nullopt;
          }
          return product(*a, Interval{1.0 / b->hi, 1.0 / b->lo});
        case Op::pow:
          if (b->lo == b->hi && a->lo >= 0.0) {
            const double e = b->lo;
            const double x = std::pow(a->lo, e);
            const double y = std::pow(a->hi, e);
            return valid(std::min(x, y), std::max(x, y));
          }
          return std::nullopt;
        default:
          return std::nullopt;
      }
    }
    case Kind::call: {
      std::vector<Interval> args;
      for (std::size_t k = 0; k < n.children.size(); ++k) {
        const auto a = child(k);
        if (!a) {
          return std::nullopt;
        }
        args.push_back(*a);
      }
      if ((n.name == "min" || n.name == "max") && args.size() >= 2) {
        Interval r = args[0];
        for (std::size_t k = 1; k < args.size(); ++k) {
          r = n.name == "min" ? Interval{std::min(r.lo, args[k].lo), std::min(r.hi, args[k].hi)}
                              : Interval{std::max(r.lo, args[k].lo), std::max(r.hi, args[k].hi)};
        }
        return r;
      }
      if (args.size() != 1) {
        return std::nullopt;
      }
      const Interval a = args[0];
      if (n.name == "exp") {
        return Interval{std::exp(a.lo), std::exp(a.hi)};
      }
      if ((n.name == "log" || n.name == "ln") && a.lo > 0.0) {
        return Interval{std::log(a.lo), std::log(a.hi)};
      }
      if (n.name == "sqrt" && a.lo >= 0.0) {
        return Interval{std::sqrt(a.lo), std::sqrt(a.hi)};
      }
      if (n.name == "abs") {
        if (contains_zero(a)) {
          return Interval{0.0, std::max(-a.lo, a.hi)};
        }
        return Interval{std::min(std::abs(a.lo), std::abs(a.hi)),
                        std::max(std::abs(a.lo), std::abs(a.hi))};
      }
      return std::nullopt;
    }
    case Kind::ternary:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Interval> interval_of(const expr::SyntaxTree& tree, const RangeOf& range_of) {
  return interval_of(tree, tree.root, range_of);
}

namespace {
void collect_parameters(const expr::SyntaxTree& tree, int node, const RangeOf& parameter_range,
                        std::vector<std::string>& out) {
  const SyntaxNode& n = tree.node(node);
  if (n.kind == Kind::name && parameter_range(n.name) &&
      std::find(out.begin(), out.end(), n.name) == out.end()) {
    out.push_back(n.name);
  }
  for (int c : n.children) {
    collect_parameters(tree, c, parameter_range, out);
  }
}

std::string bound(double v) {
  return std::isinf(v) ? (v < 0 ? "-inf" : "inf") : fmt::format("{:g}", v);
}

void check_node(const expr::SyntaxTree& tree, int node, const SourceText& source,
                const RangeOf& range_of, const RangeOf& parameter_range) {
  const SyntaxNode& n = tree.node(node);
  for (int c : n.children) {
    check_node(tree, c, source, range_of, parameter_range);
  }
  if (n.kind != Kind::binary || n.op != Op::div) {
    return;
  }
  const int divisor = n.children[1];
  const auto range = interval_of(tree, divisor, range_of);
  if (!range || !contains_zero(*range)) {
    return;
  }
  std::vector<std::string> names;
  collect_parameters(tree, divisor, parameter_range, names);
  std::vector<std::string> ranges;
  for (const auto& name : names) {
    const auto r = parameter_range(name);
    ranges.push_back(fmt::format("{} in [{}, {}]", name, bound(r->lo), bound(r->hi)));
  }
  throw ConfigError(
      source.at(n.column),
      fmt::format("in the expression: division by '{}', which may be 0 within the parameters' "
                  "ranges ({}); give {} a range that excludes 0",
                  expr::to_text(tree, divisor), ranges.empty() ? "constant" : join(ranges),
                  names.size() == 1 ? "it" : "them"));
}
}  // namespace

void check_divisions(const expr::SyntaxTree& tree, const SourceText& source,
                     const RangeOf& range_of, const RangeOf& parameter_range) {
  check_node(tree, tree.root, source, range_of, parameter_range);
}

}  // namespace cartsim::equations
