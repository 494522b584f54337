// equations::ModelSpec -> SBML Level 3 Version 2 core (libSBML).
#include <fmt/format.h>
#include <sbml/SBMLTypes.h>

#include <map>
#include <memory>
#include <set>

#include "annotation.hpp"
#include "cartsim/core/errors.hpp"
#include "cartsim/core/expression.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "math.hpp"

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    using equations::ModelSpec;

namespace {

constexpr unsigned level = 3;
constexpr unsigned version = 2;

/// Expressions copied into one tree, with names replaced by earlier values (an event's sequential
/// assignments become SBML's simultaneous ones).
class Combined {
 public:
  int add(const expr::SyntaxTree& source, const std::map<std::string, int>& env) {
    return copy(source, source.root, env);
  }
  expr::SyntaxTree& tree() { return tree_; }

 private:
  int copy(const expr::SyntaxTree& source, int i, const std::map<std::string, int>& env) {
    const expr::SyntaxNode& n = source.node(i);
    if (n.kind == expr::SyntaxNode::Kind::name) {
      if (const auto it = env.find(n.name); it != env.end()) {
        return it->second;
      }
    }
    expr::SyntaxNode out = n;
    out.children.clear();
    for (int c : n.children) {
      out.children.push_back(copy(source, c, env));
    }
    tree_.nodes.push_back(std::move(out));
    return static_cast<int>(tree_.nodes.size()) - 1;
  }
  expr::SyntaxTree tree_;
};

class Exporter {
 public:
  explicit Exporter(const ModelSpec& spec) : spec_(spec), doc_(level, version) {}

  std::string run() {
    model_ = doc_.createModel();
    const std::string id = spec_.name.empty() ? "cartsim_model" : spec_.name;
    model_->setId(id);
    if (!spec_.title.empty()) {
      model_->setName(spec_.title);
    }
    model_->setAnnotation(model_annotation(spec_));
    for (const auto& s : spec_.states) {
      used_.insert(s.name);
    }
    for (const auto& p : spec_.parameters) {
      used_.insert(p.name);
    }
    for (const auto& o : spec_.observables) {
      used_.insert(o.name);
    }
    for (const auto& f : spec_.functions) {
      used_.insert(f.name);
    }
    // cartsim's time is in days.
    UnitDefinition* day = model_->createUnitDefinition();
    day->setId(fresh("day"));
    Unit* second = day->createUnit();
    second->setKind(UNIT_KIND_SECOND);
    second->setExponent(1.0);
    second->setScale(0);
    second->setMultiplier(86400.0);
    model_->setTimeUnits(day->getId());
    compartment_ = fresh("default");
    Compartment* c = model_->createCompartment();
    c->setId(compartment_);
    c->setSize(1.0);
    c->setConstant(true);
    c->setSpatialDimensions(3.0);
    c->setAnnotation(info_annotation({{"generated", "true"}}));

    functions();
    event_targets();
    parameters();
    states();
    observables();
    events();
    SBMLWriter writer;
    char* text = writer.writeToString(&doc_);
    std::string out = text != nullptr ? text : "";
    util_free(text);
    return out;
  }

 private:
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int k = 2; used_.count(name) > 0; ++k) {
      name = fmt::format("{}_{}", base, k);
    }
    used_.insert(name);
    return name;
  }

  static expr::SyntaxTree parse(const equations::SourceText& source, const std::string& what) {
    try {
      return expr::parse_syntax(source.text);
    } catch (const expr::SyntaxError& e) {
      throw ModelError(fmt::format("{}: {}", what, e.what()));
    }
  }

  static std::unique_ptr<ASTNode> math(const expr::SyntaxTree& tree, int node,
                                       const std::string& what) {
    try {
      return text_to_math(tree, node);
    } catch (const MathError& e) {
      throw ModelError(fmt::format("cannot export {} to SBML: {}", what, e.what()));
    }
  }
  static std::unique_ptr<ASTNode> math(const equations::SourceText& source,
                                       const std::string& what) {
    const expr::SyntaxTree tree = parse(source, what);
    return math(tree, tree.root, what);
  }

  void functions() {
    for (const auto& f : spec_.functions) {
      std::string formula = "lambda(";
      for (const auto& a : f.arguments) {
        formula += a + ", ";
      }
      formula += "0)";
      std::unique_ptr<ASTNode> lambda(SBML_parseL3Formula(formula.c_str()));
      if (lambda == nullptr) {
        throw ModelError(fmt::format("cannot export function '{}'", f.name));
      }
      auto body = math(f.body, "function '" + f.name + "'");
      lambda->replaceChild(lambda->getNumChildren() - 1, body.release(), true);
      FunctionDefinition* def = model_->createFunctionDefinition();
      def->setId(f.name);
      def->setMath(lambda.get());
    }
  }

  void event_targets() {
    for (const auto& e : spec_.events) {
      for (const auto& a : e.assign) {
        assigned_.insert(a.target);
      }
    }
  }

  static std::string flag(bool b) { return b ? "true" : "false"; }

  void parameters() {
    for (const auto& p : spec_.parameters) {
      Parameter* out = model_->createParameter();
      out->setId(p.name);
      out->setValue(p.value);
      out->setConstant(assigned_.count(p.name) == 0);
      out->setAnnotation(info_annotation({{"unit", p.unit},
                                          {"description", p.description},
                                          {"source", p.source},
                                          {"min", number_attribute(p.min)},
                                          {"max", number_attribute(p.max)},
                                          {"internal", flag(p.internal)}}));
    }
  }

  static bool is_number(const expr::SyntaxTree& tree, double& value) {
    const expr::SyntaxNode& n = tree.node(tree.root);
    if (n.kind == expr::SyntaxNode::Kind::number) {
      value = n.number;
      return true;
    }
    if (n.kind == expr::SyntaxNode::Kind::unary && n.op == expr::Op::neg &&
        tree.node(n.children[0]).kind == expr::SyntaxNode::Kind::number) {
      value = -tree.node(n.children[0]).number;
      return true;
    }
    return false;
  }

  void states() {
    for (std::size_t i = 0; i < spec_.states.size(); ++i) {
      const auto& s = spec_.states[i];
      Species* out = model_->createSpecies();
      out->setId(s.name);
      out->setCompartment(compartment_);
      out->setHasOnlySubstanceUnits(true);
      out->setBoundaryCondition(false);
      out->setConstant(false);
      out->setAnnotation(info_annotation({{"unit", s.unit},
                                          {"description", s.description},
                                          {"nonnegative", flag(s.nonnegative)}}));
      const expr::SyntaxTree initial = parse(s.initial, "the initial value of " + s.name);
      double value = 0.0;
      if (is_number(initial, value)) {
        out->setInitialAmount(value);
      } else {
        InitialAssignment* ia = model_->createInitialAssignment();
        ia->setSymbol(s.name);
        ia->setMath(math(initial, initial.root, "the initial value of " + s.name).get());
      }
      const equations::EquationSpec* eq = nullptr;
      for (const auto& e : spec_.equations) {
        if (e.state == s.name) {
          eq = &e;
        }
      }
      if (eq == nullptr) {
        throw ModelError(fmt::format("state '{}' has no equation", s.name));
      }
      RateRule* rule = model_->createRateRule();
      rule->setVariable(s.name);
      rule->setMath(math(eq->rate, "the equation of " + s.name).get());
    }
  }

  void observables() {
    for (const auto& o : spec_.observables) {
      Parameter* out = model_->createParameter();
      out->setId(o.name);
      out->setConstant(false);
      out->setAnnotation(info_annotation({{"unit", o.unit}, {"description", o.description}}));
      AssignmentRule* rule = model_->createAssignmentRule();
      rule->setVariable(o.name);
      rule->setMath(math(o.expression, "observable '" + o.name + "'").get());
    }
  }

  void events() {
    for (std::size_t k = 0; k < spec_.events.size(); ++k) {
      const auto& e = spec_.events[k];
      const std::string label = e.name.empty() ? fmt::format("event {}", k + 1) : e.name;
      Event* out = model_->createEvent();
      out->setId(fresh(fmt::format("event_{}", k + 1)));
      out->setUseValuesFromTriggerTime(true);
      std::vector<std::pair<std::string, std::string>> info = {{"name", e.name},
                                                               {"repeat", flag(e.repeat)}};
      Combined combined;
      std::map<std::string, int> env;
      int trigger = combined.add(parse(e.trigger, "the trigger of event '" + label + "'"), env);
      std::string flag_name;
      if (!e.repeat) {
        // SBML events fire at every change from false to true: a flag keeps this one to once.
        flag_name = fresh(fmt::format("event_{}_fired", k + 1));
        Parameter* f = model_->createParameter();
        f->setId(flag_name);
        f->setValue(0.0);
        f->setConstant(false);
        f->setAnnotation(info_annotation({{"generated", "true"}}));
        info.emplace_back("trigger", e.trigger.text);
        const expr::SyntaxTree guard = expr::parse_syntax(flag_name + " == 0");
        const int g = combined.add(guard, env);
        expr::SyntaxNode both;
        both.kind = expr::SyntaxNode::Kind::binary;
        both.op = expr::Op::logical_and;
        both.children = {trigger, g};
        combined.tree().nodes.push_back(both);
        trigger = static_cast<int>(combined.tree().nodes.size()) - 1;
      }
      out->setAnnotation(info_annotation(info));
      Trigger* t = out->createTrigger();
      t->setInitialValue(!e.at_start);
      t->setPersistent(true);
      t->setMath(math(combined.tree(), trigger, "the trigger of event '" + label + "'").get());
      for (const auto& l : e.let) {
        env[l.target] = combined.add(parse(l.value, "event '" + label + "'"), env);
      }
      for (const auto& a : e.assign) {
        const int value = combined.add(parse(a.value, "event '" + label + "'"), env);
        env[a.target] = value;
        EventAssignment* ea = out->createEventAssignment();
        ea->setVariable(a.target);
        ea->setMath(math(combined.tree(), value,
                         "the assignment to '" + a.target + "' of event '" + label + "'")
                        .get());
      }
      if (!flag_name.empty()) {
        EventAssignment* ea = out->createEventAssignment();
        ea->setVariable(flag_name);
        std::unique_ptr<ASTNode> one(SBML_parseL3Formula("1"));
        ea->setMath(one.get());
      }
    }
  }

  const ModelSpec& spec_;
  SBMLDocument doc_;
  Model* model_ = nullptr;
  std::string compartment_;
  std::set<std::string> used_;
  std::set<std::string> assigned_;
};

}  // namespace

std::string export_sbml(const ModelSpec& spec) {
  return Exporter(spec).run();
}

}  // namespace cartsim::sbml
