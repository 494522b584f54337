#include "program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"

namespace cartsim::equations {

using expr::NodeId;
using expr::Op;

Program::Program(const expr::Graph& graph, std::span<const NodeId> roots, std::uint32_t inputs,
                 std::size_t states,
                 const std::function<std::optional<std::uint32_t>(NodeId)>& leaf)
    : inputs_(inputs), parameters_at_(static_cast<std::uint32_t>(1 + states)) {
  if (roots.empty()) {
    frame_size_ = inputs;
    return;
  }
  const NodeId top = *std::max_element(roots.begin(), roots.end());
  // Which nodes are needed, and which are read rather than computed.
  std::vector<char> needed(top + 1, 0);
  std::vector<std::int64_t> read_slot(top + 1, -1);
  for (NodeId r : roots) {
    needed[r] = 1;
  }
  for (NodeId id = top + 1; id-- > 0;) {
    if (!needed[id]) {
      continue;
    }
    const expr::Node& n = graph[id];
    if (n.op == Op::variable) {
      read_slot[id] = n.variable;
      continue;
    }
    if (leaf) {
      if (const auto slot = leaf(id)) {
        read_slot[id] = *slot;
        continue;
      }
    }
    for (int k = 0; k < expr::arity(n.op); ++k) {
      needed[n.args[k]] = 1;
    }
  }
  // Constants get slots after the inputs.
  std::unordered_map<NodeId, std::uint32_t> constant_slot;
  for (NodeId id = 0; id <= top; ++id) {
    if (needed[id] && read_slot[id] < 0 && graph[id].op == Op::constant) {
      read_slot[id] = inputs + static_cast<std::uint32_t>(constants_.size());
      constants_.push_back(graph[id].value);
    }
  }
  const auto first_temp = inputs + static_cast<std::uint32_t>(constants_.size());
  // The inputs read: only these are copied in at each call.
  for (NodeId id = 0; id <= top; ++id) {
    if (!needed[id] || read_slot[id] < 0 || graph[id].op == Op::constant) {
      continue;
    }
    const auto s = static_cast<std::uint32_t>(read_slot[id]);
    if (s >= inputs) {
      continue;
    }
    if (s == 0) {
      reads_time_ = true;
    } else if (s < parameters_at_) {
      read_states_.push_back(s - 1);
    } else {
      read_parameters_.push_back(s - parameters_at_);
    }
  }
  std::sort(read_states_.begin(), read_states_.end());
  read_states_.erase(std::unique(read_states_.begin(), read_states_.end()), read_states_.end());
  std::sort(read_parameters_.begin(), read_parameters_.end());
  read_parameters_.erase(std::unique(read_parameters_.begin(), read_parameters_.end()),
                         read_parameters_.end());

  // Fusion: an arithmetic result read only once, by an arithmetic operation, is computed inside
  // that operation's instruction (a superinstruction), so the intermediate never goes through
  // the frame. An instruction absorbs at most one operand, and an absorbing one is not absorbed.
  std::vector<std::uint32_t> uses(top + 1, 0);
  for (NodeId id = 0; id <= top; ++id) {
    if (needed[id] && read_slot[id] < 0) {
      const expr::Node& n = graph[id];
      for (int k = 0; k < expr::arity(n.op); ++k) {
        ++uses[n.args[k]];
      }
    }
  }
  for (NodeId r : roots) {
    uses[r] += 2;  // read after the program: never absorbed
  }
  auto arithmetic = [](Op op) {
    return op == Op::add || op == Op::sub || op == Op::mul || op == Op::div;
  };
  auto computed = [&](NodeId id) { return needed[id] && read_slot[id] < 0; };
  std::vector<std::int8_t> absorbed_at(top + 1, -1);  // U: which operand it absorbs
  std::vector<char> absorbed(top + 1, 0);
  for (NodeId id = 0; id <= top; ++id) {
    if (!computed(id) || !arithmetic(graph[id].op)) {
      continue;
    }
    const expr::Node& u = graph[id];
    for (int k = 0; k < 2; ++k) {
      const NodeId x = u.args[k];
      if (computed(x) && arithmetic(graph[x].op) && uses[x] == 1 && absorbed_at[x] < 0 &&
          u.args[1 - k] != x) {
        absorbed_at[id] = static_cast<std::int8_t>(k);
        absorbed[x] = 1;
        break;
      }
    }
  }
  auto index_of = [](Op op) {
    return op == Op::add ? 0 : op == Op::sub ? 1 : op == Op::mul ? 2 : 3;
  };
  // The operands an emitted instruction reads.
  auto operands = [&](NodeId id, std::vector<NodeId>& out) {
    out.clear();
    const expr::Node& n = graph[id];
    if (absorbed_at[id] >= 0) {
      const int k = absorbed_at[id];
      const expr::Node& x = graph[n.args[k]];
      out = {x.args[0], x.args[1], n.args[1 - k]};
      return;
    }
    for (int k = 0; k < expr::arity(n.op); ++k) {
      out.push_back(n.args[k]);
    }
  };

  // The last instruction reading each computed node (roots are read after the program: never
  // freed).
  constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> last_use(top + 1, -1);
  std::vector<NodeId> args;
  std::int64_t position = 0;
  for (NodeId id = 0; id <= top; ++id) {
    if (!computed(id) || absorbed[id]) {
      continue;
    }
    operands(id, args);
    for (NodeId a : args) {
      last_use[a] = position;
    }
    ++position;
  }
  for (NodeId r : roots) {
    last_use[r] = forever;
  }

  std::vector<std::uint32_t> free_slots;
  std::uint32_t next_slot = first_temp;
  std::vector<std::uint32_t> slot(top + 1, 0);
  position = 0;
  for (NodeId id = 0; id <= top; ++id) {
    if (!needed[id] || absorbed[id]) {
      continue;
    }
    if (read_slot[id] >= 0) {
      slot[id] = static_cast<std::uint32_t>(read_slot[id]);
      continue;
    }
    const expr::Node& n = graph[id];
    operands(id, args);
    Instruction in{static_cast<std::uint8_t>(n.op), 0, 0, 0, 0};
    if (absorbed_at[id] >= 0) {
      const int k = absorbed_at[id];
      in.code = static_cast<std::uint8_t>(
          first_fused + ((index_of(graph[n.args[k]].op) * 4 + index_of(n.op)) * 2 + k));
    }
    in.a = args.size() > 0 ? slot[args[0]] : 0;
    in.b = args.size() > 1 ? slot[args[1]] : 0;
    in.c = args.size() > 2 ? slot[args[2]] : 0;
    uses_random_ = uses_random_ || expr::is_random(n.op);
    // Operands whose last reader this is give their slots back before the result takes one (an
    // instruction reads all its operands before it writes).
    for (NodeId arg : args) {
      if (read_slot[arg] < 0 && last_use[arg] == position) {
        last_use[arg] = -2;  // freed once even if it is two operands of this instruction
        free_slots.push_back(slot[arg]);
      }
    }
    if (free_slots.empty()) {
      slot[id] = next_slot++;
    } else {
      slot[id] = free_slots.back();
      free_slots.pop_back();
    }
    in.dst = slot[id];
    code_.push_back(in);
    ++position;
  }
  frame_size_ = next_slot;
  for (NodeId r : roots) {
    outputs_.push_back(slot[r]);
  }
}

void Program::run(double* r, RandomStream* random) const {
  for (const Instruction& in : code_) {
    switch (in.code) {
      case op_code(Op::add):
        r[in.dst] = r[in.a] + r[in.b];
        break;
      case op_code(Op::sub):
        r[in.dst] = r[in.a] - r[in.b];
        break;
      case op_code(Op::mul):
        r[in.dst] = r[in.a] * r[in.b];
        break;
      case op_code(Op::div):
        r[in.dst] = r[in.a] / r[in.b];
        break;
      case op_code(Op::neg):
        r[in.dst] = -r[in.a];
        break;
      case op_code(Op::log):
        r[in.dst] = expr::apply(Op::log, r[in.a], 0.0, 0.0);
        break;
      case op_code(Op::exp):
        r[in.dst] = expr::apply(Op::exp, r[in.a], 0.0, 0.0);
        break;
      case op_code(Op::pow):
        r[in.dst] = expr::apply(Op::pow, r[in.a], r[in.b], 0.0);
        break;
      case op_code(Op::select):
        r[in.dst] = r[in.a] != 0.0 ? r[in.b] : r[in.c];
        break;
      case op_code(Op::min):
        r[in.dst] = expr::apply(Op::min, r[in.a], r[in.b], 0.0);
        break;
      case op_code(Op::max):
        r[in.dst] = expr::apply(Op::max, r[in.a], r[in.b], 0.0);
        break;
      case op_code(Op::lt):
        r[in.dst] = r[in.a] < r[in.b] ? 1.0 : 0.0;
        break;
      case op_code(Op::le):
        r[in.dst] = r[in.a] <= r[in.b] ? 1.0 : 0.0;
        break;
      case op_code(Op::gt):
        r[in.dst] = r[in.a] > r[in.b] ? 1.0 : 0.0;
        break;
      case op_code(Op::ge):
        r[in.dst] = r[in.a] >= r[in.b] ? 1.0 : 0.0;
        break;
      case op_code(Op::uniform):
        r[in.dst] = random->uniform();
        break;
      case op_code(Op::exponential):
        r[in.dst] = random->exponential();
        break;
      case op_code(Op::normal):
        r[in.dst] = random->normal();
        break;
      // Fused pairs (first_fused + (inner * 4 + outer) * 2 + side; + - * / numbered 0..3):
      // side 0: (a inner b) outer c; side 1: c outer (a inner b). Same roundings as unfused.
      case first_fused + 0:
        r[in.dst] = (r[in.a] + r[in.b]) + r[in.c];
        break;
      case first_fused + 1:
        r[in.dst] = r[in.c] + (r[in.a] + r[in.b]);
        break;
      case first_fused + 2:
        r[in.dst] = (r[in.a] + r[in.b]) - r[in.c];
        break;
      case first_fused + 3:
        r[in.dst] = r[in.c] - (r[in.a] + r[in.b]);
        break;
      case first_fused + 4:
        r[in.dst] = (r[in.a] + r[in.b]) * r[in.c];
        break;
      case first_fused + 5:
        r[in.dst] = r[in.c] * (r[in.a] + r[in.b]);
        break;
      case first_fused + 6:
        r[in.dst] = (r[in.a] + r[in.b]) / r[in.c];
        break;
      case first_fused + 7:
        r[in.dst] = r[in.c] / (r[in.a] + r[in.b]);
        break;
      case first_fused + 8:
        r[in.dst] = (r[in.a] - r[in.b]) + r[in.c];
        break;
      case first_fused + 9:
        r[in.dst] = r[in.c] + (r[in.a] - r[in.b]);
        break;
      case first_fused + 10:
        r[in.dst] = (r[in.a] - r[in.b]) - r[in.c];
        break;
      case first_fused + 11:
        r[in.dst] = r[in.c] - (r[in.a] - r[in.b]);
        break;
      case first_fused + 12:
        r[in.dst] = (r[in.a] - r[in.b]) * r[in.c];
        break;
      case first_fused + 13:
        r[in.dst] = r[in.c] * (r[in.a] - r[in.b]);
        break;
      case first_fused + 14:
        r[in.dst] = (r[in.a] - r[in.b]) / r[in.c];
        break;
      case first_fused + 15:
        r[in.dst] = r[in.c] / (r[in.a] - r[in.b]);
        break;
      case first_fused + 16:
        r[in.dst] = (r[in.a] * r[in.b]) + r[in.c];
        break;
      case first_fused + 17:
        r[in.dst] = r[in.c] + (r[in.a] * r[in.b]);
        break;
      case first_fused + 18:
        r[in.dst] = (r[in.a] * r[in.b]) - r[in.c];
        break;
      case first_fused + 19:
        r[in.dst] = r[in.c] - (r[in.a] * r[in.b]);
        break;
      case first_fused + 20:
        r[in.dst] = (r[in.a] * r[in.b]) * r[in.c];
        break;
      case first_fused + 21:
        r[in.dst] = r[in.c] * (r[in.a] * r[in.b]);
        break;
      case first_fused + 22:
        r[in.dst] = (r[in.a] * r[in.b]) / r[in.c];
        break;
      case first_fused + 23:
        r[in.dst] = r[in.c] / (r[in.a] * r[in.b]);
        break;
      case first_fused + 24:
        r[in.dst] = (r[in.a] / r[in.b]) + r[in.c];
        break;
      case first_fused + 25:
        r[in.dst] = r[in.c] + (r[in.a] / r[in.b]);
        break;
      case first_fused + 26:
        r[in.dst] = (r[in.a] / r[in.b]) - r[in.c];
        break;
      case first_fused + 27:
        r[in.dst] = r[in.c] - (r[in.a] / r[in.b]);
        break;
      case first_fused + 28:
        r[in.dst] = (r[in.a] / r[in.b]) * r[in.c];
        break;
      case first_fused + 29:
        r[in.dst] = r[in.c] * (r[in.a] / r[in.b]);
        break;
      case first_fused + 30:
        r[in.dst] = (r[in.a] / r[in.b]) / r[in.c];
        break;
      case first_fused + 31:
        r[in.dst] = r[in.c] / (r[in.a] / r[in.b]);
        break;
      default:
        r[in.dst] = expr::apply(static_cast<Op>(in.code), r[in.a], r[in.b], r[in.c]);
        break;
    }
  }
}

namespace {
/// Per-thread buffers for frames too large for the stack, one per nesting level.
struct FramePool {
  std::vector<std::vector<double>> buffers;
  std::size_t depth = 0;
};
thread_local FramePool pool;
}  // namespace

Frame::Frame(std::size_t size) : data_(small_) {
  if (size > on_stack) {
    if (pool.buffers.size() <= pool.depth) {
      pool.buffers.resize(pool.depth + 1);
    }
    auto& buffer = pool.buffers[pool.depth++];
    if (buffer.size() < size) {
      buffer.resize(size);
    }
    data_ = buffer.data();
    pooled_ = true;
  }
}

Frame::~Frame() {
  if (pooled_) {
    --pool.depth;
  }
}

}  // namespace cartsim::equations

namespace cartsim::equations {

std::string code_name(std::uint8_t c) {
  if (c < first_fused) {
    return std::string(expr::op_name(static_cast<expr::Op>(c)));
  }
  static const char* ops[] = {"+", "-", "*", "/"};
  const int k = c - first_fused;
  const int side = k % 2;
  const int outer = (k / 2) % 4;
  const int inner = k / 8;
  return side == 0 ? fmt::format("(a {} b) {} c", ops[inner], ops[outer])
                   : fmt::format("c {} (a {} b)", ops[outer], ops[inner]);
}

int code_arity(std::uint8_t c) {
  return c < first_fused ? expr::arity(static_cast<expr::Op>(c)) : 3;
}

}  // namespace cartsim::equations
