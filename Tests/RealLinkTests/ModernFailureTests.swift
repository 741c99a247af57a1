import Compressor
import Foundation
import Harness
import LinkModel
import RealLink
import TestSupport
import Testing

/// The modern failure with real linkers (docs/linkers.md, "Branch stubs"): `e-modern-failure`
/// builds the same way with the model and with the real linker, every map identical, and
/// ends as measured: v3.3 inconsistent with both linkers; v6.1 consistent with GNU ld (its
/// `_veneer` suffix rule drops the veneers) and inconsistent with LLD (its thunk names escape
/// v6.1's list); v6.19 consistent (mksysmap drops `__<alnum>*Thunk_`).
@Suite("reallink examples: the modern failure")
struct ModernFailureTests {
    static let cases: [(Era, Bool)] = [(.v3_3, true), (.v6_1, false), (.v6_19, false)]

    static func run(_ kind: Toolchain.Kind, era: Era, inconsistent: Bool) throws {
        let layout = try Layout(parsing: Corpus.bytes("reallink/e-modern-failure.layout"))
        let toolchain = try Toolchain(kind, target: layout.target)
        var options = BuildOptions(era: era)
        options.linker = kind.flavour
        var linker = try RealLinker(plan: LinkPlan(layout), toolchain: toolchain, options: options, comparesModel: true)
        var cache = CompressionCache()
        let real = try Build(layout: layout, options: options).run(target: layout.target, cache: &cache, linker: &linker)
        let model = Build(layout: layout, options: options).run()
        #expect(linker.comparisons.allSatisfy { $0.agrees }, "\(kind) \(era): a map differs from the model's")
        #expect(real.isInconsistent == inconsistent, "\(kind) \(era)")
        #expect(model.isInconsistent == real.isInconsistent)
        #expect(model.linkedPasses.map(\.output.object.size) == real.linkedPasses.map(\.output.object.size))
        #expect(CampaignTarget.stubStability.fails(real) == CampaignTarget.stubStability.fails(model))
    }

    @Test("LLD: v3.3 and v6.1 inconsistent, v6.19 consistent", arguments: [Era.v3_3, .v6_1, .v6_19])
    func lld(era: Era) throws { try Self.run(.lld, era: era, inconsistent: era != .v6_19) }

    @Test(
        "GNU ld: v3.3 inconsistent, v6.1 and v6.19 consistent", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing),
        arguments: [Era.v3_3, .v6_1, .v6_19])
    func gnu(era: Era) throws { try Self.run(.gnu, era: era, inconsistent: era == .v3_3) }
}

/// A linker option as a mitigation, measured with the real linker (docs/lab-results.md, issue
/// 15): LLD's `--pic-veneer` names its thunks `__ARMV7PILongThunk_…`, `__ThumbV7PILongThunk_…`
/// or `__AArch64ADRPThunk_…`, which v6.1's ignore list holds, so the saved v6.1 thunk findings
/// build consistently with it, and not without it.
@Suite("LLD --pic-veneer on the saved thunk findings")
struct PicVeneerTests {
    @Test(
        "v6.1: inconsistent without the option, consistent with it, no thunk kept",
        arguments: [
            "pass-convergence-v6.1-lld-thunks.case", "pass-convergence-v6.1-lld-thumb2-thunks.case", "pass-convergence-v6.1-lld-arm64-thunks.case",
        ])
    func picVeneer(name: String) throws {
        let file = try CaseFile(parsing: Corpus.text("findings/" + name))
        let layout = try #require(file.layout)
        var options = file.buildOptions(mitigations: [])
        options.linker = .lld
        func build(_ extra: [String]) throws -> BuildResult {
            let toolchain = try Toolchain(.lld, target: layout.target).adding(linkerOptions: extra)
            var linker = try RealLinker(plan: LinkPlan(layout), toolchain: toolchain, options: options, comparesModel: false)
            var cache = CompressionCache()
            return try Build(layout: layout, options: options).run(target: layout.target, cache: &cache, linker: &linker)
        }
        #expect(try build([]).isInconsistent)
        let pic = try build(["--pic-veneer"])
        #expect(pic.isConsistent)
        let names = pic.vmlinux?.symbols.map { String(decoding: $0.name, as: UTF8.self) } ?? []
        #expect(names.contains { ["__ARMV7PILongThunk_", "__ThumbV7PILongThunk_", "__AArch64ADRPThunk_"].contains(where: $0.hasPrefix) })
    }
}
