import Foundation

/// The impact level (0…31) of a BM25 score against the top score of the index:
///     level = round(4 · log2(score / top)) + 31, clamped to 0…31, halves rounded away from 0.
/// The ratio's bits give its binary exponent e and significand m (1 ≤ m < 2):
/// 4 · log2(ratio) = 4e + 4 · log2(m), and 4 · log2(m) rounds up past each of ½, 1½, 2½ and 3½
/// where m passes 2^(1/8), 2^(3/8), 2^(5/8) and 2^(7/8). A significand within a hair of one of
/// these is given to the formula, so every level is the formula's. (A log2 and a rounding for
/// each of the index's postings were about 1 % of a build's instructions; a binary search over
/// the 31 bounds, 1.5 %, and its branches were unpredictable.)
struct ImpactLevels: Sendable {
    let top: Double
    /// The significand bits (the low 52 of a Double) of 2^(1/8), 2^(3/8), 2^(5/8), 2^(7/8), and
    /// around each the bits within a hair of it (relative 1.5 · 10⁻⁹: far more than log2's
    /// error, far less than the distance between two steps), where the formula decides.
    /// (Stored in the value, made once: a static is checked for its initialization at each use.)
    private let steps: (UInt64, UInt64, UInt64, UInt64)
    private let near: ((UInt64, UInt64), (UInt64, UInt64), (UInt64, UInt64), (UInt64, UInt64))

    private static func significandBits(_ x: Double) -> UInt64 { x.bitPattern & (1 << 52 - 1) }

    init(top: Double) {
        self.top = top
        let s = [0.125, 0.375, 0.625, 0.875].map { exp2($0) }
        let bits = s.map(ImpactLevels.significandBits)
        let around = s.map { (ImpactLevels.significandBits($0 * (1 - 1.5e-9)), ImpactLevels.significandBits($0 * (1 + 1.5e-9))) }
        steps = (bits[0], bits[1], bits[2], bits[3])
        near = (around[0], around[1], around[2], around[3])
    }

    func level(_ score: Double) -> Int {
        guard top > 0, score > 0 else { return 0 }
        let bits = (score / top).bitPattern
        let biased = Int(bits >> 52)   // (the sign bit is 0: the ratio is positive)
        // Zero or subnormal (below 2^−1022: level 0 by far); infinite or NaN (an infinite
        // score, never made by BM25 here): the top level, as the bounds' search gave.
        guard biased > 0 else { return 0 }
        guard biased < 0x7FF else { return SearchIndexer.levels - 1 }
        let m = bits & (1 << 52 - 1)
        @inline(__always) func within(_ range: (UInt64, UInt64)) -> Bool { m >= range.0 && m <= range.1 }
        if within(near.0) || within(near.1) || within(near.2) || within(near.3) {
            return ImpactLevels.formula(score, top: top)
        }
        var k = 0
        if m >= steps.0 { k += 1 }
        if m >= steps.1 { k += 1 }
        if m >= steps.2 { k += 1 }
        if m >= steps.3 { k += 1 }
        let l = 4 * (biased - 1023) + k + SearchIndexer.levels - 1
        return min(SearchIndexer.levels - 1, max(0, l))
    }

    static func formula(_ score: Double, top: Double) -> Int {
        guard top > 0, score > 0 else { return 0 }
        let l = Int((4 * log2(score / top)).rounded()) + SearchIndexer.levels - 1
        return min(SearchIndexer.levels - 1, max(0, l))
    }
}
