import XCTest
@testable import TsunagariTemplates

/// `HTMLEscape.hasSpecial` tests eight bytes at once, first for a byte below 0x40: it must say
/// what testing each byte with `isSpecial` says.
final class HTMLEscapeWordTests: XCTestCase {
    private func bytewise(_ word: UInt64) -> Bool {
        (0..<8).contains { HTMLEscape.isSpecial(UInt8(truncatingIfNeeded: word >> (8 * UInt64($0)))) }
    }

    func testEveryByteAtEveryPositionAmongOthers() {
        for filler: UInt8 in [0x41, 0xE3, 0x20, 0x3F, 0x40, 0x80, 0x00, 0xFF] {
            for position in 0..<8 {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = UInt8(value)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    XCTAssertEqual(HTMLEscape.hasSpecial(word), bytewise(word), "byte \(value) at \(position) among \(filler)")
                }
            }
        }
    }

    func testRandomWords() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x22, 0x26, 0x27, 0x3C, 0x3E, 0x3D, 0x3F, 0x40, 0x21, 0x23, 0x20, 0x0A, 0x41, 0x7A, 0x80, 0xE3, 0xBF]
        for _ in 0..<100_000 {
            let bytes = (0..<8).map { _ in Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator) }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            XCTAssertEqual(HTMLEscape.hasSpecial(word), bytewise(word), "\(bytes)")
        }
    }
}
