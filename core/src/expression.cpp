#include "cartsim/core/expression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <numbers>

#include "cartsim/core/text.hpp"

namespace cartsim::expr {
namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

struct Token {
  enum class Kind { number, name, op, end } kind = Kind::end;
  std::string_view text;
  double number = 0.0;
  int column = 0;  // 1-based
};

struct Binary {
  std::string_view text;
  int precedence;
  bool right;
  Op op;
};

constexpr std::array<Binary, 13> binary_ops{{
    {"||", 2, false, Op::logical_or},
    {"&&", 3, false, Op::logical_and},
    {"==", 4, false, Op::eq},
    {"!=", 4, false, Op::ne},
    {"<", 5, false, Op::lt},
    {"<=", 5, false, Op::le},
    {">", 5, false, Op::gt},
    {">=", 5, false, Op::ge},
    {"+", 6, false, Op::add},
    {"-", 6, false, Op::sub},
    {"*", 7, false, Op::mul},
    {"/", 7, false, Op::div},
    {"^", 9, true, Op::pow},
}};
constexpr int ternary_precedence = 1;
constexpr int unary_precedence = 8;
constexpr int atom_precedence = 10;

const Binary* binary_of(Op op) {
  for (const auto& b : binary_ops) {
    if (b.op == op) {
      return &b;
    }
  }
  return nullptr;
}

struct Function {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number >= min_args
  Op op;         // constant: special (piecewise)
};

constexpr std::array<Function, 27> functions{{
    {"min", 2, -1, Op::min},        {"max", 2, -1, Op::max},
    {"pow", 2, 2, Op::pow},         {"exp", 1, 1, Op::exp},
    {"log", 1, 1, Op::log},         {"ln", 1, 1, Op::log},
    {"log10", 1, 1, Op::log10},     {"log2", 1, 1, Op::log2},
    {"sqrt", 1, 1, Op::sqrt},       {"abs", 1, 1, Op::abs},
    {"sign", 1, 1, Op::sign},       {"floor", 1, 1, Op::floor},
    {"ceil", 1, 1, Op::ceil},       {"round", 1, 1, Op::round},
    {"sin", 1, 1, Op::sin},         {"cos", 1, 1, Op::cos},
    {"tan", 1, 1, Op::tan},         {"asin", 1, 1, Op::asin},
    {"acos", 1, 1, Op::acos},       {"atan", 1, 1, Op::atan},
    {"sinh", 1, 1, Op::sinh},       {"cosh", 1, 1, Op::cosh},
    {"tanh", 1, 1, Op::tanh},       {"piecewise", 1, -1, Op::select},
    {"uniform", 0, 0, Op::uniform}, {"exponential", 0, 0, Op::exponential},
    {"normal", 0, 0, Op::normal},
}};

const Function* builtin_function(std::string_view name) {
  for (const auto& f : functions) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

constexpr std::array<std::string_view, 2> constants{"pi", "inf"};

// ---------------------------------------------------------------------------------------------
// Parser: Pratt, producing a SyntaxTree; nesting and height bounded while parsing.

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) { advance(); }

  SyntaxTree parse() {
    const int root = expression(0);
    if (current_.kind != Token::Kind::end) {
      fail("unexpected '" + std::string(current_.text) + "'");
    }
    SyntaxTree tree;
    tree.text = std::string(text_);
    tree.nodes = std::move(nodes_);
    tree.root = root;
    return tree;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(what, current_.column); }
  [[noreturn]] static void fail_at(const std::string& what, int column) {
    throw SyntaxError(what + " at column " + std::to_string(column), column);
  }

  /// Counts one level of nesting for the lifetime of the guard.
  struct Nest {
    Parser& parser;
    explicit Nest(Parser& p) : parser(p) {
      if (++parser.depth_ > max_nesting) {
        parser.fail(fmt::format("the expression nests more than {} levels deep", max_nesting));
      }
    }
    ~Nest() { --parser.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
  };

  int add(SyntaxNode node) {
    int height = 0;
    for (int child : node.children) {
      height = std::max(height, nodes_[static_cast<std::size_t>(child)].height);
    }
    node.height = height + 1;
    if (node.height > max_height) {
      fail_at(fmt::format("the expression is more than {} operations deep; split it into "
                          "observables",
                          max_height),
              node.column);
    }
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size()) - 1;
  }

  void advance() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    current_ = Token{};
    current_.column = static_cast<int>(pos_) + 1;
    if (pos_ >= text_.size()) {
      return;
    }
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double value = 0.0;
      const auto [end, ec] =
          std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
      if (ec == std::errc::result_out_of_range) {
        fail("number out of the range of a double");
      }
      if (ec != std::errc()) {
        fail("bad number");
      }
      current_.kind = Token::Kind::number;
      current_.number = value;
      current_.text = text_.substr(pos_, static_cast<std::size_t>(end - (text_.data() + pos_)));
      pos_ = static_cast<std::size_t>(end - text_.data());
      if (pos_ < text_.size() &&
          (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        fail_at("a number must not run into a name (write '2 * x', not '2x')",
                static_cast<int>(pos_) + 1);
      }
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
        ++end;
      }
      current_.kind = Token::Kind::name;
      current_.text = text_.substr(pos_, end - pos_);
      pos_ = end;
      return;
    }
    static constexpr std::array<std::string_view, 6> two_char{"<=", ">=", "==", "!=", "&&", "||"};
    for (auto op : two_char) {
      if (text_.substr(pos_, 2) == op) {
        current_.kind = Token::Kind::op;
        current_.text = op;
        pos_ += 2;
        return;
      }
    }
    if (std::string_view("+-*/^<>!?:(),").find(c) != std::string_view::npos) {
      current_.kind = Token::Kind::op;
      current_.text = text_.substr(pos_, 1);
      ++pos_;
      return;
    }
    if (c == '=') {
      fail("unexpected '=' (compare with '==')");
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  bool at_op(std::string_view op) const {
    return current_.kind == Token::Kind::op && current_.text == op;
  }
  void expect(std::string_view op) {
    if (!at_op(op)) {
      fail(current_.kind == Token::Kind::end
               ? "expected '" + std::string(op) + "' before the end of the expression"
               : "expected '" + std::string(op) + "', got '" + std::string(current_.text) + "'");
    }
    advance();
  }

  const Binary* binary() const {
    if (current_.kind != Token::Kind::op) {
      return nullptr;
    }
    for (const auto& b : binary_ops) {
      if (b.text == current_.text) {
        return &b;
      }
    }
    return nullptr;
  }

  int expression(int min_precedence) {
    Nest nest(*this);
    int left = prefix();
    while (true) {
      if (at_op("?") && min_precedence <= ternary_precedence) {
        const int column = current_.column;
        advance();
        const int then = expression(0);
        expect(":");
        const int otherwise = expression(ternary_precedence);
        SyntaxNode n;
        n.kind = SyntaxNode::Kind::ternary;
        n.op = Op::select;
        n.children = {left, then, otherwise};
        n.column = column;
        left = add(std::move(n));
        continue;
      }
      const Binary* b = binary();
      if (b == nullptr || b->precedence < min_precedence) {
        return left;
      }
      const int column = current_.column;
      advance();
      const int right = expression(b->right ? b->precedence : b->precedence + 1);
      SyntaxNode n;
      n.kind = SyntaxNode::Kind::binary;
      n.op = b->op;
      n.children = {left, right};
      n.column = column;
      left = add(std::move(n));
    }
  }

  int prefix() {
    Nest nest(*this);
    if (current_.kind == Token::Kind::number) {
      SyntaxNode n;
      n.kind = SyntaxNode::Kind::number;
      n.number = current_.number;
      n.column = current_.column;
      advance();
      return add(std::move(n));
    }
    if (at_op("-") || at_op("!")) {
      SyntaxNode n;
      n.kind = SyntaxNode::Kind::unary;
      n.op = at_op("-") ? Op::neg : Op::logical_not;
      n.column = current_.column;
      advance();
      n.children = {expression(unary_precedence)};  // tighter than * /, looser than ^
      return add(std::move(n));
    }
    if (at_op("(")) {
      advance();
      const int inner = expression(0);
      expect(")");
      return inner;
    }
    if (current_.kind == Token::Kind::name) {
      SyntaxNode n;
      n.name = std::string(current_.text);
      n.column = current_.column;
      advance();
      if (!at_op("(")) {
        n.kind = SyntaxNode::Kind::name;
        return add(std::move(n));
      }
      n.kind = SyntaxNode::Kind::call;
      advance();
      if (!at_op(")")) {
        while (true) {
          n.children.push_back(expression(0));
          if (!at_op(",")) {
            break;
          }
          advance();
        }
      }
      expect(")");
      return add(std::move(n));
    }
    fail(current_.kind == Token::Kind::end ? "unexpected end of expression"
                                           : "unexpected '" + std::string(current_.text) + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Token current_;
  int depth_ = 0;
  std::vector<SyntaxNode> nodes_;
};

// ---------------------------------------------------------------------------------------------
// Printing

int precedence(const SyntaxNode& n) {
  switch (n.kind) {
    case SyntaxNode::Kind::ternary:
      return ternary_precedence;
    case SyntaxNode::Kind::binary:
      return binary_of(n.op)->precedence;
    case SyntaxNode::Kind::unary:
      return unary_precedence;
    case SyntaxNode::Kind::number:
      // A negative number (made by a program, not parsed) prints with its sign: a unary minus.
      return std::signbit(n.number) ? unary_precedence : atom_precedence;
    default:
      return atom_precedence;
  }
}

void print(const SyntaxTree& tree, int i, std::string& out) {
  const SyntaxNode& n = tree.node(i);
  auto child = [&](int k, bool parens) {
    if (parens) {
      out += '(';
    }
    print(tree, n.children[static_cast<std::size_t>(k)], out);
    if (parens) {
      out += ')';
    }
  };
  auto prec_of = [&](int k) {
    return precedence(tree.node(n.children[static_cast<std::size_t>(k)]));
  };
  switch (n.kind) {
    case SyntaxNode::Kind::number:
      out += format_number(n.number);
      return;
    case SyntaxNode::Kind::name:
      out += n.name;
      return;
    case SyntaxNode::Kind::call:
      out += n.name;
      out += '(';
      for (std::size_t k = 0; k < n.children.size(); ++k) {
        if (k > 0) {
          out += ", ";
        }
        print(tree, n.children[k], out);
      }
      out += ')';
      return;
    case SyntaxNode::Kind::unary:
      out += n.op == Op::neg ? "-" : "!";
      child(0, prec_of(0) <= unary_precedence);
      return;
    case SyntaxNode::Kind::binary: {
      const Binary* b = binary_of(n.op);
      const int p = b->precedence;
      child(0, b->right ? prec_of(0) <= p : prec_of(0) < p);
      if (n.op == Op::pow) {
        out += '^';
      } else {
        out += ' ';
        out += b->text;
        out += ' ';
      }
      child(1, b->right ? prec_of(1) < p : prec_of(1) <= p);
      return;
    }
    case SyntaxNode::Kind::ternary:
      child(0, prec_of(0) <= ternary_precedence);
      out += " ? ";
      child(1, false);
      out += " : ";
      child(2, prec_of(2) < ternary_precedence);
      return;
  }
}

void visit_names(const SyntaxTree& tree, int i, const std::function<void(const SyntaxNode&)>& f) {
  const SyntaxNode& n = tree.node(i);
  if (n.kind == SyntaxNode::Kind::name) {
    f(n);
  }
  for (int c : n.children) {
    visit_names(tree, c, f);
  }
}

// ---------------------------------------------------------------------------------------------
// Lowering

constexpr int max_inline_depth = 64;

class Lowering {
 public:
  Lowering(const SyntaxTree& tree, Graph& graph, const Scope& scope,
           std::vector<std::string>& stack)
      : tree_(tree), graph_(graph), scope_(scope), stack_(stack) {}

  NodeId node(int i) {
    const SyntaxNode& n = tree_.node(i);
    switch (n.kind) {
      case SyntaxNode::Kind::number:
        return graph_.constant(n.number);
      case SyntaxNode::Kind::name:
        return name(n);
      case SyntaxNode::Kind::unary:
        return graph_.make(n.op, node(n.children[0]));
      case SyntaxNode::Kind::binary: {
        const NodeId a = node(n.children[0]);
        return graph_.make(n.op, a, node(n.children[1]));
      }
      case SyntaxNode::Kind::ternary: {
        const NodeId c = node(n.children[0]);
        const NodeId a = node(n.children[1]);
        return graph_.make(Op::select, c, a, node(n.children[2]));
      }
      case SyntaxNode::Kind::call:
        return call(n);
    }
    return graph_.constant(0.0);
  }

 private:
  [[noreturn]] static void fail(const std::string& what, int column) {
    throw SyntaxError(what + " (column " + std::to_string(column) + ")", column);
  }

  NodeId name(const SyntaxNode& n) {
    if (scope_.variable) {
      std::optional<NodeId> id;
      try {
        id = scope_.variable(n.name, graph_);
      } catch (const SyntaxError& e) {
        if (e.column() != 0) {
          throw;
        }
        fail(e.what(), n.column);  // a scope's error about this name: locate it here
      }
      if (id) {
        return *id;
      }
    }
    if (n.name == "pi") {
      return graph_.constant(std::numbers::pi);
    }
    if (n.name == "inf") {
      return graph_.constant(std::numeric_limits<double>::infinity());
    }
    if (builtin_function(n.name) != nullptr ||
        (scope_.function && scope_.function(n.name) != nullptr)) {
      fail("'" + n.name + "' is a function; call it as " + n.name + "(...)", n.column);
    }
    const std::vector<std::string> known =
        scope_.known_names ? scope_.known_names() : std::vector<std::string>{};
    fail(unknown_name_message("name", n.name, known, "known names"), n.column);
  }

  NodeId call(const SyntaxNode& n) {
    const int count = static_cast<int>(n.children.size());
    if (const Function* f = builtin_function(n.name)) {
      if (count < f->min_args || (f->max_args >= 0 && count > f->max_args)) {
        const std::string wanted = f->max_args < 0 ? fmt::format("at least {}", f->min_args)
                                   : f->min_args == f->max_args
                                       ? std::to_string(f->min_args)
                                       : fmt::format("{} to {}", f->min_args, f->max_args);
        fail(fmt::format("{}() takes {} argument{}, got {}", n.name, wanted,
                         wanted == "1" ? "" : "s", count),
             n.column);
      }
      if (is_random(f->op)) {
        if (!scope_.allow_random) {
          fail(n.name +
                   "() draws a random number; random draws are allowed only in the assignments "
                   "of a model's events",
               n.column);
        }
        return graph_.random(f->op);
      }
      if (f->op == Op::select) {
        return piecewise(n);
      }
      if (f->op == Op::min || f->op == Op::max) {
        NodeId acc = node(n.children[0]);
        for (int k = 1; k < count; ++k) {
          acc = graph_.make(f->op, acc, node(n.children[static_cast<std::size_t>(k)]));
        }
        return acc;
      }
      if (count == 1) {
        return graph_.make(f->op, node(n.children[0]));
      }
      const NodeId a = node(n.children[0]);
      return graph_.make(f->op, a, node(n.children[1]));
    }
    const FunctionDef* def = scope_.function ? scope_.function(n.name) : nullptr;
    if (def == nullptr) {
      std::vector<std::string> names = builtin_function_names();
      fail(unknown_name_message("function", n.name, names, "functions"), n.column);
    }
    if (count != static_cast<int>(def->arguments.size())) {
      fail(fmt::format("function '{}' takes {} argument{} ({}), got {}", def->name,
                       def->arguments.size(), def->arguments.size() == 1 ? "" : "s",
                       join(def->arguments), count),
           n.column);
    }
    if (std::find(stack_.begin(), stack_.end(), def->name) != stack_.end()) {
      fail("function '" + def->name + "' calls itself (through " + join(stack_, " -> ") + ")",
           n.column);
    }
    if (static_cast<int>(stack_.size()) >= max_inline_depth) {
      fail(fmt::format("functions call each other more than {} levels deep", max_inline_depth),
           n.column);
    }
    std::vector<NodeId> args;
    for (int c : n.children) {
      args.push_back(node(c));
    }
    Scope inner;
    inner.variable = [&](const std::string& name, Graph&) -> std::optional<NodeId> {
      for (std::size_t k = 0; k < def->arguments.size(); ++k) {
        if (def->arguments[k] == name) {
          return args[k];
        }
      }
      return std::nullopt;
    };
    inner.known_names = [def] { return def->arguments; };
    inner.function = scope_.function;
    inner.allow_random = false;
    stack_.push_back(def->name);
    try {
      Lowering body(def->body, graph_, inner, stack_);
      const NodeId id = body.node(def->body.root);
      stack_.pop_back();
      return id;
    } catch (const SyntaxError& e) {
      stack_.pop_back();
      if (std::string_view(e.what()).starts_with("in function")) {
        throw SyntaxError(e.what(), n.column);
      }
      throw SyntaxError("in function '" + def->name + "': " + e.what(), n.column);
    }
  }

  /// piecewise(v1, c1, v2, c2, ..., [otherwise]) as nested selects; without `otherwise` the value
  /// is NaN when no condition holds (so a run that reaches that case fails instead of guessing).
  NodeId piecewise(const SyntaxNode& n) {
    const std::size_t count = n.children.size();
    NodeId acc = count % 2 == 1 ? node(n.children.back())
                                : graph_.constant(std::numeric_limits<double>::quiet_NaN());
    std::vector<std::pair<NodeId, NodeId>> pieces;
    for (std::size_t k = 0; k + 1 < count; k += 2) {
      const NodeId value = node(n.children[k]);
      pieces.emplace_back(value, node(n.children[k + 1]));
    }
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
      acc = graph_.make(Op::select, it->second, it->first, acc);
    }
    return acc;
  }

  const SyntaxTree& tree_;
  Graph& graph_;
  const Scope& scope_;
  std::vector<std::string>& stack_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

int arity(Op op) {
  switch (op) {
    case Op::constant:
    case Op::variable:
    case Op::uniform:
    case Op::exponential:
    case Op::normal:
      return 0;
    case Op::select:
      return 3;
    default:
      return op >= Op::add ? 2 : 1;
  }
}

std::string_view op_name(Op op) {
  if (const Binary* b = binary_of(op)) {
    return b->text;
  }
  switch (op) {
    case Op::constant:
      return "constant";
    case Op::variable:
      return "variable";
    case Op::neg:
      return "-";
    case Op::logical_not:
      return "!";
    case Op::select:
      return "piecewise";
    default:
      break;
  }
  for (const auto& f : functions) {
    if (f.op == op) {
      return f.name;
    }
  }
  return "?";
}

SyntaxTree parse_syntax(std::string_view text) {
  return Parser(text).parse();
}

std::string to_text(const SyntaxTree& tree) {
  return to_text(tree, tree.root);
}

std::string to_text(const SyntaxTree& tree, int node) {
  std::string out;
  print(tree, node, out);
  return out;
}

void for_each_name(const SyntaxTree& tree, const std::function<void(const SyntaxNode&)>& visit) {
  visit_names(tree, tree.root, visit);
}

std::string format_number(double value) {
  return fmt::format("{}", value);
}

bool is_builtin_name(std::string_view name) {
  return builtin_function(name) != nullptr ||
         std::find(constants.begin(), constants.end(), name) != constants.end();
}

std::vector<std::string> builtin_function_names() {
  std::vector<std::string> names;
  for (const auto& f : functions) {
    names.emplace_back(f.name);
  }
  return names;
}

NodeId lower(const SyntaxTree& tree, Graph& graph, const Scope& scope) {
  return lower(tree, tree.root, graph, scope);
}

NodeId lower(const SyntaxTree& tree, int node, Graph& graph, const Scope& scope) {
  std::vector<std::string> stack;
  return Lowering(tree, graph, scope, stack).node(node);
}

// ---------------------------------------------------------------------------------------------
// Graph

std::size_t Graph::KeyHash::operator()(const Node& n) const {
  std::size_t h = static_cast<std::size_t>(n.op);
  auto mix = [&h](std::uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(n.args[0]);
  mix(n.args[1]);
  mix(n.args[2]);
  mix(std::bit_cast<std::uint64_t>(n.value));
  mix(n.variable);
  return h;
}

bool Graph::KeyEqual::operator()(const Node& a, const Node& b) const {
  return a.op == b.op && a.args[0] == b.args[0] && a.args[1] == b.args[1] &&
         a.args[2] == b.args[2] &&
         std::bit_cast<std::uint64_t>(a.value) == std::bit_cast<std::uint64_t>(b.value) &&
         a.variable == b.variable;
}

NodeId Graph::add(const Node& node) {
  const auto it = index_.find(node);
  if (it != index_.end()) {
    return it->second;
  }
  const auto id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(node);
  index_.emplace(node, id);
  return id;
}

NodeId Graph::constant(double value) {
  Node n;
  n.op = Op::constant;
  n.value = value;
  return add(n);
}

NodeId Graph::variable(std::uint32_t slot) {
  Node n;
  n.op = Op::variable;
  n.variable = slot;
  return add(n);
}

NodeId Graph::random(Op op) {
  Node n;
  n.op = op;
  n.variable = random_serial_++;
  return add(n);
}

NodeId Graph::make(Op op, NodeId a, NodeId b, NodeId c) {
  const int k = arity(op);
  const NodeId args[3] = {a, k > 1 ? b : no_node, k > 2 ? c : no_node};
  bool all_constant = true;
  for (int i = 0; i < k; ++i) {
    all_constant = all_constant && nodes_[args[i]].op == Op::constant;
  }
  if (all_constant) {
    return constant(apply(op, nodes_[args[0]].value, k > 1 ? nodes_[args[1]].value : 0.0,
                          k > 2 ? nodes_[args[2]].value : 0.0));
  }
  switch (op) {
    case Op::mul:
      if (is_constant(args[1], 1.0)) {
        return args[0];
      }
      if (is_constant(args[0], 1.0)) {
        return args[1];
      }
      break;
    case Op::div:
    case Op::pow:
      if (is_constant(args[1], 1.0)) {
        return args[0];
      }
      break;
    case Op::add:
      if (is_constant(args[1], 0.0)) {
        return args[0];
      }
      if (is_constant(args[0], 0.0)) {
        return args[1];
      }
      break;
    case Op::sub:
      if (is_constant(args[1], 0.0)) {
        return args[0];
      }
      break;
    case Op::neg:
      if (nodes_[args[0]].op == Op::neg) {
        return nodes_[args[0]].args[0];
      }
      break;
    case Op::select:
      if (nodes_[args[0]].op == Op::constant) {
        return nodes_[args[0]].value != 0.0 ? args[1] : args[2];
      }
      if (args[1] == args[2]) {
        return args[1];
      }
      break;
    default:
      break;
  }
  Node n;
  n.op = op;
  n.args[0] = args[0];
  n.args[1] = args[1];
  n.args[2] = args[2];
  return add(n);
}

}  // namespace cartsim::expr

namespace cartsim {

Expression::Expression(const std::string& text, const std::vector<std::string>& variables)
    : text_(text) {
  const expr::SyntaxTree tree = expr::parse_syntax(text);
  expr::Scope scope;
  scope.variable = [&](const std::string& name, expr::Graph& graph) -> std::optional<expr::NodeId> {
    for (std::size_t i = 0; i < variables.size(); ++i) {
      if (variables[i] == name) {
        return graph.variable(static_cast<std::uint32_t>(i));
      }
    }
    return std::nullopt;
  };
  scope.known_names = [&] { return variables; };
  root_ = expr::lower(tree, graph_, scope);
}

double Expression::evaluate(std::span<const double> values) const {
  constexpr std::size_t on_stack = 256;
  std::array<double, on_stack> small{};
  std::vector<double> large;
  double* r = small.data();
  if (graph_.size() > on_stack) {
    large.resize(graph_.size());
    r = large.data();
  }
  // Nodes are topologically ordered: one pass computes every node up to the root.
  for (expr::NodeId i = 0; i <= root_; ++i) {
    const expr::Node& n = graph_[i];
    switch (n.op) {
      case expr::Op::constant:
        r[i] = n.value;
        break;
      case expr::Op::variable:
        r[i] = values[n.variable];
        break;
      default:
        r[i] = expr::apply(n.op, r[n.args[0]], n.args[1] != expr::no_node ? r[n.args[1]] : 0.0,
                           n.args[2] != expr::no_node ? r[n.args[2]] : 0.0);
        break;
    }
  }
  return r[root_];
}

}  // namespace cartsim
