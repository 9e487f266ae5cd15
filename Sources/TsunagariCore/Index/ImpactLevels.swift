import Foundation

/// The impact level (0…31) of a BM25 score against the top score of the index:
///     level = round(4 · log2(score / top)) + 31, clamped to 0…31, halves rounded away from 0.
/// The ratio is compared with the 31 ratios where the level changes, made once; a ratio within
/// a hair of one of them is given to the formula, so every level is the formula's. (A log2 and
/// a rounding for each of the index's postings were about 1 % of a build's instructions.)
struct ImpactLevels: Sendable {
    let top: Double
    /// bounds[k] = 2^(−(k + ½)/4), falling: a ratio at or below bounds[k] is below level 31 − k.
    private let bounds: [Double]
    /// How near (relative) a ratio may come to a bound before the formula decides: far more
    /// than log2's error, far less than the distance between two bounds.
    private static let margin = 1e-9

    init(top: Double) {
        self.top = top
        bounds = (0..<(SearchIndexer.levels - 1)).map { exp2(-(Double($0) + 0.5) / 4) }
    }

    func level(_ score: Double) -> Int {
        guard top > 0, score > 0 else { return 0 }
        let ratio = score / top
        // The number of bounds at or above the ratio (binary search on a falling array).
        var low = 0, high = bounds.count
        while low < high {
            let middle = (low + high) >> 1
            if bounds[middle] >= ratio { low = middle + 1 } else { high = middle }
        }
        let margin = ImpactLevels.margin * ratio
        if (low > 0 && bounds[low - 1] - ratio <= margin) || (low < bounds.count && ratio - bounds[low] <= margin) {
            return ImpactLevels.formula(score, top: top)
        }
        return SearchIndexer.levels - 1 - low
    }

    static func formula(_ score: Double, top: Double) -> Int {
        guard top > 0, score > 0 else { return 0 }
        let l = Int((4 * log2(score / top)).rounded()) + SearchIndexer.levels - 1
        return min(SearchIndexer.levels - 1, max(0, l))
    }
}
