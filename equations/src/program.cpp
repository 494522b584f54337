#include "program.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"

namespace cartsim::equations {

using expr::NodeId;
using expr::Op;

Program::Program(const expr::Graph& graph, std::span<const NodeId> roots, std::uint32_t inputs,
                 const std::function<std::optional<std::uint32_t>(NodeId)>& leaf)
    : inputs_(inputs) {
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

  // The last instruction reading each computed node (roots are read after the program: never
  // freed).
  constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> last_use(top + 1, -1);
  std::int64_t position = 0;
  for (NodeId id = 0; id <= top; ++id) {
    if (!needed[id] || read_slot[id] >= 0) {
      continue;
    }
    const expr::Node& n = graph[id];
    for (int k = 0; k < expr::arity(n.op); ++k) {
      last_use[n.args[k]] = position;
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
    if (!needed[id]) {
      continue;
    }
    if (read_slot[id] >= 0) {
      slot[id] = static_cast<std::uint32_t>(read_slot[id]);
      continue;
    }
    const expr::Node& n = graph[id];
    Instruction in{n.op, 0, 0, 0, 0};
    const int k = expr::arity(n.op);
    in.a = k > 0 ? slot[n.args[0]] : 0;
    in.b = k > 1 ? slot[n.args[1]] : 0;
    in.c = k > 2 ? slot[n.args[2]] : 0;
    uses_random_ = uses_random_ || expr::is_random(n.op);
    // Operands whose last reader this is give their slots back before the result takes one (an
    // instruction reads all its operands before it writes).
    for (int j = 0; j < k; ++j) {
      const NodeId arg = n.args[j];
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
    if (last_use[id] < 0) {
      free_slots.push_back(slot[id]);  // computed but never read (cannot happen for needed nodes)
    }
  }
  frame_size_ = next_slot;
  for (NodeId r : roots) {
    outputs_.push_back(slot[r]);
  }
}

void Program::run(double* r, RandomStream* random) const {
  std::copy(constants_.begin(), constants_.end(), r + inputs_);
  for (const Instruction& in : code_) {
    const double a = r[in.a];
    switch (in.op) {
      case Op::add:
        r[in.dst] = a + r[in.b];
        break;
      case Op::sub:
        r[in.dst] = a - r[in.b];
        break;
      case Op::mul:
        r[in.dst] = a * r[in.b];
        break;
      case Op::div:
        r[in.dst] = a / r[in.b];
        break;
      case Op::neg:
        r[in.dst] = -a;
        break;
      case Op::log:
        r[in.dst] = expr::apply(Op::log, a, 0.0, 0.0);
        break;
      case Op::exp:
        r[in.dst] = expr::apply(Op::exp, a, 0.0, 0.0);
        break;
      case Op::pow:
        r[in.dst] = expr::apply(Op::pow, a, r[in.b], 0.0);
        break;
      case Op::select:
        r[in.dst] = a != 0.0 ? r[in.b] : r[in.c];
        break;
      case Op::min:
        r[in.dst] = expr::apply(Op::min, a, r[in.b], 0.0);
        break;
      case Op::max:
        r[in.dst] = expr::apply(Op::max, a, r[in.b], 0.0);
        break;
      case Op::lt:
        r[in.dst] = a < r[in.b] ? 1.0 : 0.0;
        break;
      case Op::le:
        r[in.dst] = a <= r[in.b] ? 1.0 : 0.0;
        break;
      case Op::gt:
        r[in.dst] = a > r[in.b] ? 1.0 : 0.0;
        break;
      case Op::ge:
        r[in.dst] = a >= r[in.b] ? 1.0 : 0.0;
        break;
      case Op::uniform:
        r[in.dst] = random->uniform();
        break;
      case Op::exponential:
        r[in.dst] = random->exponential();
        break;
      case Op::normal:
        r[in.dst] = random->normal();
        break;
      default:
        r[in.dst] = expr::apply(in.op, a, r[in.b], r[in.c]);
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
