#pragma once
// The expression language of covariate rules and of models written by users, e.g.
//   "weight_kg <= 50 ? 3.1e6 * weight_kg : 1.0e8"      (tisagenlecleucel dose by weight band)
//   "rn * N * (log(kn) - log(N + C))"                   (a Gompertz growth term)
//
// Grammar, precedence low to high: c ? a : b (right), ||, &&, == !=, < <= > >=, + -, * /,
// unary - and !, ^ (right; -x^2 is -(x^2)); numbers (1, 2.5, 1e-6), names, parentheses, calls.
// Functions: min(a, b, ...), max(a, b, ...), pow(a, b), exp, log (natural; also ln), log10, log2,
// sqrt, abs, sign, floor, ceil, round (to nearest, ties to even), sin, cos, tan, asin, acos, atan,
// sinh, cosh, tanh, and
// piecewise(v1, c1, v2, c2, ..., otherwise) (the first vi whose ci is nonzero, else otherwise).
// Constant: pi. Comparisons and logic give 1 or 0. Random draws uniform() (on (0, 1)),
// exponential() (mean 1) and normal() (standard) exist only where a scope allows them (event
// assignments of a model). A name resolves through the caller's scope (variables, model states,
// parameters, `t`, user functions).
//
// Three stages, each bounded so that no input can exhaust the stack:
//   parse_syntax  text -> SyntaxTree (syntax only; nesting at most max_nesting levels and a tree at
//                 most max_height deep, both checked while parsing, at the offending column)
//   lower         SyntaxTree -> nodes of a Graph (names, functions and arity resolved; constants
//                 folded; equal subexpressions shared). Graph nodes are topologically ordered (an
//                 operand's id is below its user's), so every pass over a Graph is a loop.
//   Expression    a compiled covariate rule: evaluation is a loop over its graph; no allocation
//                 for up to 256 nodes.
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cartsim {

class RandomStream;

namespace expr {

/// A syntax error, an unknown name or a misuse of a function; column() is 1-based within the text.
struct SyntaxError : std::runtime_error {
  SyntaxError(const std::string& what, int column) : std::runtime_error(what), column_(column) {}
  int column() const { return column_; }

 private:
  int column_;
};

/// Operations of the language (and of compiled programs).
enum class Op : std::uint8_t {
  constant,
  variable,
  // unary
  neg,
  logical_not,
  exp,
  log,
  log10,
  log2,
  sqrt,
  abs,
  sign,
  floor,
  ceil,
  round,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  // binary
  add,
  sub,
  mul,
  div,
  pow,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  logical_and,
  logical_or,
  min,
  max,
  // ternary: a != 0 ? b : c
  select,
  // random draws (no operands; never folded or shared)
  uniform,
  exponential,
  normal,
};

/// Operands of `op` (0 to 3).
int arity(Op op);
/// True for uniform, exponential, normal.
inline bool is_random(Op op) {
  return op == Op::uniform || op == Op::exponential || op == Op::normal;
}
/// Printable name ("+", "log", "piecewise", ...).
std::string_view op_name(Op op);

/// The value of a non-random operation on its operands (unused operands are ignored). One
/// definition serves constant folding and every evaluator, so they agree bitwise.
inline double apply(Op op, double a, double b, double c) {
  switch (op) {
    case Op::neg:
      return -a;
    case Op::logical_not:
      return a == 0.0 ? 1.0 : 0.0;
    case Op::exp:
      return std::exp(a);
    case Op::log:
      return std::log(a);
    case Op::log10:
      return std::log10(a);
    case Op::log2:
      return std::log2(a);
    case Op::sqrt:
      return std::sqrt(a);
    case Op::abs:
      return std::abs(a);
    case Op::sign:
      return a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : a);
    case Op::floor:
      return std::floor(a);
    case Op::ceil:
      return std::ceil(a);
    case Op::round:
      return std::nearbyint(a);
    case Op::sin:
      return std::sin(a);
    case Op::cos:
      return std::cos(a);
    case Op::tan:
      return std::tan(a);
    case Op::asin:
      return std::asin(a);
    case Op::acos:
      return std::acos(a);
    case Op::atan:
      return std::atan(a);
    case Op::sinh:
      return std::sinh(a);
    case Op::cosh:
      return std::cosh(a);
    case Op::tanh:
      return std::tanh(a);
    case Op::add:
      return a + b;
    case Op::sub:
      return a - b;
    case Op::mul:
      return a * b;
    case Op::div:
      return a / b;
    case Op::pow:
      return std::pow(a, b);
    case Op::lt:
      return a < b ? 1.0 : 0.0;
    case Op::le:
      return a <= b ? 1.0 : 0.0;
    case Op::gt:
      return a > b ? 1.0 : 0.0;
    case Op::ge:
      return a >= b ? 1.0 : 0.0;
    case Op::eq:
      return a == b ? 1.0 : 0.0;
    case Op::ne:
      return a != b ? 1.0 : 0.0;
    case Op::logical_and:
      return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
    case Op::logical_or:
      return (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
    case Op::min:
      return b < a ? b : a;  // std::min(a, b)
    case Op::max:
      return a < b ? b : a;  // std::max(a, b)
    case Op::select:
      return a != 0.0 ? b : c;
    default:
      return 0.0;  // constant, variable and random draws are not computed from operands
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax

/// Nesting of parentheses, unary operators, `^` chains and calls allowed while parsing.
inline constexpr int max_nesting = 256;
/// Depth of a syntax tree (a sum of n terms is n deep).
inline constexpr int max_height = 1000;

struct SyntaxNode {
  enum class Kind : std::uint8_t { number, name, call, unary, binary, ternary };
  Kind kind = Kind::number;
  Op op = Op::constant;       ///< unary, binary: the operator; ternary: select
  double number = 0.0;        ///< number
  std::string name;           ///< name, call: the identifier
  std::vector<int> children;  ///< operands or call arguments (indices into SyntaxTree::nodes)
  int column = 1;             ///< 1-based start of the node's token (a call: its name)
  int height = 1;
};

/// A parsed expression: the text and its nodes; `root` indexes `nodes`.
struct SyntaxTree {
  std::string text;
  std::vector<SyntaxNode> nodes;
  int root = 0;
  const SyntaxNode& node(int i) const { return nodes[static_cast<std::size_t>(i)]; }
};

/// Parses `text`; throws SyntaxError at the offending column.
SyntaxTree parse_syntax(std::string_view text);

/// The tree as text with as few parentheses as the precedence needs (numbers printed exactly,
/// with the shortest round-trip digits). Parsing the result gives the same tree.
std::string to_text(const SyntaxTree& tree);
std::string to_text(const SyntaxTree& tree, int node);

/// Calls `visit(node)` for every name node (variables, not call names), in text order.
void for_each_name(const SyntaxTree& tree, const std::function<void(const SyntaxNode&)>& visit);

/// A shortest decimal text that reads back as exactly `value` ("0.1", "2.5e-08", "1e+300").
std::string format_number(double value);

// ---------------------------------------------------------------------------------------------
// Graphs

using NodeId = std::uint32_t;
inline constexpr NodeId no_node = 0xffffffffu;

struct Node {
  Op op = Op::constant;
  NodeId args[3] = {no_node, no_node, no_node};
  double value = 0.0;          ///< constant
  std::uint32_t variable = 0;  ///< variable: the caller's slot; random draw: a serial number
};

/// A DAG of operations with shared subexpressions: make() returns the existing node for an equal
/// operation on equal operands, folds operations on constants and drops x*1, x/1, x+0, x-0, x^1
/// and --x. Operands always have smaller ids than their users.
class Graph {
 public:
  NodeId constant(double value);
  NodeId variable(std::uint32_t slot);
  /// A fresh random draw (never shared with another draw).
  NodeId random(Op op);
  NodeId make(Op op, NodeId a, NodeId b = no_node, NodeId c = no_node);

  const Node& operator[](NodeId id) const { return nodes_[id]; }
  std::size_t size() const { return nodes_.size(); }
  bool is_constant(NodeId id, double value) const {
    return nodes_[id].op == Op::constant && nodes_[id].value == value;
  }

 private:
  NodeId add(const Node& node);
  struct KeyHash {
    std::size_t operator()(const Node& n) const;
  };
  struct KeyEqual {
    bool operator()(const Node& a, const Node& b) const;
  };
  std::vector<Node> nodes_;
  std::unordered_map<Node, NodeId, KeyHash, KeyEqual> index_;
  std::uint32_t random_serial_ = 0;
};

/// A user function, e.g. hill(x, k, n) = x^n / (k^n + x^n): its body may use its arguments and
/// other functions (no variables of the model, no recursion).
struct FunctionDef {
  std::string name;
  std::vector<std::string> arguments;
  SyntaxTree body;
};

/// How lower() resolves names.
struct Scope {
  /// A variable's node, or std::nullopt when the name is unknown. It may throw SyntaxError with
  /// column 0 to refuse the name; lower() reports it at the name.
  std::function<std::optional<NodeId>(const std::string& name, Graph& graph)> variable;
  /// Names offered in the "did you mean" part of an unknown-name message.
  std::function<std::vector<std::string>()> known_names;
  /// A user function by name, or nullptr.
  std::function<const FunctionDef*(const std::string& name)> function;
  /// Whether uniform(), exponential() and normal() may be used (event assignments).
  bool allow_random = false;
};

/// Names the language reserves: its functions and the constant pi.
bool is_builtin_name(std::string_view name);
/// Builtin function names, for messages.
std::vector<std::string> builtin_function_names();

/// `tree` (or its subtree `node`) as graph nodes. Throws SyntaxError at the offending name or
/// call (unknown name or function, wrong number of arguments, a random draw where not allowed, a
/// function that calls itself).
NodeId lower(const SyntaxTree& tree, Graph& graph, const Scope& scope);
NodeId lower(const SyntaxTree& tree, int node, Graph& graph, const Scope& scope);

}  // namespace expr

/// A compiled covariate rule over named variables. Compiled once; evaluation does not allocate (for
/// up to 256 graph nodes) and may run on many threads at once.
class Expression {
 public:
  /// Parses `text`; names must be in `variables` (their index is their slot at evaluation).
  /// Throws SyntaxError with the column (1-based, within `text`) of the problem.
  Expression(const std::string& text, const std::vector<std::string>& variables);

  double evaluate(std::span<const double> values) const;
  const std::string& text() const { return text_; }

  using SyntaxError = expr::SyntaxError;

 private:
  std::string text_;
  expr::Graph graph_;
  expr::NodeId root_ = 0;
};

}  // namespace cartsim
