// ModelSpec -> CompiledModel: checks names and structure, lowers every expression into one shared
// graph, hoists what depends only on parameters, differentiates for the Jacobian, and compiles the
// register programs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/text.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "compiled_model.hpp"
#include "differentiate.hpp"
#include "model_checks.hpp"

namespace cartsim::equations {

using expr::Graph;
using expr::NodeId;
using expr::Op;

namespace {

enum class Kind { state, parameter, observable, function };

struct Symbol {
  Kind kind;
  std::size_t index;
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::state:
      return "state";
    case Kind::parameter:
      return "parameter";
    case Kind::observable:
      return "observable";
    case Kind::function:
      return "function";
  }
  return "name";
}

const char* article(Kind k) {
  return k == Kind::observable ? "an" : "a";
}

[[noreturn]] void fail(const InputLocation& where, const std::string& message) {
  throw ConfigError(where, message);
}

bool is_identifier(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// The compiler's working state.
class Compiler {
 public:
  explicit Compiler(const ModelSpec& spec) : spec_(spec), out_(std::make_shared<CompiledModel>()) {}

  std::shared_ptr<CompiledModel> run() {
    out_->spec = spec_;
    declare_names();
    parse_all();
    lower_dynamic();
    check_all_divisions();
    lower_initial();
    lower_events();
    hoist_and_compile();
    return out_;
  }

 private:
  // -------------------------------------------------------------------------------------------
  // Names

  void declare(const std::string& name, Kind kind, std::size_t index, const InputLocation& where) {
    if (!is_identifier(name)) {
      fail(where, fmt::format("'{}' is not a valid name: use letters, digits and '_', not starting "
                              "with a digit",
                              name));
    }
    if (name == "t" || name == "time" || expr::is_builtin_name(name)) {
      fail(where, fmt::format("'{}' is reserved ({}); choose another name", name,
                              name == "t" || name == "time" ? "the time, in days"
                                                            : "a function or constant"));
    }
    const auto [it, inserted] = symbols_.emplace(name, Symbol{kind, index});
    if (!inserted) {
      const InputLocation& first = where_of(it->second);
      fail(where, fmt::format("'{}' is defined twice: as {} {} (line {}) and as {} {}", name,
                              article(it->second.kind), kind_name(it->second.kind), first.line,
                              article(kind), kind_name(kind)));
    }
    names_.push_back(name);
  }

  const InputLocation& where_of(const Symbol& s) const {
    switch (s.kind) {
      case Kind::state:
        return spec_.states[s.index].where;
      case Kind::parameter:
        return spec_.parameters[s.index].where;
      case Kind::observable:
        return spec_.observables[s.index].where;
      case Kind::function:
        return spec_.functions[s.index].where;
    }
    return spec_.where;
  }

  void declare_names() {
    if (spec_.states.empty()) {
      fail(spec_.where, "a model needs at least one state (under 'states')");
    }
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      declare(spec_.states[i].name, Kind::state, i, spec_.states[i].where);
    }
    for (std::size_t j = 0; j < spec_.parameters.size(); ++j) {
      const ParameterSpec& p = spec_.parameters[j];
      declare(p.name, Kind::parameter, j, p.where);
      if (!(p.min <= p.max)) {
        fail(p.where,
             fmt::format("range [{}, {}] of parameter '{}' is empty", p.min, p.max, p.name));
      }
      if (!std::isfinite(p.value) || p.value < p.min || p.value > p.max) {
        fail(p.value_where.line > 0 ? p.value_where : p.where,
             fmt::format("value {} of parameter '{}' is outside its range [{}, {}]", p.value,
                         p.name, p.min, p.max));
      }
    }
    for (std::size_t k = 0; k < spec_.observables.size(); ++k) {
      declare(spec_.observables[k].name, Kind::observable, k, spec_.observables[k].where);
    }
    for (std::size_t f = 0; f < spec_.functions.size(); ++f) {
      const FunctionSpec& fn = spec_.functions[f];
      declare(fn.name, Kind::function, f, fn.where);
      std::set<std::string> seen;
      for (const auto& a : fn.arguments) {
        if (!is_identifier(a)) {
          fail(fn.where,
               fmt::format("argument '{}' of function '{}' is not a valid name", a, fn.name));
        }
        if (!seen.insert(a).second) {
          fail(fn.where, fmt::format("function '{}' names argument '{}' twice", fn.name, a));
        }
      }
    }
    // Equations: one per state, only for states.
    equation_of_.assign(spec_.states.size(), -1);
    for (std::size_t e = 0; e < spec_.equations.size(); ++e) {
      const EquationSpec& eq = spec_.equations[e];
      const auto it = symbols_.find(eq.state);
      if (it == symbols_.end()) {
        fail(eq.where, unknown_name_message("state", eq.state, state_names(), "states") +
                           " (every equation is d(STATE)/dt for a state under 'states')");
      }
      if (it->second.kind != Kind::state) {
        fail(eq.where,
             fmt::format("'{}' is {} {}; only states have equations (an observable is defined "
                         "by its own expression)",
                         eq.state, article(it->second.kind), kind_name(it->second.kind)));
      }
      int& slot = equation_of_[it->second.index];
      if (slot >= 0) {
        fail(eq.where,
             fmt::format("state '{}' is written twice: it already has an equation "
                         "(line {})",
                         eq.state, spec_.equations[static_cast<std::size_t>(slot)].where.line));
      }
      slot = static_cast<int>(e);
    }
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      if (equation_of_[i] < 0) {
        fail(spec_.states[i].where,
             fmt::format("state '{}' has no equation; add '{}: ...' under 'equations' (use 0 for "
                         "a state that changes only by events)",
                         spec_.states[i].name, spec_.states[i].name));
      }
      if (spec_.states[i].initial.empty()) {
        fail(spec_.states[i].where,
             fmt::format("state '{}' needs an initial value ('initial')", spec_.states[i].name));
      }
    }
    if (!spec_.name.empty() && !is_identifier(spec_.name)) {
      fail(spec_.where, fmt::format("model name '{}' must be letters, digits and '_'", spec_.name));
    }
  }

  std::vector<std::string> state_names() const {
    std::vector<std::string> names;
    for (const auto& s : spec_.states) {
      names.push_back(s.name);
    }
    return names;
  }

  // -------------------------------------------------------------------------------------------
  // Parsing

  const expr::SyntaxTree& parse(const SourceText& source) {
    try {
      trees_.push_back({&source, expr::parse_syntax(source.text)});
      return trees_.back().tree;
    } catch (const expr::SyntaxError& e) {
      throw ConfigError(source.at(e.column()), std::string("in the expression: ") + e.what());
    }
  }

  void parse_all() {
    for (const auto& fn : spec_.functions) {
      functions_.push_back(expr::FunctionDef{fn.name, fn.arguments, parse(fn.body)});
    }
    // A function body may use its arguments and other functions only.
    for (std::size_t f = 0; f < spec_.functions.size(); ++f) {
      Graph scratch;
      expr::Scope scope;
      const auto& def = functions_[f];
      scope.variable = [&](const std::string& name, Graph& g) -> std::optional<NodeId> {
        for (std::size_t k = 0; k < def.arguments.size(); ++k) {
          if (def.arguments[k] == name) {
            return g.variable(static_cast<std::uint32_t>(k));
          }
        }
        if (symbols_.count(name) > 0) {
          throw expr::SyntaxError(
              fmt::format("function '{}' uses '{}', which is not one of its arguments ({}); "
                          "pass it as an argument",
                          def.name, name, join(def.arguments)),
              0);
        }
        return std::nullopt;
      };
      scope.known_names = [&] { return def.arguments; };
      scope.function = [this](const std::string& name) { return function(name); };
      lower_source(spec_.functions[f].body, def.body, scratch, scope);
    }
    for (const auto& o : spec_.observables) {
      observable_trees_.push_back(&parse(o.expression));
    }
    for (const auto& e : spec_.equations) {
      equation_trees_.push_back(&parse(e.rate));
    }
    for (const auto& s : spec_.states) {
      initial_trees_.push_back(&parse(s.initial));
    }
  }

  const expr::FunctionDef* function(const std::string& name) const {
    const auto it = symbols_.find(name);
    if (it == symbols_.end() || it->second.kind != Kind::function) {
      return nullptr;
    }
    return &functions_[it->second.index];
  }

  NodeId lower_source(const SourceText& source, const expr::SyntaxTree& tree, Graph& graph,
                      const expr::Scope& scope) {
    try {
      return expr::lower(tree, graph, scope);
    } catch (const expr::SyntaxError& e) {
      throw ConfigError(source.at(e.column()), std::string("in the expression: ") + e.what());
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lowering the dynamic part: equations, observables

  std::uint32_t state_slot(std::size_t i) const { return static_cast<std::uint32_t>(1 + i); }
  std::uint32_t parameter_slot(std::size_t j) const {
    return static_cast<std::uint32_t>(1 + spec_.states.size() + j);
  }

  expr::Scope dynamic_scope() {
    expr::Scope scope;
    scope.variable = [this](const std::string& name, Graph& g) -> std::optional<NodeId> {
      if (name == "t" || name == "time") {
        return g.variable(0);
      }
      const auto it = symbols_.find(name);
      if (it == symbols_.end()) {
        return std::nullopt;
      }
      switch (it->second.kind) {
        case Kind::state:
          return g.variable(state_slot(it->second.index));
        case Kind::parameter:
          return g.variable(parameter_slot(it->second.index));
        case Kind::observable:
          return observable(it->second.index);
        case Kind::function:
          return std::nullopt;  // reported as "a function; call it"
      }
      return std::nullopt;
    };
    scope.known_names = [this] { return names_; };
    scope.function = [this](const std::string& name) { return function(name); };
    return scope;
  }

  /// The node of observable k, lowered once; a cycle among observables is an error at the name
  /// that closes it.
  NodeId observable(std::size_t k) {
    if (observable_node_[k] != expr::no_node) {
      return observable_node_[k];
    }
    const std::string& name = spec_.observables[k].name;
    if (std::find(observable_stack_.begin(), observable_stack_.end(), k) !=
        observable_stack_.end()) {
      std::vector<std::string> chain;
      for (std::size_t j : observable_stack_) {
        chain.push_back(spec_.observables[j].name);
      }
      chain.push_back(name);
      throw expr::SyntaxError("observables depend on each other in a cycle: " + join(chain, " -> "),
                              0);
    }
    observable_stack_.push_back(k);
    const NodeId id = lower_source(spec_.observables[k].expression, *observable_trees_[k], graph_,
                                   dynamic_scope());
    observable_stack_.pop_back();
    observable_node_[k] = id;
    return id;
  }

  void lower_dynamic() {
    observable_node_.assign(spec_.observables.size(), expr::no_node);
    for (std::size_t k = 0; k < spec_.observables.size(); ++k) {
      observable_roots_.push_back(observable(k));
    }
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      const auto e = static_cast<std::size_t>(equation_of_[i]);
      rhs_roots_.push_back(
          lower_source(spec_.equations[e].rate, *equation_trees_[e], graph_, dynamic_scope()));
    }
  }

  /// Every divisor that depends only on parameters must exclude 0 over the parameters' ranges.
  void check_all_divisions() {
    std::map<std::string, std::optional<Interval>> memo;
    std::function<std::optional<Interval>(const std::string&)> range_of =
        [&](const std::string& name) -> std::optional<Interval> {
      const auto it = symbols_.find(name);
      if (it == symbols_.end()) {
        return std::nullopt;
      }
      if (it->second.kind == Kind::parameter) {
        const ParameterSpec& p = spec_.parameters[it->second.index];
        return Interval{p.min, p.max};
      }
      if (it->second.kind == Kind::observable) {
        if (const auto m = memo.find(name); m != memo.end()) {
          return m->second;
        }
        memo[name] = std::nullopt;  // (cycles were refused while lowering)
        const auto r = interval_of(*observable_trees_[it->second.index], range_of);
        memo[name] = r;
        return r;
      }
      return std::nullopt;
    };
    auto parameter_range = [&](const std::string& name) -> std::optional<Interval> {
      const auto it = symbols_.find(name);
      if (it == symbols_.end() || it->second.kind != Kind::parameter) {
        return std::nullopt;
      }
      const ParameterSpec& p = spec_.parameters[it->second.index];
      return Interval{p.min, p.max};
    };
    for (const auto& parsed : trees_) {
      check_divisions(parsed.tree, *parsed.source, range_of, parameter_range);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Initial state: from the declared parameters (and other states' initial values) only

  void lower_initial() {
    initial_node_.assign(spec_.states.size(), expr::no_node);
    initial_observable_.assign(spec_.observables.size(), expr::no_node);
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      initial_roots_.push_back(initial_of(i));
    }
  }

  expr::Scope initial_scope() {
    expr::Scope scope;
    scope.variable = [this](const std::string& name, Graph& g) -> std::optional<NodeId> {
      if (name == "t" || name == "time") {
        throw expr::SyntaxError(
            "an initial value cannot depend on the time (it is set before the run starts)", 0);
      }
      const auto it = symbols_.find(name);
      if (it == symbols_.end()) {
        return std::nullopt;
      }
      switch (it->second.kind) {
        case Kind::state:
          return initial_of(it->second.index);
        case Kind::parameter:
          return g.variable(parameter_slot(it->second.index));
        case Kind::observable: {
          const std::size_t k = it->second.index;
          if (initial_observable_[k] == expr::no_node) {
            initial_observable_[k] = lower_source(spec_.observables[k].expression,
                                                  *observable_trees_[k], graph_, initial_scope());
          }
          return initial_observable_[k];
        }
        case Kind::function:
          return std::nullopt;
      }
      return std::nullopt;
    };
    scope.known_names = [this] { return names_; };
    scope.function = [this](const std::string& name) { return function(name); };
    return scope;
  }

  NodeId initial_of(std::size_t i) {
    if (initial_node_[i] != expr::no_node) {
      return initial_node_[i];
    }
    if (std::find(initial_stack_.begin(), initial_stack_.end(), i) != initial_stack_.end()) {
      std::vector<std::string> chain;
      for (std::size_t j : initial_stack_) {
        chain.push_back(spec_.states[j].name);
      }
      chain.push_back(spec_.states[i].name);
      throw expr::SyntaxError(
          "initial values depend on each other in a cycle: " + join(chain, " -> "), 0);
    }
    initial_stack_.push_back(i);
    const NodeId id =
        lower_source(spec_.states[i].initial, *initial_trees_[i], graph_, initial_scope());
    initial_stack_.pop_back();
    initial_node_[i] = id;
    return id;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /// The trigger as a function g that is >= 0 exactly where it holds (for relations and their
  /// combinations by &&, || and !; other conditions jump between -1 and 1).
  NodeId crossing_function(NodeId trigger) {
    const expr::Node n = graph_[trigger];
    switch (n.op) {
      case Op::lt:
      case Op::le:
        return graph_.make(Op::sub, n.args[1], n.args[0]);
      case Op::gt:
      case Op::ge:
        return graph_.make(Op::sub, n.args[0], n.args[1]);
      case Op::logical_and: {
        const NodeId a = crossing_function(n.args[0]);
        return graph_.make(Op::min, a, crossing_function(n.args[1]));
      }
      case Op::logical_or: {
        const NodeId a = crossing_function(n.args[0]);
        return graph_.make(Op::max, a, crossing_function(n.args[1]));
      }
      case Op::logical_not:
        return graph_.make(Op::neg, crossing_function(n.args[0]));
      default:
        return graph_.make(Op::select, trigger, graph_.constant(1.0), graph_.constant(-1.0));
    }
  }

  /// Top-level conjuncts of a trigger (a && b && c -> a, b, c).
  void conjuncts(NodeId trigger, std::vector<NodeId>& out) const {
    const expr::Node& n = graph_[trigger];
    if (n.op == Op::logical_and) {
      conjuncts(n.args[0], out);
      conjuncts(n.args[1], out);
    } else {
      out.push_back(trigger);
    }
  }

  void lower_events() {
    std::set<std::string> labels;
    for (std::size_t e = 0; e < spec_.events.size(); ++e) {
      const EventSpec& ev = spec_.events[e];
      EventNodes nodes;
      nodes.label = ev.name.empty() ? fmt::format("event {}", e + 1) : ev.name;
      if (!labels.insert(nodes.label).second) {
        fail(ev.where, fmt::format("two events are named '{}'", nodes.label));
      }
      if (ev.trigger.empty()) {
        fail(ev.where, "an event needs a trigger ('when')");
      }
      if (ev.assign.empty()) {
        fail(ev.where, "an event needs at least one assignment ('assign')");
      }
      nodes.trigger = lower_source(ev.trigger, parse(ev.trigger), graph_, dynamic_scope());
      nodes.condition = crossing_function(nodes.trigger);
      // Sequential assignments: a later one sees the values written before it.
      std::map<std::string, NodeId> current;
      std::set<std::string> locals;
      auto scope = dynamic_scope();
      auto inner = scope.variable;
      scope.variable = [&](const std::string& name, Graph& g) -> std::optional<NodeId> {
        if (const auto it = current.find(name); it != current.end()) {
          return it->second;
        }
        return inner(name, g);
      };
      scope.allow_random = true;
      for (const auto& local : ev.let) {
        if (!is_identifier(local.target) || symbols_.count(local.target) > 0 ||
            expr::is_builtin_name(local.target) || local.target == "t") {
          fail(local.where, fmt::format("local name '{}' must be a new name (not a state, "
                                        "parameter, observable, function or builtin)",
                                        local.target));
        }
        if (!locals.insert(local.target).second) {
          fail(local.where, fmt::format("local name '{}' is given twice", local.target));
        }
        current[local.target] = lower_source(local.value, parse(local.value), graph_, scope);
      }
      std::set<std::string> assigned;
      for (const auto& a : ev.assign) {
        const auto it = symbols_.find(a.target);
        if (it == symbols_.end()) {
          fail(a.where, unknown_name_message("state or parameter", a.target, assignable_names(),
                                             "states and parameters"));
        }
        if (it->second.kind != Kind::state && it->second.kind != Kind::parameter) {
          fail(a.where, fmt::format("an event assigns states and parameters; '{}' is {} {}",
                                    a.target, it->second.kind == Kind::observable ? "an" : "a",
                                    kind_name(it->second.kind)));
        }
        if (!assigned.insert(a.target).second) {
          fail(a.where, fmt::format("event '{}' assigns '{}' twice", nodes.label, a.target));
        }
        const NodeId value = lower_source(a.value, parse(a.value), graph_, scope);
        current[a.target] = value;
        EventTarget target;
        target.state = it->second.kind == Kind::state;
        target.index = it->second.index;
        target.name = a.target;
        if (!target.state) {
          event_parameters_.insert(it->second.index);
        }
        nodes.targets.push_back(target);
        nodes.values.push_back(value);
      }
      events_.push_back(std::move(nodes));
    }
    for (std::size_t e = 0; e < spec_.events.size(); ++e) {
      EventNodes& nodes = events_[e];
      std::vector<NodeId> parts;
      conjuncts(nodes.trigger, parts);
      for (NodeId part : parts) {
        if (depends_only_on_fixed_parameters(part)) {
          nodes.guards.push_back(part);
        }
      }
    }
  }

  std::vector<std::string> assignable_names() const {
    std::vector<std::string> names;
    for (const auto& s : spec_.states) {
      names.push_back(s.name);
    }
    for (const auto& p : spec_.parameters) {
      names.push_back(p.name);
    }
    return names;
  }

  /// True when `id` reads only parameters that no event assigns (and constants).
  bool depends_only_on_fixed_parameters(NodeId id) const {
    std::vector<NodeId> todo{id};
    std::set<NodeId> seen;
    while (!todo.empty()) {
      const NodeId n = todo.back();
      todo.pop_back();
      if (!seen.insert(n).second) {
        continue;
      }
      const expr::Node& node = graph_[n];
      if (node.op == Op::variable) {
        if (node.variable < parameter_slot(0)) {
          return false;
        }
        if (event_parameters_.count(node.variable - parameter_slot(0)) > 0) {
          return false;
        }
        continue;
      }
      if (expr::is_random(node.op)) {
        return false;
      }
      for (int k = 0; k < expr::arity(node.op); ++k) {
        todo.push_back(node.args[k]);
      }
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Hoisting and programs

  void hoist_and_compile() {
    CompiledModel& m = *out_;
    m.states = spec_.states.size();
    m.declared_parameters = spec_.parameters.size();

    // The Jacobian, d(rhs_i)/d(y_j), structurally nonzero entries only.
    std::vector<NodeId> jacobian_roots;
    for (std::size_t j = 0; j < m.states; ++j) {
      const NodeId y = graph_.variable(state_slot(j));
      const auto column = differentiate(graph_, rhs_roots_, y);
      for (std::size_t i = 0; i < m.states; ++i) {
        if (!graph_.is_constant(column[i], 0.0)) {
          jacobian_roots.push_back(column[i]);
          m.jacobian_entries.emplace_back(i, j);
        }
      }
    }

    // Classes: 0 constant, 1 parameters only, 2 time or state, 3 random.
    const std::size_t size = graph_.size();
    std::vector<unsigned char> cls(size, 0);
    const std::uint32_t first_parameter = parameter_slot(0);
    for (NodeId id = 0; id < size; ++id) {
      const expr::Node& n = graph_[id];
      if (n.op == Op::constant) {
        cls[id] = 0;
      } else if (n.op == Op::variable) {
        cls[id] = n.variable >= first_parameter ? 1 : 2;
      } else if (expr::is_random(n.op)) {
        cls[id] = 3;
      } else {
        unsigned char c = 0;
        for (int k = 0; k < expr::arity(n.op); ++k) {
          c = std::max(c, cls[n.args[k]]);
        }
        cls[id] = c;
      }
    }
    // Hoist parameter-only operations read by the dynamic programs: computed once per run (and
    // after every event) by derive_parameters() instead of at every evaluation.
    std::vector<NodeId> dynamic_roots = rhs_roots_;
    dynamic_roots.insert(dynamic_roots.end(), observable_roots_.begin(), observable_roots_.end());
    dynamic_roots.insert(dynamic_roots.end(), jacobian_roots.begin(), jacobian_roots.end());
    for (const auto& ev : events_) {
      dynamic_roots.push_back(ev.condition);
      dynamic_roots.push_back(ev.trigger);
      dynamic_roots.insert(dynamic_roots.end(), ev.values.begin(), ev.values.end());
    }
    std::vector<char> hoist(size, 0);
    auto hoistable = [&](NodeId id) { return cls[id] == 1 && graph_[id].op != Op::variable; };
    for (NodeId id = 0; id < size; ++id) {
      const expr::Node& n = graph_[id];
      if (cls[id] < 2) {
        continue;
      }
      for (int k = 0; k < expr::arity(n.op); ++k) {
        if (hoistable(n.args[k])) {
          hoist[n.args[k]] = 1;
        }
      }
    }
    for (NodeId r : dynamic_roots) {
      if (hoistable(r)) {
        hoist[r] = 1;
      }
    }
    std::vector<NodeId> hoisted;
    std::vector<std::int64_t> hidden_slot(size, -1);
    for (NodeId id = 0; id < size; ++id) {
      if (hoist[id]) {
        hidden_slot[id] = parameter_slot(m.declared_parameters + hoisted.size());
        hoisted.push_back(id);
      }
    }
    m.hidden_parameters = hoisted.size();
    m.inputs = parameter_slot(m.declared_parameters + m.hidden_parameters);
    const std::function<std::optional<std::uint32_t>(NodeId)> leaf =
        [&](NodeId id) -> std::optional<std::uint32_t> {
      if (hidden_slot[id] >= 0) {
        return static_cast<std::uint32_t>(hidden_slot[id]);
      }
      return std::nullopt;
    };

    m.rhs = Program(graph_, rhs_roots_, m.inputs, m.states, leaf);
    m.observables = Program(graph_, observable_roots_, m.inputs, m.states, leaf);
    m.jacobian = Program(graph_, jacobian_roots, m.inputs, m.states, leaf);
    m.derive = Program(graph_, hoisted, m.inputs, m.states);
    m.initial = Program(graph_, initial_roots_, m.inputs, m.states);
    for (const auto& ev : events_) {
      CompiledEvent ce;
      ce.label = ev.label;
      const NodeId condition[] = {ev.condition};
      ce.condition = Program(graph_, condition, m.inputs, m.states, leaf);
      const NodeId trigger[] = {ev.trigger};
      ce.trigger = Program(graph_, trigger, m.inputs, m.states, leaf);
      if (!ev.guards.empty()) {
        NodeId all = ev.guards.front();
        for (std::size_t k = 1; k < ev.guards.size(); ++k) {
          all = graph_.make(Op::logical_and, all, ev.guards[k]);
        }
        const NodeId guard[] = {all};
        ce.guard = Program(graph_, guard, m.inputs, m.states);
      }
      ce.action = Program(graph_, ev.values, m.inputs, m.states, leaf);
      ce.targets = ev.targets;
      const EventSpec& spec = spec_.events[&ev - events_.data()];
      ce.repeat = spec.repeat;
      ce.at_start = spec.at_start;
      m.events.push_back(std::move(ce));
    }
    hoisted_ = std::move(hoisted);
    m.rhs_listing = listing(m.rhs);
    fill_info();
  }

  std::string slot_name(std::uint32_t slot) const {
    const CompiledModel& m = *out_;
    if (slot == 0) {
      return "t";
    }
    if (slot <= m.states) {
      return spec_.states[slot - 1].name;
    }
    const std::size_t j = slot - 1 - m.states;
    if (j < m.declared_parameters) {
      return spec_.parameters[j].name;
    }
    if (j < m.declared_parameters + m.hidden_parameters) {
      return fmt::format("h{}", j - m.declared_parameters);
    }
    return fmt::format("r{}", slot);
  }

  std::string listing(const Program& program) const {
    std::string out;
    for (const auto& in : program.code()) {
      const int k = code_arity(in.code);
      out += fmt::format("r{} = {}", in.dst, code_name(in.code));
      const std::uint32_t args[3] = {in.a, in.b, in.c};
      for (int i = 0; i < k; ++i) {
        out += (i == 0 ? " " : ", ") + slot_name(args[i]);
      }
      out += '\n';
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // The description

  void fill_info() {
    CompiledModel& m = *out_;
    ModelInfo& info = m.info;
    info.name = spec_.name.empty() ? "user_model" : spec_.name;
    info.title = spec_.title.empty() ? "Model written by a user (" + info.name + ")" : spec_.title;
    info.summary = spec_.summary.empty() ? "(no summary given)" : spec_.summary;
    info.references = spec_.references.empty() ? "(none given)" : spec_.references;
    info.deviations = spec_.deviations.empty() ? "(none given)" : spec_.deviations;
    info.default_solver = spec_.default_solver;
    std::string eq;
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      const auto e = static_cast<std::size_t>(equation_of_[i]);
      eq += fmt::format("d{}/dt = {}\n", spec_.states[i].name, expr::to_text(*equation_trees_[e]));
    }
    for (std::size_t k = 0; k < spec_.observables.size(); ++k) {
      eq +=
          fmt::format("{} = {}\n", spec_.observables[k].name, expr::to_text(*observable_trees_[k]));
    }
    for (std::size_t f = 0; f < spec_.functions.size(); ++f) {
      eq += fmt::format("{}({}) = {}\n", spec_.functions[f].name,
                        join(spec_.functions[f].arguments), expr::to_text(functions_[f].body));
    }
    for (const auto& ev : spec_.events) {
      std::vector<std::string> parts;
      for (const auto& l : ev.let) {
        parts.push_back(fmt::format("let {} = {}", l.target, l.value.text));
      }
      for (const auto& a : ev.assign) {
        parts.push_back(fmt::format("{} = {}", a.target, a.value.text));
      }
      eq += fmt::format("when {}{}: {}\n", ev.trigger.text,
                        ev.at_start ? " (also at the start)" : "", join(parts, "; "));
    }
    if (!eq.empty()) {
      eq.pop_back();
    }
    info.equations = eq;
    for (const auto& s : spec_.states) {
      info.states.push_back({s.name, s.unit.empty() ? "1" : s.unit,
                             s.description.empty() ? "(no description)" : s.description,
                             s.nonnegative});
    }
    for (const auto& p : spec_.parameters) {
      ParameterInfo pi;
      pi.name = p.name;
      pi.unit = p.unit.empty() ? "1" : p.unit;
      pi.description = p.description.empty() ? "(no description)" : p.description;
      pi.default_value = p.value;
      pi.min = p.min;
      pi.max = p.max;
      pi.source = p.source.empty() ? "assumed: no source given" : p.source;
      pi.internal = p.internal;
      info.parameters.push_back(std::move(pi));
    }
    for (std::size_t k = 0; k < hoisted_.size(); ++k) {
      ParameterInfo pi;
      pi.name = fmt::format("(derived {})", k + 1);
      pi.unit = "1";
      pi.description = "a value of parameters computed once per run and after every event";
      pi.default_value = 0.0;
      pi.source = "derived";
      pi.internal = true;
      info.parameters.push_back(std::move(pi));
    }
    for (const auto& o : spec_.observables) {
      info.observables.push_back({o.name, o.unit.empty() ? "1" : o.unit,
                                  o.description.empty() ? "(no description)" : o.description});
    }
    std::set<std::string> metric_names;
    for (const auto& entry : spec_.metrics) {
      MetricSpec metric = entry.metric;
      const auto symbol = symbols_.find(metric.variable);
      if (symbol == symbols_.end() ||
          (symbol->second.kind != Kind::state && symbol->second.kind != Kind::observable)) {
        std::vector<std::string> variables;
        for (const auto& s : spec_.states) {
          variables.push_back(s.name);
        }
        for (const auto& o : spec_.observables) {
          variables.push_back(o.name);
        }
        fail(entry.where, unknown_name_message("state or observable", metric.variable, variables,
                                               "states and observables"));
      }
      if (!metric_names.insert(metric.name).second) {
        fail(entry.where, fmt::format("metric '{}' is given twice", metric.name));
      }
      if (metric.unit.empty()) {
        std::string unit;
        for (const auto& s : info.states) {
          if (s.name == metric.variable) {
            unit = s.unit;
          }
        }
        for (const auto& o : info.observables) {
          if (o.name == metric.variable) {
            unit = o.unit;
          }
        }
        metric.unit = metric_is_time(metric.kind)      ? std::string("d")
                      : metric.kind == MetricKind::auc ? unit + "*d"
                                                       : unit;
      }
      info.metrics.push_back(std::move(metric));
    }
    // Hidden parameters default to their values at the declared defaults.
    std::vector<double> frame(std::max<std::size_t>(m.derive.frame_size(), m.inputs), 0.0);
    std::vector<double> p(m.declared_parameters + m.hidden_parameters, 0.0);
    for (std::size_t j = 0; j < m.declared_parameters; ++j) {
      p[j] = spec_.parameters[j].value;
    }
    m.derive.load(frame.data(), 0.0, nullptr, p.data());
    m.derive.run(frame.data());
    for (std::size_t k = 0; k < hoisted_.size(); ++k) {
      info.parameters[m.declared_parameters + k].default_value = frame[m.derive.output_slots()[k]];
    }
  }

  struct EventNodes {
    std::string label;
    NodeId trigger = 0;
    NodeId condition = 0;
    std::vector<NodeId> guards;
    std::vector<EventTarget> targets;
    std::vector<NodeId> values;
  };

  struct ParsedTree {
    const SourceText* source;
    expr::SyntaxTree tree;
  };

  const ModelSpec& spec_;
  std::shared_ptr<CompiledModel> out_;
  std::map<std::string, Symbol> symbols_;
  std::vector<std::string> names_;
  std::vector<int> equation_of_;
  std::vector<expr::FunctionDef> functions_;
  std::deque<ParsedTree> trees_;  // a deque: references into it stay valid as it grows
  std::vector<const expr::SyntaxTree*> observable_trees_, equation_trees_, initial_trees_;
  Graph graph_;
  std::vector<NodeId> observable_node_, initial_node_, initial_observable_;
  std::vector<std::size_t> observable_stack_, initial_stack_;
  std::vector<NodeId> rhs_roots_, observable_roots_, initial_roots_;
  std::vector<EventNodes> events_;
  std::set<std::size_t> event_parameters_;
  std::vector<NodeId> hoisted_;
};

}  // namespace

InputLocation SourceText::at(int column) const {
  if (column >= 1 && static_cast<std::size_t>(column) <= positions.size()) {
    InputLocation location = where;
    location.line = positions[static_cast<std::size_t>(column) - 1].first;
    location.column = positions[static_cast<std::size_t>(column) - 1].second;
    return location;
  }
  if (column > 1 && !positions.empty()) {  // past the end: just after the last character
    InputLocation location = where;
    location.line = positions.back().first;
    location.column = positions.back().second + 1;
    return location;
  }
  return where;
}

std::shared_ptr<CompiledModel> build_model(const ModelSpec& spec) {
  return Compiler(spec).run();
}

}  // namespace cartsim::equations
