import Compressor

/// The laws the libFuzzer targets check, as library functions (the targets only forward
/// bytes here, and every input a fuzzer ever flagged is replayed by `swift test` through
/// these same functions).
public enum FuzzChecks {
    /// The outcome of one fuzz input.
    public enum Outcome: Hashable, Sendable {
        /// The laws held.
        case passed
        /// The era's generator refused the input (a typed `KallsymsError`, as the era refuses
        /// it): no law was checked, and none was broken.
        case refused(String)
        /// A law was broken: what and where.
        case violated(String)
    }

    /// How the first byte of a round-trip input picks the era and flags.
    public static func configuration(_ selector: UInt8) -> (Era, KallsymsOptions) {
        let era = Era.allCases[Int(selector) % Era.allCases.count]
        let bits = Int(selector) / Era.allCases.count
        var options = KallsymsOptions(allSymbols: bits & 1 != 0)
        let flags = era.rules.flags
        if flags.contains(.baseRelative) { options.baseRelative = bits & 2 != 0 }
        if flags.contains(.absolutePercpu) { options.absolutePercpu = bits & 4 != 0 && options.baseRelative }
        if flags.contains(.pcRelative) { options.pcRelative = bits & 2 != 0 }
        return (era, options)
    }

    /// Arbitrary bytes as an `nm` map for the era chosen by the first byte: parse, select,
    /// compress, decode the tables and the `.S`. Laws: decoding gives back exactly the kept
    /// symbols (where the era's tables can hold them); when the first byte's top bit is set,
    /// the fast engine also equals the reference engine. (The reference engine scans 65 536
    /// counters per round: under AddressSanitizer that is a tenth of a second per input, so
    /// only half the inputs pay it and the other half run about a hundred times faster.)
    public static func roundTrip(_ input: [UInt8]) -> Outcome {
        guard let selector = input.first else { return .passed }
        let (era, options) = configuration(selector)
        let text = Array(input.dropFirst())
        let run: KallsymsRun
        do {
            run = try era.generate(text, options: options, engine: .fast)
        } catch let error as KallsymsError {
            return .refused(error.description)
        } catch {
            return .violated("unexpected error \(error)")
        }
        if selector & 0x80 != 0 {
            let reference = ReferenceEngine.compress(run.selection.storedStrings)
            guard reference == run.compression else {
                return .violated("\(era) \(options): the fast engine differs from the reference engine")
            }
        }
        if roundTripExemption(run) != nil { return .passed }
        return decodingRestoresKeptSymbols(run)
    }

    /// Why the tables of `run` are outside the round-trip law, or nil when the law applies:
    /// tables the kernel itself could not decode, a v3.3 length above 255 (one unchecked
    /// length byte) and a type byte 0 (an empty token string).
    public static func roundTripExemption(_ run: KallsymsRun) -> String? {
        if run.era.rules.lengthPrefix == .oneByte
            && run.tables.compressedNames.indices.contains(where: {
                run.tables.compressedNames.length(of: $0) > 255
            })
        {
            return "a compressed name is longer than the 255 bytes \(run.era)'s one-byte length can hold"
        }
        if run.selection.symbols.contains(where: { $0.type == 0 }) { return "a kept symbol has type byte 0" }
        return nil
    }

    /// The round-trip law on one generator run: decoding its tables, and its `.S`, gives back
    /// exactly the kept symbols (addresses cut to 32 bits where the era stores them so: v7.0
    /// without `--pc-relative`). Check `roundTripExemption` first.
    public static func decodingRestoresKeptSymbols(_ run: KallsymsRun) -> Outcome {
        let era = run.era
        let options = run.options
        let expected = run.selection.symbols.map { symbol -> DecodedSymbol in
            var address = symbol.address
            if case .absolute32 = run.tables.addresses { address &= 0xFFFF_FFFF }
            return DecodedSymbol(address: address, type: symbol.type, name: symbol.name)
        }
        do {
            let decoded = try TableDecoder.decode(run.tables.raw, text: run.selection.textAddress)
            guard decoded == expected else { return .violated("\(era) \(options): decoding the tables differs") }
            let read = try AssemblyReader.read(run.assembly, era: era, absolutePercpu: options.absolutePercpu)
            guard try TableDecoder.decode(read.tables, text: run.selection.textAddress) == expected else {
                return .violated("\(era) \(options): decoding the .S differs")
            }
        } catch {
            return .violated("\(era) \(options): our own tables do not decode: \(error)")
        }
        return .passed
    }

    /// Arbitrary bytes as kallsyms tables: decoding must succeed or throw, never trap. The
    /// same bytes are also read as a `.S` file.
    ///
    /// Layout of the input: byte 0 picks the length prefix and address style; bytes 1–2 the
    /// symbol count (≤ 4095); the rest is split into names, markers, token table, token
    /// index and offsets at positions taken from bytes 3–10.
    public static func decode(_ input: [UInt8]) -> Outcome {
        _ = try? AssemblyReader.read(input)
        guard input.count >= 11 else { return .passed }
        let control = input[0]
        let count = (Int(input[1]) | Int(input[2]) << 8) & 0xFFF
        let body = Array(input[11...])
        var cuts = (3..<11).map { Int(input[$0]) * body.count / 256 }.sorted()
        cuts.append(body.count)
        func piece(_ k: Int) -> [UInt8] { Array(body[(k == 0 ? 0 : cuts[k - 1])..<cuts[k]]) }
        func words(_ bytes: [UInt8], size: Int) -> [UInt64] {
            stride(from: 0, to: bytes.count - bytes.count % size, by: size).map { start in
                (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << UInt64(8 * $1) }
            }
        }
        let offsets = words(piece(4), size: 4).map { UInt32(truncatingIfNeeded: $0) }
        let addresses: AddressTable
        switch control >> 1 & 3 {
        case 0:
            addresses = .baseRelative(
                offsets: offsets, base: .absolute(words(piece(5), size: 8).first ?? 0),
                absolutePercpu: control & 8 != 0)
        case 1: addresses = .textRelative(offsets.map { Int32(bitPattern: $0) })
        case 2: addresses = .absolute32(offsets)
        default: addresses = .addresses(words(piece(5), size: 8).map { .absolute($0) })
        }
        let seqs = control & 16 != 0 ? words(piece(6), size: 4).map { Int($0 & 0xFFFFFF) } : nil
        let tables = RawKallsymsTables(
            symbolCount: count, names: piece(0), markers: words(piece(1), size: 4), tokenTable: piece(2),
            tokenIndex: words(piece(3), size: 2).map { UInt16(truncatingIfNeeded: $0) }, addresses: addresses,
            lengthPrefix: control & 1 == 0 ? .base128 : .oneByte, seqsOfNames: seqs)
        do {
            let symbols = try TableDecoder.decode(tables)
            guard symbols.count == count else { return .violated("decoded \(symbols.count) symbols of \(count)") }
        } catch is KallsymsError {
            return .passed
        } catch {
            return .violated("unexpected error \(error)")
        }
        return .passed
    }
}
