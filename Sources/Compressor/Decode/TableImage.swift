/// Reads tables from the `kallsyms_*.bin` blobs of an image (little-endian words), as in
/// `Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables/`.
public struct TableImage: Sendable {
    /// The blobs by table name, e.g. `"kallsyms_names"`.
    public var blobs: [String: [UInt8]]
    /// The size of `kallsyms_num_syms`, `kallsyms_markers`, addresses and `relative_base` words.
    public var wordSize: Int
    /// v5.10/v6.1 `--absolute-percpu`: how base-relative offsets are read.
    public var absolutePercpu: Bool
    /// v7.0 `--pc-relative` images: the address of `kallsyms_offsets` (offsets are slot-relative).
    public var offsetsAddress: UInt64?

    public init(
        blobs: [String: [UInt8]], wordSize: Int = 4, absolutePercpu: Bool = false,
        offsetsAddress: UInt64? = nil
    ) {
        self.blobs = blobs
        self.wordSize = wordSize
        self.absolutePercpu = absolutePercpu
        self.offsetsAddress = offsetsAddress
    }

    /// The tables, ready for `TableDecoder`, for an image built by `era`'s generator.
    public func tables(era: Era) throws -> RawKallsymsTables {
        let countSize = era.rules.countsArePointerSized ? wordSize : 4
        guard let count = try words(of: "kallsyms_num_syms", size: countSize).first.flatMap({ Int(exactly: $0) }) else {
            throw TableDecoder.malformed("kallsyms_num_syms is empty")
        }
        let markers = try words(of: "kallsyms_markers", size: countSize)
        let index = try words(of: "kallsyms_token_index", size: 2).map { UInt16($0) }
        let addresses: AddressTable
        if blobs["kallsyms_addresses"] != nil {
            addresses = .addresses(try words(of: "kallsyms_addresses", size: wordSize).map { .absolute($0) })
        } else if blobs["kallsyms_relative_base"] != nil {
            let base = try words(of: "kallsyms_relative_base", size: wordSize).first ?? 0
            addresses = .baseRelative(
                offsets: try words(of: "kallsyms_offsets", size: 4).map { UInt32($0) },
                base: .absolute(base), absolutePercpu: absolutePercpu)
        } else if let offsetsAddress {
            addresses = .slotRelative(
                try words(of: "kallsyms_offsets", size: 4).map {
                    Int32(bitPattern: UInt32($0))
                }, tableAddress: offsetsAddress)
        } else {
            addresses = .absolute32(try words(of: "kallsyms_offsets", size: 4).map { UInt32($0) })
        }
        var seqs: [Int]?
        if let blob = blobs["kallsyms_seqs_of_names"] {
            guard blob.count % 3 == 0 else {
                throw TableDecoder.malformed("kallsyms_seqs_of_names is \(blob.count) bytes, not a multiple of 3")
            }
            seqs = stride(from: 0, to: blob.count, by: 3).map {
                Int(blob[$0]) << 16 | Int(blob[$0 + 1]) << 8 | Int(blob[$0 + 2])
            }
        }
        return RawKallsymsTables(
            symbolCount: count, names: try blob("kallsyms_names"), markers: markers,
            tokenTable: try blob("kallsyms_token_table"), tokenIndex: index,
            addresses: addresses, lengthPrefix: era.rules.lengthPrefix, seqsOfNames: seqs)
    }

    private func blob(_ name: String) throws -> [UInt8] {
        guard let bytes = blobs[name] else { throw TableDecoder.malformed("\(name) is missing") }
        return bytes
    }

    /// The blob as little-endian unsigned words of `size` bytes.
    private func words(of name: String, size: Int) throws -> [UInt64] {
        let bytes = try blob(name)
        guard bytes.count % size == 0 else {
            throw TableDecoder.malformed("\(name) is \(bytes.count) bytes, not a whole number of \(size)-byte words")
        }
        return stride(from: 0, to: bytes.count, by: size).map { start in
            var value: UInt64 = 0
            for k in (0..<size).reversed() { value = value << 8 | UInt64(bytes[start + k]) }
            return value
        }
    }

    /// The table names an image directory may hold.
    public static let tableNames = [
        "kallsyms_num_syms", "kallsyms_names", "kallsyms_markers", "kallsyms_token_table",
        "kallsyms_token_index", "kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base",
        "kallsyms_seqs_of_names",
    ]
}
