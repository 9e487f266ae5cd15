/// FNV-1a, 64 bits: a short hash that is the same in every process (Swift's `Hasher` is seeded
/// per process). Names the theme's assets and the search index's folder, and hashes the keys of
/// template maps.
public enum FNV1a {
    @inline(__always)
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
