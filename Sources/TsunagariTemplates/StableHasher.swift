/// A 128-bit hash that is the same in every process and on every machine (Swift's `Hasher` is
/// seeded per process), for fingerprints kept on disk between builds: what a page was made
/// from. Eight bytes a step, in two lanes with different seeds and primes (the round of
/// xxHash64), each finished with MurmurHash3's avalanche. Not a defence against someone who
/// crafts collisions; a check that an input is unchanged.
public struct StableHasher: Sendable {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var b: UInt64 = 0x6A09_E667_F3BC_C909
    private var words: UInt64 = 0

    public init() {}

    @inline(__always)
    public mutating func combine(_ word: UInt64) {
        a = StableHasher.rotate(a &+ word &* 0xC2B2_AE3D_27D4_EB4F, 31) &* 0x9E37_79B1_85EB_CA87
        b = StableHasher.rotate(b ^ word &* 0x1656_67B1_9E37_79F9, 27) &* 0xFF51_AFD7_ED55_8CCD
        words &+= 1
    }

    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    /// The bytes with their length first, so that two strings in a row cannot run together.
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        combine(UInt64(bytes.count))
        let whole = bytes.count / 8
        for i in 0..<whole { combine(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) }
        var tail: UInt64 = 0
        for i in (whole * 8)..<bytes.count { tail |= UInt64(bytes[i]) << (8 * UInt64(i - whole * 8)) }
        if bytes.count % 8 != 0 { combine(tail) }
    }

    public mutating func combine(_ string: String) {
        var string = string
        string.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    public mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine(bytes: $0) }
    }

    public mutating func combine(_ fingerprint: Fingerprint128) {
        combine(fingerprint.high)
        combine(fingerprint.low)
    }

    public func finalize() -> Fingerprint128 {
        Fingerprint128(high: StableHasher.avalanche(a ^ words), low: StableHasher.avalanche(b ^ (words << 1) ^ a))
    }

    @inline(__always)
    static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }

    @inline(__always)
    static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

/// What `StableHasher` gives: 128 bits.
public struct Fingerprint128: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    /// Of no input: never the fingerprint of one (a file whose input is not known).
    public static let none = Fingerprint128(high: 0, low: 0)
}
