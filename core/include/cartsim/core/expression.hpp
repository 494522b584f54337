#pragma once
// Arithmetic expressions over named variables, for covariate rules in virtual populations, e.g.
//   "weight_kg <= 50 ? 3.1e6 * weight_kg : 1.0e8"      (tisagenlecleucel dose by weight band)
// Grammar (precedence low to high): ?: , ||, &&, == != , < <= > >=, + -, * /, unary - !, ^ (right),
// calls min(a,b) max(a,b) pow(a,b) exp(x) log(x) sqrt(x) abs(x), numbers, names, parentheses.
// Comparisons and logic give 1 or 0. Compiled once; evaluation does not allocate.
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace cartsim {

class Expression {
 public:
  /// Parses `text`; names must be in `variables` (their index is their slot at evaluation).
  /// Throws Error with the column (1-based, within `text`) of the problem.
  Expression(const std::string& text, const std::vector<std::string>& variables);

  double evaluate(std::span<const double> values) const;
  const std::string& text() const { return text_; }

  /// Thrown for a syntax error or unknown name; column() is 1-based within the text.
  struct SyntaxError;
  /// Instructions of the compiled (postfix) program; an implementation detail.
  enum class Op : unsigned char;

 private:
  struct Node {
    Op op;
    double value;      // constant
    std::size_t slot;  // variable
  };
  std::string text_;
  std::vector<Node> program_;  // postfix
  std::size_t max_depth_ = 0;
};

struct Expression::SyntaxError : std::runtime_error {
  SyntaxError(const std::string& what, int column) : std::runtime_error(what), column_(column) {}
  int column() const { return column_; }

 private:
  int column_;
};

}  // namespace cartsim
