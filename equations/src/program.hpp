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
#include <vector>

#include "cartsim/core/expression.hpp"

namespace cartsim {
class RandomStream;
}

namespace cartsim::equations {

struct Instruction {
  expr::Op op;
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
  Program(const expr::Graph& graph, std::span<const expr::NodeId> roots, std::uint32_t inputs,
          const std::function<std::optional<std::uint32_t>(expr::NodeId)>& leaf = {});
  Program() = default;

  std::size_t frame_size() const { return frame_size_; }
  std::uint32_t inputs() const { return inputs_; }
  /// Where each root's value is after run().
  const std::vector<std::uint32_t>& output_slots() const { return outputs_; }
  std::size_t instructions() const { return code_.size(); }
  const std::vector<Instruction>& code() const { return code_; }
  bool uses_random() const { return uses_random_; }

  /// Executes the program on `frame` (frame_size() doubles, inputs filled in). `random` serves
  /// uniform(), exponential() and normal(); it may be null when uses_random() is false.
  void run(double* frame, RandomStream* random = nullptr) const;

 private:
  std::vector<Instruction> code_;
  std::vector<double> constants_;
  std::uint32_t inputs_ = 0;
  std::size_t frame_size_ = 0;
  std::vector<std::uint32_t> outputs_;
  bool uses_random_ = false;
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
