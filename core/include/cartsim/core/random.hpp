#pragma once
// Counter-based random numbers (Philox4x64-10, Random123; Salmon et al., SC'11,
// doi:10.1145/2063384.2063405). A stream is keyed by (seed, sample, replicate, purpose): its
// numbers depend only on that key and on how many were drawn before, never on which thread draws
// them or in what order samples run. This is what makes sweeps bitwise identical for any thread
// count.
//
// Purposes separate independent uses within one sample (parameter sampling, stochastic events,
// agent-based updates ...), so adding draws for one purpose never shifts another's numbers.
#include <array>
#include <cstdint>

namespace cartsim {

/// Well-known purposes; models may use their own values >= 1000.
enum class RandomPurpose : std::uint64_t {
  parameters = 1,      ///< sampling a sweep's inputs
  events = 2,          ///< stochastic events inside a run (e.g. birth-death of a small tumour)
  residual_error = 3,  ///< observation noise
  agents = 4,          ///< agent-based model updates
};

struct RandomKey {
  std::uint64_t seed = 0;
  std::uint64_t sample = 0;
  std::uint64_t replicate = 0;
  std::uint64_t purpose = 0;
};

class RandomStream {
 public:
  explicit RandomStream(const RandomKey& key);
  RandomStream(std::uint64_t seed, std::uint64_t sample, std::uint64_t replicate,
               RandomPurpose purpose);

  /// 64 random bits.
  std::uint64_t next_u64();
  /// Uniform on the open interval (0, 1): never 0, never 1 (53-bit resolution).
  double uniform();
  /// Exponential with mean 1 (inversion).
  double exponential();
  /// Standard normal (Box-Muller; both values of a pair are used).
  double normal();
  /// How many 64-bit words have been drawn.
  std::uint64_t draws() const { return counter_ * 4 + used_ - 4; }
  /// The key this stream was made with, e.g. to derive a stream for another purpose of the same
  /// (seed, sample, replicate).
  RandomKey key() const { return {key_[0], sample_, replicate_, key_[1]}; }

 private:
  void refill();

  std::array<std::uint64_t, 2> key_{};
  std::uint64_t sample_ = 0;
  std::uint64_t replicate_ = 0;
  std::uint64_t counter_ = 0;
  std::array<std::uint64_t, 4> block_{};
  unsigned used_ = 4;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace cartsim
