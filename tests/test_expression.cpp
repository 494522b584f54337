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
