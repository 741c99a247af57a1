import Randomness
import Synchronization
import TestSupport
import Testing

@testable import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// Work in chunks on two threads (`ChunkedWork`) gives what one thread gives: an input read in
/// chunks the same rows, line numbers, warnings and errors, a selection whose read-time
/// verdicts were found in chunks the same symbols, whichever thread does which chunk, and
/// whether the second thread runs at all.
@Suite struct ChunkedWorkTests {
    /// The token reader of the given name buffer, in chunks of about `chunkSize` bytes.
    static func tokensInChunks(_ text: [UInt8], nameBuffer: Int, chunkSize: Int, on warm: Concurrently.WarmCore?) -> ParsedMap? {
        text.withUnsafeBufferPointer { TokenMapParser.parseInChunks($0, nameBuffer: nameBuffer, on: warm, chunkSize: chunkSize) }
    }

    static func tokensWhole(_ text: [UInt8], nameBuffer: Int) -> ParsedMap {
        text.withUnsafeBufferPointer { TokenMapParser.parse($0, nameBuffer: nameBuffer) }
    }

    @Test("cuts fall at line starts whose first byte is not blank, at most 64 chunks")
    func boundsAreLineStarts() {
        var random = SeededRandom(seed: 0xC0_75)
        for _ in 0..<500 {
            let text = PlainRecordTests().randomText(&random, nameBuffer: 8)
            let size = 1 + Int(random.next() % 40)
            guard let bounds = text.withUnsafeBufferPointer({ ChunkedWork<Int>.bounds(of: $0, chunkSize: size) }) else { continue }
            #expect(bounds.first == 0 && bounds.last == text.count && bounds.count <= 65 && bounds.count > 2)
            for (before, after) in zip(bounds, bounds.dropFirst()) { #expect(before < after) }
            for cut in bounds.dropFirst().dropLast() {
                #expect(text[cut - 1] == 0x0A && !isCSpace(text[cut]), "cut at \(cut) of \(text)")
            }
        }
        // Nothing to cut: too small, or no line start but the first.
        let noLines = [UInt8](repeating: 0x41, count: 1_000)
        #expect(noLines.withUnsafeBufferPointer { ChunkedWork<Int>.bounds(of: $0, chunkSize: 10) } == nil)
        let small = Array("1 T a\n2 T b\n".utf8)
        #expect(small.withUnsafeBufferPointer { ChunkedWork<Int>.bounds(of: $0, chunkSize: 100) } == nil)
    }

    @Test("the token reader in chunks reads what it reads whole, or declines, on 3 000 random texts")
    func tokenChunksAgree() {
        var random = SeededRandom(seed: 0x7_0C3A)
        var joined = 0, declined = 0, rows = 0
        Concurrently.withWarmSecondCore { warm in
            for _ in 0..<3_000 {
                let nameBuffer = 4 + Int(random.next() % 12)
                let text = PlainRecordTests().randomText(&random, nameBuffer: nameBuffer)
                let chunkSize = 4 + Int(random.next() % 60)
                let whole = Self.tokensWhole(text, nameBuffer: nameBuffer)
                guard let chunked = Self.tokensInChunks(text, nameBuffer: nameBuffer, chunkSize: chunkSize, on: warm) else {
                    declined += 1
                    continue
                }
                joined += 1
                rows += chunked.symbols.count
                #expect(chunked.symbols == whole.symbols, "text \(text), chunks of \(chunkSize)")
                #expect(chunked.symbols.lines == whole.symbols.lines, "text \(text), chunks of \(chunkSize)")
                #expect(chunked.warnings == whole.warnings, "text \(text), chunks of \(chunkSize)")
            }
        }
        // Both ways were taken: parts joined, and records across cuts declined.
        #expect(joined > 1_000 && declined > 100, "joined \(joined), declined \(declined)")
        #expect(rows > 20_000)
    }

    @Test("a record that runs across a cut makes the chunked token reader decline")
    func recordAcrossCut() throws {
        // "1 T" has no name on its line: the name is the next line's first token, so the first
        // record ends past the cut made at the start of line 2.
        let text = Array("1 T\n2 t b\n3 t c\n4 t d\n".utf8)
        let bounds = try #require(text.withUnsafeBufferPointer { ChunkedWork<Int>.bounds(of: $0, chunkSize: 4) })
        #expect(bounds.contains(4))
        let warm = Concurrently.WarmCore()  // no thread: the caller reads every chunk
        #expect(Self.tokensInChunks(text, nameBuffer: 16, chunkSize: 4, on: warm) == nil)
        // The reader as a whole falls back to one thread, and reads it as C does.
        let map = text.withUnsafeBufferPointer { TokenMapParser.parse($0, nameBuffer: 16, on: warm, chunkSize: 4) }
        #expect(map == Self.tokensWhole(text, nameBuffer: 16))
        // (The rest of line 2, "t b", does not convert and is dropped.)
        #expect(map.symbols.records.map { String(decoding: $0.name, as: UTF8.self) } == ["2", "c", "d"])
        #expect(map.symbols.lines == [1, 3, 4])
    }

    @Test("with no thread to take it, the caller reads every chunk and takes its piece back")
    func absentSecondThread() throws {
        var random = SeededRandom(seed: 0xAB5E)
        let warm = Concurrently.WarmCore()  // never served
        for _ in 0..<200 {
            let text = PlainRecordTests().randomText(&random, nameBuffer: 12)
            let whole = Self.tokensWhole(text, nameBuffer: 12)
            if let chunked = Self.tokensInChunks(text, nameBuffer: 12, chunkSize: 16, on: warm) {
                #expect(chunked == whole)
            }
        }
        // The piece was withdrawn each time: the core is free for the next one.
        #expect(warm.take {})
        #expect(warm.withdraw())
        #expect(warm.piecesRun.load(ordering: .relaxed) == 0)
    }

    @Test("a running piece cannot be withdrawn; one not yet started never runs")
    func withdrawal() {
        let release = Atomic<Bool>(false)
        let started = Atomic<Bool>(false)
        let runs = Atomic<Int>(0)
        Concurrently.withWarmSecondCore { warm in
            guard let warm else { return }
            #expect(
                warm.take {
                    started.store(true, ordering: .releasing)
                    while !release.load(ordering: .acquiring) { sched_yield() }
                    runs.add(1, ordering: .relaxed)
                })
            while !started.load(ordering: .acquiring) { sched_yield() }
            #expect(!warm.withdraw())
            release.store(true, ordering: .releasing)
            warm.waitUntilDone()
            #expect(runs.load(ordering: .relaxed) == 1)
        }
        // A core that nobody serves: what is withdrawn is never run.
        let idle = Concurrently.WarmCore()
        #expect(idle.take { runs.add(100, ordering: .relaxed) })
        #expect(idle.withdraw())
        #expect(runs.load(ordering: .relaxed) == 1)
    }

    /// A random v6.19+ text: plain lines, some lines the strict reader takes the slow way
    /// (leading blanks, `0x`, a sign, a NUL in the name), and, sometimes, one or two bad lines.
    static func strictText(_ random: inout SeededRandom) -> [UInt8] {
        var text: [UInt8] = []
        for index in 0..<(1 + Int(random.next() % 60)) {
            let address = Array(String(random.next() % 0xFFFF_FFFF, radix: 16).utf8)
            let name = Array("sym_\(index)".utf8)
            switch random.next() % 40 {
            case 0: text += Array("  ".utf8) + address + Array(" T ".utf8) + name
            case 1: text += Array("0x".utf8) + address + Array(" t ".utf8) + name
            case 2: text += Array("-".utf8) + address + Array(" D ".utf8) + name + [0, 0x41]
            case 3: text += address + Array("  T ".utf8) + name  // bad: two spaces
            case 4: text += []  // bad: an empty line
            default: text += address + Array(" t ".utf8) + name
            }
            text.append(0x0A)
        }
        if random.next() % 4 == 0 { text.removeLast() }
        return text
    }

    @Test("the strict reader in chunks reads what it reads whole, and reports the same first bad line")
    func strictChunksAgree() throws {
        var random = SeededRandom(seed: 0x5_7121)
        var failures = 0, successes = 0
        Concurrently.withWarmSecondCore { warm in
            for _ in 0..<2_000 {
                let text = Self.strictText(&random)
                let chunkSize = 4 + Int(random.next() % 80)
                let whole = Result { try text.withUnsafeBufferPointer { try LineMapParser.parse($0) } }
                let chunked = Result { try text.withUnsafeBufferPointer { try LineMapParser.parse($0, on: warm, chunkSize: chunkSize) } }
                switch (whole, chunked) {
                case (.success(let one), .success(let other)):
                    successes += 1
                    #expect(one == other && one.symbols.lines == other.symbols.lines, "text \(text)")
                case (.failure(let one as KallsymsError), .failure(let other as KallsymsError)):
                    failures += 1
                    #expect(one == other, "text \(text)")
                default:
                    Issue.record("whole \(whole), chunked \(chunked): text \(text)")
                }
            }
        }
        #expect(failures > 200 && successes > 200, "\(failures) failures, \(successes) successes")
    }

    @Test("the armhf map reads the same in chunks on two threads, for both readers", arguments: [Era.v6_1, Era.v7_0])
    func armhfMapInChunks(_ era: Era) throws {
        let map = Corpus.armhfMap
        let whole = try map.withUnsafeBufferPointer { try era.parse($0) }
        let chunked = try Concurrently.withWarmSecondCore { warm in try map.withUnsafeBufferPointer { try era.parse($0, on: warm) } }
        #expect(chunked == whole && chunked.symbols.lines == whole.symbols.lines)
        #expect(whole.symbols.count > 100_000)
        // The token reader took the chunked way (it did not decline).
        let tokens = Concurrently.withWarmSecondCore { warm in
            map.withUnsafeBufferPointer { TokenMapParser.parseInChunks($0, nameBuffer: 128, on: warm) }
        }
        #expect(tokens != nil)
    }

    @Test("a bad line deep in a large v7.0 map is reported by its number, from a run that reads in chunks")
    func badLineInLargeMap() throws {
        var lines = Corpus.armhfMap.split(separator: 0x0A, omittingEmptySubsequences: false)
        lines[90_000] = ArraySlice("c0100000  T two_spaces".utf8)
        lines[100_000] = ArraySlice("not a line".utf8)
        let text = Array(lines.joined(separator: [0x0A]))
        #expect(text.count > Era.secondThreadFromBytes)
        #expect(throws: KallsymsError.self) { try Era.v7_0.generate(text) }
        do {
            _ = try Era.v7_0.generate(text)
        } catch let error as KallsymsError {
            #expect(error.kind == .lineFormat && error.line == 90_001, "\(error)")
        }
    }

    @Test("read-time verdicts found on two threads select what one thread selects", arguments: Era.allCases)
    func verdictsOnTwoThreads(_ era: Era) throws {
        var random = SeededRandom(seed: 0x5E1).derived(era.rawValue)
        var needingState = 0
        for _ in 0..<3 {
            let records = RowSelectionTests.records(Era.verdictsOnTwoThreadsFrom + Int(random.next() % 5_000), using: &random)
            let table = SymbolTable(records)
            for options in RowSelectionTests.optionSets(era) {
                let state = SelectionState(era: era, options: options)
                let verdicts = try #require(
                    table.names.bytes.withUnsafeBufferPointer { names in
                        Concurrently.withWarmSecondCore { warm in
                            warm.flatMap { ReadTimeVerdicts(ColumnRows(table: table, nameBytes: names), state: state, on: $0) }
                        }
                    })
                needingState += table.indices.filter { if case .needsState = verdicts[$0] { true } else { false } }.count
                let twoThreads = Result { try Concurrently.withWarmSecondCore { try era.selectRows(table, options: options, on: $0).selection } }
                let oneThread = Result { try era.select(records, options: options) }
                #expect(RowSelectionTests.same({ try twoThreads.get() }, { try oneThread.get() }), "\(options)")
            }
        }
        // Markers and `_text` went through the selection's own pass.
        #expect(needingState > 100)
    }
}
