/// Symbols as parallel columns: addresses, type bytes, names in one buffer, source lines.
///
/// The parsers fill this instead of one `[UInt8]` per name: a 107 000-symbol map costs a
/// handful of allocations instead of 107 000. `SymbolRecord` values are a view of a row.
public struct SymbolTable: Hashable, Sendable, RandomAccessCollection {
    public private(set) var addresses: [UInt64] = []
    public private(set) var types: [UInt8] = []
    public private(set) var names = ByteStrings()
    public private(set) var lines: [Int32] = []

    public init() {}

    /// The rows of `records`, in order.
    public init<S: Sequence>(_ records: S) where S.Element == SymbolRecord {
        for record in records { append(record) }
    }

    /// The rows of `parts` one after the other, the lines of each part shifted by its
    /// `lineOffsets` entry (for an input read in pieces, each numbered from its own line 1).
    init(joining parts: [SymbolTable], lineOffsets: [Int]) {
        let rows = parts.reduce(0) { $0 + $1.count }
        addresses.reserveCapacity(rows)
        types.reserveCapacity(rows)
        for part in parts {
            addresses += part.addresses
            types += part.types
        }
        // Each part's lines shifted by its offset: a plain loop per part, which the compiler
        // vectorizes (appending a lazily mapped sequence went element by element).
        lines = [Int32](unsafeUninitializedCapacity: rows) { buffer, initialized in
            for (part, lineOffset) in zip(parts, lineOffsets) {
                let shift = Int32(truncatingIfNeeded: lineOffset)
                part.lines.withUnsafeBufferPointer { source in
                    for index in source.indices { buffer[initialized &+ index] = source[index] &+ shift }
                }
                initialized += part.lines.count
            }
        }
        names = ByteStrings(joining: parts.map(\.names))
    }

    public mutating func reserve(rows: Int, nameBytes: Int) {
        addresses.reserveCapacity(rows)
        types.reserveCapacity(rows)
        lines.reserveCapacity(rows)
        names.reserve(strings: rows, bytes: nameBytes)
    }

    public mutating func append(_ record: SymbolRecord) {
        append(address: record.address, type: record.type, name: record.name, line: record.line)
    }

    public mutating func append<C: Collection>(address: UInt64, type: UInt8, name: C, line: Int) where C.Element == UInt8 {
        addresses.append(address)
        types.append(type)
        names.append(name)
        lines.append(Int32(truncatingIfNeeded: line))
    }

    /// Collects rows whose names are stretches of one input buffer, then copies all the names
    /// at once (`build(names:)`): a parser's rows cost no per-name append.
    struct Builder {
        private var addresses: [UInt64] = []
        private var types: [UInt8] = []
        private var lines: [Int32] = []
        /// Start offset in the input and length of each row's name.
        private var nameStarts: [Int] = []
        private var nameLengths: [Int32] = []
        private var nameBytes = 0

        init(expectedRows: Int) {
            addresses.reserveCapacity(expectedRows)
            types.reserveCapacity(expectedRows)
            lines.reserveCapacity(expectedRows)
            nameStarts.reserveCapacity(expectedRows)
            nameLengths.reserveCapacity(expectedRows)
        }

        @inline(__always)
        mutating func append(address: UInt64, type: UInt8, nameAt start: Int, length: Int, line: Int) {
            addresses.append(address)
            types.append(type)
            lines.append(Int32(truncatingIfNeeded: line))
            nameStarts.append(start)
            nameLengths.append(Int32(truncatingIfNeeded: length))
            nameBytes &+= length
        }

        /// The table, with each row's name copied out of `input` (the buffer the offsets are in).
        func build(names input: UnsafeBufferPointer<UInt8>) -> SymbolTable {
            let names = ByteStrings(count: nameStarts.count, totalLength: nameBytes) { row, at in
                let length = Int(nameLengths[row])
                if length > 0 { at.initialize(from: input.baseAddress! + nameStarts[row], count: length) }
                return length
            }
            var table = SymbolTable()
            table.addresses = addresses
            table.types = types
            table.lines = lines
            table.names = names
            return table
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { addresses.count }

    /// Row `i` as a record (allocates its name).
    public subscript(i: Int) -> SymbolRecord {
        SymbolRecord(address: addresses[i], type: types[i], name: Array(names[i]), line: Int(lines[i]))
    }

    /// Every row as a record.
    public var records: [SymbolRecord] { map { $0 } }

    /// The rows for which `isIncluded` holds, in order.
    public func filter(_ isIncluded: (Int) -> Bool) -> SymbolTable {
        var result = SymbolTable()
        result.reserve(rows: count, nameBytes: names.totalLength)
        names.bytes.withUnsafeBufferPointer { bytes in
            for row in indices where isIncluded(row) {
                result.append(
                    address: addresses[row], type: types[row],
                    name: UnsafeBufferPointer(rebasing: bytes[names.start(of: row)..<names.ends[row]]),
                    line: Int(lines[row]))
            }
        }
        return result
    }
}
