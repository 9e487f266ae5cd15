import Foundation

/// A compact binary form of `Codable` values, for the parse cache (`ParseCache`): fields are
/// written in the order the type encodes them, without their names; an optional field is a
/// presence byte and its value; a list is its count and its elements; integers are varints,
/// strings their UTF-8 length and bytes. Only a value written by the same build of the same
/// types can be read back (the cache is keyed by the tool's version for that reason).
///
/// Not for keyed data whose keys vary (dictionaries, enums with payloads): a type with such a
/// field writes it itself. Foundation's JSON took longer to read back 10,000 parsed windows
/// than parsing their files did; this form skips the names and the text.
enum BinaryCoding {
    static func encode<T: Encodable>(_ value: T, into bytes: inout [UInt8]) throws {
        let writer = ByteWriter()
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        try value.encode(to: BinaryEncoder(writer: writer))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws -> T {
        let reader = ByteReader(bytes)
        let value = try T(from: BinaryDecoder(reader: reader))
        guard reader.atEnd else { throw ByteReader.Malformed() }
        return value
    }
}

/// Where an encoder appends.
final class ByteWriter {
    var bytes: [UInt8] = []

    func varint(_ value: UInt64) { VarInt.append(value, to: &bytes) }

    func int(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }   // zigzag

    func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func double(_ value: Double) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }
}

/// Where a decoder reads; any read past the end or a malformed value throws `Malformed`.
final class ByteReader {
    struct Malformed: Error {}
    let bytes: ArraySlice<UInt8>
    var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    var atEnd: Bool { position == bytes.endIndex }

    func byte() throws -> UInt8 {
        guard position < bytes.endIndex else { throw Malformed() }
        defer { position += 1 }
        return bytes[position]
    }

    func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw Malformed() }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    func int() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    func count() throws -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.endIndex - position) else { throw Malformed() }   // each element takes a byte or more
        return Int(n)
    }

    func string() throws -> String {
        let n = try count()
        defer { position += n }
        return String(decoding: bytes[position..<position + n], as: UTF8.self)
    }

    func double() throws -> Double {
        guard bytes.endIndex - position >= 8 else { throw Malformed() }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return Double(bitPattern: bits)
    }

    func presence() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }

    /// A varint of either kind (zigzag for signed types, or with `unsigned`).
    func integer<T: FixedWidthInteger>(_ type: T.Type, unsigned: Bool = false) throws -> T {
        if T.isSigned && !unsigned {
            guard let v = T(exactly: try int()) else { throw Malformed() }
            return v
        }
        guard let v = T(exactly: try varint()) else { throw Malformed() }
        return v
    }
}

// MARK: - Encoding

private struct BinaryEncoder: Encoder {
    let writer: ByteWriter
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(writer: writer))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { ListWriter(writer: writer) }
    func singleValueContainer() -> SingleValueEncodingContainer { ValueWriter(writer: writer) }
}

/// Writes one value of any kind the Codable protocols name.
private struct ValueWriter: SingleValueEncodingContainer {
    let writer: ByteWriter
    var codingPath: [CodingKey] { [] }

    /// Only optional fields are written (behind a presence byte); an optional inside a list
    /// is not supported, and fails the write rather than the read.
    func encodeNil() throws { throw ByteReader.Malformed() }
    func encode(_ value: Bool) throws { writer.bytes.append(value ? 1 : 0) }
    func encode(_ value: String) throws { writer.string(value) }
    func encode(_ value: Double) throws { writer.double(value) }
    func encode(_ value: Float) throws { writer.double(Double(value)) }
    func encode(_ value: Int) throws { writer.int(Int64(value)) }
    func encode(_ value: Int8) throws { writer.int(Int64(value)) }
    func encode(_ value: Int16) throws { writer.int(Int64(value)) }
    func encode(_ value: Int32) throws { writer.int(Int64(value)) }
    func encode(_ value: Int64) throws { writer.int(value) }
    func encode(_ value: UInt) throws { writer.varint(UInt64(value)) }
    func encode(_ value: UInt8) throws { writer.varint(UInt64(value)) }
    func encode(_ value: UInt16) throws { writer.varint(UInt64(value)) }
    func encode(_ value: UInt32) throws { writer.varint(UInt64(value)) }
    func encode(_ value: UInt64) throws { writer.varint(value) }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: BinaryEncoder(writer: writer)) }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: ByteWriter
    var codingPath: [CodingKey] { [] }
    var value: ValueWriter { ValueWriter(writer: writer) }

    // Optionals are written by encodeIfPresent; a nil written apart could not be read back in step.
    func encodeNil(forKey key: Key) throws { throw ByteReader.Malformed() }
    func encode(_ v: Bool, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: String, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Double, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Float, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Int, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Int8, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Int16, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Int32, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: Int64, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: UInt, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: UInt8, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: UInt16, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: UInt32, forKey key: Key) throws { try value.encode(v) }
    func encode(_ v: UInt64, forKey key: Key) throws { try value.encode(v) }
    func encode<T: Encodable>(_ v: T, forKey key: Key) throws { try value.encode(v) }

    // Optionals: a presence byte, then the value.
    private func present<T>(_ v: T?, _ write: (T) throws -> Void) throws {
        guard let v else { return writer.bytes.append(0) }
        writer.bytes.append(1)
        try write(v)
    }
    func encodeIfPresent(_ v: Bool?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: String?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Double?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Float?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Int?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Int8?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Int16?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Int32?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: Int64?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: UInt?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: UInt8?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: UInt16?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: UInt32?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent(_ v: UInt64?, forKey key: Key) throws { try present(v) { try value.encode($0) } }
    func encodeIfPresent<T: Encodable>(_ v: T?, forKey key: Key) throws { try present(v) { try value.encode($0) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer))
    }
    func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { ListWriter(writer: writer) }
    func superEncoder() -> Encoder { BinaryEncoder(writer: writer) }
    func superEncoder(forKey key: Key) -> Encoder { BinaryEncoder(writer: writer) }
}

/// A list: a four-byte count, updated after each element (a container is not told when the
/// list ends), then the elements.
private struct ListWriter: UnkeyedEncodingContainer {
    let writer: ByteWriter
    let countAt: Int
    var count = 0
    var codingPath: [CodingKey] { [] }

    init(writer: ByteWriter) {
        self.writer = writer
        countAt = writer.bytes.count
        writer.bytes.append(contentsOf: [0, 0, 0, 0])
    }

    /// Counts an element just written (or about to be, for a nested container).
    private mutating func counted() {
        count += 1
        let n = UInt32(count)
        for k in 0..<4 { writer.bytes[countAt + k] = UInt8(truncatingIfNeeded: n >> (8 * UInt32(k))) }
    }

    mutating func encodeNil() throws { throw ByteReader.Malformed() }   // see ValueWriter.encodeNil
    mutating func encode(_ v: Bool) throws { try ValueWriter(writer: writer).encode(v); counted() }
    mutating func encode(_ v: String) throws { try ValueWriter(writer: writer).encode(v); counted() }
    mutating func encode(_ v: Double) throws { try ValueWriter(writer: writer).encode(v); counted() }
    mutating func encode(_ v: Int) throws { try ValueWriter(writer: writer).encode(v); counted() }
    mutating func encode<T: Encodable>(_ v: T) throws { try ValueWriter(writer: writer).encode(v); counted() }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        counted()
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer))
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        counted()
        return ListWriter(writer: writer)
    }
    mutating func superEncoder() -> Encoder {
        counted()
        return BinaryEncoder(writer: writer)
    }
}

// MARK: - Decoding

private struct BinaryDecoder: Decoder {
    let reader: ByteReader
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedReader<Key>(reader: reader))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer { try ListReader(reader: reader) }
    func singleValueContainer() throws -> SingleValueDecodingContainer { ValueReader(reader: reader) }
}

private struct ValueReader: SingleValueDecodingContainer {
    let reader: ByteReader
    var codingPath: [CodingKey] { [] }

    func decodeNil() -> Bool { false }   // nil is only ever written behind a presence byte
    func decode(_ type: Bool.Type) throws -> Bool { try reader.presence() }
    func decode(_ type: String.Type) throws -> String { try reader.string() }
    func decode(_ type: Double.Type) throws -> Double { try reader.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try reader.double()) }
    func decode(_ type: Int.Type) throws -> Int { try reader.integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: BinaryDecoder(reader: reader)) }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: ByteReader
    var codingPath: [CodingKey] { [] }
    var allKeys: [Key] { [] }   // positional: no names are stored
    var value: ValueReader { ValueReader(reader: reader) }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { throw ByteReader.Malformed() }   // see encodeNil(forKey:)
    func decode(_ t: Bool.Type, forKey key: Key) throws -> Bool { try value.decode(t) }
    func decode(_ t: String.Type, forKey key: Key) throws -> String { try value.decode(t) }
    func decode(_ t: Double.Type, forKey key: Key) throws -> Double { try value.decode(t) }
    func decode(_ t: Float.Type, forKey key: Key) throws -> Float { try value.decode(t) }
    func decode(_ t: Int.Type, forKey key: Key) throws -> Int { try value.decode(t) }
    func decode(_ t: Int8.Type, forKey key: Key) throws -> Int8 { try value.decode(t) }
    func decode(_ t: Int16.Type, forKey key: Key) throws -> Int16 { try value.decode(t) }
    func decode(_ t: Int32.Type, forKey key: Key) throws -> Int32 { try value.decode(t) }
    func decode(_ t: Int64.Type, forKey key: Key) throws -> Int64 { try value.decode(t) }
    func decode(_ t: UInt.Type, forKey key: Key) throws -> UInt { try value.decode(t) }
    func decode(_ t: UInt8.Type, forKey key: Key) throws -> UInt8 { try value.decode(t) }
    func decode(_ t: UInt16.Type, forKey key: Key) throws -> UInt16 { try value.decode(t) }
    func decode(_ t: UInt32.Type, forKey key: Key) throws -> UInt32 { try value.decode(t) }
    func decode(_ t: UInt64.Type, forKey key: Key) throws -> UInt64 { try value.decode(t) }
    func decode<T: Decodable>(_ t: T.Type, forKey key: Key) throws -> T { try value.decode(t) }

    private func present<T>(_ read: () throws -> T) throws -> T? { try reader.presence() ? try read() : nil }
    func decodeIfPresent(_ t: Bool.Type, forKey key: Key) throws -> Bool? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: String.Type, forKey key: Key) throws -> String? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Double.Type, forKey key: Key) throws -> Double? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Float.Type, forKey key: Key) throws -> Float? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Int.Type, forKey key: Key) throws -> Int? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Int8.Type, forKey key: Key) throws -> Int8? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Int16.Type, forKey key: Key) throws -> Int16? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Int32.Type, forKey key: Key) throws -> Int32? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: Int64.Type, forKey key: Key) throws -> Int64? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: UInt.Type, forKey key: Key) throws -> UInt? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: UInt8.Type, forKey key: Key) throws -> UInt8? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: UInt16.Type, forKey key: Key) throws -> UInt16? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: UInt32.Type, forKey key: Key) throws -> UInt32? { try present { try value.decode(t) } }
    func decodeIfPresent(_ t: UInt64.Type, forKey key: Key) throws -> UInt64? { try present { try value.decode(t) } }
    func decodeIfPresent<T: Decodable>(_ t: T.Type, forKey key: Key) throws -> T? { try present { try value.decode(t) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(KeyedReader<NestedKey>(reader: reader))
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try ListReader(reader: reader) }
    func superDecoder() throws -> Decoder { BinaryDecoder(reader: reader) }
    func superDecoder(forKey key: Key) throws -> Decoder { BinaryDecoder(reader: reader) }
}

private struct ListReader: UnkeyedDecodingContainer {
    let reader: ByteReader
    let total: Int
    var currentIndex = 0
    var codingPath: [CodingKey] { [] }
    var count: Int? { total }
    var isAtEnd: Bool { currentIndex >= total }

    init(reader: ByteReader) throws {
        self.reader = reader
        var n = 0
        for k in 0..<4 { n |= Int(try reader.byte()) << (8 * k) }
        guard n <= reader.bytes.endIndex - reader.position else { throw ByteReader.Malformed() }
        total = n
    }

    private mutating func advance() throws {
        guard !isAtEnd else { throw ByteReader.Malformed() }
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode(_ t: Bool.Type) throws -> Bool { try advance(); return try ValueReader(reader: reader).decode(t) }
    mutating func decode(_ t: String.Type) throws -> String { try advance(); return try ValueReader(reader: reader).decode(t) }
    mutating func decode(_ t: Double.Type) throws -> Double { try advance(); return try ValueReader(reader: reader).decode(t) }
    mutating func decode(_ t: Int.Type) throws -> Int { try advance(); return try ValueReader(reader: reader).decode(t) }
    mutating func decode<T: Decodable>(_ t: T.Type) throws -> T { try advance(); return try ValueReader(reader: reader).decode(t) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try advance()
        return KeyedDecodingContainer(KeyedReader<NestedKey>(reader: reader))
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try advance(); return try ListReader(reader: reader) }
    mutating func superDecoder() throws -> Decoder {
        try advance()
        return BinaryDecoder(reader: reader)
    }
}
