#include "units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/expression.hpp"

namespace cartsim::equations {

namespace {

constexpr double relative_scale_tolerance = 1e-9;

Unit base(const std::string& name, double scale = 1.0) {
  Unit u;
  u.dims[name] = 1.0;
  u.scale = scale;
  return u;
}

Unit dimensionless(double scale = 1.0) {
  Unit u;
  u.scale = scale;
  return u;
}

Unit power(Unit u, double e) {
  for (auto it = u.dims.begin(); it != u.dims.end();) {
    it->second *= e;
    if (it->second == 0.0) {
      it = u.dims.erase(it);
    } else {
      ++it;
    }
  }
  u.scale = std::pow(u.scale, e);
  return u;
}

Unit times(Unit a, const Unit& b) {
  for (const auto& [name, e] : b.dims) {
    a.dims[name] += e;
    if (a.dims[name] == 0.0) {
      a.dims.erase(name);
    }
  }
  a.scale *= b.scale;
  a.scale_known = a.scale_known && b.scale_known;
  return a;
}

/// The unit of one word, or std::nullopt for a word that is a number.
Unit word_unit(const std::string& w) {
  static const std::map<std::string, Unit> table = [] {
    std::map<std::string, Unit> t;
    const Unit s = base("s"), m = base("m"), g = base("g"), mol = base("mol");
    for (const char* n : {"s", "sec"}) {
      t[n] = s;
    }
    t["min"] = base("s", 60);
    for (const char* n : {"h", "hr", "hour", "hours"}) {
      t[n] = base("s", 3600);
    }
    for (const char* n : {"d", "day", "days"}) {
      t[n] = base("s", 86400);
    }
    for (const char* n : {"wk", "week", "weeks"}) {
      t[n] = base("s", 604800);
    }
    for (const char* n : {"y", "yr", "year", "years"}) {
      t[n] = base("s", 365.25 * 86400);
    }
    t["m"] = m;
    t["km"] = base("m", 1e3);
    t["cm"] = base("m", 1e-2);
    t["mm"] = base("m", 1e-3);
    t["um"] = t["µm"] = base("m", 1e-6);
    t["nm"] = base("m", 1e-9);
    const Unit litre = power(base("m", 0.1), 3.0);  // 1 L = (0.1 m)^3
    auto volume = [&](double f) {
      Unit u = litre;
      u.scale *= f;
      return u;
    };
    t["L"] = t["l"] = volume(1);
    t["dL"] = t["dl"] = volume(1e-1);
    t["mL"] = t["ml"] = volume(1e-3);
    t["uL"] = t["ul"] = t["µL"] = t["µl"] = volume(1e-6);
    t["nL"] = t["nl"] = volume(1e-9);
    t["fL"] = t["fl"] = volume(1e-15);
    t["kg"] = base("g", 1e3);
    t["g"] = g;
    t["mg"] = base("g", 1e-3);
    t["ug"] = t["µg"] = t["mcg"] = base("g", 1e-6);
    t["ng"] = base("g", 1e-9);
    t["pg"] = base("g", 1e-12);
    t["mol"] = mol;
    t["mmol"] = base("mol", 1e-3);
    t["umol"] = t["µmol"] = base("mol", 1e-6);
    t["nmol"] = base("mol", 1e-9);
    t["pmol"] = base("mol", 1e-12);
    auto molar = [&](double f) { return times(base("mol", f), power(litre, -1.0)); };
    t["M"] = molar(1);
    t["mM"] = molar(1e-3);
    t["uM"] = t["µM"] = molar(1e-6);
    t["nM"] = molar(1e-9);
    t["pM"] = molar(1e-12);
    t["1"] = t["dimensionless"] = t["fraction"] = dimensionless();
    t["%"] = dimensionless(0.01);
    t["#"] = base("item");
    return t;
  }();
  if (const auto it = table.find(w); it != table.end()) {
    return it->second;
  }
  // Any other word is a base of its own (cells, copies, animals, IU, ...); plurals fold.
  std::string name = w;
  if (name.size() > 3 && name.back() == 's') {
    name.pop_back();
  }
  if (name == "copie") {
    name = "copy";
  }
  return base(name);
}

/// Recursive descent over a unit text: product := power (('*' | '.' | ' ' | '/') power)*.
class UnitParser {
 public:
  explicit UnitParser(std::string_view text) : text_(text) {}

  std::optional<Unit> parse() {
    skip();
    if (pos_ >= text_.size()) {
      return dimensionless();
    }
    auto u = product(0);
    skip();
    if (!u || pos_ != text_.size()) {
      return std::nullopt;
    }
    return u;
  }

 private:
  void skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') {
      ++pos_;
    }
  }
  bool word_char(char c) const {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '%' || c == '#' ||
           (static_cast<unsigned char>(c) >= 0x80);
  }

  std::optional<Unit> product(int depth) {
    if (depth > 16) {
      return std::nullopt;
    }
    auto u = factor(depth);
    while (u) {
      skip();
      if (pos_ >= text_.size() || text_[pos_] == ')') {
        return u;
      }
      bool divide = false;
      if (text_[pos_] == '*' || text_[pos_] == '.') {
        ++pos_;
      } else if (text_[pos_] == '/') {
        divide = true;
        ++pos_;
      }
      skip();
      auto next = factor(depth);
      if (!next) {
        return std::nullopt;
      }
      u = times(*u, divide ? power(*next, -1.0) : *next);
    }
    return u;
  }

  std::optional<Unit> factor(int depth) {
    skip();
    std::optional<Unit> u;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      u = product(depth + 1);
      skip();
      if (!u || pos_ >= text_.size() || text_[pos_] != ')') {
        return std::nullopt;
      }
      ++pos_;
    } else if (pos_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
      std::size_t end = pos_;
      while (end < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[end])) ||
                                    text_[end] == '.' || text_[end] == 'e' || text_[end] == 'E' ||
                                    ((text_[end] == '-' || text_[end] == '+') && end > pos_ &&
                                     (text_[end - 1] == 'e' || text_[end - 1] == 'E')))) {
        ++end;
      }
      try {
        u = dimensionless(std::stod(std::string(text_.substr(pos_, end - pos_))));
      } catch (const std::exception&) {
        return std::nullopt;
      }
      pos_ = end;
    } else if (pos_ < text_.size() && word_char(text_[pos_])) {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (word_char(text_[end]) || std::isdigit(static_cast<unsigned char>(text_[end])))) {
        ++end;
      }
      // A word ending in digits is a power: m2, cm3.
      std::size_t digits = end;
      while (digits > pos_ && std::isdigit(static_cast<unsigned char>(text_[digits - 1]))) {
        --digits;
      }
      const std::string w(text_.substr(pos_, digits - pos_));
      u = word_unit(w);
      if (digits < end) {
        u = power(*u, std::stod(std::string(text_.substr(digits, end - digits))));
      }
      pos_ = end;
    } else {
      return std::nullopt;
    }
    skip();
    if (pos_ < text_.size() && text_[pos_] == '^') {
      ++pos_;
      skip();
      std::size_t end = pos_;
      if (end < text_.size() && (text_[end] == '-' || text_[end] == '+')) {
        ++end;
      }
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) {
        ++end;
      }
      try {
        u = power(*u, std::stod(std::string(text_.substr(pos_, end - pos_))));
      } catch (const std::exception&) {
        return std::nullopt;
      }
      pos_ = end;
    }
    return u;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Inference

/// What an expression's unit is known to be.
struct Inferred {
  enum class Kind { unknown, free, known } kind = Kind::unknown;
  Unit unit;
  static Inferred unknown() { return {}; }
  static Inferred free() { return {Kind::free, {}}; }
  static Inferred known(Unit u) { return {Kind::known, std::move(u)}; }
};

using Kind = expr::SyntaxNode::Kind;

class Checker {
 public:
  Checker(const SourceText& source, const expr::SyntaxTree& tree,
          const std::function<Inferred(const std::string&)>& name)
      : source_(source), tree_(tree), name_(name) {}

  Inferred infer() { return node(tree_.root); }

  [[noreturn]] void fail_at(int column, const std::string& message) const {
    throw ConfigError(source_.at(column), "units: " + message +
                                              " (give the right units, or check_units: false "
                                              "in the model to switch the check off)");
  }

 private:
  std::string show(int i) const { return "'" + expr::to_text(tree_, i) + "'"; }

  /// Two operands that must have the same unit (+, -, comparisons, branches, min, max).
  Inferred same(int column, int a, const Inferred& x, int b, const Inferred& y) {
    if (x.kind == Inferred::Kind::known && y.kind == Inferred::Kind::known) {
      if (!x.unit.same_dims(y.unit)) {
        fail_at(column, fmt::format("{} is in {} and {} in {}: they cannot be combined here",
                                    show(a), x.unit.text(), show(b), y.unit.text()));
      }
      if (x.unit.scale_known && y.unit.scale_known &&
          std::abs(x.unit.scale - y.unit.scale) >
              relative_scale_tolerance * std::max(x.unit.scale, y.unit.scale)) {
        fail_at(column, fmt::format("{} and {} have the same dimension ({}) at scales that differ "
                                    "by a factor {:g}; convert one of them",
                                    show(a), show(b), x.unit.text(), x.unit.scale / y.unit.scale));
      }
      return x;
    }
    if (x.kind == Inferred::Kind::known) {
      return x;
    }
    if (y.kind == Inferred::Kind::known) {
      return y;
    }
    return x.kind == Inferred::Kind::unknown || y.kind == Inferred::Kind::unknown
               ? Inferred::unknown()
               : Inferred::free();
  }

  Inferred multiply(const Inferred& x, const Inferred& y, bool divide) {
    if (x.kind == Inferred::Kind::unknown || y.kind == Inferred::Kind::unknown) {
      return Inferred::unknown();
    }
    if (x.kind == Inferred::Kind::free && y.kind == Inferred::Kind::free) {
      return Inferred::free();
    }
    Unit a = x.kind == Inferred::Kind::known ? x.unit : dimensionless();
    Unit b = y.kind == Inferred::Kind::known ? y.unit : dimensionless();
    Unit r = times(a, divide ? power(b, -1.0) : b);
    if (x.kind == Inferred::Kind::free || y.kind == Inferred::Kind::free) {
      r.scale_known = false;  // the bare number may be a conversion factor
    }
    return Inferred::known(r);
  }

  std::optional<double> literal(int i) const {
    const expr::SyntaxNode& n = tree_.node(i);
    if (n.kind == Kind::number) {
      return n.number;
    }
    if (n.kind == Kind::unary && n.op == expr::Op::neg &&
        tree_.node(n.children[0]).kind == Kind::number) {
      return -tree_.node(n.children[0]).number;
    }
    return std::nullopt;
  }

  Inferred raise(const Inferred& x, int exponent) {
    if (x.kind != Inferred::Kind::known) {
      return x;
    }
    if (const auto e = literal(exponent)) {
      return Inferred::known(power(x.unit, *e));
    }
    return x.unit.dims.empty() ? Inferred::known(x.unit) : Inferred::unknown();
  }

  Inferred node(int i) {
    const expr::SyntaxNode& n = tree_.node(i);
    auto child = [&](std::size_t k) { return node(n.children[k]); };
    switch (n.kind) {
      case Kind::number:
        return Inferred::free();
      case Kind::name:
        if (n.name == "t" || n.name == "time") {
          return Inferred::known(*parse_unit("d"));
        }
        if (n.name == "pi" || n.name == "inf") {
          return Inferred::free();
        }
        return name_(n.name);
      case Kind::unary:
        return n.op == expr::Op::neg ? child(0) : Inferred::free();
      case Kind::ternary: {
        child(0);
        const Inferred a = child(1);
        const Inferred b = child(2);
        return same(n.column, n.children[1], a, n.children[2], b);
      }
      case Kind::binary: {
        const Inferred a = child(0);
        const Inferred b = child(1);
        switch (n.op) {
          case expr::Op::add:
          case expr::Op::sub:
            return same(n.column, n.children[0], a, n.children[1], b);
          case expr::Op::mul:
            return multiply(a, b, false);
          case expr::Op::div:
            return multiply(a, b, true);
          case expr::Op::pow:
            return raise(a, n.children[1]);
          case expr::Op::lt:
          case expr::Op::le:
          case expr::Op::gt:
          case expr::Op::ge:
          case expr::Op::eq:
          case expr::Op::ne:
            same(n.column, n.children[0], a, n.children[1], b);
            return Inferred::free();
          default:
            return Inferred::free();
        }
      }
      case Kind::call: {
        std::vector<Inferred> args;
        for (std::size_t k = 0; k < n.children.size(); ++k) {
          args.push_back(child(k));
        }
        const std::string& f = n.name;
        if ((f == "min" || f == "max") && !args.empty()) {
          Inferred r = args[0];
          for (std::size_t k = 1; k < args.size(); ++k) {
            r = same(n.column, n.children[0], r, n.children[k], args[k]);
          }
          return r;
        }
        if (f == "piecewise") {
          Inferred r = Inferred::free();
          int first = -1;
          for (std::size_t k = 0; k < args.size(); k += 2) {
            if (first < 0) {
              r = args[k];
              first = n.children[k];
            } else {
              r = same(n.column, first, r, n.children[k], args[k]);
            }
          }
          return r;
        }
        if ((f == "abs" || f == "floor" || f == "ceil" || f == "round") && args.size() == 1) {
          return args[0];
        }
        if (f == "sqrt" && args.size() == 1) {
          return args[0].kind == Inferred::Kind::known ? Inferred::known(power(args[0].unit, 0.5))
                                                       : args[0];
        }
        if (f == "pow" && args.size() == 2) {
          return raise(args[0], n.children[1]);
        }
        if (expr::is_builtin_name(f)) {
          return Inferred::free();  // exp, log, trig, sign, random draws: pure numbers
        }
        return Inferred::unknown();  // a user function: not inferred
      }
    }
    return Inferred::unknown();
  }

  const SourceText& source_;
  const expr::SyntaxTree& tree_;
  const std::function<Inferred(const std::string&)>& name_;
};

std::optional<Unit> given(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  return parse_unit(text);
}

}  // namespace

bool Unit::same_dims(const Unit& other) const {
  if (dims.size() != other.dims.size()) {
    return false;
  }
  for (const auto& [name, e] : dims) {
    const auto it = other.dims.find(name);
    if (it == other.dims.end() || std::abs(it->second - e) > 1e-12) {
      return false;
    }
  }
  return true;
}

bool Unit::same(const Unit& other) const {
  return same_dims(other) &&
         (!scale_known || !other.scale_known ||
          std::abs(scale - other.scale) <= relative_scale_tolerance * std::max(scale, other.scale));
}

std::string Unit::text() const {
  if (dims.empty()) {
    return "dimensionless";
  }
  std::string out;
  for (const auto& [name, e] : dims) {
    out += (out.empty() ? "" : "*") + name + (e == 1.0 ? "" : fmt::format("^{:g}", e));
  }
  return out;
}

std::optional<Unit> parse_unit(std::string_view text) {
  return UnitParser(text).parse();
}

void check_units(const ModelSpec& spec) {
  if (!spec.check_units) {
    return;
  }
  std::map<std::string, Inferred> known;  // names with a given (parsable) unit
  for (const auto& s : spec.states) {
    if (const auto u = given(s.unit)) {
      known[s.name] = Inferred::known(*u);
    }
  }
  for (const auto& p : spec.parameters) {
    if (const auto u = given(p.unit)) {
      known[p.name] = Inferred::known(*u);
    }
  }
  // Observables: their declared unit, or what their expression gives (in dependency order; the
  // compiler has refused cycles).
  std::map<std::string, const ObservableSpec*> observables;
  for (const auto& o : spec.observables) {
    observables[o.name] = &o;
  }
  std::map<std::string, Inferred> inferred;
  std::function<Inferred(const std::string&)> name_unit = [&](const std::string& n) -> Inferred {
    if (const auto it = known.find(n); it != known.end()) {
      return it->second;
    }
    if (const auto it = inferred.find(n); it != inferred.end()) {
      return it->second;
    }
    if (const auto it = observables.find(n); it != observables.end()) {
      inferred[n] = Inferred::unknown();  // (no cycles: the compiler checked)
      const expr::SyntaxTree tree = expr::parse_syntax(it->second->expression.text);
      Checker checker(it->second->expression, tree, name_unit);
      const Inferred r = checker.infer();
      inferred[n] = r;
      return r;
    }
    return Inferred::unknown();
  };
  auto check = [&](const SourceText& text, const std::optional<Unit>& expected,
                   const std::string& what, const std::string& expected_text) {
    const expr::SyntaxTree tree = expr::parse_syntax(text.text);
    Checker checker(text, tree, name_unit);
    const Inferred r = checker.infer();
    if (!expected || r.kind != Inferred::Kind::known) {
      return;
    }
    if (!r.unit.same_dims(*expected)) {
      checker.fail_at(1, fmt::format("{} is in {}, but must be in {} ({})", what, r.unit.text(),
                                     expected->text(), expected_text));
    }
    if (r.unit.scale_known && expected->scale_known &&
        std::abs(r.unit.scale - expected->scale) >
            relative_scale_tolerance * std::max(r.unit.scale, expected->scale)) {
      checker.fail_at(1, fmt::format("{} has the right dimension but is {:g} times {} (e.g. a "
                                     "rate per hour where cartsim's time is in days)",
                                     what, r.unit.scale / expected->scale, expected_text));
    }
  };
  const Unit day = *parse_unit("d");
  for (const auto& o : spec.observables) {
    const auto declared = given(o.unit);
    check(o.expression, declared, "observable '" + o.name + "'", o.unit);
    if (declared) {
      known[o.name] = Inferred::known(*declared);
    }
  }
  for (const auto& e : spec.equations) {
    std::optional<Unit> expected;
    std::string unit_text;
    for (const auto& s : spec.states) {
      if (s.name == e.state) {
        if (const auto u = given(s.unit)) {
          expected = times(*u, power(day, -1.0));
          unit_text = s.unit + "/d";
        }
      }
    }
    check(e.rate, expected, "d(" + e.state + ")/dt", unit_text);
  }
  for (const auto& s : spec.states) {
    check(s.initial, given(s.unit), "the initial value of '" + s.name + "'", s.unit);
  }
  for (const auto& ev : spec.events) {
    check(ev.trigger, std::nullopt, "", "");
    for (const auto& l : ev.let) {
      check(l.value, std::nullopt, "", "");
    }
    for (const auto& a : ev.assign) {
      std::optional<Unit> target;
      std::string text;
      for (const auto& s : spec.states) {
        if (s.name == a.target) {
          target = given(s.unit);
          text = s.unit;
        }
      }
      for (const auto& p : spec.parameters) {
        if (p.name == a.target) {
          target = given(p.unit);
          text = p.unit;
        }
      }
      check(a.value, target, "the value assigned to '" + a.target + "'", text);
    }
  }
}

}  // namespace cartsim::equations
