#include "cartsim/core/expression.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

#include "cartsim/core/text.hpp"

namespace cartsim {

enum class Expression::Op : unsigned char {
  constant,
  variable,
  neg,
  logical_not,
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
  select,
  min,
  max,
  exp,
  log,
  sqrt,
  abs
};

namespace {
constexpr std::size_t max_stack = 64;

struct Token {
  enum class Kind { number, name, op, end } kind = Kind::end;
  std::string_view text;
  double number = 0.0;
  int column = 0;  // 1-based
};

/// Pratt parser emitting postfix code.
class Parser {
 public:
  using Node = std::pair<Expression::Op, std::pair<double, std::size_t>>;
  Parser(std::string_view text, const std::vector<std::string>& variables)
      : text_(text), variables_(variables) {
    advance();
  }

  template <class Emit>
  void parse(Emit emit) {
    expression(0, emit);
    if (current_.kind != Token::Kind::end) {
      fail("unexpected '" + std::string(current_.text) + "'");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Expression::SyntaxError(what + " at column " + std::to_string(current_.column),
                                  current_.column);
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
      if (ec != std::errc()) {
        fail("bad number");
      }
      current_.kind = Token::Kind::number;
      current_.number = value;
      current_.text = text_.substr(pos_, static_cast<std::size_t>(end - (text_.data() + pos_)));
      pos_ = static_cast<std::size_t>(end - text_.data());
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
    fail(std::string("unexpected character '") + c + "'");
  }

  bool at_op(std::string_view op) const {
    return current_.kind == Token::Kind::op && current_.text == op;
  }
  void expect(std::string_view op) {
    if (!at_op(op)) {
      fail("expected '" + std::string(op) + "'");
    }
    advance();
  }

  struct Binary {
    std::string_view text;
    int precedence;
    bool right;
    Expression::Op op;
  };
  static const Binary* binary(const Token& t) {
    static const std::array<Binary, 13> table{{
        {"||", 2, false, Expression::Op::logical_or},
        {"&&", 3, false, Expression::Op::logical_and},
        {"==", 4, false, Expression::Op::eq},
        {"!=", 4, false, Expression::Op::ne},
        {"<", 5, false, Expression::Op::lt},
        {"<=", 5, false, Expression::Op::le},
        {">", 5, false, Expression::Op::gt},
        {">=", 5, false, Expression::Op::ge},
        {"+", 6, false, Expression::Op::add},
        {"-", 6, false, Expression::Op::sub},
        {"*", 7, false, Expression::Op::mul},
        {"/", 7, false, Expression::Op::div},
        {"^", 9, true, Expression::Op::pow},
    }};
    if (t.kind != Token::Kind::op) {
      return nullptr;
    }
    for (const auto& b : table) {
      if (b.text == t.text) {
        return &b;
      }
    }
    return nullptr;
  }

  template <class Emit>
  void expression(int min_precedence, Emit& emit) {
    prefix(emit);
    while (true) {
      if (at_op("?") && min_precedence <= 1) {
        advance();
        expression(0, emit);
        expect(":");
        expression(1, emit);
        emit(Expression::Op::select, 0.0, 0);
        continue;
      }
      const Binary* b = binary(current_);
      if (b == nullptr || b->precedence < min_precedence) {
        return;
      }
      advance();
      expression(b->right ? b->precedence : b->precedence + 1, emit);
      emit(b->op, 0.0, 0);
    }
  }

  template <class Emit>
  void prefix(Emit& emit) {
    if (current_.kind == Token::Kind::number) {
      emit(Expression::Op::constant, current_.number, 0);
      advance();
      return;
    }
    if (at_op("-") || at_op("!")) {
      const auto op = at_op("-") ? Expression::Op::neg : Expression::Op::logical_not;
      advance();
      expression(8, emit);  // binds tighter than * /, looser than ^
      emit(op, 0.0, 0);
      return;
    }
    if (at_op("(")) {
      advance();
      expression(0, emit);
      expect(")");
      return;
    }
    if (current_.kind == Token::Kind::name) {
      const std::string name(current_.text);
      const int name_column = current_.column;
      advance();
      if (at_op("(")) {
        call(name, emit);
        return;
      }
      for (std::size_t i = 0; i < variables_.size(); ++i) {
        if (variables_[i] == name) {
          emit(Expression::Op::variable, 0.0, i);
          return;
        }
      }
      throw Expression::SyntaxError(unknown_name_message("name", name, variables_, "known names") +
                                        " (column " + std::to_string(name_column) + ")",
                                    name_column);
    }
    fail(current_.kind == Token::Kind::end ? "unexpected end of expression"
                                           : "unexpected '" + std::string(current_.text) + "'");
  }

  template <class Emit>
  void call(const std::string& name, Emit& emit) {
    struct Function {
      std::string_view name;
      int arity;
      Expression::Op op;
    };
    static constexpr std::array<Function, 7> functions{{{"min", 2, Expression::Op::min},
                                                        {"max", 2, Expression::Op::max},
                                                        {"pow", 2, Expression::Op::pow},
                                                        {"exp", 1, Expression::Op::exp},
                                                        {"log", 1, Expression::Op::log},
                                                        {"sqrt", 1, Expression::Op::sqrt},
                                                        {"abs", 1, Expression::Op::abs}}};
    const Function* f = nullptr;
    for (const auto& candidate : functions) {
      if (candidate.name == name) {
        f = &candidate;
      }
    }
    if (f == nullptr) {
      fail("unknown function '" + name + "' (min, max, pow, exp, log, sqrt, abs)");
    }
    expect("(");
    for (int i = 0; i < f->arity; ++i) {
      if (i > 0) {
        expect(",");
      }
      expression(0, emit);
    }
    expect(")");
    emit(f->op, 0.0, 0);
  }

  std::string_view text_;
  const std::vector<std::string>& variables_;
  std::size_t pos_ = 0;
  Token current_;
};

int stack_effect(Expression::Op op) {
  using Op = Expression::Op;
  switch (op) {
    case Op::constant:
    case Op::variable:
      return 1;
    case Op::neg:
    case Op::logical_not:
    case Op::exp:
    case Op::log:
    case Op::sqrt:
    case Op::abs:
      return 0;
    case Op::select:
      return -2;
    default:
      return -1;
  }
}
}  // namespace

Expression::Expression(const std::string& text, const std::vector<std::string>& variables)
    : text_(text) {
  Parser parser(text_, variables);
  long depth = 0;
  parser.parse([&](Op op, double value, std::size_t slot) {
    program_.push_back(Node{op, value, slot});
    depth += stack_effect(op);
    max_depth_ = std::max(max_depth_, static_cast<std::size_t>(depth));
  });
  if (max_depth_ > max_stack) {
    throw SyntaxError("expression too deeply nested", 1);
  }
}

double Expression::evaluate(std::span<const double> values) const {
  std::array<double, max_stack> stack{};
  std::size_t top = 0;
  for (const Node& n : program_) {
    switch (n.op) {
      case Op::constant:
        stack[top++] = n.value;
        continue;
      case Op::variable:
        stack[top++] = values[n.slot];
        continue;
      case Op::neg:
        stack[top - 1] = -stack[top - 1];
        continue;
      case Op::logical_not:
        stack[top - 1] = stack[top - 1] == 0.0 ? 1.0 : 0.0;
        continue;
      case Op::exp:
        stack[top - 1] = std::exp(stack[top - 1]);
        continue;
      case Op::log:
        stack[top - 1] = std::log(stack[top - 1]);
        continue;
      case Op::sqrt:
        stack[top - 1] = std::sqrt(stack[top - 1]);
        continue;
      case Op::abs:
        stack[top - 1] = std::abs(stack[top - 1]);
        continue;
      case Op::select: {
        const double otherwise = stack[--top];
        const double then = stack[--top];
        stack[top - 1] = stack[top - 1] != 0.0 ? then : otherwise;
        continue;
      }
      default:
        break;
    }
    const double b = stack[--top];
    double& a = stack[top - 1];
    switch (n.op) {
      case Op::add:
        a = a + b;
        break;
      case Op::sub:
        a = a - b;
        break;
      case Op::mul:
        a = a * b;
        break;
      case Op::div:
        a = a / b;
        break;
      case Op::pow:
        a = std::pow(a, b);
        break;
      case Op::lt:
        a = a < b ? 1.0 : 0.0;
        break;
      case Op::le:
        a = a <= b ? 1.0 : 0.0;
        break;
      case Op::gt:
        a = a > b ? 1.0 : 0.0;
        break;
      case Op::ge:
        a = a >= b ? 1.0 : 0.0;
        break;
      case Op::eq:
        a = a == b ? 1.0 : 0.0;
        break;
      case Op::ne:
        a = a != b ? 1.0 : 0.0;
        break;
      case Op::logical_and:
        a = (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
        break;
      case Op::logical_or:
        a = (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
        break;
      case Op::min:
        a = std::min(a, b);
        break;
      case Op::max:
        a = std::max(a, b);
        break;
      default:
        break;
    }
  }
  return stack[0];
}

}  // namespace cartsim
