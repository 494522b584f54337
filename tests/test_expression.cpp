// Covariate-rule expressions: precedence, functions, the ternary, and error columns.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/core/expression.hpp"

using cartsim::Expression;

namespace {
double eval(const std::string& text, std::vector<double> values = {39.0, 2.0}) {
  return Expression(text, {"weight_kg", "x"}).evaluate(values);
}
}  // namespace

TEST_CASE("expressions follow the usual precedence", "[expression]") {
  CHECK(eval("1 + 2 * 3") == 7.0);
  CHECK(eval("(1 + 2) * 3") == 9.0);
  CHECK(eval("2 ^ 3 ^ 2") == 512.0);  // right-associative
  CHECK(eval("-x ^ 2") == -4.0);      // unary minus binds looser than ^
  CHECK(eval("10 - 4 - 3") == 3.0);   // left-associative
  CHECK(eval("1 < 2 && 2 < 1 || 1") == 1.0);
  CHECK(eval("!0 + !5") == 1.0);
  CHECK(eval("min(x, 3) + max(x, 3) + pow(x, 3) + abs(-1) + sqrt(16)") == 2 + 3 + 8 + 1 + 4);
  CHECK(eval("exp(log(x))") == Approx(2.0));
}

TEST_CASE("the tisagenlecleucel weight-band rule", "[expression]") {
  // Kymriah label: <= 50 kg, 0.2-5.0e6 CAR+ cells/kg; > 50 kg, 0.1-2.5e8 cells total.
  const Expression dose("weight_kg <= 50 ? 3.1e6 * weight_kg : 1.0e8", {"weight_kg"});
  CHECK(dose.evaluate(std::vector<double>{39.0}) == 3.1e6 * 39.0);
  CHECK(dose.evaluate(std::vector<double>{50.0}) == 3.1e6 * 50.0);
  CHECK(dose.evaluate(std::vector<double>{70.0}) == 1.0e8);
  CHECK(eval("x > 1 ? x > 3 ? 30 : 20 : 10") == 20.0);  // nested, right-associative
}

TEST_CASE("expression errors name the column", "[expression]") {
  try {
    Expression("weight_kg * wieght_kg", {"weight_kg"});
    FAIL("expected a syntax error");
  } catch (const Expression::SyntaxError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("unknown name 'wieght_kg'"));
    CHECK_THAT(e.what(), Catch::Matchers::Contains("did you mean 'weight_kg'"));
    CHECK(e.column() == 13);  // the unknown name itself, not the token after it
  }
  try {
    Expression("wieght_kg / 2", {"weight_kg"});
    FAIL("expected a syntax error");
  } catch (const Expression::SyntaxError& e) {
    CHECK(e.column() == 1);
  }
  CHECK_THROWS_AS(Expression("1 +", {}), Expression::SyntaxError);
  CHECK_THROWS_AS(Expression("(1 + 2", {}), Expression::SyntaxError);
  CHECK_THROWS_AS(Expression("foo(1)", {}), Expression::SyntaxError);
  try {
    Expression("1 + 2 $", {});
    FAIL("expected a syntax error");
  } catch (const Expression::SyntaxError& e) {
    CHECK(e.column() == 7);
  }
}

// ---------------------------------------------------------------------------------------------
// The language of user-written models: functions, piecewise, printing, graphs, bounds.

namespace {
using cartsim::expr::Graph;
using cartsim::expr::NodeId;
using cartsim::expr::Op;
using cartsim::expr::SyntaxError;

/// The column of the SyntaxError `text` raises (0 when it parses).
int error_column(const std::string& text, std::string* message = nullptr) {
  try {
    Expression(text, {"x", "y"});
  } catch (const SyntaxError& e) {
    if (message != nullptr) {
      *message = e.what();
    }
    return e.column();
  }
  return 0;
}

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += piece;
  }
  return out;
}
}  // namespace

TEST_CASE("functions, piecewise and constants", "[expression]") {
  CHECK(eval("min(3, x, 5, -1)") == -1.0);  // n-ary
  CHECK(eval("max(3, x, 5, -1)") == 5.0);
  CHECK(eval("ln(x)") == std::log(2.0));
  CHECK(eval("log10(1000)") == 3.0);
  CHECK(eval("log2(8)") == 3.0);
  CHECK(eval("sign(-x) + sign(x) + sign(0)") == 0.0);
  CHECK(eval("floor(-1.5) + ceil(1.2)") == 0.0);
  CHECK(eval("sin(pi / 2) + cos(0) + tanh(0)") == 2.0);
  CHECK(eval("atan(1) * 4") == Approx(M_PI).epsilon(1e-15));
  // piecewise(v1, c1, v2, c2, otherwise): the first value whose condition holds.
  CHECK(eval("piecewise(10, x < 1, 20, x < 3, 30)") == 20.0);
  CHECK(eval("piecewise(10, x > 5, 30)") == 30.0);
  CHECK(std::isnan(eval("piecewise(10, x > 5)")));  // no condition holds, no otherwise
  CHECK(eval("2 > 1 && !(1 > 2) || 0") == 1.0);
  CHECK(std::isinf(eval("inf")));
}

TEST_CASE("arity and names are checked with the column of the call", "[expression]") {
  std::string message;
  CHECK(error_column("1 + log(x, y)", &message) == 5);
  CHECK_THAT(message, Catch::Matchers::Contains("log() takes 1 argument, got 2"));
  CHECK(error_column("x + min(x)", &message) == 5);
  CHECK_THAT(message, Catch::Matchers::Contains("at least 2"));
  CHECK(error_column("2 * log", &message) == 5);
  CHECK_THAT(message, Catch::Matchers::Contains("'log' is a function"));
  CHECK(error_column("x + uniform()", &message) == 5);
  CHECK_THAT(message, Catch::Matchers::Contains("only in the assignments of a model's events"));
  CHECK(error_column("2x", &message) == 2);
  CHECK_THAT(message, Catch::Matchers::Contains("write '2 * x'"));
  CHECK(error_column("x = 1", &message) == 3);
  CHECK_THAT(message, Catch::Matchers::Contains("'=='"));
  CHECK(error_column("1e999", &message) == 1);
}

// Issue 21 item 2: these inputs overflowed the stack (SIGSEGV) because the parser's recursion was
// unbounded and the depth check ran after parsing. Now each fails while parsing, at the column
// where the limit is passed.
TEST_CASE("deeply nested input is refused while parsing, without exhausting the stack",
          "[expression]") {
  std::string message;
  const std::string parens = repeat("(", 20000) + "x" + repeat(")", 20000);
  CHECK(error_column(parens, &message) == cartsim::expr::max_nesting / 2 + 1);
  CHECK_THAT(message, Catch::Matchers::Contains("nests more than 256 levels"));
  CHECK(error_column(repeat("-", 30000) + "x", &message) > 0);
  CHECK_THAT(message, Catch::Matchers::Contains("nests more than 256 levels"));
  CHECK(error_column("x" + repeat("^x", 50000), &message) > 0);
  CHECK_THAT(message, Catch::Matchers::Contains("nests more than 256 levels"));
  CHECK(error_column(repeat("!", 30000) + "x") > 0);
  CHECK(error_column(repeat("min(", 20000) + "x" + repeat(", x)", 20000)) > 0);
  CHECK(error_column(repeat("x ? ", 20000) + "x" + repeat(" : x", 20000)) > 0);
  // A long left-associative chain does not nest in the parser but makes a deep tree.
  CHECK(error_column("x" + repeat(" + x", 50000), &message) > 0);
  CHECK_THAT(message, Catch::Matchers::Contains("more than 1000 operations deep"));
  // Just inside the limits is fine.
  CHECK(error_column(repeat("(", 100) + "x" + repeat(")", 100)) == 0);
  CHECK(error_column("x" + repeat(" + x", 900)) == 0);
  CHECK(eval("x" + repeat(" + x", 900)) == 901 * 2.0);
}

TEST_CASE("printing gives back the same tree and value", "[expression]") {
  const std::vector<std::string> texts = {
      "-x^2",
      "(-x)^2",
      "2^3^2",
      "(2^3)^2",
      "a - (b - c)",
      "a - b - c",
      "a / (b * c)",
      "-(a * b) + !c",
      "a < b ? c : d ? e : f",
      "(a ? b : c) ? d : e",
      "x^-y",
      "piecewise(1, a > b, min(a, b, c))",
      "1e-06 * a + 0.1 + 2.5e+300",
      "-(-a)",
  };
  const std::vector<std::string> names = {"a", "b", "c", "d", "e", "f", "x", "y"};
  const std::vector<double> values = {1.5, -2.0, 3.0, 0.0, 5.0, 7.0, 2.0, 0.5};
  for (const auto& text : texts) {
    INFO(text);
    const auto tree = cartsim::expr::parse_syntax(text);
    const std::string printed = cartsim::expr::to_text(tree);
    INFO(printed);
    const auto again = cartsim::expr::parse_syntax(printed);
    CHECK(cartsim::expr::to_text(again) == printed);
    const double a = Expression(text, names).evaluate(values);
    const double b = Expression(printed, names).evaluate(values);
    CHECK((a == b || (std::isnan(a) && std::isnan(b))));
  }
  CHECK(cartsim::expr::to_text(cartsim::expr::parse_syntax("x^2")) == "x^2");
  CHECK(cartsim::expr::to_text(cartsim::expr::parse_syntax("(x+1)*y")) == "(x + 1) * y");
  CHECK(cartsim::expr::format_number(0.1) == "0.1");
  CHECK(std::stod(cartsim::expr::format_number(1.0 / 3.0)) == 1.0 / 3.0);
}

TEST_CASE("graphs share equal subexpressions and fold constants", "[expression]") {
  Graph g;
  const NodeId x = g.variable(0);
  const NodeId y = g.variable(1);
  const NodeId s1 = g.make(Op::add, x, y);
  const NodeId s2 = g.make(Op::add, x, y);
  CHECK(s1 == s2);
  CHECK(g.make(Op::add, y, x) != s1);  // no reordering: results stay bitwise as written
  CHECK(g.make(Op::mul, x, g.constant(1.0)) == x);
  CHECK(g.make(Op::neg, g.make(Op::neg, x)) == x);
  const NodeId folded = g.make(Op::log, g.make(Op::mul, g.constant(2.0), g.constant(3.0)));
  CHECK(g[folded].op == Op::constant);
  CHECK(g[folded].value == std::log(6.0));
  // Random draws are never shared or folded.
  CHECK(g.random(Op::uniform) != g.random(Op::uniform));
  // Operands come before their users.
  const NodeId z = g.make(Op::select, g.make(Op::lt, x, y), s1, x);
  for (int k = 0; k < 3; ++k) {
    CHECK(g[z].args[k] < z);
  }
}

TEST_CASE("user functions are inlined with their arguments", "[expression]") {
  cartsim::expr::FunctionDef hill{
      "hill", {"s", "k", "n"}, cartsim::expr::parse_syntax("s^n / (k^n + s^n)")};
  cartsim::expr::FunctionDef twice{
      "twice", {"v"}, cartsim::expr::parse_syntax("2 * hill(v, 1, 2)")};
  cartsim::expr::FunctionDef loop{"loop", {"v"}, cartsim::expr::parse_syntax("loop(v) + 1")};
  cartsim::expr::FunctionDef leaky{"leaky", {"v"}, cartsim::expr::parse_syntax("v + x")};
  Graph g;
  cartsim::expr::Scope scope;
  scope.variable = [](const std::string& name, Graph& graph) -> std::optional<NodeId> {
    if (name == "x") {
      return graph.variable(0);
    }
    return std::nullopt;
  };
  scope.function = [&](const std::string& name) -> const cartsim::expr::FunctionDef* {
    for (const auto* f : {&hill, &twice, &loop, &leaky}) {
      if (f->name == name) {
        return f;
      }
    }
    return nullptr;
  };
  auto value = [&](const std::string& text) {
    Graph local;
    const NodeId root = cartsim::expr::lower(cartsim::expr::parse_syntax(text), local, scope);
    std::vector<double> r(local.size());
    for (NodeId i = 0; i <= root; ++i) {
      const auto& n = local[i];
      r[i] = n.op == Op::constant ? n.value
             : n.op == Op::variable
                 ? 3.0
                 : cartsim::expr::apply(n.op, r[n.args[0]],
                                        n.args[1] != cartsim::expr::no_node ? r[n.args[1]] : 0,
                                        n.args[2] != cartsim::expr::no_node ? r[n.args[2]] : 0);
    }
    return r[root];
  };
  CHECK(value("hill(x, 3, 2)") == 0.5);
  CHECK(value("twice(x)") == 2.0 * 9.0 / 10.0);
  auto column = [&](const std::string& text, const std::string& expected) {
    try {
      cartsim::expr::lower(cartsim::expr::parse_syntax(text), g, scope);
    } catch (const SyntaxError& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains(expected));
      return e.column();
    }
    return 0;
  };
  CHECK(column("1 + hill(x, 2)", "takes 3 arguments (s, k, n), got 2") == 5);
  CHECK(column("x + loop(x)", "calls itself") == 5);
  CHECK(column("leaky(1)", "in function 'leaky'") == 1);
}
