#include "differentiate.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cartsim::equations {

using expr::Graph;
using expr::NodeId;
using expr::Op;

namespace {

/// Builders that drop terms that are exactly zero (a derivative that is structurally 0), which
/// make() does not do for the right-hand side itself (0 * x is not 0 when x is infinite).
class Builder {
 public:
  explicit Builder(Graph& g) : g_(g), zero_(g.constant(0.0)), one_(g.constant(1.0)) {}
  NodeId zero() const { return zero_; }
  bool is_zero(NodeId a) const { return a == zero_; }
  NodeId add(NodeId a, NodeId b) {
    if (is_zero(a)) {
      return b;
    }
    if (is_zero(b)) {
      return a;
    }
    return g_.make(Op::add, a, b);
  }
  NodeId sub(NodeId a, NodeId b) {
    if (is_zero(b)) {
      return a;
    }
    if (is_zero(a)) {
      return g_.make(Op::neg, b);
    }
    return g_.make(Op::sub, a, b);
  }
  NodeId mul(NodeId a, NodeId b) {
    if (is_zero(a) || is_zero(b)) {
      return zero_;
    }
    return g_.make(Op::mul, a, b);
  }
  NodeId div(NodeId a, NodeId b) {
    if (is_zero(a)) {
      return zero_;
    }
    return g_.make(Op::div, a, b);
  }
  NodeId neg(NodeId a) { return is_zero(a) ? zero_ : g_.make(Op::neg, a); }
  NodeId make(Op op, NodeId a, NodeId b = expr::no_node, NodeId c = expr::no_node) {
    return g_.make(op, a, b, c);
  }
  NodeId constant(double v) { return g_.constant(v); }
  NodeId one() const { return one_; }

 private:
  Graph& g_;
  NodeId zero_;
  NodeId one_;
};

}  // namespace

std::vector<NodeId> differentiate(Graph& graph, std::span<const NodeId> roots, NodeId variable) {
  Builder b(graph);
  if (roots.empty()) {
    return {};
  }
  const NodeId top = *std::max_element(roots.begin(), roots.end());
  std::vector<char> needed(top + 1, 0);
  for (NodeId r : roots) {
    needed[r] = 1;
  }
  for (NodeId id = top + 1; id-- > 0;) {
    if (needed[id]) {
      const auto& n = graph[id];
      for (int k = 0; k < expr::arity(n.op); ++k) {
        needed[n.args[k]] = 1;
      }
    }
  }
  std::vector<NodeId> d(top + 1, b.zero());
  for (NodeId id = 0; id <= top; ++id) {
    if (!needed[id]) {
      continue;
    }
    // Copy: make() may grow the graph and invalidate references into it.
    const expr::Node n = graph[id];
    const NodeId u = n.args[0];
    const NodeId v = n.args[1];
    const NodeId du = expr::arity(n.op) > 0 ? d[u] : b.zero();
    const NodeId dv = expr::arity(n.op) > 1 ? d[v] : b.zero();
    NodeId result = b.zero();
    switch (n.op) {
      case Op::constant:
        break;
      case Op::variable:
        result = id == variable ? b.one() : b.zero();
        break;
      case Op::neg:
        result = b.neg(du);
        break;
      case Op::add:
        result = b.add(du, dv);
        break;
      case Op::sub:
        result = b.sub(du, dv);
        break;
      case Op::mul:
        result = b.add(b.mul(du, v), b.mul(u, dv));
        break;
      case Op::div:  // (u/v)' = (u' - (u/v) v') / v
        if (b.is_zero(dv)) {
          result = b.div(du, v);
        } else {
          result = b.div(b.sub(du, b.mul(id, dv)), v);
        }
        break;
      case Op::pow:
        if (b.is_zero(dv)) {  // v u^(v-1) u'
          result = b.mul(b.mul(v, b.make(Op::pow, u, b.make(Op::sub, v, b.one()))), du);
        } else if (b.is_zero(du)) {  // u^v ln(u) v'
          result = b.mul(b.mul(id, b.make(Op::log, u)), dv);
        } else {  // u^v (v' ln u + v u'/u)
          result = b.mul(id, b.add(b.mul(dv, b.make(Op::log, u)), b.div(b.mul(v, du), u)));
        }
        break;
      case Op::exp:
        result = b.mul(id, du);
        break;
      case Op::log:
        result = b.div(du, u);
        break;
      case Op::log10:
        result = b.div(du, b.mul(u, b.constant(std::numbers::ln10)));
        break;
      case Op::log2:
        result = b.div(du, b.mul(u, b.constant(std::numbers::ln2)));
        break;
      case Op::sqrt:
        result = b.div(du, b.mul(b.constant(2.0), id));
        break;
      case Op::abs:
        result = b.mul(b.make(Op::sign, u), du);
        break;
      case Op::sin:
        result = b.mul(b.make(Op::cos, u), du);
        break;
      case Op::cos:
        result = b.neg(b.mul(b.make(Op::sin, u), du));
        break;
      case Op::tan:  // (1 + tan^2) u'
        result = b.mul(b.add(b.one(), b.mul(id, id)), du);
        break;
      case Op::asin:
        result = b.div(du, b.make(Op::sqrt, b.make(Op::sub, b.one(), b.make(Op::mul, u, u))));
        break;
      case Op::acos:
        result =
            b.neg(b.div(du, b.make(Op::sqrt, b.make(Op::sub, b.one(), b.make(Op::mul, u, u)))));
        break;
      case Op::atan:
        result = b.div(du, b.make(Op::add, b.one(), b.make(Op::mul, u, u)));
        break;
      case Op::sinh:
        result = b.mul(b.make(Op::cosh, u), du);
        break;
      case Op::cosh:
        result = b.mul(b.make(Op::sinh, u), du);
        break;
      case Op::tanh:  // (1 - tanh^2) u'
        result = b.mul(b.sub(b.one(), b.mul(id, id)), du);
        break;
      case Op::min:  // min(u, v) = v < u ? v : u
        if (!(b.is_zero(du) && b.is_zero(dv))) {
          result = b.make(Op::select, b.make(Op::lt, v, u), dv, du);
        }
        break;
      case Op::max:  // max(u, v) = u < v ? v : u
        if (!(b.is_zero(du) && b.is_zero(dv))) {
          result = b.make(Op::select, b.make(Op::lt, u, v), dv, du);
        }
        break;
      case Op::select: {
        const NodeId da = d[v];
        const NodeId db = d[n.args[2]];
        if (!(b.is_zero(da) && b.is_zero(db))) {
          result = b.make(Op::select, u, da, db);
        }
        break;
      }
      default:  // comparisons, logic, sign, floor, ceil: piecewise constant
        break;
    }
    d[id] = result;
  }
  std::vector<NodeId> out;
  out.reserve(roots.size());
  for (NodeId r : roots) {
    out.push_back(d[r]);
  }
  return out;
}

}  // namespace cartsim::equations
