#pragma once
// Internal to the equations library: straight-line register programs compiled from an expression
// graph. A program reads and writes one array of doubles, its frame:
//
//   [ inputs (the caller's: t, y, p) | constants | temporaries ]
//
// The caller copies the inputs in; run() copies the constants in and executes the instructions
// (three-address code, one switch per instruction, no tree walking, no allocation); the results
// are then at output_slots(). Temporaries are reused once their last reader has run, so a model's
// frame stays small.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cartsim/core/expression.hpp"

namespace cartsim {
class RandomStream;
}

namespace cartsim::equations {

/// An instruction's operation: an expr::Op, or (from first_fused on) a fused pair of arithmetic
/// operations (program.cpp).
inline constexpr std::uint8_t first_fused = 128;
constexpr std::uint8_t op_code(expr::Op op) {
  return static_cast<std::uint8_t>(op);
}
/// "+", "(a * b) - c", ...: the operation of an instruction, for listings.
std::string code_name(std::uint8_t code);
/// Operands an instruction reads.
int code_arity(std::uint8_t code);

struct Instruction {
  std::uint8_t code;
  std::uint32_t dst;
  std::uint32_t a;
  std::uint32_t b;
  std::uint32_t c;
};

class Program {
 public:
  /// Compiles the nodes `roots` need. A graph variable's `variable` is its frame slot; `leaf`
  /// gives the slot of any other node to be read from the inputs instead of computed (e.g. a value
  /// of parameters precomputed once per run), or std::nullopt. `inputs` is the size of the input
  /// region.
  /// Input slot 0 is t, slots 1..states the states, the rest parameters.
  Program(const expr::Graph& graph, std::span<const expr::NodeId> roots, std::uint32_t inputs,
          std::size_t states,
          const std::function<std::optional<std::uint32_t>(expr::NodeId)>& leaf = {});
  Program() = default;

  std::size_t frame_size() const { return frame_size_; }
  std::uint32_t inputs() const { return inputs_; }
  /// Where each root's value is after run().
  const std::vector<std::uint32_t>& output_slots() const { return outputs_; }
  std::size_t instructions() const { return code_.size(); }
  const std::vector<Instruction>& code() const { return code_; }
  bool uses_random() const { return uses_random_; }

  /// Copies into `frame` the inputs the program reads (and only those) and its constants.
  void load(double* frame, double t, const double* y, const double* p) const {
    if (reads_time_) {
      frame[0] = t;
    }
    for (const std::uint32_t i : read_states_) {
      frame[1 + i] = y[i];
    }
    for (const std::uint32_t j : read_parameters_) {
      frame[parameters_at_ + j] = p[j];
    }
    for (std::size_t k = 0; k < constants_.size(); ++k) {
      frame[inputs_ + k] = constants_[k];
    }
  }
  /// Executes the program on `frame` (frame_size() doubles, load()ed). `random` serves
  /// uniform(), exponential() and normal(); it may be null when uses_random() is false.
  void run(double* frame, RandomStream* random = nullptr) const;

 private:
  std::vector<Instruction> code_;
  std::vector<double> constants_;
  std::uint32_t inputs_ = 0;
  std::size_t frame_size_ = 0;
  std::vector<std::uint32_t> outputs_;
  bool uses_random_ = false;
  bool reads_time_ = false;
  std::uint32_t parameters_at_ = 0;
  std::vector<std::uint32_t> read_states_, read_parameters_;
};

/// A frame for one call: on the stack for small programs, else a per-thread buffer that grows
/// once (so a call never allocates after the first on each thread).
class Frame {
 public:
  explicit Frame(std::size_t size);
  ~Frame();
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  double* data() { return data_; }
  double& operator[](std::size_t i) { return data_[i]; }

 private:
  static constexpr std::size_t on_stack = 512;
  double small_[on_stack];
  double* data_;
  bool pooled_ = false;
};

}  // namespace cartsim::equations
