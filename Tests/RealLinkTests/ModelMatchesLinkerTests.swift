import Compressor
import Foundation
import Generators
import Harness
import LinkModel
import RealLink
import Testing

/// `model-matches-linker` in `swift test`: the model and a real linker print the same maps
/// and end the same way on random small layouts (docs/linkers.md).
@Suite("model-matches-linker")
struct ModelMatchesLinkerTests {
    /// Cases per linker and target: each is a handful of real links (about 20 ms each).
    /// `KALLSYMS_LAB_CASES=N` runs N instead (the long run of docs/testing.md).
    static let cases: UInt64 = ProcessInfo.processInfo.environment["KALLSYMS_LAB_CASES"].flatMap { UInt64($0) }.map { max($0, 1) } ?? 40

    static func run(_ kind: Toolchain.Kind, target: TargetABI) throws {
        let toolchain = try Toolchain(kind, target: target)
        var agreed = 0, refused = 0
        for seed in 1...Self.cases {
            let testCase = LinkerDifferential.draw(seed: seed, target: target)
            switch try LinkerDifferential.check(testCase, toolchain: toolchain) {
            case .agrees: agreed += 1
            case .refused: refused += 1
            case .differs(let why):
                Issue.record("seed \(seed) (\(testCase.options.era), nm \(testCase.options.effectiveLetters)): \(why)\n\(testCase.layout)")
            }
        }
        print("model-matches-linker \(kind) \(target): \(agreed) of \(Self.cases) agree, \(refused) refused by the generator")
        // A generator that refused most layouts would test nothing.
        #expect(agreed >= Int(Self.cases) * 3 / 4, "only \(agreed) of \(Self.cases) cases were built (\(refused) refused)")
    }

    @Test("LLD (the Swift toolchain's): ARM")
    func lldArm() throws { try Self.run(.lld, target: .arm32) }

    @Test("LLD: arm64")
    func lldArm64() throws { try Self.run(.lld, target: .arm64) }

    @Test("GNU ld: ARM", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing))
    func gnuArm() throws { try Self.run(.gnu, target: .arm32) }

    @Test("GNU ld: arm64", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing))
    func gnuArm64() throws { try Self.run(.gnu, target: .arm64) }

    /// Cases with calls per linker and target (`KALLSYMS_LAB_CASES=N` runs N instead).
    static let callCases: UInt64 = ProcessInfo.processInfo.environment["KALLSYMS_LAB_CASES"].flatMap { UInt64($0) }.map { max($0, 1) } ?? 15

    /// The same with calls: the model's branch stubs (names, counts, addresses) must be the
    /// real linker's, and some cases must have stubs at all.
    static func runWithCalls(_ kind: Toolchain.Kind, target: TargetABI, thumb: Bool = false) throws {
        let toolchain = try Toolchain(kind, target: target)
        var agreed = 0, refused = 0, stubs = 0, withStubs = 0
        for seed in 1...Self.callCases {
            let testCase = LinkerDifferential.drawWithCalls(seed: seed, target: target, thumb: thumb)
            switch try LinkerDifferential.check(testCase, toolchain: toolchain) {
            case .agrees(_, let count):
                agreed += 1
                stubs += count
                if count > 0 { withStubs += 1 }
            case .refused: refused += 1
            case .differs(let why):
                Issue.record("calls seed \(seed) (\(testCase.options.era), nm \(testCase.options.effectiveLetters)): \(why)\n\(testCase.layout)")
            }
        }
        print(
            "model-matches-linker with calls \(kind) \(thumb ? "thumb2" : target.name): \(agreed) of \(Self.callCases) agree, \(withStubs) of them with "
                + "stubs (\(stubs) stubs in vmlinux), \(refused) refused by the generator")
        #expect(agreed >= Int(Self.callCases) * 3 / 4, "only \(agreed) of \(Self.callCases) cases were built (\(refused) refused)")
        #expect(withStubs >= Int(Self.callCases) / 3, "only \(withStubs) of \(Self.callCases) cases had branch stubs")
    }

    @Test("with calls, LLD: ARM")
    func callsLldArm() throws { try Self.runWithCalls(.lld, target: .arm32) }

    @Test("with calls, LLD: arm64")
    func callsLldArm64() throws { try Self.runWithCalls(.lld, target: .arm64) }

    @Test("with calls, LLD: Thumb-2")
    func callsLldThumb() throws { try Self.runWithCalls(.lld, target: .arm32, thumb: true) }

    @Test("with calls, GNU ld: Thumb-2", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing))
    func callsGnuThumb() throws { try Self.runWithCalls(.gnu, target: .arm32, thumb: true) }

    @Test("with calls, GNU ld: ARM", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing))
    func callsGnuArm() throws { try Self.runWithCalls(.gnu, target: .arm32) }

    @Test("with calls, GNU ld: arm64", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing))
    func callsGnuArm64() throws { try Self.runWithCalls(.gnu, target: .arm64) }

    @Test("the cases cover every item kind, empty sections, equal addresses and repeated names")
    func casesCoverTheItemKinds() {
        var aligns = 0, absolutes = 0, empty = 0, repeated = 0, weak = 0, locals = 0
        for seed in 1...Self.cases {
            let layout = LinkerDifferential.draw(seed: seed).layout
            var names: [[UInt8]: Int] = [:]
            for item in layout.items {
                switch item {
                case .align: aligns += 1
                case .absolute: absolutes += 1
                case .section(let section):
                    if section.size == 0 { empty += 1 }
                    for case .symbol(let name, _, let binding) in section.members {
                        names[name, default: 0] += 1
                        if binding == .weak { weak += 1 }
                        if binding == .local { locals += 1 }
                    }
                }
            }
            repeated += names.values.filter { $0 > 1 }.count
        }
        #expect(aligns > 0 && absolutes > 0 && empty > 0 && repeated > 0 && weak > 0 && locals > 0)
    }
}

/// The layouts `fuzz --arch` builds, calls drawn from the learned profile, linked by the real
/// linkers: every image's map, stubs included, must be the model's.
@Suite("model-matches-linker on today's shapes")
struct ModernShapeLinkerTests {
    static func run(_ kind: Toolchain.Kind, _ architecture: KernelArchitecture) throws {
        let toolchain = try Toolchain(kind, target: architecture.target)
        var stubs = 0
        for seed: UInt64 in 1...2 {
            let testCase = LinkerDifferential.modern(seed: seed, architecture: architecture, symbols: 3000)
            switch try LinkerDifferential.check(testCase, toolchain: toolchain) {
            case .agrees(_, let count): stubs += count
            case .refused(let why): Issue.record("seed \(seed): the generator refused: \(why)")
            case .differs(let why): Issue.record("seed \(seed), \(kind) \(architecture): \(why)")
            }
        }
        print("today's shapes, \(kind) \(architecture): \(stubs) stubs in 2 vmlinux maps")
        // The sizes drawn put the start of .text out of range of .init.text: stubs there must be.
        #expect(stubs > 0)
    }

    @Test("LLD", arguments: KernelArchitecture.allCases)
    func lld(architecture: KernelArchitecture) throws { try Self.run(.lld, architecture) }

    @Test("GNU ld", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing), arguments: KernelArchitecture.allCases)
    func gnu(architecture: KernelArchitecture) throws { try Self.run(.gnu, architecture) }
}
