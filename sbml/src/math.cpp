#include "math.hpp"

#include <fmt/format.h>
#include <sbml/math/FormulaFormatter.h>

#include <cmath>
#include <limits>
#include <numbers>

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    using Kind = expr::SyntaxNode::Kind;
using expr::Op;

namespace {

constexpr int max_math_depth = 500;

/// Appends syntax nodes for MathML, bottom-up.
class Importer {
 public:
  explicit Importer(const ImportContext& context) : context_(context) {}

  expr::SyntaxTree tree(const ASTNode& math) {
    const int root = node(math, 0);
    expr::SyntaxTree t;
    t.nodes = std::move(nodes_);
    t.root = root;
    return t;
  }

 private:
  int add(expr::SyntaxNode n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  int number(double v) {
    if (std::isnan(v)) {
      throw MathError("the formula contains NaN (notanumber)");
    }
    if (std::isinf(v)) {
      const int inf = name("inf");
      return v > 0 ? inf : unary(Op::neg, inf);
    }
    expr::SyntaxNode n;
    n.kind = Kind::number;
    n.number = std::abs(v);
    const int id = add(std::move(n));
    return std::signbit(v) ? unary(Op::neg, id) : id;
  }
  int name(const std::string& text) {
    expr::SyntaxNode n;
    n.kind = Kind::name;
    n.name = text;
    return add(std::move(n));
  }
  int unary(Op op, int a) {
    expr::SyntaxNode n;
    n.kind = Kind::unary;
    n.op = op;
    n.children = {a};
    return add(std::move(n));
  }
  int binary(Op op, int a, int b) {
    expr::SyntaxNode n;
    n.kind = Kind::binary;
    n.op = op;
    n.children = {a, b};
    return add(std::move(n));
  }
  int ternary(int c, int a, int b) {
    expr::SyntaxNode n;
    n.kind = Kind::ternary;
    n.op = Op::select;
    n.children = {c, a, b};
    return add(std::move(n));
  }
  int call(const std::string& function, std::vector<int> args) {
    expr::SyntaxNode n;
    n.kind = Kind::call;
    n.name = function;
    n.children = std::move(args);
    return add(std::move(n));
  }

  std::vector<int> children(const ASTNode& math, int depth) {
    std::vector<int> out;
    for (unsigned i = 0; i < math.getNumChildren(); ++i) {
      out.push_back(node(*math.getChild(i), depth + 1));
    }
    return out;
  }

  int fold(Op op, const std::vector<int>& args, double empty) {
    if (args.empty()) {
      return number(empty);
    }
    int acc = args[0];
    for (std::size_t i = 1; i < args.size(); ++i) {
      acc = binary(op, acc, args[i]);
    }
    return acc;
  }

  int one_argument(const ASTNode& math, const std::vector<int>& args, const char* what) {
    if (args.size() != 1) {
      throw MathError(fmt::format("{} takes one argument, got {}", what, args.size()));
    }
    (void)math;
    return args[0];
  }

  int node(const ASTNode& math, int depth) {
    if (depth > max_math_depth) {
      throw MathError(fmt::format("the formula nests more than {} levels", max_math_depth));
    }
    const auto type = math.getType();
    switch (type) {
      case AST_INTEGER:
        return number(static_cast<double>(math.getInteger()));
      case AST_REAL:
      case AST_REAL_E:
        return number(math.getReal());
      case AST_RATIONAL:
        return binary(Op::div, number(static_cast<double>(math.getNumerator())),
                      number(static_cast<double>(math.getDenominator())));
      case AST_NAME:
        return name(context_.rename(math.getName()));
      case AST_NAME_TIME:
        if (context_.time_per_day == 1.0) {
          return name("t");
        }
        return binary(Op::mul, name("t"), number(context_.time_per_day));
      case AST_NAME_AVOGADRO:
        return number(math.getReal());
      case AST_CONSTANT_E:
        return number(std::numbers::e);
      case AST_CONSTANT_PI:
        return name("pi");
      case AST_CONSTANT_TRUE:
        return number(1.0);
      case AST_CONSTANT_FALSE:
        return number(0.0);
      default:
        break;
    }
    const std::vector<int> args = children(math, depth);
    switch (type) {
      case AST_PLUS:
        return fold(Op::add, args, 0.0);
      case AST_TIMES:
        return fold(Op::mul, args, 1.0);
      case AST_MINUS:
        if (args.size() == 1) {
          return unary(Op::neg, args[0]);
        }
        if (args.size() != 2) {
          throw MathError("minus takes one or two arguments");
        }
        return binary(Op::sub, args[0], args[1]);
      case AST_DIVIDE:
        if (args.size() != 2) {
          throw MathError("divide takes two arguments");
        }
        return binary(Op::div, args[0], args[1]);
      case AST_POWER:
      case AST_FUNCTION_POWER:
        if (args.size() != 2) {
          throw MathError("power takes two arguments");
        }
        return binary(Op::pow, args[0], args[1]);
      case AST_FUNCTION:
        return call(context_.rename(math.getName()), args);
      case AST_FUNCTION_ABS:
        return call("abs", {one_argument(math, args, "abs")});
      case AST_FUNCTION_EXP:
        return call("exp", {one_argument(math, args, "exp")});
      case AST_FUNCTION_LN:
        return call("log", {one_argument(math, args, "ln")});
      case AST_FUNCTION_LOG: {
        if (args.size() == 1) {
          return call("log10", args);
        }
        if (args.size() != 2) {
          throw MathError("log takes a base and one argument");
        }
        const ASTNode* base = math.getChild(0);
        if (base->isNumber() && base->getReal() == 10.0) {
          return call("log10", {args[1]});
        }
        if (base->isNumber() && base->getReal() == 2.0) {
          return call("log2", {args[1]});
        }
        return binary(Op::div, call("log", {args[1]}), call("log", {args[0]}));
      }
      case AST_FUNCTION_ROOT: {
        if (args.size() == 1) {
          return call("sqrt", args);
        }
        if (args.size() != 2) {
          throw MathError("root takes a degree and one argument");
        }
        const ASTNode* degree = math.getChild(0);
        if (degree->isNumber() && degree->getReal() == 2.0) {
          return call("sqrt", {args[1]});
        }
        return binary(Op::pow, args[1], binary(Op::div, number(1.0), args[0]));
      }
      case AST_FUNCTION_FLOOR:
        return call("floor", {one_argument(math, args, "floor")});
      case AST_FUNCTION_CEILING:
        return call("ceil", {one_argument(math, args, "ceiling")});
      case AST_FUNCTION_SIN:
        return call("sin", {one_argument(math, args, "sin")});
      case AST_FUNCTION_COS:
        return call("cos", {one_argument(math, args, "cos")});
      case AST_FUNCTION_TAN:
        return call("tan", {one_argument(math, args, "tan")});
      case AST_FUNCTION_SEC:
        return binary(Op::div, number(1.0), call("cos", {one_argument(math, args, "sec")}));
      case AST_FUNCTION_CSC:
        return binary(Op::div, number(1.0), call("sin", {one_argument(math, args, "csc")}));
      case AST_FUNCTION_COT:
        return binary(Op::div, number(1.0), call("tan", {one_argument(math, args, "cot")}));
      case AST_FUNCTION_ARCSIN:
        return call("asin", {one_argument(math, args, "arcsin")});
      case AST_FUNCTION_ARCCOS:
        return call("acos", {one_argument(math, args, "arccos")});
      case AST_FUNCTION_ARCTAN:
        return call("atan", {one_argument(math, args, "arctan")});
      case AST_FUNCTION_SINH:
        return call("sinh", {one_argument(math, args, "sinh")});
      case AST_FUNCTION_COSH:
        return call("cosh", {one_argument(math, args, "cosh")});
      case AST_FUNCTION_TANH:
        return call("tanh", {one_argument(math, args, "tanh")});
      case AST_FUNCTION_MAX:
      case AST_FUNCTION_MIN: {
        const char* f = type == AST_FUNCTION_MAX ? "max" : "min";
        if (args.empty()) {
          throw MathError(fmt::format("{} needs arguments", f));
        }
        return args.size() == 1 ? args[0] : call(f, args);
      }
      case AST_FUNCTION_PIECEWISE:
        if (args.empty()) {
          throw MathError("piecewise needs at least one piece");
        }
        if (args.size() == 3) {  // (value, condition, otherwise): c ? a : b
          return ternary(args[1], args[0], args[2]);
        }
        return call("piecewise", args);
      case AST_LOGICAL_AND:
        return fold(Op::logical_and, args, 1.0);
      case AST_LOGICAL_OR:
        return fold(Op::logical_or, args, 0.0);
      case AST_LOGICAL_NOT:
        return unary(Op::logical_not, one_argument(math, args, "not"));
      case AST_LOGICAL_XOR: {
        if (args.empty()) {
          return number(0.0);
        }
        int acc = binary(Op::ne, args[0], number(0.0));
        for (std::size_t i = 1; i < args.size(); ++i) {
          acc = binary(Op::ne, acc, binary(Op::ne, args[i], number(0.0)));
        }
        return acc;
      }
      case AST_RELATIONAL_EQ:
      case AST_RELATIONAL_NEQ:
      case AST_RELATIONAL_GT:
      case AST_RELATIONAL_GEQ:
      case AST_RELATIONAL_LT:
      case AST_RELATIONAL_LEQ: {
        const Op op = type == AST_RELATIONAL_EQ    ? Op::eq
                      : type == AST_RELATIONAL_NEQ ? Op::ne
                      : type == AST_RELATIONAL_GT  ? Op::gt
                      : type == AST_RELATIONAL_GEQ ? Op::ge
                      : type == AST_RELATIONAL_LT  ? Op::lt
                                                   : Op::le;
        if (args.size() < 2) {
          throw MathError("a relation needs two arguments");
        }
        // a < b < c: (a < b) && (b < c)
        int acc = binary(op, args[0], args[1]);
        for (std::size_t i = 2; i < args.size(); ++i) {
          acc = binary(Op::logical_and, acc, binary(op, args[i - 1], args[i]));
        }
        return acc;
      }
      case AST_FUNCTION_DELAY:
        throw MathError("delay() is not supported (cartsim solves ordinary, not delay, equations)");
      case AST_FUNCTION_RATE_OF:
        throw MathError("rateOf() is not supported");
      default: {
        char* text = SBML_formulaToL3String(&math);
        const std::string shown = text != nullptr ? text : "?";
        util_free(text);
        throw MathError(fmt::format("the MathML construct '{}' (in '{}') is not supported",
                                    math.getName() != nullptr ? math.getName() : "?", shown));
      }
    }
  }

  const ImportContext& context_;
  std::vector<expr::SyntaxNode> nodes_;
};

// ---------------------------------------------------------------------------------------------

std::unique_ptr<ASTNode> make(ASTNodeType_t type) {
  return std::make_unique<ASTNode>(type);
}

std::unique_ptr<ASTNode> export_node(const expr::SyntaxTree& tree, int i) {
  const expr::SyntaxNode& n = tree.node(i);
  auto with = [&](ASTNodeType_t type) {
    auto out = make(type);
    for (int c : n.children) {
      out->addChild(export_node(tree, c).release());
    }
    return out;
  };
  switch (n.kind) {
    case Kind::number: {
      auto out = make(AST_REAL);
      out->setValue(n.number);
      return out;
    }
    case Kind::name: {
      if (n.name == "t" || n.name == "time") {
        auto out = make(AST_NAME_TIME);
        out->setName("time");
        return out;
      }
      if (n.name == "pi") {
        return make(AST_CONSTANT_PI);
      }
      if (n.name == "inf") {
        auto out = make(AST_REAL);
        out->setValue(std::numeric_limits<double>::infinity());
        return out;
      }
      auto out = make(AST_NAME);
      out->setName(n.name.c_str());
      return out;
    }
    case Kind::unary:
      return with(n.op == Op::neg ? AST_MINUS : AST_LOGICAL_NOT);
    case Kind::binary:
      switch (n.op) {
        case Op::add:
          return with(AST_PLUS);
        case Op::sub:
          return with(AST_MINUS);
        case Op::mul:
          return with(AST_TIMES);
        case Op::div:
          return with(AST_DIVIDE);
        case Op::pow:
          return with(AST_POWER);
        case Op::lt:
          return with(AST_RELATIONAL_LT);
        case Op::le:
          return with(AST_RELATIONAL_LEQ);
        case Op::gt:
          return with(AST_RELATIONAL_GT);
        case Op::ge:
          return with(AST_RELATIONAL_GEQ);
        case Op::eq:
          return with(AST_RELATIONAL_EQ);
        case Op::ne:
          return with(AST_RELATIONAL_NEQ);
        case Op::logical_and:
          return with(AST_LOGICAL_AND);
        case Op::logical_or:
          return with(AST_LOGICAL_OR);
        default:
          break;
      }
      break;
    case Kind::ternary: {  // c ? a : b  ->  piecewise(a, c, b)
      auto out = make(AST_FUNCTION_PIECEWISE);
      out->addChild(export_node(tree, n.children[1]).release());
      out->addChild(export_node(tree, n.children[0]).release());
      out->addChild(export_node(tree, n.children[2]).release());
      return out;
    }
    case Kind::call: {
      static const std::vector<std::pair<std::string, ASTNodeType_t>> functions = {
          {"min", AST_FUNCTION_MIN},
          {"max", AST_FUNCTION_MAX},
          {"pow", AST_POWER},
          {"exp", AST_FUNCTION_EXP},
          {"log", AST_FUNCTION_LN},
          {"ln", AST_FUNCTION_LN},
          {"abs", AST_FUNCTION_ABS},
          {"floor", AST_FUNCTION_FLOOR},
          {"ceil", AST_FUNCTION_CEILING},
          {"sin", AST_FUNCTION_SIN},
          {"cos", AST_FUNCTION_COS},
          {"tan", AST_FUNCTION_TAN},
          {"asin", AST_FUNCTION_ARCSIN},
          {"acos", AST_FUNCTION_ARCCOS},
          {"atan", AST_FUNCTION_ARCTAN},
          {"sinh", AST_FUNCTION_SINH},
          {"cosh", AST_FUNCTION_COSH},
          {"tanh", AST_FUNCTION_TANH},
          {"piecewise", AST_FUNCTION_PIECEWISE}};
      for (const auto& [name, type] : functions) {
        if (n.name == name) {
          return with(type);
        }
      }
      if (n.name == "log10" || n.name == "log2") {
        auto out = make(AST_FUNCTION_LOG);
        auto base = make(AST_INTEGER);
        base->setValue(n.name == "log10" ? 10L : 2L);
        out->addChild(base.release());
        out->addChild(export_node(tree, n.children[0]).release());
        return out;
      }
      if (n.name == "sqrt") {
        auto out = make(AST_FUNCTION_ROOT);
        auto degree = make(AST_INTEGER);
        degree->setValue(2L);
        out->addChild(degree.release());
        out->addChild(export_node(tree, n.children[0]).release());
        return out;
      }
      if (n.name == "sign") {  // piecewise(1, x > 0, -1, x < 0, x)
        auto out = make(AST_FUNCTION_PIECEWISE);
        auto x = [&] { return export_node(tree, n.children[0]); };
        auto zero = [] {
          auto z = make(AST_REAL);
          z->setValue(0.0);
          return z;
        };
        auto one = make(AST_REAL);
        one->setValue(1.0);
        auto minus_one = make(AST_REAL);
        minus_one->setValue(-1.0);
        auto gt = make(AST_RELATIONAL_GT);
        gt->addChild(x().release());
        gt->addChild(zero().release());
        auto lt = make(AST_RELATIONAL_LT);
        lt->addChild(x().release());
        lt->addChild(zero().release());
        out->addChild(one.release());
        out->addChild(gt.release());
        out->addChild(minus_one.release());
        out->addChild(lt.release());
        out->addChild(x().release());
        return out;
      }
      if (expr::is_builtin_name(n.name)) {  // round, random draws
        throw MathError(fmt::format("{}() has no equivalent in SBML core", n.name));
      }
      auto out = with(AST_FUNCTION);
      out->setName(n.name.c_str());
      return out;
    }
  }
  throw MathError("unsupported expression node");
}

}  // namespace

std::string math_to_text(const ASTNode& math, const ImportContext& context) {
  Importer importer(context);
  const expr::SyntaxTree tree = importer.tree(math);
  return expr::to_text(tree);
}

std::unique_ptr<ASTNode> text_to_math(const expr::SyntaxTree& tree, int node) {
  return export_node(tree, node);
}

std::unique_ptr<ASTNode> text_to_math(const expr::SyntaxTree& tree) {
  return export_node(tree, tree.root);
}

}  // namespace cartsim::sbml
